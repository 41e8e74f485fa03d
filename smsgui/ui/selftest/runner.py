"""Running a self-test: its steps in order in a throwaway folder, within its time budget.

``SelfTest`` is data - the steps, the budget and how to build services - so the composition root
(``app.py``) chooses what runs and the tests can run other steps. Every run works in a fresh
temporary folder (settings, data, profiles, history, logs) with a session-only secret store, so
the person's own settings, history and keyring are never read or written, and the folder is
removed afterwards, also when a step fails.
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
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, redirect_stderr, suppress
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication, Qt, qInstallMessageHandler
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from smsgui import APP_NAME, __version__
from smsgui.applog import LOG_FILE_NAME, setup_logging
from smsgui.ui.errors import route_qt_messages_to_logging
from smsgui.ui.selftest.report import SelfTestReport, StepResult
from smsgui.ui.selftest.session import SelfTestCheckError, ServicesFactory, Session, Step

logger = logging.getLogger(__name__)

VERBOSE_VARIABLE = "SMSGUI_SELF_TEST_VERBOSE"
"""``smsgui --self-test`` with this set to 1 prints the throwaway log when a step fails."""
STRAY_OUTPUT_NAME = "stderr.txt"


@dataclass
class RunState:
    """Where a run is, for the watchdog that ends a hung ``smsgui --self-test``."""

    step: str = "start"
    folder: Path | None = None


_running = False


@dataclass(frozen=True)
class SelfTest:
    """Which steps run, how long the whole run may take, and how services are built.

    ``run_in_window`` is Help > Run self-test and ``run_cli`` is ``smsgui --self-test``; both
    return or print the same report. After the steps, a last check ("clean up") makes sure the
    temporary folder is gone. A run that takes longer than ``budget_s`` fails: ``run_cli`` ends
    the process then even if a step hangs; otherwise the step that runs past it fails.
    """

    steps: tuple[Step, ...]
    budget_s: float
    make_services: ServicesFactory

    def __post_init__(self) -> None:
        names = [step.name for step in self.steps]
        if not names or len(set(names)) != len(names):
            raise ValueError(f"a self-test needs steps with distinct names, not {names}")
        if self.budget_s < 0:
            raise ValueError(f"the budget must not be negative, not {self.budget_s}")

    def run(self, *, on_screen: bool = False, isolate_logging: bool = False,
            state: RunState | None = None) -> SelfTestReport:
        """Run every step once and return the report; never raises for a failed check.

        ``on_screen`` shows the window (``smsgui --self-test``); otherwise it works unseen.
        ``isolate_logging`` sends log records, Qt messages, warnings and stray standard error
        output to the throwaway log (for the command line, where nothing else is set up).
        """
        global _running  # noqa: PLW0603 - one run at a time in a process
        if _running:
            return SelfTestReport((StepResult("start", False, "a self-test is already running"),),
                                  0)
        _running = True
        started = time.monotonic()
        state = state or RunState()
        try:
            results, log_text, folder = self._run_in_throwaway_folder(
                on_screen, isolate_logging, state, started + self.budget_s)
        finally:
            _running = False
        if all(result.passed for result in results):
            results.append(_cleanup_step(folder))
        report = SelfTestReport(tuple(results), time.monotonic() - started, log_text)
        logger.info("%s", report.summary)  # INFO: never on stderr when no log is set up
        return report

    def run_in_window(self, parent: QWidget | None = None) -> SelfTestReport:
        """Help > Run self-test: the steps in a hidden window with its own throwaway services.

        The person's window (``parent``) stays open and its services - settings, history,
        profiles, keyring - are never touched; it only shows a busy cursor meanwhile. Clicks and
        key presses wait until the test is over (a few seconds; at most the budget if something
        hangs). The clipboard text is put back afterwards. Show ``report.summary`` (and
        ``report.describe()`` as details) in a message box.
        """
        if parent is not None:
            parent.setCursor(Qt.CursorShape.BusyCursor)
        try:
            return self.run(on_screen=False)
        finally:
            if parent is not None:
                parent.unsetCursor()

    def run_cli(self) -> int:
        """``smsgui --self-test``: one line on standard output (passed, 0) or error (failed, 1)."""
        state = RunState()
        watchdog = _Watchdog(self.budget_s, state)
        watchdog.start()
        try:
            report = self._cli_report(state)
        except KeyboardInterrupt:
            report = SelfTestReport((StepResult(state.step, False, "interrupted"),), 0)
        finally:
            watchdog.cancel()
        if report.passed:
            print(report.summary)
            return 0
        if os.environ.get(VERBOSE_VARIABLE) == "1":  # the throwaway log holds any traceback
            failure = report.failure
            print(report.log_text or (failure.details if failure else ""), end="",
                  file=sys.stderr)
        print(report.summary, file=sys.stderr)
        return 1

    def _cli_report(self, state: RunState) -> SelfTestReport:
        try:
            _application()
        except Exception as error:
            return SelfTestReport((StepResult("start", False, _one_line(error), 0.0,
                                              traceback.format_exc()),), 0)
        return self.run(on_screen=True, isolate_logging=True, state=state)

    def _run_in_throwaway_folder(self, on_screen: bool, isolate_logging: bool, state: RunState,
                                 deadline: float) -> tuple[list[StepResult], str, Path]:
        with tempfile.TemporaryDirectory(prefix="smsgui-self-test-",
                                         ignore_cleanup_errors=True) as name:
            folder = Path(name)
            state.folder = folder
            session = Session(folder, on_screen, self.make_services)
            clipboard = _ClipboardKeeper()
            log_text = ""
            try:
                with _errors_caught() as caught:
                    if isolate_logging:
                        with _everything_into_log(session.paths.logs):
                            results = self._run_steps(session, caught, state, deadline)
                        log_text = (_read_text(session.paths.logs / LOG_FILE_NAME)
                                    + _read_text(session.paths.logs / STRAY_OUTPUT_NAME))
                    else:
                        results = self._run_steps(session, caught, state, deadline)
            finally:
                clipboard.restore(session.copied)
        return results, log_text, folder

    def _run_steps(self, session: Session, caught: list[str], state: RunState,
                   deadline: float) -> list[StepResult]:
        results: list[StepResult] = []
        try:
            for step in self.steps:
                state.step = step.name
                result = _run_step(step, session, caught)
                if result.passed and time.monotonic() > deadline:
                    result = StepResult(step.name, False,
                                        f"did not finish within {self.budget_s:.0f} s",
                                        result.seconds)
                results.append(result)
                if not result.passed:
                    break
        finally:
            try:
                session.tear_down()
            except Exception:  # the failure already recorded is the one worth reporting
                logger.exception("Self-test: closing after a failed step failed too")
        return results


def _run_step(step: Step, session: Session, caught: list[str]) -> StepResult:
    started = time.monotonic()
    session.timeout_s = step.timeout_s
    try:
        step.action(session)
        if caught:
            raise SelfTestCheckError(f"unexpected error in the window: {caught[0]}")
    except SelfTestCheckError as failure:
        logger.warning("Self-test step %s failed: %s", step.name, failure)
        return StepResult(step.name, False, str(failure), time.monotonic() - started)
    except KeyboardInterrupt:
        return StepResult(step.name, False, "interrupted", time.monotonic() - started)
    except Exception as error:
        logger.exception("Self-test step %s failed", step.name)
        return StepResult(step.name, False, _one_line(error), time.monotonic() - started,
                          traceback.format_exc())
    return StepResult(step.name, True, "", time.monotonic() - started)


def _cleanup_step(folder: Path) -> StepResult:
    if folder.exists():
        return StepResult("clean up", False, f"the temporary folder {folder} is still there")
    return StepResult("clean up", True)


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
    """Puts the clipboard text back if it still holds what a step copied."""

    def __init__(self) -> None:
        self._before = QGuiApplication.clipboard().text()

    def restore(self, copied: Sequence[str]) -> None:
        clipboard = QGuiApplication.clipboard()
        now = clipboard.text()
        if now != self._before and now in copied:
            clipboard.setText(self._before)


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
