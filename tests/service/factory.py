"""Builders the service tests share: a live server on loopback, keys, a store with lists.

Tests talk to a real uvicorn server on 127.0.0.1 (a random free port) over
real HTTP - the way clients, the load script and schemathesis do - rather
than through an in-process shim.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from dprkwatch.lists import SnapshotStore, import_paths
from dprkwatch.service.api.app import create_app
from dprkwatch.settings import Settings
from tests.conftest import FIXTURES

SERVICE_FIXTURES = FIXTURES / "service"
OFAC_V1 = SERVICE_FIXTURES / "ofac_2026-01-05"
OFAC_V2 = SERVICE_FIXTURES / "ofac_2026-03-10"
UN = SERVICE_FIXTURES / "un_2026-02-27.xml"


def import_lists(home: Path, *paths: Path) -> None:
    """Import fixture lists into the data directory ``home``."""
    import_paths(SnapshotStore(home), list(paths))


class LiveService:
    """A running service: its base URL, an admin client, and helpers."""

    def __init__(self, base_url: str, admin_key: str, app: Any) -> None:
        self.base_url = base_url
        self.app = app
        self.admin = httpx.Client(
            base_url=base_url, headers={"Authorization": f"ApiKey {admin_key}"}, timeout=30
        )
        self.anon = httpx.Client(base_url=base_url, timeout=30)

    @property
    def state(self) -> Any:
        return self.app.state.service

    def client(self, key: str) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url, headers={"Authorization": f"ApiKey {key}"}, timeout=30
        )

    def key(self, *roles: str, name: str = "test") -> str:
        r = self.admin.post("/keys", json={"name": name, "roles": list(roles)})
        assert r.status_code == 201, r.text
        return str(r.json()["key"])

    def wait_for_run(self, run_id: str, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            run: dict[str, Any] = self.admin.get(f"/rescreens/{run_id}").json()
            if run["status"] not in ("pending", "running"):
                return run
            if time.monotonic() > deadline:
                raise AssertionError(f"rescreen {run_id} still running after {timeout}s")
            time.sleep(0.05)

    def match(self, client: httpx.Client, dataset: str = "default", **props: Any) -> httpx.Response:
        schema = props.pop("schema", "Person")
        properties = {k: v if isinstance(v, list) else [v] for k, v in props.items()}
        return client.post(
            f"/match/{dataset}",
            json={"queries": {"q": {"schema": schema, "properties": properties}}},
        )

    def close(self) -> None:
        self.admin.close()
        self.anon.close()


# uvicorn closes an idle keep-alive connection after 5 s by default. A test
# client that pauses about that long between requests (a loaded CI machine)
# can send on a connection at the moment the server closes it, and httpx
# reports "Server disconnected without sending a response". Test servers live
# only for their block, so a long idle timeout costs nothing.
KEEP_ALIVE = 600


@contextmanager
def live_service(
    settings: Settings, *, wait_ready: bool = True, access_log: bool = False, **app_options: Any
) -> Iterator[LiveService]:
    """Serve ``create_app(settings)`` on a free loopback port for the duration of the block.

    With ``access_log`` uvicorn logs every request through the standard
    logging tree (so ``caplog`` sees the lines).
    """
    assert settings.admin_key or settings.auth == "none", "live_service needs a key or auth=none"
    app = create_app(settings, **app_options)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    if access_log:
        config = uvicorn.Config(
            app, log_config=None, lifespan="on", access_log=True, timeout_keep_alive=KEEP_ALIVE
        )
    else:
        config = uvicorn.Config(
            app,
            log_level="warning",
            lifespan="on",
            access_log=False,
            timeout_keep_alive=KEEP_ALIVE,
        )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    service = LiveService(f"http://127.0.0.1:{port}", settings.admin_key or "", app)
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("test server did not start")
            time.sleep(0.01)
        if wait_ready:
            while service.anon.get("/readyz").status_code != 200:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"test server not ready: {service.anon.get('/readyz').text}")
                time.sleep(0.02)
        yield service
    finally:
        service.close()
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
