"""The race's workloads: GraphQL operations and REST v1 calls, in three modes.

- repeated: one request, the same every time (`RaceWorkload.repeated_request`);
- cold: every request draws its variables (GraphQL) or query string (REST) from
  thousands of variants (scripts/bench/variants.py);
- literal: every request is a new GraphQL document with the values inlined.

The GraphQL documents are shared with the tests (tests/support/benchmark_operations.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote

import orjson

from scripts.bench import variants
from scripts.bench.literal import EnumValue, inline_variables
from scripts.bench.variants import Catalog
from scripts.bench.workloads import JSON_HEADERS, Workload
from tests.support.benchmark_operations import (
    RACE_BY_IDS,
    RACE_FILTERED_SEARCH,
    RACE_NESTED,
    RACE_PICKER,
    THREE_MODELS,
    YEAR_MAX,
    YEAR_MIN,
)

Mode = Literal["repeated", "cold", "literal"]
GRAPHQL_PATH = "/graphql"
# Enough that no run of this machine's length wraps around to a variant it sent before.
VARIANTS = 12_000


@dataclass(frozen=True, slots=True)
class RaceWorkload:
    """A workload in every mode it runs in, and the peer it races."""

    name: str
    title: str
    peer: Literal["apollo", "express"] | None
    # GraphQL: the operation, and variables per request; REST: paths with their query.
    document: str | None
    repeated: Any
    cold: list[Any]
    literal: list[Any] = field(default_factory=list)

    @property
    def graphql(self) -> bool:
        return self.document is not None

    @property
    def modes(self) -> tuple[Mode, ...]:
        return ("repeated", "cold", "literal") if self.literal else ("repeated", "cold")

    def line(self, mode: Mode, value: Any) -> bytes:
        """One request of the mode: a GraphQL body, or a REST path."""
        if self.document is None:
            return str(value).encode()
        if mode == "literal":
            return literal_body(self.document, value)
        return orjson.dumps({"query": self.document, "variables": value})

    def lines(self, mode: Mode) -> list[bytes]:
        values = {"repeated": [self.repeated], "cold": self.cold, "literal": self.literal}[mode]
        return [self.line(mode, value) for value in values]

    def repeated_request(self) -> Workload:
        if self.document is None:
            return Workload(name=self.name, title=self.title, method="GET", path=str(self.repeated))
        return Workload(
            name=self.name,
            title=self.title,
            method="POST",
            path=GRAPHQL_PATH,
            body=self.line("repeated", self.repeated),
            headers=JSON_HEADERS,
            graphql=True,
        )


def race_workloads(
    *, catalog: Catalog, ids: Sequence[str], count: int = VARIANTS, seed: int = 15
) -> list[RaceWorkload]:
    """Every workload in report order; `ids` are ids of the benchmark index (at least 100)."""
    if len(ids) < variants.IDS_PER_REQUEST:
        raise ValueError(f"need {variants.IDS_PER_REQUEST} ids, got {len(ids)}")
    literal_seed = seed + 1000  # the literal documents are not the cold mode's variables
    models = ",".join(f"{make}:{model}" for make, model in THREE_MODELS)
    details = (
        f"/api/v1/vehicles/details?models={quote(models, safe=':,')}"
        f"&yearMin={YEAR_MIN}&yearMax={YEAR_MAX}&sortBy=year&sortOrder=desc"
    )
    three_models = {
        "filter": {
            "models": [{"manufacturer": make, "model": model} for make, model in THREE_MODELS],
            "yearMin": YEAR_MIN,
            "yearMax": YEAR_MAX,
        },
        "sort": [
            {"field": EnumValue("YEAR"), "direction": EnumValue("DESC")},
            {"field": EnumValue("MODEL"), "direction": EnumValue("ASC")},
        ],
        "first": 20,
    }
    return [
        RaceWorkload(
            name="picker",
            title="Picker",
            peer="apollo",
            document=RACE_PICKER,
            repeated={"search": None, "first": 50},
            cold=variants.picker(catalog, count=count, seed=seed),
            literal=variants.picker(catalog, count=count, seed=literal_seed),
        ),
        RaceWorkload(
            name="filtered_search",
            title="Filtered search",
            peer="apollo",
            document=RACE_FILTERED_SEARCH,
            repeated=three_models,
            cold=variants.filtered_search(catalog, count=count, seed=seed),
            literal=variants.filtered_search(catalog, count=count, seed=literal_seed),
        ),
        RaceWorkload(
            name="nested",
            title="Nested (groups→vehicles→otherYears→group)",
            peer="apollo",
            document=RACE_NESTED,
            repeated={"search": None},
            cold=variants.nested(catalog, count=count, seed=seed),
            literal=variants.nested(catalog, count=count, seed=literal_seed),
        ),
        RaceWorkload(
            name="by_ids",
            title="vehiclesByIds (100 ids)",
            peer="apollo",
            document=RACE_BY_IDS,
            repeated={"ids": list(ids[: variants.IDS_PER_REQUEST])},
            cold=variants.by_ids(ids, count=count, seed=seed),
            literal=variants.by_ids(ids, count=count, seed=literal_seed),
        ),
        RaceWorkload(
            name="rest_combinations",
            title="REST manufacturer-model-combinations",
            peer="express",
            document=None,
            repeated="/api/v1/manufacturer-model-combinations",
            cold=variants.rest_combinations(catalog, count=count, seed=seed),
        ),
        RaceWorkload(
            name="rest_details",
            title="REST vehicles/details",
            peer="express",
            document=None,
            repeated=details,
            cold=variants.rest_details(catalog, count=count, seed=seed),
        ),
        RaceWorkload(
            name="rest_instances",
            title="REST vehicles/{id}/instances",
            peer=None,
            document=None,
            repeated=f"/api/v1/vehicles/{quote(ids[0], safe='')}/instances?count=8",
            cold=variants.rest_instances(ids, count=count, seed=seed),
        ),
    ]


def literal_body(document: str, values: Any) -> bytes:
    return orjson.dumps({"query": inline_variables(document, values)})


def distinct_documents(*, catalog: Catalog, ids: Sequence[str], count: int, seed: int) -> list[bytes]:
    """At least `count` literal GraphQL bodies, each a different document, the operations taking
    turns: what the memory measurement sends to a fresh worker."""
    share = -(-count // 4)  # the picker's and nested's spaces are smaller: the others make up
    generated = [
        [literal_body(RACE_PICKER, v) for v in variants.picker(catalog, count=share, seed=seed)],
        [
            literal_body(RACE_FILTERED_SEARCH, v)
            for v in variants.filtered_search(catalog, count=count, seed=seed)
        ],
        [literal_body(RACE_NESTED, v) for v in variants.nested(catalog, count=share, seed=seed)],
        [literal_body(RACE_BY_IDS, v) for v in variants.by_ids(ids, count=count, seed=seed)],
    ]
    bodies = list(dict.fromkeys(variants.interleave(*generated)))
    if len(bodies) < count:
        raise ValueError(f"only {len(bodies)} distinct documents for the {count} asked for")
    return bodies
