"""The country checks: each destination country once, sourced, and calm about odd numbers."""

from __future__ import annotations

import pytest

from smsgui.core.api.apitypes import SmsOptions
from smsgui.core.checks.checks import Draft, Finding, FindingSeverity, check_draft
from smsgui.core.reference.destinations import default_destination_table

ENTITY_ID = "1101456324675322134"


def country_findings(*recipients: str, sender: str = "Acme", text: str = "hi",
                     options: SmsOptions | None = None) -> list[Finding]:
    draft = Draft(recipients, sender, text, options=options or SmsOptions())
    return [f for f in check_draft(draft).findings if f.entry_id.startswith("check-country-")]


def test_every_country_rule_finding_names_its_country_source_and_date() -> None:
    findings = country_findings("919876543210", "5511912345678", "6591234567", "573001234567",
                                "12025550123", text="😀" * 80)
    sourced = [f for f in findings if f.entry_id not in {"check-country-unknown",
                                                         "check-country-shared-code"}]
    assert sourced
    for finding in sourced:
        rules = default_destination_table().get(finding.country)
        assert rules is not None and finding.message.startswith(rules.name)
        assert finding.source is not None and finding.source.startswith("https://")
        assert finding.checked_on is not None and finding.detail


def test_a_batch_names_each_country_once() -> None:
    findings = country_findings("919876543210", "919876543211", "+91 98765 43212")
    assert [f.entry_id for f in findings].count("check-country-dlt") == 1


@pytest.mark.parametrize(("number", "region"), [
    ("+7 123 456 7890", "RU"),  # +7: Russia and Kazakhstan
    ("+1 999 1234567", "US"),   # +1: the NANP countries
])
def test_an_unplaced_number_on_a_shared_code_says_the_rules_may_not_apply(
    number: str, region: str
) -> None:
    (shared,) = [f for f in country_findings(number) if f.entry_id == "check-country-shared-code"]
    assert shared.severity is FindingSeverity.INFO and shared.country == region
    assert "may not apply" in shared.message


def test_a_placed_kazakh_number_gets_kazakhstans_rules_not_russias() -> None:
    countries = {f.country for f in country_findings("77012345678")}
    assert countries == {"KZ"}


def test_a_crown_dependency_on_44_is_unknown_rather_than_british() -> None:
    (unknown,) = country_findings("447911123456")
    assert unknown.entry_id == "check-country-unknown" and "Guernsey" in unknown.message


def test_a_number_no_database_can_place_is_said_so_without_a_crash() -> None:
    (unknown,) = country_findings("882123456789")
    assert unknown.entry_id == "check-country-unknown" and unknown.country is None


def test_the_sender_rule_follows_the_kind_of_sender() -> None:
    by_name = country_findings("5511912345678", sender="Acme")
    by_number = country_findings("5511912345678", sender="5511912340000")
    assert any(f.field == "from" and "letter senders" in f.message for f in by_name)
    assert any(f.field == "from" and "number senders" in f.message for f in by_number)
    assert not any(f.field == "from" for f in country_findings("4915112345678", sender="Acme"))


def test_names_to_plus_one_are_left_to_the_north_america_check() -> None:
    findings = check_draft(Draft(("12025550123",), "Acme", "hi")).findings
    entries = [f.entry_id for f in findings]
    assert "check-from-alphanumeric-to-north-america" in entries
    assert "check-country-sender-not-supported" not in entries


def test_the_dlt_finding_asks_only_for_the_missing_id() -> None:
    (dlt,) = [f for f in country_findings("919876543210", options=SmsOptions(entity_id=ENTITY_ID))
              if f.entry_id == "check-country-dlt"]
    assert "Content Template ID" in dlt.message and "Entity ID" not in dlt.message
    assert dlt.field == "content_id" and dlt.severity is FindingSeverity.WARNING


def test_long_and_unicode_messages_are_flagged_only_where_the_country_limits_them() -> None:
    long_text = "a" * 200
    assert "check-country-long-message" in {
        f.entry_id for f in country_findings("79001234567", text=long_text)}
    assert "check-country-long-message" not in {
        f.entry_id for f in country_findings("79001234567", text="short")}
