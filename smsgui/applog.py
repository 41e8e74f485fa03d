"""Logging for the app: one rotating file in the platform's log folder.

Numbers are masked where they are logged and message text is never logged; httpx's own request
log is turned down because it prints full URLs.
"""

from __future__ import annotations

import logging
import logging.handlers
import platform
from pathlib import Path

from smsgui import __version__

LOG_FILE_NAME = "smsgui.log"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(log_dir: Path, level: int = logging.INFO) -> logging.Handler:
    """Send every log record to ``log_dir/smsgui.log`` (rotated at 1 MB, 3 kept).

    Returns the handler, so whoever set it up can remove and close it again.
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / LOG_FILE_NAME
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3,
                                                   encoding="utf-8")
    handler.setFormatter(logging.Formatter(_FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.getLogger(__name__).info("smsgui %s on %s %s, Python %s", __version__,
                                     platform.system(), platform.release(),
                                     platform.python_version())
    return handler
