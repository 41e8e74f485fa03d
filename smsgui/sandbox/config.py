"""How a sandbox behaves: its credentials, money, limits and delivery receipts."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from smsgui.core.api.signing import SignatureMethod

DEFAULT_API_KEY = "sandbox1"
DEFAULT_API_SECRET = "SandboxSecret123"
DEFAULT_SIGNATURE_SECRET = "SandboxSignatureSecret"
DEFAULT_BALANCE = Decimal("10.00")
DEFAULT_PRICE = Decimal("0.0333")
DEFAULT_RATE_LIMIT = 30
DEFAULT_DLR_DELAY = 1.0
MAX_LATENCY = 60.0
MAX_DLR_DELAY = 24 * 60 * 60.0
"""A day: the longest a real receipt is worth waiting for, and far inside what timers accept."""
MAX_RATE_LIMIT = 1_000_000
MAX_AMOUNT = Decimal(1_000_000_000)
"""The largest balance or price: smsgui reads amounts up to a trillion and calls larger junk."""
MAX_BODY_BYTES = 64 * 1024
SIGNATURE_WINDOW_SECONDS = 5 * 60


@dataclass(frozen=True)
class SandboxConfig:
    """Everything ``smsgui sandbox`` takes on its command line, with the documented defaults.

    The default credentials are public on purpose: the sandbox is a local test double and
    never holds anything worth protecting.
    """

    api_key: str = DEFAULT_API_KEY
    api_secret: str = field(default=DEFAULT_API_SECRET, repr=False)
    signature_secret: str = field(default=DEFAULT_SIGNATURE_SECRET, repr=False)
    signature_method: SignatureMethod = SignatureMethod.MD5_HASH
    balance: Decimal = DEFAULT_BALANCE
    price: Decimal = DEFAULT_PRICE
    rate_limit: int = DEFAULT_RATE_LIMIT
    demo_mode: bool = False
    whitelist: tuple[str, ...] = ()
    dlr_delay: float = DEFAULT_DLR_DELAY
    dlr_url: str | None = None
    latency: float = 0.0
    """Seconds every answer waits before it is sent, to try the app on a slow network."""
    max_body_bytes: int = MAX_BODY_BYTES
