"""Find the read-only data files that ship with smsgui.

There is exactly one place this is decided. The ``resources/`` folder lives at the top of a source
checkout (which an editable install also points at), inside the package as ``smsgui/resources`` in
an installed wheel, and under ``sys._MEIPASS`` in a frozen PyInstaller bundle.
"""

from __future__ import annotations

import sys
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parents[2]  # the smsgui package folder


class ResourceNotFoundError(FileNotFoundError):
    """A data file that should ship with smsgui is missing: the install is incomplete."""


def resources_dir() -> Path:
    """Return the folder holding smsgui's data files."""
    for candidate in _candidates():
        if (candidate / "knowledge.toml").is_file():
            return candidate
    searched = ", ".join(str(path) for path in _candidates())
    raise ResourceNotFoundError(
        f"smsgui's data files are missing (looked in {searched}). Reinstall smsgui."
    )


def resource_path(name: str) -> Path:
    """Return the path of one data file, such as ``knowledge.toml``."""
    path = resources_dir() / name
    if not path.exists():
        raise ResourceNotFoundError(f"smsgui's data file {name!r} is missing. Reinstall smsgui.")
    return path


def _candidates() -> list[Path]:
    candidates = [_PACKAGE_DIR / "resources", _PACKAGE_DIR.parent / "resources"]
    bundle_root = getattr(sys, "_MEIPASS", None)
    if bundle_root:
        candidates.insert(0, Path(bundle_root) / "resources")
    return candidates
