"""Render the main window at 1366x768, the most common laptop screen, for the README.

docs/first-start.png: the calm first start; docs/screenshot.png: a send to three recipients
with one refused; docs/screenshot-dark.png: the same in the dark theme;
docs/destination-india.png: a send to an Indian number without its DLT IDs, explained by
India's rules; docs/reopened.png: the partial failure saved and opened in a fresh window. Run
under a virtual screen, from the repository root:

    QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1366x768x24" python tools/screenshot.py

and for docs/screenshot-200.png, the partial failure at 200% on a 2560x1440 screen:

    QT_QPA_PLATFORM=xcb QT_SCALE_FACTOR=2 xvfb-run -a -s "-screen 0 2560x1440x24" \
        python tools/screenshot.py --scaled

Everything it writes besides the PNG goes to a temporary folder; nothing is really sent.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QPlainTextEdit, QWidget

from smsgui.core.api.documents import load_documents, save_documents
from smsgui.core.api.secrets import MemorySecretStore
from smsgui.core.delivery.exchange import exchange_from_document
from smsgui.ui.app import AppPaths, build_services, close_services
from smsgui.ui.main_window import MainWindow
from smsgui.ui.services import Services
from smsgui.ui.theme import Theme

DOCS = Path(__file__).resolve().parent.parent / "docs"
OUTPUT = DOCS / "screenshot.png"
FIRST_START_OUTPUT = DOCS / "first-start.png"
DARK_OUTPUT = DOCS / "screenshot-dark.png"
INDIA_OUTPUT = DOCS / "destination-india.png"
REOPENED_OUTPUT = DOCS / "reopened.png"
SCALED_OUTPUT = DOCS / "screenshot-200.png"


def named(root: QWidget, name: str) -> QWidget:
    found = [w for w in root.findChildren(QWidget) if w.accessibleName() == name]
    if not found:
        raise LookupError(f"no widget named {name!r}")
    return found[0]


def wait(milliseconds: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(milliseconds, loop.quit)
    loop.exec()


def main() -> int:
    app = QApplication(sys.argv)  # noqa: F841 - kept alive for the whole run
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        services = build_services(AppPaths(root / "config", root / "data", root / "logs"),
                                  secrets=MemorySecretStore())
        window = MainWindow(services)
        window.show()
        window.fit_to_screen()
        wait(500)
        DOCS.mkdir(exist_ok=True)
        if "--scaled" not in sys.argv:
            window.grab().save(str(FIRST_START_OUTPUT))
        send_and_wait(window, "AcmeInc", "447700900000\n447700900029\n07700 900123",
                      "Your Acme verification code is 4821. It expires in 10 minutes.")
        if "--scaled" in sys.argv:
            window.grab().save(str(SCALED_OUTPUT))
            window.close()
            close_services(services)
            print(f"wrote {SCALED_OUTPUT}")
            return 0
        window.grab().save(str(OUTPUT))
        _reopen(window, services, root / "saved.json")
        window.set_theme(Theme.DARK)
        wait(300)
        window.grab().save(str(DARK_OUTPUT))
        window.set_theme(Theme.SYSTEM)
        # The sandbox's Indian number without DLT IDs: its receipt fails with err-code 50.
        send_and_wait(window, "Acme", "919876543210", "Your Acme verification code is 4821.")
        window.grab().save(str(INDIA_OUTPUT))
        window.close()
        close_services(services)
    print(f"wrote {FIRST_START_OUTPUT}, {OUTPUT}, {REOPENED_OUTPUT}, {DARK_OUTPUT} and"
          f" {INDIA_OUTPUT}")
    return 0


def _reopen(window: MainWindow, services: Services, path: Path) -> None:
    """Save what the window shows, open it in a fresh window, and take that one's picture."""
    save_documents([exchange.document for exchange in window.exchanges], path)
    fresh = MainWindow(services)
    fresh.show()
    fresh.show_exchanges([exchange_from_document(d) for d in load_documents(path)])
    wait(500)
    fresh.grab().save(str(REOPENED_OUTPUT))
    fresh.close()


def send_and_wait(window: MainWindow, sender: str, to: str, text: str) -> None:
    """Fill the form, send, and wait until every recipient's receipt has come."""
    named(window, "From").setText(sender)  # type: ignore[attr-defined]
    for name, value in (("To", to), ("Message text", text)):
        field = named(window, name)
        assert isinstance(field, QPlainTextEdit)
        field.setPlainText(value)
    expected = len(window.receipt_book) + len(window.compose.report().recipients)
    named(window, "Send").click()  # type: ignore[attr-defined]
    for _ in range(100):
        if len(window.receipt_book) >= expected:
            break
        wait(100)
    wait(300)


if __name__ == "__main__":
    sys.exit(main())
