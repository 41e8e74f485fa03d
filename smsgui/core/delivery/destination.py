"""What the destination country's rules say about an exchange's outcome.

The status or receipt entry explains what happened; the country's rules often explain why: an
Indian number refused by the entity filter was sent without its DLT Entity ID, a +1 number
refused the sender because it is not registered for 10DLC, an accepted message to a country
whose networks send no receipts will never get one. Each note names the public page its rule
comes from and the day it was read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from smsgui.core.api.decode import Receipt, region_of_number
from smsgui.core.checks.findings import Finding
from smsgui.core.delivery.exchange import Exchange
from smsgui.core.delivery.verdict import Fate
from smsgui.core.privacy import mask_number
from smsgui.core.reference.countries import country_name
from smsgui.core.reference.destinations import (
    CountryRules,
    DestinationTable,
    Fact,
    SenderRule,
    default_destination_table,
)
from smsgui.core.reference.testnumbers import lookup_test_number

_DLT_ERRORS: Final = {
    50: ("entity-id", "the Entity ID"),
    51: ("from", "the sender, which is not a header registered on DLT"),
    52: ("content-id", "the Content Template ID"),
    53: ("content-id", "the consent the template's category needs"),
    54: ("content-id", "the message under India's regulations"),
}
"""India's DLT err-codes: the request field each points at, and what the filter refused."""
_MISSING_MEANS_CAUSE: Final = frozenset({50, 52})
"""The err-codes a missing ``entity-id`` or ``content-id`` explains by itself."""
_ARRIVED: Final = frozenset({"delivered", "accepted", "buffered"})
_SENDER_REFUSED_STATUS: Final = 15
_REPLACING_RULES: Final = frozenset({SenderRule.OVERWRITTEN, SenderRule.NEEDS_REGISTRATION})


@dataclass(frozen=True)
class DestinationNote:
    """One country rule that explains an outcome, in a sentence, with its source."""

    country: str
    country_name: str
    text: str
    """What the rule means for this exchange, in one sentence."""
    detail: str
    """The rule in the table's own words."""
    source: str
    checked_on: date

    @property
    def line(self) -> str:
        """The note as one line for a summary: ``India: ... (source, checked 2026-12-03)``."""
        source = f"source: {self.source}, checked {self.checked_on}"
        return f"{self.country_name}: {self.text} {self.detail} ({source})"


def note_of_finding(finding: Finding) -> DestinationNote:
    """A pre-send country finding as a note: its country, its rule's own words, its source.

    Raises ValueError for a finding that is not about a country rule.
    """
    if not (finding.country and finding.source and finding.checked_on):
        raise ValueError(f"{finding.entry_id} is not a country rule")
    name = country_name(finding.country) or finding.country
    lead = finding.message.split(": ", 1)[-1]
    return DestinationNote(finding.country, name, lead, finding.detail or "", finding.source,
                           finding.checked_on)


def destination_notes(exchange: Exchange,
                      table: DestinationTable | None = None) -> tuple[DestinationNote, ...]:
    """The destination country's rules that explain this exchange, most telling first."""
    number = exchange.recipient or _answered_number(exchange)
    if not number or lookup_test_number(number) is not None:
        return ()  # the sandbox's test numbers follow their own behaviour, not a country's
    region = region_of_number(number)
    rules = (table or default_destination_table()).get(region) if region else None
    if rules is None:
        return ()
    reading = _Reading(exchange, rules)
    notes = [*reading.receipt_notes(), *reading.status_notes(), *reading.silence_notes()]
    return tuple(dict.fromkeys(notes))


def _same_sender(sent: str, shown: str) -> bool:
    """Whether a receipt's sender is the one sent, as the API reads senders: spaces ignored,
    letters in any case, a number with or without its + or 00."""
    def normal(sender: str) -> str:
        compact = "".join(sender.split()).casefold()
        return compact.lstrip("+").removeprefix("00") if compact.lstrip("+").isdigit() else compact

    return normal(sent) == normal(shown)


def _shown(sender: str) -> str:
    """A sender as a note may show it: a phone number masked, a name or short code as it is."""
    return mask_number(sender) if sender.lstrip("+").isdigit() and len(sender) >= 7 else sender


def _answered_number(exchange: Exchange) -> str | None:
    response = exchange.send_response
    if response is not None:
        for part in response.parts:
            if part.to:
                return part.to
    return next((receipt.recipient for receipt in exchange.receipts if receipt.recipient), None)


@dataclass(frozen=True)
class _Reading:
    exchange: Exchange
    rules: CountryRules

    def note(self, text: str, fact: Fact) -> DestinationNote:
        return DestinationNote(self.rules.iso, self.rules.name, text, fact.note,
                               fact.source.url, fact.source.checked)

    def field(self, name: str) -> str | None:
        request = self.exchange.document.request
        return request.field_value(name) if request else None

    def receipt_notes(self) -> list[DestinationNote]:
        notes = []
        for receipt in self.exchange.receipts:
            notes += self._dlt_notes(receipt)
            notes += self._replaced_sender_notes(receipt)
        return notes

    def _dlt_notes(self, receipt: Receipt) -> list[DestinationNote]:
        registration = self.rules.registration
        if (receipt.err_code not in _DLT_ERRORS or registration is None
                or not registration.parameters):
            return []
        field, what = _DLT_ERRORS[receipt.err_code]
        given = self.field(field)
        if receipt.err_code in _MISSING_MEANS_CAUSE and not given:
            sent = f"this message was sent without {field}"
        elif field == "from":
            sent = f"register the sender \"{given or '?'}\" as a header on the DLT portal"
        elif receipt.err_code in _MISSING_MEANS_CAUSE:
            sent = f"this message carried {field} {given}, which the filter did not accept"
        else:
            sent = "check the template's registration on the DLT portal"
        text = f"err-code {receipt.err_code} is India's DLT filter refusing {what}; {sent}."
        return [self.note(text, registration)]

    def _replaced_sender_notes(self, receipt: Receipt) -> list[DestinationNote]:
        """A receipt for a message that arrived, from another sender than the one sent."""
        sender, shown = self.field("from"), receipt.sender
        if (not sender or not shown or (receipt.status or "").lower() not in _ARRIVED
                or _same_sender(sender, shown)):
            return []
        is_name = any(char.isalpha() for char in sender)
        fact = self.rules.alphanumeric_sender if is_name else self.rules.numeric_sender
        if fact is None or fact.rule not in _REPLACING_RULES:
            return []
        kind = "letter" if is_name else "number"
        text = (f"the phone showed the sender as {_shown(shown)}, not {_shown(sender)}: networks"
                f" there replace {kind} senders.")
        return [self.note(text, fact)]

    def status_notes(self) -> list[DestinationNote]:
        response = self.exchange.send_response
        registration = self.rules.registration
        if response is None or registration is None or not self.rules.needs:
            return []
        if not any(part.status == _SENDER_REFUSED_STATUS for part in response.parts):
            return []
        needs = ", ".join(sorted(need.label for need in self.rules.needs))
        text = (f"status 15 here usually means the sender is not registered for the country"
                f" ({needs}).")
        return [self.note(text, registration)]

    def silence_notes(self) -> list[DestinationNote]:
        """An accepted message to a country whose networks send no receipts will get none."""
        receipts = self.rules.receipts
        if receipts is None or not self.rules.has_no_receipts or self.exchange.receipts:
            return []
        if all(part.fate is not Fate.ON_ITS_WAY for part in self.exchange.verdict.fates):
            return []
        text = ("networks there send no delivery receipts, so none will come for this message;"
                " ask the person with the phone whether it arrived.")
        return [self.note(text, receipts)]
