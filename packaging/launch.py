"""Entry script of the PyInstaller bundle: the same ``smsgui`` command the wheel installs.

One addition, for the bundle's smoke test (tools/bundle-smoke-test.sh): with
``SMSGUI_BUNDLE_CHECK=keyring`` in the environment the bundle prints which of keyring's backend
modules it holds, the backends keyring's entry points announce and the keyring it would use, then
exits - 0 when every backend module and its entry point is there. A frozen app cannot run
``python -c``, and keyring finds its backends through package metadata that freezing easily loses,
so the frozen interpreter is asked itself. ``SMSGUI_BUNDLE_CHECK=keyring-roundtrip`` also stores,
reads back and deletes one throwaway secret; the smoke test uses it only beside a private Secret
Service (tools/with-secret-service.sh), never the user's keyring.
"""

from __future__ import annotations

import os
import sys

# Backend modules the spec must ship on every platform (the platform-specific ones import
# everywhere and simply report themselves unusable elsewhere), plus the Linux transport.
KEYRING_MODULES = (
    "keyring.backends.SecretService", "keyring.backends.kwallet", "keyring.backends.libsecret",
    "keyring.backends.macOS", "keyring.backends.Windows", "keyring.backends.chainer",
    "keyring.backends.fail", "keyring.backends.null",
)
LINUX_MODULES = ("secretstorage", "jeepney", "cryptography.hazmat.primitives.ciphers")
ENTRY_POINTS = ("SecretService", "KWallet", "Windows", "macOS", "chainer", "libsecret")


def check_keyring(roundtrip: bool) -> int:
    import importlib
    from importlib.metadata import entry_points

    missing = []
    wanted = KEYRING_MODULES + (LINUX_MODULES if sys.platform.startswith("linux") else ())
    for name in wanted:
        try:
            importlib.import_module(name)
        except ImportError as error:
            missing.append(name)
            print(f"module {name}: MISSING ({error})")
        else:
            print(f"module {name}: ok")
    announced = sorted(point.name for point in entry_points(group="keyring.backends"))
    print(f"entry points: {', '.join(announced) or 'NONE'}")
    missing += [f"entry point {name}" for name in ENTRY_POINTS if name not in announced]

    import keyring

    backend = keyring.get_keyring()
    print(f"keyring in use: {type(backend).__module__}.{type(backend).__qualname__}")
    if roundtrip:
        service, user, secret = "smsgui-bundle-check", "probe", "bundle-check-secret"
        keyring.set_password(service, user, secret)
        read_back = keyring.get_password(service, user)
        keyring.delete_password(service, user)
        print(f"round trip: {'ok' if read_back == secret else 'FAILED'}")
        if read_back != secret:
            missing.append("round trip")
    if missing:
        print(f"bundle check failed: {', '.join(missing)}")
        return 1
    print("bundle check passed")
    return 0


def main() -> int:
    check = os.environ.get("SMSGUI_BUNDLE_CHECK", "")
    if check in ("keyring", "keyring-roundtrip"):
        return check_keyring(roundtrip=check == "keyring-roundtrip")
    from smsgui.cli import main as smsgui_main

    return smsgui_main()


if __name__ == "__main__":
    sys.exit(main())
