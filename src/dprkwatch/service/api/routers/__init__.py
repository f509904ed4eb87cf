"""HTTP routes, one module per area; each is thin over a library call."""
