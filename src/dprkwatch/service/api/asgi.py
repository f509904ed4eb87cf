"""ASGI entry point for worker processes: ``uvicorn --factory dprkwatch.service.api.asgi:app``.

Each worker builds its settings from the ``DPRKWATCH_*`` environment that
:func:`dprkwatch.service.api.server.serve` prepared.
"""

from __future__ import annotations

from fastapi import FastAPI

from dprkwatch import settings as settings_mod
from dprkwatch.service.api.app import create_app
from dprkwatch.service.collector import collect_rarely


def app() -> FastAPI:
    collect_rarely()
    return create_app(settings_mod.load(), wait_for_index=True, warm_algorithms=True)
