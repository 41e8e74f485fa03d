"""The core must stay importable without Qt (convention 1 in STYLE.md)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import smsgui.core


def test_importing_every_core_module_loads_no_qt() -> None:
    modules = [info.name for info in pkgutil.walk_packages(smsgui.core.__path__, "smsgui.core.")]
    assert modules, "no core modules found"
    program = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""
