"""The destination's rules in the whole window: compose, results, troubleshooting, Countries."""
# ruff: noqa: F811 - the window fixtures come from test_main_window and are named as arguments

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QListWidget, QPlainTextEdit, QTextBrowser
from pytestqt.qtbot import QtBot
from test_main_window import prompter, send, wait_for_receipts, window  # noqa: F401 (fixtures)
from uitools import find

from smsgui.ui.main_window import MainWindow

ENTITY_ID = "1101456324675322134"
CONTENT_ID = "1107457532145798767"
INDIA = "919876543210"


def _click_finding(qtbot: QtBot, window: MainWindow, containing: str) -> None:
    findings = find(window, QListWidget, "Checks")
    row = next(row for row in range(findings.count())
               if containing in findings.item(row).text())
    where = findings.visualItemRect(findings.item(row)).center()
    qtbot.mouseClick(findings.viewport(), Qt.MouseButton.LeftButton, pos=where)


def test_a_country_finding_opens_its_entry_with_the_countrys_own_rule(
    qtbot: QtBot, window: MainWindow
) -> None:
    find(window, QLineEdit, "From").setText("Acme")
    find(window, QPlainTextEdit, "To").setPlainText("6591234567")
    _click_finding(qtbot, window, "Likely-SCAM")
    assert window.troubleshooting.highlighted_id() == "check-country-sender-registration"
    shown = window.troubleshooting.details.toPlainText()
    assert "What the destination country's rules add" in shown
    assert "Singapore:" in shown and "SSIR" in shown and "checked 2026-12-03" in shown


def test_the_countries_dialog_opens_on_a_country(qtbot: QtBot, window: MainWindow) -> None:
    dialog = window.show_countries("IN")
    qtbot.addWidget(dialog)
    assert dialog.isVisible() and dialog.shown_iso() == "IN"
    assert "entity-id" in find(dialog, QTextBrowser, "Country rules").toPlainText()
    help_menu = next(action.menu() for action in window.menuBar().actions()
                     if action.text() == "&Help")
    assert "&Countries and their rules..." in [action.text() for action in help_menu.actions()]


def test_an_indian_send_fails_explained_without_the_ids_and_is_delivered_with_them(
    qtbot: QtBot, window: MainWindow
) -> None:
    send(qtbot, window, INDIA, "Your OTP is 1234", sender="Acme")
    wait_for_receipts(qtbot, window, 1)
    assert window.troubleshooting.highlighted_id() == "receipt-error-50"
    assert "DLT" in window.results.destination.text()
    assert "sent without entity-id" in window.results.destination.text()
    assert "India: err-code 50" in window.troubleshooting.details.toPlainText()

    find(window, QLineEdit, "Entity ID").setText(ENTITY_ID)
    find(window, QLineEdit, "Content Template ID").setText(CONTENT_ID)
    send(qtbot, window, INDIA, "Your OTP is 1234", sender="Acme")
    wait_for_receipts(qtbot, window, 2)
    assert [exchange.verdict.label for exchange in window.exchanges] == ["Delivered"]
    assert not window.results.destination.isVisible()
    request = window.exchanges[0].document.request
    assert request is not None and request.field_value("entity-id") == ENTITY_ID


def test_the_parameters_reach_the_history_and_a_saved_document(
    qtbot: QtBot, window: MainWindow
) -> None:
    find(window, QLineEdit, "From").setText("Acme")
    find(window, QPlainTextEdit, "To").setPlainText(INDIA)
    find(window, QLineEdit, "Entity ID").setText(ENTITY_ID)
    find(window, QLineEdit, "Content Template ID").setText(CONTENT_ID)
    find(window, QLineEdit, "Account reference").setText("customer1234")
    send(qtbot, window, INDIA, "Your OTP is 1234", sender="Acme")
    history = window.services.history.get()
    assert history is not None
    (row,) = history.search("customer1234")
    (document,) = history.load(row.id)
    assert document.request is not None
    assert document.request.field_value("content-id") == CONTENT_ID
    window.save_action.trigger()
    window.results.clear()
    window.open_file()
    request = window.exchanges[0].document.request
    assert request is not None and request.field_value("account-ref") == "customer1234"


def test_each_row_brings_only_its_own_countrys_rule_to_the_troubleshooting_panel(
    qtbot: QtBot, window: MainWindow
) -> None:
    send(qtbot, window, f"{INDIA}, 573001234567", "Your OTP is 1234", sender="Acme")
    wait_for_receipts(qtbot, window, 1)
    pane_text = window.results.destination.text()
    assert "India:" in pane_text and "Colombia:" in pane_text
    assert "phone showed" not in pane_text, "a refused message reached no phone"
    window.results.table.selectRow(0)
    shown = window.troubleshooting.details.toPlainText()
    assert "India:" in shown and "Colombia:" not in shown
    window.results.table.selectRow(1)
    shown = window.troubleshooting.details.toPlainText()
    assert "Colombia:" in shown and "India:" not in shown

