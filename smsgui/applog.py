"""Logging for the app: one file in the platform's log folder, moved aside once it is large.

Numbers are masked where they are logged and message text is never logged; httpx's own request
log is turned down because it prints full URLs.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from pathlib import Path

from smsgui import __version__

LOG_FILE_NAME = "smsgui.log"
MAX_LOG_BYTES = 1_000_000
KEPT_OLD_LOGS = 3
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(log_dir: Path, level: int = logging.INFO) -> logging.Handler:
    """Send every log record to ``log_dir/smsgui.log``.

    A log over 1 MB is moved aside (``smsgui.log.1``, the oldest of 3 dropped), at start and
    whenever a record takes it over. Returns the handler, so whoever set it up can remove and
    close it again.
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / LOG_FILE_NAME
    rotate_if_large(path)
    handler = CappedFileHandler(path)
    handler.setFormatter(logging.Formatter(_FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.getLogger(__name__).info("smsgui %s on %s, Python %s", __version__, _system(),
                                     sys.version.split()[0])
    return handler


class CappedFileHandler(logging.FileHandler):
    """Appends to the log and moves it aside once a record takes it over ``max_bytes``.

    ``logging.handlers.RotatingFileHandler`` does the same, but importing that module (socket,
    pickle, queue) costs start-up about 11 ms.
    """

    def __init__(self, path: Path, max_bytes: int = MAX_LOG_BYTES) -> None:
        super().__init__(path, encoding="utf-8")
        self.max_bytes = max_bytes

    def emit(self, record: logging.LogRecord) -> None:
        super().emit(record)  # called with the handler's lock held
        if self.stream is not None and self.stream.tell() > self.max_bytes:
            self.stream.close()
            self.stream = None  # reopened, empty, by the next record
            rotate_if_large(Path(self.baseFilename), self.max_bytes)


def rotate_if_large(path: Path, max_bytes: int = MAX_LOG_BYTES, kept: int = KEPT_OLD_LOGS) -> None:
    """Move ``path`` to ``path.1`` (and older ones up to ``path.<kept>``) once it is too large.

    A log that cannot be moved (another smsgui has it open on Windows) is simply appended to,
    and the older ones are left as they are.
    """
    moving = path.with_name(f"{path.name}.moving")
    try:
        if path.stat().st_size <= max_bytes:
            return
        path.replace(moving)
    except OSError:
        return
    with contextlib.suppress(OSError):
        for number in range(kept - 1, 0, -1):
            older = path.with_name(f"{path.name}.{number}")
            if older.exists():
                older.replace(path.with_name(f"{path.name}.{number + 1}"))
        moving.replace(path.with_name(f"{path.name}.1"))


def _system() -> str:
    if sys.platform == "win32":
        version = sys.getwindowsversion()
        return f"Windows {version.major}.{version.minor}.{version.build}"
    name = os.uname()
    return f"{name.sysname} {name.release}"
