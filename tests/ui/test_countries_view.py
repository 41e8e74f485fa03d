"""The Countries dialog: every country listed, searched by name, code or rule, rules shown."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QSplitter,
    QTextBrowser,
    QWidget,
)
from pytestqt.qtbot import QtBot
from uitools import find

from smsgui.core.reference.destinations import (
    DestinationTable,
    default_destination_table,
    parse_destinations,
)
from smsgui.ui.countries_view import CountriesDialog

CHECKED = "2026-12-03"
VONAGE_DLT = ("https://developer.vonage.com/blog/21/05/12/"
              "introducing-distribution-ledger-technology-sms-indian-regulation")


@pytest.fixture
def table() -> DestinationTable:
    return default_destination_table()


@pytest.fixture
def dialog(qtbot: QtBot, table: DestinationTable) -> CountriesDialog:
    widget = CountriesDialog(table)
    qtbot.addWidget(widget)
    # The keyboard tests need the active window; under Xvfb (xcb) that takes a round trip.
    with qtbot.waitActive(widget):
        widget.show()
        widget.activateWindow()
    return widget


def search_field(dialog: QDialog) -> QLineEdit:
    return find(dialog, QLineEdit, "Search countries")


def country_list(dialog: QDialog) -> QListWidget:
    return find(dialog, QListWidget, "Countries")


def count_label(dialog: QDialog) -> QLabel:
    return find(dialog, QLabel, "Countries shown")


def rules_text(dialog: QDialog) -> str:
    return " ".join(find(dialog, QTextBrowser, "Country rules").toPlainText().split())


def listed(dialog: QDialog) -> list[str]:
    countries = country_list(dialog)
    return [countries.item(row).text() for row in range(countries.count())]


def search_for(qtbot: QtBot, dialog: QDialog, text: str) -> None:
    search = search_field(dialog)
    search.clear()
    qtbot.keyClicks(search, text)


def test_the_dialog_is_titled_sized_and_resizable(dialog: CountriesDialog) -> None:
    assert dialog.windowTitle() == "Countries"
    assert 800 <= dialog.width() <= 1000
    assert 480 <= dialog.height() <= 640
    assert dialog.minimumSizeHint().width() < 1366
    assert dialog.minimumSizeHint().height() < 768
    assert len(dialog.findChildren(QSplitter)) == 1
    assert "+91" in search_field(dialog).placeholderText()


def test_every_country_of_the_table_is_listed(dialog: CountriesDialog,
                                              table: DestinationTable) -> None:
    assert listed(dialog) == [f"{c.name}  +{c.dialing_code}  {c.iso}" for c in table]
    assert "India  +91  IN" in listed(dialog)
    assert count_label(dialog).text() == f"{len(table)} of {len(table)} countries"
    assert dialog.visible_isos() == [rules.iso for rules in table]


@pytest.mark.parametrize(("text", "iso"), [("india", "IN"), ("+91", "IN"),
                                           ("likely-scam", "SG"), ("10dlc", "US")])
def test_search_finds_the_country_and_updates_the_count(
        qtbot: QtBot, dialog: CountriesDialog, table: DestinationTable,
        text: str, iso: str) -> None:
    search_for(qtbot, dialog, text)
    rules = table.get(iso)
    assert rules is not None
    assert dialog.visible_isos() == [iso]
    assert listed(dialog) == [f"{rules.name}  +{rules.dialing_code}  {iso}"]
    assert count_label(dialog).text() == f"1 of {len(table)} countries"
    assert dialog.shown_iso() == iso
    assert country_list(dialog).currentItem().isSelected()
    assert rules.name in rules_text(dialog)


def test_a_search_matching_nothing_empties_the_list_and_says_so(
        qtbot: QtBot, dialog: CountriesDialog, table: DestinationTable) -> None:
    search_for(qtbot, dialog, "atlantis")
    assert country_list(dialog).count() == 0
    assert dialog.shown_iso() is None
    assert count_label(dialog).text() == f"0 of {len(table)} countries"
    assert "No country matches “atlantis”" in rules_text(dialog)


def test_an_empty_search_shows_every_country_again(
        qtbot: QtBot, dialog: CountriesDialog, table: DestinationTable) -> None:
    search_for(qtbot, dialog, "singapore")
    search_field(dialog).clear()
    assert country_list(dialog).count() == len(table)
    assert count_label(dialog).text() == f"{len(table)} of {len(table)} countries"
    assert dialog.shown_iso() == next(iter(table)).iso


def test_india_shows_its_dlt_parameters_and_the_vonage_source(
        qtbot: QtBot, dialog: CountriesDialog) -> None:
    search_for(qtbot, dialog, "india")
    shown = rules_text(dialog)
    assert "Registration" in shown
    assert "entity-id" in shown
    assert "content-id" in shown
    assert "Needs registration - unregistered senders are replaced by a short code" in shown
    assert "Source: developer.vonage.com, checked 2026-12-03" in shown
    assert f"checked {CHECKED}" in shown
    browser = find(dialog, QTextBrowser, "Country rules")
    assert f'href="{VONAGE_DLT}"' in browser.toHtml()
    assert browser.openExternalLinks()
    assert browser.isReadOnly()
    assert "Not documented: delivery receipts" in shown


def test_show_country_selects_a_known_country(dialog: CountriesDialog) -> None:
    assert dialog.show_country("SG")
    assert dialog.shown_iso() == "SG"
    assert country_list(dialog).currentItem().text() == "Singapore  +65  SG"
    assert "Singapore" in rules_text(dialog)
    assert "Likely-SCAM" in rules_text(dialog)


def test_show_country_clears_a_search_that_hides_the_country(
        qtbot: QtBot, dialog: CountriesDialog) -> None:
    search_for(qtbot, dialog, "india")
    assert dialog.show_country("sg")
    assert search_field(dialog).text() == ""
    assert dialog.shown_iso() == "SG"


def test_show_country_refuses_an_unknown_code(dialog: CountriesDialog) -> None:
    dialog.show_country("IN")
    assert not dialog.show_country("XX")
    assert dialog.shown_iso() == "IN"


def _small_table() -> DestinationTable:
    source = {"url": "https://example.com/rules", "checked": "2026-01-15"}
    return parse_destinations({
        "ZZ": {"name": "Testland", "dialing_code": "999", "sources": {"page": source},
               "unicode": {"rule": "partial", "note": "Some networks drop Unicode <b>.",
                           "source": "page"}},
        "YY": {"name": "Blankland", "dialing_code": "998", "sources": {}},
    })


def test_a_small_table_names_the_topics_it_does_not_document(qtbot: QtBot) -> None:
    dialog = CountriesDialog(_small_table())
    qtbot.addWidget(dialog)
    assert listed(dialog) == ["Blankland  +998  YY", "Testland  +999  ZZ"]
    assert dialog.show_country("ZZ")
    shown = rules_text(dialog)
    assert "Unicode On some networks only Some networks drop Unicode <b>." in shown
    assert "checked 2026-01-15" in shown
    assert ("Not documented: letter sender (name), number sender, short codes, registration, "
            "delivery receipts, long messages, content rules") in shown
    assert dialog.show_country("YY")
    shown = rules_text(dialog)
    assert "Nothing is documented for this country yet." in shown
    assert "Not documented: letter sender (name)" in shown
    assert "unicode" in shown


def test_the_default_table_is_used_when_none_is_given(qtbot: QtBot,
                                                      table: DestinationTable) -> None:
    dialog = CountriesDialog()
    qtbot.addWidget(dialog)
    assert country_list(dialog).count() == len(table)


def test_typing_then_down_moves_into_the_list(qtbot: QtBot, dialog: CountriesDialog) -> None:
    search = search_field(dialog)
    qtbot.waitUntil(search.hasFocus)
    qtbot.keyClicks(QApplication.focusWidget(), "kingdom")
    assert dialog.shown_iso() == "GB"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Down)
    countries = country_list(dialog)
    assert countries.hasFocus()
    assert countries.currentItem() is not None
    assert countries.currentItem().isSelected()
    assert dialog.shown_iso() == "GB"


def test_down_then_up_walks_the_list_and_back_to_the_search(
        qtbot: QtBot, dialog: CountriesDialog, table: DestinationTable) -> None:
    search = search_field(dialog)
    qtbot.waitUntil(search.hasFocus)
    qtbot.keyClick(search, Qt.Key.Key_Down)
    countries = country_list(dialog)
    assert countries.hasFocus()
    qtbot.keyClick(countries, Qt.Key.Key_Down)
    assert dialog.shown_iso() == [rules.iso for rules in table][1]
    qtbot.keyClick(countries, Qt.Key.Key_Up)
    qtbot.keyClick(countries, Qt.Key.Key_Up)
    assert search.hasFocus()


def test_enter_on_a_country_keeps_the_dialog_open(qtbot: QtBot,
                                                  dialog: CountriesDialog) -> None:
    qtbot.keyClick(search_field(dialog), Qt.Key.Key_Return)
    assert country_list(dialog).hasFocus()
    qtbot.keyClick(country_list(dialog), Qt.Key.Key_Return)
    assert dialog.isVisible()
    qtbot.keyClick(country_list(dialog), Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_the_close_button_closes(qtbot: QtBot, dialog: CountriesDialog) -> None:
    (buttons,) = dialog.findChildren(QDialogButtonBox)
    close = buttons.button(QDialogButtonBox.StandardButton.Close)
    assert not close.isDefault()
    qtbot.mouseClick(close, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()


def test_controls_have_accessible_names(dialog: CountriesDialog) -> None:
    names = {child.accessibleName() for child in dialog.findChildren(QWidget)}
    assert {"Search countries", "Countries", "Countries shown", "Country rules"} <= names
