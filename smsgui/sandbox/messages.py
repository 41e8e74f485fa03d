"""The rules of ``POST /v1/messages`` (channel sms), on top of the SMS API's.

A Messages API request is checked for what only this API has (its JSON body, its channel, a
JWT), then goes through the very rules of ``/sms/json`` (credentials, throttling, balance, test
numbers, country rules), and the SMS API's answer is told the Messages API's way: a problem
document for a refusal, 202 with a ``message_uuid`` for an accepted message, whose fate - the
failed, expired or refused receipt of a test number - comes later as a status webhook.
Facts and sources: docs/messages-api/facts.md.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Final

from smsgui.core.api.messages import Application, load_private_key
from smsgui.core.checks.checks import MAX_MESSAGES_TEXT_CHARACTERS
from smsgui.core.reference.messages_outcomes import (
    ERROR_TITLES,
    GENERIC_PROBLEM,
    LATER,
    MESSAGES_PROBLEM,
    RECEIPT_ERRORS,
    REFUSALS,
    SUBMITTED,
    messages_outcome,
)
from smsgui.sandbox.account import Account, MessageRecord, Order
from smsgui.sandbox.config import SandboxConfig
from smsgui.sandbox.sms import Caller, Submission, order_of, submit

JWT_LEEWAY_S: Final = 60
MAX_JWT_AGE_S: Final = 24 * 60 * 60
"""Vonage honours a token for at most a day after its ``iat``, whatever its ``exp`` says."""

Answer = tuple[int, dict[str, object]]

_DETAILS: Mapping[int, str] = {
    401: "Check that you're using the correct credentials, and that your account has this "
         "feature enabled",
    402: "This request could not be performed due to your account balance being low.",
}
"""The Messages API's own words where the SMS API's error-text would read oddly."""
_PARAMETERS: Mapping[str, str] = {"from": "from", "to": "to", "text": "text", "ttl": "ttl",
                                  "client-ref": "client_ref", "callback": "webhook_url"}
"""The SMS API's parameter names, as the Messages API calls them."""



@dataclass(frozen=True)
class StatusUpdate:
    """One status webhook to POST at ``at`` (Unix time)."""

    at: float
    url: str
    payload: dict[str, object]


@dataclass(frozen=True)
class MessagesAnswer:
    """The answer to one request, and the status webhooks it leads to."""

    status: int
    body: dict[str, object]
    updates: tuple[StatusUpdate, ...] = ()
    retry_after_s: int | None = None


def make_application() -> Application:
    """A new application with a new RSA key, as the Vonage Dashboard makes one."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode("ascii")
    return Application(str(uuid.uuid4()), pem)


def problem(kind: str, title: str, detail: str, **more: object) -> dict[str, object]:
    return {"type": kind, "title": title, "detail": detail, "instance": uuid.uuid4().hex, **more}


@dataclass(frozen=True)
class MessagesRequest:
    """One request as the HTTP layer read it."""

    body: bytes
    authorization: str | None
    caller: Caller
    """The Basic credentials, for the SMS API's rules."""


@dataclass(frozen=True)
class SandboxState:
    """What the rules consult and change: the account, the settings and the application."""

    account: Account
    config: SandboxConfig
    application: Application | None


def send_message(request: MessagesRequest, state: SandboxState, now: float) -> MessagesAnswer:
    """Apply the Messages API's rules, then the SMS API's, to one request."""
    body, authorization, caller = request.body, request.authorization, request.caller
    account, config = state.account, state.config
    refused = _authenticate(authorization, state.application, now)
    if refused is not None:
        return refused
    data = _json_object(body)
    if data is None:
        return MessagesAnswer(422, problem(f"{GENERIC_PROBLEM}#invalid-json", "Invalid JSON",
                                           "The request body did not contain valid JSON."))
    wrong = _wrong_shape(data)
    if wrong:
        return MessagesAnswer(422, problem(f"{MESSAGES_PROBLEM}#1150", "Invalid params",
                                           "The value of one or more parameters is invalid.",
                                           invalid_parameters=wrong))
    if authorization is not None and authorization.lower().startswith("bearer "):
        caller = Caller(basic_key=config.api_key, basic_secret=config.api_secret)
    params = _sms_params(data)
    submission = submit(params, caller, account, config, now)
    if submission.accepted:
        account.file_as_message(submission.accepted)
    rejection = submission.refused
    if rejection is not None and rejection.status in LATER:
        return _taken_then_rejected(order_of(params), LATER[rejection.status], data, state, now)
    return _told_the_messages_way(submission, data, config, now)


# -- authentication: Basic goes to the SMS rules; a JWT is checked here ---------------------------

def _authenticate(authorization: str | None, application: Application | None,
                  now: float) -> MessagesAnswer | None:
    if not authorization:
        return MessagesAnswer(401, problem(f"{GENERIC_PROBLEM}#unauthorized", "Unauthorised",
                                           "Request header 'Authorization' missing."))
    if not authorization.lower().startswith("bearer "):
        return None  # Basic: the SMS API's rules check it
    refusal = _jwt_refusal(authorization[7:].strip(), application, now)
    if refusal is None:
        return None
    return MessagesAnswer(401, problem(f"{GENERIC_PROBLEM}#unauthorized",
                                       "You did not provide correct credentials.", refusal))


def _jwt_refusal(token: str, application: Application | None, now: float) -> str | None:
    """Why the token is refused, or None when it is good."""
    import jwt

    if application is None:
        return "The sandbox has no application to check a JWT against."
    public = load_private_key(application.private_key).public_key()
    try:
        claims = jwt.decode(token, public, algorithms=["RS256"],
                            options={"verify_exp": False, "verify_iat": False})
    except jwt.PyJWTError as error:
        return f"The JWT is not signed by the application's key ({type(error).__name__})."
    return _claims_refusal(claims, application, now)


def _claims_refusal(claims: Mapping[str, object], application: Application,
                    now: float) -> str | None:
    issued, expires = claims.get("iat"), claims.get("exp")
    if claims.get("application_id") != application.application_id:
        return "The JWT names another application_id."
    if not isinstance(issued, int | float) and not isinstance(expires, int | float):
        return "The JWT has neither iat nor exp."
    if isinstance(issued, int | float) and issued > now + JWT_LEEWAY_S:
        return "The JWT was issued in the future (iat): check this computer's clock."
    if isinstance(expires, int | float) and expires < now - JWT_LEEWAY_S:
        return "The JWT provided has expired (exp): generate a new one."
    if isinstance(issued, int | float) and now - issued > MAX_JWT_AGE_S:
        return "The JWT is more than a day old (iat)."
    return None


# -- the request body -----------------------------------------------------------------------------

def _json_object(body: bytes) -> dict[str, object] | None:
    try:
        data = json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


_ENCODING_TYPES = (None, "text", "unicode", "auto")


def _wrong_shape(data: Mapping[str, object]) -> list[dict[str, str]]:
    wrong = []
    if data.get("channel") != "sms":
        wrong.append({"name": "channel", "reason": "The sandbox speaks the sms channel only."})
    if data.get("message_type") != "text":
        wrong.append({"name": "message_type", "reason": "An SMS is of message_type text."})
    for name in ("to", "from", "text"):
        if not isinstance(data.get(name), str) or not str(data.get(name)).strip():
            wrong.append({"name": name, "reason": "Missing or not text."})
    text = data.get("text")
    if isinstance(text, str) and len(text) > MAX_MESSAGES_TEXT_CHARACTERS:
        wrong.append({"name": "text",
                      "reason": f"At most {MAX_MESSAGES_TEXT_CHARACTERS} characters."})
    sms = data.get("sms")
    if isinstance(sms, dict) and sms.get("encoding_type") not in _ENCODING_TYPES:
        wrong.append({"name": "sms.encoding_type", "reason": "One of text, unicode or auto."})
    ttl = data.get("ttl")
    if ttl is not None and (not isinstance(ttl, int) or isinstance(ttl, bool)):
        wrong.append({"name": "ttl", "reason": "A number of seconds."})
    return wrong


def _sms_params(data: Mapping[str, object]) -> dict[str, str]:
    """The request as ``/sms/json`` form fields, for the SMS API's rules."""
    params = {"from": str(data["from"]), "to": str(data["to"]), "text": str(data["text"])}
    sms = data.get("sms")
    sms = sms if isinstance(sms, dict) else {}
    if sms.get("encoding_type") == "unicode":
        params["type"] = "unicode"
    optional = {"client-ref": data.get("client_ref"), "callback": data.get("webhook_url"),
                "entity-id": sms.get("entity_id"), "content-id": sms.get("content_id")}
    ttl_s = data.get("ttl")
    if isinstance(ttl_s, int):
        optional["ttl"] = ttl_s * 1000  # the SMS API counts milliseconds
    params.update({key: str(value) for key, value in optional.items() if value is not None})
    return params


# -- the answer -----------------------------------------------------------------------------------

def _told_the_messages_way(submission: Submission, data: Mapping[str, object],
                           config: SandboxConfig, now: float) -> MessagesAnswer:
    messages = submission.body.get("messages")
    first = messages[0] if isinstance(messages, list) and messages else {}
    status = int(str(first.get("status", "5")))
    url = _receipt_url(data, config)  # "submitted" comes even where networks report nothing
    if status == 0:
        record = submission.accepted[0]
        return MessagesAnswer(202, {"message_uuid": record.message_id},
                              _updates(submission.accepted, data, url, now))
    code, kind, title = REFUSALS.get(status, REFUSALS[5])
    detail = _DETAILS.get(code) or str(first.get("error-text", title))
    more: dict[str, object] = {}
    if code == 422 and kind.endswith("#1150"):
        named = submission.refused.param if submission.refused else None
        more["invalid_parameters"] = [{"name": _PARAMETERS.get(named or "text", named or "text"),
                                       "reason": detail}]
    wait = _wait_s(detail) if code == 429 else None
    return MessagesAnswer(code, problem(kind, title, detail, **more), retry_after_s=wait)


def _taken_then_rejected(order: Order, error_code: int, data: Mapping[str, object],
                         state: SandboxState, now: float) -> MessagesAnswer:
    """What the SMS API refuses at once, the Messages API takes (202) and rejects in a status
    webhook; the Reports API lists the message, uncharged, as rejected from then on."""
    rejected_at = now + state.config.dlr_delay
    record = state.account.file_rejected_message(order, now, rejected_at,
                                                 _RECEIPT_ERR_CODES[error_code])
    webhook = _receipt_url(data, state.config)
    updates = () if webhook is None else (StatusUpdate(
        rejected_at, webhook,
        _status_payload(record.message_id, data, rejected_at, ("rejected", error_code))),)
    return MessagesAnswer(202, {"message_uuid": record.message_id}, updates)


_RECEIPT_ERR_CODES: Mapping[int, int] = {code: err for err, code in RECEIPT_ERRORS.items()}
"""The delivery receipt err-code each Messages API error code stands for."""


def _receipt_url(data: Mapping[str, object], config: SandboxConfig) -> str | None:
    url = data.get("webhook_url")
    return url if isinstance(url, str) and url else config.dlr_url


def _wait_s(error_text: str) -> int:
    digits = "".join(char for char in error_text.rsplit("[", maxsplit=1)[-1] if char.isdigit())
    return max(1, -(-int(digits) // 1000)) if digits else 1


def _updates(records: tuple[MessageRecord, ...], data: Mapping[str, object], url: str | None,
             now: float) -> tuple[StatusUpdate, ...]:
    """``submitted`` at once, then the final status when the (first part's) receipt is due."""
    if url is None or not records:
        return ()
    record = records[0]
    message_uuid = record.message_id
    submitted = StatusUpdate(now, url, _status_payload(message_uuid, data, now,
                                                       SUBMITTED, records))
    outcome = final_status(record)
    if outcome == SUBMITTED:  # still trying, or a network that reports nothing: no more news
        return (submitted,)
    final = _status_payload(message_uuid, data, record.final_at, outcome, records)
    return submitted, StatusUpdate(record.final_at, url, final)


def final_status(record: MessageRecord) -> tuple[str, int | None]:
    """The Messages API status and error code (None for none) the part's receipt becomes."""
    return messages_outcome(record.receipt_status, record.receipt_err_code)


def _status_payload(message_uuid: str, data: Mapping[str, object], at: float,
                    outcome: tuple[str, int | None],
                    records: tuple[MessageRecord, ...] = ()) -> dict[str, object]:
    """A status webhook (v1), as Vonage sends it for SMS; ``outcome`` is its status and error
    code (None for none)."""
    status, error = outcome
    payload: dict[str, object] = {
        "message_uuid": message_uuid, "to": str(data.get("to", "")),
        "from": str(data.get("from", "")),
        "timestamp": datetime.fromtimestamp(at, UTC).isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
        "status": status, "channel": "sms",
    }
    if records:
        price = sum((record.price for record in records), Decimal(0))
        payload["usage"] = {"currency": "EUR", "price": f"{price:.4f}"}
        network = records[0].network
        if network is not None:
            payload["destination"] = {"network_code": network.code}
        payload["sms"] = {"count_total": str(len(records))}
    if isinstance(data.get("client_ref"), str):
        payload["client_ref"] = data["client_ref"]
    if error is not None:
        payload["error"] = {"type": f"{MESSAGES_PROBLEM}#{error}",
                            "title": ERROR_TITLES.get(error, str(error)),
                            "detail": ERROR_TITLES.get(error, "Rejected"),
                            "instance": uuid.uuid4().hex}
    return payload
