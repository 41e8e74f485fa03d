"""The country rules table: every record valid, every fact sourced, the loader strict.

The invariants are checked twice on purpose: on the raw TOML (so a loader that silently dropped
something cannot hide it) and on the typed records the checks use.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import phonenumbers
import pytest

from smsgui.core.reference.countries import known_countries
from smsgui.core.reference.destinations import (
    FACT_TOPICS,
    ContentRule,
    DestinationDataError,
    DestinationTable,
    Registration,
    SenderRule,
    ShortCodeRule,
    Support,
    default_destination_table,
    load_destinations,
    parse_destinations,
)
from smsgui.core.reference.resources import resource_path

RAW: dict[str, Any] = tomllib.loads(resource_path("destinations.toml").read_text("utf-8"))
TABLE: DestinationTable = default_destination_table()
NAMED_IN_THE_ISSUE = ("IN", "US", "CA", "BR", "CN", "SG", "SA", "AE", "TR")
"""Countries whose rules are the usual reasons an accepted message never arrives."""
MOST_TRAFFIC = 60
FIRST_CHECK = date(2020, 1, 1)
TODAY = date(2026, 12, 3)
MAX_NOTE = 300

ALLOWED = {
    "alphanumeric_sender": {"rule": set(SenderRule)},
    "numeric_sender": {"rule": set(SenderRule)},
    "short_code": {"rule": set(ShortCodeRule)},
    "registration": {"needs": set(Registration)},
    "receipts": {"rule": set(Support)},
    "concatenation": {"rule": set(Support)},
    "unicode": {"rule": set(Support)},
    "content": {"rules": set(ContentRule)},
}


def test_the_table_covers_the_busiest_countries_and_every_one_the_issue_names() -> None:
    assert len(TABLE) >= MOST_TRAFFIC
    assert {iso for iso in NAMED_IN_THE_ISSUE if TABLE.get(iso) is None} == set()


@pytest.mark.parametrize("iso", sorted(RAW))
def test_each_country_has_a_real_iso_code_and_its_own_dialing_code(iso: str) -> None:
    record = RAW[iso]
    assert iso in phonenumbers.SUPPORTED_REGIONS
    assert iso in known_countries()
    assert record["dialing_code"] == str(phonenumbers.country_code_for_region(iso))
    assert record["name"].strip()


@pytest.mark.parametrize("iso", sorted(RAW))
def test_every_fact_uses_allowed_values_and_names_a_dated_https_source(iso: str) -> None:
    record = RAW[iso]
    sources = record["sources"]
    for key, source in sources.items():
        assert source["url"].startswith("https://"), key
        assert FIRST_CHECK <= date.fromisoformat(source["checked"]) <= TODAY, key
    facts = {topic: record[topic] for topic in FACT_TOPICS if topic in record}
    assert facts, "a country without a single documented fact"
    for topic, fact in facts.items():
        assert fact["source"] in sources, topic
        note = fact["note"].strip()
        assert note.endswith(".") and len(note) <= MAX_NOTE, topic
        for key, allowed in ALLOWED[topic].items():
            values = fact[key] if isinstance(fact[key], list) else [fact[key]]
            assert set(values) <= {str(value) for value in allowed}, (topic, values)


@pytest.mark.parametrize("iso", sorted(RAW))
def test_every_source_is_used_by_a_fact(iso: str) -> None:
    record = RAW[iso]
    used = {record[topic]["source"] for topic in FACT_TOPICS if topic in record}
    assert set(record["sources"]) == used


def test_the_loader_keeps_every_fact_of_the_file() -> None:
    raw_facts = sum(1 for record in RAW.values() for topic in FACT_TOPICS if topic in record)
    assert sum(1 for rules in TABLE for _ in rules.facts()) == raw_facts
    assert {rules.iso for rules in TABLE} == set(RAW)


def test_india_names_the_two_dlt_parameters_and_its_sources() -> None:
    india = TABLE.get("IN")
    assert india is not None and india.registration is not None
    assert india.registration_parameters == ("entity-id", "content-id")
    assert {Registration.ENTITY, Registration.TEMPLATE} <= india.needs
    assert india.registration.source.url.startswith("https://developer.vonage.com/")


def test_singapore_says_likely_scam_and_the_us_refuses_letter_senders() -> None:
    singapore, united_states = TABLE.get("SG"), TABLE.get("US")
    assert singapore is not None and singapore.alphanumeric_sender is not None
    assert singapore.alphanumeric_sender.replaced_by == "Likely-SCAM"
    assert united_states is not None and united_states.alphanumeric_sender is not None
    assert united_states.alphanumeric_sender.rule is SenderRule.NOT_SUPPORTED
    assert {Registration.TEN_DLC, Registration.TOLL_FREE} <= united_states.needs


@pytest.mark.parametrize(("query", "expected"), [
    ("india", "IN"), ("+91", "IN"), ("likely-scam", "SG"), ("dlt", "IN"), ("10dlc", "US"),
    ("SG", "SG"),
])
def test_search_finds_a_country_by_name_code_or_rule(query: str, expected: str) -> None:
    assert expected in [rules.iso for rules in TABLE.search(query)]


def test_countries_sharing_a_dialing_code_are_all_found() -> None:
    assert {rules.iso for rules in TABLE.sharing_dialing_code("1")} >= {"US", "CA"}


BAD_RECORDS: list[tuple[dict[str, Any], str]] = [
    ({"xx": {}}, "ISO"),
    ({"IN": {"name": "India", "dialing_code": "+91", "sources": {}}}, "dialing code"),
    ({"IN": {"name": "India", "dialing_code": "91", "sources": {},
             "receipts": {"rule": "supported", "note": "n.", "source": "vonage"}}}, "source"),
    ({"IN": {"name": "India", "dialing_code": "91",
             "sources": {"v": {"url": "https://x", "checked": "2026-12-03"}},
             "receipts": {"rule": "sometimes", "note": "n.", "source": "v"}}}, "sometimes"),
    ({"IN": {"name": "India", "dialing_code": "91",
             "sources": {"v": {"url": "http://x", "checked": "2026-12-03"}}}}, "https"),
    ({"IN": {"name": "India", "dialing_code": "91",
             "sources": {"v": {"url": "https://x", "checked": "yesterday"}}}}, "yesterday"),
    ({"IN": {"name": "India", "dialing_code": "91", "sources": {}, "colour": "red"}}, "colour"),
    ({"IN": {"name": "India", "dialing_code": "91",
             "sources": {"v": {"url": "https://x", "checked": "2026-12-03"}},
             "numeric_sender": {"rule": "supported", "replaced_by": "x", "note": "n.",
                                "source": "v"}}}, "replaced_by"),
    ({"IN": {"name": "India", "dialing_code": "91",
             "sources": {"v": {"url": "https://x", "checked": "2026-12-03"}},
             "registration": {"needs": [], "parameters": ["pin"], "note": "n.",
                              "source": "v"}}}, "pin"),
]


@pytest.mark.parametrize(("data", "named"), BAD_RECORDS)
def test_the_loader_refuses_a_malformed_record_and_names_the_problem(data: dict[str, Any],
                                                                     named: str) -> None:
    with pytest.raises(DestinationDataError, match=named):
        parse_destinations(data)


def test_a_file_that_is_not_toml_is_refused_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / "destinations.toml"
    path.write_text("[IN\nname = 1", encoding="utf-8")
    with pytest.raises(DestinationDataError, match=r"destinations\.toml"):
        load_destinations(path)


@pytest.mark.parametrize(("query", "first", "at_most"), [
    ("IN", "IN", 2), ("de", "DE", 2), ("US", "US", 2), ("+1", "CA", 3), ("ind", "IN", 2),
])
def test_a_code_or_a_name_finds_its_country_first_not_every_note_containing_it(
    query: str, first: str, at_most: int
) -> None:
    found = [rules.iso for rules in TABLE.search(query)]
    assert found[0] == first and len(found) <= at_most
