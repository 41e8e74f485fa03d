"""Invariants of the shipped knowledge base: every code covered, every field filled in."""

from __future__ import annotations

import re

import pytest

from smsgui.core.reference.knowledge import (
    Kind,
    KnowledgeBase,
    KnowledgeBaseError,
    Retry,
    default_knowledge_base,
    parse_entries,
)

API_STATUS_CODES = [*range(13), 14, 15, 17, 22, 23, 29, 32, 33]
HTTP_CODES = ["3xx", "401", "403", "404", "422", "429", "4xx", "5xx"]
RECEIPT_STATUSES = ["accepted", "delivered", "buffered", "expired", "failed", "rejected", "unknown",
                    "deleted"]
RECEIPT_ERROR_CODES = [*range(16), 50, 51, 52, 53, 54, 95, 99]
TRANSPORT_IDS = [
    "transport-connection-refused", "transport-dns", "transport-tls", "transport-tls-certificate",
    "transport-connect-timeout", "transport-read-timeout", "transport-write-timeout",
    "transport-connection-lost", "transport-insecure-url", "transport-invalid-url",
    "transport-other",
]
RESPONSE_IDS = [
    "response-empty", "response-not-json", "response-invalid-json", "response-xml",
    "response-html", "response-no-messages", "response-error-object", "response-unrecognized",
    "response-too-large",
]
CHECK_IDS = [
    "check-to-missing", "check-to-not-a-number", "check-to-prefix", "check-to-no-country-code",
    "check-to-invalid", "check-to-fixed-line", "check-to-short-code", "check-to-length",
    "check-to-test-number", "check-to-duplicate",
    "check-from-missing", "check-from-alphanumeric-too-long", "check-from-numeric-too-long",
    "check-from-invalid-characters", "check-from-alphanumeric-to-north-america",
    "check-text-missing", "check-text-ucs2", "check-text-unicode-as-text",
    "check-text-unicode-not-needed", "check-text-multipart", "check-text-many-parts",
    "check-text-too-long",
    "check-callback-too-long", "check-callback-invalid", "check-client-ref-too-long",
    "check-ttl-out-of-range",
    "check-messages-text-too-long", "check-messages-binary", "check-messages-sms-only-options",
]
SEED_LINKS = {
    "status-1": "https://help.nexmo.com/hc/en-us/articles/203993598",
}


@pytest.fixture(scope="module")
def knowledge() -> KnowledgeBase:
    return default_knowledge_base()


@pytest.mark.parametrize("code", API_STATUS_CODES)
def test_every_api_status_code_has_an_entry(knowledge: KnowledgeBase, code: int) -> None:
    entry = knowledge.for_status(code)
    assert entry.id == f"status-{code}"
    assert entry.kind is Kind.API_STATUS


@pytest.mark.parametrize("code", HTTP_CODES)
def test_every_http_failure_has_an_entry(knowledge: KnowledgeBase, code: str) -> None:
    assert knowledge.lookup(Kind.HTTP, code) is not None


@pytest.mark.parametrize("status", RECEIPT_STATUSES)
def test_every_receipt_status_has_an_entry(knowledge: KnowledgeBase, status: str) -> None:
    assert knowledge.for_receipt_status(status).id == f"receipt-status-{status}"


@pytest.mark.parametrize("code", RECEIPT_ERROR_CODES)
def test_every_receipt_error_code_has_an_entry(knowledge: KnowledgeBase, code: int) -> None:
    assert knowledge.for_receipt_error(code).id == f"receipt-error-{code}"


@pytest.mark.parametrize("entry_id", TRANSPORT_IDS + RESPONSE_IDS + CHECK_IDS)
def test_named_entries_exist(knowledge: KnowledgeBase, entry_id: str) -> None:
    assert entry_id in knowledge


def test_unknown_codes_fall_back_to_generic_entries(knowledge: KnowledgeBase) -> None:
    assert knowledge.for_status(101).id == "status-unknown"
    assert knowledge.for_status(None).id == "status-unknown"
    assert knowledge.for_receipt_status("teleported").id == "receipt-status-unrecognized"
    assert knowledge.for_receipt_error(77).id == "receipt-error-unrecognized"


def test_http_families_are_found_for_unlisted_codes(knowledge: KnowledgeBase) -> None:
    assert knowledge.for_http_status(503) is knowledge.lookup(Kind.HTTP, "5xx")
    assert knowledge.for_http_status(418) is knowledge.lookup(Kind.HTTP, "4xx")
    assert knowledge.for_http_status(401) is knowledge.lookup(Kind.HTTP, "401")


def test_ids_follow_their_kind(knowledge: KnowledgeBase) -> None:
    prefixes = {
        Kind.API_STATUS: "status-", Kind.HTTP: "http-", Kind.TRANSPORT: "transport-",
        Kind.RESPONSE: "response-", Kind.RECEIPT_STATUS: "receipt-status-",
        Kind.RECEIPT_ERROR: "receipt-error-", Kind.CHECK: "check-",
        Kind.MESSAGES_ERROR: "messages-", Kind.MESSAGES_STATUS: "messages-status-",
    }
    for entry in knowledge.entries:
        assert entry.id.startswith(prefixes[entry.kind]), entry.id
        assert re.fullmatch(r"[a-z0-9-]+", entry.id), entry.id


def test_no_entry_is_a_placeholder(knowledge: KnowledgeBase) -> None:
    for entry in knowledge.entries:
        texts = [entry.title, entry.meaning, *entry.causes, *entry.next_steps]
        for text in texts:
            assert not re.search(r"\b(TODO|TBD|FIXME|lorem)\b", text, re.IGNORECASE), entry.id
        assert len(entry.meaning) >= 40, f"{entry.id}: the meaning is too thin to help anyone"


def test_titles_are_unique_within_a_kind(knowledge: KnowledgeBase) -> None:
    seen: set[tuple[Kind, str]] = set()
    for entry in knowledge.entries:
        key = (entry.kind, entry.title.lower())
        assert key not in seen, entry.id
        seen.add(key)


def test_seed_entries_keep_the_seed_wording(knowledge: KnowledgeBase) -> None:
    assert knowledge.get("status-6").display_title == "Invalid Message (Unroutable)"
    assert "landline" in knowledge.get("status-6").meaning
    assert knowledge.get("status-14").title == "Invalid Signature"
    assert knowledge.get("status-15").title == "Invalid Sender Address"
    for entry_id in ("status-14", "status-15"):
        everything = " ".join([knowledge.get(entry_id).meaning, *knowledge.get(entry_id).causes])
        assert "Invalid Sender" in everything, f"{entry_id} must mention the seed's old label"
    assert "North America" in knowledge.get("status-15").meaning
    for entry_id, url in SEED_LINKS.items():
        assert url in [link.url for link in knowledge.get(entry_id).links]


def test_status_zero_says_accepted_is_not_delivered(knowledge: KnowledgeBase) -> None:
    accepted = knowledge.get("status-0")
    everything = " ".join([accepted.meaning, *accepted.next_steps]).lower()
    assert "not" in everything and "delivered" in everything
    assert "delivery receipt" in everything


def test_transport_failures_after_sending_say_check_first(knowledge: KnowledgeBase) -> None:
    for entry_id in ("transport-read-timeout", "transport-connection-lost"):
        assert knowledge.get(entry_id).retry is Retry.CHECK_FIRST


def test_throttling_says_wait(knowledge: KnowledgeBase) -> None:
    assert knowledge.get("status-1").retry is Retry.AFTER_WAIT
    assert knowledge.lookup(Kind.HTTP, "429") is not None
    assert "Retry-After" in " ".join(knowledge.get("http-429").next_steps)


def test_loader_rejects_an_empty_field() -> None:
    with pytest.raises(KnowledgeBaseError, match="meaning"):
        parse_entries({"entry": [{
            "id": "status-0", "kind": "api-status", "title": "Success", "meaning": " ",
            "causes": ["x"], "next_steps": ["y"], "links": [], "retry": "no", "severity": "ok",
        }]})


def test_loader_rejects_duplicate_ids() -> None:
    raw = {
        "id": "status-unknown", "kind": "api-status", "title": "Unknown", "meaning": "m",
        "causes": ["x"], "next_steps": ["y"], "retry": "no", "severity": "error",
        "links": [{"title": "Docs", "url": "https://developer.vonage.com/"}],
    }
    with pytest.raises(KnowledgeBaseError, match="duplicate"):
        KnowledgeBase(parse_entries({"entry": [raw, raw]}))
