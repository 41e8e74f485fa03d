"""Test-wide isolation: no display, no network proxy, no real keyring, settings or data folders."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from smsgui.ui.app import AppPaths
    from smsgui.ui.services import Services

# Set before anything imports Qt, keyring or platformdirs. setdefault lets a run under Xvfb pick
# the xcb platform instead of offscreen.
_ISOLATED_HOME = tempfile.mkdtemp(prefix="smsgui-tests-")
# The offscreen platform's own screen is 800x800, smaller than any laptop's: the window would
# sit at its minimum size, where every new label reflows the whole window. Tests get a common
# 1920x1080 screen instead; tests/ui/test_window_fit.py tries the small screens on purpose.
_SCREEN = os.path.join(_ISOLATED_HOME, "offscreen-screen.json")
with open(_SCREEN, "w", encoding="utf-8") as _config:
    json.dump({"screens": [{"name": "test-screen", "x": 0, "y": 0, "width": 1920,
                            "height": 1080, "logicalDpiX": 96, "logicalDpiY": 96}]}, _config)
os.environ.setdefault("QT_QPA_PLATFORM", f"offscreen:configfile={_SCREEN}")
for _variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
    os.environ[_variable] = os.path.join(_ISOLATED_HOME, _variable.lower())
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
os.environ["NO_PROXY"] = "127.0.0.1,localhost,::1"
os.environ["no_proxy"] = os.environ["NO_PROXY"]


# -- the app's services in throwaway folders, shared by the window and hardening tests ----------
# Qt and the app are imported inside the fixtures so the core tests never load them.


@pytest.fixture
def paths(tmp_path: Path) -> AppPaths:
    from smsgui.ui.app import AppPaths

    return AppPaths(tmp_path / "config", tmp_path / "data", tmp_path / "logs")


@pytest.fixture
def services(paths: AppPaths) -> Iterator[Services]:
    """Real services with an in-memory secret store; closed after the test."""
    from smsgui.core.api.secrets import MemorySecretStore
    from smsgui.ui.app import build_services, close_services

    built = build_services(paths, secrets=MemorySecretStore())
    yield built
    close_services(built)
