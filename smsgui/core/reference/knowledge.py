"""The troubleshooting knowledge base: one typed entry per thing that can go wrong.

The entries live in ``resources/knowledge.toml``; this module loads and checks them once and
answers look-ups such as "which entry explains API status 29?".
"""

from __future__ import annotations

import contextlib
import enum
import json
import logging
import os
import threading
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smsgui.core.reference.resources import resource_path

logger = logging.getLogger(__name__)
_CACHE_PREFIX = "knowledge-"
UNKNOWN_STATUS_ID = "status-unknown"
UNKNOWN_RECEIPT_STATUS_ID = "receipt-status-unrecognized"
UNKNOWN_RECEIPT_ERROR_ID = "receipt-error-unrecognized"
UNKNOWN_MESSAGES_ERROR_ID = "messages-error-unknown"
UNKNOWN_MESSAGES_STATUS_ID = "messages-status-unknown"


class Kind(enum.StrEnum):
    """What an entry explains."""

    API_STATUS = "api-status"
    HTTP = "http"
    TRANSPORT = "transport"
    RESPONSE = "response"
    RECEIPT_STATUS = "receipt-status"
    RECEIPT_ERROR = "receipt-error"
    CHECK = "check"
    MESSAGES_ERROR = "messages-error"
    """A Messages API failure: its HTTP answer, a numbered error code or a problem type."""
    MESSAGES_STATUS = "messages-status"
    """A Messages API status webhook's ``status``, such as ``delivered``."""


class Retry(enum.StrEnum):
    """Whether sending the same request again can help."""

    YES = "yes"
    AFTER_WAIT = "after-wait"
    AFTER_FIX = "after-fix"
    CHECK_FIRST = "check-first"
    NO = "no"


class Severity(enum.StrEnum):
    """How bad the situation an entry describes is; drives icons and ordering."""

    OK = "ok"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class Entry:
    """One troubleshooting entry: what happened, why, and what to do next."""

    id: str
    kind: Kind
    code: str | None
    title: str
    also_known_as: tuple[str, ...]
    severity: Severity
    meaning: str
    causes: tuple[str, ...]
    next_steps: tuple[str, ...]
    retry: Retry
    links: tuple[Link, ...]

    @property
    def display_title(self) -> str:
        """The title with any other names it goes by, e.g. "Invalid Message (Unroutable)"."""
        if not self.also_known_as:
            return self.title
        return f"{self.title} ({', '.join(self.also_known_as)})"


class KnowledgeBaseError(ValueError):
    """The knowledge base file is malformed."""


_REQUIRED_TEXT = ("id", "title", "meaning")
_REQUIRED_LISTS = ("causes", "next_steps", "links")


class KnowledgeBase:
    """All entries, indexed by id and by (kind, code)."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries: tuple[Entry, ...] = tuple(entries)
        self._by_id: dict[str, Entry] = {}
        self._by_code: dict[tuple[Kind, str], Entry] = {}
        for entry in self.entries:
            if entry.id in self._by_id:
                raise KnowledgeBaseError(f"duplicate entry id {entry.id!r}")
            self._by_id[entry.id] = entry
            if entry.code is not None:
                key = (entry.kind, entry.code)
                if key in self._by_code:
                    raise KnowledgeBaseError(f"two entries explain {entry.kind} {entry.code}")
                self._by_code[key] = entry
        for required in (UNKNOWN_STATUS_ID, UNKNOWN_RECEIPT_STATUS_ID, UNKNOWN_RECEIPT_ERROR_ID,
                         UNKNOWN_MESSAGES_ERROR_ID, UNKNOWN_MESSAGES_STATUS_ID):
            if required not in self._by_id:
                raise KnowledgeBaseError(f"the fallback entry {required!r} is missing")

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self._by_id

    def get(self, entry_id: str) -> Entry:
        """Return the entry with this id; raises KeyError for an id the base does not have."""
        return self._by_id[entry_id]

    def lookup(self, kind: Kind, code: str) -> Entry | None:
        return self._by_code.get((kind, code))

    def of_kind(self, kind: Kind) -> tuple[Entry, ...]:
        return tuple(entry for entry in self.entries if entry.kind is kind)

    def for_status(self, status: int | None) -> Entry:
        """The entry for an SMS API ``status`` code; unknown codes get the generic entry."""
        found = None if status is None else self.lookup(Kind.API_STATUS, str(status))
        return found or self.get(UNKNOWN_STATUS_ID)

    def for_receipt_status(self, status: str | None) -> Entry:
        """The entry for a delivery receipt ``status`` such as ``delivered``."""
        found = None if status is None else self.lookup(Kind.RECEIPT_STATUS, status.lower())
        return found or self.get(UNKNOWN_RECEIPT_STATUS_ID)

    def for_receipt_error(self, err_code: int | None) -> Entry:
        """The entry for a delivery receipt ``err-code``."""
        found = None if err_code is None else self.lookup(Kind.RECEIPT_ERROR, str(err_code))
        return found or self.get(UNKNOWN_RECEIPT_ERROR_ID)

    def for_messages_error(self, code: str | None) -> Entry:
        """The entry for a Messages API error: a number ("1120"), ``http-<status>``, or the
        name a problem ``type`` ends in ("low-balance"), which an entry may go by."""
        if code is None:
            return self.get(UNKNOWN_MESSAGES_ERROR_ID)
        name = code.strip().lower()
        found = self.lookup(Kind.MESSAGES_ERROR, name) or next(
            (entry for entry in self.of_kind(Kind.MESSAGES_ERROR)
             if name in (alias.lower() for alias in entry.also_known_as)), None)
        return found or self.get(UNKNOWN_MESSAGES_ERROR_ID)

    def for_messages_status(self, status: str | None) -> Entry:
        """The entry for a Messages API status webhook's ``status``."""
        found = None if status is None else self.lookup(Kind.MESSAGES_STATUS, status.lower())
        return found or self.get(UNKNOWN_MESSAGES_STATUS_ID)

    def for_http_status(self, http_status: int) -> Entry | None:
        """The entry for a non-200 HTTP answer, or None when there is none for it."""
        exact = self.lookup(Kind.HTTP, str(http_status))
        if exact:
            return exact
        family = f"{http_status // 100}xx"
        return self.lookup(Kind.HTTP, family)


def parse_entries(document: Mapping[str, Any]) -> list[Entry]:
    """Turn the parsed TOML document into entries, rejecting anything malformed."""
    raw_entries = document.get("entry")
    if not isinstance(raw_entries, list) or not raw_entries:
        raise KnowledgeBaseError("the knowledge base has no [[entry]] tables")
    return [_parse_entry(raw, position) for position, raw in enumerate(raw_entries, start=1)]


def _parse_entry(raw: Mapping[str, Any], position: int) -> Entry:
    where = f"entry #{position} ({raw.get('id', 'no id')})"
    for field in _REQUIRED_TEXT:
        if not isinstance(raw.get(field), str) or not raw[field].strip():
            raise KnowledgeBaseError(f"{where}: {field!r} must be non-empty text")
    for field in _REQUIRED_LISTS:
        values = raw.get(field)
        if not isinstance(values, list) or not values:
            raise KnowledgeBaseError(f"{where}: {field!r} must be a non-empty list")
    try:
        kind = Kind(str(raw.get("kind")))
        retry = Retry(str(raw.get("retry")))
        severity = Severity(str(raw.get("severity")))
    except ValueError as error:
        raise KnowledgeBaseError(f"{where}: {error}") from None
    code = raw.get("code")
    if code is not None and (not isinstance(code, str) or not code):
        raise KnowledgeBaseError(f"{where}: 'code' must be non-empty text when present")
    return Entry(
        id=raw["id"],
        kind=kind,
        code=code,
        title=raw["title"].strip(),
        also_known_as=tuple(_texts(raw.get("also_known_as", []), where, "also_known_as")),
        severity=severity,
        meaning=raw["meaning"].strip(),
        causes=tuple(_texts(raw["causes"], where, "causes")),
        next_steps=tuple(_texts(raw["next_steps"], where, "next_steps")),
        retry=retry,
        links=tuple(_link(item, where) for item in raw["links"]),
    )


def _texts(values: object, where: str, field: str) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        raise KnowledgeBaseError(f"{where}: every item of {field!r} must be non-empty text")
    return [value.strip() for value in values]


def _link(item: object, where: str) -> Link:
    if not isinstance(item, dict):
        raise KnowledgeBaseError(f"{where}: a link must be a table with title and url")
    title, url = item.get("title"), item.get("url")
    if not isinstance(title, str) or not title.strip():
        raise KnowledgeBaseError(f"{where}: a link has no title")
    if not isinstance(url, str) or not url.startswith("https://"):
        raise KnowledgeBaseError(f"{where}: link {title!r} must be an https:// URL")
    return Link(title=title.strip(), url=url)


def load_knowledge_base(path: Path, cache_dir: Path | None = None) -> KnowledgeBase:
    """Read and check a knowledge base file.

    With ``cache_dir``, the parsed file is kept there as JSON, named after a hash of its content,
    so later starts skip the TOML parse (about 20 ms); the entries are checked either way.
    """
    raw = path.read_bytes()
    cached = _cache_file(raw, cache_dir) if cache_dir is not None else None
    document = _read_cached(cached) if cached is not None else None
    if document is not None:
        try:
            return KnowledgeBase(parse_entries(document))
        except Exception:  # a damaged cache, whatever the damage: the file itself decides
            logger.warning("The cached knowledge base %s is damaged; reading the file", cached)
    document = _parse_toml(raw, path.name)
    knowledge = KnowledgeBase(parse_entries(document))
    if cached is not None:
        _write_cache(cached, document)
    return knowledge


def _parse_toml(raw: bytes, name: str) -> dict[str, Any]:
    import tomllib

    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise KnowledgeBaseError(f"{name} is not valid TOML: {error}") from None


def _cache_file(raw: bytes, cache_dir: Path) -> Path:
    # A cache key, not a security check: the cache folder is the person's own.
    return cache_dir / f"{_CACHE_PREFIX}{len(raw)}-{zlib.crc32(raw):08x}.json"


def _read_cached(cached: Path) -> dict[str, Any] | None:
    """The cached document, or None when there is none or it cannot be read."""
    try:
        document = json.loads(cached.read_bytes())
    except (OSError, ValueError):
        return None
    return document if isinstance(document, dict) else None


def _write_cache(cached: Path, document: Mapping[str, Any]) -> None:
    """Keep the parsed document for the next start; a cache that cannot be written is no loss.

    Not synced to disk: a cache cut short by a crash is read as damaged and written again.
    """
    partial = cached.with_name(f"{cached.name}.{os.getpid()}.partial")
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps(document), encoding="utf-8")
        partial.replace(cached)
        for stale in cached.parent.glob(f"{_CACHE_PREFIX}*"):
            if stale != cached:
                stale.unlink(missing_ok=True)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)


_DEFAULT_LOCK = threading.Lock()
_loaded_default: list[KnowledgeBase] = []


def default_knowledge_base(cache_dir: Path | None = None) -> KnowledgeBase:
    """The knowledge base shipped with smsgui, loaded once per process.

    The first call loads it, so ``cache_dir`` matters only there: the app passes its cache
    folder before anything else asks.
    """
    with _DEFAULT_LOCK:
        if not _loaded_default:
            _loaded_default.append(load_knowledge_base(resource_path("knowledge.toml"), cache_dir))
        return _loaded_default[0]
