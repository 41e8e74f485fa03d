"""Profiles and credentials: secrets go to the keyring and nowhere else."""

from __future__ import annotations

from pathlib import Path

import pytest
from keyring.backend import KeyringBackend
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QListWidget, QPushButton
from pytestqt.qtbot import QtBot
from uitools import find

from smsgui.core.api.profiles import (
    BUILTIN_PROFILES,
    SANDBOX_MESSAGES_PROFILE,
    SANDBOX_PROFILE,
    EndpointKind,
    Profile,
    ProfileStore,
    SendApi,
)
from smsgui.core.api.secrets import NO_KEYRING, KeyringSecretStore
from smsgui.ui.credentials import CredentialsDialog

SECRET = "Otter-Secret-5150"
BUILTIN_NAMES = [profile.name for profile in BUILTIN_PROFILES]


class MemoryKeyring(KeyringBackend):
    """An in-memory keyring backend, so no test touches the real user's keyring."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)


@pytest.fixture
def keyring() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def store(tmp_path: Path) -> ProfileStore:
    return ProfileStore(tmp_path / "profiles.json")


def open_dialog(qtbot: QtBot, store: ProfileStore, keyring: MemoryKeyring,
                problem: object = None) -> CredentialsDialog:
    dialog = CredentialsDialog(store.load(), store, KeyringSecretStore(keyring),
                               problem, None)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def click(qtbot: QtBot, dialog: CredentialsDialog, name: str) -> None:
    qtbot.mouseClick(find(dialog, QPushButton, name), Qt.MouseButton.LeftButton)


def fill_new(qtbot: QtBot, dialog: CredentialsDialog, name: str, key: str, secret: str) -> None:
    click(qtbot, dialog, "New profile")
    qtbot.keyClicks(find(dialog, QLineEdit, "Profile name"), name)
    qtbot.keyClicks(find(dialog, QLineEdit, "API key"), key)
    qtbot.keyClicks(find(dialog, QLineEdit, "API secret"), secret)


def test_the_sandbox_needs_nothing_and_cannot_be_edited(qtbot: QtBot, store: ProfileStore,
                                                         keyring: MemoryKeyring) -> None:
    dialog = open_dialog(qtbot, store, keyring)
    assert find(dialog, QListWidget, "Profiles").item(0).text() == SANDBOX_PROFILE.name
    assert not find(dialog, QLineEdit, "API secret").isEnabled()
    assert "needs no credentials" in find(dialog, QLabel, "Profile status").text()


def test_the_messages_api_sandbox_is_built_in_and_says_which_api_it_uses(
        qtbot: QtBot, store: ProfileStore, keyring: MemoryKeyring) -> None:
    dialog = open_dialog(qtbot, store, keyring)
    profiles = find(dialog, QListWidget, "Profiles")
    assert profiles.item(1).text() == SANDBOX_MESSAGES_PROFILE.name
    profiles.setCurrentRow(1)
    status = find(dialog, QLabel, "Profile status").text()
    assert "Messages API (POST /v1/messages)" in status and "needs no credentials" in status
    assert find(dialog, QComboBox, "Send through").currentData() == SendApi.MESSAGES
    for name in ("Profile name", "API key", "API secret"):
        assert not find(dialog, QLineEdit, name).isEnabled()
    assert not find(dialog, QComboBox, "Send through").isEnabled()
    assert not find(dialog, QPushButton, "Delete").isEnabled()


def test_a_new_profile_keeps_its_secret_only_in_the_keyring(
    qtbot: QtBot, store: ProfileStore, keyring: MemoryKeyring, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, store, keyring)
    fill_new(qtbot, dialog, "Acme live", "abcd1234", SECRET)
    with qtbot.waitSignal(dialog.profiles_changed) as blocker:
        click(qtbot, dialog, "Save")
    assert [p.name for p in blocker.args[0]] == [*BUILTIN_NAMES, "Acme live"]
    assert keyring.passwords == {("smsgui", "Acme live/api_secret"): SECRET}
    assert SECRET not in (tmp_path / "profiles.json").read_text(encoding="utf-8")
    assert [p.name for p in ProfileStore(tmp_path / "profiles.json").load()][-1] == "Acme live"
    assert find(dialog, QLineEdit, "API secret").text() == ""
    assert "stored" in find(dialog, QLineEdit, "API secret").placeholderText()


def test_an_empty_secret_field_keeps_the_stored_secret_and_a_rename_moves_it(
    qtbot: QtBot, store: ProfileStore, keyring: MemoryKeyring
) -> None:
    dialog = open_dialog(qtbot, store, keyring)
    fill_new(qtbot, dialog, "Acme", "abcd1234", SECRET)
    click(qtbot, dialog, "Save")
    name = find(dialog, QLineEdit, "Profile name")
    name.clear()
    qtbot.keyClicks(name, "Acme UK")
    click(qtbot, dialog, "Save")
    assert keyring.passwords == {("smsgui", "Acme UK/api_secret"): SECRET}


def test_deleting_a_profile_deletes_its_secrets(qtbot: QtBot, store: ProfileStore,
                                                keyring: MemoryKeyring) -> None:
    dialog = open_dialog(qtbot, store, keyring)
    fill_new(qtbot, dialog, "Signed", "abcd1234", SECRET)
    auth = find(dialog, QComboBox, "Authentication")
    auth.setCurrentIndex(2)
    qtbot.keyClicks(find(dialog, QLineEdit, "Signature secret"), "sig-" + SECRET)
    click(qtbot, dialog, "Save")
    assert len(keyring.passwords) == 2
    asked: list[str] = []
    dialog.confirm_delete = lambda name: asked.append(name) or False  # type: ignore[method-assign]
    click(qtbot, dialog, "Delete")
    assert asked == ["Signed"] and len(keyring.passwords) == 2
    dialog.confirm_delete = lambda name: True  # type: ignore[method-assign]
    click(qtbot, dialog, "Delete")
    assert keyring.passwords == {}
    assert [p.name for p in store.load()] == BUILTIN_NAMES


@pytest.mark.parametrize(
    ("name", "key", "secret", "message"),
    [("", "abcd1234", "s", "Give the profile a name"),
     ("Acme", "", "s", "API key"),
     ("Acme", "abcd1234", "", "API secret"),
     (SANDBOX_PROFILE.name, "abcd1234", "s", "already a profile"),
     (SANDBOX_MESSAGES_PROFILE.name, "abcd1234", "s", "already a profile")],
)
def test_what_is_missing_is_said_plainly(qtbot: QtBot, store: ProfileStore,
                                         keyring: MemoryKeyring, name: str, key: str,
                                         secret: str, message: str) -> None:
    dialog = open_dialog(qtbot, store, keyring)
    fill_new(qtbot, dialog, name, key, secret)
    click(qtbot, dialog, "Save")
    assert message in find(dialog, QLabel, "Profile status").text()
    assert keyring.passwords == {}


def test_a_missing_keyring_is_explained_with_session_only_use(
    qtbot: QtBot, store: ProfileStore, keyring: MemoryKeyring
) -> None:
    dialog = open_dialog(qtbot, store, keyring, NO_KEYRING)
    text = find(dialog, QLabel, "Keyring").text()
    assert NO_KEYRING.headline in text and "session only" in text


def test_profiles_round_trip_through_the_store(store: ProfileStore) -> None:
    profile = Profile("Custom", EndpointKind.CUSTOM, api_key="abcd1234",
                      rest_base_url="https://sms.example", api_base_url="https://api.example")
    store.save([*BUILTIN_PROFILES, profile])
    assert store.load() == [*BUILTIN_PROFILES, profile]
