"""Saved response documents: a versioned JSON file holding one send and what came back.

A document keeps the request without secrets, the HTTP status and timing, the raw body exactly as
received, and any delivery receipts; a message smsgui sent once more after a throttled first answer
also keeps that first answer and how long smsgui waited. Fields added later are optional, so
older files still load and FORMAT_VERSION stays the same. Loading also accepts a bare API body,
a receipt or an error body, so people can open whatever they copied out of a log.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from smsgui import __version__
from smsgui.core.api import json_steps
from smsgui.core.privacy import redact_fields, redact_url
from smsgui.core.values import bytes_to_text

FORMAT_NAME = "smsgui-response"
BATCH_FORMAT_NAME = "smsgui-responses"
FORMAT_VERSION = 1
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
_DECODER = json.JSONDecoder()


class DocumentError(Exception):
    """A document cannot be read or written; the message is one plain sentence."""


@dataclass(frozen=True)
class RequestRecord:
    """What was sent: secrets redacted and no Authorization header.

    ``url`` is the full URL including its query; ``fields`` are the request's parameters: the
    form fields of a POST, the query parameters of a GET. ``auth_method`` names where the
    credentials went (basic, body or signature), never what they were.
    """

    method: str
    url: str
    auth_method: str
    fields: tuple[tuple[str, str], ...] = ()

    def field_value(self, name: str) -> str | None:
        return next((value for key, value in self.fields if key == name), None)


@dataclass(frozen=True)
class Failure:
    """Why no answer was read (a transport failure), so a reloaded document can say so."""

    entry_id: str
    headline: str
    may_have_been_sent: bool = False


@dataclass(frozen=True)
class ThrottleRetry:
    """The message's first answer was throttled on every part, so smsgui waited and sent it once
    more; the document around this record holds the second answer.

    ``waited_s`` is how long smsgui waited between the first answer and the second request;
    ``asked_s`` is the wait the API named, None when it named none. The ``first_`` fields are the
    first answer: its knowledge entry, headline, HTTP status and body as received.
    """

    waited_s: float
    asked_s: float | None
    first_entry_id: str
    first_headline: str
    first_http_status: int | None = None
    first_body: str = ""


@dataclass(frozen=True)
class ResponseDocument:
    """One send and its answer, as saved to disk."""

    body: str
    http_status: int | None = None
    elapsed_ms: float | None = None
    request: RequestRecord | None = None
    receipts: tuple[Mapping[str, str], ...] = ()
    sandbox: bool | None = None
    saved_at: datetime | None = None
    sent_at: datetime | None = None
    """When the request went out; None for an answer that was pasted or opened bare."""
    app_version: str | None = None
    failure: Failure | None = None
    throttle_retry: ThrottleRetry | None = None
    """Set when this answer is the second of a message first refused as throttled."""
    is_bare_body: bool = field(default=False, compare=False)


def document_to_json(document: ResponseDocument, now: datetime | None = None) -> str:
    return json.dumps(_document_dict(document, now), indent=2, ensure_ascii=False) + "\n"


def documents_to_json(documents: Sequence[ResponseDocument], now: datetime | None = None) -> str:
    """One document as a plain document file; several as one batch file."""
    if len(documents) == 1:
        return document_to_json(documents[0], now)
    data = {"format": BATCH_FORMAT_NAME, "version": FORMAT_VERSION,
            "documents": [_document_dict(document, now) for document in documents]}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _document_dict(document: ResponseDocument, now: datetime | None) -> dict[str, Any]:
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "saved_at": (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds"),
        "sent_at": None if document.sent_at is None
        else document.sent_at.astimezone(UTC).isoformat(timespec="seconds"),
        "app_version": __version__,
        "sandbox": document.sandbox,
        "request": _request_to_json(document.request),
        "http_status": document.http_status,
        "elapsed_ms": document.elapsed_ms,
        "body": document.body,
        "receipts": [dict(redact_fields(tuple(receipt.items()))) for receipt in document.receipts],
        "failure": None if document.failure is None else {
            "entry": document.failure.entry_id, "headline": document.failure.headline,
            "may_have_been_sent": document.failure.may_have_been_sent},
        "throttle_retry": _retry_to_json(document.throttle_retry),
    }


def _retry_to_json(retry: ThrottleRetry | None) -> dict[str, Any] | None:
    if retry is None:
        return None
    return {"waited_s": round(retry.waited_s, 3),
            "asked_s": None if retry.asked_s is None else round(retry.asked_s, 3),
            "first": {"entry": retry.first_entry_id, "headline": retry.first_headline,
                      "http_status": retry.first_http_status, "body": retry.first_body}}


def _request_to_json(request: RequestRecord | None) -> dict[str, Any] | None:
    if request is None:
        return None
    return {
        "method": request.method,
        "url": redact_url(request.url),
        "auth_method": request.auth_method,
        "fields": [list(pair) for pair in redact_fields(request.fields)],
    }


def save_document(document: ResponseDocument, path: Path, now: datetime | None = None) -> None:
    """Write atomically: a reader sees the old file or the new one, never half of one."""
    write_atomically(path, json_bytes(document_to_json(document, now)))


def save_documents(documents: Sequence[ResponseDocument], path: Path,
                   now: datetime | None = None) -> None:
    """Save one send to one or several recipients, atomically."""
    if not documents:
        raise DocumentError("There is nothing to save yet.")
    write_atomically(path, json_bytes(documents_to_json(documents, now)))


def json_bytes(text: str) -> bytes:
    """JSON text as UTF-8, whatever it holds.

    JSON escapes can carry half of a UTF-16 pair ("\\ud800"), which has no UTF-8 form; it can
    only stand inside a JSON string, so it is written back as that same escape and reads back
    unchanged.
    """
    return text.encode("utf-8", "backslashreplace")


def write_atomically(path: Path, payload: bytes) -> None:
    directory = path.parent
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                             dir=directory)
    except OSError as error:
        raise DocumentError(f"Cannot write to {directory}: {error.strerror}.") from error
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise DocumentError(f"Cannot save {path.name}: {error.strerror}.") from error
    _sync_directory(directory)


def _sync_directory(directory: Path) -> None:
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def load_documents(path: Path) -> list[ResponseDocument]:
    """Every document in a file: a batch file's documents, or the one document or body."""
    return parse_documents(_read_capped(path))


def load_document(path: Path) -> ResponseDocument:
    """Read a saved document or any bare body; raises DocumentError with a one-line reason."""
    return parse_document(_read_capped(path))


def _read_capped(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            raise DocumentError(
                f"{path.name} is {size / 1_048_576:.1f} MB; smsgui opens files up to "
                f"{MAX_DOCUMENT_BYTES // 1_048_576} MB."
            )
        with path.open("rb") as handle:
            # st_size is 0 for pipes and devices, so the read itself is capped too.
            raw = handle.read(MAX_DOCUMENT_BYTES + 1)
    except FileNotFoundError:
        raise DocumentError(f"{path} does not exist.") from None
    except IsADirectoryError:
        raise DocumentError(f"{path} is a folder, not a file.") from None
    except PermissionError:
        raise DocumentError(f"smsgui is not allowed to read {path}.") from None
    except OSError as error:
        raise DocumentError(f"Cannot read {path}: {error.strerror or error}.") from None
    return raw


def parse_documents(raw: bytes | str) -> list[ResponseDocument]:
    """A batch file's documents, or a list of the one document (or bare body) given."""
    text = _text_of(raw)
    data = _json_object(text)
    if data is None or data.get("format") != BATCH_FORMAT_NAME:
        return [_document_or_body(text, data)]
    items = data.get("documents")
    documents = [_document_from_json(item) for item in items if isinstance(item, dict)] \
        if isinstance(items, list) else []
    if not documents:
        raise DocumentError("This smsgui file lists no responses.")
    return documents


def parse_document(raw: bytes | str) -> ResponseDocument:
    """Interpret text as a saved document, or keep it as a bare body for the decoder."""
    text = _text_of(raw)
    return _document_or_body(text, _json_object(text))


def _document_or_body(text: str, data: dict[str, Any] | None) -> ResponseDocument:
    if data is None or data.get("format") != FORMAT_NAME:
        return ResponseDocument(body=text, is_bare_body=True)
    return _document_from_json(data)


def _text_of(raw: bytes | str) -> str:
    # Pasted text has the same cap as a file: a real answer is a few kilobytes, and megabytes of
    # it would only keep the window busy showing them.
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise DocumentError(f"The input is larger than "
                            f"{MAX_DOCUMENT_BYTES // 1_048_576} MB; smsgui does not open it.")
    text = bytes_to_text(raw)[0] if isinstance(raw, bytes) else raw
    return text.lstrip("\ufeff")


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        data = json_steps.loads(text, _DECODER)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _document_from_json(data: Mapping[str, Any]) -> ResponseDocument:
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise DocumentError("This smsgui document has no valid version number.")
    if version > FORMAT_VERSION:
        raise DocumentError(f"This document was saved by a newer smsgui (format {version}); "
                            "update smsgui to open it.")
    body = data.get("body")
    if not isinstance(body, str):
        raise DocumentError("This smsgui document has no response body.")
    return ResponseDocument(
        body=body,
        http_status=_optional_int(data.get("http_status")),
        elapsed_ms=_optional_float(data.get("elapsed_ms")),
        request=_request_from_json(data.get("request")),
        receipts=_receipts_from_json(data.get("receipts")),
        sandbox=data.get("sandbox") if isinstance(data.get("sandbox"), bool) else None,
        saved_at=_optional_time(data.get("saved_at")),
        sent_at=_optional_time(data.get("sent_at")),
        app_version=data.get("app_version") if isinstance(data.get("app_version"), str) else None,
        failure=_failure_from_json(data.get("failure")),
        throttle_retry=_retry_from_json(data.get("throttle_retry")),
    )


def _failure_from_json(raw: object) -> Failure | None:
    if not isinstance(raw, dict):
        return None
    entry, headline = raw.get("entry"), raw.get("headline")
    if not isinstance(entry, str):
        return None
    # Without its words the failure still says what went wrong: its entry's title stands in.
    return Failure(entry, headline if isinstance(headline, str) else "",
                   raw.get("may_have_been_sent") is True)


def _retry_from_json(raw: object) -> ThrottleRetry | None:
    """The retry record; None when absent (every file before it existed) or unusable."""
    if not isinstance(raw, dict) or not isinstance(raw.get("first"), dict):
        return None
    waited, asked, first = _seconds(raw.get("waited_s")), raw.get("asked_s"), raw["first"]
    entry, headline, body = first.get("entry"), first.get("headline"), first.get("body", "")
    if waited is None or not all(isinstance(text, str) for text in (entry, headline, body)):
        return None
    return ThrottleRetry(waited_s=waited, asked_s=_seconds(asked), first_entry_id=str(entry),
                         first_headline=str(headline),
                         first_http_status=_optional_int(first.get("http_status")),
                         first_body=str(body))


def _seconds(value: object) -> float | None:
    """A duration: a finite number of seconds, not negative."""
    seconds = _optional_float(value)
    return seconds if seconds is not None and 0 <= seconds < math.inf else None


def _request_from_json(raw: object) -> RequestRecord | None:
    if not isinstance(raw, dict):
        return None
    fields = raw.get("fields")
    pairs = tuple(
        (str(pair[0]), str(pair[1])) for pair in (fields if isinstance(fields, list) else [])
        if isinstance(pair, list) and len(pair) == 2
    )
    return RequestRecord(
        method=str(raw.get("method") or "POST"),
        url=redact_url(str(raw.get("url") or "")),
        auth_method=str(raw.get("auth_method") or "unknown"),
        fields=redact_fields(pairs),
    )


def _receipts_from_json(raw: object) -> tuple[Mapping[str, str], ...]:
    if not isinstance(raw, list):
        return ()
    return tuple(
        {str(key): str(value) for key, value in item.items() if value is not None}
        for item in raw if isinstance(item, dict)
    )


def _optional_int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _optional_float(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _optional_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
