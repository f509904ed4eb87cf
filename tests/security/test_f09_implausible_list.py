"""F9: a one-entity UN file replaced the whole UN list, with no plausibility check.

Now a version that holds more than ``DPRKWATCH_MAX_LIST_DROP`` (default
10 %) fewer entities than the active one is stored but not activated, with
one line saying how many it lost; ``--force`` activates it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dprkwatch.lists import SnapshotStore
from tests.factory import run_cli
from tests.service.factory import UN


def gutted_un(folder: Path) -> Path:
    """The UN fixture, a day later, with only its first individual left."""
    text = UN.read_text(encoding="utf-8").replace(
        'dateGenerated="2026-02-27', 'dateGenerated="2026-02-28'
    )
    first_end = text.index("</INDIVIDUAL>") + len("</INDIVIDUAL>")
    rest_end = text.index("</INDIVIDUALS>")
    text = text[:first_end] + "\n" + text[rest_end:]
    text = re.sub(r"<ENTITIES>.*</ENTITIES>", "<ENTITIES>\n</ENTITIES>", text, flags=re.S)
    path = folder / "un_2026-02-28.xml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_gutted_version_is_not_activated(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    assert run_cli(capsys, "--data-dir", str(home), "lists", "import", str(UN)).code == 0
    store = SnapshotStore(home)
    active = store.active_versions()
    [list_name] = active
    [current] = [m for m in store.versions(list_name) if m.version == active[list_name]]
    before = current.counts["entities"]
    assert before >= 3

    small = gutted_un(tmp_path)
    refused = run_cli(capsys, "--data-dir", str(home), "lists", "import", str(small))
    assert refused.code == 7, refused.err
    message = refused.err.strip()
    assert len(message.splitlines()) == 1, message
    assert f"holds 1 entities against {before}" in message and "DPRKWATCH_MAX_LIST_DROP" in message
    assert store.active_versions() == active

    # A looser limit (here: any drop) lets it through, as --force does.
    monkeypatch.setenv("DPRKWATCH_MAX_LIST_DROP", "1")
    looser = run_cli(capsys, "--data-dir", str(home), "lists", "import", str(small))
    assert looser.code == 0, looser.err
    [now] = [
        m for m in store.versions(list_name) if m.version == store.active_versions()[list_name]
    ]
    assert now.counts["entities"] == 1
