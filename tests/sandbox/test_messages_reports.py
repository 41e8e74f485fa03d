"""The Reports API for Messages API sends: the real API files them under product MESSAGES, one
record per message with the Messages API's statuses, and not under SMS. The sandbox does the
same, its answers match ``reports-openapi.yml``'s "Messages (Outbound)" branch, and the app's
client asks for the right product and reads the records in the Messages API's words."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest
from conftest import FrozenClock, api_client, sandbox_credentials, start_sandbox
from openapi import assert_valid, one_of_branch, require_specs, response_schema

from smsgui.core.api.apitypes import Endpoint, OutgoingSms
from smsgui.core.api.decode import ReportRecord, ReportsResponse, SendResponse
from smsgui.core.api.messages import MessagesApiClient
from smsgui.core.reference.messages_outcomes import messages_behaviour
from smsgui.core.reference.testnumbers import all_test_numbers, lookup_test_number
from smsgui.sandbox.config import DEFAULT_API_KEY, DEFAULT_API_SECRET
from smsgui.sandbox.server import SandboxServer

RECEIPT_DELAY_S = 30.0
MESSAGES_OUTBOUND = "messages-outbound"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def frozen(clock: FrozenClock) -> Iterator[SandboxServer]:
    with start_sandbox(clock=clock, dlr_delay=RECEIPT_DELAY_S) as running:
        yield running


@pytest.fixture
def messages(frozen: SandboxServer, http: httpx.Client) -> MessagesApiClient:
    endpoint = Endpoint(rest_base_url=frozen.url, api_base_url=frozen.url)
    return MessagesApiClient(http, sandbox_credentials(), endpoint, clock=frozen.clock)


def sent_uuid(client: MessagesApiClient, to: str, text: str = "Hello") -> str:
    outcome = client.send(OutgoingSms(to, "AcmeInc", text))
    assert isinstance(outcome.decoded, SendResponse) and outcome.decoded.ok, outcome.headline
    (part,) = outcome.decoded.parts
    assert part.message_id
    return part.message_id


def looked_up(client: MessagesApiClient, ids: list[str]) -> ReportsResponse:
    outcome = client.reports(ids, DEFAULT_API_KEY)
    assert outcome.http_status == 200, outcome.headline
    assert outcome.request is not None and "product=MESSAGES" in outcome.request.url
    assert isinstance(outcome.decoded, ReportsResponse)
    return outcome.decoded


def test_a_messages_send_is_followed_from_submitted_to_delivered(
        messages: MessagesApiClient, clock: FrozenClock) -> None:
    message_uuid = sent_uuid(messages, "447700900000")
    (record,) = looked_up(messages, [message_uuid]).records
    assert (record.status, record.from_messages, record.ok) == ("submitted", True, True)
    assert record.entry.id == "messages-status-submitted"
    clock.advance(RECEIPT_DELAY_S + 1)
    (record,) = looked_up(messages, [message_uuid]).records
    assert (record.status, record.error_code, record.ok) == ("delivered", None, True)
    assert record.entry.id == "messages-status-delivered"
    assert record.latency_ms == RECEIPT_DELAY_S * 1000 and record.price == Decimal("0.0333")


@pytest.mark.parametrize(("to", "status", "code"), [
    ("447700900106", "rejected", 1210),       # receipt err-code 6: anti-spam
    ("447700900112", "undeliverable", 1260),  # receipt err-code 12: unreachable
])
def test_a_failure_is_named_with_the_messages_apis_error(
        messages: MessagesApiClient, clock: FrozenClock, to: str, status: str,
        code: int) -> None:
    message_uuid = sent_uuid(messages, to)
    clock.advance(RECEIPT_DELAY_S + 1)
    (record,) = looked_up(messages, [message_uuid]).records
    assert (record.status, record.error_code, record.ok) == (status, code, False)
    assert record.entry.id == f"messages-{code}"


def test_a_message_taken_then_rejected_is_reported_and_not_charged(
        frozen: SandboxServer, messages: MessagesApiClient, clock: FrozenClock,
        http: httpx.Client) -> None:
    # Status 6 in the SMS API; the Messages API takes it (202) and rejects it with error 1250.
    balance = frozen.account.balance
    message_uuid = sent_uuid(messages, "447700900006")
    (record,) = looked_up(messages, [message_uuid]).records
    assert record.status == "submitted"
    clock.advance(RECEIPT_DELAY_S + 1)
    (record,) = looked_up(messages, [message_uuid]).records
    assert (record.status, record.error_code, record.ok) == ("rejected", 1250, False)
    assert record.price == 0 and frozen.account.balance == balance
    sms = api_client(frozen, http).reports([message_uuid], DEFAULT_API_KEY)
    assert isinstance(sms.decoded, ReportsResponse) and sms.decoded.records == ()


def test_one_record_per_message_whatever_its_parts(messages: MessagesApiClient) -> None:
    message_uuid = sent_uuid(messages, "447700900000", text="x" * 200)  # two parts
    (record,) = looked_up(messages, [message_uuid]).records
    assert record.price == Decimal("0.0666")


def test_a_messages_send_is_not_filed_under_sms(
        frozen: SandboxServer, messages: MessagesApiClient, http: httpx.Client) -> None:
    message_uuid = sent_uuid(messages, "447700900000")
    outcome = api_client(frozen, http).reports([message_uuid], DEFAULT_API_KEY)
    assert isinstance(outcome.decoded, ReportsResponse)
    assert outcome.decoded.records == () and outcome.decoded.ids_not_found == (message_uuid,)


def test_an_sms_api_send_is_not_filed_under_messages(
        frozen: SandboxServer, messages: MessagesApiClient, http: httpx.Client) -> None:
    sent = api_client(frozen, http).send(OutgoingSms("447700900000", "AcmeInc", "Hello"))
    assert isinstance(sent.decoded, SendResponse)
    message_id = sent.decoded.parts[0].message_id or ""
    reports = looked_up(messages, [message_id])
    assert reports.records == () and reports.ids_not_found == (message_id,)


def test_the_records_match_the_published_messages_outbound_shape(
        frozen: SandboxServer, messages: MessagesApiClient, clock: FrozenClock,
        http: httpx.Client) -> None:
    require_specs()
    ids = [sent_uuid(messages, to) for to in ("447700900000", "447700900106", "447700900006")]
    schema = response_schema("reports", "/v2/reports/records", "get", 200)
    for _ in ("submitted", "final"):
        response = http.get(f"{frozen.url}/v2/reports/records", auth=(DEFAULT_API_KEY,
                                                                        DEFAULT_API_SECRET),
                            params={"account_id": DEFAULT_API_KEY, "product": "MESSAGES",
                                    "direction": "outbound", "id": ",".join(ids)})
        body = response.json()
        assert response.status_code == 200 and body["product"] == "MESSAGES"
        assert len(body["records"]) == 3
        assert_valid("reports", schema, body)
        assert_valid("reports", one_of_branch("reports", schema, MESSAGES_OUTBOUND), body)
        clock.advance(RECEIPT_DELAY_S + 1)


def test_a_record_of_each_kind_reads_in_its_own_words() -> None:
    """The decoder, not the sandbox: the same status means different things in each product."""
    from smsgui.core.api.decode import decode_response

    def record(product: str) -> ReportRecord:
        decoded = decode_response({"product": product, "records": [
            {"message_id": "m1", "status": "rejected", "error_code": "1210"}]})
        assert isinstance(decoded, ReportsResponse)
        return decoded.records[0]

    assert record("MESSAGES").entry.id == "messages-1210"
    assert record("SMS").entry.id != "messages-1210"


ANSWERS_HTTP = re.compile(r"answers HTTP (\d{3})")
WEBHOOK = re.compile(r'status webhook "(\w+)" with error (\d+)')


@pytest.mark.parametrize("number", [n.e164 for n in all_test_numbers()])
def test_every_test_numbers_messages_note_is_what_the_sandbox_does(
        messages: MessagesApiClient, clock: FrozenClock, number: str) -> None:
    """The compose form's note for a Messages API profile, checked against the sandbox itself:
    the HTTP answer, then the message's last status in the Reports API."""
    test_number = lookup_test_number(number)
    assert test_number is not None
    note = messages_behaviour(test_number)
    outcome = messages.send(OutgoingSms(number, "AcmeInc", "Hello"))
    refused = ANSWERS_HTTP.search(note)
    if refused:
        assert outcome.http_status == int(refused.group(1)) and not outcome.ok
        return
    assert outcome.http_status == 202, note
    assert isinstance(outcome.decoded, SendResponse)
    message_uuid = outcome.decoded.parts[0].message_id or ""
    clock.advance(RECEIPT_DELAY_S + 1)
    found = looked_up(messages, [message_uuid]).records
    failed = WEBHOOK.search(note)
    if failed:
        (record,) = found
        assert (record.status, record.error_code) == (failed.group(1), int(failed.group(2)))
        if test_number.api_status != 0:
            # Refused by the SMS API's rules, so it never reached a network: not charged.
            assert record.price == 0
        return
    (record,) = found
    expected = "submitted" if "no final status" in note else "delivered"
    assert record.status == expected, note
