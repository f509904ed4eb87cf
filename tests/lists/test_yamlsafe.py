"""The libyaml document stream: plain strings, document lines, clean errors."""

from __future__ import annotations

import multiprocessing
import threading
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
    path.write_text("---\na: 1\nb: true\nc: [x, 2026-01-01]\n---\nd: !!python/object:os.system ls\n")
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
    assert "cannot read" in str(info.value)


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


# -- the forked reader ----------------------------------------------------------

needs_fork = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1,
    reason="fork() unavailable or unsafe here",
)


def _many_docs(tmp_path: Path, n: int = 600) -> Path:
    path = tmp_path / "many.yaml"
    path.write_text("".join(f"---\nid: '{i}'\nnames: [a{i}, b{i}]\nnested: {{k: v{i}}}\n" for i in range(n)))
    return path


@needs_fork
def test_forked_reader_gives_the_same_documents(tmp_path: Path) -> None:
    path = _many_docs(tmp_path)
    serial = list(iter_documents(path, parallel=False))
    assert len(serial) == 600
    assert list(iter_documents(path, parallel=True)) == serial


@needs_fork
def test_forked_reader_reports_errors_with_their_place(tmp_path: Path) -> None:
    path = _many_docs(tmp_path)
    with path.open("a") as fh:
        fh.write("---\nbroken: [1, 2\nnext: 3\n")
    errors = []
    for parallel in (False, True):
        with pytest.raises(SourceError) as info:
            list(iter_documents(path, parallel=parallel))
        errors.append(str(info.value))
    assert errors[0] == errors[1]
    assert ":line 2403, column" in errors[0]


@needs_fork
def test_forked_reader_stops_its_child_when_abandoned(tmp_path: Path) -> None:
    docs = iter_documents(_many_docs(tmp_path), parallel=True)
    assert next(docs)[0] == 2
    docs.close()
    assert multiprocessing.active_children() == []


@needs_fork
def test_importer_results_do_not_depend_on_the_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    from dprkwatch.lists import yamlsafe
    from dprkwatch.lists.importers.eu_yaml import EuYamlImporter
    from tests.conftest import FIXTURES

    sample = FIXTURES / "lists" / "eu_sample.yaml"
    serial = EuYamlImporter().load(sample)
    monkeypatch.setattr(yamlsafe, "_parallel_worthwhile", lambda _path: True)
    forked = EuYamlImporter().load(sample)
    assert {k: e.to_dict() for k, e in forked.entities.items()} == {
        k: e.to_dict() for k, e in serial.entities.items()
    }
    assert forked.names == serial.names
