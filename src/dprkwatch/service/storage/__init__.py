"""Storage for the screening service: SQLite (default) or PostgreSQL via SQLAlchemy Core.

Public API::

    db = Database(settings.resolved_database_url)
    migrate.upgrade(db)
    with db.write() as conn: ...     # serialised, audited writes
    with db.read() as conn: ...
"""

from dprkwatch.service.storage import migrate
from dprkwatch.service.storage.database import Database

__all__ = ["Database", "migrate"]
