"""Run the service under uvicorn: ``dprkwatch serve`` and ``dprkwatch run``.

The schema is migrated once here, before any worker starts. With one
worker the app object is served directly; with several, uvicorn starts
processes that each build the app from the environment, so the settings
are exported to it first.
"""

from __future__ import annotations

import os

import uvicorn
from fastapi import FastAPI

from dprkwatch import settings as settings_mod
from dprkwatch.service.api.app import create_app
from dprkwatch.service.collector import collect_rarely
from dprkwatch.service.storage import Database, migrate
from dprkwatch.settings import Settings


def prepare(settings: Settings) -> str | None:
    """Migrate the database; returns the revision it is at."""
    db = Database.for_settings(settings)
    try:
        return migrate.upgrade(db)
    finally:
        db.close()


# How long a worker may leave uvicorn's supervisor's ping unanswered before it is
# killed and replaced (uvicorn's default is 5 s). A worker builds its index during
# start-up, which on a busy machine can starve the thread that answers the ping for
# longer than that: with the default, workers were killed and restarted over and
# over and the service never came up.
WORKER_PING_TIMEOUT = 120


def serve(settings: Settings, *, access_log: bool = False) -> None:
    """Serve until interrupted."""
    collect_rarely()  # this process; workers (spawned afresh) in asgi.app
    prepare(settings)
    app: str | FastAPI = create_app(settings, wait_for_index=True, warm_algorithms=True)
    if settings.workers > 1:
        os.environ.update(settings_mod.to_env(settings))
        app = "dprkwatch.service.api.asgi:app"
    uvicorn.run(
        app,
        factory=settings.workers > 1,
        workers=settings.workers if settings.workers > 1 else None,
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http="httptools",
        access_log=access_log,
        log_level="info",
        backlog=2048,
        timeout_graceful_shutdown=10,
        timeout_worker_healthcheck=WORKER_PING_TIMEOUT,
    )
