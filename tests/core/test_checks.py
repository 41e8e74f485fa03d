"""Pre-send checks: one table row per finding, the tricky numbers by hand, and properties."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import smsgui
from smsgui.core.api.apitypes import SmsOptions
from smsgui.core.checks.checks import (
    CheckReport,
    Draft,
    Finding,
    FindingSeverity,
    check_draft,
    check_options,
    check_recipient,
    check_sender,
    check_text,
    split_recipients,
)
from smsgui.core.checks.segments import Encoding
from smsgui.core.reference.countries import country_name
from smsgui.core.reference.knowledge import default_knowledge_base

BLOCKING = FindingSeverity.BLOCKING
WARNING = FindingSeverity.WARNING
INFO = FindingSeverity.INFO

CLEAN_DRAFT = Draft(recipients=("447911123456",), sender="Acme", text="Hello")
"""To Guernsey, which has no country rules of its own in smsgui's table: only that is noted."""
COUNTRY_UNKNOWN = ("check-country-unknown", FindingSeverity.INFO)

CHECK_IDS = {
    "check-to-missing",
    "check-to-not-a-number",
    "check-to-prefix",
    "check-to-no-country-code",
    "check-to-invalid",
    "check-to-fixed-line",
    "check-to-short-code",
    "check-to-length",
    "check-to-test-number",
    "check-to-duplicate",
    "check-from-missing",
    "check-from-alphanumeric-too-long",
    "check-from-numeric-too-long",
    "check-from-invalid-characters",
    "check-from-alphanumeric-to-north-america",
    "check-text-missing",
    "check-text-ucs2",
    "check-text-unicode-as-text",
    "check-text-unicode-not-needed",
    "check-text-multipart",
    "check-text-many-parts",
    "check-text-too-long",
    "check-callback-too-long",
    "check-callback-invalid",
    "check-client-ref-too-long",
    "check-ttl-out-of-range",
    "check-binary-missing",
    "check-binary-not-hex",
    "check-binary-udh-length",
    "check-binary-multipart",
    "check-binary-without-type",
    "check-message-class",
    "check-protocol-id",
    "check-dlt-id-shape",
    "check-reference-invalid",
    "check-account-ref",
    "check-trusted-number",
    "check-country-dlt",
    "check-country-sender-not-supported",
    "check-country-sender-replaced",
    "check-country-sender-registration",
    "check-country-registration",
    "check-country-no-receipts",
    "check-country-long-message",
    "check-country-unicode",
    "check-country-content",
    "check-country-unknown",
    "check-country-shared-code",
    "check-messages-text-too-long",
    "check-messages-binary",
    "check-messages-sms-only-options",
}

# (changes to the clean draft, entry id, severity)
FINDING_CASES: list[tuple[dict[str, Any], str, FindingSeverity]] = [
    ({"recipients": ()}, "check-to-missing", BLOCKING),
    ({"recipients": (" ,; \n",)}, "check-to-missing", BLOCKING),
    ({"recipients": ("07911 ABC123",)}, "check-to-not-a-number", BLOCKING),
    ({"recipients": ("447911123456#",)}, "check-to-not-a-number", BLOCKING),
    ({"recipients": ("44+7911123456",)}, "check-to-not-a-number", BLOCKING),
    ({"recipients": ("+447911123456",)}, "check-to-prefix", INFO),
    ({"recipients": ("0044 7911 123456",)}, "check-to-prefix", INFO),
    ({"recipients": ("07911 123456",), "default_region": "GB"}, "check-to-no-country-code", INFO),
    ({"recipients": ("07911 123456",)}, "check-to-no-country-code", BLOCKING),
    ({"recipients": ("+999123456789",)}, "check-to-invalid", WARNING),
    ({"recipients": ("+4479111234",)}, "check-to-invalid", WARNING),
    ({"recipients": ("442079460000",)}, "check-to-fixed-line", WARNING),
    ({"recipients": ("60300",), "default_region": "GB"}, "check-to-short-code", WARNING),
    ({"recipients": ("60300",), "default_region": "GB"}, "check-to-length", BLOCKING),
    ({"recipients": ("123456",)}, "check-to-length", BLOCKING),
    ({"recipients": ("+44 7911 1234 5678 9012",)}, "check-to-length", BLOCKING),
    ({"recipients": ("447700900000",)}, "check-to-test-number", INFO),
    (
        {"recipients": ("+447911123456", "07911 123456"), "default_region": "GB"},
        "check-to-duplicate",
        WARNING,
    ),
    ({"sender": "  "}, "check-from-missing", BLOCKING),
    ({"sender": "Acme Corporation"}, "check-from-alphanumeric-too-long", BLOCKING),
    ({"sender": "AcmeShopLtd1"}, "check-from-alphanumeric-too-long", BLOCKING),
    ({"sender": "+4479111234567890"}, "check-from-numeric-too-long", BLOCKING),
    ({"sender": "Acme-Shop"}, "check-from-invalid-characters", BLOCKING),
    ({"sender": "Café"}, "check-from-invalid-characters", BLOCKING),
    (
        {"recipients": ("12025550123",), "sender": "Acme"},
        "check-from-alphanumeric-to-north-america",
        WARNING,
    ),
    ({"text": ""}, "check-text-missing", BLOCKING),
    ({"text": "Hello 😀"}, "check-text-ucs2", INFO),
    ({"text": "你好", "message_type": "text"}, "check-text-unicode-as-text", WARNING),
    ({"text": "a" * 100, "message_type": "unicode"}, "check-text-unicode-not-needed", INFO),
    ({"text": "a" * 161}, "check-text-multipart", INFO),
    ({"text": "a" * (153 * 6 + 1)}, "check-text-many-parts", WARNING),
    ({"text": "a" * 3201}, "check-text-too-long", BLOCKING),
    ({"text": "a" * 1001, "via_messages_api": True}, "check-messages-text-too-long", BLOCKING),
    ({"message_type": "binary", "options": SmsOptions(udh="050003CC0201", body="0102"),
      "via_messages_api": True}, "check-messages-binary", BLOCKING),
    ({"options": SmsOptions(message_class=1), "via_messages_api": True},
     "check-messages-sms-only-options", WARNING),
    ({"callback": "https://example.com/" + "a" * 81}, "check-callback-too-long", BLOCKING),
    ({"callback": "example.com/dlr"}, "check-callback-invalid", BLOCKING),
    ({"callback": "ftp://example.com/dlr"}, "check-callback-invalid", BLOCKING),
    ({"callback": "https://"}, "check-callback-invalid", BLOCKING),
    ({"callback": "https://exa mple.com/"}, "check-callback-invalid", BLOCKING),
    ({"callback": "http://[::1/dlr"}, "check-callback-invalid", BLOCKING),
    ({"callback": "https://example.com:port/"}, "check-callback-invalid", BLOCKING),
    ({"client_ref": "x" * 41}, "check-client-ref-too-long", WARNING),
    ({"client_ref": "x" * 101}, "check-client-ref-too-long", BLOCKING),
    ({"ttl_ms": 19_999}, "check-ttl-out-of-range", BLOCKING),
    ({"ttl_ms": 604_800_001}, "check-ttl-out-of-range", BLOCKING),
    ({"message_type": "binary", "options": SmsOptions(udh="050003CC0201")}, "check-binary-missing",
     BLOCKING),
    ({"message_type": "binary", "options": SmsOptions(body="0g", udh="00")},
     "check-binary-not-hex", BLOCKING),
    ({"message_type": "binary", "options": SmsOptions(body="00", udh="0600")},
     "check-binary-udh-length", WARNING),
    ({"message_type": "binary", "options": SmsOptions(body="00" * 140, udh="00")},
     "check-binary-multipart", WARNING),
    ({"options": SmsOptions(body="00")}, "check-binary-without-type", WARNING),
    ({"options": SmsOptions(message_class=4)}, "check-message-class", BLOCKING),
    ({"options": SmsOptions(protocol_id=256)}, "check-protocol-id", BLOCKING),
    ({"options": SmsOptions(entity_id="1101-4563")}, "check-dlt-id-shape", WARNING),
    ({"options": SmsOptions(pool_id="a\nb")}, "check-reference-invalid", WARNING),
    ({"options": SmsOptions(account_ref="x" * 101)}, "check-reference-invalid", WARNING),
    ({"options": SmsOptions(account_ref="customer1234")}, "check-account-ref", INFO),
    ({"options": SmsOptions(trusted_number=True)}, "check-trusted-number", INFO),
    ({"recipients": ("919876543210",)}, "check-country-dlt", WARNING),
    ({"recipients": ("5491123456789",)}, "check-country-sender-not-supported", WARNING),
    ({"recipients": ("573001234567",)}, "check-country-sender-replaced", WARNING),
    ({"recipients": ("5511912345678",)}, "check-country-sender-registration", WARNING),
    ({"recipients": ("12025550123",)}, "check-country-registration", INFO),
    ({"recipients": ("573001234567",)}, "check-country-no-receipts", INFO),
    ({"recipients": ("79001234567",), "text": "a" * 161}, "check-country-long-message", WARNING),
    ({"recipients": ("6281234567890",), "text": "😀"}, "check-country-unicode", WARNING),
    ({"recipients": ("5511912345678",)}, "check-country-content", INFO),
    ({"recipients": ("3541234567",)}, "check-country-unknown", INFO),
    ({"recipients": ("+1 999 1234567",)}, "check-country-shared-code", INFO),
]

CLEAN_CASES: list[dict[str, Any]] = [
    {},
    {"sender": "AcmeShopLtd"},
    {"sender": "Acme Shop Ltd"},
    {"sender": "447700900000"},
    {"sender": "+123456789012345"},
    {"sender": "00123456789012345"},
    {"text": "a" * 160},
    {"text": "€" * 80},
    {"text": "Hello", "message_type": "unicode"},
    {"text": "Привет", "message_type": "unicode"},
    {"text": "Hello", "message_type": "text"},
    {"callback": "https://example.com/" + "a" * 80},
    {"callback": "http://localhost:8000/dlr?x=1"},
    {"callback": ""},
    {"client_ref": "x" * 40},
    {"ttl_ms": 20_000},
    {"ttl_ms": 604_800_000},
    {"recipients": ("12025550123",), "sender": "12025550100"},
    {"recipients": ("447911123456", "447911123457")},
]


COUNTRY_NOTES = {"check-country-registration", "check-country-content",
                 "check-country-sender-registration"}
"""What the +1 clean cases are told about the United States' rules, whatever the draft."""


def _draft(**changes: Any) -> Draft:
    return dataclasses.replace(CLEAN_DRAFT, **changes)


def _ids(report: CheckReport) -> list[tuple[str, FindingSeverity]]:
    return [(finding.entry_id, finding.severity) for finding in report.findings]


@pytest.mark.parametrize(("changes", "entry_id", "severity"), FINDING_CASES)
def test_each_problem_gives_its_finding(
    changes: dict[str, Any], entry_id: str, severity: FindingSeverity
) -> None:
    report = check_draft(_draft(**changes))
    assert (entry_id, severity) in _ids(report)
    assert report.blocking == any(f.severity is BLOCKING for f in report.findings)


@pytest.mark.parametrize("changes", CLEAN_CASES)
def test_fine_drafts_have_no_findings(changes: dict[str, Any]) -> None:
    report = check_draft(_draft(**changes))
    assert [f for f in _ids(report) if f != COUNTRY_UNKNOWN and f[0] not in COUNTRY_NOTES] == []
    assert not report.blocking
    assert report.blocking_reason is None


def test_the_table_covers_every_finding_id() -> None:
    assert {entry_id for _, entry_id, _ in FINDING_CASES} == CHECK_IDS


def test_every_finding_id_is_in_the_knowledge_base() -> None:
    knowledge = default_knowledge_base()
    assert sorted(entry_id for entry_id in CHECK_IDS if entry_id not in knowledge) == []


@pytest.mark.parametrize(("changes", "entry_id", "severity"), FINDING_CASES)
def test_messages_are_one_sentence_naming_their_subject(
    changes: dict[str, Any], entry_id: str, severity: FindingSeverity
) -> None:
    finding = next(f for f in check_draft(_draft(**changes)).findings if f.entry_id == entry_id)
    assert finding.message[0].isupper() or finding.message[0] in '0123456789+"'
    assert finding.message.endswith(".")
    assert ". " not in finding.message.replace("e.g. ", "")
    if finding.field in {"to", "from"} and finding.subject and len(finding.subject) < 40:
        assert finding.subject in finding.message


# --- recipients by hand -----------------------------------------------------------------------


def test_uk_mobile() -> None:
    recipient, findings = check_recipient("+447911123456", None)
    assert recipient.e164 == "447911123456"
    assert recipient.number_type == "mobile"
    assert recipient.valid
    assert recipient.test_number is None
    assert [f.entry_id for f in findings] == ["check-to-prefix"]


def test_uk_landline_is_called_a_landline() -> None:
    recipient, findings = check_recipient("442079460000", None)
    assert (recipient.number_type, recipient.region, recipient.country) == (
        "fixed_line",
        "GB",
        "United Kingdom",
    )
    assert [(f.entry_id, f.severity) for f in findings] == [("check-to-fixed-line", WARNING)]


def test_us_numbers_are_never_called_landlines() -> None:
    recipient, findings = check_recipient("12025550123", None)
    assert recipient.e164 == "12025550123"
    assert recipient.number_type == "fixed_line_or_mobile"
    assert (recipient.region, recipient.country) == ("US", "United States")
    assert findings == []


def test_national_number_with_a_default_country_gets_its_country_code() -> None:
    recipient, findings = check_recipient("07911 123456", "GB")
    assert recipient.e164 == "447911123456"
    assert recipient.valid
    assert [(f.entry_id, f.severity) for f in findings] == [("check-to-no-country-code", INFO)]
    assert findings[0].message == (
        "07911 123456 has no country code; sent as 447911123456 (United Kingdom)."
    )


def test_national_number_without_a_default_country_blocks() -> None:
    recipient, findings = check_recipient("07911 123456", None)
    assert recipient.e164 is None
    assert not recipient.valid
    assert [(f.entry_id, f.severity) for f in findings] == [("check-to-no-country-code", BLOCKING)]


def test_drama_number_in_national_format() -> None:
    recipient, findings = check_recipient("07700 900123", "gb")
    assert (recipient.e164, recipient.country) == ("447700900123", "United Kingdom")
    assert findings[0].message == (
        "07700 900123 has no country code; sent as 447700900123 (United Kingdom)."
    )
    assert [f.entry_id for f in findings] == ["check-to-no-country-code", "check-to-test-number"]


def test_test_number_gets_its_description_and_no_invalid_warning() -> None:
    recipient, findings = check_recipient("447700900000", None)
    assert recipient.number_type == "sandbox_test"
    assert recipient.test_number is not None
    assert recipient.test_number.api_status == 0
    assert [(f.entry_id, f.severity) for f in findings] == [("check-to-test-number", INFO)]
    assert "447700900000" in findings[0].message


def test_status_test_number_names_the_status() -> None:
    _, findings = check_recipient("+447700900029", None)
    title = default_knowledge_base().for_status(29).title
    assert findings[-1].message == (
        f"447700900029 is a sandbox test number: the sandbox answers status 29 ({title})."
    )


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("+44 (0)7911 123456", None, "447911123456"),
        ("0044-7911-123456", None, "447911123456"),
        ("7911 123456", "GB", "447911123456"),
        ("447911123456", "GB", "447911123456"),
        ("33612345678", "GB", "33612345678"),
        ("(415) 555-0100", "US", "14155550100"),
        ("612345678", "FR", "33612345678"),
        ("0612345678", "FR", "33612345678"),
        ("+١٤١٥٥٥٥٠١٠٠", None, "14155550100"),
        ("07911 123456", "XX", None),
        ("07911 123456", "", None),
    ],
)
def test_numbers_are_normalized(raw: str, region: str | None, e164: str | None) -> None:
    recipient, _ = check_recipient(raw, region)
    assert recipient.e164 == e164


def test_drafts_flag_the_second_copy_of_a_number() -> None:
    report = check_draft(_draft(recipients=("+447911123456\n07911 123456",), default_region="GB"))
    duplicates = [f for f in report.findings if f.entry_id == "check-to-duplicate"]
    assert [f.subject for f in duplicates] == ["07911 123456"]
    assert [r.e164 for r in report.recipients] == ["447911123456", "447911123456"]


def test_split_recipients() -> None:
    assert split_recipients(" 447911123456, 447911123457;\n\n+1 202 555 0123 ;") == [
        "447911123456",
        "447911123457",
        "+1 202 555 0123",
    ]
    assert split_recipients(" \n , ") == []


# --- sender, text and options -----------------------------------------------------------------


def test_numeric_sender_is_not_warned_about_north_america() -> None:
    recipient, _ = check_recipient("12025550123", None)
    assert check_sender("12025550100", [recipient]) == []


def test_sender_spaces_do_not_count_towards_eleven() -> None:
    assert check_sender("Acme Shop Ltd", []) == []


def test_unusable_sender_characters_are_named() -> None:
    [finding] = check_sender("Acme_Shop", [])
    assert '"_"' in finding.message


def test_ucs2_finding_names_the_forcing_characters() -> None:
    count, findings = check_text("Bonjour ça va ê ç", "auto")
    assert count.encoding is Encoding.UCS2
    assert [f.entry_id for f in findings] == ["check-text-ucs2"]
    assert '"ç" and "ê"' in findings[0].message


def test_invisible_forcing_characters_are_named_readably() -> None:
    _, findings = check_text("a\tb", "auto")
    assert "U+0009" in findings[0].message


def test_multipart_finding_gives_way_to_many_parts() -> None:
    _, findings = check_text("a" * 153 * 7, "auto")
    assert [f.entry_id for f in findings] == ["check-text-many-parts"]
    _, findings = check_text("a" * 153 * 6, "auto")
    assert [f.entry_id for f in findings] == ["check-text-multipart"]


def test_unicode_not_needed_only_when_it_costs_parts() -> None:
    _, findings = check_text("a" * 71, "unicode")
    assert [f.entry_id for f in findings] == [
        "check-text-unicode-not-needed",
        "check-text-multipart",
    ]
    _, findings = check_text("a" * 70, "unicode")
    assert findings == []


def test_options_unset_are_fine() -> None:
    assert check_options(None, None, None) == []


def test_blocking_reason_is_the_first_blocking_message() -> None:
    report = check_draft(_draft(recipients=(), sender=""))
    assert report.blocking
    assert report.blocking_reason == report.findings[0].message
    assert report.findings[0].entry_id == "check-to-missing"


def test_country_names() -> None:
    assert country_name("GB") == "United Kingdom"
    assert country_name("DE") == "Germany"
    assert country_name("QQ") == "QQ"
    assert country_name(None) is None


def test_checks_do_not_load_the_slow_geocoder() -> None:
    code = (
        "import sys; from smsgui.core.checks.checks import Draft, check_draft; "
        "check_draft(Draft(recipients=('+447911123456', '12025550123'), sender='A', text='x')); "
        "assert 'phonenumbers.geocoder' not in sys.modules; assert 'PySide6' not in sys.modules"
    )
    source_root = Path(smsgui.__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-c", code], check=True, cwd=source_root)


# --- properties -------------------------------------------------------------------------------

PHONE_LIKE = st.text(alphabet="0123456789 +-()", max_size=20)
REGIONS = st.one_of(st.none(), st.sampled_from(["GB", "US", "DE", "FR", "IN", "gb"]), st.text())
ANY_DRAFT = st.builds(
    Draft,
    recipients=st.lists(st.one_of(PHONE_LIKE, st.text()), max_size=4).map(tuple),
    sender=st.one_of(st.text(), PHONE_LIKE),
    text=st.text(),
    message_type=st.sampled_from(["auto", "text", "unicode", "binary"]),
    default_region=REGIONS,
    callback=st.one_of(st.none(), st.text()),
    client_ref=st.one_of(st.none(), st.text()),
    ttl_ms=st.one_of(st.none(), st.integers()),
    options=st.builds(
        SmsOptions,
        message_class=st.one_of(st.none(), st.integers()),
        body=st.one_of(st.none(), st.text(), st.binary(max_size=300).map(bytes.hex)),
        udh=st.one_of(st.none(), st.text(max_size=20), st.binary(max_size=12).map(bytes.hex)),
        protocol_id=st.one_of(st.none(), st.integers()),
        entity_id=st.one_of(st.none(), st.text(max_size=30)),
        content_id=st.one_of(st.none(), st.text(max_size=30)),
    ),
)


@settings(deadline=None)
@given(ANY_DRAFT)
def test_check_draft_never_fails(draft: Draft) -> None:
    report = check_draft(draft)
    assert all(finding.entry_id in CHECK_IDS for finding in report.findings)
    assert all(isinstance(finding, Finding) for finding in report.findings)
    for recipient in report.recipients:
        if recipient.e164 is not None:
            assert recipient.e164.isascii() and recipient.e164.isdigit()
            assert 7 <= len(recipient.e164) <= 15
    unsendable = [r for r in report.recipients if r.e164 is None]
    if unsendable:
        assert any(f.field == "to" and f.severity is BLOCKING for f in report.findings)


@settings(deadline=None)
@given(PHONE_LIKE, REGIONS)
def test_phone_like_input_resolves_to_e164_or_blocks(raw: str, region: str | None) -> None:
    recipient, findings = check_recipient(raw, region)
    if recipient.e164 is None:
        assert any(f.severity is BLOCKING for f in findings)
    else:
        assert recipient.e164.isdigit() and 7 <= len(recipient.e164) <= 15
        assert not any(f.severity is BLOCKING for f in findings)


def test_the_messages_api_checks_apply_only_to_a_messages_profile() -> None:
    draft = dataclasses.replace(CLEAN_DRAFT, text="a" * 1001, options=SmsOptions(protocol_id=64,
                                                                      account_ref="crm"))
    assert not _messages_findings(draft)
    findings = _messages_findings(dataclasses.replace(draft, via_messages_api=True))
    assert [finding.entry_id for finding in findings] == [
        "check-messages-text-too-long", "check-messages-sms-only-options"]
    assert findings[1].message == ("The Messages API leaves out the protocol ID and account"
                                   " reference, which only the SMS API takes.")
    assert not _messages_findings(dataclasses.replace(CLEAN_DRAFT, text="a" * 1000,
                                                      via_messages_api=True))


def _messages_findings(draft: Draft) -> list[Finding]:
    return [finding for finding in check_draft(draft).findings
            if finding.entry_id.startswith("check-messages-")]


@pytest.mark.parametrize(("number", "says"), [
    ("447700900106", 'status webhook "rejected" with error 1210'),
    ("447700900029", "answers HTTP 403"),
    ("447700900201", 'reports it "submitted"; no final status follows'),
])
def test_a_test_numbers_note_follows_the_profiles_api(number: str, says: str) -> None:
    """A Messages API profile is told what the Messages API will answer, not the SMS API."""
    def note(via_messages_api: bool) -> str:
        report = check_draft(dataclasses.replace(CLEAN_DRAFT, recipients=(number,),
                                                 via_messages_api=via_messages_api))
        (finding,) = [f for f in report.findings if f.entry_id == "check-to-test-number"]
        return finding.message

    assert says in note(True)
    assert says not in note(False) and "status webhook" not in note(False)
