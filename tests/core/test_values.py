"""Lenient field readers shared by the decoder and the client."""

from __future__ import annotations

from decimal import Decimal

import pytest

from smsgui.core.privacy import REDACTED, redact_fields
from smsgui.core.values import decimal_or_none, int_or_none, text_or_none


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0", 0), (" 29 ", 29), (7, 7), (Decimal("3"), 3), (3.0, 3), (3.5, None), ("x", None),
     ("", None), (None, None), (True, None), ("١٢", None), (float("nan"), None),
     (Decimal("Infinity"), None), ("9" * 30, None), (10**19, None), (9.223372036854776e18, None)],
)
def test_int_or_none(value: object, expected: int | None) -> None:
    assert int_or_none(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0.03330000", Decimal("0.0333")), (10, Decimal(10)), (0.5, Decimal("0.5")),
     ("NaN", None), ("inf", None), ("cheap", None), (None, None), (False, None), ([], None)],
)
def test_decimal_or_none(value: object, expected: Decimal | None) -> None:
    assert decimal_or_none(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(" Acme ", "Acme"), (447700900000, "447700900000"), ("", None), ("  ", None),
     (None, None), ({"a": 1}, None), (False, None)],
)
def test_text_or_none(value: object, expected: str | None) -> None:
    assert text_or_none(value) == expected


def test_redact_fields_hides_every_secret_field_whatever_its_case() -> None:
    fields = (("api_key", "abcd1234"), ("API_SECRET", "x"), ("sig", "y"), ("text", "hi"))
    assert dict(redact_fields(fields)) == {
        "api_key": "abcd1234", "API_SECRET": REDACTED, "sig": REDACTED, "text": "hi",
    }
