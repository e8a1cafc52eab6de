"""The requests the benchmark sends: GraphQL operations and REST v1 calls.

Each workload is one HTTP request, replayed unchanged by wrk; the ids some of
them need come from the benchmark's own index, chosen deterministically.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import quote

import orjson

from tests.support.benchmark_operations import (
    BY_IDS,
    FILTERED_SEARCH,
    NESTED,
    PICKER,
    THREE_MODELS,
    YEAR_MAX,
    YEAR_MIN,
)

# Where the cache stands during the timed run: `uncached` runs against a Redis that
# remembers nothing (scripts/bench/null_redis.py) with Elasticsearch's request cache cleared.
CacheMode = Literal["cached", "uncached"]

JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


@dataclass(frozen=True, slots=True)
class Workload:
    name: str
    title: str
    method: Literal["GET", "POST"]
    path: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    cache: CacheMode = "cached"
    # A GraphQL answer must carry data and no errors; a REST one a 200.
    graphql: bool = False


def _graphql(name: str, title: str, query: str, *, variables: dict[str, object] | None = None) -> Workload:
    payload: dict[str, object] = {"query": query}
    if variables is not None:
        payload["variables"] = variables
    return Workload(
        name=name,
        title=title,
        method="POST",
        path="/graphql",
        body=orjson.dumps(payload),
        headers=JSON_HEADERS,
        graphql=True,
    )


def index_sample_ids(*, elasticsearch_url: str, index: str) -> list[str]:
    """100 vehicle ids of the benchmark index, the same ones every run (sorted, from the 1,001st)."""
    body = orjson.dumps(
        {
            "size": 100,
            "from": 1000,
            "sort": [{"vehicle_id": "asc"}],
            "_source": False,
            "query": {"match_all": {}},
        }
    )
    request = urllib.request.Request(
        f"{elasticsearch_url}/{index}/_search",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return [hit["_id"] for hit in orjson.loads(response.read())["hits"]["hits"]]


def workloads(*, sample_ids: Sequence[str]) -> list[Workload]:
    """Every HTTP workload, in report order; `sample_ids` are 100 ids of the benchmark index."""
    if len(sample_ids) < 100:
        raise ValueError(f"need 100 sample ids, got {len(sample_ids)}")
    picker = _graphql("picker_cached", "Picker (cached)", PICKER)
    models = ",".join(f"{make}:{model}" for make, model in THREE_MODELS)
    details_query = (
        f"models={quote(models, safe=':,')}&yearMin={YEAR_MIN}&yearMax={YEAR_MAX}&sortBy=year&sortOrder=desc"
    )
    return [
        picker,
        Workload(
            name="picker_uncached",
            title="Picker (uncached)",
            method="POST",
            path="/graphql",
            body=picker.body,
            headers=JSON_HEADERS,
            cache="uncached",
            graphql=True,
        ),
        _graphql("filtered_search", "Filtered search (3 models, years, sort)", FILTERED_SEARCH),
        _graphql("nested", "Nested (groups→vehicles→otherYears→group, instances)", NESTED),
        _graphql("by_ids", "vehiclesByIds (100 ids)", BY_IDS, variables={"ids": list(sample_ids[:100])}),
        Workload(
            name="rest_combinations",
            title="REST manufacturer-model-combinations",
            method="GET",
            path="/api/v1/manufacturer-model-combinations",
        ),
        Workload(
            name="rest_details",
            title="REST vehicles/details (3 models, years, sort)",
            method="GET",
            path=f"/api/v1/vehicles/details?{details_query}",
        ),
        Workload(
            name="rest_instances",
            title="REST vehicles/{id}/instances",
            method="GET",
            path=f"/api/v1/vehicles/{quote(sample_ids[0], safe='')}/instances?count=8",
        ),
    ]


def answer_problem(workload: Workload, status: int, body: bytes) -> str | None:
    """Why an answer is not a valid sample of the workload, or None when it is."""
    if status != 200:
        return f"HTTP {status}: {body[:200]!r}"
    if workload.graphql:
        document = orjson.loads(body)
        if document.get("errors"):
            return f"GraphQL errors: {orjson.dumps(document['errors'])[:300]!r}"
        if not document.get("data"):
            return "GraphQL answer without data"
    return None
