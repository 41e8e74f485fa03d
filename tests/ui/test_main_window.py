"""The whole window against the embedded sandbox over loopback, driven through its widgets."""

from __future__ import annotations

import base64
import gc
import itertools
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from faultserver import FaultServer, Reply
from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDropEvent, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QWidget,
)
from pytestqt.qtbot import QtBot
from uitools import find, type_text

from smsgui.applog import setup_logging
from smsgui.core.api.profiles import EndpointKind, Profile, ProfileStore
from smsgui.core.api.secrets import MemorySecretStore
from smsgui.sandbox.config import DEFAULT_API_KEY
from smsgui.ui.app import AppPaths, build_services, close_services
from smsgui.ui.history_view import HistoryPrompter
from smsgui.ui.main_window import SANDBOX_BADGE, MainWindow, Prompter
from smsgui.ui.services import Services

SECRET = "Zebra-Secret-7731"


class ScriptedPrompter(Prompter):
    """Answers every question the way the test says, and remembers what was asked."""

    def __init__(self, tmp_path: Path) -> None:
        self.confirm_answer = True
        self.confirmations: list[str] = []
        self.errors: list[str] = []
        self.path = tmp_path / "saved.json"

    def confirm(self, parent: QWidget, title: str, text: str) -> bool:
        self.confirmations.append(text)
        return self.confirm_answer

    def save_path(self, parent: QWidget, suggested: str) -> Path | None:
        return self.path

    def open_path(self, parent: QWidget) -> Path | None:
        return self.path

    def error(self, parent: QWidget, headline: str, cause: str, next_step: str,
              details: str = "") -> None:
        self.errors.append(headline)


@pytest.fixture
def prompter(tmp_path: Path) -> ScriptedPrompter:
    return ScriptedPrompter(tmp_path)


@pytest.fixture
def window(qtbot: QtBot, services: Services, prompter: ScriptedPrompter) -> MainWindow:
    main = MainWindow(services, prompter)
    qtbot.addWidget(main)
    main.show()
    return main


def add_profile(window: MainWindow, services: Services, profile: Profile, secret: str) -> None:
    """Store ``profile`` and its secret as the Profiles dialog would, and let the window know."""
    ProfileStore.save(services.profiles, [*window.profiles, profile])
    services.secrets.set(profile.name, "api_secret", secret)
    window.reload_profiles()


def use_custom_profile(window: MainWindow, services: Services, name: str, url: str,
                       secret: str, api_key: str = DEFAULT_API_KEY) -> None:
    """Add a profile sending to ``url`` with ``secret`` and make it the current one."""
    add_profile(window, services, Profile(name, EndpointKind.CUSTOM, api_key=api_key,
                                          rest_base_url=url, api_base_url=url), secret)
    window.profile_combo.setCurrentIndex(len(window.profiles) - 1)


def send(qtbot: QtBot, window: MainWindow, to: str, text: str = "Hello from the tests",
         sender: str = "AcmeInc") -> None:
    find(window, QLineEdit, "From").setText(sender)
    find(window, QPlainTextEdit, "To").setPlainText(to)
    message = find(window, QPlainTextEdit, "Message text")
    message.clear()
    type_text(message, text)
    button = find(window, QPushButton, "Send")
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.is_sending and button.isEnabled(), timeout=10_000)


def wait_for_receipts(qtbot: QtBot, window: MainWindow, count: int,
                      timeout_ms: int = 10_000) -> None:
    """Wait until ``count`` receipts have arrived and the results show them."""
    qtbot.waitUntil(lambda: len(window.receipt_book) == count and not window.redraw_pending,
                    timeout=timeout_ms)


def column_texts(window: MainWindow, header: str) -> list[str]:
    table = window.results.table
    headers = [table.header_text(c) for c in range(table.columnCount())]
    column = next(i for i, name in enumerate(headers) if name.startswith(header))
    return [table.text(row, column) for row in range(table.rowCount())]


def test_a_newcomer_starts_on_the_sandbox_with_its_badge(window: MainWindow) -> None:
    assert window.profile.is_sandbox
    badge = find(window, QLabel, "Account badge")
    assert badge.isVisible() and badge.text() == SANDBOX_BADGE
    assert not find(window, QLabel, "Account badge icon").pixmap().isNull()


def test_a_successful_send_shows_price_balance_network_and_the_entry(
    qtbot: QtBot, window: MainWindow
) -> None:
    send(qtbot, window, "447700900000")
    assert column_texts(window, "Status") == ["0 Success"]
    assert column_texts(window, "Price") == ["0.0333"]
    assert column_texts(window, "Balance") == ["9.9667"]
    assert "O2 (UK), United Kingdom (23410)" in column_texts(window, "Network")
    assert window.troubleshooting.highlighted_id() == "status-0"


def test_a_multipart_message_shows_a_row_per_part(qtbot: QtBot, window: MainWindow) -> None:
    send(qtbot, window, "447700900000", text="x" * 200)
    assert column_texts(window, "Part") == ["1/2", "2/2"]


@pytest.mark.parametrize(
    ("number", "status", "entry_id"),
    [("447700900001", "1 Throttled", "status-1"),
     ("447700900029", "29 Non-Whitelisted Destination", "status-29")],
)
def test_failures_highlight_their_entry(qtbot: QtBot, window: MainWindow, number: str,
                                        status: str, entry_id: str) -> None:
    send(qtbot, window, number)
    assert column_texts(window, "Status") == [status]
    assert column_texts(window, "Price") == [""] and column_texts(window, "Balance") == [""]
    assert window.troubleshooting.highlighted_id() == entry_id


def test_a_partial_failure_across_recipients(qtbot: QtBot, window: MainWindow) -> None:
    send(qtbot, window, "447700900000, 447700900029")
    assert len(column_texts(window, "Status")) == 2
    assert "Partial failure" in find(window, QWidget, "Verdict").text()  # type: ignore[attr-defined]
    assert window.troubleshooting.highlighted_id() == "status-29"


def test_invalid_credentials_on_a_live_style_profile(
    qtbot: QtBot, window: MainWindow, services: Services, prompter: ScriptedPrompter
) -> None:
    use_custom_profile(window, services, "Staging", services.sandbox.url(), "not-the-secret")
    badge = find(window, QLabel, "Account badge")
    assert badge.isVisible() and badge.text() == "OWN SERVER - Staging"
    assert "127.0.0.1:" in badge.toolTip()
    assert "sandbox" not in badge.text().lower()
    send(qtbot, window, "447700900000")
    assert prompter.confirmations and "Estimated cost" in prompter.confirmations[0]
    assert column_texts(window, "Status") == ["4 Invalid Credentials"]
    assert window.troubleshooting.highlighted_id() == "status-4"


def test_declining_the_live_confirmation_sends_nothing(
    qtbot: QtBot, window: MainWindow, services: Services, prompter: ScriptedPrompter
) -> None:
    url = services.sandbox.url()
    use_custom_profile(window, services, "Staging", url, "SandboxSecret123")
    prompter.confirm_answer = False
    balance_before = services.sandbox.server.account.balance  # type: ignore[union-attr]
    find(window, QLineEdit, "From").setText("AcmeInc")
    find(window, QPlainTextEdit, "To").setPlainText("447700900000")
    type_text(find(window, QPlainTextEdit, "Message text"), "Hi")
    qtbot.mouseClick(find(window, QPushButton, "Send"), Qt.MouseButton.LeftButton)
    assert not window.is_sending and window.results.table.rowCount() == 0
    assert services.sandbox.server.account.balance == balance_before  # type: ignore[union-attr]


def test_an_unreachable_server(qtbot: QtBot, window: MainWindow, services: Services) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    use_custom_profile(window, services, "Down", f"http://127.0.0.1:{port}", SECRET,
                       api_key="abcd1234")
    send(qtbot, window, "447700900000")
    assert window.troubleshooting.highlighted_id() == "transport-connection-refused"


def test_save_then_reload_shows_the_same_results(qtbot: QtBot, window: MainWindow) -> None:
    send(qtbot, window, "447700900000, 447700900029", text="x" * 200)
    columns = ("Recipient", "Part", "Message", "Status", "Error", "Price", "Balance", "Network")

    def shown() -> list[object]:
        return [*(column_texts(window, name) for name in columns), window.results.verdict.text(),
                window.results.summary.text(), window.troubleshooting.highlighted_id()]

    before = shown()
    window.save_action.trigger()
    window.results.clear()
    window.open_file()
    assert shown() == before and len(column_texts(window, "Part")) == 3


def test_the_preload_and_every_send_exempt_long_lived_objects_from_full_collections(
        qtbot: QtBot, window: MainWindow) -> None:
    frozen_at_start = gc.get_freeze_count()
    qtbot.waitUntil(lambda: gc.get_freeze_count() > frozen_at_start)  # the preload's freeze
    assert "phonenumbers" in sys.modules and not window.is_busy_in_background
    after_preload = gc.get_freeze_count()
    send(qtbot, window, "447700900000")
    after_first_send = gc.get_freeze_count()
    assert after_first_send > after_preload
    send(qtbot, window, "447700900000")
    assert gc.get_freeze_count() > after_first_send, "each send freezes what it leaves alive"


def test_closing_while_sends_are_being_deleted_hides_the_window_and_finishes_the_delete(
        qtbot: QtBot, window: MainWindow, services: Services) -> None:
    import sqlite3
    import threading

    class Agreeing(HistoryPrompter):
        def confirm(self, parent: QWidget, title: str, text: str, action: str) -> bool:
            return True

    send(qtbot, window, "447700900000")
    history = services.history.get()
    assert history is not None and history.count() == 1
    window.history.prompter = Agreeing()
    window.left_tabs.setCurrentWidget(window.history)
    window.history.table.selectRow(0)
    other = sqlite3.connect(history.path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another program holds the delete up for a moment
    seen_while_waiting: list[bool] = []

    def let_go() -> None:
        seen_while_waiting.append(window.isVisible())
        other.execute("ROLLBACK")
        other.close()

    window.history.delete_button.click()
    assert window.history.busy()
    threading.Timer(0.3, let_go).start()
    window.close()
    assert seen_while_waiting == [False], "no frozen window while the delete finishes"
    assert history.count() == 0, "the delete the person agreed to is done"


def test_history_search_and_reopen(qtbot: QtBot, window: MainWindow) -> None:
    send(qtbot, window, "447700900000")
    send(qtbot, window, "447700900029")
    window.left_tabs.setCurrentWidget(window.history)  # the History tab, as a person opens it
    assert window.history.row_count() == 2
    search = find(window, QLineEdit, "Search history")
    qtbot.keyClicks(search, "447700900029")
    table = find(window, QTableView, "History")
    assert window.history.row_count() == 1
    window.results.clear()
    cell = table.visualRect(table.model().index(0, 0)).center()
    with qtbot.waitSignal(window.history.reopen_requested):
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    assert window.is_opening  # read on a worker
    qtbot.waitUntil(lambda: not window.is_opening)
    assert column_texts(window, "Status") == ["29 Non-Whitelisted Destination"]


def test_of_two_quick_reopens_the_last_one_is_shown(qtbot: QtBot, window: MainWindow) -> None:
    send(qtbot, window, "447700900000")
    send(qtbot, window, "447700900029")
    history = window.services.history.get()
    accepted, refused = sorted(row.id for row in history.search(""))
    window.results.clear()
    window.history.reopen_requested.emit(refused)
    window.history.reopen_requested.emit(accepted)
    qtbot.waitUntil(lambda: not window.is_opening)
    qtbot.wait(50)  # the first read's answer, should it come late, changes nothing
    assert column_texts(window, "Status") == ["0 Success"]
    assert window.session is not None and window.session.row_id == accepted


def test_copy_summary_puts_the_preview_on_the_clipboard(qtbot: QtBot,
                                                        window: MainWindow) -> None:
    send(qtbot, window, "447700900029")
    window.copy_summary_action.trigger()
    dialog = window.summary_dialog
    assert dialog is not None
    preview = dialog.preview.toPlainText()
    assert "447******029" in preview and "447700900029" not in preview
    assert "Non-Whitelisted Destination" in preview
    qtbot.mouseClick(find(dialog, QPushButton, "Copy to clipboard"), Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == preview


def test_paste_response_decodes_the_clipboard(window: MainWindow) -> None:
    QGuiApplication.clipboard().setText('{"message-count":"1","messages":[{"status":"9",'
                                        '"error-text":"Quota Exceeded - rejected"}]}')
    window.paste_response()
    assert column_texts(window, "Status") == ["9 Partner Quota Violation"]
    assert window.troubleshooting.highlighted_id() == "status-9"


@pytest.fixture
def app_log(paths: AppPaths) -> Iterator[Path]:
    handler = setup_logging(paths.logs, level=logging.DEBUG)
    yield paths.logs / "smsgui.log"
    logging.getLogger().removeHandler(handler)
    handler.close()


def test_no_secret_reaches_settings_history_documents_logs_or_clipboard(
    qtbot: QtBot, window: MainWindow, services: Services, paths: AppPaths,
    prompter: ScriptedPrompter, app_log: Path,
) -> None:
    url = services.sandbox.url()
    use_custom_profile(window, services, "Secretive", url, SECRET)
    send(qtbot, window, "447700900000")
    window.save_action.trigger()
    window.copy_summary_action.trigger()
    assert window.summary_dialog is not None
    qtbot.mouseClick(find(window.summary_dialog, QPushButton, "Copy to clipboard"),
                     Qt.MouseButton.LeftButton)
    window.shutdown()
    written = [p for p in paths.config.parent.rglob("*") if p.is_file()]
    assert any(p.suffix == ".sqlite3" for p in written) and prompter.path in written
    assert app_log in written and "SMS to 447******000" in app_log.read_text(encoding="utf-8")
    token = base64.b64encode(f"{DEFAULT_API_KEY}:{SECRET}".encode())
    for path in written:
        content = path.read_bytes()
        assert SECRET.encode() not in content and token not in content, path
    assert SECRET not in QGuiApplication.clipboard().text()


def test_check_credentials_fetches_the_balance_without_sending(
    qtbot: QtBot, window: MainWindow, services: Services
) -> None:
    qtbot.mouseClick(find(window, QPushButton, "Check credentials"), Qt.MouseButton.LeftButton)
    balance = find(window, QWidget, "Balance")
    qtbot.waitUntil(lambda: "Balance: 10.00 EUR" in balance.text(),  # type: ignore[attr-defined]
                    timeout=10_000)
    assert services.sandbox.server is not None
    assert services.sandbox.server.account.balance == Decimal("10.00")  # nothing was sent
    assert "up to 30 requests per second" in window.statusBar().currentMessage()
    assert window.throughput_of(window.profile) == 30


def test_the_profiles_dialog_adds_a_profile_the_window_can_use(
    qtbot: QtBot, window: MainWindow, services: Services
) -> None:
    window.manage_profiles()
    dialog = window.credentials_dialog
    assert dialog is not None
    qtbot.mouseClick(find(dialog, QPushButton, "New profile"), Qt.MouseButton.LeftButton)
    qtbot.keyClicks(find(dialog, QLineEdit, "Profile name"), "Acme live")
    qtbot.keyClicks(find(dialog, QLineEdit, "API key"), "abcd1234")
    qtbot.keyClicks(find(dialog, QLineEdit, "API secret"), SECRET)
    qtbot.mouseClick(find(dialog, QPushButton, "Save"), Qt.MouseButton.LeftButton)
    assert [window.profile_combo.itemText(i) for i in range(window.profile_combo.count())][-1] \
        == "Acme live"
    assert services.secrets.get("Acme live", "api_secret") == SECRET


def test_opening_a_missing_file_says_so(window: MainWindow, prompter: ScriptedPrompter,
                                        tmp_path: Path) -> None:
    window.open_path(tmp_path / "missing.json")
    assert prompter.errors == ["Cannot open missing.json."]


def test_running_smsgui_without_arguments_opens_the_window(tmp_path: Path) -> None:
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen",
                       **{name: str(tmp_path / name.lower()) for name in (
                           "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME",
                           "XDG_CACHE_HOME")})
    process = subprocess.Popen([sys.executable, "-m", "smsgui"], env=environment,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(2.5)
    still_running = process.poll() is None
    process.terminate()
    _, errors = process.communicate(timeout=10)
    assert still_running, errors
    assert (tmp_path / "xdg_state_home" / "smsgui" / "log" / "smsgui.log").exists()


def test_the_window_stays_responsive_during_a_slow_send(
    qtbot: QtBot, window: MainWindow, services: Services
) -> None:
    accepted = ('{"message-count":"1","messages":[{"to":"447700900000","message-id":"A",'
                '"status":"0","remaining-balance":"9","message-price":"0.03","network":"23410"}]}')
    with FaultServer(Reply(body=accepted, delay_s=0.8)) as slow:
        use_custom_profile(window, services, "Slow", slow.url, SECRET, api_key="abcd1234")
        ticks: list[float] = []
        timer = QTimer()
        timer.setInterval(5)
        timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
        timer.start()
        send(qtbot, window, "447700900000, 447700900001")
        timer.stop()
    longest = max(later - earlier for earlier, later in itertools.pairwise(ticks))
    assert len(window.results.exchanges()) == 2
    assert longest < 0.050, f"the window froze for {longest * 1000:.0f} ms"


def test_the_default_country_normalizes_national_numbers_and_is_remembered(
    qtbot: QtBot, window: MainWindow, services: Services
) -> None:
    combo = find(window, QComboBox, "Default country")
    combo.setCurrentIndex(combo.findData("DE"))
    assert services.settings.default_country == "DE"
    find(window, QPlainTextEdit, "To").setPlainText("0151 23456789")
    assert window.compose.report().recipients[0].e164 == "4915123456789"


def test_every_control_a_keyboard_can_reach_has_an_accessible_name(window: MainWindow) -> None:
    unnamed = [
        f"{type(widget).__name__} {widget.objectName()!r}"
        for widget in window.findChildren(QWidget)
        if widget.focusPolicy() != Qt.FocusPolicy.NoFocus and widget.isVisibleTo(window)
        and not widget.accessibleName()
        and type(widget).__name__ not in {"QScrollBar", "QTabBar", "QHeaderView", "QSplitterHandle"}
        and not type(widget).__name__.startswith("QAbstract")
        and widget.parent() is not None and type(widget.parent()).__name__ != "QComboBox"
    ]
    assert unnamed == []


def test_without_a_working_keyring_secrets_are_kept_for_the_session(
    qtbot: QtBot, paths: AppPaths, prompter: ScriptedPrompter
) -> None:
    services = build_services(paths)  # the tests' keyring backend is the "null" one
    try:
        main = MainWindow(services, prompter)
        qtbot.addWidget(main)
        main.show()  # the keyring is asked once the window is up
        qtbot.waitUntil(lambda: services.keyring_problem is not None, timeout=5_000)
        assert isinstance(services.secrets, MemorySecretStore)
        assert "session only" in main.statusBar().currentMessage()
        main.manage_profiles()
        assert main.credentials_dialog is not None
        keyring_text = find(main.credentials_dialog, QLabel, "Keyring").text()
        assert "never written to a file" in keyring_text
        main.shutdown()
    finally:
        close_services(services)


def test_while_sending_nothing_can_change_where_it_goes(
    qtbot: QtBot, window: MainWindow, services: Services, prompter: ScriptedPrompter
) -> None:
    accepted = ('{"message-count":"1","messages":[{"to":"447700900000","message-id":"A",'
                '"status":"0","remaining-balance":"9","message-price":"0.03","network":"23410"}]}')
    with FaultServer(Reply(body=accepted, delay_s=0.4)) as slow:
        use_custom_profile(window, services, "Slow", slow.url, SECRET, api_key="abcd1234")
        find(window, QLineEdit, "From").setText("AcmeInc")
        find(window, QPlainTextEdit, "To").setPlainText("447700900000, 447700900001, 447700900002")
        type_text(find(window, QPlainTextEdit, "Message text"), "Hi")
        qtbot.mouseClick(find(window, QPushButton, "Send"), Qt.MouseButton.LeftButton)
        assert window.is_sending
        assert not window.profile_combo.isEnabled() and not window.open_action.isEnabled()
        assert not window.paste_action.isEnabled() and not window.history.isEnabled()
        qtbot.waitUntil(lambda: len(slow.requests) == 1, timeout=5_000)
        prompter.confirm_answer = False
        window.close()
        assert window.isVisible(), "closing was declined, so the window stays"
        qtbot.mouseClick(find(window, QPushButton, "Cancel sending"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not window.is_sending, timeout=10_000)
    assert len(slow.requests) == 1
    assert "2 recipient(s) were not sent" in window.statusBar().currentMessage()
    assert not window.results.progress.isVisible()
    assert window.profile_combo.isEnabled() and window.open_action.isEnabled()
    history = services.history.get()
    rows = history.search("") if history else []
    assert rows and rows[0].profile == "Slow"


def test_a_file_dropped_on_the_message_opens_it_instead_of_pasting_its_path(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    path = tmp_path / "dropped.json"
    path.write_text('{"messages":[{"status":"29","error-text":"x"}]}', encoding="utf-8")
    message = find(window, QPlainTextEdit, "Message text")
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path))])
    drop = QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, data,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    # Offscreen Qt delivers no synthetic drops, so hand the event to the window's filter as Qt
    # would for a drop on the editor's viewport.
    assert window.eventFilter(message.viewport(), drop)
    assert message.toPlainText() == ""
    assert column_texts(window, "Status") == ["29 Non-Whitelisted Destination"]


def test_check_delivery_follows_an_accepted_message_to_its_outcome(
    qtbot: QtBot, window: MainWindow
) -> None:
    send(qtbot, window, "447700900106")  # accepted; its receipt will say rejected, err-code 6
    assert column_texts(window, "Status") == ["0 Success"]
    button = find(window, QPushButton, "Check delivery")
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Delivery check" in window.statusBar().currentMessage(),
                    timeout=10_000)
    assert "still on the way" in window.statusBar().currentMessage()
    qtbot.wait(1100)  # the embedded sandbox finalizes after its 1 s receipt delay
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "not delivered" in window.statusBar().currentMessage(),
                    timeout=10_000)
    assert window.troubleshooting.highlighted_id() == "receipt-error-6"
    assert not window.exchanges[0].ok
    receipts = window.exchanges[0].document.receipts
    assert {(r.get("source", "receipt"), r["status"]) for r in receipts} == {
        ("receipt", "rejected"), ("reports", "rejected")}


def test_on_the_sandbox_receipts_arrive_by_themselves_and_survive_a_reload(
    qtbot: QtBot, window: MainWindow
) -> None:
    send(qtbot, window, "447700900106, 447700900000")
    assert find(window, QLineEdit, "Receiver address").text().startswith("http://127.0.0.1:")
    wait_for_receipts(qtbot, window, 2)
    assert window.troubleshooting.highlighted_id() == "receipt-error-6"
    assert [exchange.ok for exchange in window.exchanges] == [False, True]
    timeline = window.results.timeline.toPlainText()
    assert "Not delivered" in timeline and "Delivered" in timeline
    window.save_action.trigger()
    window.results.clear()
    window.open_file()
    assert [exchange.ok for exchange in window.exchanges] == [False, True]
    assert "Not delivered" in window.results.timeline.toPlainText()
    find(window, QPushButton, "Receive receipts").click()
    assert find(window, QLineEdit, "Receiver address").text() == ""


def test_a_pasted_receipt_says_which_field_is_the_recipient(window: MainWindow) -> None:
    QGuiApplication.clipboard().setText(
        "msisdn=447700900123&to=AcmeInc&messageId=X1&status=failed&err-code=6")
    window.paste_response()
    (text,) = column_texts(window, "Error")
    assert "msisdn (447******123) is the recipient" in text and "to (AcmeInc)" in text
    assert window.troubleshooting.highlighted_id() == "receipt-error-6"


def test_the_help_menu_runs_the_self_test(qtbot: QtBot, window: MainWindow,
                                          services: Services) -> None:
    window.run_self_test()
    box = window.self_test_box
    assert "self-test passed" in box.text()
    box.close()
    assert window.history.row_count() == 0  # the user's history was not touched


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_check_delivery_after_a_profile_switch_asks_the_account_that_sent(
    qtbot: QtBot, window: MainWindow, services: Services
) -> None:
    send(qtbot, window, "447700900000")
    # Another account, whose server is down: asking it instead would fail to connect.
    use_custom_profile(window, services, "Down", f"http://127.0.0.1:{closed_port()}", SECRET)
    assert window.profile.name == "Down"
    session = window.session
    assert session is not None and session.profile is not None
    assert session.profile.is_sandbox
    qtbot.wait(1100)  # the embedded sandbox finalizes after its 1 s receipt delay
    for _ in range(2):  # the second check must not drift to the selected profile either
        qtbot.mouseClick(find(window, QPushButton, "Check delivery"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "Delivery check" in window.statusBar().currentMessage(),
                        timeout=10_000)
        assert "1 delivered" in window.statusBar().currentMessage()
        window.statusBar().clearMessage()
    assert window.profile.name == "Down"


def test_check_credentials_in_the_profiles_dialog_leaves_the_send_profile_alone(
    qtbot: QtBot, window: MainWindow, services: Services
) -> None:
    add_profile(window, services, Profile("Acme live", EndpointKind.CUSTOM,
                                          api_key=DEFAULT_API_KEY,
                                          rest_base_url=services.sandbox.url(),
                                          api_base_url=services.sandbox.url()),
                "SandboxSecret123")
    assert window.profile.is_sandbox
    window.manage_profiles()
    dialog = window.credentials_dialog
    assert dialog is not None
    profiles = find(dialog, QListWidget, "Profiles")
    (item,) = profiles.findItems("Acme live", Qt.MatchFlag.MatchStartsWith)
    profiles.setCurrentItem(item)
    qtbot.mouseClick(find(dialog, QPushButton, "Check credentials"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Acme live: credentials work" in window.statusBar().currentMessage(),
                    timeout=10_000)
    assert window.profile.is_sandbox
    assert find(window, QLabel, "Account badge").text() == SANDBOX_BADGE
    dialog.close()


def test_a_live_profile_says_live_in_words_and_the_raw_tab_names_its_server(
    qtbot: QtBot, window: MainWindow, services: Services
) -> None:
    add_profile(window, services, Profile("Acme live", EndpointKind.VONAGE, api_key="abcd1234"),
                "a-secret")
    window.profile_combo.setCurrentIndex(len(window.profiles) - 1)
    badge = find(window, QLabel, "Account badge")
    assert badge.text() == "LIVE - Acme live - charged"
    assert "rest.nexmo.com" in badge.toolTip() and "charged" in badge.toolTip()
    assert not find(window, QLabel, "Account badge icon").pixmap().isNull()
    window.profile_combo.setCurrentIndex(0)
    assert badge.text() == SANDBOX_BADGE


def test_a_receipt_after_the_send_updates_the_history_row(
    qtbot: QtBot, window: MainWindow, services: Services
) -> None:
    send(qtbot, window, "447700900200")  # accepted; its receipt says expired
    history = services.history.get()
    assert history is not None
    (row,) = history.search()
    assert row.ok and row.headline.startswith("Accepted:")
    qtbot.waitUntil(lambda: not history.row(row.id).ok, timeout=10_000)
    assert history.row(row.id).headline.startswith("Not delivered: expired")
    assert [found.id for found in history.search("expired")] == [row.id]
    assert window.results.verdict.text() == "Not delivered"
