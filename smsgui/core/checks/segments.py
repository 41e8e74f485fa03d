"""Exact SMS part counting for GSM-7 and UCS-2 text.

One SMS carries 160 GSM-7 septets or 70 UCS-2 units. A longer message is sent in parts that each
lose room to the concatenation header: 153 septets or 67 units per part. Characters from the GSM
extension table cost two septets (escape + character) and characters outside the Basic
Multilingual Plane, such as most emoji, cost two UCS-2 units (a surrogate pair). Neither pair is
ever split between two parts, so a part may hold one unit less than its capacity.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

MessageType = Literal["auto", "text", "unicode", "binary"]
TextType = Literal["auto", "text", "unicode"]

BINARY_PART_BYTES = 140
"""The bytes one SMS carries, the user data header included."""
CONCATENATION_HEADER_BYTES = 6
"""What joining parts costs: a 5-byte element plus the header's length byte when there is none."""


class Encoding(enum.StrEnum):
    """How the text travels over the air."""

    GSM7 = "GSM-7"
    UCS2 = "UCS-2"
    BINARY = "8-bit binary"

    @property
    def single_part_capacity(self) -> int:
        """Units a message may have and still go as one SMS."""
        return {Encoding.GSM7: 160, Encoding.UCS2: 70}.get(self, BINARY_PART_BYTES)

    @property
    def multipart_capacity(self) -> int:
        """Units per part once a message is split (the rest holds the concatenation header)."""
        return {Encoding.GSM7: 153, Encoding.UCS2: 67}.get(
            self, BINARY_PART_BYTES - CONCATENATION_HEADER_BYTES)


# GSM 03.38 default alphabet in table order, without the escape code 0x1B. Note that 0x09 is the
# capital "Ç": the small "ç" is not in the table.
GSM7_BASIC: frozenset[str] = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)

GSM7_EXTENSION: frozenset[str] = frozenset("\f^{}\\[~]|€")

GSM7_CHARACTERS: frozenset[str] = GSM7_BASIC | GSM7_EXTENSION

_LAST_BMP_CODE_POINT = 0xFFFF


@dataclass(frozen=True)
class SegmentCount:
    """How a message will be encoded and into how many parts it will be split.

    Attributes:
        encoding: The encoding the message will be sent in.
        characters: Number of code points in the text.
        units: Septets for GSM-7, UTF-16 code units for UCS-2.
        parts: Number of SMS parts; 0 for empty text.
        per_part: Capacity of one part for this message: 160 or 153 septets, 70 or 67 units.
        forcing_ucs2: Distinct characters outside GSM-7, in order of first appearance.
        remaining: Units still free in the last part.
    """

    encoding: Encoding
    characters: int
    units: int
    parts: int
    per_part: int
    forcing_ucs2: tuple[str, ...]
    remaining: int


@dataclass(frozen=True)
class _Layout:
    units: int
    per_part: int
    part_ends: tuple[int, ...]
    last_part_units: int


def is_gsm7(text: str) -> bool:
    """Whether every character of ``text`` can be sent in GSM-7."""
    return GSM7_CHARACTERS.issuperset(text)


def non_gsm7_characters(text: str) -> tuple[str, ...]:
    """The distinct characters of ``text`` outside GSM-7, in order of first appearance."""
    if is_gsm7(text):
        return ()
    return tuple(dict.fromkeys(char for char in text if char not in GSM7_CHARACTERS))


def encoding_for(text: str, message_type: MessageType = "auto") -> Encoding:
    """The encoding a message of this type will use."""
    if message_type == "binary":
        return Encoding.BINARY
    if message_type == "unicode":
        return Encoding.UCS2
    if message_type == "text" or is_gsm7(text):
        return Encoding.GSM7
    return Encoding.UCS2


def count_segments(text: str, message_type: MessageType = "auto") -> SegmentCount:
    """Count the encoding units and SMS parts of ``text``.

    Args:
        text: The message text.
        message_type: ``"auto"`` picks GSM-7 when every character allows it, else UCS-2;
            ``"unicode"`` always uses UCS-2; ``"text"`` always uses GSM-7, where characters
            outside it count one septet each (they arrive as "?").

    Returns:
        The encoding, sizes and number of parts.
    """
    encoding = encoding_for(text, message_type)
    layout = _layout(text, encoding)
    return SegmentCount(
        encoding=encoding,
        characters=len(text),
        units=layout.units,
        parts=len(layout.part_ends),
        per_part=layout.per_part,
        forcing_ucs2=non_gsm7_characters(text),
        remaining=layout.per_part - layout.last_part_units,
    )


def count_binary_segments(body: bytes, udh: bytes = b"") -> SegmentCount:
    """Count the SMS parts of binary content: 140 bytes per SMS, the header's bytes included.

    Content that does not fit one SMS needs a concatenation element in every part's header, so
    each part holds 5 bytes less (6 when the message had no header of its own).
    """
    single = BINARY_PART_BYTES - len(udh)
    if len(body) <= single:
        parts, per_part = (1 if body else 0), single
    else:
        joining = CONCATENATION_HEADER_BYTES - (1 if udh else 0)
        per_part = max(single - joining, 1)
        parts = -(-len(body) // per_part)
    last = len(body) - per_part * (parts - 1) if parts else 0
    return SegmentCount(encoding=Encoding.BINARY, characters=len(body), units=len(body),
                        parts=parts, per_part=per_part, forcing_ucs2=(),
                        remaining=per_part - last)


def split_parts(text: str, encoding: Encoding) -> list[str]:
    """Split ``text`` into the parts it will be sent as; empty text has no parts."""
    parts: list[str] = []
    start = 0
    for end in _layout(text, encoding).part_ends:
        parts.append(text[start:end])
        start = end
    return parts


def _unit_costs(text: str, encoding: Encoding) -> list[int]:
    if encoding is Encoding.UCS2:
        return [2 if ord(char) > _LAST_BMP_CODE_POINT else 1 for char in text]
    return [2 if char in GSM7_EXTENSION else 1 for char in text]


def _layout(text: str, encoding: Encoding) -> _Layout:
    costs = _unit_costs(text, encoding)
    units = sum(costs)
    if units <= encoding.single_part_capacity:
        per_part = encoding.single_part_capacity
        ends = (len(text),) if text else ()
        return _Layout(units=units, per_part=per_part, part_ends=ends, last_part_units=units)
    per_part = encoding.multipart_capacity
    if units == len(costs):
        return _uniform_layout(units, per_part)
    return _greedy_layout(costs, units, per_part)


def _uniform_layout(units: int, per_part: int) -> _Layout:
    """Layout when every character costs one unit: parts are plain slices."""
    ends = (*range(per_part, units, per_part), units)
    last_part_units = units - (ends[-2] if len(ends) > 1 else 0)
    return _Layout(units=units, per_part=per_part, part_ends=ends, last_part_units=last_part_units)


def _greedy_layout(costs: Sequence[int], units: int, per_part: int) -> _Layout:
    ends: list[int] = []
    used = 0
    for index, cost in enumerate(costs):
        if used + cost > per_part:
            ends.append(index)
            used = 0
        used += cost
    ends.append(len(costs))
    return _Layout(units=units, per_part=per_part, part_ends=tuple(ends), last_part_units=used)
