"""Every ``/sms/json`` answer the sandbox gives has the fields the real API gives for that status.

``RECORDED`` holds, for each status, the keys of a ``messages[i]`` object and its error-text as a
public source shows them, and names that source. Where an answer was captured from the live API
(a curl run pasted into an issue, a logged answer, an assertion file run against the API) the
shape follows it; otherwise an SDK's hand-written test fixture; otherwise the spec's own
``ErrorMessage`` schema (``status`` and ``error-text`` only). Researched 2026-12-05 through the
public code and issue index; every value in a real answer is a string and no refused part has a
``message-id``. The sandbox is then driven, over real loopback HTTP, to every status it can give
- by the request that causes it where there is one, and by its test number - and each answer is
compared with the record: which keys appear (order aside), that each is a string, the wording.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any

import httpx
import pytest
from conftest import FrozenClock, start_sandbox

from smsgui.core.api.signing import SignatureMethod, signed_params
from smsgui.core.reference.testnumbers import API_STATUS_CODES, RANGE_PREFIX
from smsgui.sandbox.config import DEFAULT_SIGNATURE_SECRET
from smsgui.sandbox.server import SandboxServer
from smsgui.sandbox.sms import ERROR_TEXTS

AUTH = ("sandbox1", "SandboxSecret123")
HELLO: Mapping[str, str] = {"from": "AcmeInc", "to": "447700900000", "text": "hi"}


class Evidence(Enum):
    CAPTURE = "an answer of the live API"
    FIXTURE = "an SDK's hand-written test data"
    SPEC = "the spec's ErrorMessage schema only; no answer found"


@dataclass(frozen=True)
class Shape:
    keys: frozenset[str]
    source: str
    evidence: Evidence
    error_text: str | None = None
    """The error-text the source shows, where the sandbox gives that very text."""


def shape(keys: str, source: str, evidence: Evidence, error_text: str | None = None) -> Shape:
    return Shape(frozenset(keys.split()), source, evidence, error_text)


REFUSED = "status error-text"
RECORDED: Mapping[int, Shape] = {
    0: shape("to message-id status remaining-balance message-price network",
             "Vonage/vonage-node-sdk#790 (2023, printed answer); sms-openapi-1.5.1.yml Message",
             Evidence.CAPTURE),
    1: shape("to status error-text network",
             "Vonage/vonage-php-sdk-core test/SMS/responses/ratelimit.json @38b9702c (realistic "
             "values); the wording also in Vonage/vonage-node-sdk#33", Evidence.FIXTURE),
    2: shape(REFUSED, "'Missing api_key', 'Missing from param', 'Missing Message Text': a "
             "tester's assertions run against the live API (public index id 36355882451); "
             "Vonage/vonage-php-sdk-core#373", Evidence.CAPTURE),
    3: shape(REFUSED, "a logged sms_history dump, 2020 (public index id 12630853): "
             "'Invalid from param'; 'to address is not numeric' in two pasted answers "
             "(index ids 26977034524, 29712853273)", Evidence.CAPTURE),
    4: shape(REFUSED, "curl capture in Vonage/vonage-ruby-sdk#25 (2014, HTTP 200); "
             "Nexmo/nexmo-developer#940", Evidence.CAPTURE, "Bad Credentials"),
    5: shape(REFUSED, "Vonage/vonage-php-sdk-core test/SMS/responses/fail-server.json @9e530895",
             Evidence.FIXTURE, "Server Error"),
    6: shape("to status error-text", "the logged sms_history dump, 2020 (index id 12630853)",
             Evidence.CAPTURE, "Unroutable message - rejected"),
    7: shape(REFUSED, "Vonage/vonage-python-sdk sms/tests/data/send_sms_error.json @b547a957",
             Evidence.FIXTURE, "Number barred."),
    8: shape(REFUSED, "sms-openapi-1.5.1.yml ErrorMessage", Evidence.SPEC),
    9: shape("to status error-text message-price remaining-balance network",
             "a serialized answer stored by a PHP app (public index id 18547856804); the "
             "wording also in Vonage's KB article 360035929012", Evidence.CAPTURE,
             "Quota Exceeded - rejected"),
    10: shape(REFUSED, "sms-openapi-1.5.1.yml ErrorMessage (fixtures in nyaruka/courier and "
              "vonage-java-sdk show status alone; the sandbox keeps the spec's error-text)",
              Evidence.SPEC),
    11: shape(REFUSED, "sms-openapi-1.5.1.yml ErrorMessage", Evidence.SPEC),
    12: shape(REFUSED, "sms-openapi-1.5.1.yml ErrorMessage", Evidence.SPEC),
    14: shape(REFUSED, "nexmo-python's v2 tests (public index id 29712853273)",
              Evidence.FIXTURE, "Invalid Signature"),
    15: shape("to status error-text", "wording in Vonage/vonage-ruby-sdk#3 (2012); the shape in "
              "a third-party fixture (public index id 59373594595)", Evidence.FIXTURE,
              "Illegal Sender Address - rejected"),
    17: shape(REFUSED, "sms-openapi-1.5.1.yml ErrorMessage", Evidence.SPEC),
    22: shape(REFUSED, "sms-openapi-1.5.1.yml ErrorMessage", Evidence.SPEC),
    23: shape(REFUSED, "sms-openapi-1.5.1.yml ErrorMessage", Evidence.SPEC),
    29: shape("to status error-text", "SkygearIO/skygear-server#870 (2019, pasted answer); the "
              "sms_history dump (index id 12630853)", Evidence.CAPTURE,
              "Non White-listed Destination - rejected"),
    32: shape(REFUSED, "sms-openapi-1.5.1.yml ErrorMessage", Evidence.SPEC),
    33: shape(REFUSED, "sms-openapi-1.5.1.yml ErrorMessage", Evidence.SPEC),
}
OPTIONAL_ON_SUCCESS = frozenset({"client-ref", "account-ref"})
THROTTLED = re.compile(r"Throughput Rate Exceeded - please wait \[ \d+ \] and retry")


@dataclass(frozen=True)
class Cause:
    """A request that makes the real API answer ``status``, and the error-text it gives."""

    status: int
    fields: Mapping[str, str]
    error_text: str | None = None
    auth: tuple[str, str] | None = AUTH


def _signed(secret: str, **extra: str) -> dict[str, str]:
    fields = signed_params({"api_key": "sandbox1", **HELLO}, secret, SignatureMethod.MD5_HASH,
                           int(FrozenClock().now))
    return {**fields, **extra}


CAUSES: Mapping[str, Cause] = {
    "missing-api-key": Cause(2, HELLO, "Missing api_key", auth=None),
    "missing-from": Cause(2, {"to": "447700900000", "text": "hi"}, "Missing from param"),
    "missing-text": Cause(2, {"from": "AcmeInc", "to": "447700900000"}, "Missing Message Text"),
    "empty-text": Cause(2, {**HELLO, "text": ""}, "Missing Message Text"),
    "letters-in-to": Cause(3, {**HELLO, "to": "+447700900000"}, "to address is not numeric"),
    "wrong-secret": Cause(4, HELLO, auth=("sandbox1", "wrong")),
    "landline": Cause(6, {**HELLO, "to": "442079460000"}),
    "text-over-3200": Cause(12, {**HELLO, "text": "x" * 3201}, "Message too long"),
    "wrong-signature": Cause(14, _signed("not-the-secret"), auth=None),
    "letters-sender-to-the-us": Cause(15, {**HELLO, "to": "12025550123"}),
    "callback-not-a-url": Cause(23, {**HELLO, "callback": "not a url"}, "Invalid Callback Url"),
    "sig-and-secret": Cause(32, _signed(DEFAULT_SIGNATURE_SECRET, api_secret="x"), auth=None),
}


@pytest.fixture
def frozen() -> Iterator[SandboxServer]:
    server = start_sandbox(clock=FrozenClock())
    yield server
    server.stop()


def only_part(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"message-count", "messages"} and body["message-count"] == "1"
    (message,) = body["messages"]
    assert isinstance(message, dict)
    return message


def assert_recorded_shape(message: Mapping[str, Any], recorded: Shape) -> None:
    status = int(message["status"])
    extra = OPTIONAL_ON_SUCCESS if status == 0 else frozenset()
    assert recorded.keys <= set(message) <= recorded.keys | extra, (
        f"status {status}: keys {sorted(message)}, but {recorded.source} shows "
        f"{sorted(recorded.keys)}")
    assert all(isinstance(value, str) for value in message.values()), message


def post(sandbox: SandboxServer, http: httpx.Client, fields: Mapping[str, str],
         auth: tuple[str, str] | None = AUTH) -> dict[str, Any]:
    return only_part(http.post(f"{sandbox.url}/sms/json", data=dict(fields), auth=auth))


# -- the record itself ------------------------------------------------------------------------

def test_every_status_the_sandbox_can_give_has_a_recorded_shape() -> None:
    assert set(RECORDED) == {0, *ERROR_TEXTS}
    assert set(API_STATUS_CODES) <= set(RECORDED)


def test_a_recorded_error_text_is_the_sandboxs_own_wording() -> None:
    for status, recorded in RECORDED.items():
        if recorded.error_text is not None:
            assert ERROR_TEXTS[status] == recorded.error_text, status


def test_the_shape_check_can_fail() -> None:
    with pytest.raises(AssertionError, match="keys"):
        assert_recorded_shape({"to": "447700900000", "status": "4",
                               "error-text": "Bad Credentials"}, RECORDED[4])
    with pytest.raises(AssertionError):
        assert_recorded_shape({"status": "9", "error-text": "Quota Exceeded - rejected",
                               "to": "1", "message-price": 0.03, "remaining-balance": "0",
                               "network": ""}, RECORDED[9])


# -- the sandbox, over real HTTP --------------------------------------------------------------

@pytest.mark.parametrize("cause", CAUSES.values(), ids=CAUSES.keys())
def test_what_causes_a_status_gets_its_recorded_shape(frozen: SandboxServer, http: httpx.Client,
                                                      cause: Cause) -> None:
    message = post(frozen, http, cause.fields, cause.auth)
    assert message["status"] == str(cause.status)
    assert_recorded_shape(message, RECORDED[cause.status])
    # Where no source gives the wording, the docs' words in the sandbox's table stand.
    assert message["error-text"] == (cause.error_text or RECORDED[cause.status].error_text
                                     or ERROR_TEXTS[cause.status])


@pytest.mark.parametrize("code", sorted(set(API_STATUS_CODES) - {0}),
                         ids=lambda code: f"status-{code:02d}")
def test_every_test_number_gets_its_statuss_recorded_shape(sandbox: SandboxServer,
                                                           http: httpx.Client, code: int) -> None:
    to = f"{RANGE_PREFIX}0{code:02d}"
    message = post(sandbox, http, {**HELLO, "to": to})
    assert message["status"] == str(code)
    assert_recorded_shape(message, RECORDED[code])
    if "to" in RECORDED[code].keys:
        assert message["to"] == to


def test_a_success_has_the_recorded_fields_and_the_references_it_was_given(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    plain = post(sandbox, http, HELLO)
    assert set(plain) == RECORDED[0].keys
    referenced = post(sandbox, http, {**HELLO, "client-ref": "t-1", "account-ref": "c-1"})
    assert set(referenced) == RECORDED[0].keys | OPTIONAL_ON_SUCCESS


def test_throttling_names_the_recipient_and_its_network(http: httpx.Client) -> None:
    server = start_sandbox(clock=FrozenClock(), rate_limit=1)
    try:
        post(server, http, HELLO)
        message = post(server, http, HELLO)
    finally:
        server.stop()
    assert_recorded_shape(message, RECORDED[1])
    assert THROTTLED.fullmatch(message["error-text"])
    assert (message["to"], message["network"]) == ("447700900000", "23410")


def test_an_unpaid_message_states_its_price_and_the_balance_it_lacked(http: httpx.Client) -> None:
    server = start_sandbox(balance=Decimal("0.05"), price=Decimal("0.04"))
    try:
        post(server, http, HELLO)
        message = post(server, http, {**HELLO, "text": "x" * 161})  # two parts
    finally:
        server.stop()
    assert_recorded_shape(message, RECORDED[9])
    assert message["error-text"] == "Quota Exceeded - rejected"
    assert (message["message-price"], message["remaining-balance"]) == ("0.08000000",
                                                                         "0.01000000")
    assert message["network"] == "23410"
    assert server.account.balance == Decimal("0.01"), "nothing more was charged"


def test_a_demo_account_names_the_recipient_it_refused(http: httpx.Client) -> None:
    server = start_sandbox(demo_mode=True, whitelist=("447700900000",))
    try:
        message = post(server, http, {**HELLO, "to": "447700900123"})
    finally:
        server.stop()
    assert_recorded_shape(message, RECORDED[29])
    assert (message["to"], message["error-text"]) == ("447700900123", RECORDED[29].error_text)
