"""Timelines: one per message part, in order, ending with a verdict that names its entry."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from smsgui.core.api.decode import ReportRecord, ReportsResponse, decode_response
from smsgui.core.api.documents import Failure, RequestRecord, ResponseDocument, ThrottleRetry
from smsgui.core.delivery.exchange import Exchange, exchange_from_document, with_report_records
from smsgui.core.delivery.timeline import (
    DELIVERED,
    NO_RECEIPT_YET,
    THROTTLED_RETRIED,
    MessageTimeline,
    TimelineEvent,
    timeline,
)

NUMBER = "447700900123"


def send_document(*message_ids: str, status: str = "0",
                  receipts: tuple[dict[str, str], ...] = ()) -> ResponseDocument:
    messages = [{"to": NUMBER, "message-id": message_id, "status": status,
                 "remaining-balance": "9.9667", "message-price": "0.03330000",
                 "network": "23410"} for message_id in message_ids]
    request = RequestRecord("POST", "https://rest.nexmo.com/sms/json?api_key=k", "basic",
                            (("to", NUMBER), ("from", "AcmeInc")))
    body = json.dumps({"message-count": str(len(messages)), "messages": messages})
    return ResponseDocument(body=body, http_status=200, elapsed_ms=123.4, request=request,
                            receipts=receipts)


def send_exchange(*message_ids: str, receipts: tuple[dict[str, str], ...] = ()) -> Exchange:
    return exchange_from_document(send_document(*message_ids, receipts=receipts))


def receipt(message_id: str, status: str = "delivered", err_code: str = "0",
            scts: str = "2405011000") -> dict[str, str]:
    return {"msisdn": NUMBER, "to": "AcmeInc", "network-code": "23410", "messageId": message_id,
            "price": "0.03330000", "status": status, "scts": scts, "err-code": err_code,
            "message-timestamp": "2024-05-01 10:00:00"}


def records(*rows: dict[str, object]) -> tuple[ReportRecord, ...]:
    decoded = decode_response({"records": list(rows)})
    assert isinstance(decoded, ReportsResponse)
    return decoded.records


def record(message_id: str, status: str = "delivered", error_code: str = "0",
           latency: int = 1500) -> dict[str, object]:
    return {"message_id": message_id, "to": NUMBER, "from": "AcmeInc", "status": status,
            "error_code": error_code, "error_code_description": "Delivered",
            "network": "23410", "network_name": "O2 (UK)", "country": "GB",
            "date_received": "2024-05-01T10:00:00+0000",
            "date_finalized": "2024-05-01T10:00:02+0000", "latency": latency,
            "total_price": 0.0333, "currency": "EUR"}


def labels(line: MessageTimeline) -> list[str]:
    return [event.label for event in line.events]


def only(exchange: Exchange, found: tuple[ReportRecord, ...] = ()) -> MessageTimeline:
    (line,) = timeline(with_report_records(exchange, found))
    return line


# -- sends ----------------------------------------------------------------------------------

def test_an_accepted_send_without_receipts_waits() -> None:
    line = only(send_exchange("m-1"))
    assert line.message_id == "m-1" and line.recipient == NUMBER
    assert labels(line) == ["Submitted", "Accepted", NO_RECEIPT_YET]
    assert line.delivered is None and not line.verdict.final
    assert line.verdict_entry_id == "status-0"
    submitted, accepted = line.events[:2]
    assert submitted.detail == "POST /sms/json; HTTP 200; answered after 123 ms"
    assert "status 0 (Success)" in accepted.detail and "price 0.0333 EUR" in accepted.detail
    assert "23410" in accepted.detail and accepted.entry_id == "status-0"


def test_submitted_carries_the_documents_time_when_known() -> None:
    saved = datetime(2024, 5, 1, 9, 59, tzinfo=UTC)
    exchange = exchange_from_document(replace(send_document("m-1"), saved_at=saved))
    assert only(exchange).events[0].at == saved
    assert only(send_exchange("m-1")).events[0].at is None


def test_a_delivered_receipt_gives_delivered() -> None:
    line = only(send_exchange("m-1", receipts=(receipt("m-1"),)))
    assert labels(line) == ["Submitted", "Accepted", "Receipt: delivered", DELIVERED]
    assert line.delivered is True and line.verdict.final
    assert line.verdict_entry_id == "receipt-error-0"
    event = line.events[2]
    assert event.at == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    assert event.detail.startswith("err-code 0 (")
    assert "carrier time 2024-05-01 10:00 UTC" in event.detail and event.final


@pytest.mark.parametrize(("status", "err_code", "label"), [
    ("rejected", "6", "Not delivered: rejected - Anti-Spam Rejection (err-code 6)"),
    ("failed", "8", "Not delivered: failed - Network Error (err-code 8)"),
    ("expired", "2", "Not delivered: expired - Absent Subscriber - Temporary (err-code 2)"),
])
def test_a_failed_receipt_names_its_error_entry(status: str, err_code: str,
                                                label: str) -> None:
    line = only(send_exchange("m-1", receipts=(receipt("m-1", status, err_code),)))
    assert line.delivered is False
    assert line.verdict_entry_id == f"receipt-error-{err_code}"
    assert line.events[2].entry_id == f"receipt-error-{err_code}"
    assert line.verdict.label == label


def test_a_buffered_receipt_is_not_yet_a_verdict() -> None:
    line = only(send_exchange("m-1", receipts=(receipt("m-1", "buffered"),)))
    assert line.delivered is None and line.verdict.label == NO_RECEIPT_YET
    assert "buffered" in line.verdict.detail
    assert not line.events[2].final


def test_buffered_then_delivered_is_delivered() -> None:
    receipts = (receipt("m-1", "buffered", scts="2405011000"),
                receipt("m-1", "delivered", scts="2405011005"))
    line = only(send_exchange("m-1", receipts=receipts))
    assert labels(line)[2:] == ["Receipt: buffered", "Receipt: delivered", DELIVERED]
    assert line.verdict.at == datetime(2024, 5, 1, 10, 5, tzinfo=UTC)


def test_a_refused_part_is_not_delivered_and_expects_no_receipt() -> None:
    body = json.dumps({"message-count": "1", "messages": [
        {"to": NUMBER, "status": "4", "error-text": "Bad Credentials"}]})
    line = only(exchange_from_document(ResponseDocument(body=body)))
    assert labels(line)[:2] == ["Submitted", "Refused"]
    assert line.events[1].final and 'error-text "Bad Credentials"' in line.events[1].detail
    assert line.delivered is False and line.verdict_entry_id == "status-4"
    assert line.verdict.label == ("Not delivered: the API refused it - "
                                  "Invalid Credentials (status 4)")


def test_each_part_has_its_own_timeline_and_receipts() -> None:
    receipts = (receipt("part-2", "failed", "5"), receipt("part-1"))
    lines = timeline(send_exchange("part-1", "part-2", receipts=receipts))
    assert [line.message_id for line in lines] == ["part-1", "part-2"]
    assert [line.delivered for line in lines] == [True, False]
    assert labels(lines[0])[2] == "Receipt: delivered"
    assert labels(lines[1])[2] == "Receipt: failed"
    assert lines[1].verdict_entry_id == "receipt-error-5"


# -- Reports records ------------------------------------------------------------------------

def test_a_reports_record_adds_its_own_event() -> None:
    line = only(send_exchange("m-1"), records(record("m-1"), record("other", "failed", "8")))
    assert labels(line) == ["Submitted", "Accepted", "Reports API: delivered", DELIVERED]
    event = line.events[2]
    assert event.detail == ("error 0 (Delivered); latency 1.5 s; price 0.0333 EUR; "
                            "network O2 (UK)")
    assert event.at == datetime(2024, 5, 1, 10, 0, 2, tzinfo=UTC)
    assert "Reports API" in line.verdict.detail and line.delivered is True


def test_a_failed_record_overrules_a_missing_receipt() -> None:
    found = records({**record("m-1", "failed", "9", latency=80),
                     "error_code_description": "Illegal Number"})
    line = only(send_exchange("m-1"), found)
    assert line.delivered is False and line.verdict_entry_id == "receipt-error-9"
    assert "error 9 (Illegal Number); latency 80 ms" in line.events[2].detail


def test_a_failure_anywhere_wins_over_delivered() -> None:
    exchange = send_exchange("m-1", receipts=(receipt("m-1"),))
    line = only(exchange, records(record("m-1", "rejected", "6")))
    assert line.delivered is False and line.verdict_entry_id == "receipt-error-6"


def test_a_record_still_accepted_keeps_waiting() -> None:
    pending = {**record("m-1", "accepted"), "date_finalized": None, "latency": None}
    line = only(send_exchange("m-1"), records(pending))
    assert line.delivered is None and "latency -" in line.events[2].detail


THROTTLED_BODY = json.dumps({"message-count": "1", "messages": [{
    "to": NUMBER, "status": "1",
    "error-text": "Throughput Rate Exceeded - please wait [ 1200 ] and retry"}]})


def throttled_first() -> ThrottleRetry:
    first = decode_response(THROTTLED_BODY)
    return ThrottleRetry(waited_s=1.2, asked_s=1.2, first_entry_id=first.entry.id,
                         first_headline=first.headline, first_http_status=200,
                         first_body=THROTTLED_BODY)


def test_a_message_sent_once_more_after_throttling_starts_with_that_story() -> None:
    document = replace(send_document("m-1"), throttle_retry=throttled_first())
    line = only(exchange_from_document(document))
    assert labels(line) == [THROTTLED_RETRIED, "Submitted", "Accepted", NO_RECEIPT_YET]
    retried = line.events[0]
    assert retried.entry_id == "status-1" and not retried.final
    assert retried.detail.startswith("First answer: Failed: Throttled")
    assert retried.detail.endswith("Throttled at first: smsgui waited 1.2 s as the API asked "
                                   "and sent it once more.")
    assert line.verdict_entry_id == "status-0"


def test_a_retry_that_got_no_answer_still_tells_of_the_first_one() -> None:
    failure = Failure("transport-connection-lost", "The connection was lost.", True)
    exchange = exchange_from_document(ResponseDocument(body="", failure=failure,
                                                       throttle_retry=throttled_first()))
    line = only(replace(exchange, may_have_been_sent=True))
    assert labels(line)[:3] == [THROTTLED_RETRIED, "Submitted", "No usable answer"]
    assert line.delivered is None


def test_a_message_sent_once_has_no_retry_event() -> None:
    assert THROTTLED_RETRIED not in labels(only(send_exchange("m-1")))


# -- answers that are not sends -------------------------------------------------------------

def test_a_transport_failure_that_may_have_been_sent_is_unknown() -> None:
    failure = Failure("transport-read-timeout", "No answer within 15 s.", True)
    exchange = exchange_from_document(ResponseDocument(body="", failure=failure))
    exchange = replace(exchange, may_have_been_sent=True)
    line = only(exchange)
    assert labels(line)[:2] == ["Submitted", "No usable answer"]
    assert line.delivered is None and line.verdict.label.startswith("Unknown")
    assert line.verdict_entry_id == "transport-read-timeout"


def test_a_transport_failure_before_sending_is_not_delivered() -> None:
    failure = Failure("transport-connection-refused", "Nothing listens there.", False)
    line = only(exchange_from_document(ResponseDocument(body="", failure=failure)))
    assert line.delivered is False and line.verdict.final
    assert line.verdict.label.startswith("Not delivered: ")
    assert line.verdict_entry_id == "transport-connection-refused"


def test_a_request_the_api_turned_down_is_refused_not_unanswered() -> None:
    problem = {"type": "https://developer.nexmo.com/api-errors/messages-olympus#1160",
               "title": "Non White-listed Destination",
               "detail": "Non White-listed Destination - rejected", "instance": "x"}
    request = RequestRecord("POST", "https://api.nexmo.com/v1/messages", "basic",
                            (("to", NUMBER),))
    exchange = exchange_from_document(ResponseDocument(body=json.dumps(problem), http_status=403,
                                                       request=request))
    line = only(exchange)
    assert labels(line) == ["Submitted", "Refused", line.verdict.label]
    assert line.verdict.label.startswith("Not delivered: the API refused it - ")
    assert line.delivered is False and line.verdict_entry_id == "messages-1160"
    assert exchange.headline == ("The Messages API refused it (error 1160): Non White-listed "
                                 "Destination - rejected.")


def test_the_same_problem_on_a_server_fault_is_not_called_refused() -> None:
    problem = {"type": "https://developer.nexmo.com/api-errors/messages-olympus#1000",
               "title": "Internal error", "detail": "An internal error occurred."}
    line = only(exchange_from_document(ResponseDocument(body=json.dumps(problem),
                                                        http_status=500)))
    assert "Refused" not in labels(line)


def test_an_unreadable_answer_gets_one_timeline() -> None:
    exchange = exchange_from_document(ResponseDocument(body="<html><title>Login</title>"))
    line = only(exchange)
    assert line.message_id is None and line.verdict_entry_id == "response-html"


def test_a_pasted_receipt_is_its_own_timeline() -> None:
    pasted = exchange_from_document(ResponseDocument(body=json.dumps(receipt("m-9", "failed",
                                                                             "4"))))
    line = only(pasted)
    assert line.message_id == "m-9" and line.recipient == NUMBER
    assert labels(line) == ["Receipt: failed", line.verdict.label]
    assert line.verdict_entry_id == "receipt-error-4"


def test_a_pasted_reports_answer_gives_one_timeline_per_record() -> None:
    body = json.dumps({"records": [record("a"), record("b", "expired", "2")]})
    lines = timeline(exchange_from_document(ResponseDocument(body=body)))
    assert [(line.message_id, line.delivered) for line in lines] == [("a", True), ("b", False)]


# -- invariants -----------------------------------------------------------------------------

def all_lines() -> list[MessageTimeline]:
    receipts = (receipt("m-1", "rejected", "6"), receipt("m-2"))
    exchange = send_exchange("m-1", "m-2", receipts=receipts)
    return [*timeline(with_report_records(exchange, records(record("m-1"), record("m-2")))),
            *timeline(send_exchange("m-3")),
            *timeline(exchange_from_document(replace(send_document("m-4"),
                                                     throttle_retry=throttled_first())))]


def test_event_texts_never_hold_the_phone_number() -> None:
    for line in all_lines():
        for event in line.events:
            assert NUMBER not in event.label + event.detail
            assert "api_key" not in event.detail


def test_every_timeline_ends_with_its_verdict() -> None:
    for line in all_lines():
        assert line.events[-1] is line.verdict
        assert isinstance(line.verdict, TimelineEvent)
        assert line.verdict.final is (line.delivered is not None)


# -- the Messages API -------------------------------------------------------------------------

MESSAGE_UUID = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"


def messages_exchange(*updates: dict[str, str]) -> Exchange:
    request = RequestRecord("POST", "https://api.nexmo.com/v1/messages", "basic",
                            (("to", NUMBER), ("from", "AcmeInc")))
    document = ResponseDocument(body=json.dumps({"message_uuid": MESSAGE_UUID}),
                                http_status=202, elapsed_ms=80.0, request=request,
                                receipts=updates)
    return exchange_from_document(document)


def status_webhook(status: str, **more: str) -> dict[str, str]:
    return {"message_uuid": MESSAGE_UUID, "to": NUMBER, "from": "AcmeInc", "status": status,
            "timestamp": "2024-05-01T10:00:01.000Z", "channel": "sms", **more}


def test_a_lone_submitted_webhook_is_not_a_delivery() -> None:
    """``submitted`` only says Vonage passed it to the network: still on its way."""
    exchange = messages_exchange(status_webhook("submitted"))
    line = only(exchange)
    assert line.delivered is None and not line.verdict.final
    assert labels(line)[-2] == "Status webhook: submitted"
    assert exchange.verdict.label != "Delivered"


def test_status_webhooks_are_named_as_such_with_their_price() -> None:
    line = only(messages_exchange(
        status_webhook("submitted"),
        status_webhook("delivered", **{"usage.price": "0.0333", "usage.currency": "EUR"})))
    assert labels(line)[-3:] == ["Status webhook: submitted", "Status webhook: delivered",
                                 DELIVERED]
    assert "price 0.0333 EUR" in line.events[-2].detail and "err-code" not in line.events[-2].detail
    assert "Decided by the status webhook" in line.events[-1].detail


def test_a_messages_reports_record_reads_in_the_messages_apis_words() -> None:
    decoded = decode_response({"product": "MESSAGES", "records": [
        {"message_id": MESSAGE_UUID, "to": NUMBER, "status": "submitted",
         "date_received": "2024-05-01T10:00:00+0000"}]})
    assert isinstance(decoded, ReportsResponse)
    exchange = with_report_records(messages_exchange(), decoded.records)
    (kept,) = exchange.receipts
    assert kept.from_reports and kept.entry.id == "messages-status-submitted"
    line = only(exchange)
    assert labels(line)[-2] == "Reports API: submitted"
    assert line.delivered is None and not line.verdict.final
