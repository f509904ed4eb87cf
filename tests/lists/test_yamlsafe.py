"""The libyaml document stream: plain strings, document lines, clean errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from dprkwatch.lists.exceptions import SourceError
from dprkwatch.lists.yamlsafe import HAS_LIBYAML, first_document_keys, iter_documents
from tests.conftest import SHARED_DATA


def test_libyaml_is_available() -> None:
    # The EU and UK copies are far too slow to read without it.
    assert HAS_LIBYAML


def test_documents_with_lines_and_string_scalars(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(
        "---\na: 1\nb: true\nc: [x, 2026-01-01]\n---\nd: !!python/object:os.system ls\n"
    )
    docs = list(iter_documents(path))
    assert docs == [
        (2, {"a": "1", "b": "true", "c": ["x", "2026-01-01"]}),
        (6, {"d": "ls"}),
    ]


def test_anchors_are_shared_not_copied(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("a: &x [1, 2]\nb: *x\n")
    ((_, doc),) = list(iter_documents(path))
    assert doc["a"] is doc["b"]


def test_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("a: [1, 2\nb: 3\n")
    with pytest.raises(SourceError) as info:
        list(iter_documents(path))
    assert info.value.problem.startswith("invalid YAML")
    assert info.value.where is not None and info.value.where.startswith("line 2, column")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as info:
        list(iter_documents(tmp_path / "nope.yaml"))
    assert str(info.value).endswith("nope.yaml: file not found")


def test_first_document_keys() -> None:
    head = b"---\neu_reference_number: EU.1\nlogical_id: '1'\nregulations:\n- programme: PRK\n---\nother: 1\n"
    assert first_document_keys(head) == {"eu_reference_number", "logical_id", "regulations"}


@pytest.mark.shared_data
def test_real_files_are_sniffed_as_their_formats() -> None:
    from dprkwatch.lists.registry import detect

    if SHARED_DATA is None:
        pytest.skip("real data folder not present")
    expected = {
        "un/un_consolidated_2026-02-27.xml": "un-xml",
        "un/history/un_consolidated_2021-01-27.xml": "un-xml",
        "un/history/un_consolidated_2025-06-18.xml": "un-xml",
        "eu/eu_fsf_ammitto_2026-05-01.yaml": "eu-yaml",
        "uk/uk_ofsi_conlist_ammitto_2026-08-22.yaml": "uk-yaml",
    }
    for name, fmt in expected.items():
        assert detect(SHARED_DATA / name).format == fmt, name


# -- many documents --------------------------------------------------------------


def _many_docs(tmp_path: Path, n: int = 600) -> Path:
    path = tmp_path / "many.yaml"
    path.write_text(
        "".join(f"---\nid: '{i}'\nnames: [a{i}, b{i}]\nnested: {{k: v{i}}}\n" for i in range(n))
    )
    return path


def test_documents_come_with_their_start_line(tmp_path: Path) -> None:
    docs = list(iter_documents(_many_docs(tmp_path)))
    assert len(docs) == 600
    assert docs[0] == (2, {"id": "0", "names": ["a0", "b0"], "nested": {"k": "v0"}})
    assert docs[1][0] == 6


def test_errors_name_their_place_in_a_long_file(tmp_path: Path) -> None:
    path = _many_docs(tmp_path)
    with path.open("a") as fh:
        fh.write("---\nbroken: [1, 2\nnext: 3\n")
    with pytest.raises(SourceError) as info:
        list(iter_documents(path))
    assert ":line 2403, column" in str(info.value)
