"""Sending under pressure, in the window: a cancelled batch resumes with only the recipients it
never reached, and a message throttled on every part is sent once more and says so."""

from __future__ import annotations

# ruff: noqa: F811 - the fixtures below are imported by name, as pytest finds them
from collections import Counter

from faultserver import FaultServer, RecordedRequest, Reply
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QPushButton
from pytestqt.qtbot import QtBot
from test_main_window import SECRET, prompter, use_custom_profile, window  # noqa: F401
from uitools import find

from smsgui.core.report.summary import build_batch_summary
from smsgui.ui.main_window import MainWindow
from smsgui.ui.services import Services

SEND_WAIT_MS = 60_000
THROTTLED = ('{"message-count":"1","messages":[{"to":"447700900000","status":"1",'
             '"error-text":"Throughput Rate Exceeded - please wait [ 200 ] and retry"}]}')
ACCEPTED = ('{"message-count":"1","messages":[{"to":"447700900000","message-id":"M1",'
            '"status":"0","remaining-balance":"9.9","message-price":"0.03","network":"23410"}]}')


def numbers(count: int) -> list[str]:
    return [f"4477009{300 + index:05d}" for index in range(count)]


def start_sending(qtbot: QtBot, window: MainWindow, recipients: list[str]) -> None:
    find(window, QLineEdit, "From").setText("AcmeInc")
    find(window, QPlainTextEdit, "To").setPlainText("\n".join(recipients))
    find(window, QPlainTextEdit, "Message text").setPlainText("Hello from the tests")
    qtbot.mouseClick(find(window, QPushButton, "Send"), Qt.MouseButton.LeftButton)


def test_a_cancelled_batch_resumes_with_only_the_recipients_never_sent(
    qtbot: QtBot, window: MainWindow, services: Services
) -> None:
    recipients = numbers(60)  # about 2 s at 27 a second
    start_sending(qtbot, window, recipients)
    qtbot.waitUntil(lambda: len(window.exchanges) >= 10, timeout=SEND_WAIT_MS)
    # While a batch goes out the cards wait (the Parts tab fills as answers come).
    assert find(window, QLabel, "Cards waiting").isVisible()
    assert window.results.cards.cards() == []
    window.cancel_sending()
    qtbot.waitUntil(lambda: not window.is_sending, timeout=SEND_WAIT_MS)
    first = [exchange.recipient for exchange in window.exchanges]
    assert len(window.results.cards.cards()) == len(first)
    assert not find(window, QLabel, "Cards waiting").isVisible()
    resume = find(window, QPushButton, "Resume sending")
    assert window.can_resume and resume.isVisible()
    assert resume.text() == f"&Resume sending ({len(recipients) - len(first)} left)"

    qtbot.mouseClick(resume, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.is_sending, timeout=SEND_WAIT_MS)
    second = [exchange.recipient for exchange in window.exchanges]
    assert not window.can_resume and not resume.isVisible()
    sandbox = services.sandbox.server
    assert sandbox is not None
    records = sandbox.account.records_between(float("-inf"), float("inf"))
    assert Counter(record.to for record in records) == Counter(recipients)  # each exactly once
    assert first + second == recipients
    history = services.history.peek()
    assert history is not None and history.count() == 2  # the resumed part is its own send


def test_a_message_throttled_on_every_part_is_sent_once_more_and_says_so(
    qtbot: QtBot, window: MainWindow, services: Services
) -> None:
    answers = iter([THROTTLED, ACCEPTED])

    def reply(request: RecordedRequest) -> Reply:
        return Reply(body=next(answers))

    with FaultServer(reply) as server:
        use_custom_profile(window, services, "Busy", server.url, SECRET, api_key="abcd1234")
        start_sending(qtbot, window, ["447700900000"])
        qtbot.waitUntil(lambda: not window.is_sending, timeout=SEND_WAIT_MS)
        assert len(server.requests) == 2
    (exchange,) = window.exchanges
    assert exchange.ok and exchange.retry_note is not None
    assert exchange.retry_note.startswith("Throttled at first: smsgui waited")
    (card,) = window.results.cards.cards()
    assert exchange.retry_note in card.accessibleDescription()
    summary = build_batch_summary(window.exchanges)
    assert f"Retry: {exchange.retry_note}" in summary
