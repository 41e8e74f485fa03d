"""The result cards: the answer first, for real sandbox answers, a transport failure and a
reopened document."""
# ruff: noqa: F811 - the fixtures come from test_results and are named as arguments

from __future__ import annotations

import dataclasses
import json

import httpx
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot
from test_results import client_for, closed_port_url, http, pane, sandbox, send  # noqa: F401

from smsgui.core.api.client import OutgoingSms
from smsgui.core.api.documents import document_to_json, parse_document
from smsgui.core.delivery.exchange import exchange_from_document, exchange_from_outcome
from smsgui.core.reference.knowledge import Severity
from smsgui.sandbox.server import SandboxServer
from smsgui.ui.result_cards import MAX_CARDS, ResultCard, card_facts
from smsgui.ui.results import ResultsPane

DELIVERED = "447700900000"
REFUSED = "447700900029"


def card_texts(card: ResultCard) -> str:
    return "\n".join(label.text() for label in card.findChildren(QLabel))


def buttons(card: ResultCard) -> list[str]:
    return [button.text() for button in card.findChildren(QPushButton) if not button.isHidden()]


def test_a_success_card_says_what_a_tester_came_for(pane: ResultsPane, sandbox: SandboxServer,
                                                     http: httpx.Client) -> None:
    pane.show_exchanges([send(sandbox, http, DELIVERED)])
    (card,) = pane.cards.cards()
    text = card_texts(card)
    assert "Accepted - not yet delivered - 447******000" in text
    assert "Parts: 1" in text and "Price: 0.0333 EUR" in text
    assert "Balance after: 9.9667 EUR" in text
    assert "Network: O2 (UK)" in text and "Delivery: no receipt yet" in text
    assert text.count("Next step:") == 1
    assert buttons(card) == ["Open the entry", "Check delivery", "Copy summary..."]
    assert pane.tabs.currentWidget() is pane.cards
    assert "Accepted" in card.accessibleDescription() and card.accessibleName()


def test_a_card_copies_what_it_says_with_the_number_masked(pane: ResultsPane,
                                                          sandbox: SandboxServer,
                                                          http: httpx.Client) -> None:
    pane.show_exchanges([send(sandbox, http, DELIVERED)])
    (card,) = pane.cards.cards()
    assert card.contextMenuPolicy() is Qt.ContextMenuPolicy.ActionsContextMenu
    (copy,) = [action for action in card.actions() if action.text() == "Copy this card"]
    copy.trigger()
    copied = QGuiApplication.clipboard().text()
    assert copied.splitlines()[0] == "Accepted - not yet delivered - 447******000"
    assert "Price: 0.0333 EUR" in copied and copied.splitlines()[-1].startswith("Next step:")
    assert DELIVERED not in copied


def test_a_partial_failure_has_a_card_per_message_and_names_status_29(
    pane: ResultsPane, sandbox: SandboxServer, http: httpx.Client
) -> None:
    pane.show_exchanges([send(sandbox, http, DELIVERED), send(sandbox, http, REFUSED)])
    good, refused = pane.cards.cards()
    assert refused.facts.severity is Severity.ERROR and refused.facts.verdict == "Failed"
    assert refused.facts.entry_id == "status-29"
    assert "test numbers" in refused.facts.next_step.lower()
    assert "Check delivery" not in buttons(refused), "nothing to check: it was refused"
    assert refused.facts.price == "nothing charged", "a refused part costs nothing: not 0.00"
    assert good.facts.can_check_delivery
    assert refused.facts.why == ("Why: the API refused it: Non-Whitelisted Destination "
                                 "(status 29) - nothing was sent.")
    assert refused.facts.why in card_texts(refused)
    assert good.facts.why == "" and "Why:" not in card_texts(good)


def test_open_the_entry_asks_for_the_cards_entry(qtbot: QtBot, pane: ResultsPane,
                                                 sandbox: SandboxServer,
                                                 http: httpx.Client) -> None:
    pane.show_exchanges([send(sandbox, http, DELIVERED), send(sandbox, http, REFUSED)])
    refused = pane.cards.cards()[1]
    entry = next(b for b in refused.findChildren(QPushButton) if b.text() == "Open the entry")
    with qtbot.waitSignal(pane.entry_selected) as blocker:
        qtbot.mouseClick(entry, Qt.MouseButton.LeftButton)
    assert blocker.args == ["status-29"]


def test_a_transport_failure_card_says_it_never_got_an_answer(pane: ResultsPane,
                                                              http: httpx.Client) -> None:
    client = client_for(closed_port_url(), http)
    exchange = exchange_from_outcome(client.send(OutgoingSms(DELIVERED, "Acme", "hi")),
                                     sandbox=False)
    pane.show_exchanges([exchange])
    (card,) = pane.cards.cards()
    assert card.facts.price == "-" and card.facts.parts == "-"
    assert card.facts.severity is Severity.ERROR
    assert card.facts.next_step == exchange.entry.next_steps[0]
    text = card_texts(card)
    assert card.facts.why == f"Why: {exchange.headline}"
    assert card.facts.why in text and card.facts.why in card.accessibleDescription()
    assert "Parts:" not in text and "Price:" not in text, "no answer: no dashes for its facts"


def test_a_reopened_document_shows_the_same_card(pane: ResultsPane, sandbox: SandboxServer,
                                                 http: httpx.Client) -> None:
    sent = send(sandbox, http, DELIVERED)
    reopened = exchange_from_document(parse_document(document_to_json(sent.document)))
    assert card_facts(reopened, mask=True) == card_facts(sent, mask=True)


def test_numbers_are_masked_until_the_user_asks_for_them(qtbot: QtBot, pane: ResultsPane,
                                                         sandbox: SandboxServer,
                                                         http: httpx.Client) -> None:
    pane.show_exchanges([send(sandbox, http, DELIVERED)])
    assert DELIVERED not in card_texts(pane.cards.cards()[0])
    qtbot.mouseClick(pane.cards.show_numbers, Qt.MouseButton.LeftButton)
    assert DELIVERED in card_texts(pane.cards.cards()[0])


def test_a_receipt_refills_only_its_own_card(pane: ResultsPane, sandbox: SandboxServer,
                                             http: httpx.Client) -> None:
    first, second = send(sandbox, http, DELIVERED), send(sandbox, http, "447700900123")
    pane.show_exchanges([first, second])
    before = pane.cards.cards()
    facts_before = [card.facts for card in before]
    receipt = {"messageId": second.message_ids[0], "msisdn": "447700900123", "to": "Acme",
               "status": "delivered", "err-code": "0"}
    updated = exchange_from_document(dataclasses.replace(second.document, receipts=(receipt,)))
    pane.show_exchanges([first, updated])
    after = pane.cards.cards()
    assert after == before  # the same widgets, refilled rather than made again
    assert after[0].facts == facts_before[0] and after[1].facts != facts_before[1]
    assert after[1].facts.delivery == "delivered"
    assert after[1].facts.delivery == "delivered" and after[1].facts.verdict == "Delivered"


def test_a_big_batch_shows_the_first_cards_and_says_how_many_more(
    pane: ResultsPane, sandbox: SandboxServer, http: httpx.Client
) -> None:
    exchange = send(sandbox, http, DELIVERED)
    pane.show_exchanges([exchange] * (MAX_CARDS + 7))
    assert len(pane.cards.cards()) == MAX_CARDS
    more = [label for label in pane.cards.findChildren(QLabel)
            if label.accessibleName() == "More results"]
    assert more[0].isVisible() and "7 more" in more[0].text()


def test_the_parts_tab_shows_every_field_of_the_selected_part(
    pane: ResultsPane, sandbox: SandboxServer, http: httpx.Client
) -> None:
    exchange = send(sandbox, http, DELIVERED)
    pane.show_exchanges([exchange])
    pane.table.selectRow(0)
    details = pane.part_details.toPlainText()
    assert "Message ID: " + exchange.message_ids[0] in details
    assert "Network: O2 (UK)" in details and "Entry: status-0" in details
    assert json.dumps(details)  # plain text, copyable


def test_a_new_verdict_is_announced_once_not_on_every_redraw(
    pane: ResultsPane, sandbox: SandboxServer, http: httpx.Client
) -> None:
    exchange = send(sandbox, http, DELIVERED)
    pane.show_exchanges([exchange])
    assert pane.last_announcement is not None
    assert pane.last_announcement.startswith("Accepted - not yet delivered.")
    pane.last_announcement = None
    pane.show_exchanges([exchange])
    assert pane.last_announcement is None


def test_a_long_message_s_card_sums_up_every_part_s_receipt(
    pane: ResultsPane, sandbox: SandboxServer, http: httpx.Client
) -> None:
    sent = send(sandbox, http, DELIVERED, text="x" * 400)
    ids = sent.message_ids
    assert len(ids) == 3
    receipts = ({"messageId": ids[0], "msisdn": DELIVERED, "status": "failed", "err-code": "1"},
                {"messageId": ids[1], "msisdn": DELIVERED, "status": "delivered",
                 "err-code": "0"})
    exchange = exchange_from_document(dataclasses.replace(sent.document, receipts=receipts))
    facts = card_facts(exchange, mask=True)
    assert facts.delivery == ("1 of 3 failed (err-code 1, Unknown), 1 of 3 delivered,"
                              " 1 of 3 no receipt yet")
    assert facts.can_check_delivery, "the third part may still change"
    assert facts.why == "Why: the delivery receipt says failed - Unknown (err-code 1)."


def test_a_part_refused_after_others_were_accepted_does_not_say_nothing_was_sent() -> None:
    from test_results import PARTIAL

    from smsgui.core.api.documents import ResponseDocument

    facts = card_facts(exchange_from_document(ResponseDocument(body=PARTIAL, http_status=200)),
                       mask=True)
    assert facts.verdict == "Partial failure"
    assert facts.why == ("Why: the API refused 1 of 3 parts: Throttled (status 1) - that part "
                         "was not sent.")
