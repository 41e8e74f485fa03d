"""The one answer to "did it work?": for a message part, for a message, and for a whole send.

Every view - the results pane, the timeline, the history list, the diagnostic summary, ``smsgui
decode`` and its exit code - asks this module, so they can never disagree. A verdict is worked
out from the API's answer, the delivery receipts that came back and the Reports API records
(which arrive as receipt-shaped fields, see ``exchange.with_report_records``).

Each message part has a :class:`Fate`; a verdict gathers fates and names the one :class:`Label`
that describes them all, the entry to read and a one-line headline. Headlines never contain a
phone number.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from smsgui.core.api.decode import (
    ON_ITS_WAY_STATUSES,
    Decoded,
    MessagePart,
    Receipt,
    ReportRecord,
    ReportsResponse,
    SendResponse,
)
from smsgui.core.reference.knowledge import Entry, Severity

NO_RECEIPT: Final = "no receipt yet"


class Fate(enum.StrEnum):
    """What became of one message part, as far as anyone knows."""

    DELIVERED = "delivered"
    ON_ITS_WAY = "on its way"
    """Accepted, and no final word yet: accepted is not delivered."""
    NOT_DELIVERED = "not delivered"
    """Accepted, then a receipt or the Reports API said failed, rejected, expired or unknown."""
    REFUSED = "refused"
    """The API answered with a non-zero status, or refused the whole request (HTTP 4xx):
    nothing was sent."""
    MAY_HAVE_BEEN_SENT = "may have been sent"
    """No usable answer, but the request may have reached Vonage."""
    NO_ANSWER = "no answer"
    """No usable answer, and nothing was sent (or the input is not an answer at all)."""

    @property
    def failed(self) -> bool:
        return self not in (Fate.DELIVERED, Fate.ON_ITS_WAY)


class Label(enum.StrEnum):
    """The verdict in words, as every view shows it."""

    DELIVERED = "Delivered"
    ACCEPTED = "Accepted - not yet delivered"
    INCOMPLETE = "Incomplete answer"
    PARTIAL_FAILURE = "Partial failure"
    NOT_DELIVERED = "Not delivered"
    UNKNOWN = "Outcome unknown - it may have been sent"
    FAILED = "Failed"


_SEVERITY: Final = {
    Label.DELIVERED: Severity.OK, Label.ACCEPTED: Severity.OK,
    Label.INCOMPLETE: Severity.WARNING, Label.PARTIAL_FAILURE: Severity.WARNING,
    Label.UNKNOWN: Severity.WARNING, Label.NOT_DELIVERED: Severity.ERROR,
    Label.FAILED: Severity.ERROR,
}


@dataclass(frozen=True)
class PartFate:
    """One message part's fate, the entry that explains it and why, in words.

    ``decided_by`` names what settled it ("the API", "delivery receipt", "Reports API"), or is
    None while nothing has; ``at`` is when, if known. ``is_part`` is False for a message known
    only from a pasted receipt or Reports answer, or for a request with no usable answer.
    """

    fate: Fate
    entry: Entry
    reason: str
    message_id: str | None = None
    recipient: str | None = None
    decided_by: str | None = None
    at: datetime | None = None
    is_part: bool = True

    @property
    def failed(self) -> bool:
        return self.fate.failed

    @property
    def whole_request(self) -> bool:
        """A whole request's failure (no answer, or refused outright), not one part's."""
        return not self.is_part and self.fate in (Fate.REFUSED, Fate.NO_ANSWER,
                                                  Fate.MAY_HAVE_BEEN_SENT)


@dataclass(frozen=True)
class Verdict:
    """The fates of some message parts, summed up: the label, entry and headline all follow
    from them."""

    fates: tuple[PartFate, ...]
    missing: int = 0
    """Parts the answer announced but did not list (a cut-off body)."""

    def __post_init__(self) -> None:
        if not self.fates:
            raise ValueError("a verdict is about at least one message part")

    @functools.cached_property
    def label(self) -> Label:
        return _label(self.fates, self.missing)

    @functools.cached_property
    def entry(self) -> Entry:
        """The entry to read: the most serious failure's, else the first part's."""
        worst = self.worst
        return worst.entry if worst is not None else self.fates[0].entry

    @functools.cached_property
    def headline(self) -> str:
        return _headline(self)

    @property
    def ok(self) -> bool:
        """Nothing went wrong: every part delivered or still on its way, none missing."""
        return self.label in (Label.DELIVERED, Label.ACCEPTED)

    @property
    def severity(self) -> Severity:
        return _SEVERITY[self.label]

    def count(self, *fates: Fate) -> int:
        return sum(1 for item in self.fates if item.fate in fates)

    @property
    def parts(self) -> int:
        """Send-response parts among the fates."""
        return sum(1 for item in self.fates if item.is_part)

    @property
    def accepted(self) -> int:
        """Parts the API accepted, whatever became of them after."""
        return sum(1 for item in self.fates if item.is_part and item.fate not in
                   (Fate.REFUSED, Fate.NO_ANSWER, Fate.MAY_HAVE_BEEN_SENT))

    @property
    def failed(self) -> int:
        return sum(1 for item in self.fates if item.failed)

    @property
    def worst(self) -> PartFate | None:
        """The most serious failure (the first of equals), else None."""
        failures = [item for item in self.fates if item.failed]
        # max() keeps the first of equals.
        return max(failures, key=lambda item: item.entry.severity.rank) if failures else None


# -- the fate of one part ---------------------------------------------------------------------


def part_fate(part: MessagePart, receipts: Iterable[Receipt] = ()) -> PartFate:
    """A send-response part's fate, with the receipts (and Reports records) for its id."""
    recipient = part.to
    if not part.accepted:
        code = "no status" if part.status is None else f"status {part.status}"
        return PartFate(Fate.REFUSED, part.entry, f"{part.entry.display_title} ({code})",
                        part.message_id, recipient, "the API")
    mine = [receipt for receipt in receipts if receipt.message_id == part.message_id]
    return delivery_fate(mine, part.entry, part.message_id, recipient)


def delivery_fate(receipts: Sequence[Receipt], accepted_entry: Entry,
                  message_id: str | None, recipient: str | None,
                  is_part: bool = True) -> PartFate:
    """An accepted message's fate from its receipts, oldest first.

    A failure in any final receipt wins; else a final receipt says delivered; else it is still
    on its way, explained by the latest receipt (or the acceptance when there is none).
    """
    finals = [receipt for receipt in receipts if receipt.status not in ON_ITS_WAY_STATUSES]
    failed = next((receipt for receipt in finals if not receipt.ok), None)
    if failed is not None:
        reason = f"{failed.status or 'no status'} - {failed.entry.display_title}"
        if failed.err_code not in (None, 0):
            reason += f" ({failed.code_label} {failed.err_code})"
        return PartFate(Fate.NOT_DELIVERED, failed.entry, reason, message_id, recipient,
                        _source(failed), _time(failed), is_part)
    if finals:
        last = finals[-1]
        return PartFate(Fate.DELIVERED, last.entry, "delivered", message_id, recipient,
                        _source(last), _time(last), is_part)
    latest = receipts[-1] if receipts else None
    reason = f"the latest receipt says {latest.status}" if latest else NO_RECEIPT
    return PartFate(Fate.ON_ITS_WAY, latest.entry if latest else accepted_entry, reason,
                    message_id, recipient, None, _time(latest) if latest else None, is_part)


def record_fate(record: ReportRecord) -> PartFate:
    """A Reports API record's fate (a Reports answer opened on its own)."""
    if record.ok and record.status in ON_ITS_WAY_STATUSES:
        fate, reason = Fate.ON_ITS_WAY, f"the Reports API says {record.status}"
    elif record.ok:
        fate, reason = Fate.DELIVERED, "delivered"
    else:
        fate = Fate.NOT_DELIVERED
        reason = f"{record.status or 'no status'} - {record.entry.display_title}"
        if record.error_code not in (None, 0):
            reason += f" (error {record.error_code})"
    return PartFate(fate, record.entry, reason, record.message_id, record.to, "Reports API",
                    None, is_part=False)


def _time(receipt: Receipt) -> datetime | None:
    return receipt.reported_at or receipt.carrier_time


def _source(receipt: Receipt) -> str:
    if receipt.from_reports:
        return "Reports API"
    return "status webhook" if receipt.from_messages else "delivery receipt"


# -- verdicts ---------------------------------------------------------------------------------


def answer_verdict(decoded: Decoded, receipts: Sequence[Receipt] = (),
                   refused: bool = False) -> Verdict:
    """The verdict of one answer (a send response, receipt, Reports answer or anything else);
    ``refused``: it came with an HTTP status that turns the request down (a 4xx)."""
    if isinstance(decoded, SendResponse):
        fates = tuple(part_fate(part, receipts) for part in decoded.parts)
        return Verdict(fates, decoded.missing_count)
    if isinstance(decoded, Receipt):
        return Verdict(_receipt_fates((decoded, *receipts)))
    if isinstance(decoded, ReportsResponse) and decoded.records:
        return Verdict(tuple(record_fate(record) for record in decoded.records))
    if isinstance(decoded, ReportsResponse):
        return Verdict((PartFate(Fate.NO_ANSWER, decoded.entry, decoded.headline,
                                 is_part=False),))
    return failure_verdict(decoded.entry, decoded.headline, refused=refused)


def failure_verdict(entry: Entry, headline: str, may_have_been_sent: bool = False,
                    recipient: str | None = None, refused: bool = False) -> Verdict:
    """The verdict of a request that got no usable answer, or (``refused``) an answer that
    turned the whole request down."""
    if may_have_been_sent:
        fate = Fate.MAY_HAVE_BEEN_SENT
    else:
        fate = Fate.REFUSED if refused else Fate.NO_ANSWER
    return Verdict((PartFate(fate, entry, headline, recipient=recipient, is_part=False),))


def send_verdict(verdicts: Sequence[Verdict]) -> Verdict:
    """One verdict for several (a send to several recipients): their fates summed up."""
    if not verdicts:
        raise ValueError("a send has at least one verdict")
    if len(verdicts) == 1:
        return verdicts[0]
    fates = tuple(item for verdict in verdicts for item in verdict.fates)
    return Verdict(fates, sum(verdict.missing for verdict in verdicts))


def _receipt_fates(receipts: Sequence[Receipt]) -> tuple[PartFate, ...]:
    """One fate per message the receipts are about, in order of first mention."""
    by_message: dict[str | None, list[Receipt]] = {}
    for receipt in receipts:
        by_message.setdefault(receipt.message_id, []).append(receipt)
    return tuple(delivery_fate(mine, mine[0].status_entry, message_id, mine[0].recipient,
                               is_part=False)
                 for message_id, mine in by_message.items())


def _label(fates: Sequence[PartFate], missing: int) -> Label:
    went_through = sum(1 for item in fates if not item.failed)
    not_delivered = sum(1 for item in fates if item.fate is Fate.NOT_DELIVERED)
    unknown = sum(1 for item in fates if item.fate is Fate.MAY_HAVE_BEEN_SENT)
    failed = sum(1 for item in fates if item.failed)
    if failed and went_through:
        return Label.PARTIAL_FAILURE
    if failed and unknown == failed:
        return Label.UNKNOWN
    if failed:
        return Label.NOT_DELIVERED if not_delivered == failed else Label.FAILED
    if missing:
        return Label.INCOMPLETE
    if all(item.fate is Fate.DELIVERED for item in fates):
        return Label.DELIVERED
    return Label.ACCEPTED


def _headline(verdict: Verdict) -> str:
    fates = verdict.fates
    worst = verdict.worst
    total = len(fates)
    noun = _noun(fates, total)
    if worst is not None and total == 1 and worst.whole_request:
        return _sentence(worst.reason)  # a request's own failure already reads as a sentence
    if verdict.label is Label.PARTIAL_FAILURE and worst is not None:
        return (f"Partial failure: {total - verdict.failed} of {total} {noun} went through; "
                f"{_continued(worst)}.")
    if worst is not None:
        share = "" if total == 1 else f" ({verdict.failed} of {total} {noun})"
        return f"{verdict.label}: {_continued(worst)}{share}."
    if verdict.label is Label.INCOMPLETE:
        announced = total + verdict.missing
        return (f"Incomplete: the answer announces {announced} parts but lists {total}; "
                "the rest may be lost.")
    if verdict.label is Label.DELIVERED:
        return f"Delivered: {total} {noun} delivered."
    verb = "accepted for delivery" if verdict.parts else "on the way"
    return f"Accepted: {total} {noun} {verb} (accepted is not yet delivered)."


def _continued(fate: PartFate) -> str:
    """``fate``'s reason to follow a colon or semicolon, without its full stop."""
    reason = fate.reason.rstrip(".")
    return _continuing(reason) if fate.whole_request else reason  # a title keeps case


def _continuing(sentence: str) -> str:
    """``sentence`` carried on after a semicolon: "The server ..." becomes "the server ..."."""
    if len(sentence) > 1 and sentence[0].isupper() and sentence[1].islower():
        return sentence[0].lower() + sentence[1:]
    return sentence


def _noun(fates: Sequence[PartFate], total: int) -> str:
    word = "part" if all(item.is_part for item in fates) else "message"
    return word if total == 1 else word + "s"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."
