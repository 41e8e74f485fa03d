"""Turn a mobile network code (MCC+MNC, such as ``23410``) into an operator and a country."""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from smsgui.core.reference.resources import resource_path


@dataclass(frozen=True)
class Network:
    """A mobile network as the send response or a receipt names it."""

    code: str
    country_code: str | None
    country: str | None
    operator: str | None

    @property
    def label(self) -> str:
        """A short human label, e.g. "O2 (UK), United Kingdom (23410)"."""
        known = [part for part in (self.operator, self.country) if part]
        if not known:
            return f"unknown network ({self.code})"
        return f"{', '.join(known)} ({self.code})"


class NetworkTable:
    """All known networks, indexed by code; one code may belong to several countries."""

    def __init__(self, rows: Iterable[Network]) -> None:
        self._by_code: dict[str, list[Network]] = defaultdict(list)
        countries_per_mcc: dict[str, Counter[str | None]] = defaultdict(Counter)
        for network in rows:
            self._by_code[network.code].append(network)
            countries_per_mcc[network.code[:3]][network.country_code] += 1
        # Without a hint, a code shared by several countries goes to its MCC's main country
        # (310260 is listed for PR, US and VI; MCC 310 is mostly US).
        self._home_country = {
            mcc: counts.most_common(1)[0][0] for mcc, counts in countries_per_mcc.items()
        }

    def __len__(self) -> int:
        return sum(len(networks) for networks in self._by_code.values())

    def candidates(self, code: str) -> tuple[Network, ...]:
        return tuple(self._by_code.get(code, ()))

    def for_country(self, country_code: str) -> Network | None:
        """One network of a country (the lowest code), e.g. to stand in for a destination."""
        wanted = country_code.upper()
        codes = sorted(code for code, networks in self._by_code.items()
                       if any(n.country_code == wanted for n in networks))
        return self.lookup(codes[0], wanted) if codes else None

    def lookup(self, code: object, country_hint: str | None = None) -> Network | None:
        """Decode a network code; ``country_hint`` (ISO code of the recipient) picks among several.

        Returns None when ``code`` is not a network code at all, and a Network with no operator
        when it is well formed but not in the table.
        """
        text = str(code).strip() if isinstance(code, (str, int)) else ""
        if not (text.isdigit() and len(text) in (5, 6)):
            return None
        found = self._by_code.get(text)
        if not found:
            return Network(code=text, country_code=None, country=None, operator=None)
        preferred = country_hint.upper() if country_hint else self._home_country.get(text[:3])
        return next((n for n in found if n.country_code == preferred), found[0])


def parse_network_rows(lines: Iterable[str]) -> list[Network]:
    networks = []
    for line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        columns = [*line.rstrip("\n").split("\t"), "", "", "", ""]
        code, country_code, country, brand, operator = columns[:5]
        networks.append(Network(
            code=code,
            country_code=None if country_code == "-" else country_code,
            country=country or None,
            operator=brand or operator or None,
        ))
    return networks


def load_network_table(path: Path) -> NetworkTable:
    with path.open(encoding="utf-8") as handle:
        return NetworkTable(parse_network_rows(handle))


@functools.cache
def default_network_table() -> NetworkTable:
    """The network table shipped with smsgui, loaded once per process."""
    return load_network_table(resource_path("networks.tsv"))


def network_text(network: Network | None) -> str:
    """The network's label, or ``-`` when it is not known."""
    return network.label if network else "-"
