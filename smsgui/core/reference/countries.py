"""English country names for ISO region codes, from ``resources/countries.tsv``."""

from __future__ import annotations

import functools
from collections.abc import Mapping

from smsgui.core.reference.resources import resource_path


def country_name(region: str | None) -> str | None:
    """The English name of a country from its ISO code; the code itself when no name is known."""
    if region is None:
        return None
    return _country_names().get(region.upper(), region)


def known_countries() -> Mapping[str, str]:
    """ISO region code to English name, for every region smsgui knows."""
    return _country_names()


@functools.cache
def _country_names() -> Mapping[str, str]:
    names: dict[str, str] = {}
    with resource_path("countries.tsv").open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip() and not line.startswith("#"):
                code, name = line.rstrip("\n").split("\t", 1)
                names[code] = name
    return names
