"""The compose form, driven as a person would: type, click, read what the form says."""

from __future__ import annotations

from typing import TypeVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPalette, QTextCharFormat
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QToolButton,
    QWidget,
)
from pytestqt.qtbot import QtBot
from uitools import type_text

from smsgui.core.checks.checks import Draft
from smsgui.core.reference.knowledge import default_knowledge_base
from smsgui.ui.compose import ENTRY_ID_ROLE, HINT, ComposeForm

W = TypeVar("W", bound=QWidget)

LEFT = Qt.MouseButton.LeftButton
INTERACTIVE = (QAbstractButton, QLineEdit, QPlainTextEdit, QComboBox, QAbstractSpinBox,
               QAbstractItemView)


def find(form: QWidget, kind: type[W], name: str) -> W:
    """The one visible-to-screen-readers widget called ``name``, as a screen reader finds it."""
    matches = [widget for widget in form.findChildren(QWidget) if widget.accessibleName() == name]
    assert len(matches) == 1, f"{len(matches)} widgets are called {name!r}"
    widget = matches[0]
    assert isinstance(widget, kind)
    return widget


def text_of(form: QWidget, name: str) -> str:
    return find(form, QLabel, name).text()


def finding_texts(form: QWidget) -> list[str]:
    findings = find(form, QListWidget, "Checks")
    return [findings.item(row).text() for row in range(findings.count())]


def shown_texts(form: QWidget) -> list[str]:
    """Every text the form shows a person: labels, buttons, fields, placeholders, tooltips,
    the items of its lists and what a screen reader reads out."""
    texts: list[str] = []
    for widget in form.findChildren(QWidget):
        texts += [widget.toolTip(), widget.accessibleName(), widget.accessibleDescription()]
        if isinstance(widget, QLabel | QAbstractButton):
            texts.append(widget.text())
        if isinstance(widget, QLineEdit):
            texts += [widget.text(), widget.placeholderText()]
        if isinstance(widget, QPlainTextEdit):
            texts += [widget.toPlainText(), widget.placeholderText()]
        if isinstance(widget, QComboBox):
            texts += [widget.itemText(index) for index in range(widget.count())]
        if isinstance(widget, QListWidget):
            items = [widget.item(row) for row in range(widget.count())]
            texts += [text for item in items for text in (item.text(), item.toolTip())]
    return [text for text in texts if text]


def mentioning_the_sandbox(form: QWidget) -> list[str]:
    return [text for text in shown_texts(form) if "sandbox" in text.lower()]


@pytest.fixture
def form(qtbot: QtBot) -> ComposeForm:
    widget = ComposeForm(default_knowledge_base())
    qtbot.addWidget(widget)
    # Shortcuts and Tab need the active window; under Xvfb (xcb) that takes a round trip.
    with qtbot.waitActive(widget):
        widget.show()
        widget.activateWindow()
    return widget


def fill(qtbot: QtBot, form: ComposeForm, sender: str, to: str, text: str) -> None:
    for name, typed in (("From", sender), ("To", to), ("Message text", text)):
        widget = find(form, QWidget, name)
        if typed.isascii() and typed.isprintable():
            qtbot.keyClicks(widget, typed)
        else:
            type_text(widget, typed)


def test_typing_updates_the_counter_up_to_the_second_part(qtbot: QtBot, form: ComposeForm) -> None:
    message = find(form, QPlainTextEdit, "Message text")
    assert text_of(form, "Message size") == "0 characters · GSM-7 · 0 parts (160 left)"
    qtbot.keyClicks(message, "Hello there, this is 23")
    assert text_of(form, "Message size") == "23 characters · GSM-7 · 1 part (137 left)"
    qtbot.keyClicks(message, "x" * 137)
    assert text_of(form, "Message size") == "160 characters · GSM-7 · 1 part (0 left)"
    qtbot.keyClicks(message, "y")
    assert text_of(form, "Message size") == "161 characters · GSM-7 · 2 parts (145 left)"
    assert form.report().segments.parts == 2


def test_characters_that_force_unicode_are_named_and_highlighted(
    qtbot: QtBot, form: ComposeForm
) -> None:
    message = find(form, QPlainTextEdit, "Message text")
    type_text(message, "Ça va 😀 très bien, ê 😀")
    assert text_of(form, "Characters that force Unicode") == "Forces Unicode: 😀, ê"
    assert "Unicode (UCS-2) · 1 part" in text_of(form, "Message size")
    selections = message.extraSelections()
    assert [selection.cursor.selectedText() for selection in selections] == ["😀", "ê", "😀"]
    for selection in selections:
        highlight: QTextCharFormat = selection.format
        assert highlight.underlineStyle() == QTextCharFormat.UnderlineStyle.WaveUnderline
        assert highlight.fontWeight() == QFont.Weight.Bold
        assert highlight.background().color().alpha() > 0


def test_highlights_go_when_the_forcing_characters_go(qtbot: QtBot, form: ComposeForm) -> None:
    message = find(form, QPlainTextEdit, "Message text")
    type_text(message, "ê")
    assert len(message.extraSelections()) == 1
    qtbot.keyClick(message, Qt.Key.Key_Backspace)
    assert message.extraSelections() == []
    assert not find(form, QLabel, "Characters that force Unicode").isVisible()


def test_invisible_and_punctuation_characters_are_named(qtbot: QtBot, form: ComposeForm) -> None:
    type_text(find(form, QPlainTextEdit, "Message text"), "a\u2013b\u200bc")
    assert text_of(form, "Characters that force Unicode") == (
        "Forces Unicode: \u2013 (en dash), zero width space (U+200B)"
    )


def test_type_text_says_which_characters_arrive_as_question_marks(
    qtbot: QtBot, form: ComposeForm
) -> None:
    type_text(find(form, QPlainTextEdit, "Message text"), "fête")
    qtbot.mouseClick(find(form, QToolButton, "Advanced options"), LEFT)
    qtbot.keyClicks(find(form, QComboBox, "Message type"), "Text")
    assert text_of(form, "Characters that force Unicode") == 'Arrive as "?" (not in GSM-7): ê'
    assert "GSM-7" in text_of(form, "Message size")
    assert any(text.startswith('Warning: "ê" cannot be sent') for text in finding_texts(form))


def test_national_numbers_are_normalized_with_the_default_country(
    qtbot: QtBot, form: ComposeForm
) -> None:
    form.set_default_region("GB")
    qtbot.keyClicks(find(form, QPlainTextEdit, "To"), "07700 900123")
    assert text_of(form, "Recipients as sent") == (
        "447700900123 · United Kingdom · sandbox test number"
    )
    assert "United Kingdom" in find(form, QPlainTextEdit, "To").placeholderText()


def test_without_a_default_country_a_national_number_blocks(
    qtbot: QtBot, form: ComposeForm
) -> None:
    fill(qtbot, form, "Acme", "07700 900123", "Hi")
    assert "07700 900123 has no country code" in text_of(form, "Send status")
    form.set_default_region("GB")
    assert find(form, QPushButton, "Send").isEnabled()


def test_a_landline_shows_its_type_and_a_warning(qtbot: QtBot, form: ComposeForm) -> None:
    form.set_default_region("GB")
    fill(qtbot, form, "Acme", "07700 900123, 020 7946 0000", "Hi")
    assert text_of(form, "Recipients as sent").splitlines() == [
        "447700900123 · United Kingdom · sandbox test number",
        "442079460000 · United Kingdom · landline",
    ]
    assert finding_texts(form)[0].startswith("Warning: 020 7946 0000 is a landline")
    assert find(form, QPushButton, "Send").isEnabled()
    assert text_of(form, "Send status") == "Ready to send, with 1 warning to read first."


LIVE_NOTE = ("Warning: 447700900029 is a fictional number (Ofcom drama range): on a live account"
             " it is really sent and charged, but no phone receives it.")


def test_on_a_live_profile_a_test_number_is_never_called_a_sandbox_number(
    qtbot: QtBot, form: ComposeForm
) -> None:
    fill(qtbot, form, "Acme", "447700900029", "Hi")
    sandbox_note = ("Note: 447700900029 is a sandbox test number: the sandbox answers status 29"
                    " (Non-Whitelisted Destination).")
    assert finding_texts(form) == [sandbox_note]
    assert mentioning_the_sandbox(form) != []
    form.set_sandbox(False)
    assert mentioning_the_sandbox(form) == []
    assert text_of(form, "Recipients as sent") == (
        "447700900029 · United Kingdom · fictional number (Ofcom drama range)"
    )
    assert finding_texts(form) == [LIVE_NOTE]
    assert text_of(form, "Send status") == "Ready to send, with 1 warning to read first."
    findings = find(form, QListWidget, "Checks")
    assert findings.item(0).data(ENTRY_ID_ROLE) == "check-to-test-number"
    assert findings.item(0).toolTip() == "Fictional Number - click for the troubleshooting entry."
    form.set_sandbox(True)
    assert finding_texts(form) == [sandbox_note]
    assert text_of(form, "Recipients as sent") == (
        "447700900029 · United Kingdom · sandbox test number"
    )
    assert text_of(form, "Send status") == "Ready to send."


def test_a_live_profile_chosen_first_names_the_number_as_sent(
    qtbot: QtBot, form: ComposeForm
) -> None:
    form.set_sandbox(False)
    form.set_default_region("GB")
    fill(qtbot, form, "Acme", "07700 900029, 020 7946 0000", "Hi")
    assert LIVE_NOTE in finding_texts(form)
    assert text_of(form, "Recipients as sent").splitlines() == [
        "447700900029 · United Kingdom · fictional number (Ofcom drama range)",
        "442079460000 · United Kingdom · landline",
    ]
    assert text_of(form, "Send status") == "Ready to send, with 2 warnings to read first."
    assert mentioning_the_sandbox(form) == []


def test_a_sender_name_to_a_north_american_number_warns(qtbot: QtBot, form: ComposeForm) -> None:
    fill(qtbot, form, "Acme", "+1 212 555 0100", "Hi")
    findings = find(form, QListWidget, "Checks")
    first = findings.item(0)
    assert first.text().startswith('Warning: A sender name such as "Acme" is not allowed')
    assert first.data(ENTRY_ID_ROLE) == "check-from-alphanumeric-to-north-america"
    assert not first.icon().isNull()
    assert find(form, QPushButton, "Send").isEnabled()


def test_a_blocking_finding_disables_send_until_fixed(qtbot: QtBot, form: ComposeForm) -> None:
    send = find(form, QPushButton, "Send")
    fill(qtbot, form, "A", "447700900123", "Hello")
    qtbot.keyClick(find(form, QLineEdit, "From"), Qt.Key.Key_Backspace)  # typed, then erased
    assert not send.isEnabled()
    reason = "There is no sender: enter a number or a name of up to 11 letters and digits."
    assert text_of(form, "Send status") == f"Cannot send yet: {reason}"
    assert finding_texts(form)[0] == f"Blocks sending: {reason}"
    qtbot.keyClicks(find(form, QLineEdit, "From"), "Acme")
    assert send.isEnabled()
    assert text_of(form, "Send status") == "Ready to send."


def test_every_finding_names_its_entry_in_the_tooltip(qtbot: QtBot, form: ComposeForm) -> None:
    fill(qtbot, form, "", "+1 212 555 0100", "ê")
    findings = find(form, QListWidget, "Checks")
    knowledge = default_knowledge_base()
    assert findings.count() >= 3
    for row in range(findings.count()):
        item = findings.item(row)
        entry = knowledge.get(item.data(ENTRY_ID_ROLE))
        assert entry.display_title in item.toolTip()
        assert item.text().split(":")[0] in {"Blocks sending", "Warning", "Note"}


def test_findings_of_one_severity_share_one_icon(qtbot: QtBot, form: ComposeForm) -> None:
    fill(qtbot, form, "", "+1 212 555 0100, 020 7946 0000", "ê")
    findings = find(form, QListWidget, "Checks")
    icons: dict[str, set[int]] = {}
    for row in range(findings.count()):
        item = findings.item(row)
        assert not item.icon().isNull()
        icons.setdefault(item.text().split(":")[0], set()).add(item.icon().cacheKey())
    assert len(icons) >= 2
    assert [len(keys) for keys in icons.values()] == [1] * len(icons)
    assert len(set.union(*icons.values())) == len(icons)


def test_clicking_a_finding_asks_for_its_entry(qtbot: QtBot, form: ComposeForm) -> None:
    form.set_default_region("GB")
    fill(qtbot, form, "Acme", "020 7946 0000", "Hi")
    findings = find(form, QListWidget, "Checks")
    where = findings.visualItemRect(findings.item(0)).center()
    with qtbot.waitSignal(form.entry_requested) as blocker:
        qtbot.mouseClick(findings.viewport(), LEFT, pos=where)
    assert blocker.args == ["check-to-fixed-line"]


def test_pressing_enter_on_a_finding_asks_for_its_entry(qtbot: QtBot, form: ComposeForm) -> None:
    qtbot.keyClicks(find(form, QLineEdit, "From"), "Acme")
    qtbot.keyClick(find(form, QLineEdit, "From"), Qt.Key.Key_Return,
                   Qt.KeyboardModifier.ControlModifier)  # asking to send shows what stops it
    findings = find(form, QListWidget, "Checks")
    findings.setFocus()
    findings.setCurrentRow(0)
    with qtbot.waitSignal(form.entry_requested) as blocker:
        qtbot.keyClick(findings, Qt.Key.Key_Return)
    assert blocker.args == ["check-to-missing"]


def test_no_findings_says_so_and_asks_for_nothing(qtbot: QtBot, form: ComposeForm) -> None:
    fill(qtbot, form, "Acme", "353850123456", "Hi")  # Ireland: no country rule to mention
    assert finding_texts(form) == ["No problems found."]
    findings = find(form, QListWidget, "Checks")
    where = findings.visualItemRect(findings.item(0)).center()
    with qtbot.assertNotEmitted(form.entry_requested):
        qtbot.mouseClick(findings.viewport(), LEFT, pos=where)


def test_send_emits_the_draft_with_every_option(qtbot: QtBot, form: ComposeForm) -> None:
    form.set_default_region("GB")
    fill(qtbot, form, "Acme", "07700 900123,\n+44 7700 900456", "Hello")
    qtbot.mouseClick(find(form, QToolButton, "Advanced options"), LEFT)
    qtbot.keyClicks(find(form, QComboBox, "Message type"), "Unicode")
    qtbot.keyClicks(find(form, QLineEdit, "Client reference"), "ticket-42")
    callback = find(form, QLineEdit, "Callback URL")
    assert not callback.isEnabled()
    qtbot.mouseClick(find(form, QCheckBox, "Request a delivery receipt"), LEFT)
    assert callback.isEnabled()
    qtbot.keyClicks(callback, "https://example.com/dlr")
    ttl = find(form, QSpinBox, "Time to live")
    qtbot.keyClick(ttl, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(ttl, "60")
    with qtbot.waitSignal(form.send_requested) as blocker:
        qtbot.mouseClick(find(form, QPushButton, "Send"), LEFT)
    assert blocker.args == [Draft(
        recipients=("07700 900123", "+44 7700 900456"),
        sender="Acme",
        text="Hello",
        message_type="unicode",
        default_region="GB",
        callback="https://example.com/dlr",
        client_ref="ticket-42",
        ttl_ms=3_600_000,
        request_receipt=True,
    )]


def test_unticking_the_receipt_drops_the_callback(qtbot: QtBot, form: ComposeForm) -> None:
    fill(qtbot, form, "Acme", "447700900123", "Hi")
    qtbot.mouseClick(find(form, QToolButton, "Advanced options"), LEFT)
    receipt = find(form, QCheckBox, "Request a delivery receipt")
    qtbot.mouseClick(receipt, LEFT)
    qtbot.keyClicks(find(form, QLineEdit, "Callback URL"), "not a url")
    assert "Cannot send yet: The callback URL" in text_of(form, "Send status")
    qtbot.mouseClick(receipt, LEFT)
    assert form.draft().callback is None
    assert text_of(form, "Send status") == "Ready to send."


def test_advanced_options_are_collapsed_until_asked_for(qtbot: QtBot, form: ComposeForm) -> None:
    toggle = find(form, QToolButton, "Advanced options")
    message_type = find(form, QComboBox, "Message type")
    assert not message_type.isVisible()
    qtbot.mouseClick(toggle, LEFT)
    assert message_type.isVisible()
    qtbot.mouseClick(toggle, LEFT)
    assert not message_type.isVisible()
    assert form.draft() == Draft(recipients=(), sender="", text="")


def test_the_collapsed_toggle_names_the_options_in_use(qtbot: QtBot, form: ComposeForm) -> None:
    toggle = find(form, QToolButton, "Advanced options")
    qtbot.mouseClick(toggle, LEFT)
    qtbot.keyClicks(find(form, QComboBox, "Message type"), "Unicode")
    qtbot.mouseClick(find(form, QCheckBox, "Request a delivery receipt"), LEFT)
    qtbot.mouseClick(toggle, LEFT)
    assert toggle.text() == "&Advanced options (in use: message type, delivery receipt)"


def test_ctrl_return_sends_only_when_sending_is_allowed(qtbot: QtBot, form: ComposeForm) -> None:
    message = find(form, QPlainTextEdit, "Message text")
    qtbot.keyClicks(find(form, QPlainTextEdit, "To"), "447700900123")
    qtbot.keyClicks(message, "Hi")
    with qtbot.assertNotEmitted(form.send_requested):
        qtbot.keyClick(message, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(find(form, QLineEdit, "From"), "Acme")
    with qtbot.waitSignal(form.send_requested) as blocker:
        qtbot.keyClick(message, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert blocker.args[0].text == "Hi"
    assert message.toPlainText() == "Hi"


def test_busy_locks_the_fields_and_send(qtbot: QtBot, form: ComposeForm) -> None:
    fill(qtbot, form, "Acme", "447700900123", "Hi")
    names = ["From", "To", "Message text", "Message type", "Client reference",
             "Request a delivery receipt", "Time to live", "Send"]
    form.set_busy(True)
    assert [name for name in names if find(form, QWidget, name).isEnabled()] == []
    assert text_of(form, "Send status") == "Sending..."
    message = find(form, QPlainTextEdit, "Message text")
    with qtbot.assertNotEmitted(form.send_requested):
        qtbot.keyClick(message, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    form.set_busy(False)
    assert [name for name in names if not find(form, QWidget, name).isEnabled()] == []
    assert not find(form, QLineEdit, "Callback URL").isEnabled()


def test_every_control_has_an_accessible_name_and_a_tooltip(form: ComposeForm) -> None:
    controls = [widget for widget in form.findChildren(QWidget)
                if isinstance(widget, INTERACTIVE) and not _is_inner_part(widget, form)]
    assert len(controls) == 21
    unnamed = [type(widget).__name__ for widget in controls if not widget.accessibleName()]
    assert unnamed == []
    untipped = [widget.accessibleName() for widget in controls if not widget.toolTip()]
    assert untipped == []


def _is_inner_part(widget: QWidget, form: QWidget) -> bool:
    """The line edit inside a spin box, or a combo box's popup list (a window of its own)."""
    return isinstance(widget.parentWidget(), QAbstractSpinBox) or widget.window() is not form


def test_tab_visits_the_fields_in_order(qtbot: QtBot, form: ComposeForm) -> None:
    qtbot.mouseClick(find(form, QToolButton, "Advanced options"), LEFT)
    form.set_default_region("GB")
    fill(qtbot, form, "Acme", "07700 900123", "Hi")
    qtbot.mouseClick(find(form, QCheckBox, "Request a delivery receipt"), LEFT)
    start = find(form, QLineEdit, "From")
    start.setFocus()
    qtbot.waitUntil(start.hasFocus)
    visited = [start.accessibleName()]
    for _ in range(15):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        visited.append(_focused_name())
    assert visited == ["From", "To", "Message text", "Advanced options", "Message type",
                       "Client reference", "Request a delivery receipt", "Callback URL",
                       "Time to live", "Message class", "Account reference", "Number pool ID",
                       "Trusted number", "No delivery receipt", "Checks", "Send"]
    assert find(form, QPlainTextEdit, "Message text").toPlainText() == "Hi"


def _focused_name() -> str:
    focused = QApplication.focusWidget()
    assert focused is not None
    if isinstance(focused.parentWidget(), QAbstractSpinBox):
        focused = focused.parentWidget()
    return focused.accessibleName()


def test_labels_are_buddies_with_mnemonics(form: ComposeForm) -> None:
    buddies = {label.text(): label.buddy().accessibleName()
               for label in form.findChildren(QLabel) if label.buddy() is not None}
    assert buddies["&From:"] == "From"
    assert buddies["&To:"] == "To"
    assert buddies["&Message:"] == "Message text"
    assert all("&" in text for text in buddies)


def test_the_highlight_follows_the_palette(qtbot: QtBot, form: ComposeForm) -> None:
    message = find(form, QPlainTextEdit, "Message text")
    type_text(message, "ê")
    dark = QPalette(form.palette())
    dark.setColor(QPalette.ColorRole.Highlight, QColor("#3d7fd9"))
    form.setPalette(dark)
    selections = message.extraSelections()
    colour = selections[0].format.background().color()
    assert (colour.red(), colour.green(), colour.blue()) == (0x3D, 0x7F, 0xD9)
    assert 0 < colour.alpha() < 255


def test_a_first_start_shows_hints_not_errors(form: ComposeForm) -> None:
    assert finding_texts(form) == [HINT]
    assert text_of(form, "Send status") == (
        "To send, fill in the sender, the recipients and the message.")
    assert not any(text.startswith("Blocks sending") for text in shown_texts(form))


def test_a_field_s_problem_appears_once_it_is_touched(qtbot: QtBot, form: ComposeForm) -> None:
    qtbot.keyClicks(find(form, QLineEdit, "From"), "Acme Corporation")
    texts = finding_texts(form)
    assert any("Acme Corporation" in text and text.startswith("Blocks sending") for text in texts)
    assert not any("no recipient" in text for text in texts)
    assert text_of(form, "Send status").startswith("Cannot send yet: The sender")


def test_asking_to_send_an_empty_form_says_everything_that_stops_it(
    qtbot: QtBot, form: ComposeForm
) -> None:
    qtbot.keyClick(find(form, QLineEdit, "From"), Qt.Key.Key_Return,
                   Qt.KeyboardModifier.ControlModifier)
    entries = {finding_texts(form)[row].split(":")[0] for row in range(3)}
    assert entries == {"Blocks sending"}
    assert len(finding_texts(form)) == 3
