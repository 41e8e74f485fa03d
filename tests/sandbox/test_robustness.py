"""The sandbox keeps serving whatever its clients send, and stops cleanly.

Malformed, oversized, truncated and abandoned requests go over raw loopback sockets (httpx will
not send them); after each one a normal send must still be answered promptly. The server's client
timeout is 10 s, so no test waits for it: stuck clients are left stuck while others are served.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import httpx
import pytest
from conftest import start_sandbox
from faultserver import FaultServer
from hypothesis import given, settings
from hypothesis import strategies as st

from smsgui.sandbox.config import DEFAULT_API_KEY, DEFAULT_API_SECRET, DEFAULT_BALANCE
from smsgui.sandbox.server import SandboxServer

CREDENTIALS: Mapping[str, str] = {"api_key": DEFAULT_API_KEY, "api_secret": DEFAULT_API_SECRET}
HELLO: Mapping[str, str] = {"from": "AcmeInc", "to": "447700900000", "text": "hello"}
FORM = "application/x-www-form-urlencoded"
VALID_BODY = (b"api_key=sandbox1&api_secret=SandboxSecret123&from=AcmeInc&to=447700900000"
              b"&text=hello")
PROMPT_SECONDS = 2.0
_STATUS_LINE = re.compile(rb"HTTP/1\.[01] (\d{3})[^\r\n]*\r\n")


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    sandbox = start_sandbox(rate_limit=100_000)
    yield sandbox
    sandbox.stop()


# -- helpers ----------------------------------------------------------------------------------

def port_of(sandbox: SandboxServer) -> int:
    return int(sandbox.url.rsplit(":", 1)[1])


def connect(sandbox: SandboxServer) -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", port_of(sandbox)), timeout=3.0)
    connection.settimeout(3.0)
    return connection


def exchange(sandbox: SandboxServer, data: bytes) -> bytes:
    """Send ``data``, end the sending side, and read until the server closes (or 3 s pass)."""
    with contextlib.closing(connect(sandbox)) as connection:
        connection.sendall(data)
        connection.shutdown(socket.SHUT_WR)
        received = b""
        with contextlib.suppress(TimeoutError, ConnectionResetError):
            while chunk := connection.recv(65536):
                received += chunk
        return received


def request(method: str, path: str, body: bytes = b"", *headers: str) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *headers]
    return "\r\n".join(lines).encode("latin-1") + b"\r\n\r\n" + body


def first_response(raw: bytes) -> tuple[int, dict[str, str], bytes, bytes]:
    """Status, headers, body and whatever bytes follow the first response on a connection."""
    match = _STATUS_LINE.match(raw)
    assert match, f"no HTTP response, got {raw[:200]!r}"
    head, _, rest = raw[match.end():].partition(b"\r\n\r\n")
    headers = {}
    for line in head.decode("latin-1").split("\r\n"):
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    return int(match.group(1)), headers, rest[:length], rest[length:]


def send(client: httpx.Client, sandbox: SandboxServer,
         fields: Mapping[str, str] = HELLO) -> dict[str, Any]:
    response = client.post(f"{sandbox.url}/sms/json", data={**CREDENTIALS, **fields})
    assert response.status_code == 200
    body = response.json()
    assert isinstance(body, dict)
    return body


def assert_still_serving(sandbox: SandboxServer) -> None:
    """A fresh client is answered, correctly and within PROMPT_SECONDS."""
    started = time.monotonic()
    with httpx.Client(trust_env=False, timeout=PROMPT_SECONDS) as client:
        body = send(client, sandbox)
    assert body["messages"][0]["status"] == "0"
    assert time.monotonic() - started < PROMPT_SECONDS


def assert_send_answer(response: httpx.Response, status: str) -> None:
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["message-count"] == "1"
    assert body["messages"][0]["status"] == status


# -- malformed bodies -------------------------------------------------------------------------

@pytest.mark.parametrize("body", [b"%%%", b"&&&==&=", b"a=%zz&b", b"=\x00\x01", b"to=%E2%82&",
                                  b"from=" + b"&" * 5000],
                         ids=["percents", "separators", "bad-escape", "nul-bytes",
                              "cut-utf8-escape", "many-separators"])
def test_a_malformed_form_body_is_answered(server: SandboxServer, http: httpx.Client,
                                           body: bytes) -> None:
    response = http.post(f"{server.url}/sms/json", content=body,
                         headers={"Content-Type": FORM})
    assert_send_answer(response, "2")
    assert_still_serving(server)


@pytest.mark.parametrize("body", [b"{not json", b'{"api_key": ', b"", b"null", b"42",
                                  b'"text"', b'[{"api_key": "sandbox1"}]', b"[]"],
                         ids=["garbage", "cut-short", "empty", "null", "number", "string",
                              "array-of-objects", "empty-array"])
def test_a_json_body_that_is_not_an_object_is_answered(server: SandboxServer,
                                                       http: httpx.Client, body: bytes) -> None:
    response = http.post(f"{server.url}/sms/json", content=body,
                         headers={"Content-Type": "application/json"})
    assert_send_answer(response, "2")
    assert_still_serving(server)


def test_deeply_nested_json_is_answered(server: SandboxServer, http: httpx.Client) -> None:
    body = b"[" * 50_000  # under the size cap; deeper than Python's recursion limit
    response = http.post(f"{server.url}/sms/json", content=body,
                         headers={"Content-Type": "application/json"})
    assert response.status_code in {200, 400}
    assert_still_serving(server)


ODD_JSON_VALUES = (json.dumps({**CREDENTIALS, **HELLO, "message-class": True, "client-ref": None,
                               "type": ["text"], "callback": {"url": "x"}})[:-1]
                   + ', "ttl": 1e400}')
HUGE_JSON_NUMBER = json.dumps({**CREDENTIALS, **HELLO})[:-1] + ', "udh": ' + "9" * 5000 + "}"


@pytest.mark.parametrize("content", [ODD_JSON_VALUES, HUGE_JSON_NUMBER],
                         ids=["odd-types-and-infinity", "5000-digit-number"])
def test_json_values_of_every_type_are_answered(server: SandboxServer, http: httpx.Client,
                                                content: str) -> None:
    response = http.post(f"{server.url}/sms/json", content=content.encode(),
                         headers={"Content-Type": "application/json"})
    assert response.status_code == 200
    assert response.json()["messages"][0]["status"] != "0"
    assert_still_serving(server)


@pytest.fixture(scope="module")
def shared_server() -> Iterator[SandboxServer]:
    sandbox = start_sandbox(rate_limit=100_000)
    yield sandbox
    sandbox.stop()


@pytest.fixture(scope="module")
def shared_client() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False, timeout=PROMPT_SECONDS) as client:
        yield client


@settings(max_examples=50, deadline=None, database=None)
@given(body=st.binary(max_size=300),
       content_type=st.sampled_from([FORM, "application/json", "text/plain", ""]))
def test_any_body_is_answered_with_json(shared_server: SandboxServer,
                                        shared_client: httpx.Client, body: bytes,
                                        content_type: str) -> None:
    response = shared_client.post(f"{shared_server.url}/sms/json", content=body,
                                  headers={"Content-Type": content_type})
    assert response.status_code == 200
    assert response.json()["message-count"] == "1"


NON_UTF8: list[tuple[str, bytes, str]] = [
    ("raw-latin1-text", VALID_BODY + b"\xe9t\xe9\xff", FORM),
    ("escaped-invalid-utf8", VALID_BODY + b"%FF%FE%C3", FORM),
    ("latin1-json", b'{"api_key": "sandbox1", "api_secret": "SandboxSecret123", '
                    b'"from": "AcmeInc", "to": "447700900000", "text": "caf\xe9"}',
     "application/json"),
]


@pytest.mark.parametrize(("body", "content_type"), [(b, c) for _, b, c in NON_UTF8],
                         ids=[name for name, _, _ in NON_UTF8])
def test_non_utf8_bytes_are_answered(server: SandboxServer, http: httpx.Client, body: bytes,
                                     content_type: str) -> None:
    response = http.post(f"{server.url}/sms/json", content=body,
                         headers={"Content-Type": content_type})
    assert_send_answer(response, "0")
    assert_still_serving(server)


def test_non_utf8_basic_credentials_are_bad_credentials(server: SandboxServer,
                                                        http: httpx.Client) -> None:
    token = base64.b64encode(b"sandbox1:\xff\xfe").decode()
    response = http.post(f"{server.url}/sms/json", data=HELLO,
                         headers={"Authorization": f"Basic {token}"})
    assert_send_answer(response, "4")
    assert_still_serving(server)


def test_non_ascii_header_bytes_are_answered(server: SandboxServer) -> None:
    raw = exchange(server, request("POST", "/sms/json", VALID_BODY, f"Content-Type: {FORM}",
                                   f"Content-Length: {len(VALID_BODY)}", "X-Note: caf\xe9\xff"))
    status, _, body, _ = first_response(raw)
    assert status == 200 and json.loads(body)["messages"][0]["status"] == "0"


# -- sizes and framing ------------------------------------------------------------------------

@pytest.mark.parametrize("extra", [1, 4_000_000], ids=["just-over", "megabytes-over"])
def test_a_body_over_the_cap_is_413_and_the_next_request_works(
        server: SandboxServer, http: httpx.Client, extra: int) -> None:
    body = b"a" * (server.config.max_body_bytes + extra)
    response = http.post(f"{server.url}/sms/json", content=body, headers={"Content-Type": FORM})
    assert response.status_code == 413
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert response.json()["title"] == "Payload Too Large"
    assert send(http, server)["messages"][0]["status"] == "0"


def test_a_body_at_the_cap_is_read(server: SandboxServer, http: httpx.Client) -> None:
    padding = server.config.max_body_bytes - len(VALID_BODY) - len(b"&pad=")
    body = VALID_BODY + b"&pad=" + b"p" * padding
    response = http.post(f"{server.url}/sms/json", content=body, headers={"Content-Type": FORM})
    assert_send_answer(response, "0")


@pytest.mark.parametrize("value", ["abc", "-1", "1e3", "", "0x10", "12 34"])
def test_a_bad_content_length_is_400_and_the_next_request_works(server: SandboxServer,
                                                                value: str) -> None:
    raw = exchange(server, request("POST", "/sms/json", VALID_BODY, f"Content-Type: {FORM}",
                                   f"Content-Length: {value}"))
    status, headers, body, _ = first_response(raw)
    assert status == 400 and headers["content-type"].startswith("application/problem+json")
    assert json.loads(body)["title"] == "Bad Request"
    assert_still_serving(server)


FRAMINGS: list[tuple[str, bytes]] = [
    ("chunked", request("POST", "/sms/json",
                        b"%x\r\n%s\r\n0\r\n\r\n" % (len(VALID_BODY), VALID_BODY),
                        f"Content-Type: {FORM}", "Transfer-Encoding: chunked")),
    ("two-content-lengths", request("POST", "/sms/json", VALID_BODY, f"Content-Type: {FORM}",
                                    "Content-Length: 5", f"Content-Length: {len(VALID_BODY)}")),
]


@pytest.mark.parametrize("data", [data for _, data in FRAMINGS],
                         ids=[name for name, _ in FRAMINGS])
def test_a_body_framing_is_read_or_refused_never_misread(server: SandboxServer,
                                                         data: bytes) -> None:
    status, _, body, rest = first_response(exchange(server, data))
    assert rest == b"", f"a second, unasked-for answer followed: {rest[:120]!r}"
    if status == 200:
        assert json.loads(body)["messages"][0]["status"] == "0"
    else:
        assert status in {400, 411, 501}
    assert_still_serving(server)


def test_a_body_shorter_than_its_content_length_is_not_sent(server: SandboxServer) -> None:
    data = request("POST", "/sms/json", VALID_BODY, f"Content-Type: {FORM}",
                   f"Content-Length: {len(VALID_BODY) + 40}")
    raw = exchange(server, data)  # the client ends its side: the last 40 bytes never come
    if raw:
        status, _, body, _ = first_response(raw)
        assert status != 200 or json.loads(body)["messages"][0]["status"] != "0"
    assert server.account.balance == DEFAULT_BALANCE, "an incomplete request was charged"
    assert_still_serving(server)


# -- clients that go away or say nothing -------------------------------------------------------

def hang_up_after(data: bytes) -> Callable[[SandboxServer], None]:
    def act(sandbox: SandboxServer) -> None:
        with contextlib.closing(connect(sandbox)) as connection:
            connection.sendall(data)
    return act


ABANDONED: list[tuple[str, bytes]] = [
    ("promised-body-never-sent", request("POST", "/sms/json", b"", f"Content-Type: {FORM}",
                                         "Content-Length: 500")),
    ("half-the-body", request("POST", "/sms/json", VALID_BODY[:30], f"Content-Type: {FORM}",
                              f"Content-Length: {len(VALID_BODY)}")),
    ("half-a-request-line", b"POST /sms/js"),
    ("half-the-headers", b"POST /sms/json HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le"),
    ("connect-only", b""),
]


@pytest.mark.parametrize("data", [data for _, data in ABANDONED],
                         ids=[name for name, _ in ABANDONED])
def test_a_client_that_hangs_up_mid_request_harms_nothing(server: SandboxServer,
                                                          data: bytes) -> None:
    for _ in range(3):
        hang_up_after(data)(server)
    assert_still_serving(server)
    assert server.account.balance == DEFAULT_BALANCE - server.config.price


def test_stuck_clients_do_not_delay_others(server: SandboxServer) -> None:
    stuck = [connect(server) for _ in range(6)]
    try:
        stuck[1].sendall(b"POST /sms/json HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        stuck[2].sendall(request("POST", "/sms/json", VALID_BODY[:10], "Content-Length: 900"))
        stuck[3].sendall(b"GET /account/get-bal")
        for _ in range(5):
            assert_still_serving(server)
    finally:
        for connection in stuck:
            connection.close()


def test_a_keep_alive_client_is_answered_without_stalls(server: SandboxServer,
                                                        http: httpx.Client) -> None:
    url = f"{server.url}/account/get-balance"
    assert http.get(url, params=CREDENTIALS).status_code == 200  # opens the connection
    started = time.monotonic()
    for _ in range(20):
        assert http.get(url, params=CREDENTIALS).status_code == 200
    took = time.monotonic() - started
    # Headers and body written separately meet Nagle + delayed ACK: ~40 ms per answer.
    assert took < 0.5, f"20 answers on one connection took {took:.2f} s"


def test_many_concurrent_clients_are_all_answered(http: httpx.Client) -> None:
    sandbox = start_sandbox(rate_limit=100_000)
    threads, per_thread = 40, 5
    start = threading.Barrier(threads)

    def client_run(_: int) -> list[dict[str, Any]]:
        with httpx.Client(trust_env=False, timeout=10.0) as client:
            start.wait(timeout=10.0)
            return [send(client, sandbox)["messages"][0] for _ in range(per_thread)]

    try:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            messages = [m for batch in pool.map(client_run, range(threads)) for m in batch]
        balance = http.get(f"{sandbox.url}/account/get-balance", params=CREDENTIALS).json()
    finally:
        sandbox.stop()
    assert len(messages) == threads * per_thread
    assert {message["status"] for message in messages} == {"0"}
    assert len({message["message-id"] for message in messages}) == len(messages)
    spent = sum(Decimal(message["message-price"]) for message in messages)
    assert Decimal(str(balance["value"])) == DEFAULT_BALANCE - spent
    remaining = {Decimal(message["remaining-balance"]) for message in messages}
    price = sandbox.config.price
    assert remaining == {DEFAULT_BALANCE - price * n for n in range(1, len(messages) + 1)}


# -- unknown paths and wrong methods -----------------------------------------------------------

def assert_problem(response: httpx.Response, status: int, title: str) -> None:
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert {"type", "title", "detail"} <= set(body) and body["title"] == title


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/"), ("POST", "/nope"), ("GET", "/sms"), ("POST", "/sms/json/extra"),
    ("GET", "/account/top-up"), ("GET", "/v2/reports"), ("GET", "/%FF%FE"),
])
def test_an_unknown_path_is_404_problem_json(server: SandboxServer, http: httpx.Client,
                                            method: str, path: str) -> None:
    assert_problem(http.request(method, server.url + path), 404, "Not Found")
    assert_still_serving(server)


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("GET", "/sms/json", "POST"),
    ("POST", "/account/get-balance", "GET"),
    ("GET", "/account/settings", "POST"),
    ("POST", "/v2/reports/records", "GET"),
    ("PUT", "/sms/json", "POST"),
    ("DELETE", "/sms/json", "POST"),
    ("PATCH", "/account/settings", "POST"),
])
def test_a_wrong_method_is_405_problem_json_with_allow(server: SandboxServer,
                                                       http: httpx.Client, method: str,
                                                       path: str, allowed: str) -> None:
    response = http.request(method, server.url + path)
    assert_problem(response, 405, "Method Not Allowed")
    assert allowed in response.headers.get("Allow", "")
    assert_still_serving(server)


# -- shutdown ----------------------------------------------------------------------------------

def wait_for(condition: Callable[[], bool], timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_stop_is_prompt_leaves_no_thread_and_closes_the_port() -> None:
    with FaultServer() as receiver:
        before = set(threading.enumerate())
        sandbox = start_sandbox(rate_limit=100_000)
        port = port_of(sandbox)
        keep_alive = httpx.Client(trust_env=False, timeout=5.0)
        stuck = [connect(sandbox) for _ in range(3)]
        try:
            send(keep_alive, sandbox, {**HELLO, "callback": receiver.url + "/dlr"})
            assert wait_for(lambda: len(receiver.requests) == 1)
            stuck[1].sendall(b"POST /sms/json HTTP/1.1\r\n")
            stuck[2].sendall(request("POST", "/sms/json", b"api", "Content-Length: 90"))
            assert wait_for(lambda: threading.active_count() >= len(before) + 5)
            started = time.monotonic()
            sandbox.stop()
            took = time.monotonic() - started
        finally:
            keep_alive.close()
            for connection in stuck:
                connection.close()
    assert took < PROMPT_SECONDS, f"stop() took {took:.1f} s"

    def leftovers() -> set[str]:
        return {thread.name for thread in set(threading.enumerate()) - before}

    assert wait_for(lambda: not leftovers(), timeout=1.0), f"threads left: {leftovers()}"
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1.0).close()
