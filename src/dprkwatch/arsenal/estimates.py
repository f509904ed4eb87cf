"""Published estimates of the arsenal and its fissile material.

Two origins, merged:

* the curated list shipped with the package (``data/estimates.yaml``), written
  for this project with a citation on every row; it is what the model is
  compared with when nothing else is available, and it carries the
  hand-written note on *why* an estimate differs in method (assembled warheads
  against material, a projection resting on an assumed growth rate...);
* when the real data folder is present, the compiled table
  ``dprk/dprk_arsenal_estimates_compiled.csv`` and the FAS stockpile series
  as cleaned by Our World in Data
  (``dprk/fas_owid_nuclear_warhead_stockpiles_1945_2023.csv``). Rows already in the
  curated list are recognised (same source family, year and figures) and
  dropped; the rest are added with their kind inferred from the measure text.

Kinds: ``stock`` (weapons or weapons-equivalent of material at a date),
``assembled`` (assembled warheads), ``increment`` (weapons-equivalent added in
a window), ``pu_kg`` and ``heu_kg`` (material stocks in kilograms).

Counting basis (``counts``), for stock and increment figures: ``weapons`` (the
default: what could be in weapons after losses and material in process, the
model's own basis at utilisation about 0.8) or ``material`` ("enough material
for N": every kilogram in a weapon, utilisation 1). A "material for 90" figure
and a count of 70 weapons can describe the same stock, so the comparison puts
each on its own basis before it flags anything.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from dprkwatch.arsenal.exceptions import DateError, EstimateError
from dprkwatch.arsenal.packaged import load_yaml
from dprkwatch.arsenal.timeline import parse_date
from dprkwatch.sources import reading

Kind = Literal["stock", "assembled", "increment", "pu_kg", "heu_kg"]
Basis = Literal["weapons", "material"]
KINDS: tuple[Kind, ...] = ("stock", "assembled", "increment", "pu_kg", "heu_kg")
UNITS: dict[Kind, str] = {
    "stock": "weapons",
    "assembled": "warheads",
    "increment": "weapons",
    "pu_kg": "kg Pu",
    "heu_kg": "kg HEU",
}

COMPILED_CSV = "dprk_arsenal_estimates_compiled.csv"
OWID_STOCKPILES = "fas_owid_nuclear_warhead_stockpiles_1945_2023.csv"
CURATED_FILE = "estimates.yaml"
_COMPILED_COLUMNS = (
    "source",
    "publication",
    "published",
    "as_of",
    "low",
    "high",
    "point",
    "measure",
    "basis_notes",
    "reference",
)


@dataclass(frozen=True)
class Estimate:
    """One published figure, with what it measures and when."""

    id: str
    source: str
    publication: str
    as_of: date
    kind: Kind
    low: float | None = None
    high: float | None = None
    point: float | None = None
    published: str | None = None
    window_start: date | None = None
    projection: bool = False
    basis: str | None = None
    reference: str | None = None
    verified: str | None = None
    explanation: str | None = None
    counts: Basis = "weapons"
    origin: str = "package"

    def __post_init__(self) -> None:
        problem = _check_numbers(self.low, self.high, self.point)
        if problem is None and (self.kind == "increment") != (self.window_start is not None):
            problem = "window_start is required for, and only for, kind 'increment'"
        if problem is None and self.kind not in KINDS:
            problem = f"unknown kind {self.kind!r}"
        if problem is None:
            problem = _check_basis(self.kind, self.counts)
        if problem:
            raise EstimateError(problem, source=self.origin, where=self.id)

    @property
    def bounds(self) -> tuple[float, float]:
        """The range the estimate asserts. "Up to 60" asserts 60: it is compared as 60."""
        if self.low is not None and self.high is not None:
            return self.low, self.high
        if self.point is not None:
            return self.point, self.point
        only = self.high if self.high is not None else self.low
        assert only is not None  # validated on construction
        return only, only

    @property
    def label(self) -> str:
        if self.low is not None and self.high is not None:
            text = f"{self.low:g}-{self.high:g}"
            return f"{text} (~{self.point:g})" if self.point is not None else text
        if self.point is not None:
            return f"~{self.point:g}" + (f" (up to {self.high:g})" if self.high is not None else "")
        if self.high is not None:
            return f"up to {self.high:g}"
        return f"at least {self.low:g}"

    @property
    def unit(self) -> str:
        return UNITS[self.kind]

    @property
    def family(self) -> str:
        """First word of the source, lower-cased: the key for recognising duplicates."""
        return re.split(r"[\s/(,]+", self.source.strip().lower(), maxsplit=1)[0]

    def key(self) -> tuple[str, int, float | None, float | None, float | None]:
        return (self.family, self.as_of.year, self.low, self.high, self.point)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "publication": self.publication,
            "published": self.published,
            "as_of": self.as_of.isoformat(),
            "window_start": self.window_start.isoformat() if self.window_start else None,
            "kind": self.kind,
            "unit": self.unit,
            "low": self.low,
            "high": self.high,
            "point": self.point,
            "label": self.label,
            "projection": self.projection,
            "basis": self.basis,
            "counts": self.counts,
            "reference": self.reference,
            "verified": self.verified,
            "explanation": self.explanation,
            "origin": self.origin,
        }


def _check_basis(kind: str, counts: str) -> str | None:
    """A problem with an estimate's counting basis, or None."""
    if counts not in ("weapons", "material"):
        return f"counts must be 'weapons' or 'material', got {counts!r}"
    if counts == "material" and kind not in ("stock", "increment"):
        return f"counts 'material' applies to stock and increment figures, not {kind!r}"
    return None


def _check_numbers(low: float | None, high: float | None, point: float | None) -> str | None:
    """A problem with an estimate's figures, or None."""
    if low is None and high is None and point is None:
        return "needs at least one of low, high, point"
    for name, v in (("low", low), ("high", high), ("point", point)):
        if v is not None and v < 0:
            return f"{name} ({v:g}) must not be negative"
    if low is not None and high is not None and low > high:
        return f"low ({low:g}) is above high ({high:g})"
    return None


class _CuratedRow(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    source: str
    publication: str
    published: str | None = None
    as_of: date
    window_start: date | None = None
    kind: Kind
    low: float | None = None
    high: float | None = None
    point: float | None = None
    projection: bool = False
    basis: str | None = None
    reference: str | None = None
    verified: str | None = None
    explanation: str | None = None
    counts: Basis = "weapons"

    @model_validator(mode="after")
    def _check(self) -> _CuratedRow:
        problem = _check_numbers(self.low, self.high, self.point) or _check_basis(
            self.kind, self.counts
        )
        if problem:
            raise ValueError(problem)
        if (self.kind == "increment") != (self.window_start is not None):
            raise ValueError("window_start is required for, and only for, kind 'increment'")
        if self.window_start is not None and self.window_start >= self.as_of:
            raise ValueError(
                f"window_start ({self.window_start}) is not before as_of ({self.as_of})"
            )
        return self


def load_curated(path: Path | str | None = None) -> list[Estimate]:
    """The curated estimates (default: the list shipped with the package)."""
    raw, origin = load_yaml(path, CURATED_FILE, EstimateError)
    rows = raw.get("estimates") if isinstance(raw, dict) else None
    if not isinstance(rows, list):
        raise EstimateError("expected a mapping with an 'estimates' list", source=origin)
    out: list[Estimate] = []
    seen: set[str] = set()
    for i, item in enumerate(rows):
        label = item.get("id", f"#{i + 1}") if isinstance(item, dict) else f"#{i + 1}"
        try:
            row = _CuratedRow.model_validate(item)
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(x) for x in err["loc"])
            msg = str(err["msg"]).removeprefix("Value error, ")
            raise EstimateError(
                msg, source=origin, where=f"{label}{'.' + field if field else ''}"
            ) from None
        if row.id in seen:
            raise EstimateError("duplicate id", source=origin, where=row.id)
        seen.add(row.id)
        out.append(Estimate(origin="package", **row.model_dump()))
    return out


# -- the compiled CSV in the real data folder ---------------------------------


def _num(text: str, path: Path, where: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise EstimateError(
            f"expected a number, got {text!r}", source=path.name, where=where
        ) from None


def _infer_kind(measure: str, point_text: str, window: bool) -> Kind:
    m = measure.lower()
    if "kg heu" in m:
        return "heu_kg"
    if "kg pu" in m or "kg plutonium" in m:
        return "pu_kg"
    if window or point_text.startswith("+") or "gained" in m or "produced between" in m:
        return "increment"
    if "assembled" in m:
        return "assembled"
    return "stock"


_MATERIAL_WORDS = re.compile(r"fissile.material|worth", re.IGNORECASE)


def _infer_counts(measure: str, kind: Kind) -> Basis:
    """``material`` for a "bombs' worth" or "fissile-material based" figure, else ``weapons``."""
    if kind in ("stock", "increment") and _MATERIAL_WORDS.search(measure):
        return "material"
    return "weapons"


def read_compiled(path: Path) -> list[Estimate]:
    """Read the compiled estimates table (columns as in the data folder's SOURCES.md)."""
    try:
        with reading(path, EstimateError), path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in _COMPILED_COLUMNS if c not in (reader.fieldnames or ())]
            if missing:
                raise EstimateError(
                    f"missing column {missing[0]!r}", source=path.name, where="header"
                )
            rows = list(reader)
    except UnicodeDecodeError:
        raise EstimateError("not UTF-8 text", source=path.name) from None
    out: list[Estimate] = []
    for line, row in enumerate(rows, start=2):
        out.extend(_compiled_row(path, line, row))
    return out


def _compiled_row(path: Path, line: int, row: dict[str, str]) -> list[Estimate]:
    where = f"line {line}"
    as_of_text = (row.get("as_of") or "").strip()
    point_text = (row.get("point") or "").strip()
    measure = (row.get("measure") or "").strip()
    common: dict[str, Any] = {
        "source": (row.get("source") or "").strip(),
        "publication": (row.get("publication") or "").strip(),
        "published": (row.get("published") or "").strip() or None,
        "basis": (row.get("basis_notes") or "").strip() or None,
        "reference": (row.get("reference") or "").strip() or None,
        "verified": (row.get("verified_from_stored_material") or "").strip() or None,
        "origin": path.name,
    }
    if ":" in point_text and ";" in point_text:
        # A year series ("2015:5;2016:10;..."): one stock estimate per year, as of January.
        out = []
        for part in point_text.split(";"):
            year_text, _, value_text = part.partition(":")
            value = _num(value_text, path, f"{where}: point")
            if not year_text.strip().isdigit() or value is None:
                raise EstimateError(
                    f"cannot read series item {part!r}", source=path.name, where=f"{where}: point"
                )
            year = int(year_text)
            out.append(
                Estimate(
                    id=f"csv-{line}-{year}",
                    as_of=date(year, 1, 1),
                    kind=_infer_kind(measure, "", False),
                    point=value,
                    **common,
                )
            )
        return out
    projection = "projection" in as_of_text.lower()
    as_of_clean = re.sub(r"\(.*?\)", "", as_of_text).strip()
    window_start: date | None = None
    try:
        if ".." in as_of_clean:
            first, _, last = as_of_clean.partition("..")
            window_start = parse_date(first.strip(), what="as_of")
            as_of = parse_date(last.strip(), what="as_of")
        else:
            as_of = parse_date(as_of_clean, what="as_of")
    except DateError as exc:
        raise EstimateError(exc.problem, source=path.name, where=f"{where}: as_of") from None
    low = _num(row.get("low") or "", path, f"{where}: low")
    high = _num(row.get("high") or "", path, f"{where}: high")
    kind = _infer_kind(measure, point_text, window_start is not None)
    point_match = re.match(r"^\+?\s*(\d+(?:\.\d+)?)", point_text)
    point = float(point_match.group(1)) if point_match else None
    if point_text and point is None:
        raise EstimateError(
            f"cannot read point {point_text!r}", source=path.name, where=f"{where}: point"
        )
    if kind == "increment" and window_start is None:
        # "+6 during 2018": the window is the calendar year.
        window_start = date(as_of.year, 1, 1)
        as_of = date(as_of.year, 12, 31)
    problem = _check_numbers(low, high, point)
    if problem:
        raise EstimateError(problem, source=path.name, where=where)
    return [
        Estimate(
            id=f"csv-{line}",
            as_of=as_of,
            window_start=window_start,
            kind=kind,
            low=low,
            high=high,
            point=point,
            projection=projection,
            counts=_infer_counts(measure, kind),
            **common,
        )
    ]


def read_owid_stockpiles(path: Path) -> list[Estimate]:
    """North Korea's rows of the FAS/OWID stockpile series.

    OWID codes the years before FAS's first estimate as 0 ("no estimate", not
    "no weapons"), so leading zeros are skipped. The country name carries a
    double space in this file; whitespace is normalised before matching.
    """
    with reading(path, EstimateError), path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        need = ("country_name", "year", "nuclear_weapons_stockpile")
        missing = [c for c in need if c not in (reader.fieldnames or ())]
        if missing:
            raise EstimateError(f"missing column {missing[0]!r}", source=path.name, where="header")
        rows = [
            (i, r)
            for i, r in enumerate(reader, start=2)
            if " ".join(r["country_name"].split()) == "North Korea"
        ]
    out: list[Estimate] = []
    started = False
    for line, r in rows:
        value = _num(
            r["nuclear_weapons_stockpile"], path, f"line {line}: nuclear_weapons_stockpile"
        )
        year_text = r["year"].strip()
        if not year_text.isdigit():
            raise EstimateError(
                f"expected a year, got {year_text!r}", source=path.name, where=f"line {line}: year"
            )
        if value is None or (value == 0 and not started):
            continue
        started = True
        year = int(year_text)
        out.append(
            Estimate(
                id=f"owid-fas-{year}",
                source="FAS (Kristensen/Korda) via OWID",
                publication="FAS Status of World Nuclear Forces, as cleaned by Our World in Data",
                as_of=date(year, 1, 1),
                kind="stock",
                point=value,
                reference="owid/notebooks (FAS 2023 nuclear weapons stockpiles)",
                origin=path.name,
            )
        )
    return out


def merge(curated: Iterable[Estimate], extra: Iterable[Estimate]) -> list[Estimate]:
    """Curated rows plus the extra rows that are not already among them."""
    out = list(curated)
    keys = {e.key() for e in out}
    for e in extra:
        if e.key() in keys:
            continue
        keys.add(e.key())
        out.append(e)
    return sorted(out, key=lambda e: (e.as_of, e.family, e.id))


def load_estimates(
    shared_data: Path | None = None, *, files: Sequence[Path] = ()
) -> list[Estimate]:
    """Curated estimates, merged with the real data folder's files when present.

    ``shared_data`` is the data folder (its ``dprk/`` subfolder is read);
    ``files`` are further compiled-format CSVs or OWID stockpile CSVs.
    """
    curated = load_curated()
    extra: list[Estimate] = []
    paths: list[Path] = []
    if shared_data is not None:
        folder = Path(shared_data) / "dprk"
        paths += [p for p in (folder / COMPILED_CSV, folder / OWID_STOCKPILES) if p.is_file()]
    paths += [Path(p) for p in files]
    for p in paths:
        if not p.is_file():
            raise EstimateError("file not found", source=str(p))
        with p.open(encoding="utf-8", errors="replace") as fh:
            header = fh.readline()
        if "nuclear_weapons_stockpile" in header:
            extra += read_owid_stockpiles(p)
        else:
            extra += read_compiled(p)
    return merge(curated, extra)
