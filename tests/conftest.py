"""Test-wide isolation: no display, no network proxy, no real keyring, settings or data folders."""

from __future__ import annotations

import os
import tempfile

# Set before anything imports Qt, keyring or platformdirs. setdefault lets a run under Xvfb pick
# the xcb platform instead of offscreen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_ISOLATED_HOME = tempfile.mkdtemp(prefix="smsgui-tests-")
for _variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
    os.environ[_variable] = os.path.join(_ISOLATED_HOME, _variable.lower())
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
os.environ["NO_PROXY"] = "127.0.0.1,localhost,::1"
os.environ["no_proxy"] = os.environ["NO_PROXY"]
