"""Exchanges: a send, a reopened document and a paste look the same."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from smsgui.core.api.client import Credentials, Endpoint, OutgoingSms, SmsApiClient
from smsgui.core.api.documents import (
    Failure,
    RequestRecord,
    ResponseDocument,
    ThrottleRetry,
    document_to_json,
    load_document,
    parse_document,
    save_document,
)
from smsgui.core.checks.sending import BatchPlan, BatchRunner, Pace
from smsgui.core.delivery.exchange import (
    exchange_from_document,
    exchange_from_outcome,
    retry_sentence,
)


def test_a_transport_failure_becomes_an_exchange_without_an_answer() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    with httpx.Client(transport=httpx.MockTransport(refuse)) as http:
        client = SmsApiClient(http, Credentials("abcd1234", "secret-value"),
                              Endpoint("http://127.0.0.1:9", "http://127.0.0.1:9"))
        outcome = client.send(OutgoingSms("447700900000", "Acme", "Hi"))
    exchange = exchange_from_outcome(outcome, sandbox=True)
    assert exchange.decoded is None and not exchange.ok
    assert exchange.entry.id == "transport-connection-refused"
    assert exchange.recipient == "447700900000"
    assert exchange.document.sandbox is True


def test_a_document_with_a_failed_receipt_is_not_ok() -> None:
    body = '{"messages":[{"to":"447700900000","message-id":"A","status":"0"}]}'
    document = ResponseDocument(body=body, receipts=(
        {"messageId": "A", "status": "expired", "err-code": "2", "msisdn": "447700900000"},))
    exchange = exchange_from_document(document)
    assert exchange.send_response is not None and exchange.send_response.ok
    assert not exchange.ok and exchange.entry.id == "receipt-error-2"
    assert len(exchange.receipts) == 1


def test_a_paste_is_an_exchange_too() -> None:
    exchange = exchange_from_document(parse_document('{"status":"29","error-text":"x"}'))
    assert exchange.entry.id == "status-29" and exchange.recipient is None


def test_a_saved_transport_failure_reloads_as_the_same_failure(tmp_path: Path) -> None:
    def time_out(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    with httpx.Client(transport=httpx.MockTransport(time_out)) as http:
        client = SmsApiClient(http, Credentials("abcd1234", "secret-value"),
                              Endpoint("http://127.0.0.1:9", "http://127.0.0.1:9"))
        sent = exchange_from_outcome(client.send(OutgoingSms("447700900000", "A", "Hi")), False)
    path = tmp_path / "failure.json"
    save_document(sent.document, path)
    reloaded = exchange_from_document(load_document(path))
    assert (reloaded.entry.id, reloaded.headline) == (sent.entry.id, sent.headline)
    assert reloaded.may_have_been_sent and reloaded.decoded is None


def test_an_accepted_message_with_a_failed_receipt_says_so_in_its_headline() -> None:
    body = '{"messages":[{"to":"447700900000","message-id":"A","status":"0"}]}'
    exchange = exchange_from_document(ResponseDocument(body=body, receipts=(
        {"messageId": "A", "status": "rejected", "err-code": "6"},)))
    assert exchange.headline.startswith("Not delivered: rejected")


THROTTLED = ('{"message-count":"1","messages":[{"to":"447700900000","status":"1",'
             '"error-text":"Throughput Rate Exceeded - please wait [ 1200 ] and retry"}]}')
ACCEPTED = ('{"message-count":"1","messages":[{"to":"447700900000","message-id":"M-2",'
            '"status":"0","remaining-balance":"9.9","message-price":"0.0333",'
            '"network":"23410"}]}')


@pytest.mark.parametrize(("waited_s", "asked_s", "sentence"), [
    (1.2, 1.2, "Throttled at first: smsgui waited 1.2 s as the API asked and sent it once more."),
    (1.24, 1.2, "Throttled at first: smsgui waited 1.2 s as the API asked and sent it once more."),
    (1.0, 0.2, "Throttled at first: smsgui waited 1.0 s (the API asked for 0.2 s) and sent it "
               "once more."),
    (1.0, None, "Throttled at first: the API named no wait, so smsgui waited 1.0 s and sent it "
                "once more."),
    (10.0, 10.0, "Throttled at first: smsgui waited 10 s as the API asked and sent it once more."),
])
def test_the_retry_is_told_in_one_plain_sentence(waited_s: float, asked_s: float | None,
                                                 sentence: str) -> None:
    assert retry_sentence(ThrottleRetry(waited_s, asked_s, "status-1", "Throttled.")) == sentence


def test_a_retried_send_tells_the_same_story_after_saving_and_reopening(tmp_path: Path) -> None:
    answers = iter((THROTTLED, ACCEPTED))

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text=next(answers))

    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    plan = BatchPlan((OutgoingSms("447700900000", "Acme", "Hi"),), Pace(30), 1)
    with httpx.Client(transport=httpx.MockTransport(answer)) as http:
        client = SmsApiClient(http, Credentials("abcd1234", "secret-value"),
                              Endpoint("http://127.0.0.1:9", "http://127.0.0.1:9"))
        result = BatchRunner(lambda: now[0], sleep).run(plan, client.send, lambda i, o: None,
                                                        lambda: False)
    sent = exchange_from_outcome(result.outcomes[0], sandbox=True)
    assert sent.ok and sent.message_ids == ("M-2",)
    assert sent.retry_note == ("Throttled at first: smsgui waited 1.2 s as the API asked and "
                               "sent it once more.")
    assert sent.throttle_retry is not None and sent.throttle_retry.first_body == THROTTLED
    path = tmp_path / "retried.json"
    save_document(sent.document, path)
    reopened = exchange_from_document(load_document(path))
    assert (reopened.retry_note, reopened.headline, reopened.ok) == \
        (sent.retry_note, sent.headline, True)


def test_a_message_sent_once_has_no_retry_note() -> None:
    assert exchange_from_document(ResponseDocument(body=ACCEPTED)).retry_note is None


@pytest.mark.parametrize(("failure", "entry", "headline"), [
    (Failure("transport-from-a-newer-smsgui", "The proxy dropped it.", may_have_been_sent=True),
     "transport-reason-unknown", "The proxy dropped it."),
    (None, "transport-reason-unknown", "This document records a request that got no answer"),
])
def test_a_saved_send_without_an_answer_is_a_failure_wherever_it_is_opened(
    failure: Failure | None, entry: str, headline: str
) -> None:
    """The window, the history and ``smsgui decode`` all read saved documents this way."""
    request = RequestRecord("POST", "https://rest.nexmo.com/sms/json", "basic",
                            (("to", "447700900000"),))
    document = ResponseDocument(body="", http_status=None, request=request, failure=failure)
    exchange = exchange_from_document(parse_document(document_to_json(document)))
    assert exchange.entry.id == entry and exchange.may_have_been_sent
    assert exchange.headline.startswith(headline)
    assert "empty" not in exchange.headline.lower()


def test_pasted_empty_text_stays_empty_input_when_saved_and_reopened() -> None:
    saved = document_to_json(ResponseDocument(body="", is_bare_body=True))
    assert exchange_from_document(parse_document(saved)).entry.id == "response-empty"


def test_a_saved_failure_whose_headline_is_not_text_keeps_its_entry() -> None:
    saved = json.loads(document_to_json(ResponseDocument(
        body="", failure=Failure("transport-read-timeout", "Timed out.", True))))
    saved["failure"]["headline"] = 42
    exchange = exchange_from_document(parse_document(json.dumps(saved)))
    assert exchange.entry.id == "transport-read-timeout" and exchange.may_have_been_sent
    assert exchange.headline  # the entry's own title stands in


def test_several_refused_requests_read_as_one_sentence() -> None:
    from smsgui.core.delivery.verdict import send_verdict

    problem = json.dumps({"type": "https://developer.nexmo.com/api-errors/messages-olympus#1160",
                          "title": "Non White-listed Destination", "detail": "Not allowed."})
    refused = [exchange_from_document(ResponseDocument(body=problem, http_status=403))
               for _ in range(2)]
    verdict = send_verdict([exchange.verdict for exchange in refused])
    assert verdict.headline == ("Failed: the Messages API refused it (error 1160): Non "
                                "White-listed Destination - Not allowed (2 of 2 messages).")
