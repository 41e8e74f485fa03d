"""``python -m smsgui`` behaves exactly like the ``smsgui`` command."""

import sys

from smsgui.cli import main

sys.exit(main())
