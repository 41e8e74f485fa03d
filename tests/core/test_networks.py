"""The shipped network table and its look-ups."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smsgui.core.reference.networks import NetworkTable, default_network_table
from smsgui.core.reference.resources import resource_path

SHARED_LIST = (Path(__file__).resolve().parents[3]
               / "shared" / "data" / "mcc-mnc" / "mcc-mnc-list.json")


@pytest.fixture(scope="module")
def table() -> NetworkTable:
    return default_network_table()


@pytest.mark.parametrize(
    ("code", "operator", "country"),
    [
        ("23410", "O2 (UK)", "United Kingdom"),
        ("23420", "3", "United Kingdom"),
        ("20201", "Cosmote", "Greece"),
        ("310260", "T-Mobile", "United States of America"),
    ],
)
def test_codes_from_real_responses_decode(
    table: NetworkTable, code: str, operator: str, country: str
) -> None:
    network = table.lookup(code, "GB" if code.startswith("234") else None)
    assert network is not None
    assert network.operator == operator
    assert country in (network.country or "")


def test_a_shared_code_prefers_the_recipients_country(table: NetworkTable) -> None:
    assert {n.country_code for n in table.candidates("310260")} >= {"US", "PR", "VI"}
    puerto_rico = table.lookup("310260", "PR")
    assert puerto_rico is not None and puerto_rico.country_code == "PR"
    us = table.lookup("310260", "us")
    assert us is not None and us.country_code == "US"


def test_two_and_three_digit_mncs_are_different_networks(table: NetworkTable) -> None:
    assert table.candidates("00101") != table.candidates("001001") or not table.candidates("00101")
    assert table.candidates("23410") and not table.candidates("234010")


def test_unknown_but_well_formed_code_keeps_the_code(table: NetworkTable) -> None:
    network = table.lookup("99988")
    assert network is not None
    assert network.operator is None and network.code == "99988"
    assert network.label == "unknown network (99988)"


@pytest.mark.parametrize("junk", [None, "", "abc", "1234", "1234567", 3.5, ["23410"], {"a": 1}])
def test_junk_is_not_a_network(table: NetworkTable, junk: object) -> None:
    assert table.lookup(junk) is None


def test_numbers_are_accepted_as_codes(table: NetworkTable) -> None:
    network = table.lookup(23410)
    assert network is not None and network.operator == "O2 (UK)"


def test_table_keeps_its_license_and_credit() -> None:
    header = resource_path("networks.tsv").read_text(encoding="utf-8").splitlines()[:4]
    assert any("Wikipedia" in line for line in header)
    license_text = resource_path("networks.LICENSE").read_text(encoding="utf-8")
    assert "Peter Bakondy" in license_text and "CC BY-SA" in license_text


@pytest.mark.skipif(not SHARED_LIST.exists(), reason="no shared source list beside the repo")
def test_every_usable_source_row_is_in_the_table(table: NetworkTable) -> None:
    records = json.loads(SHARED_LIST.read_text(encoding="utf-8"))
    usable = {
        r["mcc"] + r["mnc"] for r in records
        if r["mcc"].isdigit() and r["mnc"].isdigit() and len(r["mnc"]) in (2, 3)
    }
    missing = [code for code in usable if not table.candidates(code)]
    assert not missing
    assert len(table) >= 3000


def test_a_country_has_a_stand_in_network(table: NetworkTable) -> None:
    german = table.for_country("de")
    assert german is not None and german.country_code == "DE" and german.code.startswith("262")
    assert table.for_country("QQ") is None
