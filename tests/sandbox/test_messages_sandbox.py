"""The sandbox's ``POST /v1/messages`` over real loopback HTTP, driven by the app's own Messages
API client: both authentications, each test number's failure told the Messages API's way, status
webhooks to the request's ``webhook_url``, and answers that match Vonage's published description
(tests/sandbox/messages-openapi.yml, version 1.4.0)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import jwt
import pytest
from conftest import start_sandbox
from faultserver import FaultServer, Reply
from openapi import assert_valid, component, response_schema

from smsgui.core.api.apitypes import Credentials, Endpoint, OutgoingSms
from smsgui.core.api.client import ApiOutcome
from smsgui.core.api.decode import Receipt, decode_response
from smsgui.core.api.messages import Application, MessagesApiClient, MessagesOptions
from smsgui.sandbox.config import DEFAULT_API_KEY, DEFAULT_API_SECRET
from smsgui.sandbox.server import SandboxServer

DELIVERED = "447700900000"
WAIT_S = 10.0


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with start_sandbox(dlr_delay=0.2) as running:
        yield running


@pytest.fixture
def webhooks() -> Iterator[FaultServer]:
    with FaultServer(Reply(status=200, body="")) as server:
        yield server


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False, timeout=httpx.Timeout(5.0)) as client:
        yield client


def client(sandbox: SandboxServer, http: httpx.Client, *, jwt_auth: bool = False,
           application: Application | None = None,
           secret: str = DEFAULT_API_SECRET) -> MessagesApiClient:
    chosen = application or (sandbox.application if jwt_auth else None)
    return MessagesApiClient(http, Credentials(DEFAULT_API_KEY, secret),
                             Endpoint(sandbox.url, sandbox.url), application=chosen)


def send(sandbox: SandboxServer, http: httpx.Client, to: str, webhooks: FaultServer | None = None,
         **choices: object) -> ApiOutcome:
    options = MessagesOptions(webhook_url=f"{webhooks.url}/status" if webhooks else None)
    return client(sandbox, http, **choices).send(  # type: ignore[arg-type]
        OutgoingSms(to=to, sender="AcmeInc", text="Hello from the sandbox"), options)


def status_updates(webhooks: FaultServer, count: int) -> list[dict[str, object]]:
    deadline = time.monotonic() + WAIT_S
    while len(webhooks.requests) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return [json.loads(request.body) for request in webhooks.requests]


def spec_answer(status: int, body: dict[str, object]) -> None:
    if status == 401:
        # The description's 401 schemas require "details" while naming the property "detail",
        # like every other problem and every Vonage example: a typo, which the check supplies.
        body = {**body, "details": body["detail"]}
    assert_valid("messages", response_schema("messages", "/", "post", status), body)


@pytest.mark.parametrize("jwt_auth", [False, True], ids=["basic", "jwt"])
def test_an_accepted_sms_gets_a_uuid_then_submitted_and_delivered_webhooks(
    sandbox: SandboxServer, http: httpx.Client, webhooks: FaultServer, jwt_auth: bool
) -> None:
    outcome = send(sandbox, http, DELIVERED, webhooks, jwt_auth=jwt_auth)
    assert outcome.ok and outcome.http_status == 202 and outcome.entry_id == "messages-http-202"
    answer = json.loads(outcome.body or "")
    spec_answer(202, answer)
    submitted, delivered = status_updates(webhooks, 2)
    for update in (submitted, delivered):
        assert update["message_uuid"] == answer["message_uuid"]
        assert_valid("messages", component("messages", "messageStatusSMS"), update)
    assert (submitted["status"], delivered["status"]) == ("submitted", "delivered")
    receipt = decode_response(json.dumps(delivered))
    assert isinstance(receipt, Receipt) and receipt.ok and receipt.final
    assert receipt.price is not None and receipt.network is not None


@pytest.mark.parametrize(("to", "http_status", "entry", "shown"), [
    ("447700900009", 402, "response-error-object", "Low balance"),
    ("447700900015", 422, "messages-1120", "Invalid sender"),
    ("447700900029", 403, "messages-1160", "Non White-listed Destination"),
    ("447700900001", 429, "messages-1000", "Rate Limit Hit"),
    ("447700900005", 500, "messages-http-500", "Internal error"),
])
def test_a_refusing_test_number_gets_its_messages_api_problem(
    sandbox: SandboxServer, http: httpx.Client, to: str, http_status: int, entry: str,
    shown: str,
) -> None:
    outcome = send(sandbox, http, to)
    assert not outcome.ok and outcome.http_status == http_status
    problem = json.loads(outcome.body or "")
    assert {"type", "title", "detail", "instance"} <= problem.keys()
    assert shown in outcome.headline
    if http_status != 403:  # the 1.4.0 description lists no 403
        spec_answer(http_status, problem)
    expected = "messages-http-402" if http_status == 402 else entry
    assert outcome.entry_id == expected


def test_a_throttled_send_is_told_how_long_to_wait(sandbox: SandboxServer,
                                                   http: httpx.Client) -> None:
    outcome = send(sandbox, http, "447700900001")
    assert outcome.retry_after_s is not None and outcome.retry_after_s >= 1
    assert "Wait" in outcome.headline


@pytest.mark.parametrize(("to", "status", "code"), [
    ("447700900105", "rejected", 1200),       # receipt err-code 5: portability error
    ("447700900112", "undeliverable", 1260),  # err-code 12: destination unreachable
    ("447700900200", "rejected", 1360),       # expired
    ("447700900006", "rejected", 1250),       # unroutable: accepted, then refused
])
def test_a_failing_test_number_is_accepted_then_rejected_in_a_webhook(
    sandbox: SandboxServer, http: httpx.Client, webhooks: FaultServer, to: str, status: str,
    code: int,
) -> None:
    outcome = send(sandbox, http, to, webhooks)
    assert outcome.ok and outcome.http_status == 202
    final = status_updates(webhooks, 1 if to.endswith("006") else 2)[-1]
    assert final["status"] == status
    assert_valid("messages", component("messages", "messageStatusSMS"), final)
    receipt = decode_response(json.dumps(final))
    assert isinstance(receipt, Receipt) and not receipt.ok
    assert receipt.err_code == code and receipt.entry.id == f"messages-{code}"


def test_wrong_basic_credentials_and_a_missing_header_are_401(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    outcome = send(sandbox, http, DELIVERED, secret="WrongSecret999")
    assert outcome.http_status == 401 and outcome.entry_id == "messages-http-401"
    spec_answer(401, json.loads(outcome.body or ""))
    bare = http.post(f"{sandbox.url}/v1/messages", json={})
    assert bare.status_code == 401 and "Authorization" in bare.json()["detail"]


def _token(application: Application, **claims: object) -> str:
    now = int(time.time())
    payload = {"application_id": application.application_id, "iat": now, "jti": "x",
               "exp": now + 900, **claims}
    return jwt.encode(payload, application.private_key, algorithm="RS256")


@pytest.mark.parametrize(("claims", "says"), [
    ({"exp": int(time.time()) - 3600}, "expired"),
    ({"iat": int(time.time()) + 3600}, "clock"),
    ({"application_id": "another-app"}, "another application_id"),
])
def test_a_jwt_the_sandbox_cannot_accept_says_why(
    sandbox: SandboxServer, http: httpx.Client, claims: dict[str, object], says: str
) -> None:
    token = _token(sandbox.application, **claims)
    answer = http.post(f"{sandbox.url}/v1/messages", headers={"Authorization": f"Bearer {token}"},
                       json={"message_type": "text", "channel": "sms", "to": DELIVERED,
                             "from": "AcmeInc", "text": "hi"})
    assert answer.status_code == 401 and says in answer.json()["detail"]


def test_a_jwt_signed_by_another_key_is_refused(sandbox: SandboxServer,
                                                http: httpx.Client) -> None:
    from smsgui.sandbox.messages import make_application

    stranger = make_application()
    impostor = Application(sandbox.application.application_id, stranger.private_key)
    outcome = send(sandbox, http, DELIVERED, application=impostor)
    assert outcome.http_status == 401 and outcome.entry_id == "messages-http-401"


@pytest.mark.parametrize(("body", "named"), [
    (b"{not json", None),
    (json.dumps({"message_type": "text", "channel": "whatsapp", "to": DELIVERED,
                 "from": "AcmeInc", "text": "hi"}).encode(), "channel"),
    (json.dumps({"message_type": "text", "channel": "sms", "to": DELIVERED,
                 "from": "AcmeInc"}).encode(), "text"),
    (json.dumps({"message_type": "text", "channel": "sms", "to": DELIVERED,
                 "from": "AcmeInc", "text": "a" * 1001}).encode(), "text"),
    (json.dumps({"message_type": "text", "channel": "sms", "to": DELIVERED, "from": "AcmeInc",
                 "text": "hi", "sms": {"encoding_type": "binary"}}).encode(),
     "sms.encoding_type"),
])
def test_a_malformed_request_is_422_naming_what_is_wrong(
    sandbox: SandboxServer, http: httpx.Client, body: bytes, named: str | None
) -> None:
    answer = http.post(f"{sandbox.url}/v1/messages", content=body,
                       auth=(DEFAULT_API_KEY, DEFAULT_API_SECRET),
                       headers={"Content-Type": "application/json"})
    assert answer.status_code == 422
    problem = answer.json()
    spec_answer(422, problem)
    if named is None:
        assert problem["type"].endswith("#invalid-json")
    else:
        assert named in [item["name"] for item in problem["invalid_parameters"]]


def test_only_post_is_allowed_on_the_messages_path(sandbox: SandboxServer,
                                                   http: httpx.Client) -> None:
    answer = http.get(f"{sandbox.url}/v1/messages")
    assert answer.status_code == 405 and answer.headers["Allow"] == "POST"
