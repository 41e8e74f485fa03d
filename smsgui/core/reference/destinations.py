"""The destination countries' sending rules, from ``resources/destinations.toml``.

One :class:`CountryRules` per country: what happens to a letter or number sender there, what must
be registered, whether receipts come back, whether long and Unicode messages get through, and
the content rules. Every fact carries the public page it comes from and the day it was checked; a
fact no page states is absent (``None``), never guessed.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Final

from smsgui.core.reference.resources import resource_path

DESTINATIONS_FILE: Final = "destinations.toml"
_ISO_CODE = re.compile(r"[A-Z]{2}")
_WORD = re.compile(r"\+?[\w][\w-]*")
_COMMON_WORDS = frozenset({"a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in",
                           "is", "it", "of", "on", "or", "the", "to", "with"})
"""Words too common in the notes to find a country by: ``in`` is India's code, not a rule."""
_DIALING_CODE = re.compile(r"[1-9][0-9]{0,2}")
_FACT_KEYS = frozenset({"rule", "replaced_by", "note", "source", "needs", "rules",
                        "carriers_without", "parameters"})
REGISTRATION_PARAMETERS: Final = ("entity-id", "content-id")
"""The SMS API parameters that carry a registration (India's DLT IDs)."""


class DestinationDataError(ValueError):
    """The country rules file is malformed."""


class SenderRule(enum.StrEnum):
    """What a country does with a letter (alphanumeric) or number sender."""

    SUPPORTED = "supported"
    NEEDS_REGISTRATION = "needs_registration"
    OVERWRITTEN = "overwritten"
    NOT_SUPPORTED = "not_supported"


class ShortCodeRule(enum.StrEnum):
    SUPPORTED = "supported"
    NEEDS_REGISTRATION = "needs_registration"
    NOT_SUPPORTED = "not_supported"


class Support(enum.StrEnum):
    """Whether receipts, long messages or Unicode get through: everywhere, on some networks, no."""

    SUPPORTED = "supported"
    PARTIAL = "partial"
    NOT_SUPPORTED = "not_supported"


class Registration(enum.StrEnum):
    """What must be registered before messages are delivered."""

    SENDER_ID = "sender_id"
    TEMPLATE = "template"
    ENTITY = "entity"
    TEN_DLC = "10dlc"
    TOLL_FREE = "toll_free"
    SHORT_CODE = "short_code"

    @property
    def label(self) -> str:
        return _REGISTRATION_LABELS[self]


_REGISTRATION_LABELS: Mapping[Registration, str] = {
    Registration.SENDER_ID: "sender ID",
    Registration.TEMPLATE: "message templates",
    Registration.ENTITY: "business entity",
    Registration.TEN_DLC: "10DLC campaign",
    Registration.TOLL_FREE: "toll-free number verification",
    Registration.SHORT_CODE: "short code",
}


class ContentRule(enum.StrEnum):
    PROMOTIONAL_HOURS = "promotional_hours"
    OPT_OUT_WORDING = "opt_out_wording"
    NO_URL_SHORTENERS = "no_url_shorteners"
    TEMPLATE_MATCHING = "template_matching"
    OPT_IN_REQUIRED = "opt_in_required"
    RESTRICTED_CONTENT = "restricted_content"


@dataclass(frozen=True)
class Source:
    """A public page a fact was read from, and when."""

    url: str
    checked: date


@dataclass(frozen=True)
class Fact:
    """One documented rule: a plain sentence and where it comes from."""

    topic: str
    note: str
    source: Source


@dataclass(frozen=True)
class SenderFact(Fact):
    rule: SenderRule
    replaced_by: str | None = None


@dataclass(frozen=True)
class ShortCodeFact(Fact):
    rule: ShortCodeRule


@dataclass(frozen=True)
class SupportFact(Fact):
    rule: Support


@dataclass(frozen=True)
class ReceiptsFact(Fact):
    rule: Support
    carriers_without: tuple[str, ...] = ()


@dataclass(frozen=True)
class RegistrationFact(Fact):
    needs: frozenset[Registration]
    parameters: tuple[str, ...] = ()
    """The API parameters every message must carry the registration in, e.g. ``entity-id``."""


@dataclass(frozen=True)
class ContentFact(Fact):
    rules: frozenset[ContentRule]


@dataclass(frozen=True)
class CountryRules:
    """Everything documented about sending SMS to one country."""

    iso: str
    name: str
    dialing_code: str
    sources: Mapping[str, Source] = field(repr=False)
    alphanumeric_sender: SenderFact | None = None
    numeric_sender: SenderFact | None = None
    short_code: ShortCodeFact | None = None
    registration: RegistrationFact | None = None
    receipts: ReceiptsFact | None = None
    concatenation: SupportFact | None = None
    unicode: SupportFact | None = None
    content: ContentFact | None = None

    def facts(self) -> Iterator[Fact]:
        """Every documented fact, in the table's order."""
        for topic in FACT_TOPICS:
            fact = getattr(self, topic)
            if fact is not None:
                yield fact

    @property
    def needs(self) -> frozenset[Registration]:
        return self.registration.needs if self.registration else frozenset()

    @property
    def registration_parameters(self) -> tuple[str, ...]:
        """The API parameters (``entity-id``, ``content-id``) messages here must carry."""
        return self.registration.parameters if self.registration else ()

    @property
    def has_no_receipts(self) -> bool:
        return self.receipts is not None and self.receipts.rule is Support.NOT_SUPPORTED

    @functools.cached_property
    def _search_keys(self) -> tuple[frozenset[str], tuple[str, ...], frozenset[str]]:
        """Codes, name words and rule words, lower case, for :meth:`search_rank`."""
        codes = frozenset({self.iso.lower(), self.dialing_code, f"+{self.dialing_code}"})
        name_words = tuple(_WORD.findall(self.name.lower()))
        texts = [TOPIC_LABELS[fact.topic] for fact in self.facts()]
        for fact in self.facts():
            texts += [fact.note, *(str(value).replace("_", " ") for value in _fact_values(fact))]
        rule_words = frozenset(_WORD.findall(" ".join(texts).lower())) - _COMMON_WORDS
        return codes, name_words, rule_words

    def search_rank(self, words: Sequence[str]) -> int | None:
        """How well the country matches every word: 0 by code, 1 by name, 2 by rule; None if
        some word matches nothing. A code matches whole (``in``, ``+91``), a name word from its
        start (``ind`` finds India), a rule word whole (``dlt``, ``likely-scam``)."""
        codes, name_words, rule_words = self._search_keys
        rank = 0
        for word in words:
            if word in codes:
                continue
            if any(name_word.startswith(word) for name_word in name_words):
                rank = max(rank, 1)
            elif word in rule_words:
                rank = 2
            else:
                return None
        return rank


FACT_TOPICS: Final = ("alphanumeric_sender", "numeric_sender", "short_code", "registration",
                      "receipts", "concatenation", "unicode", "content")
TOPIC_LABELS: Mapping[str, str] = {
    "alphanumeric_sender": "Letter sender (name)",
    "numeric_sender": "Number sender",
    "short_code": "Short codes",
    "registration": "Registration",
    "receipts": "Delivery receipts",
    "concatenation": "Long messages",
    "unicode": "Unicode",
    "content": "Content rules",
}


def _fact_values(fact: Fact) -> tuple[object, ...]:
    if isinstance(fact, SenderFact):
        return (fact.rule, fact.replaced_by or "")
    if isinstance(fact, RegistrationFact):
        return tuple(sorted(fact.needs))
    if isinstance(fact, ContentFact):
        return tuple(sorted(fact.rules))
    if isinstance(fact, ReceiptsFact):
        return (fact.rule, *fact.carriers_without)
    if isinstance(fact, ShortCodeFact | SupportFact):
        return (fact.rule,)
    return ()


class DestinationTable:
    """All countries, by ISO code and by dialing code."""

    def __init__(self, countries: Mapping[str, CountryRules]) -> None:
        self._by_iso = dict(countries)
        self._by_dialing_code: dict[str, list[CountryRules]] = {}
        for rules in self._by_iso.values():
            self._by_dialing_code.setdefault(rules.dialing_code, []).append(rules)

    def __len__(self) -> int:
        return len(self._by_iso)

    def __iter__(self) -> Iterator[CountryRules]:
        return iter(sorted(self._by_iso.values(), key=lambda rules: rules.name))

    def get(self, iso: str | None) -> CountryRules | None:
        return self._by_iso.get(iso.upper()) if iso else None

    def sharing_dialing_code(self, dialing_code: str) -> tuple[CountryRules, ...]:
        """The countries in the table that share a dialing code, such as +1 or +7."""
        return tuple(self._by_dialing_code.get(dialing_code, ()))

    def search(self, text: str) -> list[CountryRules]:
        """Countries matching every word of ``text`` by code, name or rule, best matches first
        (codes, then names, then rules), by name within each."""
        words = _WORD.findall(text.lower().replace("_", " "))
        ranked = [(rank, rules) for rules in self
                  if (rank := rules.search_rank(words)) is not None]
        return [rules for _, rules in sorted(ranked, key=lambda item: item[0])]


@functools.cache
def default_destination_table() -> DestinationTable:
    """The table shipped in ``resources/``, loaded once."""
    return load_destinations(resource_path(DESTINATIONS_FILE))


def load_destinations(path: Path) -> DestinationTable:
    """Load and check a country rules file. Raises DestinationDataError when malformed."""
    import tomllib  # ~25 ms: the window's first frame does without it

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise DestinationDataError(f"{path.name} cannot be read: {error}") from error
    return parse_destinations(data)


def parse_destinations(data: Mapping[str, Any]) -> DestinationTable:
    countries = {}
    for iso, record in data.items():
        if not _ISO_CODE.fullmatch(iso) or not isinstance(record, dict):
            raise DestinationDataError(f"{iso!r} is not an ISO 3166 country code with a table")
        try:
            countries[iso] = _country(iso, record)
        except (KeyError, TypeError, ValueError) as error:
            raise DestinationDataError(f"{iso}: {error}") from error
    return DestinationTable(countries)


def _country(iso: str, record: Mapping[str, Any]) -> CountryRules:
    unknown = set(record) - {"name", "dialing_code", "sources", *FACT_TOPICS}
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}")
    dialing_code = str(record["dialing_code"])
    if not _DIALING_CODE.fullmatch(dialing_code):
        raise ValueError(f"dialing code {dialing_code!r} is not 1-3 digits")
    name = _text(record, "name")
    sources = {key: _source(value) for key, value in record["sources"].items()}
    facts: dict[str, Any] = {topic: _fact(topic, record[topic], sources) for topic in FACT_TOPICS
                             if topic in record}
    return replace(CountryRules(iso, name, dialing_code, sources), **facts)


def _source(raw: Mapping[str, Any]) -> Source:
    url = _text(raw, "url")
    if not url.startswith("https://"):
        raise ValueError(f"source {url!r} is not an https link")
    return Source(url, date.fromisoformat(_text(raw, "checked")))


def _fact(topic: str, raw: Mapping[str, Any], sources: Mapping[str, Source]) -> Fact:
    unknown = set(raw) - _FACT_KEYS
    if unknown:
        raise ValueError(f"{topic}: unknown keys {sorted(unknown)}")
    source_key = _text(raw, "source")
    if source_key not in sources:
        raise ValueError(f"{topic}: source {source_key!r} is not in the country's sources")
    base = (topic, _text(raw, "note"), sources[source_key])
    if topic in {"alphanumeric_sender", "numeric_sender"}:
        return _sender_fact(raw, base)
    if topic == "short_code":
        return ShortCodeFact(*base, rule=ShortCodeRule(raw["rule"]))
    if topic == "registration":
        return _registration_fact(raw, base)
    if topic == "receipts":
        carriers = tuple(str(name) for name in raw.get("carriers_without", ()))
        return ReceiptsFact(*base, rule=Support(raw["rule"]), carriers_without=carriers)
    if topic == "content":
        return ContentFact(*base, rules=frozenset(map(ContentRule, raw["rules"])))
    return SupportFact(*base, rule=Support(raw["rule"]))


_Base = tuple[str, str, Source]


def _registration_fact(raw: Mapping[str, Any], base: _Base) -> RegistrationFact:
    parameters = tuple(str(name) for name in raw.get("parameters", ()))
    unknown = set(parameters) - set(REGISTRATION_PARAMETERS)
    if unknown:
        raise ValueError(f"registration: unknown parameters {sorted(unknown)}")
    return RegistrationFact(*base, needs=frozenset(map(Registration, raw["needs"])),
                            parameters=parameters)


def _sender_fact(raw: Mapping[str, Any], base: _Base) -> SenderFact:
    rule = SenderRule(raw["rule"])
    replaced_by = raw.get("replaced_by")
    if replaced_by is not None and rule not in {SenderRule.OVERWRITTEN,
                                                SenderRule.NEEDS_REGISTRATION}:
        raise ValueError(f"{base[0]}: replaced_by given for rule {rule}")
    return SenderFact(*base, rule=rule, replaced_by=replaced_by)


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw[key]
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{key} must be a non-empty text")
    return value.strip()
