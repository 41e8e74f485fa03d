"""Logging for the app: one file in the platform's log folder, rotated when the app starts.

Numbers are masked where they are logged and message text is never logged; httpx's own request
log is turned down because it prints full URLs.
"""

from __future__ import annotations

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

    A log over 1 MB is moved aside first (``smsgui.log.1``, the oldest of 3 dropped). Rotating
    at start rather than while running spares start-up the import of ``logging.handlers``
    (about 11 ms); a session does not log a megabyte. Returns the handler, so whoever set it up
    can remove and close it again.
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / LOG_FILE_NAME
    rotate_if_large(path)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter(_FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.getLogger(__name__).info("smsgui %s on %s, Python %s", __version__, _system(),
                                     sys.version.split()[0])
    return handler


def rotate_if_large(path: Path, max_bytes: int = MAX_LOG_BYTES, kept: int = KEPT_OLD_LOGS) -> None:
    """Move ``path`` to ``path.1`` (and older ones up to ``path.<kept>``) once it is too large.

    A log that cannot be moved (another smsgui has it open on Windows) is simply appended to.
    """
    try:
        if path.stat().st_size <= max_bytes:
            return
        for number in range(kept - 1, 0, -1):
            older = path.with_name(f"{path.name}.{number}")
            if older.exists():
                older.replace(path.with_name(f"{path.name}.{number + 1}"))
        path.replace(path.with_name(f"{path.name}.1"))
    except OSError:
        return


def _system() -> str:
    if sys.platform == "win32":
        version = sys.getwindowsversion()
        return f"Windows {version.major}.{version.minor}.{version.build}"
    name = os.uname()
    return f"{name.sysname} {name.release}"
