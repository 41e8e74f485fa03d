"""Responsiveness: the longest event-loop stall (5 ms QTimer) during four things in the window.

(a) the first send through the real MainWindow to its built-in sandbox answering after 0.5 s,
(b) rendering a 100-part response (ResultsPane.show_exchanges),
(c) typing 3,000 characters into the message editor, live counters on (longest keystroke),
(d) opening the window on a history of 100,000 sends, then its History tab,
(e) a send to two recipients answered each with an 860 KB web page (a captive portal), from
    the click until the verdict is on screen and in the history.
Baseline: the stall of the same window's idle event loop over 0.5 s, measured in the same run.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # history_fill
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Results, isolate_this_process, measure_stall, show_window

BUDGET_MS = 50.0
DELAY_S = 0.5
TYPED = 3000
SETTLE_S = 1.0


def hundred_part_document() -> object:
    from smsgui.core.api.documents import ResponseDocument
    messages = [{"to": "447700900300", "message-id": f"{i * 7919:016X}", "status": "0",
                 "remaining-balance": "9.0", "message-price": "0.03", "network": "23410"}
                for i in range(100)]
    return ResponseDocument(body=json.dumps({"message-count": "100", "messages": messages}),
                            http_status=200, elapsed_ms=90.0, sandbox=True)


PORTAL_PAGE = ("<!DOCTYPE html><html><head><title>Guest Wi-Fi - please log in</title></head>"
               "<body><div class=terms>" + "By using this network you agree. " * 26_000
               + "</div></body></html>")


def portal_page_send(app: object, base: Path, prompter: type, find: Any) -> tuple[float, str]:
    """(e): the stall, and a note, of a send whose every answer is a big web page."""
    from faultserver import HTML_HEADERS, FaultServer, Reply
    from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QPushButton

    from smsgui.core.api.profiles import EndpointKind, Profile
    from smsgui.core.api.secrets import MemorySecretStore
    from smsgui.ui.app import AppPaths, build_services, close_services
    from smsgui.ui.main_window import MainWindow

    paths = AppPaths(base / "e" / "config", base / "e" / "data", base / "e" / "logs")
    services = build_services(paths, secrets=MemorySecretStore())
    with FaultServer(Reply(body=PORTAL_PAGE, headers=HTML_HEADERS)) as server:
        services.profiles.save([Profile("Portal", EndpointKind.CUSTOM, api_key="abcd1234",
                                        rest_base_url=server.url, api_base_url=server.url)])
        services.secrets.set("Portal", "api_secret", "Secret123456")
        window = MainWindow(services, prompter())
        show_window(window)

        def sends_kept() -> int:
            history = services.history.peek()
            return history.count() if history is not None else 0

        window.profile_combo.setCurrentIndex(window.profile_combo.findText("Portal"))
        find(window, QLineEdit, "From").setText("AcmeInc")
        find(window, QPlainTextEdit, "To").setPlainText("447700900300, 447700900301")
        find(window, QPlainTextEdit, "Message text").setPlainText("Hello from the benchmark")
        measure_stall(app, lambda: None, lambda: True, settle_s=SETTLE_S)
        stall = measure_stall(app, find(window, QPushButton, "Send").click,
                              lambda: not window.is_sending and sends_kept() == 1,
                              timeout_s=20)
        verdict = window.troubleshooting.highlighted_id()
    window.shutdown()
    window.close()
    close_services(services)
    return stall, f"{len(PORTAL_PAGE) / 1000:.0f} KB each; matched entry {verdict}"


def main() -> int:  # noqa: PLR0915
    base = isolate_this_process()
    from history_fill import make_history
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QPushButton

    from smsgui.core.api.secrets import MemorySecretStore
    from smsgui.core.delivery.exchange import exchange_from_document
    from smsgui.core.records.history import History
    from smsgui.sandbox.config import SandboxConfig
    from smsgui.sandbox.embedded import EmbeddedSandbox
    from smsgui.ui.app import AppPaths, build_services, close_services
    from smsgui.ui.main_window import MainWindow, Prompter

    class Yes(Prompter):
        def confirm(self, parent: object, title: str, text: str) -> bool:
            return True

        def error(self, parent: object, headline: str, cause: str, next_step: str,
                  details: str = "") -> None:
            print(f"  (window error: {headline})", file=sys.stderr)

    def find(root: object, kind: type, name: str) -> object:
        matches = [w for w in root.findChildren(kind) if w.accessibleName() == name]
        assert len(matches) == 1, (kind, name, len(matches))
        return matches[0]

    app = QApplication.instance() or QApplication(sys.argv)
    paths = AppPaths(base / "app" / "config", base / "app" / "data", base / "app" / "logs")
    # (a) below sends to a sandbox that answers slowly; it only starts when first used.
    services = replace(build_services(paths, secrets=MemorySecretStore()),
                       sandbox=EmbeddedSandbox(SandboxConfig(latency=DELAY_S)))
    window = MainWindow(services, Yes())
    show_window(window)
    results = Results()
    stalls: dict[str, tuple[float, str]] = {}

    idle = measure_stall(app, lambda: None, lambda: True, settle_s=0.5) * 1000
    baseline = f"idle loop {idle:.1f} ms"

    # (a) a first send of three recipients through the window to a sandbox that answers slowly,
    # once the window has been open for a second (as long as a person takes to fill the form)
    assert window.profile.is_sandbox
    find(window, QLineEdit, "From").setText("AcmeInc")
    find(window, QPlainTextEdit, "To").setPlainText("447700900300, 447700900301, 447700900302")
    find(window, QPlainTextEdit, "Message text").setPlainText("Hello from the benchmark")
    measure_stall(app, lambda: None, lambda: True, settle_s=SETTLE_S)
    button = find(window, QPushButton, "Send")
    assert button.isEnabled(), "the Send button is disabled"
    started = time.perf_counter()
    stall = measure_stall(app, button.click, lambda: not window.is_sending
                          and len(window.results.exchanges()) == 3, timeout_s=20)
    took = time.perf_counter() - started
    stalls["(a) slow send"] = (stall, f"first send, {len(window.results.exchanges())} results "
                                      f"in {took:.1f} s, {DELAY_S} s sandbox latency")

    # (b) a 100-part response, once the sandbox's delivery receipts for (a) are in
    measure_stall(app, lambda: None, lambda: len(window.receipt_book) >= 3, timeout_s=20)
    exchange = exchange_from_document(hundred_part_document())
    stall = measure_stall(app, lambda: window.results.show_exchanges([exchange]), lambda: True)
    stalls["(b) render 100 parts"] = (stall, "")

    # (c) 3,000 characters typed one key at a time; each key is handled and the loop run
    editor = find(window, QPlainTextEdit, "Message text")
    editor.clear()
    editor.setFocus()
    app.processEvents()
    text = ("Hello, this is a benchmark message with a few GSM extras {} [] ~ and numbers 123. "
            * 40)[:TYPED]
    longest_key = 0.0
    for char in text:
        t0 = time.perf_counter()
        QApplication.sendEvent(editor, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_unknown,
                                                 Qt.KeyboardModifier.NoModifier, char))
        app.processEvents()
        longest_key = max(longest_key, time.perf_counter() - t0)
    assert len(editor.toPlainText()) == TYPED
    settle = measure_stall(app, lambda: None, lambda: True, settle_s=0.2)
    stalls["(c) typing 3000 chars"] = (max(longest_key, settle), "longest single keystroke")
    window.shutdown()
    window.close()
    close_services(services)

    # (d) a history of 100,000 sends: opening the window, then its History tab
    hist_paths = AppPaths(base / "h" / "config", base / "h" / "data", base / "h" / "logs")
    hist_paths.data.mkdir(parents=True, exist_ok=True)
    make_history(hist_paths.data / "history.sqlite3")
    services = build_services(hist_paths, secrets=MemorySecretStore())
    holder: dict[str, MainWindow] = {}

    def open_window() -> None:
        holder["w"] = MainWindow(services, Yes())
        holder["w"].show()

    opening = measure_stall(app, open_window, lambda: "w" in holder)
    history_window = holder["w"]
    history_tab = history_window.history
    showing = measure_stall(app, lambda: history_window.left_tabs.setCurrentWidget(history_tab),
                            lambda: history_tab.row_count() > 0)
    history = services.history.peek()
    assert isinstance(history, History) and history.count() >= 100_000
    stalls["(d) open 100k history"] = (max(opening, showing), (
        f"window {opening * 1000:.1f} ms, History tab {showing * 1000:.1f} ms "
        f"showing {history_tab.row_count()} rows of {history.count()}"))
    history_window.shutdown()
    history_window.close()
    close_services(services)

    stalls["(e) 860 KB answers"] = portal_page_send(app, base, Yes, find)

    for name, (seconds, note) in stalls.items():
        results.line(f"stall {name}", seconds * 1000, "ms", f"<= {BUDGET_MS:.0f} ms", baseline,
                     seconds * 1000 <= BUDGET_MS, note)
    return results.exit_code()


if __name__ == "__main__":
    sys.exit(main())
