"""Parsing JSON item by item gives exactly what json.loads gives, or says it cannot."""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smsgui.core.api.json_steps import StepwiseError, loads_in_steps

DECODER = json.JSONDecoder(parse_float=Decimal)
scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.floats(
    allow_nan=False, allow_infinity=False)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=6), inner, max_size=4), max_leaves=20)
objects = st.dictionaries(st.text(max_size=6), values, max_size=6)


@given(objects, st.sampled_from([None, 0, 2]), st.sampled_from([(",", ":"), (" , ", " : ")]))
def test_any_object_parses_as_json_loads_parses_it(
    value: dict[str, Any], indent: int | None, separators: tuple[str, str]
) -> None:
    text = json.dumps(value, indent=indent, separators=separators)
    assert loads_in_steps(f" \n{text}\t ", DECODER) == json.loads(text, parse_float=Decimal)


@pytest.mark.parametrize("text", [
    "[1, 2]", '"text"', "{", '{"a": 1,}', '{"a": [1, 2,]}', '{"a": 1} extra', '{1: 2}',
    '{"a" 1}', '{"a": [1 2]}', "", "   ",
])
def test_anything_else_is_left_to_json_loads(text: str) -> None:
    with pytest.raises(StepwiseError):
        loads_in_steps(text, DECODER)


def test_a_big_answer_lets_other_threads_run_while_it_is_parsed() -> None:
    messages = [{"to": "447700900000", "message-id": f"M{index}", "status": "0",
                 "message-price": "0.03"} for index in range(60_000)]
    text = json.dumps({"message-count": str(len(messages)), "messages": messages})
    parsed, gap = _parse_while_another_thread_ticks(text)
    assert parsed["messages"] == messages
    # json.loads would hold the interpreter throughout: one gap as long as the whole parse.
    assert gap.longest_s < gap.parse_s / 3, gap


# Long strings are decoded a piece at a time; a piece must never end inside an escape.
long_texts = st.lists(st.sampled_from(["a", "é", "\"", "\\", "\n", "\u2028", "😀", "\ud800",
                                       "\udfff", "x" * 200, "/"]), max_size=600).map("".join)


@given(long_texts, st.booleans())
def test_a_long_string_member_parses_as_json_loads_parses_it(body: str, ascii_only: bool) -> None:
    text = json.dumps({"body": body * 40, "after": [1]}, ensure_ascii=ascii_only)
    assert loads_in_steps(text, DECODER) == json.loads(text)


def test_a_surrogate_pair_across_a_piece_boundary_stays_one_character() -> None:
    for lead in range(4090, 4100):  # a pair escape straddling the 4,096th unit somewhere here
        text = json.dumps({"body": "a" * 64 * lead + "😀" * 10}, ensure_ascii=True)
        assert loads_in_steps(text, DECODER)["body"].endswith("😀" * 10)


@pytest.mark.parametrize("text", ['{"a": "tab\there"}', '{"a": "bad \\x escape"}',
                                  '{"a": "not ended', '{"a": "\\ud83d\\u12"}'])
def test_a_broken_string_is_left_to_json_loads(text: str) -> None:
    with pytest.raises(StepwiseError):
        loads_in_steps(text, DECODER)
    with pytest.raises(ValueError):
        json.loads(text)


def test_a_document_with_a_big_body_lets_other_threads_run_while_it_is_parsed() -> None:
    body = json.dumps({"messages": [{"to": "447700900000", "message-id": f"M{index}"}
                                    for index in range(60_000)]})
    text = json.dumps({"format": "smsgui-response", "body": body}, indent=2)
    parsed, gap = _parse_while_another_thread_ticks(text)
    assert parsed["body"] == body
    assert gap.longest_s < gap.parse_s / 3, gap


@dataclass(frozen=True)
class TickGap:
    """How long a parse took, and the longest another thread waited between two ticks."""

    parse_s: float
    longest_s: float


def _parse_while_another_thread_ticks(text: str) -> tuple[Any, TickGap]:
    """The parsed text, and how long a thread ticking every millisecond waited at most."""
    ticks: list[float] = []
    done = threading.Event()

    def tick() -> None:
        while not done.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    ticker = threading.Thread(target=tick)
    ticker.start()
    try:
        time.sleep(0.01)
        started = time.perf_counter()
        parsed = loads_in_steps(text, DECODER)
        ended = time.perf_counter()
    finally:
        done.set()
        ticker.join()
    during = [started, *(at for at in ticks if started < at < ended), ended]
    longest = max(later - earlier for earlier, later in itertools.pairwise(during))
    return parsed, TickGap(ended - started, longest)
