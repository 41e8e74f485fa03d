"""A calm first start: hints rather than errors, and a sample send on the sandbox."""
# ruff: noqa: F811 - the window fixtures come from test_main_window and are named as arguments

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QPushButton
from pytestqt.qtbot import QtBot
from test_main_window import prompter, use_custom_profile, window  # noqa: F401 (fixtures)
from uitools import find

from smsgui.ui.compose import HINT
from smsgui.ui.main_window import MainWindow
from smsgui.ui.services import Services


def test_a_first_start_greets_with_hints_not_errors(window: MainWindow) -> None:
    findings = find(window, QListWidget, "Checks")
    assert [findings.item(row).text() for row in range(findings.count())] == [HINT]
    assert "nothing is really sent" in window.results.summary.text()


def test_the_empty_sandbox_pane_explains_itself_and_offers_a_sample_send(
    qtbot: QtBot, window: MainWindow
) -> None:
    assert "nothing is really sent" in window.results.summary.text()
    sample = find(window, QPushButton, "Try a sample send")
    assert sample.isVisible()
    qtbot.mouseClick(sample, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(window.exchanges) == 2 and not window.is_sending,
                    timeout=10_000)
    assert [exchange.ok for exchange in window.exchanges] == [True, False]
    assert window.troubleshooting.highlighted_id() == "status-29"
    assert not sample.isVisible()


def test_a_live_profile_offers_no_sample_it_would_be_charged(
    window: MainWindow, services: Services
) -> None:
    use_custom_profile(window, services, "Own", "http://127.0.0.1:9", "secret-1234")
    assert not find(window, QPushButton, "Try a sample send").isVisible()
    assert "nothing is really sent" not in window.results.summary.text()


def test_the_cards_buttons_check_delivery_and_open_the_summary(
    qtbot: QtBot, window: MainWindow
) -> None:
    qtbot.mouseClick(find(window, QPushButton, "Try a sample send"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(window.exchanges) == 2 and not window.is_sending,
                    timeout=10_000)
    delivered = window.results.cards.cards()[0]
    summary = next(b for b in delivered.findChildren(QPushButton)
                   if b.text() == "Copy summary...")
    qtbot.mouseClick(summary, Qt.MouseButton.LeftButton)
    assert window.summary_dialog is not None and window.summary_dialog.isVisible()
    window.summary_dialog.reject()


def test_the_whole_flow_works_from_the_keyboard(qtbot: QtBot, window: MainWindow) -> None:
    from PySide6.QtWidgets import QApplication, QLineEdit

    with qtbot.waitActive(window):
        window.activateWindow()
    sender = find(window, QLineEdit, "From")
    sender.setFocus()
    qtbot.waitUntil(sender.hasFocus)
    qtbot.keyClicks(sender, "Acme")
    qtbot.keyClick(sender, Qt.Key.Key_Tab)
    qtbot.keyClicks(QApplication.focusWidget(), "447700900000")
    assert QApplication.focusWidget().accessibleName() == "To"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget().accessibleName() == "Default country"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget().accessibleName() == "Message text"
    qtbot.keyClicks(QApplication.focusWidget(), "Sent without a mouse")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return,
                   Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(window.exchanges) == 1 and not window.is_sending,
                    timeout=10_000)
    (card,) = window.results.cards.cards()
    assert card.facts.recipient == "447******000"
    assert card.accessibleDescription().startswith("Accepted")


def test_send_on_an_empty_form_says_what_is_missing_and_sends_nothing(
    qtbot: QtBot, window: MainWindow
) -> None:
    button = find(window, QPushButton, "Send")
    assert button.isEnabled()
    with qtbot.assertNotEmitted(window.compose.send_requested):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    findings = find(window, QListWidget, "Checks")
    texts = [findings.item(row).text() for row in range(findings.count())]
    assert len(texts) == 3 and all(text.startswith("Blocks sending") for text in texts)
    assert not button.isEnabled()


def test_the_sample_send_leaves_the_users_draft_alone(qtbot: QtBot, window: MainWindow) -> None:
    from PySide6.QtWidgets import QLineEdit, QPlainTextEdit

    find(window, QLineEdit, "From").setText("MyDraft")
    find(window, QPlainTextEdit, "To").setPlainText("447700900123")
    window.send_sample()
    qtbot.waitUntil(lambda: len(window.exchanges) == 2 and not window.is_sending,
                    timeout=10_000)
    assert find(window, QLineEdit, "From").text() == "MyDraft"
    assert find(window, QPlainTextEdit, "To").toPlainText() == "447700900123"


def test_open_the_entry_brings_a_hidden_troubleshooting_panel_back(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.troubleshooting_action.trigger()
    assert not window.troubleshooting.isVisible()
    window.send_sample()
    qtbot.waitUntil(lambda: len(window.exchanges) == 2 and not window.is_sending,
                    timeout=10_000)
    refused = window.results.cards.cards()[1]
    entry = next(b for b in refused.findChildren(QPushButton)
                 if b.accessibleName() == "Open the entry for card 2")
    qtbot.mouseClick(entry, Qt.MouseButton.LeftButton)
    assert window.troubleshooting.isVisible()
    assert window.troubleshooting.highlighted_id() == "status-29"
