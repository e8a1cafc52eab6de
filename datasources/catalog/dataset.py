"""Deterministic expansion of the catalog into vehicle records, streamed.

One record per (manufacturer, model, model year, body class, data source) that
the catalog says was built and that the data source plausibly covers. Every
value is a pure function of the catalog, so two runs on two machines produce
the same records, the same vehicle_ids and the same instance counts: reloading
is an upsert of identical documents.
"""

from __future__ import annotations

import functools
import hashlib
import heapq
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final, Literal

from datasources.catalog.curated import PRESENT_MODEL_YEAR, Catalog, Manufacturer, Model, Tier, load_catalog
from datasources.vehicles.vehicle_record import VehicleRecord, make_model_year

DatasetKind = Literal["sample", "full"]

SAMPLE_SIZE: Final = 1_000
SAMPLE_MANUFACTURERS: Final = 90
FULL_MINIMUM: Final = 100_000

# Each data source covers the slice of the catalog such a source really has;
# the slices overlap on purpose, as they did in the old backend's unified index.
NHTSA_VPIC: Final = "nhtsa_vpic"  # decoder catalog: the 17-character VIN era
EPA_FUEL_ECONOMY: Final = "epa_fueleconomy"  # fuel-economy tests, published from 1984
NHTSA_RECALLS: Final = "nhtsa_recalls"  # recall campaigns, since the 1966 Safety Act
HAGERTY_VALUATION: Final = "hagerty_valuation"  # collector price guide: 20+ years old, or sports/exotic
CLASSIC_REGISTRY: Final = "classic_registry"  # marque clubs' registries: 1990 and earlier
AUCTION_RESULTS: Final = "auction_results"  # collector auctions: the cars people bid on

DATA_SOURCES: Final[tuple[str, ...]] = (
    NHTSA_VPIC,
    EPA_FUEL_ECONOMY,
    NHTSA_RECALLS,
    HAGERTY_VALUATION,
    CLASSIC_REGISTRY,
    AUCTION_RESULTS,
)

COLLECTOR_AGE_YEARS: Final = 20
COLLECTOR_BODIES: Final = frozenset({"Convertible", "Roadster", "Fastback", "Targa", "Hardtop", "Coupe"})
ENTHUSIAST_TIERS: Final[frozenset[Tier]] = frozenset({"sports", "exotic"})


def sources_covering(*, tier: Tier, year: int, body_class: str) -> tuple[str, ...]:
    """The data sources that hold a record for this vehicle, in DATA_SOURCES order."""
    collector_age = year <= PRESENT_MODEL_YEAR - COLLECTOR_AGE_YEARS
    covered = (
        year >= 1981,
        year >= 1984 and body_class != "Limousine",
        year >= 1966,
        collector_age or tier in ENTHUSIAST_TIERS,
        year <= 1990,
        year <= 1972 or tier in ENTHUSIAST_TIERS or (collector_age and body_class in COLLECTOR_BODIES),
    )
    return tuple(source for source, yes in zip(DATA_SOURCES, covered, strict=True) if yes)


def natural_key(*, manufacturer: str, model: str, year: int, body_class: str, data_source: str) -> str:
    return f"{manufacturer}|{model}|{year}|{body_class}|{data_source}"


def vehicle_id_for(key: str) -> str:
    """16 hex digits of BLAKE2b over the natural key: stable across reloads and machines."""
    return hashlib.blake2b(key.encode(), digest_size=8).hexdigest()


# Relative numbers built per model-year; the order of magnitude is what matters.
_TIER_SCALE: Final[dict[Tier, float]] = {
    "mass": 4_000.0,
    "premium": 1_500.0,
    "luxury": 600.0,
    "sports": 300.0,
    "classic": 60.0,
    "exotic": 25.0,
}
_BODY_SHARE: Final[dict[str, float]] = {
    "Sedan": 1.0,
    "Pickup": 1.2,
    "SUV": 1.1,
    "Minivan": 0.9,
    "Hatchback": 0.8,
    "Coupe": 0.6,
    "Hardtop": 0.5,
    "Van": 0.5,
    "Wagon": 0.4,
    "Fastback": 0.3,
    "Convertible": 0.25,
    "Roadster": 0.2,
    "Targa": 0.2,
    "Limousine": 0.05,
}
# Registries and auctions see a small share of the cars a decoder or a recall campaign covers.
_SOURCE_SHARE: Final[dict[str, float]] = {
    NHTSA_VPIC: 1.0,
    EPA_FUEL_ECONOMY: 0.9,
    NHTSA_RECALLS: 0.8,
    HAGERTY_VALUATION: 0.1,
    CLASSIC_REGISTRY: 0.02,
    AUCTION_RESULTS: 0.005,
}
_PARETO_ALPHA: Final = 1.2
_PARETO_CAP: Final = 150.0


def instance_count_for(*, key: str, tier: Tier, year: int, body_class: str, data_source: str) -> int:
    """How many instances a source knows of: a deterministic Pareto draw, so a few
    model-years are very common and most are modest, with rare collector cars at 1-10."""
    digest = hashlib.blake2b(key.encode(), digest_size=8, person=b"instances").digest()
    uniform = (int.from_bytes(digest, "big") + 1) / 2**64  # (0, 1]
    tail = min(math.pow(uniform, -1.0 / _PARETO_ALPHA), _PARETO_CAP)
    age = max(0, PRESENT_MODEL_YEAR - year)
    survival = max(0.01, math.exp(-age / 25.0))  # older cars have mostly been scrapped
    expected = _TIER_SCALE[tier] * _BODY_SHARE[body_class] * _SOURCE_SHARE[data_source] * survival
    return max(1, round(expected * tail * 0.25))


def _records_of(manufacturer: Manufacturer, model: Model) -> Iterator[VehicleRecord]:
    for year in model.years():
        for body_class in model.body_classes_in(year):
            for data_source in sources_covering(tier=manufacturer.tier, year=year, body_class=body_class):
                key = natural_key(
                    manufacturer=manufacturer.name,
                    model=model.name,
                    year=year,
                    body_class=body_class,
                    data_source=data_source,
                )
                yield VehicleRecord(
                    vehicle_id=vehicle_id_for(key),
                    manufacturer=manufacturer.name,
                    model=model.name,
                    year=year,
                    body_class=body_class,
                    data_source=data_source,
                    instance_count=instance_count_for(
                        key=key,
                        tier=manufacturer.tier,
                        year=year,
                        body_class=body_class,
                        data_source=data_source,
                    ),
                    make_model_year=make_model_year(manufacturer.name, model.name, year),
                )


def iter_full(catalog: Catalog | None = None) -> Iterator[VehicleRecord]:
    """Every record of the catalog, in catalog order, one at a time."""
    for manufacturer, model in (catalog or load_catalog()).models():
        yield from _records_of(manufacturer, model)


# Models every demo and the legacy clients' examples ask for; the sample keeps several of each.
ICONIC_MODELS: Final[tuple[tuple[str, str], ...]] = (
    ("Ford", "Mustang"),
    ("Chevrolet", "Camaro"),
    ("Chevrolet", "Corvette"),
    ("Ford", "F-150"),
    ("Volkswagen", "Beetle"),
    ("Porsche", "911"),
    ("Toyota", "Corolla"),
    ("Honda", "Civic"),
)
_PER_ICONIC_MODEL: Final = 10
_PER_MANUFACTURER: Final = 6
_LONGEST_NAMES: Final = 12


def _rank(record: VehicleRecord) -> int:
    # The vehicle_id is already a uniform hash: ordering by it is a fair, stable shuffle.
    return int(record.vehicle_id, 16)


@dataclass(slots=True)
class _Lowest:
    """The k records of lowest rank seen so far (a bounded max-heap)."""

    k: int
    heap: list[tuple[int, int, VehicleRecord]]

    def offer(self, position: int, record: VehicleRecord) -> None:
        entry = (-_rank(record), position, record)
        if len(self.heap) < self.k:
            heapq.heappush(self.heap, entry)
        elif entry > self.heap[0]:
            heapq.heapreplace(self.heap, entry)

    def items(self) -> list[tuple[int, VehicleRecord]]:
        return sorted(((position, record) for _, position, record in self.heap), key=lambda e: _rank(e[1]))


def sample_manufacturers(catalog: Catalog) -> frozenset[str]:
    """The makes the sample draws from: every make of an iconic, one-year or longest-named
    model, then the makes with the most models, up to SAMPLE_MANUFACTURERS.

    Capped so that one page of the manufacturer list (100 at most) shows the whole
    sample, as the vehicle picker's first screen does.
    """
    required = {make for make, _ in (*ICONIC_MODELS, *_one_year_models(catalog), *_longest_names(catalog))}
    by_size = sorted(catalog.manufacturers, key=lambda m: (-len(m.models), m.name))
    chosen = set(required)
    for manufacturer in by_size:
        if len(chosen) >= SAMPLE_MANUFACTURERS:
            break
        chosen.add(manufacturer.name)
    return frozenset(chosen)


def _one_year_models(catalog: Catalog) -> set[tuple[str, str]]:
    return {(m.name, model.name) for m, model in catalog.models() if len(model.years()) == 1}


def _longest_names(catalog: Catalog) -> set[tuple[str, str]]:
    ranked = sorted(catalog.models(), key=lambda pair: (-len(pair[1].name), pair[1].name))
    return {(m.name, model.name) for m, model in ranked[:_LONGEST_NAMES]}


@functools.cache
def sample_records() -> tuple[VehicleRecord, ...]:
    """Exactly SAMPLE_SIZE records from sample_manufacturers(): the iconic models,
    every one-year model, the longest names, a few of every make, then a stable
    shuffle of the rest.

    A single pass over the full stream with bounded heaps, so the full set is
    never held in memory; the result is small enough to keep.
    """
    catalog = load_catalog()
    makes = sample_manufacturers(catalog)
    one_year = _one_year_models(catalog)
    longest = _longest_names(catalog)
    per_model: dict[tuple[str, str], _Lowest] = {}
    per_manufacturer: dict[str, _Lowest] = {}
    rest = _Lowest(k=SAMPLE_SIZE, heap=[])
    for position, record in enumerate(iter_full(catalog)):
        if record.manufacturer not in makes:
            continue
        pair = (record.manufacturer, record.model)
        if pair in ICONIC_MODELS or pair in one_year or pair in longest:
            size = _PER_ICONIC_MODEL if pair in ICONIC_MODELS else 1
            per_model.setdefault(pair, _Lowest(k=size, heap=[])).offer(position, record)
        per_manufacturer.setdefault(record.manufacturer, _Lowest(k=_PER_MANUFACTURER, heap=[])).offer(
            position, record
        )
        rest.offer(position, record)

    chosen: dict[str, tuple[int, VehicleRecord]] = {}
    for group in (*per_model.values(), *per_manufacturer.values(), rest):
        for position, record in group.items():
            if len(chosen) == SAMPLE_SIZE:
                break
            chosen.setdefault(record.vehicle_id, (position, record))
    if len(chosen) != SAMPLE_SIZE:
        raise RuntimeError(f"the catalog yields only {len(chosen)} sample records")
    return tuple(record for _, record in sorted(chosen.values(), key=lambda entry: entry[0]))


def iter_records(kind: DatasetKind) -> Iterator[VehicleRecord]:
    """The records of a named dataset: "sample" (exactly SAMPLE_SIZE) or "full" (FULL_MINIMUM or more)."""
    if kind == "sample":
        return iter(sample_records())
    if kind == "full":
        return iter_full()
    raise ValueError(f"unknown dataset {kind!r}")


class Fingerprint:
    """A digest of a record stream's exact content, to tell whether an index already holds it.

    Incremental, so a loader can compute it on the records as they stream past
    instead of generating the dataset a second time.
    """

    def __init__(self) -> None:
        self._digest = hashlib.blake2b(digest_size=16)

    def add(self, record: VehicleRecord) -> None:
        self._digest.update(
            f"{record.vehicle_id}\x1f{record.make_model_year}\x1f{record.body_class}\x1f"
            f"{record.data_source}\x1f{record.instance_count}\x1e".encode()
        )

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


def fingerprint(records: Iterator[VehicleRecord]) -> str:
    digest = Fingerprint()
    for record in records:
        digest.add(record)
    return digest.hexdigest()


@functools.cache
def dataset_fingerprint(kind: DatasetKind) -> str:
    return fingerprint(iter_records(kind))
