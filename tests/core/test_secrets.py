"""Secrets in the OS keyring or in memory; keyring failures become plain-language problems.

Every keyring here is a fake passed to the store's constructor: no test touches the user's
keyring (tests/conftest.py also selects keyring's null backend for the whole run).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import traceback
from collections.abc import Callable

import pytest
import secretstorage.exceptions
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null
from keyring.errors import (
    InitError,
    KeyringLocked,
    NoKeyringError,
    PasswordDeleteError,
    PasswordSetError,
)

from smsgui.core.api.secrets import (
    ACCESS_DENIED,
    DELETE_FAILED,
    INSECURE_KEYRING,
    KEYRING_OFF,
    LOCKED,
    NO_KEYRING,
    SAVE_FAILED,
    SECRET_KINDS,
    UNAVAILABLE,
    KeyringSecretStore,
    MemorySecretStore,
    SecretProblem,
    SecretStore,
    SecretStoreError,
)

SECRET = "hunter2-Zebra-7781"


class DictKeyring(KeyringBackend):
    """An in-memory keyring, passed to the store explicitly.

    keyring registers every backend class; not viable, these fakes are never picked (or even
    built) by keyring's own detection or its chainer in any later test.
    """

    priority = -1  # type: ignore[assignment]
    viable = False

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.values.pop((service, username), None) is None:
            raise PasswordDeleteError("No such password!")


class FailingKeyring(DictKeyring):
    """Raises ``error`` from the operations named in ``on``."""

    def __init__(self, error: BaseException,
                 on: tuple[str, ...] = ("get", "set", "delete")) -> None:
        super().__init__()
        self.error = error
        self.on = on

    def get_password(self, service: str, username: str) -> str | None:
        if "get" in self.on:
            raise self.error
        return super().get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        if "set" in self.on:
            raise self.error
        super().set_password(service, username, password)

    def delete_password(self, service: str, username: str) -> None:
        if "delete" in self.on:
            raise self.error
        super().delete_password(service, username)


class PlaintextKeyring(DictKeyring):
    """Stands in for keyrings.alt's file backends (keyrings.alt itself is never installed)."""

    __module__ = "keyrings.alt.file"


class FakeChainer(chainer.ChainerBackend):
    """keyring's chainer with a fixed list of members instead of the installed backends."""

    priority = -1  # type: ignore[assignment]
    viable = False  # see DictKeyring

    def __init__(self, members: list[KeyringBackend]) -> None:
        super().__init__()
        self.members = members

    @property
    def backends(self) -> list[KeyringBackend]:  # type: ignore[override]
        return self.members


class DBusErrorResponse(Exception):  # noqa: N818 - named like jeepney's, which is matched by name
    """Like jeepney's D-Bus error: the error's D-Bus name is in ``name``."""

    def __init__(self, name: str) -> None:
        super().__init__(f"[{name}] {SECRET}")
        self.name = name


class WindowsError5(OSError):  # noqa: N818 - like pywintypes.error
    winerror = 5


@pytest.fixture
def keyring() -> DictKeyring:
    return DictKeyring()


@pytest.fixture
def store(keyring: DictKeyring) -> KeyringSecretStore:
    return KeyringSecretStore(keyring)


def test_secrets_round_trip_under_the_smsgui_service(store: KeyringSecretStore,
                                                     keyring: DictKeyring) -> None:
    store.set("Acme live", "api_secret", SECRET)
    store.set("Acme live", "signature_secret", "sig-" + SECRET)
    assert store.get("Acme live", "api_secret") == SECRET
    assert store.get("Acme live", "signature_secret") == "sig-" + SECRET
    assert store.get("Other", "api_secret") is None
    assert keyring.values == {("smsgui", "Acme live/api_secret"): SECRET,
                              ("smsgui", "Acme live/signature_secret"): "sig-" + SECRET}
    assert store.status() is None
    assert store.persistent


def test_deleting_is_fine_even_when_nothing_is_stored(store: KeyringSecretStore) -> None:
    store.set("Acme live", "api_secret", SECRET)
    store.delete("Acme live", "api_secret")
    store.delete("Acme live", "api_secret")
    store.delete("Never stored", "signature_secret")
    assert store.get("Acme live", "api_secret") is None


def test_deleting_a_profile_removes_every_secret_of_it_and_nothing_else(
        store: KeyringSecretStore, keyring: DictKeyring) -> None:
    for profile in ("Acme live", "Staging"):
        for kind in SECRET_KINDS:
            store.set(profile, kind, f"{profile}-{kind}")
    store.delete_profile("Acme live")
    store.delete_profile("Acme live")
    assert sorted(keyring.values) == [("smsgui", "Staging/api_secret"),
                                      ("smsgui", "Staging/private_key"),
                                      ("smsgui", "Staging/signature_secret")]


def test_an_empty_value_removes_the_secret(store: KeyringSecretStore,
                                           keyring: DictKeyring) -> None:
    store.set("Acme live", "signature_secret", SECRET)
    store.set("Acme live", "signature_secret", "")
    assert keyring.values == {}


@pytest.mark.parametrize(("profile", "kind"), [("Acme", "password"), ("Acme", ""),
                                                ("", "api_secret")])
def test_unknown_kinds_and_empty_profiles_are_programming_errors(
        store: KeyringSecretStore, profile: str, kind: str) -> None:
    with pytest.raises(ValueError, match=r"kind|profile"):
        store.get(profile, kind)


def test_a_refused_delete_of_a_stored_secret_is_reported(keyring: DictKeyring) -> None:
    backend = FailingKeyring(PasswordDeleteError("Cancelled by user"), on=("delete",))
    store = KeyringSecretStore(backend)
    store.set("Acme", "api_secret", SECRET)
    with pytest.raises(SecretStoreError) as raised:
        store.delete("Acme", "api_secret")
    assert raised.value.problem == DELETE_FAILED


def _store_calls() -> list[tuple[str, Callable[[KeyringSecretStore], object]]]:
    return [("get", lambda store: store.get("Acme", "api_secret")),
            ("set", lambda store: store.set("Acme", "api_secret", SECRET)),
            ("delete", lambda store: store.delete("Acme", "api_secret")),
            ("delete_profile", lambda store: store.delete_profile("Acme"))]


ERRORS = [
    pytest.param(NoKeyringError("No recommended backend"), NO_KEYRING, id="NoKeyringError"),
    pytest.param(KeyringLocked("Failed to unlock the collection!"), LOCKED, id="KeyringLocked"),
    pytest.param(secretstorage.exceptions.PromptDismissedException("dismissed"), LOCKED,
                 id="prompt-dismissed"),
    pytest.param(secretstorage.exceptions.LockedException("locked"), LOCKED,
                 id="secretstorage-locked"),
    pytest.param(InitError("Failed to create the collection"), UNAVAILABLE, id="InitError"),
    pytest.param(PermissionError(13, "Permission denied"), ACCESS_DENIED, id="PermissionError"),
    pytest.param(DBusErrorResponse("org.freedesktop.DBus.Error.AccessDenied"), ACCESS_DENIED,
                 id="dbus-access-denied"),
    pytest.param(DBusErrorResponse("org.freedesktop.DBus.Error.ServiceUnknown"), NO_KEYRING,
                 id="dbus-service-unknown"),
    pytest.param(DBusErrorResponse("org.freedesktop.Secret.Error.IsLocked"), LOCKED,
                 id="dbus-is-locked"),
    pytest.param(secretstorage.exceptions.SecretServiceNotAvailableException("gone"),
                 NO_KEYRING, id="secret-service-not-available"),
    pytest.param(WindowsError5("Access is denied"), ACCESS_DENIED, id="windows-access-denied"),
]


@pytest.mark.parametrize(("error", "problem"), ERRORS)
@pytest.mark.parametrize(("call", "operation"), _store_calls())
def test_keyring_errors_become_problems(error: BaseException, problem: SecretProblem,
                                        call: str, operation: Callable[..., object]) -> None:
    store = KeyringSecretStore(FailingKeyring(error))
    with pytest.raises(SecretStoreError) as raised:
        operation(store)
    assert raised.value.problem == problem
    assert str(raised.value) == problem.headline
    assert store.status() == problem


@pytest.mark.parametrize("error", [PasswordSetError("Cancelled by user"),
                                   PasswordSetError(f"refused {SECRET}")])
def test_a_refused_save_is_reported(error: Exception) -> None:
    store = KeyringSecretStore(FailingKeyring(error, on=("set",)))
    assert store.status() is None
    with pytest.raises(SecretStoreError) as raised:
        store.set("Acme", "api_secret", SECRET)
    assert raised.value.problem == SAVE_FAILED


@pytest.mark.parametrize("error", [RuntimeError(f"boom {SECRET}"), OSError(5, "I/O error"),
                                   ValueError("odd"), KeyError(SECRET)])
def test_any_other_error_is_unexpected_and_names_only_its_type(error: Exception) -> None:
    store = KeyringSecretStore(FailingKeyring(error))
    with pytest.raises(SecretStoreError) as raised:
        store.set("Acme", "api_secret", SECRET)
    problem = raised.value.problem
    assert problem.headline == "Your keyring reported a problem"
    assert f"({type(error).__name__})" in problem.cause
    assert SECRET not in repr(problem) and "boom" not in problem.cause
    assert store.status() == problem


def test_no_secret_in_errors_tracebacks_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    store = KeyringSecretStore(FailingKeyring(RuntimeError(f"cannot store {SECRET}")))
    with caplog.at_level(logging.DEBUG), pytest.raises(SecretStoreError) as raised:
        store.set("Acme", "api_secret", SECRET)
    error = raised.value
    assert error.__cause__ is None and error.__suppress_context__
    shown = [str(error), repr(error), repr(error.problem),
             "".join(traceback.format_exception(error)), repr(store), caplog.text]
    assert not [text for text in shown if SECRET in text]
    assert "RuntimeError" in caplog.text and "[redacted]" in caplog.text


@pytest.mark.parametrize(("backend", "problem", "name"), [
    pytest.param(fail.Keyring(), NO_KEYRING, "none (no system keyring found)", id="fail"),
    pytest.param(null.Keyring(), KEYRING_OFF, "none (password storage switched off)",
                 id="null"),
    pytest.param(PlaintextKeyring(), INSECURE_KEYRING,
                 "plain file (keyrings.alt), not used by smsgui", id="keyrings.alt"),
    pytest.param(FakeChainer([DictKeyring(), PlaintextKeyring()]), INSECURE_KEYRING,
                 "test secrets DictKeyring", id="chainer-with-keyrings.alt"),
    pytest.param(FakeChainer([]), NO_KEYRING, "none (no system keyring found)",
                 id="empty-chainer"),
])
def test_unsafe_or_missing_keyrings_are_refused(backend: KeyringBackend, problem: SecretProblem,
                                                name: str) -> None:
    store = KeyringSecretStore(backend)
    assert store.status() == problem
    assert store.backend_name == name
    for _, operation in _store_calls():
        with pytest.raises(SecretStoreError) as raised:
            operation(store)
        assert raised.value.problem == problem
    members = getattr(backend, "members", [backend])
    assert not [m for m in members if isinstance(m, DictKeyring) and m.values]


def test_a_chainer_of_safe_keyrings_is_used_and_named_after_its_first() -> None:
    first = DictKeyring()
    store = KeyringSecretStore(FakeChainer([first, DictKeyring()]))
    store.set("Acme", "api_secret", SECRET)
    assert first.values == {("smsgui", "Acme/api_secret"): SECRET}
    assert store.status() is None
    assert store.backend_name == "test secrets DictKeyring"


@pytest.mark.parametrize(("module", "name"), [
    ("keyring.backends.SecretService", "GNOME Keyring (Secret Service)"),
    ("keyring.backends.macOS", "macOS Keychain"),
    ("keyring.backends.kwallet", "KDE Wallet (KWallet)"),
])
def test_the_backend_has_a_human_name(module: str, name: str) -> None:
    # Classes with the real backends' names, so the test runs on any platform.
    backend_class = type("DBusKeyring" if "kwallet" in module else "Keyring", (DictKeyring,),
                         {"__module__": module})
    assert KeyringSecretStore(backend_class()).backend_name == name


def test_windows_credential_manager_is_named() -> None:
    backend_class = type("WinVaultKeyring", (DictKeyring,),
                         {"__module__": "keyring.backends.Windows"})
    assert KeyringSecretStore(backend_class()).backend_name == "Windows Credential Manager"


def test_the_default_keyring_is_looked_up_only_when_first_needed() -> None:
    program = (
        "import sys\n"
        "from smsgui.core.api.secrets import KeyringSecretStore\n"
        "store = KeyringSecretStore()\n"
        "print('keyring' in sys.modules)\n"
        "print(store.backend_name)\n"
        "print(store.status().headline)\n"
    )
    environment = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                            check=True, timeout=60, env=environment)
    assert result.stdout.splitlines() == ["False", "none (no system keyring found)",
                                          NO_KEYRING.headline]


def test_memory_store_keeps_secrets_for_the_session_only() -> None:
    store: SecretStore = MemorySecretStore()
    assert store.backend_name == "memory (session only)" and not store.persistent
    assert store.status() is None
    store.set("Acme", "api_secret", SECRET)
    store.set("Acme", "signature_secret", "sig")
    store.set("Other", "api_secret", "other")
    assert store.get("Acme", "api_secret") == SECRET
    assert SECRET not in repr(store) and SECRET not in str(store)
    store.delete("Acme", "api_secret")
    store.delete("Acme", "api_secret")
    assert store.get("Acme", "api_secret") is None
    store.delete_profile("Acme")
    assert store.get("Acme", "signature_secret") is None
    assert store.get("Other", "api_secret") == "other"
    with pytest.raises(ValueError, match="kind"):
        store.set("Acme", "password", SECRET)


def test_problems_read_as_headline_cause_and_next_step() -> None:
    problems = [NO_KEYRING, KEYRING_OFF, INSECURE_KEYRING, LOCKED, ACCESS_DENIED, UNAVAILABLE,
                SAVE_FAILED, DELETE_FAILED]
    for problem in problems:
        assert problem.headline and not problem.headline.endswith(".")
        assert problem.cause.endswith(".") and problem.next_step.endswith(".")
    assert "session-only" in NO_KEYRING.next_step
