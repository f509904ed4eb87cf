"""Reading untrusted XML without letting it reach the disk, the network or all the memory.

Sanctions lists are downloaded from the internet and may be swapped or
corrupted on the way, so every XML importer reads through this module:

* the lxml parser runs with ``resolve_entities=False, no_network=True,
  load_dtd=False, huge_tree=False``: entities are never expanded, no external
  DTD or entity is fetched, and libxml2's size limits stay on;
* any document type declaration is refused outright, by a scan of the prolog
  *before* the parser sees a byte. The official UN and EU files have none,
  and a DTD is the only way to declare the entities used in "billion laughs"
  bombs and external-entity (XXE) file disclosure. Scanning first means the
  refusal is ours, with our wording, whatever libxml2 version is installed
  (newer ones stop some bombs themselves, with their own message);
* every parse problem becomes one :class:`SourceError` naming the file, the
  line and column, and the problem (syntax, truncation, wrong encoding).

Records are streamed (``iterparse``) and cleared once handled, so a large
EU file does not have to fit in memory as a tree.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from lxml import etree

from dprkwatch.lists.exceptions import SourceError
from dprkwatch.sources import reading, unreadable

_HEAD_BYTES = 64 * 1024
_POSITION_SUFFIX = re.compile(r",? *line \d+(?:, column \d+)?$")


def local_name(tag: object) -> str:
    """``{namespace}name`` -> ``name`` (comments and PIs have non-string tags)."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# Without a byte-order mark, the first "<" tells a wide encoding by its zeros.
_WIDE_STARTS = (
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00", "utf-16-le"),
    (b"\x00<", "utf-16-be"),
)
_DOCTYPE_PROBLEM = (
    "XML with a DOCTYPE/entity declarations is refused "
    "(possible entity-expansion bomb or external-entity payload)"
)


def _prolog_text(head: bytes) -> str:
    """The first bytes as text, in whichever encoding their first bytes announce.

    Only the markup characters matter here, so undecodable bytes are replaced
    rather than refused (the parser reports a wrong encoding properly later).
    """
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return head[len(bom) :].decode(codec, "replace")
    for start, codec in _WIDE_STARTS:
        if head.startswith(start):
            return head.decode(codec, "replace")
    return head.decode("latin-1")


def prolog_declaration_line(head: bytes) -> int | None:
    """The line of a ``<!DOCTYPE``/``<!ENTITY`` declaration in the prolog, or None.

    Walks the prolog (XML declaration, comments, processing instructions and
    white space) up to the document element. Any other ``<!`` markup there is
    a document type or entity declaration, which no sanctions list needs.
    """
    text = _prolog_text(head)
    i, n = 0, len(text)
    while i < n:
        start = text.find("<", i)
        if start < 0:
            return None
        if text.startswith("<?", start):
            end = text.find("?>", start)
            if end < 0:
                return None
            i = end + 2
        elif text.startswith("<!--", start):
            end = text.find("-->", start + 4)
            if end < 0:
                return None
            i = end + 3
        elif text.startswith("<!", start):
            return text.count("\n", 0, start) + 1
        else:
            return None  # the document element: the prolog is over
    return None


def check_prolog(path: Path) -> None:
    """Refuse a file whose prolog declares a document type or entities.

    Raises :class:`SourceError` naming the file and the declaration's line;
    unreadable files are left for the parser to report.
    """
    try:
        with path.open("rb") as fh:
            head = fh.read(_HEAD_BYTES)
    except OSError:
        return
    line = prolog_declaration_line(head)
    if line is not None:
        raise SourceError(_DOCTYPE_PROBLEM, source=str(path), where=f"line {line}")


def _last_line(path: Path) -> int:
    try:
        with path.open("rb") as fh:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b"")) + 1
    except OSError:
        return 0


def _syntax_error(
    path: Path, exc: etree.XMLSyntaxError, records: int = 0, open_record: str | None = None
) -> SourceError:
    """One error for a parse failure; a cut-off file says how far the records got."""
    line, column = exc.position if exc.position else (0, 0)
    msg = _POSITION_SUFFIX.sub("", (exc.msg or str(exc)).strip())
    lowered = msg.lower()
    if "encoding" in lowered or "utf-8" in lowered or "bytes:" in lowered:
        problem = f"wrong encoding: bytes do not match the declared encoding ({msg})"
    elif "document is empty" in lowered or "no element found" in lowered:
        problem = "no XML element found (blank file)"
    elif "start tag expected" in lowered:
        problem = f"not an XML document ({msg})"
    elif "premature end" in lowered or line >= _last_line(path):
        if open_record is not None:
            # A download cut off mid-file: say how much was complete, so nobody
            # mistakes the prefix for the whole list.
            problem = (
                f"truncated or incomplete XML: the file ends inside a <{open_record}> "
                f"after {records:,} complete records ({msg})"
            )
        else:
            problem = f"truncated or incomplete XML ({msg})"
    else:
        problem = f"invalid XML ({msg})"
    where = f"line {line}, column {column}" if line else None
    return SourceError(problem, source=str(path), where=where)


class SafeXmlReader:
    """Streams the records of one XML file through a hardened parser.

    Use :meth:`records` to iterate the elements with the given local names;
    after the first record :attr:`root_tag` and :attr:`root_attrib` describe
    the document element. Each record is cleared after the caller is done
    with it, so callers must copy what they need before asking for the next.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.root_tag: str | None = None
        self.root_namespace: str | None = None
        self.root_attrib: dict[str, str] = {}

    def _check_document(self, element: etree._Element) -> None:
        tree = element.getroottree()
        info = tree.docinfo
        # The stubs lack DocInfo.doctype; read it without upsetting the checker.
        doctype = str(getattr(info, "doctype", "") or "")
        if doctype or info.internalDTD is not None or info.system_url:
            # A declaration past the first 64 KiB of prolog: still refused.
            raise SourceError(_DOCTYPE_PROBLEM, source=str(self.path), where="line 1")
        root = tree.getroot()
        self.root_tag = local_name(root.tag)
        tag = root.tag if isinstance(root.tag, str) else ""
        self.root_namespace = tag[1:].split("}", 1)[0] if tag.startswith("{") else None
        self.root_attrib = {local_name(k): str(v) for k, v in root.attrib.items()}

    def records(
        self, names: Sequence[str], *, root: Sequence[str] = ()
    ) -> Iterator[etree._Element]:
        """Yield every complete element whose local name is in ``names``.

        ``root`` lists the acceptable document element names; any other root
        is reported as a wrong format rather than producing an empty list.
        """
        with reading(self.path, SourceError):
            size = self.path.stat().st_size
        if size == 0:
            raise SourceError("file is empty", source=str(self.path))
        check_prolog(self.path)
        checked = False
        complete: dict[str, int] = {}
        open_record: str | None = None
        # libxml2 picks the records out (in any namespace): Python sees two
        # events per record, not two per element of the file.
        context = etree.iterparse(
            str(self.path),
            events=("start", "end"),
            tag=[f"{{*}}{name}" for name in names],
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        try:
            for event, element in context:
                if not checked:
                    self._check_root(element, root)
                    checked = True
                name = local_name(element.tag)
                if event == "start":
                    open_record = name
                    continue
                open_record = None
                complete[name] = complete.get(name, 0) + 1
                yield element
                # Free what has been handled: the record and its earlier siblings.
                element.clear(keep_tail=False)
                parent = element.getparent()
                if parent is not None:
                    while element.getprevious() is not None:
                        del parent[0]
        except etree.XMLSyntaxError as exc:
            done = complete.get(open_record, 0) if open_record else 0
            raise _syntax_error(self.path, exc, done, open_record) from None
        except OSError as exc:
            raise unreadable(self.path, exc, SourceError) from None
        if not checked:
            # A well-formed document without a single record: its root still
            # says whether it was the wrong format.
            document = context.root
            if document is None:
                raise SourceError("no XML element found", source=str(self.path))
            self._check_root(document, root)

    def _check_root(self, element: etree._Element, root: Sequence[str]) -> None:
        self._check_document(element)
        if root and self.root_tag not in root:
            raise SourceError(
                f"unexpected root element <{self.root_tag}> (expected "
                + " or ".join(f"<{r}>" for r in root)
                + ")",
                source=str(self.path),
                where=f"line {element.getroottree().getroot().sourceline}",
            )


def text_of(element: etree._Element | None) -> str | None:
    """The whitespace-normalised text of an element, or None when empty."""
    if element is None or element.text is None:
        return None
    value = " ".join(element.text.split())
    return value or None


def sniff_root(head: bytes) -> str | None:
    """The local name of the document element in the first bytes of a file, if any.

    Used for format detection only; it does not parse, so it cannot be fooled
    into expanding anything.
    """
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text.startswith(b"<"):
        return None
    i = 0
    n = len(text)
    while i < n:
        start = text.find(b"<", i)
        if start < 0 or start + 1 >= n:
            return None
        nxt = text[start + 1 : start + 2]
        if nxt == b"?":
            end = text.find(b"?>", start)
            i = n if end < 0 else end + 2
        elif text.startswith(b"<!--", start):
            end = text.find(b"-->", start)
            i = n if end < 0 else end + 3
        elif nxt == b"!":
            # DOCTYPE (possibly with an internal subset): skip to its end.
            bracket = text.find(b"[", start)
            close = text.find(b">", start)
            if 0 <= bracket < close:
                end = text.find(b"]>", bracket)
                i = n if end < 0 else end + 2
            else:
                i = n if close < 0 else close + 1
        else:
            j = start + 1
            while j < n and text[j : j + 1] not in b" \t\r\n/>":
                j += 1
            name = text[start + 1 : j].decode("utf-8", "replace")
            return name.rsplit(":", 1)[-1]
    return None
