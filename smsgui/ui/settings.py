"""The app's settings behind a small typed wrapper; every default is declared once, here.

Secrets never come here: QSettings is a plain file (or registry) anyone can read.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QByteArray, QLocale, QSettings

SETTINGS_VERSION = 1
DEFAULT_PRICE_PER_PART = Decimal("0.0333")
HISTORY_RETENTION_DAYS = (30, 90, 365)
"""How long the history may keep sends, in days, besides keeping them all (None, the default)."""


def _locale_country() -> str:
    name = QLocale.system().name()  # e.g. "en_GB"
    return name.split("_")[1] if "_" in name else "GB"


class AppSettings:
    """Typed access to QSettings; pass an isolated QSettings in tests."""

    def __init__(self, store: QSettings) -> None:
        self._store = store
        self._migrate()

    def _migrate(self) -> None:
        version = self._store.value("version", 0, type=int)
        if not isinstance(version, int) or version < SETTINGS_VERSION:
            self._store.setValue("version", SETTINGS_VERSION)

    @property
    def geometry(self) -> QByteArray | None:
        value = self._store.value("window/geometry")
        return value if isinstance(value, QByteArray) else None

    @geometry.setter
    def geometry(self, value: QByteArray) -> None:
        self._store.setValue("window/geometry", value)

    @property
    def window_state(self) -> QByteArray | None:
        value = self._store.value("window/state")
        return value if isinstance(value, QByteArray) else None

    @window_state.setter
    def window_state(self, value: QByteArray) -> None:
        self._store.setValue("window/state", value)

    @property
    def theme(self) -> str | None:
        value = self._store.value("view/theme")
        return value if isinstance(value, str) else None

    @theme.setter
    def theme(self, value: str) -> None:
        self._store.setValue("view/theme", value)

    @property
    def splitter_state(self) -> QByteArray | None:
        value = self._store.value("window/splitter")
        return value if isinstance(value, QByteArray) else None

    @splitter_state.setter
    def splitter_state(self, value: QByteArray) -> None:
        self._store.setValue("window/splitter", value)

    @property
    def last_profile(self) -> str | None:
        value = self._store.value("profiles/last", "", type=str)
        return value if isinstance(value, str) and value else None

    @last_profile.setter
    def last_profile(self, name: str) -> None:
        self._store.setValue("profiles/last", name)

    @property
    def default_country(self) -> str:
        return str(self._store.value("compose/default_country", _locale_country(), type=str))

    @default_country.setter
    def default_country(self, region: str) -> None:
        self._store.setValue("compose/default_country", region.upper())

    @property
    def mask_numbers(self) -> bool:
        return bool(self._store.value("summary/mask_numbers", True, type=bool))

    @mask_numbers.setter
    def mask_numbers(self, mask: bool) -> None:
        self._store.setValue("summary/mask_numbers", mask)

    @property
    def summary_markdown(self) -> bool:
        return bool(self._store.value("summary/markdown", False, type=bool))

    @summary_markdown.setter
    def summary_markdown(self, markdown: bool) -> None:
        self._store.setValue("summary/markdown", markdown)

    @property
    def price_per_part(self) -> Decimal:
        """The price used for cost estimates before a live send."""
        text = str(self._store.value("send/price_per_part", str(DEFAULT_PRICE_PER_PART)))
        try:
            price = Decimal(text)
        except InvalidOperation:
            return DEFAULT_PRICE_PER_PART
        return price if price.is_finite() and price >= 0 else DEFAULT_PRICE_PER_PART

    @property
    def history_retention_days(self) -> int | None:
        """Sends older than this many days leave the history; None keeps every send.

        Anything but one of HISTORY_RETENTION_DAYS reads as None: a damaged or hand-edited
        value never deletes sends.
        """
        value = self._store.value("history/retention_days", 0)
        try:
            days = int(str(value))
        except ValueError:
            return None
        return days if days in HISTORY_RETENTION_DAYS else None

    @history_retention_days.setter
    def history_retention_days(self, days: int | None) -> None:
        if days is not None and days not in HISTORY_RETENTION_DAYS:
            raise ValueError(f"the history keeps sends for one of {HISTORY_RETENTION_DAYS} "
                             f"days, not {days}")
        self._store.setValue("history/retention_days", days or 0)

    def sync(self) -> None:
        self._store.sync()
