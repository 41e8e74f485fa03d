"""Diagnosis that knows the destination: the country rule beside the status or receipt entry."""

from __future__ import annotations

import json
from collections.abc import Mapping

import pytest

from smsgui.core.api.documents import RequestRecord, ResponseDocument
from smsgui.core.delivery.destination import destination_notes
from smsgui.core.delivery.exchange import Exchange, exchange_from_document

INDIA = "919876543210"
ENTITY_ID = "1101456324675322134"


def _exchange(to: str, status: str = "0", receipt: Mapping[str, str] | None = None,
              **fields: str) -> Exchange:
    part = {"to": to, "message-id": "M1", "status": status}
    if status == "0":
        part |= {"remaining-balance": "9.5", "message-price": "0.05", "network": "40410"}
    else:
        part["error-text"] = "refused"
    body = json.dumps({"message-count": "1", "messages": [part]})
    request = RequestRecord("POST", "http://127.0.0.1/sms/json", "basic",
                            tuple({"from": "Acme", "to": to, "text": "hi", **fields}.items()))
    receipts = () if receipt is None else ({"messageId": "M1", "msisdn": to, "to": "Acme",
                                            **receipt},)
    return exchange_from_document(ResponseDocument(body=body, request=request,
                                                   receipts=receipts))


def test_err_code_50_on_an_indian_number_points_at_dlt_and_the_missing_entity_id() -> None:
    exchange = _exchange(INDIA, receipt={"status": "rejected", "err-code": "50"})
    [note] = destination_notes(exchange)
    assert note.country == "IN" and note.country_name == "India"
    assert "DLT" in note.text and "sent without entity-id" in note.text
    assert note.source.startswith("https://") and note.checked_on.isoformat() == "2026-12-03"


def test_err_code_52_with_an_entity_id_points_at_the_content_id() -> None:
    exchange = _exchange(INDIA, receipt={"status": "rejected", "err-code": "52"},
                         **{"entity-id": ENTITY_ID})
    [note] = destination_notes(exchange)
    assert "sent without content-id" in note.text and "Content Template ID" in note.text


def test_a_delivered_indian_message_needs_no_note() -> None:
    exchange = _exchange(INDIA, receipt={"status": "delivered", "err-code": "0"},
                         **{"entity-id": ENTITY_ID, "content-id": ENTITY_ID})
    assert destination_notes(exchange) == ()


def test_status_15_on_a_us_number_points_at_10dlc_and_toll_free() -> None:
    [note] = destination_notes(_exchange("12025550123", status="15"))
    assert note.country == "US" and "10DLC" in note.text and "toll-free" in note.text


def test_an_accepted_message_to_a_country_without_receipts_says_none_will_come() -> None:
    [note] = destination_notes(_exchange("573001234567"))
    assert note.country == "CO" and "none will come" in note.text


def test_a_replaced_sender_in_the_receipt_is_explained() -> None:
    exchange = _exchange("5511912345678", receipt={"to": "28282", "status": "delivered",
                                                   "err-code": "0"})
    [note] = destination_notes(exchange)
    assert "28282" in note.text and "Acme" in note.text and note.country == "BR"


def test_numbers_without_a_country_rule_or_a_country_get_no_note() -> None:
    assert destination_notes(_exchange("447700900123")) == ()
    assert destination_notes(_exchange("88212345678")) == ()
    assert destination_notes(exchange_from_document(ResponseDocument(body="{}"))) == ()


def test_the_summary_shows_the_country_rule_and_the_parameters_sent() -> None:
    from smsgui.core.report.summary import build_batch_summary

    exchange = _exchange(INDIA, receipt={"status": "rejected", "err-code": "52"},
                         **{"entity-id": ENTITY_ID, "trusted-number": "true"})
    summary = build_batch_summary([exchange])
    assert "Destination country rules:" in summary
    assert "India: err-code 52 is India's DLT filter" in summary
    assert f"entity-id={ENTITY_ID}, trusted-number=true" in summary
    assert INDIA not in summary, "numbers stay masked"


def test_a_country_finding_becomes_a_note_with_its_own_words_and_source() -> None:
    from smsgui.core.checks.checks import Draft, check_draft
    from smsgui.core.delivery.destination import note_of_finding

    findings = check_draft(Draft(("6591234567",), "Acme", "hi")).findings
    finding = next(f for f in findings if f.entry_id == "check-country-sender-registration")
    note = note_of_finding(finding)
    assert note.country_name == "Singapore" and note.text.startswith("unregistered letter")
    assert "SSIR" in note.detail and note.source == finding.source
    plain = next(f for f in check_draft(Draft(("6591234567",), "", "")).findings
                 if f.country is None)
    with pytest.raises(ValueError, match="not a country rule"):
        note_of_finding(plain)


def test_a_replaced_number_sender_is_masked_in_the_note_and_the_summary() -> None:
    from smsgui.core.report.summary import build_batch_summary

    exchange = _exchange("5511912345678", receipt={"to": "5511987654321", "status": "delivered",
                                                   "err-code": "0"})
    request = exchange.document.request
    assert request is not None
    numbered = exchange_from_document(ResponseDocument(
        body=exchange.document.body,
        request=RequestRecord(request.method, request.url, request.auth_method,
                              tuple((k, "447700900123" if k == "from" else v)
                                    for k, v in request.fields)),
        receipts=exchange.document.receipts))
    [note] = destination_notes(numbered)
    assert "5511987654321" not in note.text and "447700900123" not in note.text
    summary = build_batch_summary([numbered])
    assert "5511987654321" not in summary and "447700900123" not in summary


def test_the_same_sender_written_differently_is_not_called_replaced() -> None:
    for shown in ("ACME", "acme", " Acme "):
        exchange = _exchange("5511912345678", receipt={"to": shown, "status": "delivered",
                                                       "err-code": "0"})
        assert destination_notes(exchange) == ()


def test_a_refused_message_is_never_said_to_have_reached_a_phone() -> None:
    exchange = _exchange("5511912345678", receipt={"to": "28282", "status": "rejected",
                                                   "err-code": "6"})
    assert destination_notes(exchange) == ()


def test_err_code_51_points_at_the_sender_not_the_entity_id() -> None:
    exchange = _exchange(INDIA, receipt={"status": "rejected", "err-code": "51"},
                         **{"entity-id": ENTITY_ID, "content-id": ENTITY_ID})
    [note] = destination_notes(exchange)
    assert 'register the sender "Acme" as a header' in note.text
    assert "entity-id" not in note.text
