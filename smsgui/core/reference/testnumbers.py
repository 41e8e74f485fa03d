"""The sandbox's magic numbers: recipients that make the local sandbox answer in a chosen way.

All of them lie in 447700900000-447700900999, the range Ofcom keeps for drama, so no real phone
can be reached by mistake.

- ``4477009000SS``: the sandbox answers API status ``SS`` (a defined status code; 00 is success).
- ``4477009001EE``: accepted; the delivery receipt carries err-code ``EE`` (a defined err-code).
- ``447700900200``: accepted; the receipt says "expired" with err-code 1 (no reason given).
  An expiry with a reason is 447700900102 (phone off) or 447700900107 (handset busy).
- ``447700900201``: accepted; the receipt says "buffered" with err-code 0 (not an error yet).
- ``447700900202``: accepted; the receipt says "unknown" with err-code 1.
- any other number in the range: accepted and delivered.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from smsgui.core.reference.knowledge import default_knowledge_base

RANGE_PREFIX = "447700900"
API_STATUS_CODES: tuple[int, ...] = (*range(13), 14, 15, 17, 22, 23, 29, 32, 33)
RECEIPT_ERROR_CODES: tuple[int, ...] = (*range(16), *range(50, 55), 95, 99)

_STATUS_BLOCK = "0"
_RECEIPT_ERROR_BLOCK = "1"
_EXPIRED = RANGE_PREFIX + "200"
_BUFFERED = RANGE_PREFIX + "201"
_UNKNOWN = RANGE_PREFIX + "202"
_TEMPORARY_ERROR_CODES = frozenset({2, 7})
_REJECTION_ERROR_CODES = frozenset({6, 9, 10, 11, 13, 14, 50, 51, 52, 53, 54})
_NO_REASON_ERROR_CODE = 1


@dataclass(frozen=True)
class SandboxNumber:
    """What the sandbox does with a message to one of its magic numbers.

    Attributes:
        e164: The number, digits only.
        api_status: The ``status`` the sandbox answers the send request with.
        receipt_status: The delivery receipt's ``status``; None when the API rejects the message.
        receipt_err_code: The delivery receipt's ``err-code``; None when there is no receipt.
        behaviour: What the sandbox does, as the end of a sentence, e.g. "the sandbox answers
            status 29 (Non-Whitelisted Destination)".
    """

    e164: str
    api_status: int
    receipt_status: str | None
    receipt_err_code: int | None
    behaviour: str

    @property
    def description(self) -> str:
        """One plain sentence for the UI."""
        return f"Sandbox test number: {self.behaviour}."


def lookup_test_number(e164: str) -> SandboxNumber | None:
    """The sandbox behaviour of ``e164`` (digits only), or None if it is not a test number."""
    if len(e164) != len(RANGE_PREFIX) + 3 or not e164.startswith(RANGE_PREFIX):
        return None
    if not e164.isascii() or not e164.isdigit():
        return None
    return _special_number(e164) or _delivered(e164)


@functools.cache
def all_test_numbers() -> tuple[SandboxNumber, ...]:
    """Every documented magic number, in numeric order (for the README and the app)."""
    numbers = [_status_number(code) for code in API_STATUS_CODES]
    numbers += [_receipt_error_number(code) for code in RECEIPT_ERROR_CODES]
    numbers += [_expired(), _buffered(), _unknown()]
    return tuple(numbers)


def receipt_status_for_error(err_code: int) -> str:
    """The receipt status the sandbox pairs with an err-code.

    0 is delivered; the temporary conditions 2 (absent subscriber) and 7 (handset busy) expire;
    refusals by the network or a regulator are rejected; everything else failed.
    """
    if err_code == 0:
        return "delivered"
    if err_code in _TEMPORARY_ERROR_CODES:
        return "expired"
    if err_code in _REJECTION_ERROR_CODES:
        return "rejected"
    return "failed"


def _special_number(e164: str) -> SandboxNumber | None:
    block, code = e164[-3], int(e164[-2:])
    if block == _STATUS_BLOCK and code in API_STATUS_CODES:
        return _status_number(code)
    if block == _RECEIPT_ERROR_BLOCK and code in RECEIPT_ERROR_CODES:
        return _receipt_error_number(code)
    specials = {_EXPIRED: _expired, _BUFFERED: _buffered, _UNKNOWN: _unknown}
    make = specials.get(e164)
    return make() if make else None


def _status_number(status: int) -> SandboxNumber:
    e164 = f"{RANGE_PREFIX}{_STATUS_BLOCK}{status:02d}"
    if status == 0:
        return _delivered(e164)
    title = default_knowledge_base().for_status(status).title
    return SandboxNumber(
        e164=e164,
        api_status=status,
        receipt_status=None,
        receipt_err_code=None,
        behaviour=f"the sandbox answers status {status} ({title})",
    )


def _receipt_error_number(err_code: int) -> SandboxNumber:
    e164 = f"{RANGE_PREFIX}{_RECEIPT_ERROR_BLOCK}{err_code:02d}"
    return _accepted(e164, receipt_status_for_error(err_code), err_code)


def _expired() -> SandboxNumber:
    return _accepted(_EXPIRED, "expired", _NO_REASON_ERROR_CODE)


def _buffered() -> SandboxNumber:
    return _accepted(_BUFFERED, "buffered", 0)


def _unknown() -> SandboxNumber:
    return _accepted(_UNKNOWN, "unknown", _NO_REASON_ERROR_CODE)


def _delivered(e164: str) -> SandboxNumber:
    return SandboxNumber(
        e164=e164,
        api_status=0,
        receipt_status="delivered",
        receipt_err_code=0,
        behaviour="the sandbox accepts the message and reports it delivered",
    )


def _accepted(e164: str, receipt_status: str, err_code: int) -> SandboxNumber:
    title = default_knowledge_base().for_receipt_error(err_code).title
    return SandboxNumber(
        e164=e164,
        api_status=0,
        receipt_status=receipt_status,
        receipt_err_code=err_code,
        behaviour=(
            f'the sandbox accepts the message, then sends a delivery receipt "{receipt_status}"'
            f" with err-code {err_code} ({title})"
        ),
    )
