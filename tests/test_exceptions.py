"""The root exception docstring names classes that exist, under the parents it draws."""

from __future__ import annotations

import importlib
import re

from dprkwatch import exceptions


def test_every_class_the_root_docstring_names_exists_where_drawn() -> None:
    doc = exceptions.__doc__ or ""
    named = re.findall(r"\b(lists|ledger|matching|maritime|arsenal|service)\.(\w+)", doc)
    assert len(named) >= 10
    for package, name in named:
        module = importlib.import_module(f"dprkwatch.{package}.exceptions")
        cls = getattr(module, name, None)
        assert isinstance(cls, type), (
            f"{package}.{name} is named in the docstring but does not exist"
        )
        assert issubclass(cls, exceptions.DprkwatchError)
    # The tree's top-level branches, each with the subclasses drawn under it.
    for section in re.split(r"\n    [├└]── ", doc)[1:]:
        parent = getattr(exceptions, section.split()[0])
        for package, name in re.findall(
            r"\b(lists|ledger|matching|maritime|arsenal|service)\.(\w+)", section
        ):
            cls = getattr(importlib.import_module(f"dprkwatch.{package}.exceptions"), name)
            assert issubclass(cls, parent), f"{package}.{name} is drawn under {parent.__name__}"
