"""One test against a real Secret Service: gnome-keyring on a private D-Bus session bus.

``tools/with-secret-service.sh`` starts the bus and an unlocked gnome-keyring whose files live
in a temporary folder, hides the caller's session bus, display and home, and runs a child
Python there; the user's own keyring is never reachable. Without gnome-keyring-daemon or
dbus-run-session the test is skipped, unless SMSGUI_REQUIRE_SECRET_SERVICE=1 (as in CI).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
SCRIPT = REPOSITORY / "tools" / "with-secret-service.sh"
REQUIRED = os.environ.get("SMSGUI_REQUIRE_SECRET_SERVICE") == "1"
TIMEOUT_S = 60

CHILD = r"""
import json, os, pathlib, sys
from keyring.backends.SecretService import Keyring
from smsgui.core.api.secrets import KeyringSecretStore

SECRET = "hunter2-Zebra-7781"
root = pathlib.Path(os.environ["SMSGUI_SECRET_SERVICE_ROOT"])
store = KeyringSecretStore(Keyring())
problem = store.status()
report = {"home": os.environ["HOME"], "data": os.environ["XDG_DATA_HOME"],
          "bus": os.environ.get("DBUS_SESSION_BUS_ADDRESS", ""),
          "status": problem and f"{problem.headline}: {problem.cause}",
          "name": store.backend_name}
store.set("Acme live", "api_secret", SECRET)
store.set("Acme live", "signature_secret", "sig-" + SECRET)
report["read_back"] = store.get("Acme live", "api_secret") == SECRET
report["other_profile"] = store.get("Staging", "api_secret")
files = sorted((root / "data" / "keyrings").glob("*"))
report["keyring_files"] = [path.name for path in files]
report["plaintext_on_disk"] = any(SECRET.encode() in path.read_bytes() for path in files)
store.delete("Acme live", "api_secret")
store.delete("Acme live", "api_secret")
report["after_delete"] = store.get("Acme live", "api_secret")
report["signature_kept"] = store.get("Acme live", "signature_secret") == "sig-" + SECRET
store.delete_profile("Acme live")
report["after_delete_profile"] = store.get("Acme live", "signature_secret")
print(json.dumps(report))
"""


def _missing() -> str | None:
    for tool in ("bash", "dbus-run-session", "dbus-send", "gnome-keyring-daemon"):
        if shutil.which(tool) is None:
            return (f"{tool} is not installed (Debian: apt-get install gnome-keyring "
                    "dbus-daemon)")
    if importlib.util.find_spec("secretstorage") is None:
        return "the secretstorage package (keyring's Secret Service backend) is not installed"
    return None


def _run_in_private_session() -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY")}
    environment["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(REPOSITORY), environment.get("PYTHONPATH")]))
    with subprocess.Popen(["bash", str(SCRIPT), sys.executable, "-c", CHILD], cwd=REPOSITORY,
                          env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, start_new_session=True) as process:
        try:
            stdout, stderr = process.communicate(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            pytest.fail(f"the private Secret Service did not finish within {TIMEOUT_S} s")
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def test_secrets_round_trip_through_a_real_secret_service() -> None:
    reason = _missing()
    if reason is not None:
        if REQUIRED:
            pytest.fail(f"SMSGUI_REQUIRE_SECRET_SERVICE=1 but {reason}")
        pytest.skip(reason)
    result = _run_in_private_session()
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    root = report["data"].rsplit("/", 1)[0]
    assert "smsgui-secret-service." in root and report["home"].startswith(root)
    assert report["bus"] and report["bus"] != os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    assert report["status"] is None
    assert report["name"] == "GNOME Keyring (Secret Service)"
    assert report["read_back"] is True and report["other_profile"] is None
    assert "login.keyring" in report["keyring_files"]
    assert report["plaintext_on_disk"] is False
    assert report["after_delete"] is None and report["signature_kept"] is True
    assert report["after_delete_profile"] is None
    assert not Path(root).exists(), "the temporary keyring folder was not removed"
