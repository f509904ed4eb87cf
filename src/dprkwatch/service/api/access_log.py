"""Access-log hygiene and the keyless mode's guard.

uvicorn's access log prints each request line with its query string. The
gatekeeper already removes an ``api_key`` parameter from the request before
uvicorn logs it; :class:`RedactKeys` is the second line of defence on the
log records themselves, so a key sent in a URL cannot reach a log file by
any path that formats the URL.

``DPRKWATCH_AUTH=none`` turns keys off for a single user on their own
machine; :func:`check_auth` refuses it on any address other people can
reach.
"""

from __future__ import annotations

import ipaddress
import logging

from dprkwatch.exceptions import ConfigError
from dprkwatch.service.api.middleware import redact_query_key
from dprkwatch.settings import Settings

LOGGERS = ("uvicorn.access", "uvicorn.error", "dprkwatch")


class RedactKeys(logging.Filter):
    """Hide ``api_key=...`` in a record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "api_key" in record.msg:
            record.msg = redact_query_key(record.msg)
        if isinstance(record.args, tuple) and any(
            isinstance(a, str) and "api_key" in a for a in record.args
        ):
            record.args = tuple(
                redact_query_key(a) if isinstance(a, str) else a for a in record.args
            )
        return True


def install() -> None:
    """Attach the filter to uvicorn's and our loggers (once per process)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactKeys) for f in logger.filters):
            logger.addFilter(RedactKeys())


def is_loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_auth(settings: Settings) -> None:
    """Refuse keyless mode unless the service binds a loopback address."""
    if settings.auth == "none" and not is_loopback(settings.host):
        raise ConfigError(
            f"DPRKWATCH_AUTH=none is single-user mode and needs a loopback bind "
            f"(127.0.0.1, ::1 or localhost), not {settings.host!r}"
        )
