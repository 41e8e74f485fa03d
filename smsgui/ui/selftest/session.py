"""One run's throwaway window, and the ``Step`` type the checks are written against.

A ``Session`` owns a temporary folder's worth of paths, the services built there with a
session-only secret store, the window on them and a prompter that never shows a dialog. Steps
are plain functions of the session; every wait in one is bounded by the step's ``timeout_s``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QChildEvent, QCoreApplication, QEvent, QEventLoop, QObject, Qt, QTimer
from PySide6.QtWidgets import QWidget

from smsgui.core.api.secrets import MemorySecretStore, SecretStore
from smsgui.ui.main_window import MainWindow, Prompter
from smsgui.ui.services import AppPaths, Services

logger = logging.getLogger(__name__)

SHORT_TIMEOUT_S = 5.0
"""The longest a wait may take in a step that does not say otherwise."""
STOP_WAIT_S = 15.0
"""After a failed send: how long the request in flight may take (the client's read timeout)."""

ServicesFactory = Callable[[AppPaths, SecretStore], Services]
"""Builds the services under the given paths with the given secret store (``build_services``)."""


class SelfTestCheckError(Exception):
    """A check did not hold; the message is the one-line reason."""


def check(condition: bool, reason: str) -> None:
    """Fail the step with ``reason`` unless ``condition`` holds."""
    if not condition:
        raise SelfTestCheckError(reason)


@dataclass(frozen=True)
class Step:
    """One check in a self-test: its name in the report, what it does, and its longest wait."""

    name: str
    action: Callable[[Session], None]
    """Does the step and raises ``SelfTestCheckError`` (or anything) when it does not hold."""
    timeout_s: float = SHORT_TIMEOUT_S


class SelfTestPrompter(Prompter):
    """Answers the window's questions with a path in the throwaway folder; never shows a dialog."""

    def __init__(self, document: Path) -> None:
        self.document = document
        self.problems: list[str] = []

    def confirm(self, parent: QWidget, title: str, text: str) -> bool:
        self.problems.append(f"the window asked {title!r}")
        return False  # never "Send for real?": the self-test only uses the sandbox

    def save_path(self, parent: QWidget, suggested: str) -> Path | None:
        return self.document

    def open_path(self, parent: QWidget) -> Path | None:
        return self.document

    def error(self, parent: QWidget, headline: str, cause: str, next_step: str,
              details: str = "") -> None:
        logger.warning("Self-test: the window reported %r (%s)", headline, cause)
        self.problems.append(f"the window reported {headline!r}")


class _KeepOffScreen(QObject):
    """Marks the window's dialogs 'do not show on screen' before they appear (Help menu run)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.ChildPolished and isinstance(event, QChildEvent):
            child = event.child()
            if isinstance(child, QWidget) and child.isWindow():
                child.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
        return False


class Session:
    """One window with its own throwaway services, for the steps of one run to work on."""

    def __init__(self, root: Path, on_screen: bool, make_services: ServicesFactory) -> None:
        self.paths = AppPaths(config=root / "config", data=root / "data", logs=root / "logs")
        self.prompter = SelfTestPrompter(root / "self-test-response.json")
        self.on_screen = on_screen
        self.timeout_s = SHORT_TIMEOUT_S
        """The running step's longest wait; set by the runner before each step."""
        self.services: Services | None = None
        self.window: MainWindow | None = None
        self.shown_rows: list[tuple[str, ...]] = []
        """What the results showed when they were saved, to compare after reopening."""
        self.copied: list[str] = []
        """Text the steps put on the clipboard, to be put back afterwards."""
        self._make_services = make_services
        self._off_screen = _KeepOffScreen()

    def open_window(self) -> MainWindow:
        """Build the throwaway services (secrets in memory only) and show a window on them."""
        self.services = self._make_services(self.paths, MemorySecretStore())
        window = MainWindow(self.services, self.prompter)
        self.window = window
        if not self.on_screen:
            window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
            window.installEventFilter(self._off_screen)
        window.show()
        return window

    @property
    def main(self) -> MainWindow:
        if self.window is None:
            raise SelfTestCheckError("the window is not open")
        return self.window

    @property
    def built_services(self) -> Services:
        if self.services is None:
            raise SelfTestCheckError("the services were not built")
        return self.services

    def no_problems(self) -> None:
        """Fail the step if the window asked a question or reported an error."""
        if self.prompter.problems:
            raise SelfTestCheckError(self.prompter.problems[0])

    def wait_until(self, condition: Callable[[], bool]) -> bool:
        """Run the event loop until ``condition`` holds or the step's time is up (False).

        Clicks and key presses wait meanwhile, so the person cannot interfere.
        """
        deadline = time.monotonic() + self.timeout_s
        while not condition():
            if time.monotonic() >= deadline:
                return False
            loop = QEventLoop()
            QTimer.singleShot(20, loop.quit)
            loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
        return True

    def tear_down(self) -> bool:
        """Stop everything, bounded; safe after any failure and twice. False: close refused."""
        closed = True
        window, self.window = self.window, None
        if window is not None:
            window.cancel_sending()  # nothing to cancel unless a step failed mid-send
            if self.services is not None:
                self.services.pool.waitForDone(int(STOP_WAIT_S * 1000))
            QCoreApplication.sendPostedEvents()  # let the window hear that the send finished
            window.close()
            closed = not window.isVisible()
            if not closed:  # refused to close: a send still runs
                window.shutdown()
                window.hide()
            window.removeEventFilter(self._off_screen)
            window.deleteLater()  # now, not later: the dialog and every widget go with it
            QCoreApplication.sendPostedEvents(window, QEvent.Type.DeferredDelete)
        services, self.services = self.services, None
        if services is not None:
            services.close()
        return closed
