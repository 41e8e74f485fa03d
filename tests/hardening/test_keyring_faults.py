"""Keyring faults in the window: each is named plainly, and smsgui keeps working session-only.

The keyring backends here raise what real ones raise: ``NoKeyringError`` (nothing installed or
running), ``KeyringLocked``, a D-Bus ``AccessDenied`` error (as jeepney raises it, matched by its
``name``), and a ``RuntimeError`` nobody foresaw. Each is given to the app the way the
composition root does it, as ``KeyringSecretStore(backend=...)`` in ``build_services``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hardening_tools import RecordingPrompter, open_window, wait_until_idle
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, NoKeyringError
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPlainTextEdit, QPushButton
from pytestqt.qtbot import QtBot
from test_main_window import column_texts
from uitools import find, type_text

from smsgui.core.api.profiles import EndpointKind, Profile
from smsgui.core.api.secrets import (
    ACCESS_DENIED,
    LOCKED,
    NO_KEYRING,
    KeyringSecretStore,
    MemorySecretStore,
    SecretProblem,
    unexpected_problem,
)
from smsgui.sandbox.config import DEFAULT_API_KEY, DEFAULT_API_SECRET
from smsgui.ui.app import AppPaths, build_services, close_services
from smsgui.ui.main_window import MainWindow
from smsgui.ui.services import Services


class DBusErrorResponse(Exception):  # noqa: N818 - named like jeepney's, whose name is matched
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


class FaultyKeyring(KeyringBackend):
    """Raises ``error`` from every call while ``failing``; otherwise keeps secrets in a dict."""

    priority = 1  # type: ignore[assignment]

    def __init__(self, error: Exception | None) -> None:
        super().__init__()
        self.error = error
        self.calls: list[str] = []
        self.values: dict[tuple[str, str], str] = {}

    def _call(self, name: str) -> None:
        self.calls.append(name)
        if self.error is not None:
            raise self.error

    def get_password(self, service: str, username: str) -> str | None:
        self._call("get")
        return self.values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._call("set")
        self.values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._call("delete")
        self.values.pop((service, username), None)


FAULTS = {
    "no keyring": (NoKeyringError("No recommended backend was available."), NO_KEYRING),
    "locked": (KeyringLocked("Failed to unlock the keyring!"), LOCKED),
    "access denied": (DBusErrorResponse("org.freedesktop.DBus.Error.AccessDenied",
                                        "Rejected send message"), ACCESS_DENIED),
    "unexpected": (RuntimeError("something nobody foresaw"),
                   unexpected_problem(RuntimeError())),
}


@pytest.fixture
def prompter(tmp_path: Path) -> RecordingPrompter:
    return RecordingPrompter(tmp_path)


@pytest.fixture
def built(request: pytest.FixtureRequest, paths: AppPaths) -> Iterator[Services]:
    keyring: FaultyKeyring = request.param
    services = build_services(paths, secrets=KeyringSecretStore(backend=keyring))
    yield services
    close_services(services)


def add_sandbox_profile(qtbot: QtBot, window: MainWindow, services: Services) -> None:
    """Through the profiles dialog: a custom profile pointing at the app's own sandbox."""
    window.manage_profiles()
    dialog = window.credentials_dialog
    assert dialog is not None
    qtbot.mouseClick(find(dialog, QPushButton, "New profile"), Qt.MouseButton.LeftButton)
    qtbot.keyClicks(find(dialog, QLineEdit, "Profile name"), "Staging")
    endpoint = find(dialog, QComboBox, "Endpoint")
    endpoint.setCurrentIndex(endpoint.findData(EndpointKind.CUSTOM))
    qtbot.keyClicks(find(dialog, QLineEdit, "API key"), DEFAULT_API_KEY)
    qtbot.keyClicks(find(dialog, QLineEdit, "API secret"), DEFAULT_API_SECRET)
    url = services.sandbox.url()
    for field in ("REST base URL", "API base URL"):
        find(dialog, QLineEdit, field).setText(url)
    qtbot.mouseClick(find(dialog, QPushButton, "Save"), Qt.MouseButton.LeftButton)
    dialog.close()


def send(qtbot: QtBot, window: MainWindow) -> None:
    find(window, QLineEdit, "From").setText("AcmeInc")
    find(window, QPlainTextEdit, "To").setPlainText("447700900000")
    type_text(find(window, QPlainTextEdit, "Message text"), "Hi")
    qtbot.mouseClick(find(window, QPushButton, "Send"), Qt.MouseButton.LeftButton)
    wait_until_idle(qtbot, window)


@pytest.mark.parametrize(("built", "problem"),
                         [(FaultyKeyring(error), problem) for error, problem in FAULTS.values()],
                         ids=list(FAULTS), indirect=["built"])
def test_a_keyring_fault_is_named_and_the_app_works_for_the_session(
    qtbot: QtBot, built: Services, prompter: RecordingPrompter, paths: AppPaths,
    problem: SecretProblem,
) -> None:
    store = built.secrets
    assert isinstance(store, KeyringSecretStore)
    window = open_window(qtbot, built, prompter, [], {})
    qtbot.waitUntil(lambda: built.keyring_problem is not None, timeout=5_000)

    # Said plainly: in the status bar, and in the profiles dialog where secrets are entered.
    assert built.keyring_problem == problem
    assert window.statusBar().currentMessage() == (
        f"{problem.headline}: secrets you enter are kept for this session only.")
    window.manage_profiles()
    assert window.credentials_dialog is not None
    keyring_text = find(window.credentials_dialog, QLabel, "Keyring").text()
    assert problem.headline in keyring_text and problem.next_step in keyring_text
    assert "never written to a file" in keyring_text
    assert "something nobody foresaw" not in keyring_text  # only the error's type is named
    window.credentials_dialog.close()

    # Session-only from now on: a profile is saved and a send through it works.
    assert isinstance(built.secrets, MemorySecretStore)
    add_sandbox_profile(qtbot, window, built)
    assert built.secrets.get("Staging", "api_secret") == DEFAULT_API_SECRET
    window.profile_combo.setCurrentIndex(window.profile_combo.findText("Staging"))
    send(qtbot, window)
    assert column_texts(window, "Status") == ["0 Success"]
    assert prompter.shown == []

    # The broken keyring was asked once, and never given a secret; no file holds one.
    backend = store._backend
    assert isinstance(backend, FaultyKeyring) and backend.calls == ["get"]
    for path in paths.config.rglob("*"):
        if path.is_file():
            assert DEFAULT_API_SECRET.encode() not in path.read_bytes(), path


@pytest.mark.parametrize("built", [FaultyKeyring(None)], indirect=True)
def test_a_keyring_that_locks_after_start_stops_the_send_and_says_why(
    qtbot: QtBot, built: Services, prompter: RecordingPrompter
) -> None:
    store = built.secrets
    assert isinstance(store, KeyringSecretStore)
    backend = store._backend
    assert isinstance(backend, FaultyKeyring)
    url = built.sandbox.url()
    profile = Profile("Staging", EndpointKind.CUSTOM, api_key=DEFAULT_API_KEY,
                      rest_base_url=url, api_base_url=url)
    window = open_window(qtbot, built, prompter, [profile],
                         {"Staging": {"api_secret": DEFAULT_API_SECRET}}, select="Staging")
    qtbot.waitUntil(lambda: "get" in backend.calls and not window.is_busy_in_background,
                    timeout=5_000)
    assert built.keyring_problem is None
    balance = built.sandbox.server.account.balance  # type: ignore[union-attr]

    backend.error = KeyringLocked("Failed to unlock the keyring!")
    send(qtbot, window)
    assert [shown.headline for shown in prompter.shown] == [LOCKED.headline]
    assert prompter.shown[0].next_step == LOCKED.next_step
    assert window.statusBar().currentMessage() == "Nothing was sent."
    assert built.sandbox.server.account.balance == balance  # type: ignore[union-attr]

    backend.error = None  # unlocked again: the same send now works
    send(qtbot, window)
    assert column_texts(window, "Status") == ["0 Success"]
