"""SMS part counting: hand-checked boundaries plus properties over arbitrary text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smsgui.core.checks.segments import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    Encoding,
    MessageType,
    count_segments,
    split_parts,
)

CYRILLIC = "ж"
EMOJI = "😀"


@pytest.mark.parametrize(
    ("text", "parts", "units", "per_part", "remaining"),
    [
        ("", 0, 0, 160, 160),
        ("a", 1, 1, 160, 159),
        ("a" * 160, 1, 160, 160, 0),
        ("a" * 161, 2, 161, 153, 145),
        ("a" * 306, 2, 306, 153, 0),
        ("a" * 307, 3, 307, 153, 152),
        ("a" * 459, 3, 459, 153, 0),
        ("a" * 460, 4, 460, 153, 152),
        ("a" * 153 * 6, 6, 918, 153, 0),
        ("a" * (153 * 6 + 1), 7, 919, 153, 152),
    ],
)
def test_gsm7_boundaries(text: str, parts: int, units: int, per_part: int, remaining: int) -> None:
    count = count_segments(text)
    assert count.encoding is Encoding.GSM7
    assert (count.parts, count.units, count.per_part, count.remaining) == (
        parts,
        units,
        per_part,
        remaining,
    )
    assert count.characters == len(text)


@pytest.mark.parametrize(
    ("length", "parts", "per_part", "remaining"),
    [
        (1, 1, 70, 69),
        (67, 1, 70, 3),
        (68, 1, 70, 2),
        (70, 1, 70, 0),
        (71, 2, 67, 63),
        (134, 2, 67, 0),
        (135, 3, 67, 66),
    ],
)
def test_ucs2_boundaries(length: int, parts: int, per_part: int, remaining: int) -> None:
    count = count_segments(CYRILLIC * length)
    assert count.encoding is Encoding.UCS2
    assert (count.parts, count.units, count.per_part, count.remaining) == (
        parts,
        length,
        per_part,
        remaining,
    )


@pytest.mark.parametrize("char", sorted(GSM7_EXTENSION))
def test_extension_characters_cost_two_septets(char: str) -> None:
    count = count_segments("a" + char)
    assert count.encoding is Encoding.GSM7
    assert count.units == 3
    assert count.forcing_ucs2 == ()


def test_eighty_euro_signs_fill_one_sms() -> None:
    count = count_segments("€" * 80)
    assert (count.units, count.parts, count.remaining) == (160, 1, 0)


def test_eighty_one_euro_signs_need_two_parts() -> None:
    count = count_segments("€" * 81)
    assert (count.units, count.parts, count.per_part) == (162, 2, 153)
    # 76 signs make 152 septets; a 77th would split its escape pair across the boundary.
    assert [len(part) for part in split_parts("€" * 81, Encoding.GSM7)] == [76, 5]
    assert count.remaining == 153 - 10


def test_an_escape_pair_is_never_split_between_parts() -> None:
    text = "a" * 152 + "€" + "b" * 10
    parts = split_parts(text, Encoding.GSM7)
    assert parts == ["a" * 152, "€" + "b" * 10]
    count = count_segments(text)
    assert (count.units, count.parts, count.remaining) == (164, 2, 153 - 12)


def test_an_escape_pair_that_fits_exactly_stays_in_the_part() -> None:
    text = "a" * 151 + "€" + "b" * 10
    assert split_parts(text, Encoding.GSM7) == ["a" * 151 + "€", "b" * 10]


def test_emoji_count_two_units() -> None:
    count = count_segments(EMOJI)
    assert (count.encoding, count.units, count.characters) == (Encoding.UCS2, 2, 1)
    assert count.forcing_ucs2 == (EMOJI,)


def test_thirty_five_emoji_fill_one_sms() -> None:
    count = count_segments(EMOJI * 35)
    assert (count.units, count.parts, count.remaining) == (70, 1, 0)


def test_thirty_six_emoji_need_two_parts_without_splitting_a_pair() -> None:
    count = count_segments(EMOJI * 36)
    assert (count.units, count.parts, count.per_part) == (72, 2, 67)
    assert [len(part) for part in split_parts(EMOJI * 36, Encoding.UCS2)] == [33, 3]


def test_a_surrogate_pair_is_never_split_between_parts() -> None:
    text = "ж" * 66 + EMOJI + "ж" * 10
    assert split_parts(text, Encoding.UCS2) == ["ж" * 66, EMOJI + "ж" * 10]
    assert count_segments(text).remaining == 67 - 12


@pytest.mark.parametrize("text", ["é", "ü", "Ä", "Ç", "ñ", "ß", "¿Qué?", "Δ", "£5 @ 10¥", "à"])
def test_characters_of_the_gsm_table_stay_gsm7(text: str) -> None:
    count = count_segments(text)
    assert count.encoding is Encoding.GSM7
    assert count.forcing_ucs2 == ()


@pytest.mark.parametrize("char", ["ê", "ç", "á", "`", "\t", "\u2019", "\u201c", "ж", "你", EMOJI])
def test_characters_outside_the_gsm_table_force_ucs2(char: str) -> None:
    count = count_segments("abc" + char)
    assert count.encoding is Encoding.UCS2
    assert count.forcing_ucs2 == (char,)


def test_forcing_characters_are_distinct_in_order_of_first_appearance() -> None:
    assert count_segments("çaçêbç").forcing_ucs2 == ("ç", "ê")


def test_type_text_keeps_gsm7_and_counts_foreign_characters_once() -> None:
    count = count_segments("你好 €", "text")
    assert count.encoding is Encoding.GSM7
    assert count.units == 5
    assert count.forcing_ucs2 == ("你", "好")


def test_type_unicode_sends_even_ascii_as_ucs2() -> None:
    count = count_segments("hello €", "unicode")
    assert count.encoding is Encoding.UCS2
    assert (count.units, count.parts, count.per_part) == (7, 1, 70)
    assert count.forcing_ucs2 == ()


def test_type_unicode_splits_ascii_at_seventy() -> None:
    assert count_segments("a" * 71, "unicode").parts == 2


def test_basic_table_is_the_whole_gsm_03_38_default_alphabet() -> None:
    # 128 positions less the escape code.
    assert len(GSM7_BASIC) == 127
    assert len(GSM7_EXTENSION) == 10
    assert not GSM7_BASIC & GSM7_EXTENSION
    assert {"\n", "\r", " ", "¤", "§", "¡", "¿"} <= GSM7_BASIC
    assert "\f" in GSM7_EXTENSION


def test_empty_text_has_no_parts() -> None:
    assert split_parts("", Encoding.GSM7) == []
    assert split_parts("", Encoding.UCS2) == []


MESSAGE_TYPES: list[MessageType] = ["auto", "text", "unicode"]
SMS_LIKE_TEXT = st.text(alphabet=st.sampled_from([*"aé€{ç\n", CYRILLIC, EMOJI]), max_size=700)
ANY_TEXT = st.one_of(st.text(max_size=1000), SMS_LIKE_TEXT)


@given(ANY_TEXT, st.sampled_from(MESSAGE_TYPES))
def test_parts_match_the_split(text: str, message_type: MessageType) -> None:
    count = count_segments(text, message_type)
    parts = split_parts(text, count.encoding)
    assert count.parts == len(parts)
    assert "".join(parts) == text
    assert all(parts)


@given(ANY_TEXT, st.sampled_from(MESSAGE_TYPES))
def test_every_part_fits_its_capacity(text: str, message_type: MessageType) -> None:
    count = count_segments(text, message_type)
    parts = split_parts(text, count.encoding)
    same_encoding: MessageType = "unicode" if count.encoding is Encoding.UCS2 else "text"
    part_units = [count_segments(part, same_encoding).units for part in parts]
    assert all(units <= count.per_part for units in part_units)
    assert sum(part_units) == count.units
    if parts:
        assert count.remaining == count.per_part - part_units[-1]
        # A part gives up at most one unit to keep a pair whole.
        assert all(units >= count.per_part - 1 for units in part_units[:-1])


@given(st.text(), st.sampled_from(MESSAGE_TYPES))
def test_counting_never_fails(text: str, message_type: MessageType) -> None:
    count = count_segments(text, message_type)
    assert count.characters == len(text)
    assert count.parts >= (1 if text else 0)
    assert 0 <= count.remaining <= count.per_part
