from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from datasources.catalog.curated import Model, load_catalog
from datasources.catalog.dataset import (
    AUCTION_RESULTS,
    CLASSIC_REGISTRY,
    DATA_SOURCES,
    EPA_FUEL_ECONOMY,
    FULL_MINIMUM,
    HAGERTY_VALUATION,
    ICONIC_MODELS,
    NHTSA_RECALLS,
    NHTSA_VPIC,
    SAMPLE_MANUFACTURERS,
    SAMPLE_SIZE,
    fingerprint,
    iter_full,
    iter_records,
    natural_key,
    sample_manufacturers,
    sources_covering,
    vehicle_id_for,
)
from datasources.vehicles.vehicle_record import VehicleRecord, make_model_year

CATALOG_DOC = Path(__file__).resolve().parents[2] / "docs" / "catalog.md"


@pytest.fixture(scope="module")
def sample() -> list[VehicleRecord]:
    return list(iter_records("sample"))


@dataclass
class FullSummary:
    ids: set[str]
    keys: set[tuple[str, str, int, str, str]]
    outside: list[VehicleRecord]
    counts: list[int]
    sources_per_vehicle: dict[tuple[str, str, int, str], set[str]]
    models: dict[tuple[str, str], Model]


@pytest.fixture(scope="module")
def full() -> FullSummary:
    """One pass over the full stream, keeping only aggregates (as a consumer should)."""
    catalog = load_catalog()
    tiers = {m.name: m.tier for m in catalog.manufacturers}
    models = {(m.name, model.name): model for m, model in catalog.models()}
    ids: set[str] = set()
    keys: set[tuple[str, str, int, str, str]] = set()
    sources_per_vehicle: dict[tuple[str, str, int, str], set[str]] = defaultdict(set)
    counts: list[int] = []
    outside: list[VehicleRecord] = []
    for record in iter_full():
        model = models[(record.manufacturer, record.model)]
        if record.body_class not in model.body_classes_in(record.year):
            outside.append(record)
        if record.data_source not in sources_covering(
            tier=tiers[record.manufacturer], year=record.year, body_class=record.body_class
        ):
            outside.append(record)
        assert record.make_model_year == make_model_year(record.manufacturer, record.model, record.year)
        ids.add(record.vehicle_id)
        keys.add((record.manufacturer, record.model, record.year, record.body_class, record.data_source))
        sources_per_vehicle[(record.manufacturer, record.model, record.year, record.body_class)].add(
            record.data_source
        )
        counts.append(record.instance_count)
    return FullSummary(
        ids=ids,
        keys=keys,
        outside=outside,
        counts=counts,
        sources_per_vehicle=sources_per_vehicle,
        models=models,
    )


def test_full_has_at_least_the_minimum_of_distinct_records(full: FullSummary) -> None:
    assert len(full.keys) >= FULL_MINIMUM
    assert len(full.ids) == len(full.keys), "every natural key has its own vehicle_id"


def test_the_documented_full_count_is_the_real_one(full: FullSummary) -> None:
    match = re.search(r"full dataset: \*\*([\d,]+)\*\* records", CATALOG_DOC.read_text(encoding="utf-8"))
    assert match, "docs/catalog.md states the full count"
    assert int(match.group(1).replace(",", "")) == len(full.keys)


def test_no_record_outside_its_models_production_or_its_sources_coverage(
    full: FullSummary,
) -> None:
    assert full.outside == []


def test_every_catalog_model_year_and_body_is_covered(full: FullSummary) -> None:
    for (make, name), model in full.models.items():
        for year in model.years():
            for body in model.body_classes_in(year):
                assert full.sources_per_vehicle.get((make, name, year, body)), (make, name, year, body)


def test_data_sources_overlap(full: FullSummary) -> None:
    per_vehicle = full.sources_per_vehicle
    assert min(len(sources) for sources in per_vehicle.values()) >= 2, "every vehicle seen twice at least"
    covered = Counter(source for sources in per_vehicle.values() for source in sources)
    assert set(covered) == set(DATA_SOURCES)
    for source, count in covered.items():
        assert 0.1 < count / len(per_vehicle) < 0.9, f"{source} should cover a slice, not all or nothing"


def test_instance_counts_have_a_long_tail(full: FullSummary) -> None:
    counts = full.counts
    median = statistics.median(counts)
    assert min(counts) >= 1
    assert statistics.mean(counts) > 3 * median, "a few model-years hold most cars"
    assert max(counts) > 1_000 * median
    assert sum(1 for count in counts if count <= 5) > len(counts) / 10, "rare collector cars"


def test_vehicle_ids_are_a_stable_hash_of_the_natural_key() -> None:
    first = next(iter_full())
    key = natural_key(
        manufacturer=first.manufacturer,
        model=first.model,
        year=first.year,
        body_class=first.body_class,
        data_source=first.data_source,
    )
    assert first.vehicle_id == vehicle_id_for(key)
    assert re.fullmatch(r"[0-9a-f]{16}", first.vehicle_id)
    # Pinned: a change here changes every id in every deployed index.
    assert vehicle_id_for("Ford|Mustang|1965|Fastback|classic_registry") == "7f92a8cbf67f63c6"


def test_the_full_dataset_is_streamed_not_built() -> None:
    stream = iter_records("full")
    assert isinstance(stream, Iterator)
    assert not isinstance(stream, list | tuple)


def test_two_runs_give_identical_records() -> None:
    assert fingerprint(iter_records("full")) == fingerprint(iter_records("full"))


def test_sample_is_exactly_the_documented_size_and_distinct(sample: list[VehicleRecord]) -> None:
    assert len(sample) == SAMPLE_SIZE
    assert len({record.vehicle_id for record in sample}) == SAMPLE_SIZE


def test_sample_is_a_subset_of_full(sample: list[VehicleRecord]) -> None:
    wanted = {record.vehicle_id: record for record in sample}
    found = {record.vehicle_id: record for record in iter_full() if record.vehicle_id in wanted}
    assert found == wanted


def test_sample_covers_ninety_manufacturers_and_the_edge_cases(sample: list[VehicleRecord]) -> None:
    catalog = load_catalog()
    makes = {record.manufacturer for record in sample}
    assert makes == sample_manufacturers(catalog)
    assert len(makes) == SAMPLE_MANUFACTURERS
    assert {"Tucker", "Edsel", "Ford", "Toyota", "Ferrari", "Studebaker", "Hyundai"} <= makes
    pairs = {(record.manufacturer, record.model) for record in sample}
    one_year = {(m.name, model.name) for m, model in catalog.models() if len(model.years()) == 1}
    assert one_year <= pairs
    longest = max((model.name for _, model in catalog.models()), key=len)
    assert any(record.model == longest for record in sample)
    for pair in ICONIC_MODELS:
        assert sum(1 for record in sample if (record.manufacturer, record.model) == pair) >= 5
    assert any(record.year < 1930 for record in sample)
    assert any(record.year >= 2024 for record in sample)
    assert {record.data_source for record in sample} == set(DATA_SOURCES)
    counts = [record.instance_count for record in sample]
    assert min(counts) <= 2, "rare collector cars"
    assert max(counts) >= 10_000, "common cars"


def test_sample_is_deterministic(sample: list[VehicleRecord]) -> None:
    assert list(iter_records("sample")) == sample


def test_unknown_dataset_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown dataset"):
        iter_records("huge")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("tier", "year", "body", "expected"),
    [
        ("mass", 1955, "Sedan", {HAGERTY_VALUATION, CLASSIC_REGISTRY, AUCTION_RESULTS}),
        ("mass", 1975, "Sedan", {NHTSA_RECALLS, HAGERTY_VALUATION, CLASSIC_REGISTRY}),
        ("mass", 1975, "Convertible", {NHTSA_RECALLS, HAGERTY_VALUATION, CLASSIC_REGISTRY, AUCTION_RESULTS}),
        ("mass", 1995, "Sedan", {NHTSA_VPIC, EPA_FUEL_ECONOMY, NHTSA_RECALLS, HAGERTY_VALUATION}),
        ("mass", 2024, "SUV", {NHTSA_VPIC, EPA_FUEL_ECONOMY, NHTSA_RECALLS}),
        (
            "exotic",
            2024,
            "Coupe",
            {NHTSA_VPIC, EPA_FUEL_ECONOMY, NHTSA_RECALLS, HAGERTY_VALUATION, AUCTION_RESULTS},
        ),
        ("luxury", 1982, "Limousine", {NHTSA_VPIC, NHTSA_RECALLS, HAGERTY_VALUATION, CLASSIC_REGISTRY}),
    ],
)
def test_source_coverage_rules(tier: str, year: int, body: str, expected: set[str]) -> None:
    assert set(sources_covering(tier=tier, year=year, body_class=body)) == expected  # type: ignore[arg-type]
