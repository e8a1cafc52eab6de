"""The variant generators: deterministic, distinct, and only asking for data that exists."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from scripts.bench import variants
from scripts.bench.variants import Catalog, CatalogModel

CATALOG = Catalog(
    models=(
        CatalogModel("Ford", "Mustang", 1964, 2024),
        CatalogModel("Ford", "Model T", 1908, 1927),
        CatalogModel("Chevrolet", "Camaro", 1967, 2024),
        CatalogModel("Dodge", "Challenger", 1970, 2023),
        CatalogModel("Odd", "Model: A,B", 1950, 1951),
    )
)
IDS = [f"vehicle-{n:04d}" for n in range(300)]


def test_catalog_from_an_aggregation() -> None:
    response = {
        "aggregations": {
            "manufacturers": {
                "buckets": [
                    {
                        "key": "Ford",
                        "models": {
                            "buckets": [
                                {
                                    "key": "Mustang",
                                    "year_min": {"value": 1964.0},
                                    "year_max": {"value": 2024.0},
                                }
                            ]
                        },
                    }
                ]
            }
        }
    }
    assert Catalog.from_aggregation(response).models == (CatalogModel("Ford", "Mustang", 1964, 2024),)


def test_same_seed_same_variants_other_seed_others() -> None:
    first = variants.filtered_search(CATALOG, count=50, seed=1)
    assert first == variants.filtered_search(CATALOG, count=50, seed=1)
    assert first != variants.filtered_search(CATALOG, count=50, seed=2)


def test_filtered_search_variants_are_distinct_and_within_production_years() -> None:
    values = variants.filtered_search(CATALOG, count=300, seed=3)
    assert len(values) == 300
    assert len({repr(v) for v in values}) == 300
    spans = {(m.manufacturer, m.model): (m.year_min, m.year_max) for m in CATALOG.models}
    for value in values:
        pairs = [(m["manufacturer"], m["model"]) for m in value["filter"]["models"]]
        assert 1 <= len(pairs) <= 3
        assert all(pair in spans for pair in pairs)
        low = min(spans[p][0] for p in pairs)
        high = max(spans[p][1] for p in pairs)
        assert low <= value["filter"]["yearMin"] <= value["filter"]["yearMax"] <= high


def test_distinct_stops_when_the_space_is_used_up() -> None:
    assert sorted(variants.distinct(lambda rng: rng.randint(1, 5), count=100, seed=0)) == [1, 2, 3, 4, 5]
    assert len(variants.nested(CATALOG, count=100, seed=0)) == len(CATALOG.search_terms)


def test_by_ids_draws_100_different_ids_from_the_pool() -> None:
    for value in variants.by_ids(IDS, count=20, seed=4):
        assert len(set(value["ids"])) == variants.IDS_PER_REQUEST
        assert set(value["ids"]) <= set(IDS)
    with pytest.raises(ValueError, match="at least 100"):
        variants.by_ids(IDS[:10], count=1, seed=0)


def test_rest_details_paths_carry_only_pairs_the_models_parameter_can_hold() -> None:
    for path in variants.rest_details(CATALOG, count=100, seed=5):
        split = urlsplit(path)
        assert split.path == "/api/v1/vehicles/details"
        query = parse_qs(split.query)
        pairs = [item.split(":") for item in query["models"][0].split(",")]
        assert all(len(pair) == 2 for pair in pairs)
        assert "Model: A,B" not in query["models"][0]
        assert int(query["yearMin"][0]) <= int(query["yearMax"][0])
        assert query["sortOrder"][0] in ("asc", "desc")


def test_rest_combinations_and_instances_paths() -> None:
    for path in variants.rest_combinations(CATALOG, count=30, seed=6):
        query = parse_qs(urlsplit(path).query)
        assert query["search"][0] in CATALOG.search_terms
    for path in variants.rest_instances(IDS, count=30, seed=6):
        split = urlsplit(path)
        assert split.path.removeprefix("/api/v1/vehicles/").removesuffix("/instances") in IDS
        assert 1 <= int(parse_qs(split.query)["count"][0]) <= 20


def test_interleave_takes_turns_until_every_list_is_used() -> None:
    assert list(variants.interleave([1, 2, 3], ["a"], [10, 20])) == [1, "a", 10, 2, 20, 3]
    assert list(variants.interleave()) == []
