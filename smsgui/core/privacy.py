"""The one place that decides how phone numbers are masked and secrets are redacted."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "[redacted]"
SECRET_FIELDS = frozenset({"api_secret", "sig", "signature_secret", "password"})
_VISIBLE_DIGITS = 8
_HIDDEN_AT_LEAST = 4
_SEPARATORS = frozenset(" +-().\t/")


def mask_number(number: str | None) -> str:
    """Hide the end of a phone number, e.g. ``447700900123`` becomes ``44770090****``.

    Sender names (with letters) stay as they are: they identify a brand, not a person.
    """
    if not number:
        return "-"
    digits = "".join(char for char in number if char not in _SEPARATORS)
    if not (digits.isascii() and digits.isdigit()):
        return number
    visible = min(_VISIBLE_DIGITS, max(len(digits) - _HIDDEN_AT_LEAST, 0))
    return digits[:visible] + "*" * (len(digits) - visible)


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
