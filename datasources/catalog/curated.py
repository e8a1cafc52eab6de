"""The curated catalog of real manufacturers and models, typed.

The catalog itself is the text file `datasources/catalog/data/catalog.txt` (curated by
people, reviewed in diffs); this module parses and validates it once, so a
typo such as an unknown body class or a reversed year range fails loudly at
import time in tests rather than producing odd records in the index.

Format of the file (see docs/catalog.md for the sources):

    = Ford | US | mass                 a manufacturer: name | country | volume tier
    Mustang | 1965-1973: Coupe, Convertible, Fastback | 1974-1978: Coupe, Hatchback

A model line lists one or more production ranges, each with the body classes
built in it; `2015-` means still in production, `1948` a single model year.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Final, Literal, cast, get_args

# Open ranges ("2015-") end here rather than at today's date, so the expansion
# (and therefore every vehicle_id and count) does not change on New Year's Day.
PRESENT_MODEL_YEAR: Final = 2026
EARLIEST_MODEL_YEAR: Final = 1885

Tier = Literal["mass", "premium", "sports", "luxury", "exotic", "classic"]
TIERS: Final[frozenset[str]] = frozenset(get_args(Tier))

BODY_CLASSES: Final[tuple[str, ...]] = (
    "Sedan",
    "Coupe",
    "Hardtop",
    "Convertible",
    "Roadster",
    "Targa",
    "Fastback",
    "Hatchback",
    "Wagon",
    "Pickup",
    "SUV",
    "Minivan",
    "Van",
    "Limousine",
)

CATALOG_RESOURCE: Final = "catalog.txt"


class CatalogError(ValueError):
    """The catalog file is malformed; the message names the line."""


@dataclass(frozen=True, slots=True)
class ProductionRange:
    first_year: int
    last_year: int
    body_classes: tuple[str, ...]

    def covers(self, year: int) -> bool:
        return self.first_year <= year <= self.last_year


@dataclass(frozen=True, slots=True)
class Model:
    name: str
    ranges: tuple[ProductionRange, ...]

    @property
    def first_year(self) -> int:
        return min(each.first_year for each in self.ranges)

    @property
    def last_year(self) -> int:
        return max(each.last_year for each in self.ranges)

    def years(self) -> list[int]:
        """Model years in production, ascending; gaps between ranges stay gaps."""
        return sorted({year for each in self.ranges for year in range(each.first_year, each.last_year + 1)})

    def body_classes_in(self, year: int) -> tuple[str, ...]:
        """Body classes built in a model year, in catalog order, without repeats."""
        seen: dict[str, None] = {}
        for each in self.ranges:
            if each.covers(year):
                seen.update(dict.fromkeys(each.body_classes))
        return tuple(seen)

    def in_production(self, year: int) -> bool:
        return any(each.covers(year) for each in self.ranges)


@dataclass(frozen=True, slots=True)
class Manufacturer:
    name: str
    country: str
    tier: Tier
    models: tuple[Model, ...]

    def model(self, name: str) -> Model | None:
        return next((each for each in self.models if each.name == name), None)


@dataclass(frozen=True, slots=True)
class Catalog:
    manufacturers: tuple[Manufacturer, ...]

    def manufacturer(self, name: str) -> Manufacturer | None:
        return next((each for each in self.manufacturers if each.name == name), None)

    def models(self) -> Iterator[tuple[Manufacturer, Model]]:
        for manufacturer in self.manufacturers:
            for model in manufacturer.models:
                yield manufacturer, model


def _parse_years(text: str, *, where: str) -> tuple[int, int]:
    first_text, dash, last_text = text.partition("-")
    try:
        first = int(first_text)
        last = (int(last_text) if last_text else PRESENT_MODEL_YEAR) if dash else first
    except ValueError:
        raise CatalogError(f"{where}: bad year range {text!r}") from None
    if not EARLIEST_MODEL_YEAR <= first <= last <= PRESENT_MODEL_YEAR:
        raise CatalogError(f"{where}: year range {text!r} is reversed or out of bounds")
    return first, last


def _parse_range(text: str, *, where: str) -> ProductionRange:
    years_text, colon, bodies_text = text.partition(":")
    if not colon:
        raise CatalogError(f"{where}: range {text!r} has no ':' before its body classes")
    first, last = _parse_years(years_text.strip(), where=where)
    bodies = tuple(body.strip() for body in bodies_text.split(",") if body.strip())
    unknown = [body for body in bodies if body not in BODY_CLASSES]
    if not bodies or unknown:
        raise CatalogError(f"{where}: unknown or missing body classes {unknown or bodies_text!r}")
    if len(set(bodies)) != len(bodies):
        raise CatalogError(f"{where}: repeated body class in {bodies_text!r}")
    return ProductionRange(first_year=first, last_year=last, body_classes=bodies)


def _parse_manufacturer(line: str, *, where: str) -> tuple[str, str, Tier]:
    parts = [part.strip() for part in line[1:].split("|")]
    if len(parts) != 3 or not all(parts):
        raise CatalogError(f"{where}: a manufacturer line is '= Name | country | tier'")
    name, country, tier = parts
    if tier not in TIERS:
        raise CatalogError(f"{where}: unknown tier {tier!r}")
    return name, country, cast(Tier, tier)


def parse_catalog(text: str) -> Catalog:
    manufacturers: list[Manufacturer] = []
    header: tuple[str, str, Tier] | None = None
    models: list[Model] = []

    def close_manufacturer() -> None:
        if header is not None:
            if not models:
                raise CatalogError(f"manufacturer {header[0]!r} has no models")
            manufacturers.append(
                Manufacturer(name=header[0], country=header[1], tier=header[2], models=tuple(models))
            )

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        where = f"{CATALOG_RESOURCE}:{number}"
        if not line or line.startswith("#"):
            continue
        if line.startswith("="):
            close_manufacturer()
            header, models = _parse_manufacturer(line, where=where), []
            continue
        if header is None:
            raise CatalogError(f"{where}: a model before any manufacturer")
        name, *range_texts = (part.strip() for part in line.split("|"))
        if not name or not range_texts:
            raise CatalogError(f"{where}: a model line is 'Name | years: bodies | …'")
        if any(each.name == name for each in models):
            raise CatalogError(f"{where}: model {name!r} listed twice for {header[0]}")
        ranges = tuple(_parse_range(each, where=where) for each in range_texts)
        models.append(Model(name=name, ranges=ranges))
    close_manufacturer()

    names = [each.name for each in manufacturers]
    if len(set(names)) != len(names):
        raise CatalogError("a manufacturer is listed twice")
    return Catalog(manufacturers=tuple(manufacturers))


@functools.cache
def load_catalog() -> Catalog:
    """The packaged catalog, parsed once per process."""
    resource = resources.files("datasources.catalog").joinpath("data", CATALOG_RESOURCE)
    text = resource.read_text(encoding="utf-8")
    return parse_catalog(text)
