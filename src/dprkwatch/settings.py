"""Every setting dprkwatch reads from the environment, in one place.

Nothing else in the package reads ``os.environ``. Tests build a
:class:`Settings` explicitly instead of patching the environment.

=============================  ============================================
Variable                       Meaning
=============================  ============================================
``DPRKWATCH_HOME``             data directory (snapshots, database, caches);
                               default: the platform user-data directory
``DPRKWATCH_DATABASE_URL``     SQLAlchemy URL; default: SQLite in WAL mode
                               inside the data directory
``DPRKWATCH_SHARED_DATA``      folder of real source files used by
                               ``make run`` and by tests when present
``DPRKWATCH_HOST``             address ``serve`` binds (default 127.0.0.1)
``DPRKWATCH_PORT``             port ``serve`` binds (default 8000)
``DPRKWATCH_ADMIN_KEY``        bootstrap admin API key for ``serve``
``DPRKWATCH_MAX_BODY_BYTES``   request size limit for the API
``DPRKWATCH_WORKERS``          uvicorn worker processes for ``serve``
                               (default 1)
``DPRKWATCH_KEY_TTL``          seconds the API trusts a verified key
                               before reading it again (default 5;
                               bounds how late a revocation takes effect)
``DPRKWATCH_AUTH``             ``keys`` (default): every API call needs a
                               key; ``none``: single-user mode without
                               keys, allowed only on a loopback bind
``DPRKWATCH_HIDDEN_ALGORITHMS`` algorithms (comma-separated) left out of
                               ``/algorithms``; still accepted by ``/match``
``DPRKWATCH_UPDATE_MIRROR``    base URL ``POST /updatez`` downloads the
                               lists from instead of the publishers (as
                               ``lists update --mirror``)
``DPRKWATCH_CORS_ORIGINS``     browser origins allowed to call the API
                               (comma-separated, ``*`` for any; default
                               none)
``DPRKWATCH_LIST_AGE_DAYS``    a list published longer ago than this is
                               reported as stale (default 7)
``DPRKWATCH_MAX_LIST_AGE_DAYS``  when set, ``/readyz`` fails while an active
                               list is older than this or from a retired
                               source (default: unset, never fails)
=============================  ============================================
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from platformdirs import user_data_dir

from dprkwatch.datadir import DataDir
from dprkwatch.exceptions import ConfigError

PREFIX = "DPRKWATCH_"


def _default_home() -> Path:
    return Path(user_data_dir("dprkwatch", appauthor=False))


@dataclass(frozen=True)
class Settings:
    """Resolved configuration. Build with :func:`load` or directly in tests."""

    home: Path = field(default_factory=_default_home)
    database_url: str | None = None
    shared_data: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    admin_key: str | None = None
    max_body_bytes: int = 1_000_000
    workers: int = 1
    key_ttl: int = 5
    auth: str = "keys"
    cors_origins: tuple[str, ...] = ()
    list_age_days: int = 7
    max_list_age_days: int | None = None
    update_mirror: str | None = None
    hidden_algorithms: tuple[str, ...] = ()

    @property
    def data(self) -> DataDir:
        """The layout of the data directory ``home``."""
        return DataDir(self.home)

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to SQLite in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data.database}"

    def with_home(self, home: Path) -> Settings:
        return replace(self, home=home)


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(PREFIX + name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{PREFIX}{name}: expected an integer, got {raw!r}") from None
    if value < 0:
        raise ConfigError(f"{PREFIX}{name}: must not be negative, got {value}")
    return value


AUTH_MODES = ("keys", "none")


def _auth(env: Mapping[str, str]) -> str:
    raw = (env.get(PREFIX + "AUTH") or "keys").strip().lower()
    if raw not in AUTH_MODES:
        raise ConfigError(f"{PREFIX}AUTH: expected one of {', '.join(AUTH_MODES)}, got {raw!r}")
    return raw


def _origins(env: Mapping[str, str]) -> tuple[str, ...]:
    raw = env.get(PREFIX + "CORS_ORIGINS") or ""
    return tuple(o.strip().rstrip("/") for o in raw.split(",") if o.strip())


def load(env: Mapping[str, str] | None = None) -> Settings:
    """Read settings from ``env`` (default: the process environment)."""
    env = os.environ if env is None else env
    home = env.get(PREFIX + "HOME")
    shared = env.get(PREFIX + "SHARED_DATA")
    return Settings(
        home=Path(home).expanduser() if home else _default_home(),
        database_url=env.get(PREFIX + "DATABASE_URL") or None,
        shared_data=Path(shared).expanduser() if shared else None,
        host=env.get(PREFIX + "HOST") or "127.0.0.1",
        port=_int(env, "PORT", 8000),
        admin_key=env.get(PREFIX + "ADMIN_KEY") or None,
        max_body_bytes=_int(env, "MAX_BODY_BYTES", 1_000_000),
        workers=max(1, _int(env, "WORKERS", 1)),
        key_ttl=_int(env, "KEY_TTL", 5),
        auth=_auth(env),
        cors_origins=_origins(env),
        list_age_days=_int(env, "LIST_AGE_DAYS", 7),
        max_list_age_days=_optional_int(env, "MAX_LIST_AGE_DAYS"),
        update_mirror=env.get(PREFIX + "UPDATE_MIRROR") or None,
        hidden_algorithms=tuple(
            a.strip() for a in (env.get(PREFIX + "HIDDEN_ALGORITHMS") or "").split(",") if a.strip()
        ),
    )


def _optional_int(env: Mapping[str, str], name: str) -> int | None:
    if not env.get(PREFIX + name):
        return None
    return _int(env, name, 0)


def to_env(settings: Settings) -> dict[str, str]:
    """The ``DPRKWATCH_*`` variables that :func:`load` turns back into ``settings``.

    ``serve`` with several workers starts fresh processes that build their
    settings from the environment; this is how options given on the command
    line (``--data-dir``) reach them.
    """
    env = {
        PREFIX + "HOME": str(settings.home),
        PREFIX + "HOST": settings.host,
        PREFIX + "PORT": str(settings.port),
        PREFIX + "MAX_BODY_BYTES": str(settings.max_body_bytes),
        PREFIX + "WORKERS": str(settings.workers),
        PREFIX + "KEY_TTL": str(settings.key_ttl),
        PREFIX + "AUTH": settings.auth,
        PREFIX + "CORS_ORIGINS": ",".join(settings.cors_origins),
        PREFIX + "LIST_AGE_DAYS": str(settings.list_age_days),
        PREFIX + "HIDDEN_ALGORITHMS": ",".join(settings.hidden_algorithms),
    }
    if settings.max_list_age_days is not None:
        env[PREFIX + "MAX_LIST_AGE_DAYS"] = str(settings.max_list_age_days)
    if settings.database_url:
        env[PREFIX + "DATABASE_URL"] = settings.database_url
    if settings.shared_data:
        env[PREFIX + "SHARED_DATA"] = str(settings.shared_data)
    if settings.admin_key:
        env[PREFIX + "ADMIN_KEY"] = settings.admin_key
    if settings.update_mirror:
        env[PREFIX + "UPDATE_MIRROR"] = settings.update_mirror
    return env
