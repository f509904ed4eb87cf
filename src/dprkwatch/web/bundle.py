"""The built front end: where it lives and whether it is there.

``make web`` builds the workbench into the package folder
``dprkwatch/web/static/``. The service serves those files
(:mod:`dprkwatch.service.api.routers.workbench`) and ``dprkwatch web
status`` reports on them; both ask this module, which knows nothing of HTTP.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict


def bundle_dir() -> Path:
    """Where the built front end lives (package data; may not exist)."""
    return Path(str(resources.files("dprkwatch.web"))) / "static"


class Bundle:
    """One bundle directory: the packaged one, or another in tests."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = (root or bundle_dir()).resolve()

    @property
    def index(self) -> Path:
        return self.root / "index.html"

    @property
    def built(self) -> bool:
        return self.index.is_file()

    def asset(self, name: str) -> Path | None:
        """The file ``assets/<name>``, or ``None`` if absent or outside the folder."""
        if "\x00" in name:  # the operating system refuses such a path outright
            return None
        assets = self.root / "assets"
        path = (assets / name).resolve()
        return path if path.is_relative_to(assets) and path.is_file() else None

    def status(self) -> BundleStatus:
        return BundleStatus(built=self.built, index=str(self.index))


class BundleStatus(BaseModel):
    """What ``dprkwatch web status`` reports."""

    model_config = ConfigDict(frozen=True)

    built: bool
    index: str
