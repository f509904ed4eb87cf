"""docs/lists-ofac.md stays in step with the code it describes."""

from __future__ import annotations

from pathlib import Path

from dprkwatch.lists.importers import ofac
from dprkwatch.lists.registry import formats
from tests.conftest import REPO

DOC = REPO / "docs" / "lists-ofac.md"


def test_every_ofac_format_is_documented() -> None:
    text = DOC.read_text("utf-8")
    ofac_formats = {name: cls for name, cls in formats().items() if name.startswith("ofac-")}
    assert set(ofac_formats) == {"ofac-sdn", "ofac-cons", "ofac-enhanced-xml", "ofac-advanced-xml"}
    for name, cls in ofac_formats.items():
        assert f"| `{name}` | `{cls.list_name}`" in text


def test_every_ofac_module_is_documented() -> None:
    text = DOC.read_text("utf-8")
    folder = Path(ofac.__file__).parent
    modules = sorted(m for m in folder.glob("*.py") if m.name != "__init__.py")
    assert modules, folder
    for module in modules:
        assert f"`lists/importers/ofac/{module.name}`" in text, module.name
