"""Fetch the official list files from their publishers, then import them.

Only ``lists update`` and ``make run`` (when no local copies exist) use the
network. What to fetch comes from :mod:`dprkwatch.lists.sources`, the one
table of publisher URLs. Files land in ``<data dir>/downloads/<UTC date>/<source>/``
through :mod:`dprkwatch.durable`, so a broken download never leaves a
half-written file that looks complete. Import then goes through the same path
as local files, with the format the publisher is known to send forced, so a
publisher switching layouts is an error rather than a silent change.

What goes wrong with publishers' downloads, and what the user is told (one
line each, naming the file and the URL without its query string, since some
URLs carry access tokens):

* offline or unreachable host: "are you offline?";
* HTTP 404/410: the file is gone, probably renamed or moved;
* HTTP 401/403 on a URL with a token: the token was refused, probably changed;
* a redirect to another host: not followed (same-host redirects are);
* an HTML page where a list file was expected (a landing or sign-in page);
* a file name in ``Content-Disposition`` with another extension than the one
  expected: the publisher changed the file's name or format.

``mirror`` replaces every publisher's scheme and host with one base URL
(``http://127.0.0.1:8080`` fetches ``http://127.0.0.1:8080/<host>/<path>``),
for an organisation's own mirror and for offline tests that replay recorded
responses from a loopback server.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import httpx

from dprkwatch import durable
from dprkwatch.datadir import DataDir
from dprkwatch.exceptions import DprkwatchError
from dprkwatch.lists.importing import import_paths
from dprkwatch.lists.snapshot import Manifest, SnapshotStore
from dprkwatch.lists.sources import SOURCES, Download, Source, for_list

MAX_REDIRECTS = 5
_FILENAME = re.compile(r"""filename\*?=(?:UTF-8'')?"?([^";]+)"?""", re.IGNORECASE)


class DownloadError(DprkwatchError):
    """A publisher could not be reached or sent something unusable."""

    exit_code = 5


@dataclass(frozen=True)
class Fetched:
    """One publication downloaded: its source and the file to import."""

    source: Source
    main: Path


def public_url(url: httpx.URL | str) -> str:
    """``host/path`` with any query values hidden (tokens must not reach logs)."""
    parsed = httpx.URL(str(url))
    text = f"{parsed.host}{parsed.path}"
    if parsed.query:
        keys = [
            part.split(b"=", 1)[0].decode("ascii", "replace") for part in parsed.query.split(b"&")
        ]
        text += "?" + "&".join(f"{k}=…" for k in keys)
    return text


def choose(names: Sequence[str] | None) -> list[Source]:
    """The sources to fetch for ``--list`` values (list names or source keys); all by default."""
    if not names:
        return [s for s in SOURCES.values() if s.retired is None and s.downloads]
    chosen: list[Source] = []
    for name in names:
        source = SOURCES.get(name)
        if source is not None and source.retired is not None:
            raise DownloadError(
                f"{source.retired_note()}; it is no longer published "
                f"(`lists update --list {source.list_name}` fetches the list in force)"
            )
        found = [source] if source is not None else for_list(name)
        if not found:
            known = sorted({s.list_name for s in SOURCES.values() if s.retired is None})
            raise DownloadError(f"unknown list {name!r}; known: {', '.join(known)}")
        chosen.extend(s for s in found if s not in chosen)
    return chosen


def _mirrored(url: str, mirror: str | None) -> str:
    if not mirror:
        return url
    parsed = httpx.URL(url)
    base = mirror.rstrip("/")
    query = f"?{parsed.query.decode('ascii')}" if parsed.query else ""
    return f"{base}/{parsed.host}{parsed.path}{query}"


def fetch(
    home: Path,
    lists: Sequence[str] | None = None,
    *,
    client: httpx.Client | None = None,
    progress: Callable[[str], None] | None = None,
    mirror: str | None = None,
) -> list[Fetched]:
    """Download the chosen publications; returns each one's main file, ready to import."""
    sources = choose(lists)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    own_client = client is None
    http = client or httpx.Client(timeout=httpx.Timeout(60.0, connect=10.0))
    fetched: list[Fetched] = []
    try:
        for source in sources:
            folder = DataDir(home).downloads / stamp / source.key
            folder.mkdir(parents=True, exist_ok=True)
            for item in source.downloads:
                if progress is not None:
                    progress(f"{source.key}: {item.filename}")
                try:
                    _download(http, source, item, _mirrored(item.url, mirror), folder)
                except DownloadError:
                    if item.optional:
                        continue
                    raise
            fetched.append(Fetched(source, folder / source.downloads[0].filename))
    finally:
        if own_client:
            http.close()
    return fetched


def update(
    store: SnapshotStore,
    lists: Sequence[str] | None = None,
    *,
    client: httpx.Client | None = None,
    progress: Callable[[str], None] | None = None,
    mirror: str | None = None,
) -> list[Manifest]:
    """Download the chosen publications and import them with their known formats, atomically."""
    fetched = fetch(store.home, lists, client=client, progress=progress, mirror=mirror)
    return import_paths(
        store, [f.main for f in fetched], formats=[f.source.update_format for f in fetched]
    )


def _download(http: httpx.Client, source: Source, item: Download, url: str, folder: Path) -> None:
    target = folder / item.filename
    host = httpx.URL(url).host
    try:
        with durable.replacing(target) as tmp:
            current = httpx.URL(url)
            for _hop in range(MAX_REDIRECTS + 1):
                with http.stream("GET", current, follow_redirects=False) as response:
                    if response.is_redirect:
                        current = _next_hop(source, item, current, response)
                        continue
                    _check_response(source, item, current, response)
                    with tmp.open("wb") as fh:
                        first = True
                        for chunk in response.iter_bytes():
                            if first:
                                _check_not_html(source, item, current, chunk)
                                first = False
                            fh.write(chunk)
                    break
            else:
                raise DownloadError(
                    f"{item.filename}: more than {MAX_REDIRECTS} redirects from {public_url(url)}"
                )
            if tmp.stat().st_size == 0:
                raise DownloadError(f"{item.filename}: empty response from {public_url(current)}")
    except httpx.HTTPError as exc:
        raise DownloadError(
            f"cannot download {item.filename} from {host} ({type(exc).__name__}); "
            "are you offline? Import local files with `dprkwatch lists import PATH...`"
        ) from None


def _next_hop(
    source: Source, item: Download, current: httpx.URL, response: httpx.Response
) -> httpx.URL:
    location = response.headers.get("location")
    if not location:
        raise DownloadError(
            f"{item.filename}: HTTP {response.status_code} redirect without a location "
            f"from {public_url(current)}"
        )
    target = current.join(location)
    if target.host != current.host or (current.scheme == "https" and target.scheme != "https"):
        raise DownloadError(
            f"{item.filename}: {public_url(current)} redirects to {public_url(target)}, another "
            f"host or an insecure scheme; not followed (if the {source.title} moved, "
            "update its URL in dprkwatch.lists.sources)"
        )
    return target


def _check_response(
    source: Source, item: Download, url: httpx.URL, response: httpx.Response
) -> None:
    status = response.status_code
    where = public_url(url)
    if status in (404, 410):
        raise DownloadError(
            f"{item.filename}: HTTP {status} at {where}: the file is not there; the publisher "
            f"may have renamed or moved it (see {source.homepage})"
        )
    if status in (401, 403):
        if url.query:
            raise DownloadError(
                f"{item.filename}: HTTP {status} at {where}: the access token in the URL was "
                f"refused; the publisher may have changed it (see {source.homepage})"
            )
        raise DownloadError(f"{item.filename}: HTTP {status} at {where}: access refused")
    if status != 200:
        raise DownloadError(f"{item.filename}: HTTP {status} at {where}")
    served = _served_name(response)
    expected = PurePosixPath(item.filename).suffix.lower()
    if served and PurePosixPath(served).suffix.lower() != expected:
        raise DownloadError(
            f"{item.filename}: {where} now sends {served!r}; the publisher changed the "
            f"file's name or format (expected a {expected} file; see {source.homepage})"
        )


def _served_name(response: httpx.Response) -> str | None:
    header = response.headers.get("content-disposition", "")
    match = _FILENAME.search(header)
    return match.group(1).strip() if match else None


def _check_not_html(source: Source, item: Download, url: httpx.URL, first: bytes) -> None:
    if item.filename.lower().endswith((".html", ".htm")):
        return
    start = first.lstrip(b"\xef\xbb\xbf \t\r\n")[:200].lower()
    if start.startswith((b"<!doctype html", b"<html")):
        raise DownloadError(
            f"{item.filename}: {public_url(url)} sent an HTML page, not the list file (a landing "
            f"or sign-in page?); the publisher may have moved it (see {source.homepage})"
        )
