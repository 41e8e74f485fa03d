"""The app's log file: written from the first line, moved aside at start once it is too large."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from smsgui import __version__
from smsgui.applog import LOG_FILE_NAME, CappedFileHandler, rotate_if_large, setup_logging


@pytest.fixture
def root_logger_restored() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def test_the_log_starts_with_the_version_and_the_system(
        tmp_path: Path, root_logger_restored: None) -> None:
    handler = setup_logging(tmp_path / "log")
    logging.getLogger("smsgui.test").info("a line from the app")
    handler.flush()
    text = (tmp_path / "log" / LOG_FILE_NAME).read_text(encoding="utf-8")
    first, second = text.splitlines()[:2]
    assert f"smsgui {__version__} on " in first and "Python 3." in first
    assert second.endswith("smsgui.test: a line from the app")


def test_a_small_log_is_left_alone(tmp_path: Path) -> None:
    log = tmp_path / "smsgui.log"
    log.write_text("x" * 100)
    rotate_if_large(log, max_bytes=100)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["smsgui.log"]


def test_a_missing_log_is_fine(tmp_path: Path) -> None:
    rotate_if_large(tmp_path / "smsgui.log")
    assert list(tmp_path.iterdir()) == []


def test_a_large_log_moves_aside_and_the_oldest_of_three_is_dropped(tmp_path: Path) -> None:
    log = tmp_path / "smsgui.log"
    for name, text in {"smsgui.log": "now" * 50, "smsgui.log.1": "one", "smsgui.log.2": "two",
                       "smsgui.log.3": "three"}.items():
        (tmp_path / name).write_text(text)
    rotate_if_large(log, max_bytes=100, kept=3)
    contents = {path.name: path.read_text() for path in tmp_path.iterdir()}
    assert contents == {"smsgui.log.1": "now" * 50, "smsgui.log.2": "one", "smsgui.log.3": "two"}


def test_setup_logging_rotates_before_it_opens_the_file(
        tmp_path: Path, root_logger_restored: None) -> None:
    (tmp_path / LOG_FILE_NAME).write_bytes(b"old line\n" * 200_000)  # 1.8 MB
    handler = setup_logging(tmp_path)
    handler.flush()
    assert (tmp_path / f"{LOG_FILE_NAME}.1").read_bytes().startswith(b"old line\n")
    assert "old line" not in (tmp_path / LOG_FILE_NAME).read_text(encoding="utf-8")


def test_a_log_that_cannot_be_moved_keeps_every_older_log(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "smsgui.log"
    log.write_text("x" * 200)
    (tmp_path / "smsgui.log.1").write_text("one")
    (tmp_path / "smsgui.log.2").write_text("two")
    real_replace = Path.replace

    def held_open_elsewhere(self: Path, target: Path) -> Path:  # as on Windows
        if self == log:
            raise PermissionError(13, "The process cannot access the file", str(self))
        return real_replace(self, target)

    monkeypatch.setattr(Path, "replace", held_open_elsewhere)
    rotate_if_large(log, max_bytes=100)
    contents = {path.name: path.read_text() for path in tmp_path.iterdir()}
    assert contents == {"smsgui.log": "x" * 200, "smsgui.log.1": "one", "smsgui.log.2": "two"}


def test_a_long_session_moves_the_log_aside_while_it_runs(tmp_path: Path) -> None:
    path = tmp_path / LOG_FILE_NAME
    handler = CappedFileHandler(path, max_bytes=2_000)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("smsgui.test.capped")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        for number in range(300):
            logger.warning("record %03d %s", number, "x" * 40)
    finally:
        logger.removeHandler(handler)
        handler.close()
    assert path.stat().st_size <= 2_000 + 60
    assert (tmp_path / f"{LOG_FILE_NAME}.1").exists() and (tmp_path / f"{LOG_FILE_NAME}.3").exists()
    assert not (tmp_path / f"{LOG_FILE_NAME}.4").exists()
    assert path.read_text().splitlines()[-1].startswith("record 299")
