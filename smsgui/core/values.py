"""Lenient readers for API fields: the API sends strings, but pasted or odd bodies may not."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

_MAX_INT_DIGITS = 18


def text_or_none(value: object) -> str | None:
    """A field as stripped text, accepting numbers where the API normally sends strings."""
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    text = str(value).strip()
    return text or None


def int_or_none(value: object) -> int | None:
    """A whole number from an int, a whole Decimal/float, or a string of digits."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal | float):
        try:
            whole = int(value)
        except (ValueError, OverflowError):
            return None
        return whole if value == whole else None
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
    return number if number.is_finite() else None
