"""The self-test: Help > Run self-test in-process, and ``smsgui --self-test`` as a command."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import FrozenInstanceError, replace
from pathlib import Path

import keyring
import platformdirs
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from smsgui import cli
from smsgui.core.api.secrets import MemorySecretStore
from smsgui.ui import app as app_module
from smsgui.ui import selftest
from smsgui.ui.app import AppPaths, build_services, close_services, default_self_test
from smsgui.ui.main_window import MainWindow
from smsgui.ui.selftest import steps as default_steps
from smsgui.ui.services import Services

SUCCESS = re.compile(r"smsgui self-test passed: 10 checks in \d+\.\d s")
STEPS = ["start", "compose", "send", "decode", "troubleshooting", "save", "reopen", "summary",
         "close", "clean up"]
XDG = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")


def with_step(test: selftest.SelfTest, name: str,
              action: Callable[[selftest.Session], None] | None = None,
              timeout_s: float | None = None) -> selftest.SelfTest:
    """``test`` with the step called ``name`` doing ``action`` or waiting at most ``timeout_s``."""
    assert name in [step.name for step in test.steps]
    steps = tuple(replace(step, action=action or step.action,
                          timeout_s=step.timeout_s if timeout_s is None else timeout_s)
                  if step.name == name else step for step in test.steps)
    return replace(test, steps=steps)


def files_under(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def throwaway_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the self-test's temporary folder is made, so the test can see it is gone."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


@pytest.fixture
def no_user_folders_or_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    """Asking for the person's own folders or keyring fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the self-test reached for the person's folders or keyring")

    monkeypatch.setattr(AppPaths, "for_user", refuse)
    monkeypatch.setattr(app_module, "KeyringSecretStore", refuse)
    for name in ("user_config_path", "user_data_path", "user_log_path", "user_state_path",
                 "user_cache_path", "user_config_dir", "user_data_dir", "user_log_dir"):
        monkeypatch.setattr(platformdirs, name, refuse)
    for name in ("get_password", "set_password", "delete_password", "get_keyring"):
        monkeypatch.setattr(keyring, name, refuse)


@pytest.fixture
def person(qtbot: QtBot, tmp_path: Path) -> Iterator[tuple[MainWindow, Services, Path]]:
    """The person's own window, with its own services, open while the self-test runs."""
    folder = tmp_path / "person"
    secrets = MemorySecretStore()
    secrets.set("Acme live", "api_secret", "Persons-Secret-1")
    services = build_services(AppPaths(folder / "config", folder / "data", folder / "logs"),
                              secrets=secrets)
    window = MainWindow(services)
    qtbot.addWidget(window)
    window.show()
    yield window, services, folder
    window.shutdown()
    close_services(services)


def test_help_menu_self_test_passes_and_leaves_the_persons_window_alone(
    qtbot: QtBot, person: tuple[MainWindow, Services, Path], throwaway_root: Path,
    no_user_folders_or_keyring: None,
) -> None:
    window, services, folder = person
    deleted: list[str] = []

    def start_and_watch(session: selftest.Session) -> None:
        default_steps.start(session)
        assert session.window is not None and session.window is not window
        session.window.destroyed.connect(lambda: deleted.append("self-test window"))

    self_test = with_step(default_self_test(), "start", start_and_watch)
    QGuiApplication.clipboard().setText("the person's clipboard")
    history = services.history.get()  # the person's history is open, as after a send
    assert history is not None
    services.settings.sync()
    files_before = files_under(folder)
    reports: list[selftest.SelfTestReport] = []

    def run_from_help_menu() -> None:
        reports.append(self_test.run_in_window(window))
        assert deleted == ["self-test window"], "the self-test's window outlived the run"

    action = QAction("Run self-test", window)  # as the Help menu will call it
    action.triggered.connect(run_from_help_menu)
    QTimer.singleShot(0, action.trigger)
    qtbot.waitUntil(lambda: bool(reports), timeout=30_000)
    (report,) = reports
    assert report.passed, report.describe()
    assert SUCCESS.fullmatch(report.summary), report.summary
    assert [step.name for step in report.steps] == STEPS
    assert window.isVisible() and window.cursor().shape() == Qt.CursorShape.ArrowCursor
    assert [w for w in QApplication.topLevelWidgets() if w.isVisible()] == [window]
    assert not services.sandbox.running and history.search("") == []
    assert services.secrets.get("Acme live", "api_secret") == "Persons-Secret-1"
    services.settings.sync()
    assert files_under(folder) == files_before
    assert QGuiApplication.clipboard().text() == "the person's clipboard"
    assert list(throwaway_root.iterdir()) == []


def test_a_failing_step_prints_one_line_and_exits_1(
    qapp: QApplication, capsys: pytest.CaptureFixture[str], throwaway_root: Path,
    no_user_folders_or_keyring: None,
) -> None:
    def wrong_entry(session: selftest.Session) -> None:
        raise selftest.SelfTestCheckError("the highlighted entry was 'status-0'")

    assert with_step(default_self_test(), "troubleshooting", wrong_entry).run_cli() == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "smsgui self-test failed: troubleshooting: the highlighted entry was " \
                  "'status-0'\n"
    assert list(throwaway_root.iterdir()) == []
    assert [w for w in QApplication.topLevelWidgets() if w.isVisible()] == []


@pytest.mark.parametrize("verbose", [False, True])
def test_an_unexpected_error_shows_its_traceback_only_when_asked(
    qapp: QApplication, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    throwaway_root: Path, verbose: bool,
) -> None:
    def broken(session: selftest.Session) -> None:
        raise ZeroDivisionError("division by zero")

    if verbose:
        monkeypatch.setenv(selftest.VERBOSE_VARIABLE, "1")
    assert with_step(default_self_test(), "save", broken).run_cli() == 1
    out, err = capsys.readouterr()
    last = "smsgui self-test failed: save: ZeroDivisionError: division by zero\n"
    assert out == "" and err.endswith(last)
    if verbose:
        assert "Traceback (most recent call last)" in err and "SMS to 447******000" in err
    else:
        assert err == last
    assert list(throwaway_root.iterdir()) == []


def test_a_send_that_does_not_finish_in_time_fails_and_still_cleans_up(
    qapp: QApplication, throwaway_root: Path,
) -> None:
    started = time.monotonic()
    report = with_step(default_self_test(), "send", timeout_s=0.0).run()
    assert not report.passed
    assert report.summary == "smsgui self-test failed: send: the send did not finish within 0 s"
    assert [step.name for step in report.steps] == ["start", "compose", "send"]
    assert time.monotonic() - started < 10
    assert list(throwaway_root.iterdir()) == []
    assert [w for w in QApplication.topLevelWidgets() if w.isVisible()] == []


def test_a_run_past_its_budget_fails_at_the_step_that_overran_it(
    qapp: QApplication, throwaway_root: Path,
) -> None:
    report = replace(default_self_test(), budget_s=0.0).run()
    assert report.summary == "smsgui self-test failed: start: did not finish within 0 s"
    assert [step.name for step in report.steps] == ["start"]
    assert list(throwaway_root.iterdir()) == []


def test_the_steps_and_the_budget_are_data_handed_in(
    qapp: QApplication, throwaway_root: Path, no_user_folders_or_keyring: None,
) -> None:
    ran: list[str] = []

    def note(session: selftest.Session) -> None:
        ran.append(f"{session.paths.config.parent == session.prompter.document.parent} "
                   f"{session.timeout_s}")

    self_test = selftest.SelfTest((selftest.Step("first", note),
                                   selftest.Step("second", note, timeout_s=1.5)),
                                  10.0, build_services)
    report = self_test.run()
    assert report.passed and [step.name for step in report.steps] == ["first", "second",
                                                                      "clean up"]
    assert ran == ["True 5.0", "True 1.5"]
    assert list(throwaway_root.iterdir()) == []


def test_the_default_self_test_and_the_window_are_wired_by_the_composition_root(
    services: Services,
) -> None:
    default = default_self_test()
    assert default.steps == selftest.DEFAULT_STEPS
    assert [step.name for step in default.steps] == STEPS[:-1]
    assert default.budget_s == selftest.DEFAULT_BUDGET_S
    assert default.make_services is build_services
    assert services.self_test is app_module.run_self_test_in_window
    with pytest.raises(FrozenInstanceError):
        services.self_test = default.run_in_window  # type: ignore[misc]


@pytest.mark.parametrize("steps", [(), (selftest.Step("a", print), selftest.Step("a", print))])
def test_a_self_test_needs_steps_with_distinct_names(steps: tuple[selftest.Step, ...]) -> None:
    with pytest.raises(ValueError, match="distinct names"):
        selftest.SelfTest(steps, 1.0, build_services)


def isolated_environment(tmp_path: Path) -> dict[str, str]:
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path / "home"),
                       TMPDIR=str(tmp_path / "tmp"),
                       **{name: str(tmp_path / name.lower()) for name in XDG})
    environment.pop(selftest.VERBOSE_VARIABLE, None)
    for name in ("home", "tmp", *(name.lower() for name in XDG)):
        (tmp_path / name).mkdir()
    return environment


def written_anywhere(tmp_path: Path) -> list[Path]:
    return [p for p in tmp_path.rglob("*") if p.is_file()]


def console_script() -> Path:
    script = Path(sys.executable).parent / ("smsgui.exe" if os.name == "nt" else "smsgui")
    if not script.exists():
        pytest.skip("the smsgui console script is not installed next to this Python")
    return script


@pytest.mark.parametrize("how", ["python -m smsgui", "smsgui"])
def test_smsgui_self_test_passes_and_writes_nothing_outside_its_temporary_folder(
    tmp_path: Path, how: str
) -> None:
    command = ([sys.executable, "-m", "smsgui"] if how == "python -m smsgui"
               else [str(console_script())])
    started = time.monotonic()
    done = subprocess.run([*command, "--self-test"], env=isolated_environment(tmp_path),
                          capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    assert SUCCESS.fullmatch(done.stdout.removesuffix("\n")), done.stdout
    assert done.stdout.count("\n") == 1
    assert time.monotonic() - started < 30
    assert written_anywhere(tmp_path) == []
    assert list((tmp_path / "tmp").iterdir()) == []


def test_a_hung_self_test_gives_up_within_its_budget_and_cleans_up(tmp_path: Path) -> None:
    script = ("import sys, time\n"
              "from dataclasses import replace\n"
              "from smsgui.ui.app import default_self_test\n"
              "from smsgui.ui.selftest import Step\n"
              "test = default_self_test()\n"
              "steps = tuple(Step('send', lambda session: time.sleep(60)) if step.name == 'send'\n"
              "              else step for step in test.steps)\n"
              "sys.exit(replace(test, steps=steps, budget_s=2).run_cli())\n")
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", script], env=isolated_environment(tmp_path),
                          capture_output=True, text=True, timeout=30, check=False)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == "smsgui self-test failed: send: did not finish within 2 s\n"
    assert time.monotonic() - started < 15
    assert list((tmp_path / "tmp").iterdir()) == []


@pytest.mark.parametrize("argv", [["--self-test", "decode", "x.json"],
                                  ["--self-test", "check", "Hi"]])
def test_self_test_is_not_combined_with_a_command(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_status:
        cli.main(argv)
    assert exit_status.value.code == 2
    assert "--self-test cannot be combined with a command" in capsys.readouterr().err


def test_the_help_lists_self_test() -> None:
    assert "--self-test" in cli.build_parser().format_help()
