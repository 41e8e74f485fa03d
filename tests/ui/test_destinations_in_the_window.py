"""The destination's rules in the whole window: compose, results, troubleshooting, Countries."""
# ruff: noqa: F811 - the window fixtures come from test_main_window and are named as arguments

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QListWidget, QPlainTextEdit, QTextBrowser
from pytestqt.qtbot import QtBot
from test_main_window import prompter, send, window  # noqa: F401 (fixtures)
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
