"""Masking phone numbers: never more than half of the digits shown, recipients still told apart."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smsgui.core.privacy import mask_number
from smsgui.core.reference.testnumbers import RANGE_PREFIX

DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=20)
SEPARATORS = st.sampled_from([" ", "+", "-", "(", ")", ".", "/", "\t", "\u00a0"])


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("447700900105", "447******105"),
        ("447700900200", "447******200"),
        ("+44 7700 900123", "447******123"),
        ("447700900123456", "4477********456"),
        ("+14155550123", "14******123"),
        ("0123456789", "01*****789"),
        ("123456789", "1*****789"),
        ("12345678", "1****678"),
        ("1234567", "****567"),
        ("123456", "****56"),
        ("12345", "****5"),
        ("1234", "****"),
        ("1", "*"),
    ],
)
def test_the_middle_is_hidden(number: str, masked: str) -> None:
    assert mask_number(number) == masked


@pytest.mark.parametrize("name", ["Acme", "AcmeInc", "Acme2024", "Bank 24"])
def test_sender_names_stay_as_they_are(name: str) -> None:
    assert mask_number(name) == name


@pytest.mark.parametrize("empty", [None, ""])
def test_no_number_is_a_dash(empty: str | None) -> None:
    assert mask_number(empty) == "-"


def test_digits_of_other_scripts_and_unusual_separators_are_masked_too() -> None:
    assert mask_number("\uff14\uff14\uff17\uff17\uff10\uff10\uff19\uff10\uff10\uff11\uff10\uff15") \
        == "\uff14\uff14\uff17******\uff11\uff10\uff15"
    assert mask_number("44\u00a07700\u2011900105") == "447******105"


@given(DIGITS)
def test_never_more_than_half_of_the_digits_show(digits: str) -> None:
    masked = mask_number(digits)
    assert len(masked) == len(digits)
    shown = len(masked) - masked.count("*")
    assert shown <= len(digits) // 2
    assert masked.count("*") >= min(4, len(digits))
    assert digits not in masked


@given(DIGITS)
def test_only_leading_and_trailing_digits_show(digits: str) -> None:
    masked = mask_number(digits)
    hidden = masked.strip("0123456789")
    assert set(hidden) == {"*"}
    leading = masked.index("*")
    trailing = len(masked) - leading - len(hidden)
    assert leading <= 4 and trailing <= 3
    assert masked == digits[:leading] + hidden + digits[len(digits) - trailing:]


@given(DIGITS, st.lists(st.tuples(st.integers(min_value=0), SEPARATORS), max_size=6))
def test_separators_do_not_change_the_mask(
    digits: str, separators: list[tuple[int, str]]
) -> None:
    formatted = digits
    for position, separator in separators:
        cut = position % (len(formatted) + 1)
        formatted = formatted[:cut] + separator + formatted[cut:]
    assert mask_number(formatted) == mask_number(digits)


@given(st.text(alphabet="0123456789", min_size=4, max_size=12),
       st.lists(st.integers(min_value=0, max_value=999), min_size=2, max_size=2, unique=True))
def test_numbers_differing_in_the_last_three_digits_mask_differently(
    start: str, ends: list[int]
) -> None:
    first, second = (f"{start}{end:03d}" for end in ends)
    assert mask_number(first) != mask_number(second)


def test_every_sandbox_test_number_has_its_own_mask() -> None:
    masks = {mask_number(f"{RANGE_PREFIX}{end:03d}") for end in range(1000)}
    assert len(masks) == 1000


@given(st.text(min_size=1).filter(lambda text: any(char.isalpha() for char in text)))
def test_anything_with_a_letter_is_left_alone(text: str) -> None:
    assert mask_number(text) == text
