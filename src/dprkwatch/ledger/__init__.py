"""The sourced ledger: what Pyongyang promised, what it did, and how much pressure was applied."""
