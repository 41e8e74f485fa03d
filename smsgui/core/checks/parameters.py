"""Checks of the SMS API's advanced parameters: binary content, classes, IDs and references.

The limits are SMS API 1.5.1's (``../shared/reference/sms-openapi-1.5.1.yml``): ``message-class``
0-3, ``protocol-id`` 0-255, ``body`` and ``udh`` hex and only with type ``binary``. India's DLT
IDs (``entity-id``, ``content-id``) are 19 digits in every published example, so another shape is
worth a warning, not a refusal: other countries may use other IDs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final, Literal

from smsgui.core.api.apitypes import SmsOptions
from smsgui.core.checks.findings import Finding, FindingField, FindingSeverity
from smsgui.core.checks.segments import SegmentCount, count_binary_segments

MESSAGE_CLASSES: Final = range(4)
PROTOCOL_IDS: Final = range(256)
DLT_ID_DIGITS: Final = 19
MAX_REFERENCE: Final = 100
"""A guard, not the API's limit (the spec gives none): longer references are most likely pasted
by mistake, so they are a warning."""
_DLT_ID = re.compile(rf"[0-9]{{{DLT_ID_DIGITS}}}")
_SHOWN: Final = 24
_Severity = Literal["blocking", "warning", "info"]


def hex_bytes(value: str) -> bytes | None:
    """The bytes of a hex text (spaces allowed between bytes), or None when it is not hex."""
    compact = "".join(value.split())
    if len(compact) % 2 or not re.fullmatch(r"[0-9A-Fa-f]*", compact):
        return None
    return bytes.fromhex(compact)


def check_parameters(message_type: str, options: SmsOptions) -> tuple[SegmentCount | None,
                                                                     list[Finding]]:
    """Check the advanced parameters; for a binary message, also count its parts.

    Returns the binary message's part count (None for text) and the findings.
    """
    findings: list[Finding] = []
    count = None
    if message_type == "binary":
        count, findings = _check_binary(options)
    elif options.body or options.udh:
        message = "A body or UDH is sent only with type Binary; choose Binary or clear them."
        findings.append(_finding("check-binary-without-type", "warning", "body", message))
    for check in _OPTION_CHECKS:
        findings += check(options)
    return count, findings


def _check_binary(options: SmsOptions) -> tuple[SegmentCount | None, list[Finding]]:
    body = _hex_field(options.body, "body", "Binary body")
    udh = _hex_field(options.udh, "udh", "User data header (UDH)")
    findings = [finding for finding in (body, udh) if isinstance(finding, Finding)]
    if findings:
        return None, findings
    assert isinstance(body, bytes) and isinstance(udh, bytes)
    findings += _udh_length_findings(udh)
    count = count_binary_segments(body, udh)
    if count.parts > 1:
        message = (
            f"The binary body has {len(body)} bytes and the header {len(udh)}: more than one"
            f" SMS holds ({count.parts} parts of up to {count.per_part} bytes), and many phones"
            " only read binary content that arrives in one part."
        )
        findings.append(_finding("check-binary-multipart", "warning", "body", message))
    return count, findings


def _hex_field(value: str | None, field: FindingField, label: str) -> bytes | Finding:
    if not value or not value.strip():
        message = f"{label} is empty: a binary message needs it as hex, such as 0605040B8423F0."
        return _finding("check-binary-missing", "blocking", field, message)
    data = hex_bytes(value)
    if data is None:
        message = (
            f"{label} {_quoted(value)} is not hex: use pairs of 0-9 and A-F, one pair per byte."
        )
        return _finding("check-binary-not-hex", "blocking", field, message, value)
    return data


def _udh_length_findings(udh: bytes) -> list[Finding]:
    """The header's first byte counts the bytes after it; a mismatch garbles the message."""
    if udh[0] == len(udh) - 1:
        return []
    message = (
        f"The UDH starts with length byte {udh[0]:02X} but {len(udh) - 1} bytes follow it;"
        " the phone will misread the message."
    )
    return [_finding("check-binary-udh-length", "warning", "udh", message, udh.hex().upper())]


def _check_message_class(options: SmsOptions) -> list[Finding]:
    return _out_of_range("check-message-class", "message_class", "Message class",
                         options.message_class, MESSAGE_CLASSES)


def _check_protocol_id(options: SmsOptions) -> list[Finding]:
    return _out_of_range("check-protocol-id", "protocol_id", "Protocol ID", options.protocol_id,
                         PROTOCOL_IDS)


def _out_of_range(entry_id: str, field: FindingField, label: str, value: int | None,
                  allowed: range) -> list[Finding]:
    if value is None or value in allowed:
        return []
    message = (f"{label} {value} is out of range: the API accepts {allowed.start} to"
               f" {allowed.stop - 1}.")
    return [_finding(entry_id, "blocking", field, message, str(value))]


def _check_dlt_ids(options: SmsOptions) -> list[Finding]:
    findings = []
    dlt_ids: tuple[tuple[FindingField, str, str | None], ...] = (
        ("entity_id", "Entity ID", options.entity_id),
        ("content_id", "Content Template ID", options.content_id))
    for field, label, value in dlt_ids:
        if value is None or _DLT_ID.fullmatch(value):
            continue
        message = (
            f"The {label} {_quoted(value)} is not {DLT_ID_DIGITS} digits, the shape India's DLT"
            " platform gives; copy it again from the DLT portal."
        )
        findings.append(_finding("check-dlt-id-shape", "warning", field, message, value))
    return findings


def _check_references(options: SmsOptions) -> list[Finding]:
    findings = []
    references: tuple[tuple[FindingField, str, str | None], ...] = (
        ("account_ref", "account reference", options.account_ref),
        ("pool_id", "number pool ID", options.pool_id))
    for field, label, value in references:
        if value is None:
            continue
        if len(value) > MAX_REFERENCE or not value.isprintable():
            message = (
                f"The {label} has {len(value)} characters or characters that cannot be sent;"
                f" keep it to at most {MAX_REFERENCE} printable characters."
            )
            findings.append(_finding("check-reference-invalid", "warning", field, message, value))
    if options.account_ref is not None:
        message = (
            "An account reference only separates billing once Vonage support has enabled it for"
            " the account."
        )
        findings.append(_finding("check-account-ref", "info", "account_ref", message))
    return findings


def _check_trusted_number(options: SmsOptions) -> list[Finding]:
    if not options.trusted_number:
        return []
    message = (
        "Trusted number skips Fraud Defender's rules for this message; it has an effect only on"
        " accounts with Fraud Defender Premium."
    )
    return [_finding("check-trusted-number", "info", "trusted_number", message)]


_OPTION_CHECKS: tuple[Callable[[SmsOptions], list[Finding]], ...] = (
    _check_message_class, _check_protocol_id, _check_dlt_ids, _check_references,
    _check_trusted_number,
)


def _finding(entry_id: str, severity: _Severity, field: FindingField, message: str,
             subject: str | None = None) -> Finding:
    return Finding(entry_id, FindingSeverity(severity), field, message, subject)


def _quoted(value: str) -> str:
    shown = value if len(value) <= _SHOWN else value[: _SHOWN - 1] + "…"
    return f'"{shown}"'
