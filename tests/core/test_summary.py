"""Diagnostic summaries for support tickets."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from smsgui import __version__
from smsgui.core.api.decode import Receipt, decode_receipt_fields, decode_response
from smsgui.core.api.documents import RequestRecord, ResponseDocument
from smsgui.core.privacy import mask_number
from smsgui.core.report.summary import (
    SummaryContext,
    SummaryOptions,
    build_batch_summary,
    build_summary,
    context_for_document,
)

PARTIAL = ('{"message-count":"2","messages":[{"to":"447700900123","message-id":"AAA1",'
           '"status":"0","remaining-balance":"9.9667","message-price":"0.0333","network":"23410"},'
           '{"to":"447700900123","status":"1","error-text":"Throughput Rate Exceeded - please '
           'wait [ 702 ] and retry","network":"23410"}]}')
CONTEXT = SummaryContext(
    endpoint_host="rest.nexmo.com", sandbox=False, auth_method="basic", sender="Acme",
    recipients=("447700900123",), text="Hello from the secret launch party",
    sent_at=datetime(2026, 11, 27, 9, 5, 7, tzinfo=UTC),
)


@pytest.mark.parametrize(
    ("number", "masked"),
    [("447700900000", "447******000"), ("+14155550123", "14******123"), ("12345", "****5"),
     ("Acme", "Acme"), (None, "-"), ("", "-")],
)
def test_mask_number(number: str | None, masked: str) -> None:
    assert mask_number(number) == masked


def test_plain_summary_has_everything_support_asks_for() -> None:
    text = build_summary(decode_response(PARTIAL), CONTEXT)
    for expected in (
        "2026-11-27 09:05:07", "rest.nexmo.com (live)", "basic", "Acme", "447******123",
        "34 characters, GSM-7, 1 part(s)", "AAA1", "status 0 Success", "status 1 Throttled",
        "Throughput Rate Exceeded", "0.0333 EUR", "9.9667 EUR", "O2 (UK), United Kingdom (23410)",
        "wait 702 ms", "Next step:", f"smsgui: {__version__}", "OS:", "Partial failure",
        "Sent (UTC): 2026-11-27 09:05:07",
    ):
        assert expected in text, expected
    assert "447700900123" not in text
    assert "secret launch party" not in text


def test_unmasked_with_text_when_asked() -> None:
    text = build_summary(decode_response(PARTIAL), CONTEXT,
                         SummaryOptions(mask_numbers=False, include_text=True))
    assert "447700900123" in text
    assert "secret launch party" in text


def test_markdown_summary_escapes_and_uses_headings() -> None:
    text = build_summary(decode_response(PARTIAL), CONTEXT, SummaryOptions(markdown=True))
    assert text.startswith("## smsgui diagnostic summary")
    assert "### Response" in text and "- **Part 2:**" in text
    assert "\\[ 702 \\]" in text


def test_the_next_step_comes_from_the_matching_entry() -> None:
    decoded = decode_response(PARTIAL)
    text = build_summary(decoded, CONTEXT)
    assert decoded.entry.id == "status-1"
    assert f"Next step: {decoded.entry.next_steps[0]}" in text


def test_receipts_and_unreadable_input_summarise_too() -> None:
    receipt = decode_response('{"msisdn":"447700900123","to":"Acme","messageId":"AAA1",'
                              '"status":"failed","err-code":"6","network-code":"23410"}')
    assert isinstance(receipt, Receipt)
    text = build_summary(receipt, SummaryContext())
    assert "Recipient (msisdn): 447******123" in text and "Sender (to): Acme" in text
    assert "6 " in text
    broken = build_summary(decode_response("<html><title>Oops</title></html>"), SummaryContext())
    assert "Page title: Oops" in broken


def test_context_from_a_saved_document() -> None:
    document = ResponseDocument(
        body=PARTIAL, sandbox=True, saved_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        request=RequestRecord("POST", "http://127.0.0.1:8080/sms/json", "signature",
                               (("from", "Acme"), ("to", "447700900123"), ("type", "unicode"),
                                ("text", "Привет"))),
        receipts=({"messageId": "AAA1", "status": "delivered", "err-code": "0",
                   "msisdn": "447700900123"},),
    )
    receipts = [r for r in map(decode_receipt_fields, document.receipts) if isinstance(r, Receipt)]
    context = context_for_document(document, receipts)
    assert context.endpoint_host == "127.0.0.1" and context.sandbox is True
    assert context.message_type == "unicode"
    text = build_summary(decode_response(document.body), context)
    assert "127.0.0.1 (sandbox)" in text and "UCS-2" in text and "signature" in text
    assert "Delivery receipt:" in text and "2026-01-02 03:04:05" in text


def test_a_bare_answer_says_the_request_is_unknown() -> None:
    text = build_summary(decode_response(PARTIAL), SummaryContext())
    assert "Request: not recorded" in text
    assert "Endpoint" not in text


def test_formatted_numbers_and_numeric_senders_are_masked_too() -> None:
    context = SummaryContext(sender="447700900999", recipients=("+44 7700 900123",))
    text = build_summary(decode_response(PARTIAL), context)
    assert "900999" not in text and "900123" not in text
    assert "447******123" in text


def test_a_failed_receipt_decides_the_diagnosis_of_an_accepted_send() -> None:
    receipt = decode_receipt_fields({"messageId": "AAA1", "status": "rejected", "err-code": "6",
                                     "msisdn": "447700900123", "to": "Acme"})
    assert isinstance(receipt, Receipt)
    accepted = decode_response(PARTIAL.replace('"status":"1"', '"status":"0"'))
    assert accepted.ok
    text = build_summary(accepted, SummaryContext(receipts=(receipt,)))
    assert "[receipt-error-6]" in text


def test_a_status_webhook_is_summarised_in_the_messages_apis_words() -> None:
    """No msisdn, scts or err-code: those are a delivery receipt's, not a status webhook's."""
    webhook = decode_receipt_fields({
        "message_uuid": "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", "to": "447700900123",
        "from": "Acme", "status": "rejected", "timestamp": "2024-05-01T10:00:01.000Z",
        "error.type": "https://developer.nexmo.com/api-errors/messages-olympus#1210",
        "usage.price": "0.0333", "usage.currency": "EUR"})
    assert isinstance(webhook, Receipt)
    accepted = decode_response('{"message_uuid": "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"}')
    text = build_summary(accepted, SummaryContext(receipts=(webhook,)))
    assert "Status webhook:" in text and "Delivery receipt:" not in text
    assert "Error: 1210 " in text and "To: 447******123" in text and "From: Acme" in text
    assert "Price: 0.0333 EUR" in text and "[messages-1210]" in text
    assert not [word for word in ("msisdn", "scts", "Err-code") if word in text]


def test_a_batch_summary_covers_every_recipient_including_failures() -> None:
    from smsgui.core.delivery.exchange import Exchange, exchange_from_document
    from smsgui.core.delivery.verdict import failure_verdict
    from smsgui.core.reference.knowledge import default_knowledge_base

    sent = exchange_from_document(ResponseDocument(
        body=PARTIAL, sandbox=False,
        request=RequestRecord("POST", "https://rest.nexmo.com/sms/json", "basic",
                              (("from", "Acme"), ("to", "447700900123"), ("text", "Hi")))))
    unreachable = Exchange(
        document=ResponseDocument(body="", request=RequestRecord(
            "POST", "https://rest.nexmo.com/sms/json", "basic", (("to", "447700900456"),))),
        decoded=None, verdict=failure_verdict(
            default_knowledge_base().get("transport-read-timeout"), "No answer came in time.",
            may_have_been_sent=True),
        may_have_been_sent=True)
    text = build_batch_summary([sent, unreachable])
    assert "0 of 2 recipient(s) without a problem" in text
    assert "Recipient 1 of 2: 447******123" in text and "Recipient 2 of 2: 447******456" in text
    assert "No answer came in time." in text and "check delivery before sending again" in text
    assert "447700900456" not in text


def test_the_summary_says_when_it_was_sent_and_apart_from_that_when_it_was_made() -> None:
    made = datetime(2026, 12, 1, 8, 0, 0, tzinfo=UTC)
    text = build_summary(decode_response(PARTIAL), CONTEXT, SummaryOptions(made_at=made))
    assert "Sent (UTC): 2026-11-27 09:05:07" in text
    assert "Summary made (UTC): 2026-12-01 08:00:00" in text
    pasted = build_summary(decode_response(PARTIAL), SummaryContext(),
                           SummaryOptions(made_at=made))
    assert "Sent (UTC): not recorded" in pasted


BAD_CREDENTIALS = ('{"message-count":"1","messages":[{"status":"4",'
                   '"error-text":"Bad Credentials"}]}')
PRICED_TWICE = ('{"message-count":"2","messages":['
                '{"to":"447700900123","message-id":"A1","status":"0","message-price":"0.0333",'
                '"remaining-balance":"9.9667"},'
                '{"to":"447700900123","message-id":"A2","status":"0","message-price":"0.0333",'
                '"remaining-balance":"9.9334"}]}')


def summary_line(text: str, label: str) -> str:
    (line,) = [line for line in text.splitlines() if line.strip().startswith(f"{label}:")]
    return line.strip()


def test_a_refused_answer_says_nothing_was_charged_not_zero() -> None:
    text = build_summary(decode_response(BAD_CREDENTIALS), SummaryContext())
    assert summary_line(text, "Total price") == (
        "Total price: nothing charged (no part was accepted)")
    assert summary_line(text, "Remaining balance") == (
        "Remaining balance: unknown (the answer gives no balance)")
    assert "0.00 EUR" not in text


def test_a_partial_sum_is_not_presented_as_the_total() -> None:
    text = build_summary(decode_response(PARTIAL), SummaryContext())
    assert summary_line(text, "Total price") == "Total price: 0.0333 EUR"  # part 2 was refused
    assert summary_line(text, "Remaining balance") == (
        "Remaining balance: 9.9667 EUR after part 1 (1 of 2 parts without a balance)")
    unpriced = PRICED_TWICE.replace('"message-price":"0.0333",', "", 1)
    text = build_summary(decode_response(unpriced), SummaryContext())
    assert summary_line(text, "Total price") == (
        "Total price: at least 0.0333 EUR (1 of 2 accepted parts without a price)")


def test_a_fully_priced_answer_keeps_its_plain_total() -> None:
    text = build_summary(decode_response(PRICED_TWICE), SummaryContext())
    assert summary_line(text, "Total price") == "Total price: 0.0666 EUR"
    assert summary_line(text, "Remaining balance") == "Remaining balance: 9.9334 EUR"


def test_a_saved_answer_without_prices_says_unknown_in_the_batch_summary() -> None:
    from smsgui.core.delivery.exchange import exchange_from_document

    exchanges = [exchange_from_document(ResponseDocument(body=BAD_CREDENTIALS)),
                 exchange_from_document(ResponseDocument(body=PRICED_TWICE))]
    text = build_batch_summary(exchanges)
    assert "Total price: nothing charged (no part was accepted)" in text
    assert "Total price: 0.0666 EUR" in text
