"""The receipt receiver, over real HTTP on 127.0.0.1: the three webhook formats and the rest."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from smsgui.core.api.decode import Receipt, decode_receipt_fields
from smsgui.core.delivery.receiver import (
    MAX_RECEIPT_BYTES,
    RECEIPT_PATH,
    ReceiptReceiver,
    looks_like_receipt,
    webhook_fields,
)

RECEIPT = {"msisdn": "447700900123", "to": "AcmeInc", "network-code": "23410",
           "messageId": "0B00000127FDBC63", "price": "0.03330000", "status": "delivered",
           "scts": "2001011400", "err-code": "0", "api-key": "abcd1234",
           "message-timestamp": "2020-01-01 14:00:00"}
RAW_JSON = (b'{"msisdn": "447700900123", "messageId": "0B00000127FDBC63", "status": "delivered",'
            b' "err-code": 0, "price": 0.03330000, "to": "AcmeInc", "flag": true, "gone": null,'
            b' "nested": {"a": 1}}')


class Collector:
    """An on_receipt callback that remembers what it was given, from any thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: list[dict[str, str]] = []
        self.threads: set[str] = set()

    def __call__(self, fields: dict[str, str]) -> None:
        with self.lock:
            self.received.append(fields)
            self.threads.add(threading.current_thread().name)


@pytest.fixture
def collector() -> Collector:
    return Collector()


@pytest.fixture
def receiver(collector: Collector) -> Iterator[ReceiptReceiver]:
    with ReceiptReceiver(collector) as running:
        yield running


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False, timeout=5.0) as client:
        yield client


def raw_exchange(receiver: ReceiptReceiver, data: bytes) -> bytes:
    """Send raw bytes, end the sending side, read until the server closes."""
    with contextlib.closing(socket.create_connection(("127.0.0.1", receiver.port), 3)) as sock:
        sock.settimeout(3)
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        received = b""
        with contextlib.suppress(TimeoutError, ConnectionResetError):
            while chunk := sock.recv(65536):
                received += chunk
        return received


# -- the three formats ------------------------------------------------------------------------

def test_a_get_with_query_parameters_is_a_receipt(receiver: ReceiptReceiver,
                                                  collector: Collector,
                                                  http: httpx.Client) -> None:
    response = http.get(receiver.callback_url, params=RECEIPT)
    assert response.status_code == 200 and response.text in {"", "OK"}
    assert collector.received == [RECEIPT]


def test_a_post_form_is_a_receipt(receiver: ReceiptReceiver, collector: Collector,
                                  http: httpx.Client) -> None:
    response = http.post(receiver.callback_url, data=RECEIPT)
    assert response.status_code == 200
    assert collector.received == [RECEIPT]


def test_a_post_json_is_a_receipt(receiver: ReceiptReceiver, collector: Collector,
                                  http: httpx.Client) -> None:
    response = http.post(receiver.callback_url, json=RECEIPT)
    assert response.status_code == 200
    assert collector.received == [RECEIPT]


def test_json_values_become_the_text_they_were_sent_as(receiver: ReceiptReceiver,
                                                        collector: Collector,
                                                        http: httpx.Client) -> None:
    response = http.post(receiver.url, content=RAW_JSON,
                         headers={"Content-Type": "application/json"})
    assert response.status_code == 200
    (fields,) = collector.received
    assert fields["err-code"] == "0" and fields["price"] == "0.03330000"
    assert fields["flag"] == "true"
    assert "gone" not in fields and "nested" not in fields


@pytest.mark.parametrize("path", ["/", RECEIPT_PATH, "/dlr/any/where", "/x?extra=1"])
def test_any_path_is_accepted(receiver: ReceiptReceiver, collector: Collector,
                              http: httpx.Client, path: str) -> None:
    assert http.post(receiver.url + path, data=RECEIPT).status_code == 200
    assert collector.received[0]["messageId"] == RECEIPT["messageId"]


def test_a_json_body_without_its_content_type_is_still_read(receiver: ReceiptReceiver,
                                                             collector: Collector,
                                                             http: httpx.Client) -> None:
    response = http.post(receiver.url, content=RAW_JSON, headers={"Content-Type": "text/plain"})
    assert response.status_code == 200
    assert collector.received[0]["status"] == "delivered"


def test_msisdn_and_status_without_a_message_id_look_like_a_receipt(
        receiver: ReceiptReceiver, collector: Collector, http: httpx.Client) -> None:
    fields = {"msisdn": "447700900123", "status": "failed"}
    assert http.get(receiver.url, params=fields).status_code == 200
    assert collector.received == [fields]


def test_the_callback_runs_on_a_request_thread(receiver: ReceiptReceiver, collector: Collector,
                                              http: httpx.Client) -> None:
    http.get(receiver.url, params=RECEIPT)
    assert collector.threads and threading.main_thread().name not in collector.threads


# -- what is not a receipt -------------------------------------------------------------------

JUNK: list[tuple[str, str, bytes, str]] = [
    ("get-no-params", "GET", b"", ""),
    ("form-without-receipt-keys", "POST", b"hello=world&status=delivered", ""),
    ("json-array", "POST", b'[{"messageId": "x"}]', "application/json"),
    ("json-string", "POST", b'"messageId"', "application/json"),
    ("broken-json", "POST", b'{"messageId": ', "application/json"),
    ("deep-json", "POST", b'{"a":' + b"[" * 15_000, "application/json"),
    ("empty-message-id", "POST", b"messageId=&msisdn=447700900123", ""),
    ("plain-text", "POST", b"delivered!", "text/plain"),
]


@pytest.mark.parametrize(("method", "body", "content_type"),
                         [case[1:] for case in JUNK], ids=[case[0] for case in JUNK])
def test_anything_else_is_400_and_not_passed_on(receiver: ReceiptReceiver,
                                                collector: Collector, http: httpx.Client,
                                                method: str, body: bytes,
                                                content_type: str) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = http.request(method, receiver.callback_url, content=body, headers=headers)
    assert response.status_code == 400
    assert "not a delivery receipt" in response.text
    assert collector.received == []


def test_other_methods_are_405(receiver: ReceiptReceiver, http: httpx.Client) -> None:
    response = http.put(receiver.url, data=RECEIPT)
    assert response.status_code == 405 and response.headers["Allow"] == "GET, POST"


def test_an_oversized_body_is_413_and_the_next_request_works(receiver: ReceiptReceiver,
                                                             collector: Collector,
                                                             http: httpx.Client) -> None:
    body = b"messageId=x&pad=" + b"p" * MAX_RECEIPT_BYTES
    response = http.post(receiver.url, content=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413
    assert response.headers["Connection"] == "close"
    assert collector.received == []
    assert http.post(receiver.url, data=RECEIPT).status_code == 200


@pytest.mark.parametrize(("header", "status"),
                         [("Transfer-Encoding: chunked", 411), ("Content-Length: 12abc", 400)])
def test_unframed_bodies_are_refused_and_the_connection_closed(receiver: ReceiptReceiver,
                                                               collector: Collector,
                                                               header: str,
                                                               status: int) -> None:
    request = (f"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n{header}\r\n\r\n"
               "c\r\nmessageId=x1\r\n0\r\n\r\n").encode()
    answer = raw_exchange(receiver, request)
    assert answer.startswith(f"HTTP/1.1 {status} ".encode())
    assert answer.count(b"HTTP/1.1") == 1
    assert collector.received == []


def test_a_failing_callback_is_500_logged_and_survived(http: httpx.Client,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    calls: list[dict[str, str]] = []

    def explode(fields: dict[str, str]) -> None:
        calls.append(fields)
        raise RuntimeError("the store is broken")

    with caplog.at_level(logging.ERROR, "smsgui.core.delivery.receiver"), \
            ReceiptReceiver(explode) as receiver:
        assert http.get(receiver.url, params=RECEIPT).status_code == 500
        assert http.get(receiver.url, params=RECEIPT).status_code == 500
    assert len(calls) == 2
    assert "the store is broken" in caplog.text


# -- logging, addresses, lifecycle -----------------------------------------------------------

def test_logs_mask_the_numbers(receiver: ReceiptReceiver, http: httpx.Client,
                               caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        http.get(receiver.url, params=RECEIPT)
        http.post(receiver.url, data=RECEIPT)
        http.get(receiver.url, params={"msisdn": "447700900123"})
    ours = "\n".join(record.getMessage() for record in caplog.records
                     if record.name.startswith("smsgui"))
    assert "447******123" in ours
    assert "447700900123" not in ours


def test_urls_name_the_loopback_port(receiver: ReceiptReceiver) -> None:
    assert receiver.url == f"http://127.0.0.1:{receiver.port}"
    assert receiver.callback_url == receiver.url + "/webhooks/delivery-receipt"
    assert receiver.running


def test_a_stopped_receiver_has_no_url_and_can_start_again(collector: Collector) -> None:
    receiver = ReceiptReceiver(collector)
    with pytest.raises(RuntimeError):
        _ = receiver.url
    receiver.start()
    receiver.stop()
    assert not receiver.running
    receiver.stop()  # stopping twice is harmless
    with receiver:  # and it starts again, as the window's start button does
        assert receiver.running


def test_a_port_in_use_raises_on_start(receiver: ReceiptReceiver, collector: Collector) -> None:
    with pytest.raises(OSError):
        ReceiptReceiver(collector, port=receiver.port).start()


def test_concurrent_receipts_are_all_taken(receiver: ReceiptReceiver, collector: Collector,
                                           http: httpx.Client) -> None:
    def post(index: int) -> int:
        fields = {**RECEIPT, "messageId": f"m-{index}"}
        url = receiver.callback_url
        if index % 3 == 0:
            return http.get(url, params=fields).status_code
        if index % 3 == 1:
            return http.post(url, data=fields).status_code
        return http.post(url, json=fields).status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(post, range(90)))
    assert statuses == [200] * 90
    assert sorted(fields["messageId"] for fields in collector.received) == sorted(
        f"m-{index}" for index in range(90))


def test_stop_leaves_no_threads_even_with_idle_keep_alive_clients(collector: Collector) -> None:
    before = set(threading.enumerate())
    receiver = ReceiptReceiver(collector).start()
    clients = [httpx.Client(trust_env=False, timeout=5.0) for _ in range(5)]
    try:
        for client in clients:  # each leaves a kept-open connection, and its thread, behind
            assert client.get(receiver.url, params=RECEIPT).status_code == 200
        started = time.monotonic()
        receiver.stop()
        assert time.monotonic() - started < 1.0
    finally:
        for client in clients:
            client.close()
    assert set(threading.enumerate()) <= before


# -- the pure helpers ------------------------------------------------------------------------

def test_webhook_fields_let_the_body_win_over_the_query() -> None:
    fields = webhook_fields("status=accepted&extra=1", b"status=delivered", "")
    assert fields == {"status": "delivered", "extra": "1"}


def test_webhook_fields_replace_bytes_that_are_not_utf8() -> None:
    fields = webhook_fields("", b"messageId=a&to=Caf\xe9", "application/x-www-form-urlencoded")
    assert fields == {"messageId": "a", "to": "Caf\ufffd"}


@pytest.mark.parametrize(("fields", "expected"), [
    ({"messageId": "a"}, True), ({"msisdn": "1", "status": "x"}, True),
    ({"msisdn": "1"}, False), ({"status": "delivered"}, False), ({}, False),
])
def test_looks_like_receipt(fields: dict[str, str], expected: bool) -> None:
    assert looks_like_receipt(fields) is expected


def test_a_messages_api_status_webhook_is_a_receipt_with_its_objects_flattened() -> None:
    body = (b'{"message_uuid": "aaaaaaaa-bbbb-cccc-dddd-0123456789ab", "to": "447700900000",'
            b' "status": "rejected", "usage": {"currency": "EUR", "price": "0.0333"},'
            b' "error": {"type": "https://developer.nexmo.com/api-errors/messages-olympus#1240",'
            b' "title": 1240, "detail": "Illegal Number"}, "channel": "sms"}')
    fields = webhook_fields("", body, "application/json")
    assert fields is not None and looks_like_receipt(fields)
    assert fields["usage.price"] == "0.0333" and fields["error.title"] == "1240"
    receipt = decode_receipt_fields(fields)
    assert isinstance(receipt, Receipt) and receipt.err_code == 1240
    assert receipt.entry.id == "messages-1240" and not receipt.ok
    assert looks_like_receipt({"message_uuid": "x"}) is False  # a status is needed too
