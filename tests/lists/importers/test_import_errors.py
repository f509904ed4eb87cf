"""Bad source files through the CLI: one-line error, non-zero exit, active snapshot untouched."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from dprkwatch.settings import Settings
from tests.conftest import FIXTURES
from tests.factory import run_cli
from tests.lists.test_xmlsafe import BILLION_LAUGHS
from tests.lists.workbooks import csv_rows, write_xlsx

UN_SAMPLE = FIXTURES / "lists" / "un_sample.xml"
UK_YAML = FIXTURES / "lists" / "uk_sample.yaml"
UK_CSV = FIXTURES / "lists" / "uk_conlist_sample.csv"
UKSL_XML = FIXTURES / "lists" / "uk_sanctions_list_sample.xml"


def _bomb(tmp: Path) -> Path:
    path = tmp / "bomb.xml"
    path.write_text(BILLION_LAUGHS)
    return path


def _xxe(tmp: Path) -> Path:
    secret = tmp / "secret.txt"
    secret.write_text("TOP-SECRET")
    path = tmp / "xxe.xml"
    path.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY x SYSTEM "file://{secret}">]>\n'
        "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&x;</FIRST_NAME>"
        "<REFERENCE_NUMBER>KPi.1</REFERENCE_NUMBER></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>\n"
    )
    return path


def _truncated(tmp: Path) -> Path:
    path = tmp / "truncated.xml"
    data = UN_SAMPLE.read_bytes()
    path.write_bytes(data[: int(len(data) * 0.7)])
    return path


def _garbled(tmp: Path) -> Path:
    path = tmp / "garbled.xml"
    data = bytearray(UN_SAMPLE.read_bytes())
    at = data.index(b"RYANG")
    data[at : at + 5] = b"\xff\xfe\x00\xc3\x28"
    path.write_bytes(bytes(data))
    return path


def _empty(tmp: Path) -> Path:
    path = tmp / "empty.xml"
    path.write_bytes(b"")
    return path


def _duplicate_ids(tmp: Path) -> Path:
    path = tmp / "dup.xml"
    path.write_text(
        UN_SAMPLE.read_text(encoding="utf-8").replace("KPe.901", "KPi.901"), encoding="utf-8"
    )
    return path


def _duplicate_ids_yaml(tmp: Path) -> Path:
    # The UK Sanctions List guarantees unique ids; the EU FSF does not (its repeats merge).
    path = tmp / "dup.yaml"
    path.write_text(
        UK_YAML.read_text(encoding="utf-8").replace("unique_id: DPR9003", "unique_id: DPR9001"),
        encoding="utf-8",
    )
    return path


def _bad_csv_encoding(tmp: Path) -> Path:
    path = tmp / "ConList.csv"
    path.write_bytes(UK_CSV.read_bytes().replace("량성철".encode(), b"\xe9\xe9"))
    return path


def _renamed_xlsx_column(tmp: Path) -> Path:
    rows = csv_rows(UK_CSV)
    rows[1][rows[1].index("Regime")] = "Regime Name (new)"
    return write_xlsx(tmp / "ConList.xlsx", rows)


def _unknown_uksl_schema(tmp: Path) -> Path:
    path = tmp / "UK-Sanctions-List.xml"
    text = UKSL_XML.read_text(encoding="utf-8")
    path.write_text(text.replace("<Designations ", '<Designations schemaVersion="3.0" ', 1))
    return path


def _unknown(tmp: Path) -> Path:
    path = tmp / "notes.txt"
    path.write_text("These are meeting notes, not a sanctions list.\n")
    return path


CASES: dict[str, tuple[Callable[[Path], Path], str, bool]] = {
    # name: (make file, expected text in the message, message names a line)
    "billion-laughs": (_bomb, "DOCTYPE", True),
    "xxe": (_xxe, "external-entity", True),
    "truncated": (_truncated, "truncated", True),
    "garbled": (_garbled, "wrong encoding", True),
    "empty": (_empty, "file is empty", False),
    "duplicate-ids": (_duplicate_ids, "duplicate record id 'KPi.901'", True),
    "duplicate-ids-yaml": (_duplicate_ids_yaml, "duplicate record id 'DPR9001'", True),
    "csv-encoding": (_bad_csv_encoding, "wrong encoding", True),
    "unknown-format": (_unknown, "unknown format", False),
    "unknown-uksl-schema": (_unknown_uksl_schema, "unknown UK Sanctions List schema", True),
    "renamed-xlsx-column": (_renamed_xlsx_column, "missing: 'Regime'; unknown column(s)", True),
}


def _ofsi_csv_as_uksl(tmp: Path) -> tuple[Path, str]:
    path = tmp / "UK-Sanctions-List.csv"
    path.write_bytes(UK_CSV.read_bytes())
    return path, "uksl-csv"


def _ofsi_xml_as_uksl(tmp: Path) -> tuple[Path, str]:
    path = tmp / "UK-Sanctions-List.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<ArrayOfFinancialSanctionsTarget><FinancialSanctionsTarget>'
        "<GroupID>1</GroupID></FinancialSanctionsTarget></ArrayOfFinancialSanctionsTarget>\n"
    )
    return path, "uksl-xml"


FORCED: dict[str, tuple[Callable[[Path], tuple[Path, str]], str]] = {
    # name: (make file and the format it is passed as, expected text in the message)
    "retired-ofsi-csv-as-uksl": (_ofsi_csv_as_uksl, "retired OFSI Consolidated List layout"),
    "retired-ofsi-xml-as-uksl": (_ofsi_xml_as_uksl, "retired OFSI Consolidated List XML"),
}


def _state(home: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(home)): p.read_bytes()
        for p in sorted(home.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_file_leaves_store_untouched(
    case: str, tmp_path: Path, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    home = str(settings.home)
    ok = run_cli(capsys, "--data-dir", home, "lists", "import", str(UN_SAMPLE))
    assert ok.code == 0, ok.err
    before = _state(settings.home)
    make, expected, has_line = CASES[case]
    bad = make(tmp_path)

    result = run_cli(capsys, "--data-dir", home, "lists", "import", str(bad))

    assert result.code != 0
    message = result.err.strip()
    assert len(message.splitlines()) == 1, message
    assert message.startswith("error: ")
    assert bad.name in message
    assert expected in message
    if has_line:
        assert ":line " in message or ":row " in message
    assert "TOP-SECRET" not in message
    assert _state(settings.home) == before


def test_forced_unknown_format_is_an_error(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(
        capsys,
        "--data-dir",
        str(settings.home),
        "lists",
        "import",
        "--format",
        "nope",
        str(UN_SAMPLE),
    )
    assert result.code != 0
    assert "unknown format 'nope'" in result.err
    assert "uksl-csv" in result.err and "eu-fsf-xml" in result.err


def test_forcing_a_format_reads_the_file_as_that_format(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(
        capsys,
        "--data-dir",
        str(settings.home),
        "lists",
        "import",
        "--format",
        "uksl-csv",
        str(UN_SAMPLE),
    )
    assert result.code != 0
    assert "no header row" in result.err


@pytest.mark.parametrize("case", sorted(FORCED))
def test_bad_file_of_a_forced_format_leaves_store_untouched(
    case: str, tmp_path: Path, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    home = str(settings.home)
    assert run_cli(capsys, "--data-dir", home, "lists", "import", str(UN_SAMPLE)).code == 0
    before = _state(settings.home)
    make, expected = FORCED[case]
    bad, fmt = make(tmp_path)

    result = run_cli(capsys, "--data-dir", home, "lists", "import", "--format", fmt, str(bad))

    assert result.code != 0
    message = result.err.strip()
    assert len(message.splitlines()) == 1, message
    assert message.startswith(f"error: {bad}") or message.startswith(f"error: {bad.name}")
    assert expected in message
    assert _state(settings.home) == before
