"""Plots: PNG and SVG files, written atomically, with clear errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dprkwatch.arsenal import ArsenalModel, load_model
from dprkwatch.arsenal.plot import render, save_plot
from dprkwatch.exceptions import InputError


@pytest.fixture(scope="module")
def model() -> ArsenalModel:
    return load_model(draws=5_000)


def test_png_and_svg(tmp_path: Path, model: ArsenalModel) -> None:
    png = save_plot(
        model, tmp_path / "band.png", years=range(2010, 2028), scenarios=["rand-asan-2021"]
    )
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    svg = save_plot(model, tmp_path / "band.svg")
    text = svg.read_text("utf-8")
    assert "<svg" in text
    # The SVG carries the legend text and the event markers.
    assert "singapore" in text and "model median" in text
    assert {p.name for p in tmp_path.iterdir()} == {"band.png", "band.svg"}


def test_existing_file_is_replaced_whole(tmp_path: Path, model: ArsenalModel) -> None:
    target = tmp_path / "band.svg"
    target.write_text("old", "utf-8")
    save_plot(model, target, years=range(2015, 2020))
    assert target.read_text("utf-8").lstrip().startswith("<?xml")
    assert {p.name for p in tmp_path.iterdir()} == {"band.svg"}  # no temporary file left behind


@pytest.mark.parametrize(
    ("name", "message"),
    [("band.jpg", "unsupported plot format 'jpg'"), ("band", "unsupported plot format '(none)'")],
)
def test_bad_formats(tmp_path: Path, model: ArsenalModel, name: str, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        save_plot(model, tmp_path / name)
    assert not any(tmp_path.iterdir())


def test_missing_folder_and_empty_years(tmp_path: Path, model: ArsenalModel) -> None:
    with pytest.raises(InputError, match="folder does not exist"):
        save_plot(model, tmp_path / "nowhere" / "band.png")
    with pytest.raises(InputError, match="no years to plot"):
        render(model, years=[])
