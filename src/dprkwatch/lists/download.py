"""Fetch the official list files from their publishers.

Only ``lists update`` and ``make run`` (when no local copies exist) use the
network. Files land in ``<data dir>/downloads/<UTC date>/<list>/`` through
:mod:`dprkwatch.durable`, so a broken download never leaves a half-written
file that looks complete. Import then goes through the same path as local files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from dprkwatch import durable
from dprkwatch.datadir import DataDir
from dprkwatch.exceptions import DprkwatchError


class DownloadError(DprkwatchError):
    """A publisher could not be reached or sent something unusable."""

    exit_code = 5


@dataclass(frozen=True)
class Source:
    list_name: str
    # (file name to save as, URL); the first file is the one to import.
    files: tuple[tuple[str, str], ...]
    optional: tuple[str, ...] = ()


OFAC_BASE = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports"

SOURCES: dict[str, Source] = {
    "ofac": Source(
        "ofac",
        (
            ("sdn.csv", f"{OFAC_BASE}/SDN.CSV"),
            ("add.csv", f"{OFAC_BASE}/ADD.CSV"),
            ("alt.csv", f"{OFAC_BASE}/ALT.CSV"),
            ("sdn_comments.csv", f"{OFAC_BASE}/SDN_COMMENTS.CSV"),
        ),
        optional=("sdn_comments.csv",),
    ),
    "ofac_cons": Source(
        "ofac_cons",
        (
            ("cons_prim.csv", f"{OFAC_BASE}/CONS_PRIM.CSV"),
            ("cons_add.csv", f"{OFAC_BASE}/CONS_ADD.CSV"),
            ("cons_alt.csv", f"{OFAC_BASE}/CONS_ALT.CSV"),
            ("cons_comments.csv", f"{OFAC_BASE}/CONS_COMMENTS.CSV"),
        ),
        optional=("cons_comments.csv",),
    ),
    "un": Source(
        "un",
        (("consolidated.xml", "https://scsanctions.un.org/resources/xml/en/consolidated.xml"),),
    ),
    "eu": Source(
        "eu",
        (
            (
                "eu_fsf.xml",
                "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content?token=dG9rZW4tMjAxNw",
            ),
        ),
    ),
    "uk": Source(
        "uk",
        (
            (
                "ConList.csv",
                "https://ofsistorage.blob.core.windows.net/publishlive/2022format/ConList.csv",
            ),
        ),
    ),
}


def fetch(
    home: Path,
    lists: list[str] | None = None,
    *,
    client: httpx.Client | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """Download the chosen lists; returns the main file of each, ready to import."""
    names = lists or list(SOURCES)
    unknown = [n for n in names if n not in SOURCES]
    if unknown:
        raise DownloadError(f"unknown list(s) {', '.join(unknown)}; known: {', '.join(SOURCES)}")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    own_client = client is None
    http = client or httpx.Client(timeout=httpx.Timeout(60.0, connect=10.0), follow_redirects=True)
    mains: list[Path] = []
    try:
        for name in names:
            source = SOURCES[name]
            folder = DataDir(home).downloads / stamp / name
            folder.mkdir(parents=True, exist_ok=True)
            for filename, url in source.files:
                if progress is not None:
                    progress(f"{name}: {filename}")
                try:
                    _download(http, url, folder / filename)
                except DownloadError:
                    if filename in source.optional:
                        continue
                    raise
            mains.append(folder / source.files[0][0])
    finally:
        if own_client:
            http.close()
    return mains


def _download(http: httpx.Client, url: str, target: Path) -> None:
    host = httpx.URL(url).host
    try:
        with durable.replacing(target) as tmp:
            with http.stream("GET", url) as response:
                if response.status_code != 200:
                    raise DownloadError(f"{host}: HTTP {response.status_code} for {target.name}")
                with tmp.open("wb") as fh:
                    for chunk in response.iter_bytes():
                        fh.write(chunk)
            if tmp.stat().st_size == 0:
                raise DownloadError(f"{host}: empty response for {target.name}")
    except httpx.HTTPError as exc:
        raise DownloadError(
            f"cannot download {target.name} from {host} ({type(exc).__name__}); "
            "are you offline? Import local files with `dprkwatch lists import PATH...`"
        ) from None
