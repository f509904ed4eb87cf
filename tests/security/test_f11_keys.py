"""F11: the bootstrap admin key had no strength check (``a`` worked), and failed keys were
never throttled. Now it needs 32+ characters, and an address that keeps presenting bad keys
waits (429 with ``Retry-After``), its keys unchecked until then."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

from dprkwatch.exceptions import ConfigError
from dprkwatch.service.api.app import create_app
from dprkwatch.service.api.backoff import FREE
from dprkwatch.settings import Settings
from tests.security.conftest import Guarded
from tests.security.factory import dprkwatch


@pytest.mark.parametrize("weak", ["a", "x" * 31, " " + "y" * 40])
def test_a_weak_bootstrap_key_stops_the_service_from_starting(
    settings: Settings, weak: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        create_app(replace(settings, admin_key=weak))
    assert "DPRKWATCH_ADMIN_KEY" in str(caught.value) and "32" in str(caught.value)


def test_serve_says_so_in_one_line(tmp_path: Path) -> None:
    proc = dprkwatch(
        tmp_path / "home",
        "serve",
        "--port",
        "1",
        env={"DPRKWATCH_ADMIN_KEY": "a"},
    )
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 3
    lines = err.decode().strip().splitlines()
    assert len(lines) == 1 and "DPRKWATCH_ADMIN_KEY" in lines[0], lines


def test_repeated_bad_keys_back_off(guarded: Guarded) -> None:
    svc = guarded.service
    good = svc.client(svc.key("screen"))
    bad = [svc.client(f"dpk_{i:012x}_{'A' * 43}") for i in range(8)]
    codes = []
    blocked_at = float("inf")
    for i, client in enumerate(bad):
        if i == FREE:  # the failure that starts the first wait (1 s)
            blocked_at = time.monotonic()
        r = client.get("/lists")
        codes.append(r.status_code)
        if r.status_code == 429:
            assert int(r.headers["Retry-After"]) >= 1
            assert r.json()["error"] == "too_many_requests"
    assert codes[:5] == [401] * 5 and 429 in codes[5:], codes
    # While the address waits, even a good key is not checked. (On a busy machine the
    # first wait, 1 s, may be over before the good key is sent: then it is checked.)
    r = good.get("/lists")
    if r.status_code == 200:
        assert time.monotonic() - blocked_at >= 1.0, "a good key was checked during the wait"
    else:
        assert r.status_code == 429, r.text
    # Requests without a key are not counted (they cannot guess anything).
    assert svc.anon.get("/healthz").status_code == 200
