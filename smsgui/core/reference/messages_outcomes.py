"""How the Messages API tells what the SMS API tells with a status code or a receipt's err-code.

The sandbox answers ``/v1/messages`` by applying the SMS API's rules and translating the result
with these tables; the compose form uses them to say what a sandbox test number will do when
the profile sends through the Messages API. Problem types, titles and error codes are those of
the published Messages API description (``messages-olympus``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from smsgui.core.reference.knowledge import default_knowledge_base
from smsgui.core.reference.testnumbers import SandboxNumber

MESSAGES_PROBLEM: Final = "https://developer.nexmo.com/api-errors/messages-olympus"
GENERIC_PROBLEM: Final = "https://developer.nexmo.com/api-errors/"
SUBMITTED: Final = ("submitted", None)
"""The status a message keeps when no final one comes."""

# What a refusal of /sms/json becomes: HTTP status, problem type, title.
REFUSALS: Mapping[int, tuple[int, str, str]] = {
    1: (429, f"{MESSAGES_PROBLEM}#1000", "Rate Limit Hit"),
    2: (422, f"{MESSAGES_PROBLEM}#1150", "Invalid params"),
    3: (422, f"{MESSAGES_PROBLEM}#1150", "Invalid params"),
    4: (401, f"{GENERIC_PROBLEM}#unauthorized", "You did not provide correct credentials."),
    5: (500, f"{MESSAGES_PROBLEM}#1000", "Internal error"),
    8: (403, f"{MESSAGES_PROBLEM}#1060", "Account barred"),
    9: (402, f"{GENERIC_PROBLEM}#low-balance", "Low balance"),
    11: (403, f"{MESSAGES_PROBLEM}#1080", "Account not enabled for REST"),
    12: (422, f"{MESSAGES_PROBLEM}#1150", "Invalid params"),
    14: (401, f"{GENERIC_PROBLEM}#unauthorized", "You did not provide correct credentials."),
    15: (422, f"{MESSAGES_PROBLEM}#1120", "Invalid sender"),
    23: (422, f"{MESSAGES_PROBLEM}#1150", "Invalid params"),
    29: (403, f"{MESSAGES_PROBLEM}#1160", "Non White-listed Destination"),
    32: (401, f"{GENERIC_PROBLEM}#unauthorized", "You did not provide correct credentials."),
}

# A refusal of /sms/json that the Messages API accepts first and reports in a status webhook.
LATER: Mapping[int, int] = {6: 1250, 7: 1050, 17: 1280, 33: 1190}
# A delivery receipt's err-code, as the status webhook's error code.
RECEIPT_ERRORS: Mapping[int, int] = {
    1: 1330, 2: 1180, 3: 1190, 4: 1050, 5: 1200, 6: 1210, 7: 1220, 8: 1230, 9: 1240, 10: 1040,
    11: 1250, 12: 1260, 13: 1270, 14: 1280, 15: 1290, 16: 1070,
}
ERROR_TITLES: Mapping[int, str] = {
    1040: "Invalid message", 1050: "Number barred", 1070: "Partner quota exceeded",
    1180: "Absent Subscriber Temporary", 1190: "Absent Subscriber Permanent",
    1200: "Portability Error", 1210: "Anti-Spam Rejection", 1220: "Handset Busy",
    1230: "Network Error", 1240: "Illegal Number", 1250: "Unroutable",
    1260: "Destination unreachable", 1270: "Subscriber Age Restriction",
    1280: "Number Blocked by Carrier", 1290: "Pre-Paid - Insufficient funds",
    1330: "Unknown", 1360: "TTL was activated",
}
"""The titles the sandbox's status webhooks give their error codes."""


def messages_outcome(receipt_status: str, err_code: int) -> tuple[str, int | None]:
    """The Messages API status and error code (None for none) a delivery receipt becomes;
    ``submitted`` when the receipt would not be final (buffered) or never comes (accepted)."""
    if receipt_status in ("accepted", "buffered"):
        return SUBMITTED
    if receipt_status == "delivered":
        return "delivered", None
    if receipt_status == "expired":
        return "rejected", 1360
    if receipt_status == "unknown":
        return "rejected", 1330
    code = RECEIPT_ERRORS.get(err_code, 1330)
    return ("undeliverable" if code == 1260 else "rejected"), code


def messages_behaviour(number: SandboxNumber) -> str:
    """What the sandbox does with a message to ``number`` sent through the Messages API, as the
    end of a sentence, like :attr:`SandboxNumber.behaviour` for the SMS API."""
    accepted = "the sandbox accepts the message (HTTP 202)"
    if number.api_status == 0 and number.receipt_status is not None:
        status, code = messages_outcome(number.receipt_status, number.receipt_err_code or 0)
    elif number.api_status in LATER:
        status, code = "rejected", LATER[number.api_status]
    else:
        http_status, kind, _ = REFUSALS.get(number.api_status, REFUSALS[5])
        title = default_knowledge_base().for_messages_error(kind.rsplit("#", 1)[-1]).title
        return f"the sandbox answers HTTP {http_status} ({title})"
    if status == "submitted":
        return f'{accepted} and reports it "submitted"; no final status follows'
    if code is None:
        return f"{accepted}, then reports it {status} in a status webhook"
    title = default_knowledge_base().for_messages_error(str(code)).title
    return f'{accepted}, then sends a status webhook "{status}" with error {code} ({title})'
