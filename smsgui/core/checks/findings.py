"""What a pre-send check reports: one finding per thing it noticed."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from typing import Literal

FindingField = Literal["to", "from", "text", "callback", "client_ref", "ttl", "message_class",
                       "body", "udh", "protocol_id", "account_ref", "entity_id", "content_id",
                       "trusted_number", "pool_id"]


class FindingSeverity(enum.StrEnum):
    """How a finding affects sending."""

    BLOCKING = "blocking"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Finding:
    """One thing a check noticed about a draft.

    Attributes:
        entry_id: The knowledge base entry that explains it, e.g. ``check-to-invalid``.
        severity: Whether it stops sending, deserves attention, or is just worth knowing.
        field: The form field it concerns.
        message: One plain sentence naming the number, sender or text it concerns.
        subject: The value it concerns as the user entered it, when there is one.
        detail: More about it, such as the country rule's own words, when there is more.
        country: ISO code of the destination country a country rule concerns.
        source: The public page a country rule comes from.
        checked_on: The day that page was read.
    """

    entry_id: str
    severity: FindingSeverity
    field: FindingField
    message: str
    subject: str | None = None
    detail: str | None = None
    country: str | None = None
    source: str | None = None
    checked_on: date | None = None
