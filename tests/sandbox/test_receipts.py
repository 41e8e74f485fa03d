"""Delivery receipts reach a real receiver on loopback, with the documented fields."""

from __future__ import annotations

import json
import logging
import re
import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from conftest import api_client, start_sandbox
from faultserver import FaultServer, RecordedRequest, Reply

from smsgui.core.api.client import OutgoingSms, SmsApiClient
from smsgui.core.api.decode import Receipt, SendResponse, decode_receipt_fields
from smsgui.core.reference.testnumbers import RECEIPT_ERROR_CODES, receipt_status_for_error
from smsgui.sandbox.server import SandboxServer

RECEIPT_FIELDS = {"msisdn", "to", "network-code", "messageId", "price", "status", "scts",
                  "err-code", "api-key", "message-timestamp"}


@pytest.fixture
def receiver() -> Iterator[FaultServer]:
    with FaultServer(Reply(status=200, body="")) as server:
        yield server


def wait_for_receipts(receiver: FaultServer, count: int,
                      timeout: float = 5.0) -> list[dict[str, str]]:
    deadline = time.monotonic() + timeout
    while len(receiver.requests) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    requests: list[RecordedRequest] = receiver.requests
    assert len(requests) == count, f"expected {count} receipts, got {len(requests)}"
    for request in requests:
        assert request.method == "POST"
        assert request.header("Content-Type") == "application/json"
    return [json.loads(request.body) for request in requests]


def send(api: SmsApiClient, to: str, callback: str, text: str = "hi",
         client_ref: str | None = None) -> SendResponse:
    outcome = api.send(OutgoingSms(to, "AcmeInc", text, client_ref=client_ref,
                                   callback=callback))
    assert isinstance(outcome.decoded, SendResponse)
    return outcome.decoded


def test_a_delivered_receipt_has_every_documented_field(
    api: SmsApiClient, receiver: FaultServer
) -> None:
    response = send(api, "447700900000", receiver.url + "/dlr", client_ref="ticket-42")
    (receipt,) = wait_for_receipts(receiver, 1)
    assert receiver.requests[0].path == "/dlr"
    assert set(receipt) == RECEIPT_FIELDS | {"client-ref"}
    assert all(isinstance(value, str) for value in receipt.values())
    assert receipt["msisdn"] == "447700900000"  # the recipient
    assert receipt["to"] == "AcmeInc"  # the sender
    assert receipt["messageId"] == response.parts[0].message_id
    assert (receipt["status"], receipt["err-code"]) == ("delivered", "0")
    assert receipt["network-code"] == "23410" and receipt["price"] == "0.03330000"
    assert receipt["api-key"] == "sandbox1" and receipt["client-ref"] == "ticket-42"
    assert re.fullmatch(r"\d{10}", receipt["scts"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", receipt["message-timestamp"])
    decoded = decode_receipt_fields(receipt)
    assert isinstance(decoded, Receipt) and decoded.ok and decoded.recipient == "447700900000"


def test_every_part_gets_its_own_receipt(api: SmsApiClient, receiver: FaultServer) -> None:
    response = send(api, "447700900000", receiver.url, text="x" * 200)
    receipts = wait_for_receipts(receiver, 2)
    assert {r["messageId"] for r in receipts} == {p.message_id for p in response.parts}


@pytest.mark.parametrize("err_code", RECEIPT_ERROR_CODES)
def test_magic_numbers_choose_the_err_code(api: SmsApiClient, receiver: FaultServer,
                                           err_code: int) -> None:
    send(api, f"4477009001{err_code:02d}", receiver.url)
    (receipt,) = wait_for_receipts(receiver, 1)
    assert receipt["err-code"] == str(err_code)
    assert receipt["status"] == receipt_status_for_error(err_code)
    decoded = decode_receipt_fields(receipt)
    assert isinstance(decoded, Receipt)
    assert decoded.ok is (err_code == 0)


@pytest.mark.parametrize(
    ("number", "status", "err_code"),
    [("447700900200", "expired", "1"), ("447700900201", "buffered", "0"),
     ("447700900202", "unknown", "1"), ("447700900102", "expired", "2"),
     ("447700900106", "rejected", "6"), ("447700900108", "failed", "8")],
)
def test_documented_receipt_outcomes(api: SmsApiClient, receiver: FaultServer, number: str,
                                     status: str, err_code: str) -> None:
    send(api, number, receiver.url)
    (receipt,) = wait_for_receipts(receiver, 1)
    assert (receipt["status"], receipt["err-code"]) == (status, err_code)


def test_the_dlr_url_is_used_when_the_request_has_no_callback(
    http: httpx.Client, receiver: FaultServer
) -> None:
    server = start_sandbox(dlr_url=receiver.url + "/account-wide")
    try:
        api_client(server, http).send(OutgoingSms("447700900000", "AcmeInc", "hi"))
        wait_for_receipts(receiver, 1)
        assert receiver.requests[0].path == "/account-wide"
    finally:
        server.stop()


def test_a_receipt_url_set_in_the_account_settings_is_kept_for_later_sends(
    sandbox: SandboxServer, http: httpx.Client, receiver: FaultServer
) -> None:
    settings = http.post(f"{sandbox.url}/account/settings", auth=("sandbox1", "SandboxSecret123"),
                         data={"drCallBackUrl": receiver.url + "/from-settings"})
    assert settings.json()["dr-callback-url"] == receiver.url + "/from-settings"
    for _ in range(2):  # not just the next send: the account keeps it
        api_client(sandbox, http).send(OutgoingSms("447700900000", "AcmeInc", "hi"))
    wait_for_receipts(receiver, 2)
    assert [request.path for request in receiver.requests] == ["/from-settings"] * 2


def test_unsetting_the_receipt_url_stops_receipts_for_sends_without_a_callback(
    http: httpx.Client, receiver: FaultServer
) -> None:
    server = start_sandbox(dlr_url=receiver.url + "/account-wide")
    try:
        http.post(f"{server.url}/account/settings", auth=("sandbox1", "SandboxSecret123"),
                  data={"drCallBackUrl": ""})
        api_client(server, http).send(OutgoingSms("447700900000", "AcmeInc", "hi"))
        time.sleep(0.3)
        assert receiver.requests == []
    finally:
        server.stop()


def test_no_receipt_when_none_is_requested(sandbox: SandboxServer, http: httpx.Client,
                                           receiver: FaultServer) -> None:
    http.post(f"{sandbox.url}/sms/json", auth=("sandbox1", "SandboxSecret123"), data={
        "from": "AcmeInc", "to": "447700900000", "text": "hi", "callback": receiver.url,
        "status-report-req": "false"})
    time.sleep(0.3)
    assert receiver.requests == []


def test_a_receiver_that_is_down_is_logged_and_harms_nothing(
    api: SmsApiClient, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    with caplog.at_level(logging.WARNING, logger="smsgui.sandbox.receipts"):
        send(api, "447700900000", f"http://127.0.0.1:{dead_port}/dlr")
        deadline = time.monotonic() + 5
        while "not delivered" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.01)
    assert "not delivered" in caplog.text and "447******000" in caplog.text
    assert send(api, "447700900000", f"http://127.0.0.1:{dead_port}/dlr").ok


def test_a_slow_receiver_does_not_slow_the_api(api: SmsApiClient) -> None:
    with FaultServer(Reply(status=200, delay_s=1.0)) as slow:
        send(api, "447700900000", slow.url)
        time.sleep(0.15)  # the receipt is now being posted to the slow receiver
        started = time.monotonic()
        assert send(api, "447700900001", slow.url).parts[0].status == 1
        assert time.monotonic() - started < 0.5


def test_a_receiver_answering_an_error_is_logged(api: SmsApiClient,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    with FaultServer(Reply(status=500, body="nope")) as failing, \
            caplog.at_level(logging.WARNING, logger="smsgui.sandbox.receipts"):
        send(api, "447700900000", failing.url)
        deadline = time.monotonic() + 5
        while "HTTP 500" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.01)
    assert "HTTP 500" in caplog.text
