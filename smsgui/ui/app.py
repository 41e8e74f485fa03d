"""The composition root: builds every service once, hands them to the window, tears down.

It is also where the self-test is put together (``default_self_test``): the self-test package
gets ``build_services`` from here and the window gets the self-test through ``Services``, so
neither imports this module.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QThreadPool
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from smsgui import APP_ID, APP_NAME, __version__
from smsgui.applog import setup_logging
from smsgui.core.api.profiles import ProfileStore
from smsgui.core.api.secrets import KeyringSecretStore, SecretStore
from smsgui.core.lazy import Lazy
from smsgui.core.reference.knowledge import default_knowledge_base
from smsgui.core.reference.resources import resource_path
from smsgui.sandbox.embedded import EmbeddedSandbox
from smsgui.ui.errors import install_excepthook, route_qt_messages_to_logging
from smsgui.ui.main_window import MainWindow
from smsgui.ui.services import AppPaths, KeyringState, Services
from smsgui.ui.settings import AppSettings

if TYPE_CHECKING:
    import httpx
    from PySide6.QtWidgets import QWidget

    from smsgui.core.records.history import History
    from smsgui.ui.selftest import SelfTest, SelfTestReport

__all__ = ["AppPaths", "build_services", "close_services", "default_self_test", "open_history",
           "run_app", "run_self_test_in_window"]

logger = logging.getLogger(__name__)


def build_services(paths: AppPaths, secrets: SecretStore | None = None) -> Services:
    """Everything the window needs; what the first frame does not need is built on first use."""
    paths.config.mkdir(parents=True, exist_ok=True)
    paths.data.mkdir(parents=True, exist_ok=True)
    settings = QSettings(str(paths.config / "settings.ini"), QSettings.Format.IniFormat)
    history_path = paths.data / "history.sqlite3"
    # Whether the keyring works is asked by the window, off the UI thread (it may prompt).
    return Services(
        knowledge=default_knowledge_base(paths.cache),
        settings=AppSettings(settings),
        profiles=ProfileStore(paths.config / "profiles.json"),
        keyring=KeyringState(secrets or KeyringSecretStore()),
        history=Lazy(lambda: open_history(history_path)),
        sandbox=EmbeddedSandbox(),
        http=Lazy(_make_http_client),
        pool=QThreadPool(),
        self_test=run_self_test_in_window,
    )


def open_history(path: Path) -> History | None:
    """The history at ``path``, or None (the app stays usable without one)."""
    from smsgui.core.records.history import History

    try:
        return History(path)
    except Exception:
        logger.exception("The history database could not be opened")
        return None


def _make_http_client() -> httpx.Client:
    from smsgui.core.api.client import make_http_client

    return make_http_client()


def close_services(services: Services) -> None:
    services.close()


def default_self_test() -> SelfTest:
    """What ``smsgui --self-test`` and Help > Run self-test run: the default steps and budget."""
    from smsgui.ui.selftest import DEFAULT_BUDGET_S, DEFAULT_STEPS, SelfTest

    return SelfTest(DEFAULT_STEPS, DEFAULT_BUDGET_S, build_services)


def run_self_test_in_window(parent: QWidget) -> SelfTestReport:
    """Help > Run self-test (``Services.self_test``): the default self-test, hidden."""
    return default_self_test().run_in_window(parent)


def run_app(argv: list[str] | None = None) -> int:
    """Open the window and run the event loop until it closes."""
    existing = QApplication.instance()
    app = (existing if isinstance(existing, QApplication)
           else QApplication(argv if argv is not None else sys.argv))
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(QIcon(str(resource_path("icons/smsgui.svg"))))
    paths = AppPaths.for_user()
    log_handler = setup_logging(paths.logs)
    route_qt_messages_to_logging()
    services = build_services(paths)
    window = MainWindow(services)
    install_excepthook(lambda: window)
    window.show()
    try:
        return app.exec()
    finally:
        close_services(services)
        logging.getLogger().removeHandler(log_handler)
        log_handler.close()
