"""The self-test: the real window sends through the built-in sandbox in a throwaway folder.

``smsgui --self-test`` (``run_cli``) and Help > Run self-test (``run_self_test_in_window``) run the
same steps. Each works in a fresh temporary folder (settings, data, profiles, history, logs) with a
session-only secret store, so the person's own settings, history and keyring are never read or
written, and the folder is removed afterwards, also when a step fails. Every wait has a timeout.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, suppress
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from PySide6.QtCore import (
    QChildEvent,
    QCoreApplication,
    QEvent,
    QEventLoop,
    QObject,
    Qt,
    QTimer,
    qInstallMessageHandler,
)
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QWidget,
)

from smsgui import APP_NAME, __version__
from smsgui.applog import LOG_FILE_NAME, setup_logging
from smsgui.core.privacy import mask_number
from smsgui.core.profiles import SANDBOX_PROFILE_NAME
from smsgui.core.secrets import MemorySecretStore
from smsgui.ui.app import AppPaths, build_services, close_services
from smsgui.ui.errors import route_qt_messages_to_logging
from smsgui.ui.main_window import MainWindow, Prompter
from smsgui.ui.services import Services

logger = logging.getLogger(__name__)
W = TypeVar("W", bound=QWidget)

SEND_TIMEOUT_S = 20.0
"""The longest the send may take; the sandbox answers in milliseconds."""
SHORT_TIMEOUT_S = 5.0
"""The longest any other wait may take."""
STOP_WAIT_S = 15.0
"""After a failed send: how long the request in flight may take (the client's read timeout)."""
CLI_BUDGET_S = 50.0
"""``smsgui --self-test`` gives up after this long even if something hangs."""
VERBOSE_VARIABLE = "SMSGUI_SELF_TEST_VERBOSE"
STRAY_OUTPUT_NAME = "stderr.txt"
RECIPIENTS = ("447700900000", "447700900029")
ACCEPTED_STATUS = "0 Success"
REFUSED_STATUS = "29 Non-Whitelisted Destination"
REFUSED_ENTRY = "status-29"
SENDER = "SelfTest"
MESSAGE = "smsgui self-test: nothing is really sent."


class SelfTestCheckError(Exception):
    """A check did not hold; the message is the one-line reason."""


@dataclass(frozen=True)
class StepResult:
    """One step: its short name, whether it passed, why not, and how long it took."""

    name: str
    passed: bool
    reason: str = ""
    seconds: float = 0.0
    details: str = field(default="", repr=False)
    """The traceback of an unexpected error, for support; empty otherwise."""


@dataclass(frozen=True)
class SelfTestReport:
    """What a self-test run found. Steps after a failed one did not run and are not listed."""

    steps: tuple[StepResult, ...]
    seconds: float
    log_text: str = field(default="", repr=False)
    """``smsgui --self-test`` only: the throwaway log, read before it was deleted."""

    @property
    def passed(self) -> bool:
        return bool(self.steps) and all(step.passed for step in self.steps)

    @property
    def failure(self) -> StepResult | None:
        return next((step for step in self.steps if not step.passed), None)

    @property
    def summary(self) -> str:
        """One line: 'smsgui self-test passed: ...' or 'smsgui self-test failed: step: reason'."""
        failure = self.failure
        if failure is not None:
            return f"smsgui self-test failed: {failure.name}: {failure.reason}"
        if not self.steps:
            return "smsgui self-test failed: start: no step ran"
        return f"smsgui self-test passed: {len(self.steps)} checks in {self.seconds:.1f} s"

    def describe(self) -> str:
        """The summary, then one line per step, e.g. for a message box's details."""
        lines = [self.summary, ""]
        for step in self.steps:
            mark = "passed" if step.passed else f"FAILED: {step.reason}"
            lines.append(f"{step.name}: {mark} ({step.seconds:.2f} s)")
        return "\n".join(lines)


@dataclass
class RunState:
    """Where a run is, for the watchdog that ends a hung ``smsgui --self-test``."""

    step: str = "start"
    folder: Path | None = None


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


class SelfTestRun:
    """The steps, in order, against one window with its own throwaway services."""

    def __init__(self, root: Path, on_screen: bool) -> None:
        self.paths = AppPaths(config=root / "config", data=root / "data", logs=root / "logs")
        self.prompter = SelfTestPrompter(root / "self-test-response.json")
        self.on_screen = on_screen
        self.services: Services | None = None
        self.window: MainWindow | None = None
        self._off_screen = _KeepOffScreen()
        self._shown_rows: list[tuple[str, ...]] = []

    def steps(self) -> list[tuple[str, Callable[[], None]]]:
        return [("start", self.start), ("compose", self.compose), ("send", self.send),
                ("decode", self.decode), ("troubleshooting", self.troubleshooting),
                ("save", self.save), ("reopen", self.reopen), ("summary", self.summary),
                ("close", self.close)]

    @property
    def main(self) -> MainWindow:
        if self.window is None:
            raise SelfTestCheckError("the window is not open")
        return self.window

    # -- steps ----------------------------------------------------------------------------------

    def start(self) -> None:
        """Open the window on the built-in Sandbox profile and start the embedded sandbox."""
        self.services = build_services(self.paths, secrets=MemorySecretStore())
        window = MainWindow(self.services, self.prompter)
        self.window = window
        if not self.on_screen:
            window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
            window.installEventFilter(self._off_screen)
        window.show()
        profiles = _named(window, QComboBox, "Profile")
        index = profiles.findText(SANDBOX_PROFILE_NAME)
        _check(index >= 0, f"there is no {SANDBOX_PROFILE_NAME!r} profile")
        profiles.setCurrentIndex(index)
        _check(window.profile.is_builtin, f"the profile in use is {window.profile.name!r}")
        _check(_named(window, QWidget, "Sandbox badge").isVisible(),
               "the SANDBOX badge is not shown")
        url = self.services.sandbox.url()
        _check(self.services.sandbox.running and url.startswith("http://127.0.0.1:"),
               f"the embedded sandbox is not running on loopback ({url})")

    def compose(self) -> None:
        """Fill From, To and Message the way a person (or a screen reader) finds them."""
        window = self.main
        _named(window, QLineEdit, "From").setText(SENDER)
        _named(window, QPlainTextEdit, "To").setPlainText("\n".join(RECIPIENTS))
        _named(window, QPlainTextEdit, "Message text").setPlainText(MESSAGE)
        send = _named(window, QPushButton, "Send")
        if not _wait_until(send.isEnabled, SHORT_TIMEOUT_S):
            raise SelfTestCheckError(f"Send stays disabled ({send.accessibleDescription()})")

    def send(self) -> None:
        """Click Send and wait, bounded, for both answers."""
        window = self.main
        cancel = _named(window, QPushButton, "Cancel sending")
        _named(window, QPushButton, "Send").click()
        self._no_problems()
        _check(cancel.isEnabled(), "clicking Send started no send")
        if not _wait_until(lambda: not cancel.isEnabled() or bool(self.prompter.problems),
                           SEND_TIMEOUT_S):
            window.cancel_sending()
            raise SelfTestCheckError(f"the send did not finish within {SEND_TIMEOUT_S:.0f} s")
        self._no_problems()
        rows = _table_rows(window)
        _check(len(rows) == len(RECIPIENTS),
               f"{len(rows)} result row(s) for {len(RECIPIENTS)} recipients")

    def decode(self) -> None:
        """One accepted part with price and balance, one refused with status 29."""
        services = self._services()
        rows = _table_rows(self.main)
        statuses = [_cell(row, "Status") for row in rows]
        _check(statuses == [ACCEPTED_STATUS, REFUSED_STATUS],
               f"the statuses were {statuses}, expected {[ACCEPTED_STATUS, REFUSED_STATUS]}")
        accepted, refused = rows
        price, balance = services.sandbox.config.price, services.sandbox.config.balance
        _check(_amount(_cell(accepted, "Price")) == price,
               f"the price was {_cell(accepted, 'Price')!r}, expected {price}")
        _check(_amount(_cell(accepted, "Balance")) == balance - price,
               f"the balance was {_cell(accepted, 'Balance')!r}, expected {balance - price}")
        _check(_cell(refused, "Price") == "" and _cell(refused, "Balance") == "",
               "the refused message shows a price or balance")

    def troubleshooting(self) -> None:
        shown = self.main.troubleshooting.highlighted_id()
        _check(shown == REFUSED_ENTRY, f"the highlighted entry was {shown!r}, "
                                       f"expected {REFUSED_ENTRY!r}")

    def save(self) -> None:
        window = self.main
        self._shown_rows = _decoded_cells(window)
        window.save_file()
        self._no_problems()
        document = self.prompter.document
        _check(document.is_file() and document.stat().st_size > 0,
               f"nothing was saved to {document.name}")

    def reopen(self) -> None:
        """Clear the results, open the saved file, and see the same rows and the same entry."""
        window = self.main
        window.show_exchanges([])
        window.troubleshooting.highlight("status-0")
        _check(not _table_rows(window), "the results were not cleared")
        window.open_file()
        self._no_problems()
        reopened = _decoded_cells(window)
        _check(reopened == self._shown_rows,
               f"the reopened rows differ: {reopened} instead of {self._shown_rows}")
        self.troubleshooting()

    def summary(self) -> None:
        """Open Copy diagnostic summary, click Copy, and find masked numbers on the clipboard."""
        window = self.main
        window.copy_summary()
        dialog = window.summary_dialog
        if dialog is None or not dialog.isVisible():
            raise SelfTestCheckError("the summary dialog did not open")
        _check(_named(dialog, QCheckBox, "Mask phone numbers").isChecked(),
               "phone numbers are not masked by default")
        _named(dialog, QPushButton, "Copy to clipboard").click()
        _check(not dialog.isVisible(), "the summary dialog stayed open after Copy")
        copied = QGuiApplication.clipboard().text()
        masked = mask_number(RECIPIENTS[1])
        _check(masked in copied, f"the clipboard lacks the masked number {masked}")
        _check(not any(number in copied for number in RECIPIENTS),
               "the clipboard holds a full phone number")
        _check(REFUSED_STATUS.split(" ", 1)[1] in copied,
               "the clipboard summary does not name status 29")

    def close(self) -> None:
        """Close the window and its services; nothing may have gone wrong on the way."""
        _check(self.window is not None, "the window is not open")
        _check(self.tear_down(), "the window refused to close")
        self._no_problems()

    # -- helpers --------------------------------------------------------------------------------

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
            close_services(services)
        return closed

    def _services(self) -> Services:
        if self.services is None:
            raise SelfTestCheckError("the services were not built")
        return self.services

    def _no_problems(self) -> None:
        if self.prompter.problems:
            raise SelfTestCheckError(self.prompter.problems[0])


# -- running ---------------------------------------------------------------------------------------

_running = False


def run_self_test(*, on_screen: bool = False, isolate_logging: bool = False,
                  state: RunState | None = None) -> SelfTestReport:
    """Run every step once and return the report; never raises for a failed check.

    ``on_screen`` shows the window (``smsgui --self-test``); otherwise it works unseen.
    ``isolate_logging`` sends log records, Qt messages, warnings and stray standard error output
    to the throwaway log (for the command line, where nothing else is set up).
    """
    global _running  # noqa: PLW0603 - one run at a time in a process
    if _running:
        return SelfTestReport((StepResult("start", False, "a self-test is already running"),), 0)
    _running = True
    started = time.monotonic()
    state = state or RunState()
    clipboard = _ClipboardKeeper()
    try:
        steps, log_text, folder = _run_in_throwaway_folder(on_screen, isolate_logging, state)
    finally:
        clipboard.restore()
        _running = False
    if all(step.passed for step in steps):
        steps.append(_cleanup_step(folder))
    report = SelfTestReport(tuple(steps), time.monotonic() - started, log_text)
    logger.info("%s", report.summary)  # INFO: never on stderr when no log is set up
    return report


def _run_in_throwaway_folder(on_screen: bool, isolate_logging: bool,
                             state: RunState) -> tuple[list[StepResult], str, Path]:
    with tempfile.TemporaryDirectory(prefix="smsgui-self-test-",
                                     ignore_cleanup_errors=True) as name:
        folder = Path(name)
        state.folder = folder
        run = SelfTestRun(folder, on_screen)
        log_text = ""
        with _errors_caught() as caught:
            if isolate_logging:
                with _everything_into_log(run.paths.logs):
                    steps = _run_steps(run, caught, state)
                log_text = (_read_text(run.paths.logs / LOG_FILE_NAME)
                            + _read_text(run.paths.logs / STRAY_OUTPUT_NAME))
            else:
                steps = _run_steps(run, caught, state)
    return steps, log_text, folder


def _run_steps(run: SelfTestRun, caught: list[str], state: RunState) -> list[StepResult]:
    results: list[StepResult] = []
    try:
        for name, step in run.steps():
            state.step = name
            result = _run_step(name, step, caught)
            results.append(result)
            if not result.passed:
                break
    finally:
        try:
            run.tear_down()
        except Exception:  # the failure already recorded is the one worth reporting
            logger.exception("Self-test: closing after a failed step failed too")
    return results


def _run_step(name: str, step: Callable[[], None], caught: list[str]) -> StepResult:
    started = time.monotonic()
    try:
        step()
        if caught:
            raise SelfTestCheckError(f"unexpected error in the window: {caught[0]}")
    except SelfTestCheckError as failure:
        logger.warning("Self-test step %s failed: %s", name, failure)
        return StepResult(name, False, str(failure), time.monotonic() - started)
    except KeyboardInterrupt:
        return StepResult(name, False, "interrupted", time.monotonic() - started)
    except Exception as error:
        logger.exception("Self-test step %s failed", name)
        return StepResult(name, False, _one_line(error), time.monotonic() - started,
                          traceback.format_exc())
    return StepResult(name, True, "", time.monotonic() - started)


def _cleanup_step(folder: Path) -> StepResult:
    if folder.exists():
        return StepResult("clean up", False, f"the temporary folder {folder} is still there")
    return StepResult("clean up", True)


def run_self_test_in_window(parent: QWidget | None = None) -> SelfTestReport:
    """Help > Run self-test: the same checks in a hidden window with its own throwaway services.

    The person's window (``parent``) stays open and its services - settings, history, profiles,
    keyring - are never touched; it only shows a busy cursor meanwhile. Clicks and key presses
    wait until the test is over (a few seconds; at most about a minute if something hangs). The
    clipboard text is put back afterwards. Show ``report.summary`` (and ``report.describe()``
    as details) in a message box.
    """
    if parent is not None:
        parent.setCursor(Qt.CursorShape.BusyCursor)
    try:
        return run_self_test(on_screen=False)
    finally:
        if parent is not None:
            parent.unsetCursor()


def run_cli() -> int:
    """``smsgui --self-test``: one line on standard output (passed) or standard error (failed)."""
    state = RunState()
    watchdog = _Watchdog(CLI_BUDGET_S, state)
    watchdog.start()
    try:
        report = _cli_report(state)
    except KeyboardInterrupt:
        report = SelfTestReport((StepResult(state.step, False, "interrupted"),), 0)
    finally:
        watchdog.cancel()
    if report.passed:
        print(report.summary)
        return 0
    if os.environ.get(VERBOSE_VARIABLE) == "1":  # the throwaway log holds any traceback
        failure = report.failure
        print(report.log_text or (failure.details if failure else ""), end="", file=sys.stderr)
    print(report.summary, file=sys.stderr)
    return 1


def _cli_report(state: RunState) -> SelfTestReport:
    try:
        _application()
    except Exception as error:
        return SelfTestReport((StepResult("start", False, _one_line(error), 0.0,
                                          traceback.format_exc()),), 0)
    return run_self_test(on_screen=True, isolate_logging=True, state=state)


def _application() -> QApplication:
    """The running QApplication, or a new one; without any display on Linux, offscreen."""
    existing = QCoreApplication.instance()
    if existing is not None:
        if not isinstance(existing, QApplication):
            raise SelfTestCheckError("a QCoreApplication without widgets is running")
        return existing
    no_display = not any(os.environ.get(name) for name in
                         ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"))
    if sys.platform.startswith("linux") and no_display:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    app = QApplication([sys.argv[0] if sys.argv else APP_NAME])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    return app


class _Watchdog:
    """Ends a hung ``smsgui --self-test``: one line, the temporary folder removed, exit 1."""

    def __init__(self, seconds: float, state: RunState) -> None:
        self.seconds = seconds
        self.state = state
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def start(self) -> None:
        self._timer.start()

    def cancel(self) -> None:
        self._timer.cancel()

    def _fire(self) -> None:
        line = (f"smsgui self-test failed: {self.state.step}: did not finish within "
                f"{self.seconds:.0f} s\n")
        with suppress(OSError):  # no console (a windowed build): the exit status still says it
            os.write(2, line.encode("utf-8", "replace"))
        if self.state.folder is not None:
            shutil.rmtree(self.state.folder, ignore_errors=True)
        os._exit(1)


# -- reading the window ----------------------------------------------------------------------------

def _named(root: QWidget, kind: type[W], name: str) -> W:
    found = [w for w in root.findChildren(kind) if w.accessibleName() == name]
    if len(found) != 1:
        raise SelfTestCheckError(f"expected one {kind.__name__} named {name!r}, found {len(found)}")
    return found[0]


def _table_rows(window: QWidget) -> list[dict[str, str]]:
    table = _named(window, QTableWidget, "Results table")
    headers = [_text(table.horizontalHeaderItem(c)) for c in range(table.columnCount())]
    return [{header: _text(table.item(row, column)) for column, header in enumerate(headers)}
            for row in range(table.rowCount())]


def _text(item: object) -> str:
    text = getattr(item, "text", None)
    return str(text()) if callable(text) else ""


def _cell(row: dict[str, str], header: str) -> str:
    """The cell under the column whose title starts with ``header`` ("Price" for "Price (EUR)")."""
    for title, text in row.items():
        if title.startswith(header):
            return text
    raise SelfTestCheckError(f"the results have no {header!r} column")


_DECODED_COLUMNS = ("Recipient", "Part", "Message ID", "Status", "Error text", "Price",
                    "Balance", "Network")


def _decoded_cells(window: QWidget) -> list[tuple[str, ...]]:
    """What the send decoded to; receipts arriving meanwhile may only add a Delivery column."""
    return [tuple(_cell(row, column) for column in _DECODED_COLUMNS)
            for row in _table_rows(window)]


def _amount(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _check(condition: bool, reason: str) -> None:
    if not condition:
        raise SelfTestCheckError(reason)


def _wait_until(condition: Callable[[], bool], timeout_s: float) -> bool:
    """Run the event loop until ``condition`` holds or the time is up; clicks and keys wait."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() >= deadline:
            return False
        loop = QEventLoop()
        QTimer.singleShot(20, loop.quit)
        loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
    return True


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or "(no message)"
    return f"{type(error).__name__}: {text}"[:300]


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


# -- keeping the process and the person's things tidy ----------------------------------------------

class _ClipboardKeeper:
    """Puts the clipboard text back if it still holds the self-test's summary."""

    def __init__(self) -> None:
        self._before = QGuiApplication.clipboard().text()

    def restore(self) -> None:
        clipboard = QGuiApplication.clipboard()
        now = clipboard.text()
        if now != self._before and _is_summary(now):
            clipboard.setText(self._before)


def _is_summary(text: str) -> bool:
    return mask_number(RECIPIENTS[0]) in text or mask_number(RECIPIENTS[1]) in text


@contextmanager
def _errors_caught() -> Iterator[list[str]]:
    """Uncaught exceptions (in slots, say) are noted for the step, then handled as before."""
    caught: list[str] = []
    previous = sys.excepthook

    def hook(kind: type[BaseException], error: BaseException,
             trace: TracebackType | None) -> None:
        caught.append(_one_line(error))
        previous(kind, error, trace)

    sys.excepthook = hook
    try:
        yield caught
    finally:
        sys.excepthook = previous


@contextmanager
def _everything_into_log(folder: Path) -> Iterator[None]:
    """Log records, Qt messages, warnings and stray stderr output go to the throwaway log."""
    root = logging.getLogger()
    level = root.level
    handler = setup_logging(folder)
    previous_qt = route_qt_messages_to_logging()
    logging.captureWarnings(True)
    stray = (folder / STRAY_OUTPUT_NAME).open("w", encoding="utf-8")
    try:
        with redirect_stderr(stray):
            yield
    finally:
        stray.close()
        logging.captureWarnings(False)
        qInstallMessageHandler(previous_qt)
        root.removeHandler(handler)
        handler.close()
        root.setLevel(level)

