"""F13: under umask 022 the data dir was 0755 and the database 0644: any local user could
read the screened customer names. Now the data dir is 0700 and the database files 0600."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from tests.security.factory import dprkwatch


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_cli_and_service_files_are_private_under_umask_022(tmp_path: Path) -> None:
    home = tmp_path / "home"
    old = os.umask(0o022)
    try:
        proc = dprkwatch(home, "keys", "create", "probe", "--role", "screen")
        _out, err = proc.communicate(timeout=120)
    finally:
        os.umask(old)
    assert proc.returncode == 0, err.decode()
    assert mode(home) == 0o700
    database = home / "dprkwatch.sqlite3"
    files = [p for p in home.iterdir() if p.name.startswith(database.name)]
    assert database in files
    for path in files:
        assert mode(path) & 0o077 == 0, (path.name, oct(mode(path)))


def test_an_existing_open_data_dir_is_closed(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    os.chmod(home, 0o755)
    (home / "dprkwatch.sqlite3").touch(mode=0o644)
    os.chmod(home / "dprkwatch.sqlite3", 0o644)
    proc = dprkwatch(home, "keys", "list")
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()
    assert mode(home) == 0o700
    assert mode(home / "dprkwatch.sqlite3") == 0o600
