"""The sandbox's magic numbers."""

from __future__ import annotations

import pytest

from smsgui.core.reference.knowledge import default_knowledge_base
from smsgui.core.reference.testnumbers import (
    API_STATUS_CODES,
    RECEIPT_ERROR_CODES,
    all_test_numbers,
    lookup_test_number,
)

DEFINED_STATUSES = [*range(13), 14, 15, 17, 22, 23, 29, 32, 33]
DEFINED_ERR_CODES = [*range(16), 50, 51, 52, 53, 54, 95, 99]
FULL_WIDTH_TEST_NUMBER = "".join(chr(0xFF10 + int(digit)) for digit in "447700900000")


def test_the_code_tables_match_the_documented_codes() -> None:
    assert list(API_STATUS_CODES) == DEFINED_STATUSES
    assert list(RECEIPT_ERROR_CODES) == DEFINED_ERR_CODES


def test_status_zero_is_a_plain_success() -> None:
    number = lookup_test_number("447700900000")
    assert number is not None
    assert (number.api_status, number.receipt_status, number.receipt_err_code) == (
        0,
        "delivered",
        0,
    )


@pytest.mark.parametrize("status", [code for code in DEFINED_STATUSES if code != 0])
def test_status_numbers_answer_their_status(status: int) -> None:
    number = lookup_test_number(f"4477009000{status:02d}")
    assert number is not None
    assert number.api_status == status
    assert (number.receipt_status, number.receipt_err_code) == (None, None)
    title = default_knowledge_base().for_status(status).title
    assert number.description == (
        f"Sandbox test number: the sandbox answers status {status} ({title})."
    )


@pytest.mark.parametrize(
    ("err_code", "receipt_status"),
    [
        (0, "delivered"),
        (1, "failed"),
        (2, "expired"),
        (3, "failed"),
        (4, "failed"),
        (5, "failed"),
        (6, "rejected"),
        (7, "expired"),
        (8, "failed"),
        (9, "rejected"),
        (10, "rejected"),
        (11, "rejected"),
        (12, "failed"),
        (13, "rejected"),
        (14, "rejected"),
        (15, "failed"),
        (50, "rejected"),
        (51, "rejected"),
        (52, "rejected"),
        (53, "rejected"),
        (54, "rejected"),
        (95, "failed"),
        (99, "failed"),
    ],
)
def test_receipt_numbers_carry_their_err_code(err_code: int, receipt_status: str) -> None:
    number = lookup_test_number(f"4477009001{err_code:02d}")
    assert number is not None
    assert (number.api_status, number.receipt_status, number.receipt_err_code) == (
        0,
        receipt_status,
        err_code,
    )
    title = default_knowledge_base().for_receipt_error(err_code).title
    assert f'"{receipt_status}" with err-code {err_code} ({title})' in number.description


@pytest.mark.parametrize(
    ("e164", "receipt_status", "err_code"),
    [
        ("447700900200", "expired", 1),
        ("447700900201", "buffered", 0),
        ("447700900202", "unknown", 1),
    ],
)
def test_special_receipt_numbers(e164: str, receipt_status: str, err_code: int) -> None:
    number = lookup_test_number(e164)
    assert number is not None
    assert (number.api_status, number.receipt_status, number.receipt_err_code) == (
        0,
        receipt_status,
        err_code,
    )


@pytest.mark.parametrize(
    "e164",
    [
        "447700900013",
        "447700900034",
        "447700900116",
        "447700900155",
        "447700900203",
        "447700900555",
        "447700900999",
    ],
)
def test_other_numbers_of_the_drama_range_are_delivered(e164: str) -> None:
    number = lookup_test_number(e164)
    assert number is not None
    assert (number.api_status, number.receipt_status, number.receipt_err_code) == (
        0,
        "delivered",
        0,
    )
    assert number.e164 == e164


@pytest.mark.parametrize(
    "e164",
    [
        "447911123456",
        "+447700900000",
        "44770090000",
        "4477009000000",
        "447700901000",
        "447700800000",
        "",
        "44770090000a",
        FULL_WIDTH_TEST_NUMBER,
    ],
)
def test_other_numbers_are_not_test_numbers(e164: str) -> None:
    assert lookup_test_number(e164) is None


def test_every_number_of_the_range_has_a_behaviour() -> None:
    numbers = [lookup_test_number(f"447700900{suffix:03d}") for suffix in range(1000)]
    assert all(number is not None for number in numbers)


def test_the_list_holds_every_documented_number_once() -> None:
    numbers = all_test_numbers()
    e164s = [number.e164 for number in numbers]
    assert len(e164s) == len(set(e164s)) == len(DEFINED_STATUSES) + len(DEFINED_ERR_CODES) + 3
    assert e164s == sorted(e164s)
    assert all(lookup_test_number(number.e164) == number for number in numbers)


def test_descriptions_are_one_sentence() -> None:
    for number in all_test_numbers():
        assert number.description.startswith("Sandbox test number: the sandbox ")
        assert number.description.endswith(").") or number.description.endswith("delivered.")
        assert number.description.count(". ") == 0
