"""Parsing a big JSON object one member, and one array item, at a time.

``json.loads`` runs in C and holds the interpreter for the whole text: ~70 ms for an answer of
29,000 parts, during which a window whose worker is parsing cannot draw. Parsing the same text
item by item with ``JSONDecoder.raw_decode`` gives the same value, but returns to the
interpreter between items, so the window's thread gets its turn every few milliseconds.

A member whose value is one long string (a saved document's 4.8 MB ``body``: ~35 ms in one C
call) is decoded a piece at a time, each piece ending between two characters or escapes.
"""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_SPACE = frozenset(" \t\n\r")
_STRING_PIECE = re.compile(
    r'(?:[^"\\\x00-\x1f]{1,64}'  # plain characters
    r"|\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}"  # a pair, kept together
    r"|\\u[0-9a-fA-F]{4}"
    r'|\\["\\/bfnrt]){1,4096}')
"""Up to 4,096 runs of plain characters or escapes of a JSON string: at most 256 KB."""


STEPWISE_FROM = 256 * 1024
"""Texts from this size on are parsed item by item: a worker parsing one must not keep the
window from drawing."""


class StepwiseError(ValueError):
    """The text is not a JSON object, or not valid JSON: parse it whole to learn why."""


def loads(text: str, decoder: json.JSONDecoder) -> Any:
    """``decoder.decode(text)``, with the same value and errors, a step at a time when big."""
    if len(text) >= STEPWISE_FROM:
        with contextlib.suppress(StepwiseError):
            return loads_in_steps(text, decoder)
    return decoder.decode(text)


def loads_in_steps(text: str, decoder: json.JSONDecoder) -> Any:
    """The value of ``text``, a JSON object, parsed one member and one array item at a time.

    Raises StepwiseError when the text is anything else, so that the caller's ``json.loads``
    gives its usual error message.
    """
    value, position = _object(text, _skip(text, 0), decoder)
    if _skip(text, position) != len(text):
        raise StepwiseError("extra data after the object")
    return value


def _object(text: str, position: int, decoder: json.JSONDecoder) -> tuple[dict[str, Any], int]:
    position = _expect(text, position, "{")
    members: dict[str, Any] = {}
    if text.startswith("}", position):
        return members, position + 1
    while True:
        key, position = _raw(text, position, decoder)
        if not isinstance(key, str):
            raise StepwiseError("an object key that is not a string")
        position = _expect(text, position, ":")
        members[key], position = _member(text, position, decoder)
        position = _skip(text, position)
        if text.startswith("}", position):
            return members, position + 1
        position = _expect(text, position, ",")


def _member(text: str, position: int, decoder: json.JSONDecoder) -> tuple[Any, int]:
    if text.startswith("[", position):
        return _array(text, position, decoder)
    if text.startswith('"', position):
        return _string(text, position, decoder)
    return _raw(text, position, decoder)


def _string(text: str, position: int, decoder: json.JSONDecoder) -> tuple[str, int]:
    pieces: list[str] = []
    position += 1
    while (match := _STRING_PIECE.match(text, position)) is not None:
        pieces.append(decoder.decode(f'"{match.group()}"'))
        position = match.end()
    if not text.startswith('"', position):
        raise StepwiseError(f"a string that does not end well at {position}")
    return "".join(pieces), position + 1


def _array(text: str, position: int, decoder: json.JSONDecoder) -> tuple[list[Any], int]:
    position = _expect(text, position, "[")
    items: list[Any] = []
    if text.startswith("]", position):
        return items, position + 1
    while True:
        item, position = _raw(text, position, decoder)
        items.append(item)
        position = _skip(text, position)
        if text.startswith("]", position):
            return items, position + 1
        position = _expect(text, position, ",")


def _raw(text: str, position: int, decoder: json.JSONDecoder) -> tuple[Any, int]:
    try:
        return decoder.raw_decode(text, position)
    except (ValueError, RecursionError) as error:
        raise StepwiseError(str(error)) from error


def _expect(text: str, position: int, token: str) -> int:
    """The position after ``token`` and the whitespace around it."""
    position = _skip(text, position)
    if not text.startswith(token, position):
        raise StepwiseError(f"expected {token!r} at {position}")
    return _skip(text, position + 1)


def _skip(text: str, position: int) -> int:
    if text[position:position + 1] not in _SPACE:  # the usual case: compact JSON
        return position
    match = _WHITESPACE.match(text, position)
    return match.end() if match else position
