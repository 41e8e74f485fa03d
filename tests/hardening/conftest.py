"""Make the shared test helpers importable from tests/hardening.

``faultserver`` lives in tests/ (already on ``sys.path`` through tests/conftest.py); ``uitools``
and the window test's ``ScriptedPrompter`` live in tests/ui, which is only on the path when
pytest has collected that folder, so it is added here for runs of tests/hardening alone.
"""

from __future__ import annotations

import sys
from pathlib import Path

_TESTS = Path(__file__).resolve().parent.parent
for _folder in (_TESTS, _TESTS / "ui"):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))
