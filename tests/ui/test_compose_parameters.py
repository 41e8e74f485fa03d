"""The compose form's country fields and advanced parameters, driven as a person would."""
# ruff: noqa: F811 - the form fixture comes from test_compose and is named as an argument

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QToolButton,
)
from pytestqt.qtbot import QtBot
from test_compose import LEFT, fill, find, finding_texts, form  # noqa: F401 (form: a fixture)

from smsgui.core.api.apitypes import SmsOptions
from smsgui.ui.compose import ComposeForm

ENTITY_ID = "1101456324675322134"
CONTENT_ID = "1107457532145798767"


def _send(qtbot: QtBot, form: ComposeForm) -> object:
    with qtbot.waitSignal(form.send_requested) as blocker:
        qtbot.mouseClick(find(form, QPushButton, "Send"), LEFT)
    return blocker.args[0]


def test_an_indian_recipient_brings_up_the_dlt_fields_and_the_warning(
    qtbot: QtBot, form: ComposeForm
) -> None:
    entity = find(form, QLineEdit, "Entity ID")
    assert not entity.isVisible()
    fill(qtbot, form, "Acme", "919876543210", "Your OTP is 1234")
    assert entity.isVisible() and find(form, QLineEdit, "Content Template ID").isVisible()
    texts = finding_texts(form)
    assert any("India: a letter sender is delivered only when" in text for text in texts)


def test_entering_both_ids_clears_the_warning_and_sends_them(
    qtbot: QtBot, form: ComposeForm
) -> None:
    fill(qtbot, form, "Acme", "919876543210", "Your OTP is 1234")
    qtbot.keyClicks(find(form, QLineEdit, "Entity ID"), ENTITY_ID)
    assert any("Content Template ID (content-id)" in text for text in finding_texts(form))
    qtbot.keyClicks(find(form, QLineEdit, "Content Template ID"), CONTENT_ID)
    assert not any("DLT" in text for text in finding_texts(form))
    draft = _send(qtbot, form)
    assert draft.options == SmsOptions(entity_id=ENTITY_ID, content_id=CONTENT_ID)


def test_the_dlt_fields_go_away_for_other_countries(qtbot: QtBot, form: ComposeForm) -> None:
    fill(qtbot, form, "Acme", "919876543210", "Hi")
    to = find(form, QPlainTextEdit, "To")
    to.clear()
    qtbot.keyClicks(to, "353850123456")
    assert not find(form, QLineEdit, "Entity ID").isVisible()


def test_a_wrong_shaped_entity_id_is_a_warning_not_a_block(
    qtbot: QtBot, form: ComposeForm
) -> None:
    fill(qtbot, form, "Acme", "919876543210", "Hi")
    qtbot.keyClicks(find(form, QLineEdit, "Entity ID"), "1101-456")
    assert any('The Entity ID "1101-456" is not 19 digits' in t for t in finding_texts(form))
    assert find(form, QPushButton, "Send").isEnabled()


def test_a_country_finding_says_where_its_rule_comes_from(qtbot: QtBot,
                                                          form: ComposeForm) -> None:
    fill(qtbot, form, "Acme", "6591234567", "Hi")
    findings = find(form, QListWidget, "Checks")
    tips = [findings.item(row).toolTip() for row in range(findings.count())
            if "Likely-SCAM" in findings.item(row).text()]
    assert len(tips) == 1
    assert "Source: https://" in tips[0] and "checked 2026-12-03" in tips[0]


def _open_advanced(qtbot: QtBot, form: ComposeForm) -> None:
    qtbot.mouseClick(find(form, QToolButton, "Advanced options"), LEFT)


def test_binary_shows_its_fields_blocks_bad_hex_and_sends_good_hex(
    qtbot: QtBot, form: ComposeForm
) -> None:
    fill(qtbot, form, "Acme", "447700900123", "")
    _open_advanced(qtbot, form)
    body = find(form, QLineEdit, "Binary body")
    assert not body.isVisible()
    qtbot.keyClicks(find(form, QComboBox, "Message type"), "Binary")
    assert body.isVisible() and find(form, QLineEdit, "User data header").isVisible()
    qtbot.keyClicks(body, "zz")
    qtbot.keyClicks(find(form, QLineEdit, "User data header"), "0605040B8423F0")
    assert not find(form, QPushButton, "Send").isEnabled()
    body.clear()
    qtbot.keyClicks(body, "00" * 300)
    assert any("3 parts" in text for text in finding_texts(form))
    draft = _send(qtbot, form)
    assert draft.message_type == "binary"
    assert draft.options == SmsOptions(body="00" * 300, udh="0605040B8423F0")


def test_every_other_advanced_parameter_reaches_the_draft(qtbot: QtBot,
                                                          form: ComposeForm) -> None:
    fill(qtbot, form, "Acme", "447700900123", "Hi")
    _open_advanced(qtbot, form)
    classes = find(form, QComboBox, "Message class")
    classes.setFocus()
    qtbot.keyClick(classes, Qt.Key.Key_Down)
    qtbot.keyClicks(find(form, QLineEdit, "Account reference"), "customer1234")
    qtbot.keyClicks(find(form, QLineEdit, "Number pool ID"), "abc123")
    qtbot.mouseClick(find(form, QCheckBox, "Trusted number"), LEFT)
    toggle = find(form, QToolButton, "Advanced options")
    assert "trusted number" in toggle.text() and "account reference" in toggle.text()
    draft = _send(qtbot, form)
    assert draft.options == SmsOptions(message_class=0, account_ref="customer1234",
                                       pool_id="abc123", trusted_number=True)


def test_asking_for_no_receipt_sends_status_report_req_false_and_locks_the_other_choice(
    qtbot: QtBot, form: ComposeForm
) -> None:
    fill(qtbot, form, "Acme", "447700900123", "Hi")
    _open_advanced(qtbot, form)
    ask = find(form, QCheckBox, "Request a delivery receipt")
    qtbot.mouseClick(ask, LEFT)
    qtbot.mouseClick(find(form, QCheckBox, "No delivery receipt"), LEFT)
    assert not ask.isChecked() and not ask.isEnabled()
    draft = _send(qtbot, form)
    assert draft.status_report_req is False and not draft.request_receipt
    qtbot.mouseClick(find(form, QCheckBox, "No delivery receipt"), LEFT)
    assert ask.isEnabled()


def test_a_protocol_id_left_behind_by_binary_is_not_sent(qtbot: QtBot,
                                                         form: ComposeForm) -> None:
    fill(qtbot, form, "Acme", "447700900123", "Hi")
    _open_advanced(qtbot, form)
    types = find(form, QComboBox, "Message type")
    qtbot.keyClicks(types, "Binary")
    protocol = find(form, QSpinBox, "Protocol ID")
    protocol.setValue(127)
    qtbot.keyClick(types, Qt.Key.Key_Home)
    assert types.currentData() == "auto" and not protocol.isVisible()
    assert _send(qtbot, form).options.protocol_id is None
