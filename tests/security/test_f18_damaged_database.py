"""F18: ``audit verify`` on a damaged database printed a traceback. Now: one line, exit 6."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text

from tests.security.factory import dprkwatch


def _verify(home: Path) -> tuple[int, list[str]]:
    proc = dprkwatch(home, "audit", "verify")
    _out, err = proc.communicate(timeout=120)
    return proc.returncode, err.decode().strip().splitlines()


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "dprkwatch.sqlite3").write_bytes(b"this is not an SQLite file" * 100)
    code, lines = _verify(home)
    assert code == 6 and len(lines) == 1, lines
    assert "cannot read the audit log" in lines[0] and "Traceback" not in lines[0]


def test_a_dropped_table_and_a_garbled_row(tmp_path: Path) -> None:
    home = tmp_path / "home"
    created = dprkwatch(home, "keys", "create", "probe", "--role", "screen")
    created.communicate(timeout=120)
    engine = create_engine(f"sqlite:///{home / 'dprkwatch.sqlite3'}")
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_log_no_update"))
        conn.execute(text("UPDATE audit_log SET seq = 'garbage', payload = x'ff00'"))
    code, lines = _verify(home)
    assert code == 6 and len(lines) == 1 and "Traceback" not in "".join(lines), lines
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE audit_log"))
    engine.dispose()
    code, lines = _verify(home)
    assert code == 6 and len(lines) == 1 and "cannot read the audit log" in lines[0], lines
