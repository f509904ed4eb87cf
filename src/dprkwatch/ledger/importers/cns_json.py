"""CNS missile launches as published by the nk-missile-tests project (``test.en.json``).

The file groups launches in ``timeBins[].data[]``. Missile names and types
live in a companion ``missile`` file in the same folder and facility names
in a ``facility`` file; without them launches are kept with type
``unknown`` and a warning.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any, ClassVar

from dprkwatch.ledger.dates import PartialDate
from dprkwatch.ledger.events import TimelineEvent
from dprkwatch.ledger.exceptions import EventSourceError
from dprkwatch.ledger.importers.cns_fields import (
    CNS_CITATION,
    CNS_SCOPE,
    km,
    launch_detail,
    launch_title,
    outcome,
)
from dprkwatch.ledger.importing import Dataset, SourceFile, register

KNOWN_FIELDS = frozenset(
    {
        "date",
        "time",
        "series",
        "missile",
        "facility",
        "landing",
        "apogee",
        "distance",
        "bearing",
        "outcome",
        "description",
        "glide",
    }
)


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise EventSourceError(
            f"not valid JSON: {exc.msg}", source=path.name, where=f"line {exc.lineno}"
        ) from None
    except UnicodeDecodeError:
        raise EventSourceError("not UTF-8 text", source=path.name) from None


def _companion(path: Path, word: str) -> Path | None:
    """``nagix_cns_test.en.json`` -> ``nagix_cns_missile.en.json`` (same folder)."""
    if "test" not in path.name:
        return None
    candidate = path.with_name(path.name.replace("test", word, 1))
    return candidate if candidate.is_file() else None


@register
class CnsJsonImporter:
    format: ClassVar[str] = "cns-json"
    dataset: ClassVar[str] = "cns"
    description: ClassVar[str] = "CNS missile tests, nk-missile-tests JSON (timeBins), 1984 to date"

    def sniff(self, path: Path, head: bytes) -> float:
        if path.suffix.lower() != ".json":
            return 0.0
        return 0.9 if b'"timeBins"' in head else 0.0

    def load(self, path: Path) -> Dataset:
        data = _load_json(path)
        bins = data.get("timeBins") if isinstance(data, dict) else None
        if not isinstance(bins, list):
            raise EventSourceError("expected an object with a `timeBins` list", source=path.name)
        warnings: list[str] = []
        missiles = self._dictionary(path, "missile", None, warnings)
        facilities = self._dictionary(path, "facility", "facilities", warnings)
        unknown_fields: Counter[str] = Counter()
        records: list[dict[str, Any]] = []
        per_day: Counter[str] = Counter()
        for b, tbin in enumerate(bins):
            rows = tbin.get("data") if isinstance(tbin, dict) else None
            if not isinstance(rows, list):
                raise EventSourceError(
                    "expected a `data` list", source=path.name, where=f"timeBins[{b}]"
                )
            for r, row in enumerate(rows):
                where = f"timeBins[{b}].data[{r}]"
                if not isinstance(row, dict):
                    raise EventSourceError("expected an object", source=path.name, where=where)
                unknown_fields.update(k for k in row if k not in KNOWN_FIELDS)
                records.append(
                    self._event(row, where, path, missiles, facilities, per_day).to_dict()
                )
        for name, n in sorted(unknown_fields.items()):
            warnings.append(f"field {name!r} not handled ({n} rows)")
        missing = sorted(
            {r["attrs"]["missile"] for r in records if r["attrs"]["missile_type"] == "unknown"}
            - {"unknown"}
        )
        if missiles and missing:
            warnings.append(f"missile keys without a type: {', '.join(missing)}")
        dates = sorted(r["date"] for r in records)
        return Dataset(
            name=self.dataset,
            family="cns",
            kind="events",
            importer=self.format,
            citation=f"{CNS_CITATION}; as carried forward by the nk-missile-tests project. {CNS_SCOPE}",
            licence="Data: CNS/NTI terms. The nk-missile-tests repository is Apache-2.0.",
            sources=[SourceFile.of(p) for p in (path, *self._companions(path))],
            coverage=(dates[0], dates[-1]) if dates else ("", ""),
            records=records,
            warnings=warnings,
        )

    def _companions(self, path: Path) -> list[Path]:
        return [
            p for p in (_companion(path, "missile"), _companion(path, "facility")) if p is not None
        ]

    def _dictionary(
        self, path: Path, word: str, key: str | None, warnings: list[str]
    ) -> dict[str, Any]:
        companion = _companion(path, word)
        if companion is None:
            warnings.append(
                f"no companion {word} file next to {path.name}; {word} details left blank"
            )
            return {}
        data = _load_json(companion)
        if key is not None:
            data = data.get(key) if isinstance(data, dict) else None
        if not isinstance(data, dict):
            raise EventSourceError(f"expected an object of {word} entries", source=companion.name)
        return data

    def _event(
        self,
        row: dict[str, Any],
        where: str,
        path: Path,
        missiles: dict[str, Any],
        facilities: dict[str, Any],
        per_day: Counter[str],
    ) -> TimelineEvent:
        try:
            day = PartialDate.parse(row.get("date"))
        except ValueError as exc:
            raise EventSourceError(f"`date`: {exc}", source=path.name, where=where) from None
        per_day[str(day)] += 1
        key = str(row.get("missile") or "unknown")
        info_raw = missiles.get(key)
        info: dict[str, Any] = info_raw if isinstance(info_raw, dict) else {}
        name = str(info.get("name") or key)
        mtype = str(info.get("type") or "unknown")
        mtype = "unknown" if mtype.lower() == "unknown" else mtype
        fac_key = str(row.get("facility") or "")
        fac_raw = facilities.get(fac_key)
        fac: dict[str, Any] = fac_raw if isinstance(fac_raw, dict) else {}
        facility = str(fac.get("name") or fac_key)
        result = outcome(row.get("outcome"))
        apogee, distance = km(row.get("apogee")), km(row.get("distance"))
        return TimelineEvent(
            id=f"cns-{day}-{per_day[str(day)]}",
            date=day,
            kind="missile-launch",
            title=launch_title(name, mtype),
            detail=launch_detail(result, apogee, distance, facility),
            dataset=self.dataset,
            sources=(CNS_CITATION,),
            confidence="secondary",
            attrs={
                "missile": key,
                "missile_name": name,
                "missile_type": mtype,
                "outcome": result,
                "apogee_km": apogee,
                "distance_km": distance,
                "facility": facility,
                "time_utc": None
                if str(row.get("time") or "unknown") == "unknown"
                else str(row["time"]),
                "source_row": where,
            },
        )
