"""Pre-send checks from the destination countries' rules: each country of a draft once.

For every country the recipients are in, the table in ``resources/destinations.toml`` says what
happens to the sender, what must be registered, whether receipts come back and whether long or
Unicode messages get through. Each finding names its country, the public page the rule comes
from and the day that page was read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from smsgui.core.api.apitypes import SmsOptions
from smsgui.core.checks.findings import Finding, FindingField, FindingSeverity
from smsgui.core.checks.segments import Encoding, SegmentCount
from smsgui.core.reference.countries import country_name
from smsgui.core.reference.destinations import (
    ContentFact,
    ContentRule,
    CountryRules,
    DestinationTable,
    Fact,
    Registration,
    SenderFact,
    SenderRule,
    Support,
    default_destination_table,
)
from smsgui.core.values import joined_words

if TYPE_CHECKING:
    from smsgui.core.checks.checks import Recipient

_OTHER_NEEDS = (Registration.ENTITY, Registration.TEMPLATE, Registration.TEN_DLC,
                Registration.TOLL_FREE, Registration.SHORT_CODE)
_SEVERITIES = {
    "check-country-dlt": FindingSeverity.WARNING,
    "check-country-sender-not-supported": FindingSeverity.WARNING,
    "check-country-sender-replaced": FindingSeverity.WARNING,
    "check-country-sender-registration": FindingSeverity.WARNING,
    "check-country-registration": FindingSeverity.INFO,
    "check-country-no-receipts": FindingSeverity.INFO,
    "check-country-long-message": FindingSeverity.WARNING,
    "check-country-unicode": FindingSeverity.WARNING,
    "check-country-content": FindingSeverity.INFO,
}
_PARAMETER_LABELS = {"entity-id": "Entity ID (entity-id)",
                     "content-id": "Content Template ID (content-id)"}
_SHOWN_SHARING = 3


@dataclass(frozen=True)
class Destination:
    """One country a draft goes to, with the first recipient typed for it."""

    region: str | None
    number: str
    calling_code: str | None
    placed: bool
    """Whether the number database placed the number in its country (not just its code)."""


def destinations_of(recipients: Iterable[Recipient]) -> list[Destination]:
    """The countries the recipients are in, for the country rules; test numbers left out."""
    return [Destination(recipient.region, recipient.input.strip(), recipient.calling_code,
                        recipient.valid)
            for recipient in recipients
            if recipient.e164 is not None and recipient.test_number is None]


def check_destinations(destinations: Iterable[Destination], sender: str, segments: SegmentCount,
                       options: SmsOptions,
                       table: DestinationTable | None = None) -> list[Finding]:
    """Findings from each destination country's rules, one group per country.

    The table loads on the first draft with a recipient, not with the window's first frame.
    """
    destinations = list(destinations)
    if not destinations:
        return []
    table = table or default_destination_table()
    findings: list[Finding] = []
    seen: set[str | None] = set()
    for destination in destinations:
        key = destination.region or destination.calling_code
        if key in seen:
            continue
        seen.add(key)
        findings += _country_findings(destination, sender, segments, options, table)
    return findings


def _country_findings(destination: Destination, sender: str, segments: SegmentCount,
                      options: SmsOptions, table: DestinationTable) -> list[Finding]:
    findings = list(_placement_findings(destination, table))
    rules = table.get(destination.region)
    if rules is None:
        if destination.region is not None:
            findings.append(_unknown_country(destination))
        return findings
    context = _Context(rules, destination.number, sender.strip())
    findings += context.sender_findings(options)
    findings += context.delivery_findings(segments)
    return findings


def _placement_findings(destination: Destination, table: DestinationTable) -> Iterator[Finding]:
    """A number placed only by its dialing code may be in any country sharing that code."""
    if destination.region is None:
        message = (
            f"{destination.number}: smsgui cannot tell which country this number is in, so no"
            " country rules are checked."
        )
        yield Finding("check-country-unknown", FindingSeverity.INFO, "to", message,
                      destination.number)
        return
    if destination.placed or destination.calling_code is None:
        return
    sharing = _regions_sharing(destination.calling_code)
    if len(sharing) > 1:
        others = [country_name(region) or region for region in sharing
                  if region != destination.region]
        shown = ", ".join(others[:_SHOWN_SHARING])
        more = f" and {len(others) - _SHOWN_SHARING} more" if len(others) > _SHOWN_SHARING else ""
        message = (
            f"+{destination.calling_code} is shared by {country_name(destination.region)},"
            f" {shown}{more}; the number database does not know {destination.number}, so the"
            f" rules shown are {country_name(destination.region)}'s and may not apply."
        )
        yield Finding("check-country-shared-code", FindingSeverity.INFO, "to", message,
                      destination.number, country=destination.region)


def _regions_sharing(calling_code: str) -> tuple[str, ...]:
    import phonenumbers

    return tuple(phonenumbers.region_codes_for_country_code(int(calling_code)))


def _unknown_country(destination: Destination) -> Finding:
    name = country_name(destination.region)
    message = (
        f"{name} ({destination.number}): smsgui's table has no sending rules for this country;"
        f" look up \"{name} SMS Features and Restrictions\" on Vonage's support site."
    )
    return Finding("check-country-unknown", FindingSeverity.INFO, "to", message,
                   destination.number, country=destination.region)


@dataclass(frozen=True)
class _Context:
    rules: CountryRules
    number: str
    sender: str

    def finding(self, entry_id: str, field: FindingField, lead: str, fact: Fact) -> Finding:
        """A finding that leads with the country: "India: ...", "Colombia (5730...): ..."."""
        where = f"{self.rules.name} ({self.number})" if field == "to" else self.rules.name
        subject = self.sender if field == "from" else self.number
        return Finding(entry_id, _SEVERITIES[entry_id], field, f"{where}: {lead}", subject,
                       fact.note, self.rules.iso, fact.source.url, fact.source.checked)

    def sender_findings(self, options: SmsOptions) -> list[Finding]:
        if self.rules.registration_parameters:
            # The DLT IDs register a letter sender; a number sender still follows its own rule.
            findings = self._parameter_findings(options)
            if self.sender and not self._is_name:
                findings += self._sender_rule_findings()
            return findings
        findings = self._sender_rule_findings() if self.sender else []
        return findings + self._registration_findings(covered=bool(findings))

    @property
    def _is_name(self) -> bool:
        return any(char.isalpha() for char in self.sender)

    def _parameter_findings(self, options: SmsOptions) -> list[Finding]:
        """India's rule: the sender and template are registered, and every message says so."""
        assert self.rules.registration is not None
        given = {"entity-id": options.entity_id, "content-id": options.content_id}
        missing = [name for name in self.rules.registration_parameters if not given.get(name)]
        if not missing:
            return []
        labels = " and the ".join(_PARAMETER_LABELS[name] for name in missing)
        lead = ("a letter sender is delivered only when it" if self._is_name or not self.sender
                else "messages are delivered only when the sender")
        message = f"{lead} and the message template are DLT-registered; add the {labels}."
        field: FindingField = "entity_id" if missing[0] == "entity-id" else "content_id"
        return [self.finding("check-country-dlt", field, message, self.rules.registration)]

    def _sender_rule_findings(self) -> list[Finding]:
        is_name = self._is_name
        if is_name and self.rules.dialing_code == "1":
            return []  # the North America check already warns about names to +1 numbers
        fact = self.rules.alphanumeric_sender if is_name else self.rules.numeric_sender
        if fact is None or fact.rule is SenderRule.SUPPORTED:
            return []
        return [self._sender_finding(fact, "letter" if is_name else "number")]

    def _sender_finding(self, fact: SenderFact, kind: str) -> Finding:
        sender = self.sender
        by = f" by {fact.replaced_by}" if fact.replaced_by else ""
        if fact.rule is SenderRule.NOT_SUPPORTED:
            entry, lead = "check-country-sender-not-supported", (
                f"{kind} senders such as \"{sender}\" are not supported.")
        elif fact.rule is SenderRule.OVERWRITTEN:
            entry, lead = "check-country-sender-replaced", (
                f"{kind} senders are replaced{by}: the recipient will not see \"{sender}\".")
        elif by:
            entry, lead = "check-country-sender-registration", (
                f"unregistered {kind} senders are replaced{by}: \"{sender}\" shows only once"
                " registered.")
        else:
            entry, lead = "check-country-sender-registration", (
                f"a {kind} sender such as \"{sender}\" must be registered first.")
        return self.finding(entry, "from", lead, fact)

    def _registration_findings(self, covered: bool) -> list[Finding]:
        """What must be registered besides what a sender finding already said."""
        registration = self.rules.registration
        wanted = (*_OTHER_NEEDS, *(() if covered else (Registration.SENDER_ID,)))
        needs = [need.label for need in wanted if need in self.rules.needs]
        if registration is None or not needs:
            return []
        message = f"sending needs registration ({', '.join(needs)})."
        return [self.finding("check-country-registration", "to", message, registration)]

    def delivery_findings(self, segments: SegmentCount) -> list[Finding]:
        findings = []
        receipts = self.rules.receipts
        if receipts is not None and (receipts.rule is Support.NOT_SUPPORTED
                                     or receipts.carriers_without):
            where = ("networks there send none" if receipts.rule is Support.NOT_SUPPORTED
                     else f"{joined_words(receipts.carriers_without)} send none")
            message = (
                f"no delivery receipt will come back, as {where}; an accepted message stays"
                " \"accepted\".")
            findings.append(self.finding("check-country-no-receipts", "to", message, receipts))
        concatenation = self.rules.concatenation
        if (segments.parts > 1 and concatenation is not None
                and concatenation.rule is not Support.SUPPORTED):
            message = f"a message of {segments.parts} parts may arrive split or not at all."
            findings.append(self.finding("check-country-long-message", "text", message,
                                         concatenation))
        unicode = self.rules.unicode
        if (segments.encoding is Encoding.UCS2 and unicode is not None
                and unicode.rule is not Support.SUPPORTED):
            message = "Unicode messages may not arrive intact."
            findings.append(self.finding("check-country-unicode", "text", message, unicode))
        content = self.rules.content
        if content is not None and content.rules:
            findings.append(self.finding("check-country-content", "text", _content_lead(content),
                                         content))
        return findings


_CONTENT_LABELS = {
    ContentRule.PROMOTIONAL_HOURS: "hours for promotional messages",
    ContentRule.OPT_OUT_WORDING: "opt-out wording",
    ContentRule.NO_URL_SHORTENERS: "no link shorteners",
    ContentRule.TEMPLATE_MATCHING: "text matching a registered template",
    ContentRule.OPT_IN_REQUIRED: "the recipient's consent",
    ContentRule.RESTRICTED_CONTENT: "banned topics",
}


def _content_lead(content: ContentFact) -> str:
    rules = [label for rule, label in _CONTENT_LABELS.items() if rule in content.rules]
    return f"content rules apply ({', '.join(rules)})."
