"""Backoff for clients that keep presenting API keys that do not work.

Keys are 256 random bits and cannot be guessed, but the bootstrap key is
chosen by a person, and a stream of failures is noise in every log. So each
client address gets :data:`FREE` failed keys per :data:`WINDOW` seconds;
after that it waits - 1 s, then 2, 4 ... up to :data:`LONGEST` - and every
request of it that carries a key is answered 429 with ``Retry-After``
until the wait is over, *before* the key is checked (else the answers would
still tell a good key from a bad one). A client quiet for a whole window is forgotten.
Clients behind one address (a proxy) share its count.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

FREE = 5
WINDOW = 60.0
LONGEST = 300.0
MAX_CLIENTS = 10_000


@dataclass
class _Client:
    failures: int
    last: float
    blocked_until: float


class AuthBackoff:
    """Failed-key counts per client address (in this process)."""

    def __init__(self) -> None:
        self._clients: OrderedDict[str, _Client] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, client: str, now: float | None = None) -> float:
        """Seconds ``client`` must still wait (0 when it may try a key now)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            entry = self._clients.get(client)
            if entry is None:
                return 0.0
            if entry.blocked_until <= now and now - entry.last > WINDOW:
                del self._clients[client]
                return 0.0
            return max(0.0, entry.blocked_until - now)

    def failed(self, client: str, now: float | None = None) -> None:
        """Count a failed key; past :data:`FREE` failures the client waits, twice as long each time."""
        now = time.monotonic() if now is None else now
        with self._lock:
            entry = self._clients.pop(client, None)
            if entry is None or (entry.blocked_until <= now and now - entry.last > WINDOW):
                entry = _Client(0, now, 0.0)
            entry.failures += 1
            entry.last = now
            if entry.failures > FREE:
                wait = min(LONGEST, 2.0 ** (entry.failures - FREE - 1))
                entry.blocked_until = now + wait
            self._clients[client] = entry
            while len(self._clients) > MAX_CLIENTS:
                self._clients.popitem(last=False)
