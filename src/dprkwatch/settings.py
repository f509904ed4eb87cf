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
``DPRKWATCH_IMPORT_DIRS``      folders (separated by ``:``) whose files
                               ``POST /lists/import`` and
                               ``POST /books/from-path`` may read; unset:
                               no server path is readable
``DPRKWATCH_MAX_FILE_BYTES``   size limit of one file read from a server
                               path (default 100,000,000)
``DPRKWATCH_MAX_ROWS``         rows a request's table (book, AIS positions)
                               may hold, from its metadata (default
                               1,000,000)
``DPRKWATCH_MAX_NAME_VALUES``  name values (name, alias, weakAlias,
                               previousName) one ``/match`` request may hold
                               in all its queries (default 500)
``DPRKWATCH_SCREEN_THREADS``   threads that screen ``/match`` queries off
                               the event loop (default: one per core, at
                               least 2)
``DPRKWATCH_BULK_PROCESS``     1 (default): big batches are screened in a
                               process of their own; 0: on a thread of
                               the serving process
``DPRKWATCH_KEY_CONCURRENCY``  ``/match`` requests one key may have
                               screening at once (default 4)
``DPRKWATCH_KEY_QUEUE``        further ``/match`` requests of one key that
                               wait their turn (default 32); beyond that,
                               429 with ``Retry-After``
``DPRKWATCH_LOCK_TIMEOUT``     seconds a writer waits for the data
                               directory's lock (default 60)
``DPRKWATCH_MAX_LIST_DROP``    share of entries a new list version may lose
                               and still be activated without ``--force``
                               (default 0.10)
``DPRKWATCH_AUDIT_KEY``        optional secret (32+ characters) kept outside
                               the database; audit records are then also
                               signed with HMAC-SHA256 under it
``DPRKWATCH_COMPILED``         1 (default): the matching engine uses its
                               compiled modules where ``make install``
                               built them; 0: pure Python throughout
                               (read once, when ``dprkwatch.matching`` is
                               first imported)
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
    import_dirs: tuple[Path, ...] = ()
    max_file_bytes: int = 100_000_000
    max_rows: int = 1_000_000
    max_name_values: int = 500
    screen_threads: int = field(default_factory=lambda: max(2, os.cpu_count() or 1))
    bulk_process: bool = True
    key_concurrency: int = 4
    key_queue: int = 32
    lock_timeout: int = 60
    max_list_drop: float = 0.10
    audit_key: str | None = None

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


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (env.get(PREFIX + name) or "").strip().lower()
    if not raw:
        return default
    if raw not in _TRUE + _FALSE:
        raise ConfigError(
            f"{PREFIX}{name}: expected 1 or 0 (true/false, yes/no, on/off), got {raw!r}"
        )
    return raw in _TRUE


AUTH_MODES = ("keys", "none")


def _auth(env: Mapping[str, str]) -> str:
    raw = (env.get(PREFIX + "AUTH") or "keys").strip().lower()
    if raw not in AUTH_MODES:
        raise ConfigError(f"{PREFIX}AUTH: expected one of {', '.join(AUTH_MODES)}, got {raw!r}")
    return raw


def _origins(env: Mapping[str, str]) -> tuple[str, ...]:
    raw = env.get(PREFIX + "CORS_ORIGINS") or ""
    return tuple(o.strip().rstrip("/") for o in raw.split(",") if o.strip())


def _share(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(PREFIX + name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{PREFIX}{name}: expected a number, got {raw!r}") from None
    if not 0.0 <= value <= 1.0:
        raise ConfigError(f"{PREFIX}{name}: expected a share between 0 and 1, got {raw}")
    return value


def _dirs(env: Mapping[str, str], name: str) -> tuple[Path, ...]:
    raw = env.get(PREFIX + name) or ""
    return tuple(Path(p).expanduser() for p in raw.split(os.pathsep) if p.strip())


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
        import_dirs=_dirs(env, "IMPORT_DIRS"),
        max_file_bytes=_int(env, "MAX_FILE_BYTES", 100_000_000),
        max_rows=_int(env, "MAX_ROWS", 1_000_000),
        max_name_values=max(1, _int(env, "MAX_NAME_VALUES", 500)),
        screen_threads=max(1, _int(env, "SCREEN_THREADS", max(2, os.cpu_count() or 1))),
        bulk_process=_flag(env, "BULK_PROCESS", True),
        key_concurrency=max(1, _int(env, "KEY_CONCURRENCY", 4)),
        key_queue=_int(env, "KEY_QUEUE", 32),
        lock_timeout=_int(env, "LOCK_TIMEOUT", 60),
        max_list_drop=_share(env, "MAX_LIST_DROP", 0.10),
        audit_key=env.get(PREFIX + "AUDIT_KEY") or None,
    )


def compiled_code(env: Mapping[str, str] | None = None) -> bool:
    """``DPRKWATCH_COMPILED``: whether the matching engine may load its compiled modules.

    Read on its own, not by :func:`load`: the matching package asks when it
    is first imported, before anything has built a :class:`Settings`.
    """
    return _flag(os.environ if env is None else env, "COMPILED", True)


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
        PREFIX + "IMPORT_DIRS": os.pathsep.join(str(p) for p in settings.import_dirs),
        PREFIX + "MAX_FILE_BYTES": str(settings.max_file_bytes),
        PREFIX + "MAX_ROWS": str(settings.max_rows),
        PREFIX + "MAX_NAME_VALUES": str(settings.max_name_values),
        PREFIX + "SCREEN_THREADS": str(settings.screen_threads),
        PREFIX + "BULK_PROCESS": "1" if settings.bulk_process else "0",
        PREFIX + "KEY_CONCURRENCY": str(settings.key_concurrency),
        PREFIX + "KEY_QUEUE": str(settings.key_queue),
        PREFIX + "LOCK_TIMEOUT": str(settings.lock_timeout),
        PREFIX + "MAX_LIST_DROP": repr(settings.max_list_drop),
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
    if settings.audit_key:
        env[PREFIX + "AUDIT_KEY"] = settings.audit_key
    return env
