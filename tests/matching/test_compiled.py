"""The compiled hot path: used when built and current, never stale, same answers as the source."""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dprkwatch.matching import compiled
from dprkwatch.settings import compiled_code

ROOT = Path(__file__).resolve().parents[2]


def test_the_setting_turns_compiled_code_off() -> None:
    assert compiled_code({}) is True
    assert compiled_code({"DPRKWATCH_COMPILED": "0"}) is False
    assert compiled_code({"DPRKWATCH_COMPILED": "yes"}) is True


def test_a_changed_source_makes_the_build_stale() -> None:
    modules = compiled.built()
    name = "dprkwatch.matching.features.words"
    digest = modules.get(name) or "0" * 64
    assert compiled.stale({name: "0" * 64}) == [name]
    assert compiled.stale({"dprkwatch.matching.no_such_module": digest}) == [
        "dprkwatch.matching.no_such_module"
    ]


def test_the_source_finder_loads_the_py_file(tmp_path: Path) -> None:
    (tmp_path / "dprkwatch_finder_probe.py").write_text("VALUE = 7\n")
    finder = compiled.SourceFinder(
        {"dprkwatch_finder_probe": tmp_path / "dprkwatch_finder_probe.py"}
    )
    assert finder.find_spec("json", None) is None
    sys.meta_path.insert(0, finder)
    try:
        module = importlib.import_module("dprkwatch_finder_probe")
    finally:
        sys.meta_path.remove(finder)
        sys.modules.pop("dprkwatch_finder_probe", None)
    assert module.VALUE == 7
    assert not compiled.is_compiled(module)


def test_built_modules_are_the_ones_running() -> None:
    modules = compiled.built()
    if not modules:
        pytest.skip("the compiled modules are not built here (no C compiler?)")
    state = compiled.state()
    for name in modules:
        module = importlib.import_module(name)
        assert compiled.is_compiled(module) == (state == "compiled"), (name, state)


SCREEN = """
import json, sys
from dprkwatch.matching import Query, Screener, compiled
from dprkwatch.matching.features import words
entities = json.loads(sys.stdin.read())
screener = Screener.from_entities(entities, "fixture")
out = {"state": compiled.state(), "compiled": compiled.is_compiled(words), "answers": []}
for name in ("Ri Su Yong", "Lee Soo-yong", "KORYOO BANK", "Korea Kwangson Banking Corp",
             "CHON MA SAN", "Kim Munchlo", "KKBC", "Mohammed al Rahman"):
    for m in screener.screen(Query("Thing", {"name": [name]}), top=5):
        out["answers"].append([name, m.entity_id, m.score, m.features, m.explanation])
print(json.dumps(out))
"""

ENTITIES = [
    {"id": "p1", "schema": "Person", "properties": {"name": ["RI Su Yong"], "nationality": ["kp"]}},
    {"id": "p2", "schema": "Person", "properties": {"name": ["KIM Mun Chol"]}},
    {"id": "o1", "schema": "Organization", "properties": {"name": ["Koryo Bank"]}},
    {"id": "o2", "schema": "Company",
     "properties": {"name": ["Korea Kwangson Banking Corporation"], "alias": ["KKBC"]}},
    {"id": "v1", "schema": "Vessel", "properties": {"name": ["CHONMASAN"]}},
    {"id": "p3", "schema": "Person", "properties": {"name": ["Mohamed Al-Rahman"]}},
]  # fmt: skip


def _screen(env: dict[str, str]) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", SCREEN],
        input=json.dumps(ENTITIES),
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=ROOT,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_compiled_and_pure_python_give_the_same_answers() -> None:
    pure = _screen({"DPRKWATCH_COMPILED": "0"})
    default = _screen({"DPRKWATCH_COMPILED": "1"})
    assert pure["compiled"] is False
    assert pure["answers"]
    assert default["answers"] == pure["answers"]
    modules = compiled.built()
    if modules and not compiled.stale(modules):
        assert default["compiled"] is True, default["state"]


def test_a_clean_build_removes_extensions_of_modules_no_longer_compiled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = importlib.util.spec_from_file_location(
        "build_native", ROOT / "scripts" / "build_native.py"
    )
    assert spec is not None and spec.loader is not None
    build_native = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build_native)
    pkg = tmp_path / "dprkwatch" / "matching"
    pkg.mkdir(parents=True)
    for name in ("listed.py", "dropped.py", "plain.py"):
        (pkg / name).write_text("")
    made = [
        pkg / "listed.cpython-311-x86_64-linux-gnu.so",
        pkg / "dropped.cpython-311-x86_64-linux-gnu.so",  # compiled once, off the list since
        tmp_path / "dprkwatch_native__mypyc.cpython-311-x86_64-linux-gnu.so",
    ]
    kept = [pkg / "prescore-0123456789abcdef.so", pkg / "plain.py"]  # a C kernel; a source
    for path in made + kept:
        path.write_text("")
    monkeypatch.setattr(build_native, "SRC", tmp_path)
    monkeypatch.setattr(build_native, "MODULES", ("dprkwatch.matching.listed",))
    assert sorted(build_native.extensions()) == sorted(made)
