"""Hostile and broken XML: every case is one clear SourceError and nothing is expanded or read."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from dprkwatch.lists.exceptions import SourceError
from dprkwatch.lists.importers.eu.fsf_xml import EuFsfXmlImporter
from dprkwatch.lists.importers.un.consolidated_xml import UnXmlImporter
from dprkwatch.lists.xmlsafe import SafeXmlReader, sniff_root
from tests.conftest import FIXTURES

UN_SAMPLE = FIXTURES / "lists" / "un_sample.xml"

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE CONSOLIDATED_LIST [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<CONSOLIDATED_LIST dateGenerated="2026-01-01T00:00:00Z"><INDIVIDUALS><INDIVIDUAL>
<FIRST_NAME>&lol9;</FIRST_NAME><REFERENCE_NUMBER>KPi.001</REFERENCE_NUMBER>
</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>
"""


def _xxe(secret: Path) -> str:
    return f"""<?xml version="1.0"?>
<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY xxe SYSTEM "file://{secret}">]>
<CONSOLIDATED_LIST dateGenerated="2026-01-01T00:00:00Z"><INDIVIDUALS><INDIVIDUAL>
<FIRST_NAME>&xxe;</FIRST_NAME><REFERENCE_NUMBER>KPi.001</REFERENCE_NUMBER>
</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>
"""


def _load_error(path: Path) -> SourceError:
    with pytest.raises(SourceError) as info:
        UnXmlImporter().load(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    return info.value


def test_billion_laughs_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xml"
    path.write_text(BILLION_LAUGHS)
    started = time.perf_counter()
    err = _load_error(path)
    assert time.perf_counter() - started < 2
    assert "DOCTYPE" in err.problem
    assert err.where == "line 2"


def test_external_entity_is_refused_and_file_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    path = tmp_path / "xxe.xml"
    path.write_text(_xxe(secret))
    err = _load_error(path)
    assert "external-entity" in err.problem
    assert "TOP-SECRET-CONTENT" not in str(err)


def test_external_dtd_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dtd.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE CONSOLIDATED_LIST SYSTEM "http://127.0.0.1:9/x.dtd">\n'
        "<CONSOLIDATED_LIST/>\n"
    )
    assert "DOCTYPE" in _load_error(path).problem


def test_truncated_file_reports_line_and_column(tmp_path: Path) -> None:
    data = UN_SAMPLE.read_bytes()
    path = tmp_path / "truncated.xml"
    path.write_bytes(data[: len(data) // 2])
    err = _load_error(path)
    assert "truncated" in err.problem
    assert err.where is not None and err.where.startswith("line ") and ", column " in err.where


def test_syntax_error_reports_location(tmp_path: Path) -> None:
    path = tmp_path / "broken.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<CONSOLIDATED_LIST>\n<INDIVIDUALS>\n<INDIVIDUAL><FIRST_NAME>A</SECOND_NAME>'
        "</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>\n"
    )
    err = _load_error(path)
    assert err.problem.startswith("invalid XML")
    assert err.where is not None and err.where.startswith("line 4, column")


def test_latin1_bytes_in_utf8_file_are_a_wrong_encoding(tmp_path: Path) -> None:
    text = (
        UN_SAMPLE.read_text(encoding="utf-8")
        .replace("량성철", "X")
        .replace("RYANG", "RYANG JOS\u00c9")
    )
    path = tmp_path / "latin1.xml"
    path.write_bytes(text.encode("latin-1"))
    err = _load_error(path)
    assert err.problem.startswith("wrong encoding")
    line = next(i for i, raw in enumerate(text.splitlines(), start=1) if "JOS\u00c9" in raw)
    assert err.where is not None and err.where.startswith(f"line {line}, column")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.xml"
    path.write_bytes(b"")
    assert _load_error(path).problem == "file is empty"


def test_duplicate_reference_numbers(tmp_path: Path) -> None:
    text = UN_SAMPLE.read_text(encoding="utf-8").replace("QDi.901", "KPi.901")
    path = tmp_path / "dup.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as info:
        UnXmlImporter().load(path)
    assert "duplicate record id 'KPi.901'" in str(info.value)
    assert info.value.where is not None and info.value.where.startswith("line ")


def test_wrong_root_for_forced_format(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as info:
        EuFsfXmlImporter().load(UN_SAMPLE)
    assert "unexpected root element <CONSOLIDATED_LIST>" in str(info.value)


def test_records_are_streamed_and_cleared() -> None:
    reader = SafeXmlReader(UN_SAMPLE)
    seen = []
    for element in reader.records(("INDIVIDUAL", "ENTITY")):
        seen.append(element.findtext("REFERENCE_NUMBER"))
    assert seen == ["KPi.901", "QDi.901", "KPe.901"]
    assert reader.root_tag == "CONSOLIDATED_LIST"
    assert reader.root_attrib["dateGenerated"].startswith("2026-02-27")


@pytest.mark.parametrize(
    ("head", "root"),
    [
        (b'<?xml version="1.0"?>\n<!-- c -->\n<CONSOLIDATED_LIST a="1">', "CONSOLIDATED_LIST"),
        (b'\xef\xbb\xbf<?xml version="1.0"?><export xmlns="urn:x">', "export"),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><fsd:export>', "export"),
        (b"name,value\n", None),
    ],
)
def test_sniff_root(head: bytes, root: str | None) -> None:
    assert sniff_root(head) == root


@pytest.mark.parametrize("content", [b"\n\n  \n", b"Last Updated,20/08/2026\nName 6,Name 1\n"])
def test_not_xml_at_all(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "forced.xml"
    path.write_bytes(content)
    assert _load_error(path).problem.startswith("not an XML document")


@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_doctype_is_refused_before_the_parser_sees_the_file(
    tmp_path: Path, codec: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The prolog scan refuses a DOCTYPE in any encoding, so libxml2's own wording never shows."""
    path = tmp_path / "bomb.xml"
    body = BILLION_LAUGHS.replace('<?xml version="1.0"?>', "<!-- a comment -->\n<?pi x?>")
    path.write_bytes(body.encode(codec))

    def parser_must_not_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("the parser ran on a file with a DOCTYPE")

    monkeypatch.setattr("dprkwatch.lists.xmlsafe.etree.iterparse", parser_must_not_run)
    err = _load_error(path)
    assert "DOCTYPE" in err.problem
    assert err.where == "line 3"


def test_doctype_text_inside_a_comment_or_the_body_is_not_a_declaration(tmp_path: Path) -> None:
    from dprkwatch.lists.xmlsafe import prolog_declaration_line

    assert prolog_declaration_line(b"<?xml version='1.0'?><!-- <!DOCTYPE x> --><a/>") is None
    assert prolog_declaration_line(b"<a><![CDATA[<!DOCTYPE x>]]></a>") is None
    assert prolog_declaration_line(b"\n\n<!ENTITY x 'y'><a/>") == 3
