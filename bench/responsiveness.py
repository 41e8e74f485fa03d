"""Responsiveness: the longest event-loop stall (5 ms QTimer) during four things in the window.

(a) sending through the real MainWindow to a loopback server that answers after 0.5 s,
(b) rendering a 100-part response (ResultsPane.show_exchanges),
(c) typing 3,000 characters into the message editor, live counters on (longest keystroke),
(d) opening the window on a history of 100,000 sends, then its History tab.
Baseline: the stall of the same window's idle event loop over 0.5 s, measured in the same run.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Results, isolate_this_process, measure_stall

BUDGET_MS = 50.0
DELAY_S = 0.5
TYPED = 3000
ACCEPTED = json.dumps({"message-count": "1", "messages": [
    {"to": "447700900300", "message-id": "0A00000012345678", "status": "0",
     "remaining-balance": "9.0", "message-price": "0.03", "network": "23410"}]})


class _Slow(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.stopping.wait(DELAY_S)  # type: ignore[attr-defined]
        body = ACCEPTED.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST  # noqa: N815

    def log_message(self, *args: object) -> None:
        pass


def slow_server() -> tuple[ThreadingHTTPServer, threading.Thread]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    server.daemon_threads = True
    server.stopping = threading.Event()  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    return server, thread


def hundred_part_document() -> object:
    from smsgui.core.documents import ResponseDocument
    messages = [{"to": "447700900300", "message-id": f"{i * 7919:016X}", "status": "0",
                 "remaining-balance": "9.0", "message-price": "0.03", "network": "23410"}
                for i in range(100)]
    return ResponseDocument(body=json.dumps({"message-count": "100", "messages": messages}),
                            http_status=200, elapsed_ms=90.0, sandbox=True)


def main() -> int:  # noqa: PLR0915
    base = isolate_this_process()
    from _history_fill import make_history
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QPushButton

    from smsgui.core.exchange import exchange_from_document
    from smsgui.core.history import History
    from smsgui.core.profiles import EndpointKind, Profile, ProfileStore
    from smsgui.core.secrets import MemorySecretStore
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
    services = build_services(paths, secrets=MemorySecretStore())
    window = MainWindow(services, Yes())
    window.show()
    app.processEvents()
    results = Results()
    stalls: dict[str, tuple[float, str]] = {}

    idle = measure_stall(app, lambda: None, lambda: True, settle_s=0.5) * 1000
    baseline = f"idle loop {idle:.1f} ms"

    # (a) a slow send of three recipients through the window
    server, thread = slow_server()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        profiles = window._profiles
        profiles.append(Profile("Slow", EndpointKind.CUSTOM, api_key="abcd1234",
                                rest_base_url=url, api_base_url=url))
        ProfileStore.save(services.profiles, profiles)
        services.secrets.set("Slow", "api_secret", "Zebra-Secret-7731")
        window._fill_profiles()
        window.profile_combo.setCurrentIndex(len(profiles) - 1)
        find(window, QLineEdit, "From").setText("AcmeInc")
        find(window, QPlainTextEdit, "To").setPlainText(
            "447700900300, 447700900301, 447700900302")
        find(window, QPlainTextEdit, "Message text").setPlainText("Hello from the benchmark")
        button = find(window, QPushButton, "Send")
        assert button.isEnabled(), "the Send button is disabled"
        before = len(window.results.exchanges())
        started = time.perf_counter()
        stall = measure_stall(app, button.click, lambda: window._job is None
                              and len(window.results.exchanges()) > before, timeout_s=20)
        took = time.perf_counter() - started
        stalls["(a) slow send"] = (stall, f"{len(window.results.exchanges())} results "
                                          f"in {took:.1f} s")
    finally:
        server.stopping.set()  # type: ignore[attr-defined]
        server.shutdown()
        server.server_close()
        thread.join(5)

    # (b) a 100-part response
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

    for name, (seconds, note) in stalls.items():
        results.line(f"stall {name}", seconds * 1000, "ms", f"<= {BUDGET_MS:.0f} ms", baseline,
                     seconds * 1000 <= BUDGET_MS, note)
    return results.exit_code()


if __name__ == "__main__":
    sys.exit(main())
