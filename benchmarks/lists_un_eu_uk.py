"""Benchmark: parse time of the UN, EU and UK importers on the real files.

Measures parsing only (reading a file and building its FtM entities, no
snapshot written), which is what the importers control. For each file: one
run to warm the process (FtM model and country tables load once per
process), then ``--runs`` timed runs; the median wall-clock time with min
and max, and the median CPU time, are reported.

The official EU FSF XML and UK CSV files are not in the shared data folder.
To time those importers at real scale the script also writes, into a
temporary folder, an FSF XML file rebuilt from the EU YAML copy and a UK
Sanctions List CSV (one row per name) rebuilt from the UK YAML copy, and
checks that they give the same DPRK counts as the copies they came from.

    python benchmarks/lists_un_eu_uk.py [--data ../shared/data] [--runs 5] [--markdown]
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from lxml import etree

from dprkwatch.lists.importers.eu.fsf_xml import EuFsfXmlImporter
from dprkwatch.lists.importers.eu.yaml_copy import EuYamlImporter
from dprkwatch.lists.importers.uk.csv_lists import UkslCsvImporter
from dprkwatch.lists.importers.uk.table import UKSL
from dprkwatch.lists.importers.uk.yaml_copy import UkYamlImporter
from dprkwatch.lists.importers.un.consolidated_xml import UnXmlImporter
from dprkwatch.lists.model import ListVersion
from dprkwatch.lists.registry import Importer
from dprkwatch.lists.snapshot import count_version
from dprkwatch.lists.yamlsafe import iter_documents

FILES: tuple[tuple[str, type[Importer]], ...] = (
    ("un/un_consolidated_2026-02-27.xml", UnXmlImporter),
    ("un/history/un_consolidated_2021-01-27.xml", UnXmlImporter),
    ("un/history/un_consolidated_2025-06-18.xml", UnXmlImporter),
    ("eu/eu_fsf_ammitto_2026-05-01.yaml", EuYamlImporter),
    ("uk/uk_ofsi_conlist_ammitto_2026-08-22.yaml", UkYamlImporter),
)
FSF_NS = "http://eu.europa.ec/fpi/fsd/export"
_LIST_TAGS = {
    "regulations": "regulation",
    "name_aliases": "nameAlias",
    "citizenships": "citizenship",
    "birthdates": "birthdate",
    "identifications": "identification",
    "addresses": "address",
    "regulation_summaries": "regulationSummary",
    "contact_info": "contactInfo",
}


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _fsf_element(parent: etree._Element, tag: str, data: dict[str, Any]) -> None:
    el = etree.SubElement(parent, f"{{{FSF_NS}}}{tag}")
    for key, value in data.items():
        if isinstance(value, list):
            for item in value:
                if key == "remark":
                    etree.SubElement(el, f"{{{FSF_NS}}}remark").text = str(item)
                else:
                    _fsf_element(el, _LIST_TAGS.get(key, camel(key)), item)
        elif isinstance(value, dict):
            _fsf_element(el, camel(key), value)
        elif key in ("remark", "publication_url") and tag in ("sanctionEntity", "regulation"):
            etree.SubElement(el, f"{{{FSF_NS}}}{camel(key)}").text = str(value)
        else:
            el.set(camel(key), str(value))


def write_fsf_xml(source: Path, target: Path) -> None:
    """An FSF XML file with the content of the EU YAML copy."""
    root = etree.Element(f"{{{FSF_NS}}}export", nsmap={None: FSF_NS})
    root.set("generationDate", "2026-05-01T00:00:00.000+02:00")
    for _line, doc in iter_documents(source):
        _fsf_element(root, "sanctionEntity", doc)
    etree.ElementTree(root).write(
        str(target), xml_declaration=True, encoding="UTF-8", pretty_print=True
    )


# The UK Sanctions List CSV header, as the importer requires it.
UKSL_HEADER = list(UKSL.columns)


def write_uksl_csv(source: Path, target: Path) -> None:
    """A UK Sanctions List CSV (one row per name) with the content of the UK YAML copy."""
    with target.open("w", encoding="utf-8", newline="") as fh:
        fh.write("Report Date: 22-Aug-2026\n")
        out = csv.writer(fh)
        out.writerow(UKSL_HEADER)
        for _line, doc in iter_documents(source):
            names = (doc.get("names") or {}).get("names") or []
            non_latin = (doc.get("non_latin_names") or {}).get("names") or []
            addresses = (doc.get("addresses") or {}).get("addresses") or []
            for i in range(max(len(names), len(non_latin), len(addresses), 1)):
                name = names[i] if i < len(names) else (names[0] if names else {})
                row = dict.fromkeys(UKSL_HEADER, "")
                row.update(
                    {
                        "Last Updated": "/".join(reversed(doc.get("last_updated", "").split("-"))),
                        "Unique ID": doc.get("unique_id", ""),
                        "OFSI Group ID": doc.get("ofsi_group_id", ""),
                        "UN Reference Number": doc.get("un_reference_number", ""),
                        "Name type": name.get("name_type", ""),
                        "Alias strength": name.get("alias_strength", ""),
                        "Regime Name": doc.get("regime_name", ""),
                        "Designation Type": doc.get("individual_entity_ship", ""),
                        "Designation source": doc.get("designation_source", ""),
                        "Sanctions Imposed": doc.get("sanctions_imposed", ""),
                        "Other Information": doc.get("other_information", ""),
                        "UK Statement of Reasons": doc.get("uk_statement_of_reasons", ""),
                        "Date Designated": "/".join(
                            reversed(doc.get("date_designated", "").split("-"))
                        ),
                    }
                )
                for k in range(1, 7):
                    row[f"Name {k}"] = name.get(f"name{k}", "")
                if i < len(non_latin):
                    row["Name non-latin script"] = non_latin[i].get("name_non_latin_script", "")
                if i < len(addresses):
                    for k in range(1, 7):
                        row[f"Address Line {k}"] = addresses[i].get(f"address_line{k}", "")
                    row["Address Country"] = addresses[i].get("address_country", "")
                out.writerow([row[h] for h in UKSL_HEADER])


def measure(
    path: Path, importer: type[Importer], runs: int
) -> tuple[ListVersion, list[float], list[float]]:
    version = importer().load(path)  # warm-up run, not timed
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(runs):
        w0, c0 = time.perf_counter(), time.process_time()
        version = importer().load(path)
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return version, walls, cpus


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "data"
    )
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = ap.parse_args()
    missing = [name for name, _ in FILES if not (args.data / name).exists()]
    if missing:
        print(f"missing input files: {', '.join(missing)}", file=sys.stderr)
        return 2

    load_before = " ".join(f"{x:.1f}" for x in os.getloadavg())
    rows: list[dict[str, Any]] = []
    dprk: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        fsf = Path(tmp) / "eu_fsf_rebuilt_from_yaml.xml"
        uksl = Path(tmp) / "uk_sanctions_list_rebuilt_from_yaml.csv"
        write_fsf_xml(args.data / "eu/eu_fsf_ammitto_2026-05-01.yaml", fsf)
        write_uksl_csv(args.data / "uk/uk_ofsi_conlist_ammitto_2026-08-22.yaml", uksl)
        jobs = [(args.data / name, imp) for name, imp in FILES]
        jobs += [(fsf, EuFsfXmlImporter), (uksl, UkslCsvImporter)]
        for path, importer in jobs:
            version, walls, cpus = measure(path, importer, args.runs)
            counts = count_version(version)
            dprk[path.name] = counts["dprk"]
            rows.append(
                {
                    "file": path.name,
                    "format": importer.format,
                    "MB": f"{path.stat().st_size / 1e6:.1f}",
                    "records": counts["entities"],
                    "dprk": counts["dprk"],
                    "median s": f"{statistics.median(walls):.2f}",
                    "min s": f"{min(walls):.2f}",
                    "max s": f"{max(walls):.2f}",
                    "CPU median s": f"{statistics.median(cpus):.2f}",
                }
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    same = (
        dprk["eu_fsf_rebuilt_from_yaml.xml"] == dprk["eu_fsf_ammitto_2026-05-01.yaml"]
        and dprk["uk_sanctions_list_rebuilt_from_yaml.csv"]
        == dprk["uk_ofsi_conlist_ammitto_2026-08-22.yaml"]
    )
    cols = list(rows[0])
    if args.markdown:
        print("| " + " | ".join(cols) + " |")
        print("|" + "|".join("---" if c in ("file", "format") else "---:" for c in cols) + "|")
        for r in rows:
            print("| " + " | ".join(str(r[c]) for c in cols) + " |")
    else:
        for r in rows:
            print("  ".join(f"{c}={r[c]}" for c in cols))
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nload average before/after: {load_before} / {load}")
    print(f"peak RSS {peak:.0f} MiB; rebuilt official formats give the copies' DPRK counts: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
