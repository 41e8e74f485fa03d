"""Sending SMS through the Vonage Messages API (``POST /v1/messages``, channel ``sms``).

It shares the SMS API client's exchange - its timeouts, its size cap, its transport-error
diagnosis and its outcome type - and differs in what it sends (JSON), how it authenticates
(HTTP Basic with the API key and secret, or a JWT signed with an application's private key) and
which knowledge entries explain its answers. Facts and sources: docs/messages-api/facts.md.
"""

from __future__ import annotations

import enum
import functools
import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Final

import httpx

from smsgui.core.api.apitypes import Credentials, Endpoint, OutgoingSms
from smsgui.core.api.client import ApiOutcome, SmsApiClient, _Answer, _Plan, _Verdict
from smsgui.core.api.decode import THROTTLED_OR_INTERNAL, Decoded, Unreadable
from smsgui.core.privacy import REDACTED, mask_number
from smsgui.core.reference.knowledge import Entry, Kind, KnowledgeBase

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

logger = logging.getLogger(__name__)

MESSAGES_PATH: Final = "/v1/messages"
JWT_LIFETIME_S: Final = 900
"""How long a token is good for: Vonage's default when a token names no expiry (15 minutes)."""


class MessagesAuth(enum.StrEnum):
    """How a Messages API request proves who sends it."""

    BASIC = "basic"
    """HTTP Basic with the account's API key and secret."""
    JWT = "jwt"
    """``Authorization: Bearer`` with a JWT (RS256) signed by a Vonage application's key."""


@dataclass(frozen=True)
class Application:
    """A Vonage application's ID and private key (PEM text). The key is left out of ``repr``."""

    application_id: str
    private_key: str = field(repr=False)


class PrivateKeyError(ValueError):
    """The private key cannot sign a token; the message is one plain sentence."""


def make_jwt(application: Application, now: float, lifetime_s: int = JWT_LIFETIME_S,
             token_id: Callable[[], str] = lambda: str(uuid.uuid4())) -> str:
    """A token for one request: ``application_id``, ``iat``, ``jti`` and ``exp``, signed RS256.

    Raises PrivateKeyError when the key is not an RSA private key in PEM form.
    """
    import jwt  # PyJWT; imported here, as only JWT sends need it (and cryptography with it)

    issued = int(now)
    claims = {"application_id": application.application_id, "iat": issued, "jti": token_id(),
              "exp": issued + lifetime_s}
    try:
        return jwt.encode(claims, load_private_key(application.private_key), algorithm="RS256")
    except (jwt.PyJWTError, TypeError, ValueError) as error:
        raise PrivateKeyError(f"The private key cannot sign a token: {error}.") from None


@functools.lru_cache(maxsize=16)
def load_private_key(pem: str) -> RSAPrivateKey:
    """The RSA key in ``pem``, or PrivateKeyError saying in one sentence why it is none.

    Kept once read: OpenSSL checks an RSA key as it loads it, ~70 ms, which every token would
    otherwise pay again.
    """
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    text = pem.strip()
    if "-----BEGIN" not in text or "PRIVATE KEY-----" not in text:
        raise PrivateKeyError("The private key is not a PEM key: it should start with "
                              "-----BEGIN PRIVATE KEY----- (the file Vonage gave you, "
                              "private.key).")
    try:
        key = load_pem_private_key(text.encode("utf-8"), password=None)
    except (ValueError, TypeError) as error:
        raise PrivateKeyError(f"The private key cannot be read: {error}.") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise PrivateKeyError("The private key is not an RSA key, which Vonage applications use.")
    return key


@dataclass(frozen=True)
class MessagesOptions:
    """What a Messages API SMS carries besides the SmsOptions it shares; None leaves it out.

    ``ttl_s`` is in seconds (the SMS API's ``ttl`` is in milliseconds); ``encoding_type`` is
    ``text``, ``unicode`` or ``auto``.
    """

    webhook_url: str | None = None
    webhook_version: str | None = None
    ttl_s: int | None = None
    encoding_type: str | None = None


_ENCODING_OF_TYPE: dict[str, str] = {"text": "text", "unicode": "unicode"}


def message_body(message: OutgoingSms, options: MessagesOptions) -> dict[str, object]:
    """The JSON body of one SMS, optional fields only when set.

    The message's own TTL and type count unless ``options`` names others: the compose form sets
    them once for both APIs. The TTL is rounded up to whole seconds, never shortened.
    """
    body: dict[str, object] = {"message_type": "text", "channel": "sms", "to": message.to,
                               "from": message.sender, "text": message.text}
    optional: dict[str, object | None] = {
        "client_ref": message.client_ref,
        "webhook_url": options.webhook_url or message.callback,
        "webhook_version": options.webhook_version,
        "ttl": options.ttl_s if options.ttl_s is not None else _ttl_seconds(message.ttl_ms),
    }
    body.update({key: value for key, value in optional.items() if value is not None})
    encoding = options.encoding_type or _ENCODING_OF_TYPE.get(message.message_type)
    sms = {key: value for key, value in (("encoding_type", encoding),
                                         ("content_id", message.options.content_id),
                                         ("entity_id", message.options.entity_id))
           if value is not None}
    if sms:
        body["sms"] = sms
    return body


def _ttl_seconds(ttl_ms: int | None) -> int | None:
    return None if ttl_ms is None else -(-ttl_ms // 1000)


def _flattened(body: dict[str, object]) -> tuple[tuple[str, str], ...]:
    """The body as the fields a document records: ``sms.encoding_type`` for nested ones."""
    pairs: list[tuple[str, str]] = []
    for key, value in body.items():
        if isinstance(value, dict):
            pairs.extend((f"{key}.{inner}", str(item)) for inner, item in value.items())
        else:
            pairs.append((key, str(value)))
    return tuple(pairs)


def _misread_1000(decoded: Unreadable, answer: _Answer) -> bool:
    """Error 1000 read as throttling on an answer that is not a 429: an internal error."""
    throttled = answer.status == HTTPStatus.TOO_MANY_REQUESTS
    return decoded.entry.code == THROTTLED_OR_INTERNAL and not throttled


class MessagesApiClient(SmsApiClient):
    """Sends SMS through the Messages API; every result, as for the SMS API, is an outcome.

    With ``application`` the requests carry a JWT, else HTTP Basic with ``credentials``.
    """

    reports_product = "MESSAGES"

    def __init__(  # noqa: PLR0913 - each is a collaborator, passed in so tests choose it
        self,
        http: httpx.Client,
        credentials: Credentials,
        endpoint: Endpoint = Endpoint(),
        clock: Callable[[], float] = time.time,
        *,
        timer: Callable[[], float] = time.perf_counter,
        knowledge: KnowledgeBase | None = None,
        application: Application | None = None,
    ) -> None:
        super().__init__(http, credentials, endpoint, clock, timer=timer, knowledge=knowledge)
        self._application = application
        self._tokens: tuple[str, ...] = ()

    @property
    def auth(self) -> MessagesAuth:
        return MessagesAuth.JWT if self._application is not None else MessagesAuth.BASIC

    def send(self, message: OutgoingSms,
             options: MessagesOptions | None = None) -> ApiOutcome:
        """POST one SMS to ``/v1/messages`` (JSON)."""
        logger.info("Sending an SMS through the Messages API to %s from %s (%d characters)",
                    mask_number(message.to), mask_number(message.sender), len(message.text))
        body = message_body(message, options or MessagesOptions())
        bearer = None
        if self._application is not None:
            try:
                bearer = make_jwt(self._application, self._clock())
            except PrivateKeyError as problem:
                return self._key_problem(str(problem))
            self._tokens = (bearer,)
        plan = _Plan(method="POST", base_url=self._endpoint.api_base_url, path=MESSAGES_PATH,
                     auth_method=self.auth, basic_auth=self._application is None,
                     form=_flattened(body), json=json.dumps(body, ensure_ascii=False),
                     bearer=bearer)
        result = self._execute(plan)
        if isinstance(result, ApiOutcome):
            return result
        return self._interpret_decodable(result, sending=True)

    def _key_problem(self, reason: str) -> ApiOutcome:
        """Nothing was sent: the key cannot sign (not PEM, not RSA, unreadable)."""
        verdict = _Verdict("messages-private-key", reason, detail=reason)
        return self._failure(verdict, None, 0.0)

    def _http_entry(self, answer: _Answer, decoded: Decoded | None) -> Entry | None:
        """A Messages problem type names the error best; else the Messages entry of the HTTP
        status, else the generic one."""
        if isinstance(decoded, Unreadable) and decoded.entry.kind is Kind.MESSAGES_ERROR \
                and decoded.entry.code != "unknown" and not _misread_1000(decoded, answer):
            return decoded.entry
        return (self._knowledge.lookup(Kind.MESSAGES_ERROR, f"http-{answer.status}")
                or super()._http_entry(answer, decoded))

    def _scrub(self, text: str) -> str:
        for token in self._tokens:
            text = text.replace(token, REDACTED)
        return super()._scrub(text)
