"""Lenient readers for API fields: the API sends strings, but pasted or odd bodies may not."""

from __future__ import annotations

import codecs
import json
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

CURRENCY = "EUR"
"""The currency of every price and balance the SMS API reports."""
_MAX_INT_DIGITS = 18
_INT_LIMIT = 10**_MAX_INT_DIGITS
# No price or balance is anywhere near a trillion; larger magnitudes are junk, and letting them
# through would overflow Decimal arithmetic further on.
_MAX_DECIMAL_ADJUSTED_EXPONENT = 12
_MIN_DECIMAL_ADJUSTED_EXPONENT = -20
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def text_or_none(value: object) -> str | None:
    """A field as stripped text, accepting numbers where the API normally sends strings."""
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    text = str(value).strip()
    return text or None


def int_or_none(value: object) -> int | None:
    """A whole number from an int, a whole Decimal/float, or a string of digits.

    Numbers of more than ``_MAX_INT_DIGITS`` digits are None: no field of the API's holds one,
    and SQLite stores at most 64 bits.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if abs(value) < _INT_LIMIT else None
    if isinstance(value, Decimal | float):
        try:
            whole = int(value)
        except (ValueError, OverflowError):
            return None
        return whole if value == whole and abs(whole) < _INT_LIMIT else None
    if isinstance(value, str):
        digits = value.strip()
        if digits.isascii() and digits.isdigit() and len(digits) <= _MAX_INT_DIGITS:
            return int(digits)
    return None


def decimal_or_none(value: object) -> Decimal | None:
    """A finite Decimal from a number or numeric string; None for anything else."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    if number and not (_MIN_DECIMAL_ADJUSTED_EXPONENT <= number.adjusted()
                       <= _MAX_DECIMAL_ADJUSTED_EXPONENT):
        return None
    return number


def bytes_to_text(raw: bytes) -> tuple[str, bool]:
    """Decode bytes as UTF-8, or UTF-16/32 when a byte-order mark says so or, without one, when
    the zero bytes around the first characters do (as JSON's own detection, RFC 4627 section 3:
    Windows tools write UTF-16 with and without the mark).

    Returns the text and whether it decoded cleanly; undecodable bytes become U+FFFD. A guess of
    UTF-16 or 32 from zero bytes alone that does not decode was wrong (binary data that starts
    with a zero byte, say), so such bytes are read as UTF-8 instead, where they stay recognisable.
    """
    marked = next((name for mark, name in _BYTE_ORDER_MARKS if raw.startswith(mark)), None)
    encoding = marked or json.detect_encoding(raw)
    try:
        return raw.decode(encoding), True
    except UnicodeDecodeError:
        return raw.decode(marked or "utf-8", errors="replace"), False


def amount_text(amount: Decimal | None) -> str:
    """An amount with at least two decimals and no trailing zeros past them: ``0.0333``,
    ``10.00``; empty when there is none."""
    if amount is None:
        return ""
    if not amount.is_finite():
        return str(amount)
    whole, _, fraction = f"{amount.normalize():f}".partition(".")
    return f"{whole}.{fraction.ljust(2, '0')}"


def money_text(amount: Decimal | None, currency: str | None = None) -> str:
    """An amount and its currency, ``0.0333 EUR``; ``-`` when none.

    Every price and balance smsgui shows goes through here, so ``currency`` should be what the
    answer (or the account) said; without one it is the SMS API's own, :data:`CURRENCY`.
    """
    return "-" if amount is None else f"{amount_text(amount)} {currency or CURRENCY}"


def joined_words(words: Sequence[str]) -> str:
    """Words as a sentence lists them: "a", "a and b", "a, b and c"."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"
