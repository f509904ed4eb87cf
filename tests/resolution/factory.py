"""Small hand-written lists for resolution tests: one man on four lists, and namesakes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dprkwatch.lists.model import EntityBuilder
from dprkwatch.lists.snapshot import SnapshotStore

# (id, schema, properties, sanction properties) per list.
Record = tuple[str, str, dict[str, list[str]], dict[str, list[str]]]

RI_SU_YONG: dict[str, list[Record]] = {
    "un": [
        (
            "KPi.052",
            "Person",
            {
                "name": ["RI SU YONG"],
                "birthDate": ["1968-06-25"],
                "nationality": ["kp"],
                "passportNumber": ["654310175"],
                "programId": ["DPRK"],
            },
            {"unscId": ["KPi.052"], "listingDate": ["2017-06-02"], "programId": ["DPRK"]},
        ),
        (
            "KPi.013",
            "Person",
            {"name": ["CHOE CHUN-SIK"], "birthDate": ["1954-10-12"], "programId": ["DPRK"]},
            {"unscId": ["KPi.013"], "listingDate": ["2013-01-22"], "programId": ["DPRK"]},
        ),
        (
            "KPe.001",
            "Organization",
            {"name": ["KOREA RYONBONG GENERAL CORPORATION"], "programId": ["DPRK"]},
            {"unscId": ["KPe.001"], "listingDate": ["2009-04-24"], "programId": ["DPRK"]},
        ),
    ],
    "eu": [
        (
            "112358",
            "Person",
            {
                "name": ["Su Yong Ri"],
                "birthDate": ["1968-06-25"],
                "nationality": ["kp"],
                "passportNumber": ["654310175"],
                "programId": ["PRK"],
            },
            {"unscId": ["KPi.052"], "listingDate": ["2017-06-09"], "programId": ["PRK"]},
        ),
        (
            "105411",
            "Person",
            {"name": ["CHOE Chun-Sik"], "birthDate": ["1963-12-23"], "programId": ["PRK"]},
            {"listingDate": ["2016-03-04"], "programId": ["PRK"]},
        ),
    ],
    "uk": [
        (
            "DPR0268",
            "Person",
            {
                "name": ["RI SU YONG"],
                "programId": [
                    "The Democratic People's Republic of Korea (Sanctions) (EU Exit) Regulations 2019"
                ],
            },
            {"unscId": ["KPi.052"], "listingDate": ["2017-06-02"]},
        ),
    ],
    "ofac": [
        (
            "21735",
            "Person",
            {
                "name": ["RI, Su Yong"],
                "birthDate": ["1968-06-25"],
                "nationality": ["kp"],
                "passportNumber": ["654310175"],
                "programId": ["NPWMD"],
                "notes": ["Secondary sanctions risk: North Korea Sanctions Regulations"],
            },
            {"programId": ["NPWMD"]},
        ),
        (
            "9347",
            "Organization",
            {"name": ["KOREA RYONBONG GENERAL CORPORATION"], "programId": ["DPRK"]},
            {"programId": ["DPRK"]},
        ),
        (
            "19498",
            "Person",
            {"name": ["CHOE, Chun-sik"], "birthDate": ["1954-10-12"], "programId": ["DPRK2"]},
            {"programId": ["DPRK2"]},
        ),
        (
            "555",
            "Person",
            {"name": ["SMITH, John"], "birthDate": ["1970-01-01"], "programId": ["SDGT"]},
            {"programId": ["SDGT"]},
        ),
    ],
}
LINKS = {"ofac": [("21735", "9347")]}


def write_lists(
    home: Path,
    lists: dict[str, list[Record]] | None = None,
    *,
    published: str = "2024-01-01",
    salt: str = "",
) -> dict[str, str]:
    """Store and activate one snapshot per list; returns {list: version}."""
    store = SnapshotStore(home)
    src_dir = home / "sources"
    src_dir.mkdir(parents=True, exist_ok=True)
    versions: dict[str, str] = {}
    for name, records in (lists or RI_SU_YONG).items():
        source = src_dir / f"{name}-{published}{salt}.txt"
        source.write_text(repr(records) + salt, encoding="utf-8")
        b = EntityBuilder(name, "test", [source])
        for rid, schema, props, sanction in records:
            entity = b.subject(rid, schema)
            for key, values in props.items():
                for v in values:
                    if key == "name":
                        b.name(entity, v)
                    elif key == "programId":
                        b.program(entity, v)
                    else:
                        b.add(entity, key, v)
            b.sanction(
                entity,
                authority=name,
                programs=sanction.get("programId", []),
                listing_date=(sanction.get("listingDate") or [None])[0],
                unsc_id=(sanction.get("unscId") or [None])[0],
            )
        for n, (subject, obj) in enumerate(LINKS.get(name, []), 1):
            link = _link(b, f"{name}-{subject}", f"{name}-{obj}", n)
            b.version.entities[link["id"]] = link["entity"]
        manifest = store.write(b.finish(None), importer_version="test")
        versions[name] = manifest.version
    store.activate(versions)
    return versions


def _link(b: EntityBuilder, subject: str, obj: str, n: int) -> dict[str, Any]:
    from dprkwatch.lists.model import make_entity

    link = make_entity("UnknownLink", f"{subject}-link-{n}", b.list_name)
    link.add("subject", subject)
    link.add("object", obj)
    link.add("role", "Linked To")
    return {"id": link.id, "entity": link}
