"""F4: server-path endpoints disclosed files (a refused file's first line in the error; a
CSV-shaped file registered as a book read back through ``/audit/export``).

Files outside the import folders are never opened, and errors about files
inside them quote none of their content.
"""

from __future__ import annotations

from pathlib import Path

from tests.security.conftest import Guarded

SECRET = "s3cr3t-Hunter2-XYZZY"


def test_a_csv_shaped_file_outside_the_import_folders_stays_unread(
    guarded: Guarded, tmp_path: Path
) -> None:
    private = tmp_path / "private.csv"
    private.write_text(f"id,name\nroot,{SECRET}\n")
    svc = guarded.service
    r = svc.admin.post("/books/from-path", json={"name": "probe", "path": str(private)})
    if r.status_code == 201:  # the old behaviour: the rescreen records every row
        svc.wait_for_run(r.json()["rescreen_run"])
    exported = svc.admin.get("/audit/export", params={"format": "jsonl"})
    assert exported.status_code == 200 and SECRET not in exported.text
    assert r.status_code == 400 and SECRET not in r.text


def test_errors_about_files_in_the_import_folders_quote_nothing(guarded: Guarded) -> None:
    svc = guarded.service
    cases = {
        "header.csv": f"{SECRET},name\nroot,Kim\n",  # no id column: the header was listed
        "dup.csv": f"id,name\n{SECRET},Kim\n{SECRET},Lee\n",  # the duplicate id was quoted
        "date.csv": f"id,name,birthDate\na,Kim,{SECRET}\n",  # the bad value was quoted
    }
    for name, text in cases.items():
        (guarded.imports / name).write_text(text)
        r = svc.admin.post(
            "/books/from-path", json={"name": "probe", "path": str(guarded.imports / name)}
        )
        assert r.status_code == 400, r.text
        assert SECRET not in r.text, r.text
        assert r.json()["detail"].startswith(name), r.text
    (guarded.imports / "list.xml").write_text(f"<{SECRET}><unclosed></{SECRET}>")
    r = svc.admin.post("/lists/import", json={"paths": [str(guarded.imports / "list.xml")]})
    assert r.status_code == 400 and SECRET not in r.text, r.text
