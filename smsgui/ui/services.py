"""What the window works with, built once by the composition root (``app.build_services``).

It lives apart from the window so that the app, the self-test and the tests can build one
without importing each other: the self-test gets ``build_services`` handed in, and the window
gets the self-test handed in (``Services.self_test``), so neither imports ``app``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from smsgui import APP_NAME
from smsgui.core.api.profiles import ProfileStore
from smsgui.core.api.secrets import MemorySecretStore, SecretProblem, SecretStore
from smsgui.core.lazy import Lazy
from smsgui.ui.settings import AppSettings

if TYPE_CHECKING:
    from collections.abc import Callable

    import httpx
    from PySide6.QtCore import QThreadPool
    from PySide6.QtWidgets import QWidget

    from smsgui.core.records.history import History
    from smsgui.core.reference.knowledge import KnowledgeBase
    from smsgui.sandbox.embedded import EmbeddedSandbox
    from smsgui.ui.selftest.report import SelfTestReport


@dataclass(frozen=True)
class AppPaths:
    """Where smsgui keeps its settings, data and logs."""

    config: Path
    data: Path
    logs: Path
    cache: Path | None = None
    """Where what can be rebuilt is kept (the parsed knowledge base); None keeps nothing."""

    @classmethod
    def for_user(cls) -> AppPaths:
        return cls(config=platformdirs.user_config_path(APP_NAME, appauthor=False),
                   data=platformdirs.user_data_path(APP_NAME, appauthor=False),
                   logs=platformdirs.user_log_path(APP_NAME, appauthor=False),
                   cache=platformdirs.user_cache_path(APP_NAME, appauthor=False))


@dataclass(eq=False)
class KeyringState:
    """The secret store in use, and why it is not the keyring: all that changes after start-up.

    It starts with the store the composition root chose (normally the keyring). When the window
    learns that the keyring does not work, ``fall_back_to_memory`` swaps in a session-only store
    and keeps the problem, so the profiles dialog can say why. Changed on the UI thread only.
    """

    store: SecretStore
    problem: SecretProblem | None = None

    def fall_back_to_memory(self, problem: SecretProblem) -> None:
        """Keep secrets for this session only from now on, because of ``problem``."""
        self.store = MemorySecretStore()
        self.problem = problem


@dataclass(frozen=True, eq=False)
class Services:
    """Everything the window works with, built once by the composition root.

    The fields never change; what does (the secret store) is held by ``keyring``.
    """

    knowledge: KnowledgeBase
    settings: AppSettings
    profiles: ProfileStore
    keyring: KeyringState
    history: Lazy[History | None]
    sandbox: EmbeddedSandbox
    http: Lazy[httpx.Client]
    pool: QThreadPool
    self_test: Callable[[QWidget], SelfTestReport]
    """Help > Run self-test: runs it with the given window as parent and returns the report."""

    @property
    def secrets(self) -> SecretStore:
        """The secret store in use now: the keyring, or memory once the keyring failed."""
        return self.keyring.store

    @property
    def keyring_problem(self) -> SecretProblem | None:
        """Why secrets are kept for this session only; None while the keyring is in use."""
        return self.keyring.problem

    def close(self) -> None:
        """Wait, bounded, for the workers, then stop the sandbox and close what was opened."""
        self.pool.waitForDone(15_000)
        self.sandbox.stop()
        http = self.http.peek()
        if http is not None:
            http.close()
        history = self.history.peek()
        if history is not None:
            history.close()
