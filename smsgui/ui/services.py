"""What the window works with, built once by the composition root (``app.build_services``).

It lives apart from the window so that the app, the self-test and the tests can build one
without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from smsgui.core.lazy import Lazy
from smsgui.core.profiles import ProfileStore
from smsgui.core.secrets import SecretProblem, SecretStore
from smsgui.ui.settings import AppSettings

if TYPE_CHECKING:
    import httpx
    from PySide6.QtCore import QThreadPool

    from smsgui.core.history import History
    from smsgui.core.knowledge import KnowledgeBase
    from smsgui.sandbox.embedded import EmbeddedSandbox


@dataclass
class Services:
    """Everything the window works with, built once by the composition root."""

    knowledge: KnowledgeBase
    settings: AppSettings
    profiles: ProfileStore
    secrets: SecretStore
    history: Lazy[History | None]
    sandbox: EmbeddedSandbox
    http: Lazy[httpx.Client]
    pool: QThreadPool
    keyring_problem: SecretProblem | None = None
