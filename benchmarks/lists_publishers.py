"""Benchmark: all eight publishers imported together, through the CLI as users run it.

Target (issue 20): OFAC, UN, EU, UK, US CSL, Australia DFAT, Canada SEMA and
Switzerland SECO imported together in 15 s or less on 2 cores.

Inputs, in the formats ``lists update`` fetches:

* OFAC: the real ``ofac/sdn_2024-05-03/sdn.csv`` (14,965 entries);
* UN: the real ``un/un_consolidated_2026-02-27.xml``;
* EU: an FSF XML rebuilt at full scale from the real EU content
  (``eu/eu_fsf_ammitto_2026-05-01.yaml``, 5,860 entities); the only real FSF
  XML is a truncated 2022 prefix;
* UK: a UK Sanctions List XML rebuilt from the real UK Sanctions List content
  (``uk/uk_ofsi_conlist_ammitto_2026-08-22.yaml``, 6,349 designations);
* CSL, DFAT, SEMA, SECO: no real file is available, so each is written in its
  publisher's layout from real list content at about the publisher's size or
  more: CSL from the real OFAC SDN and EU entries (20,825 records; the real
  CSL is reported at about 25,700, unverified), DFAT from the UK content
  (6,349 designations, one row per name), SEMA from the EU content (5,860
  records), SECO from the EU content (5,860 targets).

Each run imports the eight files into a fresh data directory with
``dprkwatch lists import`` in a subprocess (a fresh interpreter: import time,
parsing in parallel workers, snapshot writing and activation included), and,
alternating with it in the same run, the four-list import of
``benchmarks/lists_import.py`` (OFAC + UN + EU YAML + UK YAML) as the
yardstick. It also times each file's parse in-process. Medians of ``--runs``
with min and max; the load average is recorded before and after. A missing
input or a list smaller than expected stops the benchmark with an error.

    python benchmarks/lists_publishers.py [--data ../shared/data] [--runs 3] [--markdown]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson
from lxml import etree

from dprkwatch.lists import parse
from dprkwatch.lists.importers.ofac.legacy import OfacSdnImporter
from dprkwatch.lists.snapshot import count_version
from dprkwatch.lists.yamlsafe import iter_documents
from lists_un_eu_uk import write_fsf_xml

REAL = {
    "ofac": "ofac/sdn_2024-05-03/sdn.csv",
    "un": "un/un_consolidated_2026-02-27.xml",
    "eu_yaml": "eu/eu_fsf_ammitto_2026-05-01.yaml",
    "uk_yaml": "uk/uk_ofsi_conlist_ammitto_2026-08-22.yaml",
}
# Least entities each list must yield; fewer means the input was not what it should be.
FLOORS = {
    "ofac": 14_000,
    "un": 1_000,
    "eu": 5_800,
    "uk": 6_300,
    "csl": 20_000,
    "au": 6_300,
    "ca": 5_800,
    "ch": 5_800,
}
# DPRK-relevant entries each input must yield (a rebuilt file that loses the
# DPRK regime would otherwise time an import with nothing to screen for).
DPRK_FLOORS = {
    "ofac": 400,
    "un": 150,
    "eu": 200,
    "uk": 200,
    "csl": 400,
    "au": 200,
    "ca": 200,
    "ch": 200,
}
# How SEMA and SECO name the DPRK regime (the EU content carries the EU's own
# programme code, PRK, which those publishers never write).
SEMA_REGIMES = {"PRK": "North Korea / Corée du Nord"}
SECO_PROGRAMMES = {"PRK": "North Korea"}
TARGET_SECONDS = 15.0


def _loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# -- writers: real content in each publisher's layout ---------------------------


def _eu_names(doc: dict[str, Any]) -> list[str]:
    names = []
    for alias in doc.get("name_aliases") or []:
        whole = alias.get("whole_name") if isinstance(alias, dict) else None
        if whole and whole not in names:
            names.append(str(whole))
    return names


def _eu_programmes(doc: dict[str, Any]) -> list[str]:
    return sorted(
        {
            str(r.get("programme"))
            for r in doc.get("regulations") or []
            if isinstance(r, dict) and r.get("programme")
        }
    )


def write_uksl_xml(source: Path, target: Path) -> None:
    """A UK Sanctions List XML with the content of the UK YAML copy."""
    root = etree.Element("Designations")
    etree.SubElement(root, "DateGenerated").text = "22/08/2026"
    for _line, doc in iter_documents(source):
        d = etree.SubElement(root, "Designation")
        for tag, key in (
            ("LastUpdated", "last_updated"),
            ("DateDesignated", "date_designated"),
        ):
            value = str(doc.get(key) or "")
            etree.SubElement(d, tag).text = "/".join(reversed(value.split("-")))
        etree.SubElement(d, "UniqueID").text = str(doc.get("unique_id"))
        etree.SubElement(d, "OFSIGroupID").text = str(doc.get("ofsi_group_id") or "")
        if doc.get("un_reference_number"):
            etree.SubElement(d, "UNReferenceNumber").text = str(doc["un_reference_number"])
        names = etree.SubElement(d, "Names")
        for name in (doc.get("names") or {}).get("names") or []:
            n = etree.SubElement(names, "Name")
            for k in range(1, 7):
                if name.get(f"name{k}"):
                    etree.SubElement(n, f"Name{k}").text = str(name[f"name{k}"])
            etree.SubElement(n, "NameType").text = str(name.get("name_type") or "")
            if name.get("alias_strength"):
                etree.SubElement(n, "AliasStrength").text = str(name["alias_strength"])
        non_latin = (doc.get("non_latin_names") or {}).get("names") or []
        if non_latin:
            group = etree.SubElement(d, "NonLatinNames")
            for item in non_latin:
                n = etree.SubElement(group, "NonLatinName")
                etree.SubElement(n, "NameNonLatinScript").text = str(
                    item.get("name_non_latin_script") or ""
                )
        for tag, key in (
            ("RegimeName", "regime_name"),
            ("IndividualEntityShip", "individual_entity_ship"),
            ("DesignationSource", "designation_source"),
            ("SanctionsImposed", "sanctions_imposed"),
            ("OtherInformation", "other_information"),
            ("UKStatementofReasons", "uk_statement_of_reasons"),
        ):
            etree.SubElement(d, tag).text = str(doc.get(key) or "")
        addresses = (doc.get("addresses") or {}).get("addresses") or []
        if addresses:
            group = etree.SubElement(d, "Addresses")
            for item in addresses:
                a = etree.SubElement(group, "Address")
                for k in range(1, 7):
                    if item.get(f"address_line{k}"):
                        etree.SubElement(a, f"AddressLine{k}").text = str(item[f"address_line{k}"])
                if item.get("address_country"):
                    etree.SubElement(a, "AddressCountry").text = str(item["address_country"])
    etree.ElementTree(root).write(str(target), xml_declaration=True, encoding="utf-8")


def write_csl_json(sdn: Path, eu_yaml: Path, target: Path) -> None:
    """A CSL JSON: the real SDN entries as Treasury records, the EU entities as Entity List ones."""
    results: list[dict[str, Any]] = []
    version = OfacSdnImporter().load(sdn)
    for entity in version.subjects():
        props = entity.to_dict()["properties"]
        results.append(
            {
                "id": str(entity.id).split("-", 1)[1],
                "source": "Specially Designated Nationals (SDN) - Treasury Department",
                "entity_number": str(entity.id).split("-", 1)[1],
                "type": {"Person": "Individual", "Vessel": "Vessel", "Airplane": "Aircraft"}.get(
                    entity.schema.name, "Entity"
                ),
                "programs": props.get("programId", []),
                "name": (props.get("name") or [""])[0],
                "alt_names": props.get("alias", []),
                "addresses": [{"address": a, "country": None} for a in props.get("address", [])],
                "nationalities": props.get("nationality", []),
                "dates_of_birth": props.get("birthDate", []),
                "ids": [{"type": "Passport", "number": n} for n in props.get("passportNumber", [])],
                "remarks": (props.get("notes") or [None])[0],
                "source_list_url": "https://sanctionslist.ofac.treas.gov/",
            }
        )
    for i, (_line, doc) in enumerate(iter_documents(eu_yaml)):
        names = _eu_names(doc)
        if not names:
            continue
        countries = [
            c.get("country_iso2_code")
            for c in doc.get("addresses") or []
            if isinstance(c, dict) and c.get("country_iso2_code") not in (None, "", "00")
        ]
        results.append(
            {
                "id": f"el{i:06d}",
                "source": "Entity List (EL) - Bureau of Industry and Security",
                "type": None,
                "programs": [],
                "name": names[0],
                "alt_names": names[1:],
                "addresses": [{"country": c} for c in countries],
                "start_date": "2024-01-01",
                "license_requirement": "For all items subject to the EAR.",
                "source_list_url": "https://www.bis.gov/entity-list",
            }
        )
    document = {
        "total": len(results),
        "sources_used": [{"source": "stand-in", "last_imported": "2026-08-21T09:00:00+00:00"}],
        "results": results,
    }
    target.write_bytes(orjson.dumps(document))


def write_dfat_xlsx(uk_yaml: Path, target: Path) -> None:
    """A DFAT workbook (one row per name) with the UK Sanctions List content."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Consolidated List")
    header = [
        "Reference", "Name of Individual or Entity", "Type", "Name Type", "Alias Strength",
        "Date of Birth", "Place of Birth", "Citizenship", "Address", "Additional Information",
        "Listing Information", "IMO Number", "Committees", "Control Date",
        "Instrument of Designation", "Targeted Financial Sanction", "Travel Ban", "Arms Embargo",
        "Maritime Restriction",
    ]  # fmt: skip
    sheet.append(header)
    kinds = {"Individual": "Individual", "Entity": "Entity", "Ship": "Vessel"}
    for number, (_line, doc) in enumerate(iter_documents(uk_yaml), start=1):
        names = (doc.get("names") or {}).get("names") or []
        for i, name in enumerate(names or [{}]):
            full = " ".join(
                str(name.get(f"name{k}")) for k in (1, 2, 3, 4, 5, 6) if name.get(f"name{k}")
            )
            suffix = "" if i == 0 else chr(ord("a") + (i - 1) % 26) * (1 + (i - 1) // 26)
            sheet.append(
                [
                    f"{number}{suffix}", full or f"UNNAMED {number}",
                    kinds.get(str(doc.get("individual_entity_ship")), "Entity"),
                    "Primary Name" if i == 0 else "Alias", "", "", "", "", "",
                    str(doc.get("other_information") or "")[:500], "", "",
                    str(doc.get("regime_name") or ""), "20/08/2026", "", "Yes", "No", "No", "No",
                ]
            )  # fmt: skip
    book.save(target)


def write_sema_xml(eu_yaml: Path, target: Path) -> None:
    """A SEMA XML with the EU content (one record per entity, aliases in one cell)."""
    root = etree.Element("data-set")
    for item, (_line, doc) in enumerate(iter_documents(eu_yaml), start=1):
        names = _eu_names(doc)
        if not names:
            continue
        record = etree.SubElement(root, "record")
        programme = (_eu_programmes(doc) or ["EU"])[0]
        regime = SEMA_REGIMES.get(programme, f"{programme} / {programme}")
        etree.SubElement(record, "Country-Pays").text = regime
        subject = (doc.get("subject_type") or {}).get("code")
        if subject == "person":
            etree.SubElement(record, "LastName-NomDeFamille").text = names[0]
        else:
            etree.SubElement(record, "EntityOrShip-EntiteOuNavire").text = names[0]
        if names[1:]:
            etree.SubElement(record, "Aliases-Alias").text = "; ".join(names[1:])
        etree.SubElement(record, "Schedule-Annexe").text = "1, Part 1"
        etree.SubElement(record, "Item-NumeroDarticle").text = str(item)
        etree.SubElement(record, "DateOfListing-DateDinscription").text = "2024-01-01"
    etree.ElementTree(root).write(str(target), xml_declaration=True, encoding="UTF-8")


def write_seco_xml(eu_yaml: Path, target: Path) -> None:
    """A SECO whole-list XML with the EU content (one target per entity)."""
    root = etree.Element("swiss-sanctions-list", date="2026-08-20", **{"list-type": "whole-list"})
    programmes: dict[str, str] = {}
    docs = list(iter_documents(eu_yaml))
    for _line, doc in docs:
        for code in _eu_programmes(doc):
            programmes.setdefault(code, str(len(programmes) + 1))
    for code, ssid in programmes.items():
        program = etree.SubElement(root, "sanctions-program", ssid=ssid)
        etree.SubElement(program, "program-key", lang="eng").text = SECO_PROGRAMMES.get(code, code)
        etree.SubElement(program, "sanctions-set", ssid=ssid, lang="eng").text = "Annex 1"
    for ssid, (_line, doc) in enumerate(docs, start=1):
        names = _eu_names(doc)
        if not names:
            continue
        target_el = etree.SubElement(root, "target", ssid=str(ssid))
        for code in _eu_programmes(doc)[:1]:
            etree.SubElement(target_el, "sanctions-set-id").text = programmes[code]
        etree.SubElement(
            target_el,
            "modification",
            **{"modification-type": "listed", "effective-date": "2024-01-01"},
        )
        kind = "individual" if (doc.get("subject_type") or {}).get("code") == "person" else "entity"
        subject = etree.SubElement(target_el, kind)
        identity = etree.SubElement(subject, "identity", ssid=str(ssid), main="true")
        for i, value in enumerate(names):
            name = etree.SubElement(
                identity, "name", **{"name-type": "primary-name" if i == 0 else "alias"}
            )
            part = etree.SubElement(
                name, "name-part", order="1", **{"name-part-type": "whole-name"}
            )
            etree.SubElement(part, "value").text = value
    etree.ElementTree(root).write(str(target), xml_declaration=True, encoding="UTF-8")


# -- measuring ------------------------------------------------------------------


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cli_import(paths: list[Path]) -> tuple[float, float]:
    """Wall and CPU seconds of ``dprkwatch lists import PATHS`` into a fresh data directory.

    CPU counts the command and its parser workers; on a shared machine it says
    how much work the import is when the wall time is inflated by other load.
    """
    with tempfile.TemporaryDirectory() as tmp:
        command = [
            sys.executable,
            "-m",
            "dprkwatch",
            "--data-dir",
            tmp,
            "lists",
            "import",
            *map(str, paths),
        ]
        cpu = _children_cpu()
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        took = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"error: import failed: {done.stderr.strip()}")
        return took, _children_cpu() - cpu


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "data"
    )
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    real = {k: args.data / v for k, v in REAL.items()}
    missing = [str(p) for p in real.values() if not p.exists()]
    if missing:
        print(f"error: missing input files: {', '.join(missing)}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        built = {
            "eu": work / "eu_fsf_full.xml",
            "uk": work / "UK-Sanctions-List.xml",
            "csl": work / "consolidated.json",
            "au": work / "regulation8_consolidated.xlsx",
            "ca": work / "sema-lmes.xml",
            "ch": work / "swiss-sanctions-list.xml",
        }
        write_fsf_xml(real["eu_yaml"], built["eu"])
        write_uksl_xml(real["uk_yaml"], built["uk"])
        write_csl_json(real["ofac"], real["eu_yaml"], built["csl"])
        write_dfat_xlsx(real["uk_yaml"], built["au"])
        write_sema_xml(real["eu_yaml"], built["ca"])
        write_seco_xml(real["eu_yaml"], built["ch"])
        eight = {"ofac": real["ofac"], "un": real["un"], **built}
        four = [real["ofac"], real["un"], real["eu_yaml"], real["uk_yaml"]]

        sizes: dict[str, tuple[int, int, float, float]] = {}
        for name, path in eight.items():
            version, _importer = parse(path)
            counts = count_version(version)
            if counts["entities"] < FLOORS[name]:
                print(
                    f"error: {name}: {counts['entities']} entities, expected at least {FLOORS[name]}",
                    file=sys.stderr,
                )
                return 2
            if counts["dprk"] < DPRK_FLOORS[name]:
                print(
                    f"error: {name}: {counts['dprk']} DPRK entries, expected at least "
                    f"{DPRK_FLOORS[name]}",
                    file=sys.stderr,
                )
                return 2
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                parse(path)
                times.append(time.perf_counter() - started)
            sizes[name] = (
                counts["entities"],
                counts["dprk"],
                path.stat().st_size / 1e6,
                statistics.median(times),
            )

        load_before = _loadavg()
        eight_runs: list[float] = []
        four_runs: list[float] = []
        eight_cpu: list[float] = []
        four_cpu: list[float] = []
        for _ in range(args.runs):
            wall, cpu = cli_import(list(eight.values()))
            eight_runs.append(wall)
            eight_cpu.append(cpu)
            wall, cpu = cli_import(four)
            four_runs.append(wall)
            four_cpu.append(cpu)
        load_after = _loadavg()

    med = statistics.median(eight_runs)
    cpu_med = statistics.median(eight_cpu)
    lines = [
        f"load average before {load_before}, after {load_after}; {args.runs} runs; cores {os.cpu_count()}",
        "",
        "| list | format file | MB | entities | DPRK | parse median s (in-process) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for name, (entities, dprk, mb, parse_s) in sizes.items():
        lines.append(
            f"| {name} | {eight[name].name} | {mb:.1f} | {entities:,} | {dprk:,} | {parse_s:.2f} |"
        )
    lines += [
        "",
        "| `dprkwatch lists import` in a fresh data dir (subprocess, end to end) "
        "| median s | min | max | CPU median s |",
        "|---|---:|---:|---:|---:|",
        f"| all eight publishers | **{med:.2f}** | {min(eight_runs):.2f} | {max(eight_runs):.2f} "
        f"| {cpu_med:.2f} |",
        f"| yardstick: the four-list import of benchmarks/lists_import.py "
        f"| {statistics.median(four_runs):.2f} | {min(four_runs):.2f} | {max(four_runs):.2f} "
        f"| {statistics.median(four_cpu):.2f} |",
        "",
        f"target: all eight in <= {TARGET_SECONDS:.0f} s: {'met' if med <= TARGET_SECONDS else 'NOT met'}"
        f" (wall); CPU / 2 cores = {cpu_med / 2:.2f} s, the wall time an idle 2-core machine"
        " could at best reach",
    ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
