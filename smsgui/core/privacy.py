"""The one place that decides how phone numbers are masked and secrets are redacted."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "[redacted]"
SECRET_FIELDS = frozenset({"api_secret", "sig", "signature_secret", "password"})
_HIDDEN_AT_LEAST = 4
_LEADING_AT_MOST = 4
_TRAILING_AT_MOST = 3


def mask_number(number: str | None) -> str:
    """Hide the middle of a phone number, keeping its leading and its last digits.

    The masked form keeps one character per digit (separators such as spaces, ``+``, dashes and
    brackets are dropped) and never shows more than half of the digits: at least half of them,
    and at least 4, are hidden. Of the digits that may be shown, the last 3 come first, so that
    numbers differing only at the end (the sandbox's test numbers, a batch of recipients) stay
    distinguishable; then up to 4 leading digits for the country and area. Examples:

    - 15 digits: 4 leading and 3 trailing digits shown, ``447700900123456`` -> ``4477********456``
    - 12 digits: ``447700900105`` -> ``447******105``, ``447700900200`` -> ``447******200``
    - 11 digits: ``+1 415 555 0123`` -> ``14******123``
    - 8 digits: ``12345678`` -> ``1****678``
    - 7 digits: ``1234567`` -> ``****567``; 6 digits: ``****56``; 5 digits: ``****5``
    - 4 digits or fewer (short codes): fully hidden, ``1234`` -> ``****``

    Sender names (any letter in the value) stay as they are: they identify a brand, not a
    person. A value without letters counts as a number, whatever its separators, and digits of
    any script are masked. A value without any digit stays as it is.

    Args:
        number: A phone number or sender name as typed or as sent; None when there is none.

    Returns:
        The masked number, the sender name unchanged, or ``-`` for None or an empty value.
    """
    if not number:
        return "-"
    if any(char.isalpha() for char in number):
        return number
    digits = "".join(char for char in number if char.isdigit())
    if not digits:
        return number
    count = len(digits)
    visible = max(min(count // 2, count - _HIDDEN_AT_LEAST), 0)
    trailing = min(_TRAILING_AT_MOST, visible)
    leading = min(_LEADING_AT_MOST, visible - trailing)
    return digits[:leading] + "*" * (count - leading - trailing) + digits[count - trailing:]


def redact_fields(fields: Sequence[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Replace the value of every secret-bearing request field."""
    return tuple(
        (key, REDACTED if key.lower() in SECRET_FIELDS else value) for key, value in fields
    )


def redact_url(url: str) -> str:
    """The URL with the value of every secret-bearing query parameter replaced."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    return urlunsplit(parts._replace(query=urlencode(redact_fields(pairs))))
