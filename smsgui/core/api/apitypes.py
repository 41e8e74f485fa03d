"""The plain values the API client works with: where requests go, how they authenticate and
what is sent.

They live apart from the client so that profiles, the sandbox and send planning load at start-up
(or on the UI thread) without the HTTP stack.
"""

from __future__ import annotations

import base64
import enum
import ipaddress
from dataclasses import dataclass, field
from typing import Final

from smsgui.core.api.signing import SignatureMethod

_MIN_SCRUBBED_SECRET: Final = 4
MAX_REPORT_IDS: Final = 20
"""The most message ids one Reports API request may name."""
VONAGE_REST_URL: Final = "https://rest.nexmo.com"
VONAGE_API_URL: Final = "https://api.nexmo.com"


class AuthMethod(enum.StrEnum):
    """Where the credentials go."""

    BASIC = "basic"
    """HTTP Basic ``api_key:api_secret`` (SMS API spec 1.5.1)."""
    BODY = "body"
    """``api_key`` and ``api_secret`` as form fields (spec 1.0.10)."""
    SIGNATURE = "signature"
    """``api_key``, ``timestamp`` and ``sig`` as form fields; no secret and no Authorization."""


@dataclass(frozen=True)
class Endpoint:
    """Base URLs. HTTPS is required except for loopback hosts (local test servers)."""

    rest_base_url: str = VONAGE_REST_URL
    api_base_url: str = VONAGE_API_URL


@dataclass(frozen=True)
class Credentials:
    """API credentials. Secrets are left out of ``repr``.

    Raises ValueError when SIGNATURE authentication has no signature secret.
    """

    api_key: str
    api_secret: str = field(repr=False)
    signature_secret: str | None = field(default=None, repr=False)
    signature_method: SignatureMethod = SignatureMethod.MD5_HASH
    auth_method: AuthMethod = AuthMethod.BASIC

    def __post_init__(self) -> None:
        if self.auth_method is AuthMethod.SIGNATURE and not self.signature_secret:
            raise ValueError("signature authentication needs a signature secret")

    def secrets(self) -> tuple[str, ...]:
        """Every secret value, including the Basic token, for scrubbing text."""
        token = base64.b64encode(f"{self.api_key}:{self.api_secret}".encode()).decode("ascii")
        values = (self.api_secret, self.signature_secret or "", token)
        return tuple(value for value in values if len(value) >= _MIN_SCRUBBED_SECRET)


@dataclass(frozen=True)
class SmsOptions:
    """The SMS API's advanced parameters (spec 1.5.1); None leaves a parameter out.

    ``body`` and ``udh`` are hex text, sent only with type ``binary``; ``entity_id`` and
    ``content_id`` are the regulatory IDs some countries need (India's DLT).
    """

    message_class: int | None = None
    body: str | None = None
    udh: str | None = None
    protocol_id: int | None = None
    account_ref: str | None = None
    entity_id: str | None = None
    content_id: str | None = None
    trusted_number: bool | None = None
    pool_id: str | None = None

    def form_fields(self, binary: bool) -> dict[str, str | None]:
        return {
            "message-class": _number(self.message_class),
            "body": _compact(self.body) if binary else None,
            "udh": _compact(self.udh) if binary else None,
            "protocol-id": _number(self.protocol_id),
            "account-ref": self.account_ref,
            "entity-id": self.entity_id,
            "content-id": self.content_id,
            "trusted-number": _flag(self.trusted_number),
            "pool-id": self.pool_id,
        }


@dataclass(frozen=True)
class OutgoingSms:
    """One message to send. ``ttl_ms`` is in milliseconds."""

    to: str
    sender: str
    text: str
    message_type: str = "text"
    client_ref: str | None = None
    callback: str | None = None
    ttl_ms: int | None = None
    status_report_req: bool | None = None
    options: SmsOptions = field(default_factory=SmsOptions)

    def form_fields(self) -> dict[str, str]:
        """The API's form fields for this message; optional fields only when set."""
        fields = {"from": self.sender, "to": self.to, "text": self.text, "type": self.message_type}
        optional = {
            "client-ref": self.client_ref,
            "callback": self.callback,
            "ttl": _number(self.ttl_ms),
            "status-report-req": _flag(self.status_report_req),
            **self.options.form_fields(self.message_type == "binary"),
        }
        fields.update({key: value for key, value in optional.items() if value is not None})
        return fields


ADVANCED_FIELDS: Final = ("client-ref", "callback", "ttl", "status-report-req", "message-class",
                          "body", "udh", "protocol-id", "account-ref", "entity-id", "content-id",
                          "trusted-number", "pool-id")
"""Every optional parameter of SMS API 1.5.1 smsgui can send, in the order it names them."""


def _compact(hex_text: str | None) -> str | None:
    """Hex as the API wants it: the spaces people type between bytes left out."""
    return None if hex_text is None else "".join(hex_text.split())


def _number(value: int | None) -> str | None:
    return None if value is None else str(int(value))


def _flag(value: bool | None) -> str | None:
    return None if value is None else str(value).lower()


def is_loopback_host(host: str) -> bool:
    """127.0.0.0/8, ::1 (also IPv4-mapped) and ``localhost``."""
    name = host.strip("[]").rstrip(".").lower()
    if name == "localhost":
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback
