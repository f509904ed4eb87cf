"""F14: unauthenticated ``GET /assets/%00`` answered 500 with a traceback."""

from __future__ import annotations

from tests.service.factory import LiveService


def test_nul_and_other_bad_asset_names_are_404(sqlite_service: LiveService) -> None:
    for name in ("%00", "a%00b.js", "..%2F..%2Fetc%2Fpasswd", "%2e%2e/%2e%2e/pyproject.toml"):
        r = sqlite_service.anon.get(f"/assets/{name}")
        assert r.status_code == 404, (name, r.status_code, r.text)
        assert r.json()["error"] == "not_found"
