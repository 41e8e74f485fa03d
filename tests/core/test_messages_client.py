"""The Messages API client over real loopback HTTP: what it sends, how it signs, and every
answer explained like the SMS API's - by the same outcome type and its own knowledge entries."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from faultserver import FaultServer, Reply

from smsgui.core.api.apitypes import Credentials, Endpoint, OutgoingSms, SmsOptions
from smsgui.core.api.decode import SendResponse
from smsgui.core.api.messages import (
    JWT_LIFETIME_S,
    Application,
    MessagesApiClient,
    MessagesOptions,
    make_jwt,
)
from smsgui.core.delivery.exchange import exchange_from_document, exchange_from_outcome
from smsgui.core.delivery.verdict import Fate

KEY, SECRET = "abcd1234", "Secret123456"
APPLICATION_ID = "aaaaaaaa-bbbb-cccc-dddd-0123456789ab"
UUID = "aaaaaaaa-bbbb-cccc-dddd-0123456789ab"
NOW = 1_764_770_000.0
MESSAGE = OutgoingSms(to="447700900000", sender="AcmeInc", text="Hello", client_ref="ticket-42",
                      options=SmsOptions(entity_id="1101", content_id="1107"))
PROBLEM = (("Content-Type", "application/problem+json"),)


def pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode("ascii")


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer(Reply(status=202, body=json.dumps({"message_uuid": UUID}))) as running:
        yield running


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False, timeout=httpx.Timeout(2.0)) as client:
        yield client


def client_for(server: FaultServer, http: httpx.Client,
               application: Application | None = None) -> MessagesApiClient:
    return MessagesApiClient(http, Credentials(KEY, SECRET), Endpoint(server.url, server.url),
                             clock=lambda: NOW, application=application)


def test_a_basic_send_posts_the_sms_as_json_and_is_accepted(
    server: FaultServer, http: httpx.Client
) -> None:
    options = MessagesOptions(webhook_url="https://example.com/status", ttl_s=3600,
                              encoding_type="auto")
    outcome = client_for(server, http).send(MESSAGE, options)
    assert outcome.ok and outcome.entry_id == "messages-http-202"
    assert isinstance(outcome.decoded, SendResponse)
    assert outcome.decoded.parts[0].message_id == UUID
    (request,) = server.requests
    assert (request.method, request.path) == ("POST", "/v1/messages")
    assert request.header("Content-Type") == "application/json"
    assert request.header("Authorization") == "Basic " + base64.b64encode(
        f"{KEY}:{SECRET}".encode()).decode()
    assert json.loads(request.body) == {
        "message_type": "text", "channel": "sms", "to": "447700900000", "from": "AcmeInc",
        "text": "Hello", "client_ref": "ticket-42", "webhook_url": "https://example.com/status",
        "ttl": 3600, "sms": {"encoding_type": "auto", "content_id": "1107", "entity_id": "1101"}}
    document = outcome.to_document(sandbox=False)
    assert document.request is not None and document.request.auth_method == "basic"
    assert document.request.field_value("to") == "447700900000"
    assert document.request.field_value("sms.entity_id") == "1101"


@pytest.mark.parametrize(("message_type", "ttl_ms", "expected"), [
    ("unicode", 3_600_000, {"ttl": 3600, "sms": {"encoding_type": "unicode"}}),
    ("text", 20_500, {"ttl": 21, "sms": {"encoding_type": "text"}}),  # rounded up, not cut
    ("binary", None, {}),  # the Messages API has no binary SMS, and no encoding to name it
])
def test_the_messages_own_ttl_and_type_are_sent_when_no_options_name_others(
    server: FaultServer, http: httpx.Client, message_type: str, ttl_ms: int | None,
    expected: dict[str, object],
) -> None:
    message = OutgoingSms(to="447700900000", sender="AcmeInc", text="Hello",
                          message_type=message_type, ttl_ms=ttl_ms)
    assert client_for(server, http).send(message).ok
    (request,) = server.requests
    assert json.loads(request.body) == {
        "message_type": "text", "channel": "sms", "to": "447700900000", "from": "AcmeInc",
        "text": "Hello", **expected}


def test_options_name_a_ttl_and_encoding_over_the_messages_own(
    server: FaultServer, http: httpx.Client
) -> None:
    message = OutgoingSms(to="447700900000", sender="AcmeInc", text="Hello",
                          message_type="unicode", ttl_ms=3_600_000)
    assert client_for(server, http).send(message, MessagesOptions(ttl_s=600,
                                                                  encoding_type="auto")).ok
    (request,) = server.requests
    body = json.loads(request.body)
    assert (body["ttl"], body["sms"]) == (600, {"encoding_type": "auto"})


def test_a_jwt_send_is_signed_by_the_application_key_and_short_lived(
    server: FaultServer, http: httpx.Client, rsa_key: rsa.RSAPrivateKey
) -> None:
    outcome = client_for(server, http, Application(APPLICATION_ID, pem(rsa_key))).send(MESSAGE)
    assert outcome.ok
    (request,) = server.requests
    scheme, token = (request.header("Authorization") or "").split(" ", 1)
    assert scheme == "Bearer"
    claims = jwt.decode(token, rsa_key.public_key(), algorithms=["RS256"],
                        options={"verify_exp": False})
    assert claims["application_id"] == APPLICATION_ID and claims["iat"] == int(NOW)
    assert claims["exp"] - claims["iat"] == JWT_LIFETIME_S and claims["jti"]
    assert token not in outcome.detail and SECRET not in request.body.decode()
    document = outcome.to_document(sandbox=False)
    assert document.request is not None and document.request.auth_method == "jwt"


def test_each_token_is_new(rsa_key: rsa.RSAPrivateKey) -> None:
    application = Application(APPLICATION_ID, pem(rsa_key))
    assert make_jwt(application, NOW) != make_jwt(application, NOW)


@pytest.mark.parametrize(("key", "says"), [
    ("not a key at all", "is not a PEM key"),
    ("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", "cannot be read"),
    ("ec", "is not an RSA key"),
])
def test_a_key_that_cannot_sign_sends_nothing_and_says_why(
    server: FaultServer, http: httpx.Client, key: str, says: str
) -> None:
    text = pem(ec.generate_private_key(ec.SECP256R1())) if key == "ec" else key
    outcome = client_for(server, http, Application(APPLICATION_ID, text)).send(MESSAGE)
    assert not outcome.ok and outcome.entry_id == "messages-private-key"
    assert says in outcome.headline and not outcome.may_have_been_sent
    assert server.requests == []


@pytest.mark.parametrize(("reply", "entry", "shown", "may_have_been_sent"), [
    (Reply(status=401, headers=PROBLEM, body=json.dumps({
        "type": "https://developer.nexmo.com/api-errors/#unathorized",
        "title": "You did not provide correct credentials.",
        "detail": "Check that you're using the correct credentials.",
        "instance": "bf0ca0bf927b3b52e3cb03217e1a1ddf"})),
     "messages-http-401", "correct credentials", False),
    (Reply(status=402, headers=PROBLEM, body=json.dumps({
        "type": "https://developer.nexmo.com/api-errors/#low-balance", "title": "Low balance",
        "detail": "This request could not be performed due to your account balance being low.",
        "instance": "x"})),
     "messages-http-402", "balance being low", False),
    (Reply(status=422, headers=PROBLEM, body=json.dumps({
        "type": "https://developer.nexmo.com/api-errors/messages-olympus#1120",
        "title": "Invalid sender", "detail": "The `from` parameter is invalid.",
        "instance": "x"})),
     "messages-1120", "Invalid sender", False),
    (Reply(status=429, headers=(*PROBLEM, ("Retry-After", "3")), body=json.dumps({
        "type": "https://developer.nexmo.com/api-errors/messages-olympus#1000",
        "title": "Rate Limit Hit", "detail": "Please wait, then retry your request",
        "instance": "x"})),
     "messages-1000", "Wait 3 seconds", False),
    (Reply(status=500, headers=PROBLEM, body=json.dumps({
        "type": "https://developer.nexmo.com/api-errors/messages-olympus#1000",
        "title": "Internal error", "detail": "An internal error occurred.", "instance": "x"})),
     "messages-http-500", "had a problem", True),
    # Error 1000 is also throttling, but not on a 500: never "wait and retry" for a server fault.
    (Reply(status=500, headers=PROBLEM, body=json.dumps({
        "type": "https://developer.nexmo.com/api-errors/messages-olympus#1000",
        "title": "Server Error", "detail": "Too many existing binds", "instance": "x"})),
     "messages-http-500", "had a problem", True),
    (Reply(status=503, body="Service Unavailable"), "messages-http-503", "HTTP 503", True),
])
def test_every_refusal_is_explained_by_its_messages_entry(
    server: FaultServer, http: httpx.Client, reply: Reply, entry: str, shown: str,
    may_have_been_sent: bool,
) -> None:
    server.respond_with(reply)
    outcome = client_for(server, http).send(MESSAGE)
    assert not outcome.ok and outcome.entry_id == entry
    assert shown in outcome.headline
    assert outcome.may_have_been_sent is may_have_been_sent
    assert len(server.requests) == 1, "never sent twice"
    reopened = exchange_from_document(outcome.to_document(sandbox=False))
    assert reopened.entry.id == entry and not reopened.ok  # saved and opened, it says the same
    # A 4xx turns the request down (nothing sent); a 5xx leaves it open.
    fate = Fate.MAY_HAVE_BEEN_SENT if may_have_been_sent else Fate.REFUSED
    shown_now = exchange_from_outcome(outcome, sandbox=False)
    assert [item.fate for item in shown_now.verdict.fates] == [fate]
    assert [item.fate for item in reopened.verdict.fates] == [fate]
    assert shown_now.headline == reopened.headline == outcome.headline
    assert ("refused" in outcome.headline) is not may_have_been_sent, outcome.headline


def test_a_connection_refused_is_diagnosed_as_for_the_sms_api(http: httpx.Client) -> None:
    with FaultServer(Reply()) as closed:
        url = closed.url
    client = MessagesApiClient(http, Credentials(KEY, SECRET), Endpoint(url, url))
    outcome = client.send(MESSAGE)
    assert outcome.entry_id == "transport-connection-refused" and not outcome.may_have_been_sent


def test_the_summary_names_the_api_and_reads_as_one_sentence(
    server: FaultServer, http: httpx.Client
) -> None:
    from smsgui.core.report.summary import SummaryOptions, build_batch_summary

    accepted = exchange_from_outcome(client_for(server, http).send(MESSAGE), sandbox=False)
    server.respond_with(Reply(status=422, headers=PROBLEM, body=json.dumps({
        "type": "https://developer.nexmo.com/api-errors/messages-olympus#1120",
        "title": "Invalid sender", "detail": "The `from` parameter is invalid.",
        "instance": "x"})))
    refused = exchange_from_outcome(client_for(server, http).send(MESSAGE), sandbox=False)
    summary = build_batch_summary([accepted, refused], SummaryOptions(mask_numbers=True))
    assert "Sent through: Messages API (POST /v1/messages, channel sms)" in summary
    assert "Authentication: basic" in summary and SECRET not in summary
    assert ".." not in summary and "[messages-1120]" in summary
