"""The values the cold and literal modes draw from: thousands of distinct requests per workload.

Pure and seeded: the same catalog, id pool and seed give the same variants, in
the same order, on every run and on both sides of a race. Every variant asks
for data that exists (real manufacturer/model pairs, years within a model's
production run, ids of the benchmark index), so the answers are real work.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import orjson

from scripts.bench.literal import EnumValue

SORT_FIELDS = ("YEAR", "MODEL", "MANUFACTURER", "INSTANCE_COUNT", "BODY_CLASS")
REST_SORT_FIELDS = ("year", "model", "manufacturer", "instance_count", "body_class")
IDS_PER_REQUEST = 100


@dataclass(frozen=True, slots=True)
class CatalogModel:
    manufacturer: str
    model: str
    year_min: int
    year_max: int


@dataclass(frozen=True, slots=True)
class Catalog:
    """What the benchmark index holds: every manufacturer+model with its year span."""

    models: tuple[CatalogModel, ...]

    @property
    def manufacturers(self) -> tuple[str, ...]:
        return tuple(sorted({m.manufacturer for m in self.models}))

    @property
    def search_terms(self) -> tuple[str, ...]:
        """Texts a picker user types: manufacturer and model names."""
        return tuple(sorted({m.manufacturer for m in self.models} | {m.model for m in self.models}))

    @classmethod
    def from_aggregation(cls, response: dict[str, Any]) -> Catalog:
        """From a `manufacturers` terms aggregation with `models` terms and `year_min`/`year_max`."""
        return cls(
            models=tuple(
                CatalogModel(
                    manufacturer=bucket["key"],
                    model=model["key"],
                    year_min=int(model["year_min"]["value"]),
                    year_max=int(model["year_max"]["value"]),
                )
                for bucket in response["aggregations"]["manufacturers"]["buckets"]
                for model in bucket["models"]["buckets"]
            )
        )


def distinct(
    make: Callable[[random.Random], Any], *, count: int, seed: int, patience: int = 2_000
) -> list[Any]:
    """Up to `count` distinct values of `make`, in the order drawn; fewer when `patience` draws in a
    row bring nothing new (the space is used up)."""
    rng = random.Random(seed)
    seen: set[bytes] = set()
    values: list[Any] = []
    misses = 0
    while len(values) < count and misses < patience:
        value = make(rng)
        key = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
        if key in seen:
            misses += 1
            continue
        misses = 0
        seen.add(key)
        values.append(value)
    return values


def _year_span(rng: random.Random, models: Sequence[CatalogModel]) -> tuple[int, int]:
    low = min(m.year_min for m in models)
    high = max(m.year_max for m in models)
    year_min = rng.randint(low, high)
    return year_min, rng.randint(year_min, high)


def _rest_safe(models: Sequence[CatalogModel]) -> list[CatalogModel]:
    """Pairs the v1 `models=Make:Model,…` list can carry (its separators are not escaped)."""
    return [m for m in models if not any(ch in m.manufacturer + m.model for ch in ",:")]


def picker(catalog: Catalog, *, count: int, seed: int) -> list[dict[str, Any]]:
    terms = catalog.search_terms
    return distinct(
        lambda rng: {"search": rng.choice(terms), "first": rng.choice((5, 10, 20, 50))},
        count=count,
        seed=seed,
    )


def filtered_search(catalog: Catalog, *, count: int, seed: int) -> list[dict[str, Any]]:
    def make(rng: random.Random) -> dict[str, Any]:
        chosen = rng.sample(catalog.models, rng.randint(1, 3))
        year_min, year_max = _year_span(rng, chosen)
        sort = [
            {"field": EnumValue(rng.choice(SORT_FIELDS)), "direction": EnumValue(rng.choice(("ASC", "DESC")))}
        ]
        return {
            "filter": {
                "models": [{"manufacturer": m.manufacturer, "model": m.model} for m in chosen],
                "yearMin": year_min,
                "yearMax": year_max,
            },
            "sort": sort,
            "first": rng.choice((10, 20, 30)),
        }

    return distinct(make, count=count, seed=seed)


def nested(catalog: Catalog, *, count: int, seed: int) -> list[dict[str, Any]]:
    """The picker's search text only: the nested page sizes are literals of the document."""
    terms = catalog.search_terms
    return distinct(lambda rng: {"search": rng.choice(terms)}, count=min(count, len(terms)), seed=seed)


def by_ids(ids: Sequence[str], *, count: int, seed: int) -> list[dict[str, Any]]:
    if len(ids) < IDS_PER_REQUEST:
        raise ValueError(f"need at least {IDS_PER_REQUEST} ids, got {len(ids)}")
    return distinct(lambda rng: {"ids": rng.sample(list(ids), IDS_PER_REQUEST)}, count=count, seed=seed)


def rest_combinations(catalog: Catalog, *, count: int, seed: int) -> list[str]:
    terms = catalog.search_terms

    def make(rng: random.Random) -> str:
        query = {"search": rng.choice(terms), "page": rng.randint(1, 2), "size": rng.choice((5, 10, 20, 50))}
        return "/api/v1/manufacturer-model-combinations?" + urlencode(query, quote_via=quote)

    return distinct(make, count=count, seed=seed)


def rest_details(catalog: Catalog, *, count: int, seed: int) -> list[str]:
    models = _rest_safe(catalog.models)

    def make(rng: random.Random) -> str:
        chosen = rng.sample(models, rng.randint(1, 3))
        year_min, year_max = _year_span(rng, chosen)
        query = {
            "models": ",".join(f"{m.manufacturer}:{m.model}" for m in chosen),
            "yearMin": year_min,
            "yearMax": year_max,
            "sortBy": rng.choice(REST_SORT_FIELDS),
            "sortOrder": rng.choice(("asc", "desc")),
            "page": rng.randint(1, 2),
            "size": rng.choice((10, 20)),
        }
        return "/api/v1/vehicles/details?" + urlencode(query, quote_via=quote, safe=":,")

    return distinct(make, count=count, seed=seed)


def rest_instances(ids: Sequence[str], *, count: int, seed: int) -> list[str]:
    def make(rng: random.Random) -> str:
        return f"/api/v1/vehicles/{quote(rng.choice(ids), safe='')}/instances?count={rng.randint(1, 20)}"

    return distinct(make, count=count, seed=seed)


def interleave(*lists: Sequence[Any]) -> Iterator[Any]:
    """One item of each list in turn, until every list is used up."""
    longest = max((len(items) for items in lists), default=0)
    for position in range(longest):
        for items in lists:
            if position < len(items):
                yield items[position]
