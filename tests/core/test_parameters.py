"""The SMS API's advanced parameters: how they are sent, checked and counted."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smsgui.core.api.apitypes import ADVANCED_FIELDS, OutgoingSms, SmsOptions
from smsgui.core.checks.parameters import check_parameters, hex_bytes
from smsgui.core.checks.segments import Encoding, count_binary_segments

WAP_PUSH_UDH = "0605040B8423F0"


def test_every_parameter_goes_out_under_the_specs_name() -> None:
    options = SmsOptions(message_class=1, body="0011", udh=WAP_PUSH_UDH, protocol_id=127,
                         account_ref="customer1234", entity_id="1101456324675322134",
                         content_id="1107457532145798767", trusted_number=True, pool_id="abc123")
    message = OutgoingSms("447700900000", "Acme", "", "binary", "ref", "https://e.x/dlr", 60_000,
                          True, options)
    fields = message.form_fields()
    assert set(ADVANCED_FIELDS) <= set(fields)
    assert fields["body"] == "0011" and fields["udh"] == WAP_PUSH_UDH
    assert fields["trusted-number"] == "true" and fields["protocol-id"] == "127"


def test_binary_fields_are_left_out_of_a_text_message_and_unset_ones_are_never_sent() -> None:
    fields = OutgoingSms("447700900000", "Acme", "Hi", options=SmsOptions(body="00")).form_fields()
    assert fields == {"from": "Acme", "to": "447700900000", "text": "Hi", "type": "text"}


@pytest.mark.parametrize(("text", "expected"), [
    ("0605040B8423F0", bytes.fromhex("0605040B8423F0")), ("06 05 04", b"\x06\x05\x04"),
    ("", b""), ("0", None), ("0g", None), ("\u0660\u0660", None), ("0x00", None),
])
def test_hex_is_read_as_pairs_of_digits(text: str, expected: bytes | None) -> None:
    assert hex_bytes(text) == expected


@pytest.mark.parametrize(("body", "udh", "parts", "per_part"), [
    (0, 0, 0, 140), (140, 0, 1, 140), (141, 0, 2, 134), (133, 7, 1, 133), (134, 7, 2, 128),
    (300, 7, 3, 128),
])
def test_binary_parts_come_from_the_real_byte_length(body: int, udh: int, parts: int,
                                                     per_part: int) -> None:
    count = count_binary_segments(b"\0" * body, bytes([udh - 1]) + b"\0" * (udh - 1)
                                  if udh else b"")
    assert (count.parts, count.per_part, count.encoding) == (parts, per_part, Encoding.BINARY)


@given(st.binary(max_size=2000), st.binary(min_size=1, max_size=20))
def test_binary_parts_always_hold_the_whole_body(body: bytes, udh: bytes) -> None:
    count = count_binary_segments(body, udh)
    assert count.parts * count.per_part >= len(body)
    assert 0 <= count.remaining <= count.per_part


def test_a_valid_binary_message_is_counted_and_passes() -> None:
    count, findings = check_parameters("binary", SmsOptions(body="00" * 10, udh=WAP_PUSH_UDH))
    assert findings == [] and count is not None and count.parts == 1


@given(st.text(max_size=40), st.text(max_size=40), st.integers(), st.integers())
def test_no_parameter_value_makes_the_checks_fail(body: str, entity: str, message_class: int,
                                                  protocol_id: int) -> None:
    options = SmsOptions(message_class=message_class, body=body, udh=body, protocol_id=protocol_id,
                         entity_id=entity, content_id=entity, account_ref=entity, pool_id=entity)
    for message_type in ("binary", "text"):
        _, findings = check_parameters(message_type, options)
        assert all(finding.message.endswith(".") for finding in findings)


def test_hex_typed_with_spaces_goes_out_without_them() -> None:
    message = OutgoingSms("447700900000", "Acme", "", "binary",
                          options=SmsOptions(body="00 11 22", udh="05 00 03 CC 02 01"))
    fields = message.form_fields()
    assert (fields["body"], fields["udh"]) == ("001122", "050003CC0201")
