"""Alembic migrations for the service database (run by ``dprkwatch db upgrade``)."""
