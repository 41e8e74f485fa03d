"""The Vonage SMS API client: one synchronous call in, one frozen outcome out.

Every public call returns an outcome value and never raises for anything that can go wrong on the
network or at the server: exceptions are turned into outcomes in one place
(:func:`classify_failure`), keyed on httpx's exception classes. The client never resends a
request (only the batch runner in ``smsgui.core.checks.sending`` sends a message once more, and
only when its first answer was throttled as a whole) and never follows a redirect, so credentials
only ever go to the configured host. Secrets never appear in logs, headlines, details, request
records or exception text.

The client is synchronous because it runs on a worker thread; the HTTP client and the clock are
passed in so tests can use a loopback server and a fixed time.
"""

from __future__ import annotations

import codecs
import email.utils
import ipaddress
import json
import logging
import math
import platform
import re
import socket
import ssl
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final
from urllib.parse import urlencode

import httpx

from smsgui import __version__
from smsgui.core.api.apitypes import (
    MAX_REPORT_IDS,
    AuthMethod,
    Credentials,
    Endpoint,
    OutgoingSms,
    is_loopback_host,
)
from smsgui.core.api.decode import (
    MESSAGES_HAD_A_PROBLEM,
    MESSAGES_REFUSED,
    Decoded,
    SendResponse,
    Unreadable,
    decode_response,
)
from smsgui.core.api.documents import Failure, RequestRecord, ResponseDocument, ThrottleRetry
from smsgui.core.api.signing import signed_params
from smsgui.core.privacy import REDACTED, mask_number, redact_fields
from smsgui.core.reference.knowledge import (
    Entry,
    Kind,
    KnowledgeBase,
    Retry,
    default_knowledge_base,
)
from smsgui.core.values import decimal_or_none, int_or_none, money_text, text_or_none

logger = logging.getLogger(__name__)

MAX_BODY_BYTES: Final = 1024 * 1024
KEPT_OF_TOO_LARGE: Final = 4096
"""How much of an answer over ``MAX_BODY_BYTES`` is kept (characters): its beginning says what
answered, and a megabyte of it would only freeze whatever shows or stores it."""
NO_ENTRY_ID: Final = ""
"""The ``entry_id`` of a successful balance or settings call: there is nothing to explain."""

DEFAULT_TIMEOUT: Final = httpx.Timeout(connect=5.0, read=15.0, write=10.0, pool=5.0)
_LOOPBACK_MOUNTS: Final = ("all://127.0.0.1", "all://localhost", "all://[::1]")
_DNS_HINTS: Final = (
    "name or service not known",
    "nodename nor servname",
    "temporary failure in name resolution",
    "getaddrinfo failed",
    "no address associated with hostname",
)
_LABEL: Final = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST_NAME: Final = re.compile(rf"(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*\.?", re.IGNORECASE)
_HTTP_CODE_IN_TITLE: Final = re.compile(r"\s*\((?:\d{3}|\dxx)\)$")
# Greedy up to the last "@": a password may itself hold "/", "?" or "#", so stopping earlier
# could show part of it.
_USERINFO: Final = re.compile(r"(?<=//).*@", re.DOTALL)
_CONNECT: Final = "connect"
_FAILURES: Final[tuple[tuple[tuple[type[BaseException], ...], str, bool], ...]] = (
    # (exception classes, entry id, may the request have reached the server?), first match wins
    ((httpx.InvalidURL, httpx.UnsupportedProtocol), "transport-invalid-url", False),
    ((httpx.ConnectTimeout,), "transport-connect-timeout", False),
    ((httpx.ConnectError,), _CONNECT, False),
    ((httpx.ReadTimeout,), "transport-read-timeout", True),
    # A write timeout means the request never arrived whole, so the server cannot act on it.
    ((httpx.WriteTimeout,), "transport-write-timeout", False),
    ((httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError),
     "transport-connection-lost", True),
    ((httpx.DecodingError,), "transport-other", True),
    ((httpx.PoolTimeout, httpx.ProxyError, httpx.LocalProtocolError), "transport-other", False),
)
_HEADLINES: Final = MappingProxyType({
    "transport-insecure-url": (
        "The address {url} does not use HTTPS, so smsgui did not send your credentials to it."
    ),
    "transport-invalid-url": "The address {url} is not a usable web address, so nothing was sent.",
    "transport-connection-refused": "Could not connect to {host}, so nothing was sent.",
    "transport-dns": "Could not look up the address of {host}, so nothing was sent.",
    "transport-tls": "A secure (TLS) connection to {host} could not be set up; nothing was sent.",
    "transport-tls-certificate": (
        "The security certificate of {host} could not be verified, so nothing was sent."
    ),
    "transport-connect-timeout": "{host} did not accept a connection in time; nothing was sent.",
    "transport-read-timeout": (
        "The request reached {host} but no answer came in time; it may have been processed."
    ),
    "transport-write-timeout": (
        "Sending the request to {host} took too long and was abandoned before it arrived whole."
    ),
    "transport-connection-lost": (
        "The connection to {host} was lost before an answer arrived; "
        "the request may have been processed."
    ),
    "transport-other": "The request to {host} failed ({error}).",
})


@dataclass(frozen=True)
class ApiOutcome:
    """The result of one API call, whatever happened."""

    ok: bool
    entry_id: str
    headline: str
    request: RequestRecord | None
    http_status: int | None
    body: str | None
    elapsed_ms: float
    may_have_been_sent: bool
    retry_after_s: float | None
    decoded: Decoded | None
    detail: str = ""
    throttle_retry: ThrottleRetry | None = None
    """Set on the second answer of a message whose first answer was throttled on every part."""

    @property
    def throttled(self) -> bool:
        """The whole request was refused for going too fast: status 1 on every part, or HTTP 429.

        Nothing was accepted, charged or possibly carried out, so sending the same message again
        cannot deliver it twice.
        """
        if self.ok or self.may_have_been_sent:
            return False
        if self.http_status == 429:
            return True
        decoded = self.decoded
        return (isinstance(decoded, SendResponse) and bool(decoded.parts)
                and decoded.missing_count == 0
                and all(part.status == 1 for part in decoded.parts))

    @property
    def throttle_wait_s(self) -> float | None:
        """The wait the server asked for: its Retry-After header, else the "please wait [ N ]"
        milliseconds of a throttled part's error-text; None when it named none."""
        if self.retry_after_s is not None:
            return self.retry_after_s
        decoded = self.decoded
        wait_ms = decoded.throttle_wait_ms if isinstance(decoded, SendResponse) else None
        return None if wait_ms is None else wait_ms / 1000.0

    def to_document(self, sandbox: bool | None) -> ResponseDocument:
        """What to save: the request without secrets, status, timing and the body as received.

        A failure the body alone does not explain (no answer, an HTTP error, a send that may have
        been carried out) is kept as the document's ``failure``, so a reopened document says the
        same as the send did.
        """
        explained = self.ok or (self.decoded is not None and not self.may_have_been_sent
                                and self.decoded.entry.id == self.entry_id
                                and (isinstance(self.decoded, SendResponse)
                                     or self.decoded.headline == self.headline))
        failure = None if explained else Failure(self.entry_id, self.headline,
                                                 self.may_have_been_sent)
        return ResponseDocument(body=self.body or "", http_status=self.http_status,
                                elapsed_ms=self.elapsed_ms, request=self.request,
                                sandbox=sandbox, failure=failure,
                                throttle_retry=self.throttle_retry)


@dataclass(frozen=True)
class BalanceOutcome:
    outcome: ApiOutcome
    balance: Decimal | None
    auto_reload: bool | None


@dataclass(frozen=True)
class SettingsOutcome:
    outcome: ApiOutcome
    max_outbound_request: int | None
    max_inbound_request: int | None = None
    max_calls_per_second: int | None = None
    mo_callback_url: str | None = None
    dr_callback_url: str | None = None


@dataclass(frozen=True)
class _Plan:
    """A request to make, before any check or network I/O."""

    method: str
    base_url: str
    path: str
    auth_method: str
    """Where the credentials go: an AuthMethod, or a MessagesAuth of the Messages API."""
    basic_auth: bool
    query: tuple[tuple[str, str], ...] = ()
    form: tuple[tuple[str, str], ...] = ()
    """The form fields sent, or with ``json`` the fields it holds, as the document records them."""
    json: str | None = None
    """A JSON body, sent instead of the form (the Messages API)."""
    bearer: str | None = field(default=None, repr=False)
    """A token for an ``Authorization: Bearer`` header (a JWT)."""

    @property
    def url(self) -> str:
        return self.base_url.rstrip("/") + self.path


@dataclass(frozen=True)
class _Verdict:
    """What an exchange came to, before it is stamped with the request, timing and body."""

    entry_id: str
    headline: str
    ok: bool = False
    decoded: Decoded | None = None
    detail: str = ""
    retry_after_s: float | None = None
    may_have_been_sent: bool = False


@dataclass(frozen=True)
class _Answer:
    """A response that arrived, its body read (up to the cap) and scrubbed of secrets."""

    status: int
    headers: httpx.Headers
    body: str
    too_large: bool
    record: RequestRecord
    elapsed_ms: float


def user_agent() -> str:
    """``smsgui/<version> httpx/<version> Python/<version>``."""
    return f"smsgui/{__version__} httpx/{httpx.__version__} Python/{platform.python_version()}"


def make_http_client(
    timeout: httpx.Timeout | None = None, transport: httpx.BaseTransport | None = None
) -> httpx.Client:
    """Build the production HTTP client: verified TLS, explicit timeouts, no redirects.

    Environment proxies are honoured, except for loopback hosts, which always connect directly.
    """
    loopback_direct: dict[str, httpx.BaseTransport | None] = dict.fromkeys(_LOOPBACK_MOUNTS)
    return httpx.Client(
        timeout=timeout or DEFAULT_TIMEOUT,
        verify=True,
        follow_redirects=False,
        trust_env=True,
        transport=transport,
        mounts=loopback_direct,
        headers={"User-Agent": user_agent()},
    )


class SmsApiClient:
    """Calls the SMS, Account and Reports APIs and turns every result into an outcome."""

    reports_product = "SMS"
    """The Reports API product its sends are filed under."""

    def __init__(  # noqa: PLR0913 - each is a collaborator, passed in so tests choose it
        self,
        http: httpx.Client,
        credentials: Credentials,
        endpoint: Endpoint = Endpoint(),
        clock: Callable[[], float] = time.time,
        *,
        timer: Callable[[], float] = time.perf_counter,
        knowledge: KnowledgeBase | None = None,
    ) -> None:
        """``clock`` gives Unix time (signatures, Retry-After dates); ``timer`` measures;
        ``knowledge`` explains every answer (the bundled knowledge base when None)."""
        self._knowledge = knowledge or default_knowledge_base()
        self._http = http
        self._credentials = credentials
        self._endpoint = endpoint
        self._clock = clock
        self._timer = timer

    @property
    def account_id(self) -> str:
        """The API key, which the Reports API calls the account id."""
        return self._credentials.api_key

    # -- public calls ---------------------------------------------------------------------------

    def send(self, message: OutgoingSms) -> ApiOutcome:
        """POST one message to ``/sms/json`` (form-encoded)."""
        logger.info(
            "Sending an SMS to %s from %s (%d characters, type %s)",
            mask_number(message.to), mask_number(message.sender), len(message.text),
            message.message_type,
        )
        plan = _Plan(
            method="POST",
            base_url=self._endpoint.rest_base_url,
            path="/sms/json",
            auth_method=self._credentials.auth_method,
            basic_auth=self._credentials.auth_method is AuthMethod.BASIC,
            form=tuple(self._with_credentials(message.form_fields()).items()),
        )
        result = self._execute(plan)
        if isinstance(result, ApiOutcome):
            return result
        return self._interpret_decodable(result, sending=True)

    def balance(self) -> BalanceOutcome:
        """GET ``/account/get-balance``."""
        result = self._execute(self._account_plan("GET", "/account/get-balance"))
        if isinstance(result, ApiOutcome):
            return BalanceOutcome(result, None, None)
        data = self._json_object(result)
        value = decimal_or_none(data.get("value")) if data is not None else None
        if data is None or value is None:
            return BalanceOutcome(self._interpret_unexpected(result), None, None)
        auto_reload = data.get("autoReload")
        auto = auto_reload if isinstance(auto_reload, bool) else None
        reload_note = {True: " (auto-reload is on)", False: "", None: ""}[auto]
        headline = f"Your account balance is {money_text(value)}{reload_note}."
        outcome = self._success(result, headline, detail=f"value={value} autoReload={auto}")
        return BalanceOutcome(outcome, value, auto)

    def settings(self) -> SettingsOutcome:
        """POST ``/account/settings`` with no settings, which only reads them."""
        result = self._execute(self._account_plan("POST", "/account/settings"))
        if isinstance(result, ApiOutcome):
            return SettingsOutcome(result, None)
        data = self._json_object(result)
        known = ("max-outbound-request", "max-inbound-request", "max-calls-per-second")
        if data is None or not any(key in data for key in (*known, "mo-callback-url")):
            return SettingsOutcome(self._interpret_unexpected(result), None)
        outbound = int_or_none(data.get("max-outbound-request"))
        headline = (
            f"Your account may make up to {outbound} SMS requests per second."
            if outbound is not None else "The account settings were read."
        )
        return SettingsOutcome(
            outcome=self._success(result, headline),
            max_outbound_request=outbound,
            max_inbound_request=int_or_none(data.get("max-inbound-request")),
            max_calls_per_second=int_or_none(data.get("max-calls-per-second")),
            mo_callback_url=text_or_none(data.get("mo-callback-url")),
            dr_callback_url=text_or_none(data.get("dr-callback-url")),
        )

    def reports(self, message_ids: Sequence[str], account_id: str) -> ApiOutcome:
        """Look messages up in the Reports API (Basic auth). At most 20 ids per call.

        Raises ValueError for no ids, more than 20, an id containing a comma or an empty
        account id: those are programming errors, not outcomes.
        """
        ids = _checked_report_ids(message_ids)
        if not account_id.strip():
            raise ValueError("reports() needs an account id")
        plan = _Plan(
            method="GET",
            base_url=self._endpoint.api_base_url,
            path="/v2/reports/records",
            auth_method=AuthMethod.BASIC,
            basic_auth=True,
            query=(
                ("account_id", account_id.strip()),
                ("product", self.reports_product),
                ("direction", "outbound"),
                ("id", ",".join(ids)),
            ),
        )
        result = self._execute(plan)
        return result if isinstance(result, ApiOutcome) else self._interpret_decodable(result)

    # -- building requests ----------------------------------------------------------------------

    def _with_credentials(self, fields: Mapping[str, str]) -> dict[str, str]:
        creds = self._credentials
        if creds.auth_method is AuthMethod.BASIC:
            return dict(fields)
        if creds.auth_method is AuthMethod.BODY:
            return {"api_key": creds.api_key, "api_secret": creds.api_secret, **fields}
        unsigned = {"api_key": creds.api_key, **fields}
        secret = creds.signature_secret or ""
        return signed_params(unsigned, secret, creds.signature_method, int(self._clock()))

    def _account_plan(self, method: str, path: str) -> _Plan:
        """Account API calls always use the Basic header (Account API 1.0.4).

        The older alternative puts ``api_secret`` in the query string, where proxies and
        server logs keep it, so smsgui never uses it, whatever the send authentication.
        """
        return _Plan(
            method=method,
            base_url=self._endpoint.rest_base_url,
            path=path,
            auth_method=AuthMethod.BASIC,
            basic_auth=True,
        )

    # -- the exchange: the one place exceptions become outcomes -------------------------------

    def _execute(self, plan: _Plan) -> ApiOutcome | _Answer:
        refusal = check_base_url(plan.base_url)
        if refusal is not None:
            entry_id, reason = refusal
            shown = _safe_url(plan.base_url)
            logger.warning("Not sending %s to %s: %s", plan.method, shown, self._scrub(reason))
            headline = _HEADLINES[entry_id].format(url=shown, host="", error="")
            detail = f"{plan.method} {shown}: {reason}"
            return self._failure(_Verdict(entry_id, headline, detail=detail), None, 0.0)
        record = _record(plan)
        started = self._timer()
        try:
            answer = self._exchange(plan, record, started)
        except Exception as error:  # mapped to an outcome, never raised
            return self._transport_failure(error, plan, record, self._elapsed_ms(started))
        logger.info(
            "%s %s -> HTTP %d in %.0f ms", plan.method, plan.url, answer.status, answer.elapsed_ms
        )
        return answer

    def _exchange(self, plan: _Plan, record: RequestRecord, started: float) -> _Answer:
        headers = {"User-Agent": user_agent(), "Accept": "application/json"}
        if plan.json is not None:
            headers["Content-Type"] = "application/json"
        if plan.bearer is not None:
            headers["Authorization"] = f"Bearer {plan.bearer}"
        request = self._http.build_request(
            plan.method,
            plan.url,
            params=list(plan.query) or None,
            data=dict(plan.form) if plan.form and plan.json is None else None,
            content=plan.json.encode("utf-8") if plan.json is not None else None,
            headers=headers,
        )
        creds = self._credentials
        auth = httpx.BasicAuth(creds.api_key, creds.api_secret) if plan.basic_auth else None
        response = self._http.send(request, stream=True, auth=auth, follow_redirects=False)
        try:
            raw, too_large = _read_capped(response, MAX_BODY_BYTES)
        finally:
            response.close()
        return _Answer(
            status=response.status_code,
            headers=response.headers,
            body=self._scrub(_decode_text(raw, response.charset_encoding)),
            too_large=too_large,
            record=record,
            elapsed_ms=self._elapsed_ms(started),
        )

    def _transport_failure(
        self, error: Exception, plan: _Plan, record: RequestRecord, elapsed_ms: float
    ) -> ApiOutcome:
        entry_id, may_have_been_sent = classify_failure(error)
        host = _host_of(plan.base_url)
        headline = _HEADLINES[entry_id].format(
            url=_safe_url(plan.base_url), host=host or "the server", error=type(error).__name__
        )
        detail = self._scrub(f"{plan.method} {record.url}: {describe_exception(error)}")
        logger.warning(
            "%s %s failed after %.0f ms: %s (%s)",
            plan.method, plan.url, elapsed_ms, entry_id, self._scrub(describe_exception(error)),
        )
        verdict = _Verdict(entry_id, headline, detail=detail, may_have_been_sent=may_have_been_sent)
        return self._failure(verdict, record, elapsed_ms)

    def _failure(
        self, verdict: _Verdict, record: RequestRecord | None, elapsed_ms: float
    ) -> ApiOutcome:
        return ApiOutcome(
            ok=False, entry_id=verdict.entry_id, headline=self._scrub(verdict.headline),
            request=record, http_status=None, body=None, elapsed_ms=elapsed_ms,
            may_have_been_sent=verdict.may_have_been_sent, retry_after_s=None, decoded=None,
            detail=self._scrub(verdict.detail),
        )

    # -- interpreting answers -------------------------------------------------------------------

    def _interpret_decodable(self, answer: _Answer, sending: bool = False) -> ApiOutcome:
        """SMS and Reports answers: a 2xx body goes to the decoder.

        A send the server answered with 2xx but in words smsgui cannot read (cut off, broken,
        empty) may well have been carried out, so the person is told to check before resending.
        """
        if answer.too_large or not 200 <= answer.status < 300:
            return self._interpret_unsuccessful(answer)
        decoded = decode_response(answer.body, self._knowledge)
        unsure = (sending and isinstance(decoded, Unreadable)
                  and decoded.entry.retry is Retry.CHECK_FIRST)
        headline = decoded.headline
        if decoded.entry.id == "response-empty":  # the decoder's words are for pasted input
            headline = f"The server answered HTTP {answer.status} with nothing in it."
        return self._answered(answer, _Verdict(
            decoded.entry.id, headline, ok=decoded.ok, decoded=decoded,
            detail=_decoded_detail(decoded), may_have_been_sent=unsure,
        ))

    def _interpret_unexpected(self, answer: _Answer) -> ApiOutcome:
        """A balance or settings answer that is not the expected JSON."""
        if answer.too_large or not 200 <= answer.status < 300:
            return self._interpret_unsuccessful(answer)
        decoded = decode_response(answer.body, self._knowledge)
        entry_id = decoded.entry.id if isinstance(decoded, Unreadable) else "response-unrecognized"
        headline = (
            decoded.headline if isinstance(decoded, Unreadable)
            else "The server's answer is not what this request returns."
        )
        return self._answered(
            answer, _Verdict(entry_id, headline, decoded=decoded, detail=_decoded_detail(decoded))
        )

    def _interpret_unsuccessful(self, answer: _Answer) -> ApiOutcome:
        if answer.too_large:
            kept = replace(answer, body=answer.body[:KEPT_OF_TOO_LARGE])
            return self._answered(kept, _Verdict(
                "response-too-large",
                f"The server's answer was larger than {MAX_BODY_BYTES // 1024} KiB, "
                "so smsgui stopped reading it.",
                may_have_been_sent=200 <= answer.status < 300,
                detail=f"HTTP {answer.status}; reading stopped after {MAX_BODY_BYTES} bytes",
            ))
        return self._http_failure(answer)

    def _http_entry(self, answer: _Answer, decoded: Decoded | None) -> Entry | None:
        """The entry explaining a non-2xx answer."""
        return self._knowledge.for_http_status(answer.status)

    def _http_failure(self, answer: _Answer) -> ApiOutcome:
        decoded = decode_response(answer.body, self._knowledge) if answer.body.strip() else None
        entry = self._http_entry(answer, decoded)
        server_says = _server_error_text(decoded)
        headline = _http_headline(answer, entry.title if entry else None)
        if server_says and _says_it_all(answer, decoded):
            headline = server_says
        elif server_says:
            if answer.status >= 500:  # whatever the error code, a server fault is no refusal
                server_says = server_says.replace(MESSAGES_REFUSED, MESSAGES_HAD_A_PROBLEM, 1)
            headline = f"{headline} {server_says}"
        retry_after = None
        if answer.status in (429, 503):
            retry_after = parse_retry_after(answer.headers.get("Retry-After"), self._clock())
            if retry_after is not None:
                headline = f"{headline} {_wait_advice(retry_after)}"
        details: list[str] = []
        if 300 <= answer.status < 400:
            details.append(f"Location (not followed): {answer.headers.get('Location', '-')}")
        if answer.headers.get("Retry-After"):
            details.append(f"Retry-After: {answer.headers['Retry-After']}")
        if decoded is not None:
            details.append(_decoded_detail(decoded) or decoded.headline)
        return self._answered(answer, _Verdict(
            entry.id if entry else "response-unrecognized", headline, decoded=decoded,
            retry_after_s=retry_after, detail="; ".join(part for part in details if part),
            may_have_been_sent=answer.status >= 500,
        ))

    def _success(self, answer: _Answer, headline: str, detail: str = "") -> ApiOutcome:
        return self._answered(answer, _Verdict(NO_ENTRY_ID, headline, ok=True, detail=detail))

    def _answered(self, answer: _Answer, verdict: _Verdict) -> ApiOutcome:
        exchange = f"{answer.record.method} {answer.record.url} -> HTTP {answer.status}"
        logger.info(
            "%s %s: %s", answer.record.method, _strip_query(answer.record.url), verdict.entry_id
        )
        return ApiOutcome(
            ok=verdict.ok, entry_id=verdict.entry_id, headline=self._scrub(verdict.headline),
            request=answer.record, http_status=answer.status, body=answer.body,
            elapsed_ms=answer.elapsed_ms, may_have_been_sent=verdict.may_have_been_sent,
            retry_after_s=verdict.retry_after_s, decoded=verdict.decoded,
            detail=self._scrub("; ".join(part for part in (exchange, verdict.detail) if part)),
        )

    # -- helpers --------------------------------------------------------------------------------

    def _json_object(self, answer: _Answer) -> dict[str, Any] | None:
        if answer.too_large or not 200 <= answer.status < 300:
            return None
        try:
            data = json.loads(answer.body, parse_float=Decimal)
        except (ValueError, RecursionError):
            return None
        return data if isinstance(data, dict) else None

    def _scrub(self, text: str) -> str:
        for secret in self._credentials.secrets():
            text = text.replace(secret, REDACTED)
        return text

    def _elapsed_ms(self, started: float) -> float:
        return max(0.0, (self._timer() - started) * 1000.0)


# -- module functions (pure) ---------------------------------------------------------------------


def classify_failure(error: BaseException) -> tuple[str, bool]:
    """The knowledge entry for a failed exchange and whether the request may have been sent.

    The first matching row of ``_FAILURES`` wins; a ConnectError is refined by its causes.
    Anything unforeseen counts as possibly sent, so the user checks before sending again.
    """
    for classes, entry_id, may_have_been_sent in _FAILURES:
        if isinstance(error, classes):
            if entry_id == _CONNECT:
                return _connect_failure(error), may_have_been_sent
            return entry_id, may_have_been_sent
    return "transport-other", True


def _connect_failure(error: BaseException) -> str:
    chain = list(exception_chain(error))
    text = " ".join(str(item) for item in chain).lower()
    if any(isinstance(item, ssl.SSLCertVerificationError) for item in chain) or (
        "certificate_verify_failed" in text
    ):
        return "transport-tls-certificate"
    if any(isinstance(item, ssl.SSLError) for item in chain) or "[ssl" in text:
        return "transport-tls"
    if any(isinstance(item, socket.gaierror) for item in chain) or any(
        hint in text for hint in _DNS_HINTS
    ):
        return "transport-dns"
    return "transport-connection-refused"


def exception_chain(error: BaseException) -> Iterator[BaseException]:
    """The exception and its causes (``__cause__``, else ``__context__``), each once."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def describe_exception(error: BaseException) -> str:
    """``Type: message`` for the exception and each distinct cause, for the detail text."""
    parts: list[str] = []
    for item in exception_chain(error):
        part = f"{type(item).__name__}: {item}" if str(item) else type(item).__name__
        if not parts or part not in parts[-1]:
            parts.append(part)
    return " <- ".join(parts)


def check_base_url(base_url: str) -> tuple[str, str] | None:
    """None if requests may go to ``base_url``, else (entry id, reason)."""
    try:
        url = httpx.URL(base_url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return "transport-invalid-url", "the address cannot be parsed"
    if url.scheme not in ("http", "https") or not _is_host_name(url.raw_host):
        return "transport-invalid-url", "the address needs https:// and a valid host name"
    if url.userinfo:
        return "transport-invalid-url", "the address must not contain a user name or password"
    if url.query or url.fragment:
        return "transport-invalid-url", "a base address must not have a query or fragment"
    if url.scheme == "http" and not is_loopback_host(url.host):
        return "transport-insecure-url", "plain http:// is only allowed for this computer"
    return None


def _is_host_name(raw_host: bytes) -> bool:
    """An IP address or a DNS name (IDNA-encoded by httpx) made of letters, digits and hyphens."""
    host = raw_host.decode("ascii", errors="replace")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return _HOST_NAME.fullmatch(host) is not None
    return True


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delay-seconds or an HTTP date)."""
    if not value or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)


def _checked_report_ids(message_ids: Sequence[str]) -> list[str]:
    if isinstance(message_ids, str):
        raise ValueError("reports() takes a sequence of message ids, not one string")
    ids = [message_id.strip() for message_id in message_ids]
    if not ids or len(ids) > MAX_REPORT_IDS:
        raise ValueError(f"reports() takes 1 to {MAX_REPORT_IDS} message ids, got {len(ids)}")
    if any(not message_id or "," in message_id for message_id in ids):
        raise ValueError("message ids must be non-empty and contain no commas")
    return ids


def _record(plan: _Plan) -> RequestRecord:
    query = redact_fields(plan.query)
    url = plan.url + (f"?{urlencode(query)}" if query else "")
    fields = redact_fields(plan.form) if plan.method == "POST" else query
    return RequestRecord(method=plan.method, url=url, auth_method=plan.auth_method, fields=fields)


def _read_capped(response: httpx.Response, limit: int) -> tuple[bytes, bool]:
    """Read at most ``limit`` bytes of the (decompressed) body; True if there was more."""
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > limit:
            return bytes(body[:limit]), True
    return bytes(body), False


def _decode_text(raw: bytes, charset: str | None) -> str:
    encoding = charset or "utf-8"
    try:
        codecs.lookup(encoding)
    except LookupError:
        encoding = "utf-8"
    return raw.decode(encoding, errors="replace")


def _http_headline(answer: _Answer, title: str | None) -> str:
    if 300 <= answer.status < 400:
        return (
            f"The server answered with a redirect (HTTP {answer.status}); smsgui does not "
            "follow redirects, so nothing was sent anywhere else."
        )
    name = _HTTP_CODE_IN_TITLE.sub("", title or "").strip()
    status = f"HTTP {answer.status} {name}".strip()
    if answer.status >= 500:
        return f"The server had a problem and answered {status}."
    return f"The server refused the request: {status}."


def _wait_advice(seconds: float) -> str:
    """What a Retry-After header asks, in words: "Wait 30 seconds before trying again."."""
    if seconds <= 0:
        return "The server says it can be tried again now."
    if seconds < 120:
        whole = math.ceil(seconds)
        return f"Wait {whole} second{'s' if whole != 1 else ''} before trying again."
    if seconds < 2 * 3600:
        return f"Wait {math.ceil(seconds / 60)} minutes before trying again."
    return f"Wait {math.ceil(seconds / 3600)} hours before trying again."


def _says_it_all(answer: _Answer, decoded: Decoded | None) -> bool:
    """A Messages API refusal (4xx) whose problem document already reads as a whole sentence
    ("The Messages API refused it ..."): the HTTP status would only repeat it."""
    return (400 <= answer.status < 500 and isinstance(decoded, Unreadable)
            and decoded.entry.kind is Kind.MESSAGES_ERROR)


def _server_error_text(decoded: Decoded | None) -> str | None:
    """The server's own error text from a problem+json or ``error-code`` body."""
    if isinstance(decoded, Unreadable) and (decoded.entry.id == "response-error-object"
                                            or decoded.entry.kind is Kind.MESSAGES_ERROR):
        return decoded.headline
    return None


def _decoded_detail(decoded: Decoded) -> str:
    parts = [getattr(decoded, "detail", ""), *getattr(decoded, "notes", ())]
    return "; ".join(str(part) for part in parts if part)


def _host_of(base_url: str) -> str:
    try:
        return httpx.URL(base_url).host
    except (httpx.InvalidURL, TypeError, ValueError):
        return ""


def _safe_url(url: str) -> str:
    """A URL for display: any user name and password removed, cut to a sensible length."""
    shown = _USERINFO.sub(f"{REDACTED}@", url.strip())
    return shown if len(shown) <= 200 else shown[:199] + "…"


def _strip_query(url: str) -> str:
    return url.split("?", 1)[0]
