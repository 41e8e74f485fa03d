"""API secrets behind a tiny interface: the OS keyring, or memory for this session only.

The credentials panel asks a ``SecretStore`` for a profile's secrets and names the store's
``backend_name``. ``KeyringSecretStore`` keeps them in the OS keyring (Secret Service, KWallet,
macOS Keychain, Windows Credential Manager) and refuses keyrings that would keep them in a plain
file; every keyring failure becomes a ``SecretStoreError`` whose ``problem`` a person can act on.
``MemorySecretStore`` is the session-only fallback the user can choose instead.

A secret never appears in an exception, a log record or a ``repr``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeVar

from smsgui.core.privacy import REDACTED

if TYPE_CHECKING:  # importing keyring costs about 50 ms; it is imported on first use instead
    from keyring.backend import KeyringBackend

_log = logging.getLogger(__name__)
_T = TypeVar("_T")

SERVICE_NAME = "smsgui"
SECRET_KINDS = ("api_secret", "signature_secret", "private_key")
"""``private_key`` is a Vonage application's key (PEM), for Messages API JWTs."""
_PROBE_USERNAME = "smsgui-probe/none"


@dataclass(frozen=True)
class SecretProblem:
    """Why secrets cannot be kept, in words for someone who is not a developer."""

    headline: str
    cause: str
    next_step: str


_SESSION_ONLY = "or use session-only mode: the secret is kept in memory until smsgui closes."

NO_KEYRING = SecretProblem(
    "Your passwords cannot be stored on this computer",
    "No system keyring (such as GNOME Keyring or KWallet) is running.",
    f"Start your desktop's keyring, {_SESSION_ONLY}",
)
KEYRING_OFF = SecretProblem(
    "Your passwords cannot be stored on this computer",
    "Password storage is switched off for smsgui: the keyring setting in use "
    "(the \"null\" keyring) forgets everything it is given.",
    f"Ask whoever set up this computer to remove that keyring setting, {_SESSION_ONLY}",
)
INSECURE_KEYRING = SecretProblem(
    "smsgui will not store your passwords in a plain file",
    "The only keyring available keeps passwords in a file on disk (keyrings.alt), "
    "where other programs could read them.",
    f"Start your desktop's keyring (such as GNOME Keyring or KWallet), {_SESSION_ONLY}",
)
LOCKED = SecretProblem(
    "Your keyring is locked",
    "The system keyring is locked, or the request to unlock it was dismissed or refused.",
    f"Unlock your keyring (log in to your desktop or open your passwords app) and try again, "
    f"{_SESSION_ONLY}",
)
ACCESS_DENIED = SecretProblem(
    "smsgui is not allowed to use your keyring",
    "The system keyring refused smsgui access.",
    f"Allow smsgui in your keyring's settings or answer its access prompt, then try again, "
    f"{_SESSION_ONLY}",
)
UNAVAILABLE = SecretProblem(
    "Your keyring could not be opened",
    "The system keyring did not respond, or it has no default place to keep passwords.",
    f"Restart your desktop's keyring (or log out and in again) and try again, {_SESSION_ONLY}",
)
SAVE_FAILED = SecretProblem(
    "Your password could not be saved",
    "The system keyring refused to store it.",
    f"Check that your keyring is unlocked and lets smsgui in, then try again, {_SESSION_ONLY}",
)
DELETE_FAILED = SecretProblem(
    "The stored password could not be removed",
    "The system keyring refused to delete it.",
    "Remove the \"smsgui\" entries with your passwords app (such as Seahorse, KWalletManager, "
    "Keychain Access or Credential Manager), then try again.",
)


def unexpected_problem(error: BaseException) -> SecretProblem:
    """The problem for an error nobody foresaw; only its type name is shown."""
    return SecretProblem(
        "Your keyring reported a problem",
        f"The keyring failed with an unexpected error ({type(error).__name__}).",
        f"Try again; if it keeps happening, restart your desktop's keyring, {_SESSION_ONLY} "
        "The log file has the details for support.",
    )


class SecretStoreError(Exception):
    """Secrets cannot be read or kept; ``problem`` says why. ``str()`` is the headline."""

    def __init__(self, problem: SecretProblem) -> None:
        super().__init__(problem.headline)
        self.problem = problem


class SecretStore(Protocol):
    """Where a profile's secrets live. Every method may raise ``SecretStoreError``."""

    @property
    def backend_name(self) -> str:
        """A human name for the storage, e.g. "macOS Keychain"."""
        ...

    @property
    def persistent(self) -> bool:
        """True when secrets outlive this session."""
        ...

    def get(self, profile: str, kind: str) -> str | None: ...

    def set(self, profile: str, kind: str, value: str) -> None: ...

    def delete(self, profile: str, kind: str) -> None: ...

    def delete_profile(self, profile: str) -> None: ...

    def status(self) -> SecretProblem | None:
        """None when the store can be used, else what stands in the way."""
        ...


def _check_key(profile: str, kind: str) -> None:
    if kind not in SECRET_KINDS:
        raise ValueError(f"unknown secret kind {kind!r}; expected one of {SECRET_KINDS}")
    if not profile:
        raise ValueError("a secret needs a profile name")


class MemorySecretStore:
    """Session-only secrets: kept in this process's memory and gone when smsgui closes."""

    backend_name = "memory (session only)"
    persistent = False

    def __init__(self) -> None:
        self._values: dict[tuple[str, str], str] = {}

    def __repr__(self) -> str:
        return f"<MemorySecretStore holding {len(self._values)} secret(s)>"

    def get(self, profile: str, kind: str) -> str | None:
        _check_key(profile, kind)
        return self._values.get((profile, kind))

    def set(self, profile: str, kind: str, value: str) -> None:
        """Keep ``value``; an empty value removes the secret."""
        _check_key(profile, kind)
        if value:
            self._values[(profile, kind)] = value
        else:
            self._values.pop((profile, kind), None)

    def delete(self, profile: str, kind: str) -> None:
        _check_key(profile, kind)
        self._values.pop((profile, kind), None)

    def delete_profile(self, profile: str) -> None:
        for kind in SECRET_KINDS:
            self.delete(profile, kind)

    def status(self) -> SecretProblem | None:
        return None


_BACKEND_NAMES = {
    "keyring.backends.SecretService.Keyring": "GNOME Keyring (Secret Service)",
    "keyring.backends.libsecret.Keyring": "GNOME Keyring (libsecret)",
    "keyring.backends.kwallet.DBusKeyring": "KDE Wallet (KWallet)",
    "keyring.backends.kwallet.DBusKeyringKWallet4": "KDE Wallet 4 (KWallet)",
    "keyring.backends.macOS.Keyring": "macOS Keychain",
    "keyring.backends.Windows.WinVaultKeyring": "Windows Credential Manager",
    "keyring.backends.fail.Keyring": "none (no system keyring found)",
    "keyring.backends.null.Keyring": "none (password storage switched off)",
}
_FAIL = "keyring.backends.fail.Keyring"
_NULL = "keyring.backends.null.Keyring"
_CHAINER = "keyring.backends.chainer.ChainerBackend"
_INSECURE_MODULES = ("keyrings.alt",)


def _class_names(backend: object) -> list[str]:
    return [f"{cls.__module__}.{cls.__qualname__}" for cls in type(backend).__mro__]


def _is_insecure(backend: object) -> bool:
    return any(cls.__module__.startswith(_INSECURE_MODULES) for cls in type(backend).__mro__)


def _chained(backend: object) -> list[object] | None:
    """The backends a chainer would use, or None for any other backend."""
    if _CHAINER not in _class_names(backend):
        return None
    return list(getattr(backend, "backends", []))


def _refusal(backend: object) -> SecretProblem | None:
    """Why smsgui will not keep secrets in ``backend``, or None when it is fit for them."""
    names = _class_names(backend)
    if _is_insecure(backend):
        return INSECURE_KEYRING
    if _FAIL in names:
        return NO_KEYRING
    if _NULL in names:
        return KEYRING_OFF
    chained = _chained(backend)
    if chained is None:
        return None
    if not chained:
        return NO_KEYRING
    problems = [_refusal(member) for member in chained]
    return next((problem for problem in problems if problem), None)


def _describe_backend(backend: object) -> str:
    """A human name for a keyring backend, e.g. "Windows Credential Manager"."""
    if _is_insecure(backend):
        return "plain file (keyrings.alt), not used by smsgui"
    chained = _chained(backend)
    if chained:
        return _describe_backend(chained[0])
    if chained is not None:
        return _BACKEND_NAMES[_FAIL]
    for name in _class_names(backend):
        if name in _BACKEND_NAMES:
            return _BACKEND_NAMES[name]
    return str(getattr(type(backend), "name", type(backend).__name__))


def _problem_for(error: BaseException) -> SecretProblem:
    """Map any exception a keyring backend raises to a problem a person can act on."""
    names = {cls.__name__ for cls in type(error).__mro__}
    dbus_name = str(getattr(error, "name", "") or "")
    if names & {"KeyringLocked", "LockedException", "PromptDismissedException"} or (
        dbus_name.endswith(".IsLocked")
    ):
        return LOCKED
    if names & {"NoKeyringError", "SecretServiceNotAvailableException"} or dbus_name.endswith(
        (".ServiceUnknown", ".NameHasNoOwner", ".NoReply", ".NoServer", ".Spawn.ServiceNotFound")
    ):
        return NO_KEYRING
    if (isinstance(error, PermissionError) or dbus_name.endswith(".AccessDenied")
            or getattr(error, "winerror", None) == 5):
        return ACCESS_DENIED
    known = {"InitError": UNAVAILABLE, "PasswordSetError": SAVE_FAILED,
             "PasswordDeleteError": DELETE_FAILED}
    for name, problem in known.items():
        if name in names:
            return problem
    return unexpected_problem(error)


class KeyringSecretStore:
    """Secrets in the OS keyring, under service "smsgui" and username "<profile>/<kind>".

    Args:
        backend: the keyring backend to use; by default ``keyring.get_keyring()``, looked up on
            first use because importing keyring is slow.
        service: the keyring service name; tests may choose their own.
    """

    persistent = True

    def __init__(self, backend: KeyringBackend | None = None, service: str = SERVICE_NAME) -> None:
        self._backend = backend
        self._service = service
        self._resolve_lock = threading.Lock()

    def __repr__(self) -> str:
        backend = "default keyring" if self._backend is None else type(self._backend).__name__
        return f"<KeyringSecretStore service={self._service!r} backend={backend}>"

    @property
    def backend_name(self) -> str:
        try:
            return _describe_backend(self._resolved())
        except Exception:  # naming the keyring must never fail
            return "unknown (the keyring could not be loaded)"

    def status(self) -> SecretProblem | None:
        """None when secrets can be kept; probes the keyring once with a harmless lookup."""
        try:
            self._usable_backend().get_password(self._service, _PROBE_USERNAME)
        except SecretStoreError as error:
            return error.problem
        except Exception as error:
            return self._failure(error, "probe").problem
        return None

    def get(self, profile: str, kind: str) -> str | None:
        _check_key(profile, kind)
        username = f"{profile}/{kind}"
        return self._call("read", lambda backend: backend.get_password(self._service, username))

    def set(self, profile: str, kind: str, value: str) -> None:
        """Keep ``value`` in the keyring; an empty value removes the secret."""
        _check_key(profile, kind)
        if not value:
            self.delete(profile, kind)
            return
        username = f"{profile}/{kind}"
        self._call("save", lambda backend: backend.set_password(self._service, username, value),
                   secret=value)

    def delete(self, profile: str, kind: str) -> None:
        """Remove the secret; removing one that is not there is fine."""
        _check_key(profile, kind)
        self._call("delete", lambda backend: self._delete(backend, f"{profile}/{kind}"))

    def delete_profile(self, profile: str) -> None:
        for kind in SECRET_KINDS:
            self.delete(profile, kind)

    def _delete(self, backend: KeyringBackend, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        try:
            backend.delete_password(self._service, username)
        except PasswordDeleteError:
            # Backends say "no such password" with the same error as a refusal: tell them apart.
            if backend.get_password(self._service, username) is not None:
                raise

    def _call(self, action: str, operation: Callable[[KeyringBackend], _T],
              secret: str = "") -> _T:
        backend = self._usable_backend()
        try:
            return operation(backend)
        except Exception as error:
            raise self._failure(error, action, secret) from None

    def _usable_backend(self) -> KeyringBackend:
        backend = self._resolved()
        try:
            problem = _refusal(backend)
        except Exception as error:  # a chainer discovers its members on first look
            raise self._failure(error, "inspect") from None
        if problem is not None:
            raise SecretStoreError(problem)
        return backend

    def _resolved(self) -> KeyringBackend:
        with self._resolve_lock:
            if self._backend is None:
                try:
                    import keyring

                    self._backend = keyring.get_keyring()
                except Exception as error:
                    raise self._failure(error, "load") from None
            return self._backend

    @staticmethod
    def _failure(error: BaseException, action: str, secret: str = "") -> SecretStoreError:
        problem = _problem_for(error)
        detail = str(error).replace(secret, REDACTED) if secret else str(error)
        _log.warning("Keyring %s failed: %s: %s -> %s", action, type(error).__name__, detail,
                     problem.headline)
        return SecretStoreError(problem)
