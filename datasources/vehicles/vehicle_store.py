"""Reading vehicles from Elasticsearch: pages, ids, batched searches and aggregations.

The only module that builds request bodies for reads; every function is one
HTTP round trip, so callers can reason about the cost of a GraphQL operation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from elasticsearch import AsyncElasticsearch

from datasources.elastic.calls import elasticsearch_call
from datasources.elastic.errors import DataSourceRejected
from datasources.elastic.index_schema import newest_revision
from datasources.vehicles.vehicle_record import VehicleRecord

# Models per manufacturer and manufacturers per catalog are a few hundred at most;
# these bounds are far above the catalog and keep one aggregation bounded.
MAX_MANUFACTURERS = 1000
MAX_MODELS_PER_MANUFACTURER = 1000


@dataclass(frozen=True, slots=True)
class SearchRequest:
    query: dict[str, Any]
    sort: list[dict[str, Any]]
    size: int
    search_after: list[Any] | None = None
    collapse_field: str | None = None
    track_total_hits: bool = True
    # Offset paging for the REST v1 shim; `offset + size` must stay within the
    # index's result window (10,000), which the caller checks.
    offset: int = 0


@dataclass(frozen=True, slots=True)
class Hit:
    record: VehicleRecord
    sort: list[Any]


@dataclass(frozen=True, slots=True)
class SearchPage:
    hits: list[Hit]
    total: int


@dataclass(frozen=True, slots=True)
class ModelAggregate:
    model: str
    count: int
    year_min: int
    year_max: int


@dataclass(frozen=True, slots=True)
class ManufacturerAggregate:
    manufacturer: str
    count: int
    models: tuple[ModelAggregate, ...]


def _body(request: SearchRequest) -> dict[str, Any]:
    body: dict[str, Any] = {
        "query": request.query,
        "sort": request.sort,
        "size": request.size,
        "track_total_hits": request.track_total_hits,
    }
    if request.search_after is not None:
        body["search_after"] = request.search_after
    if request.offset:
        body["from"] = request.offset
    if request.collapse_field is not None:
        body["collapse"] = {"field": request.collapse_field}
    return body


# Only what a page is made of: Elasticsearch leaves out the shards, timings, scores and
# index names, which cost it encoding and us decoding. A filtered-out empty list is
# absent from the answer, hence the defaults below.
_SEARCH_FIELDS = ("hits.total.value", "hits.hits._source", "hits.hits.sort")
SEARCH_FILTER_PATH = ",".join(_SEARCH_FIELDS)
MSEARCH_FILTER_PATH = ",".join(
    (*(f"responses.{path}" for path in _SEARCH_FIELDS), "responses.error.type", "responses.status")
)
MGET_FILTER_PATH = "docs._id,docs.found,docs._source"


def _page(response: Any) -> SearchPage:
    hits = response.get("hits", {})
    total = hits.get("total", {}).get("value", 0)
    return SearchPage(
        hits=[
            Hit(record=VehicleRecord.from_document(h["_source"]), sort=list(h["sort"]))
            for h in hits.get("hits", ())
        ],
        total=int(total),
    )


async def search(client: AsyncElasticsearch, *, index: str, request: SearchRequest) -> SearchPage:
    response = await elasticsearch_call(
        client.search(index=index, body=_body(request), filter_path=SEARCH_FILTER_PATH)
    )
    return _page(response)


async def search_many(
    client: AsyncElasticsearch, *, index: str, requests: Sequence[SearchRequest]
) -> list[SearchPage]:
    """Several searches in ONE round trip (msearch), answered in request order."""
    if not requests:
        return []
    lines: list[dict[str, Any]] = []
    for request in requests:
        lines.append({"index": index})
        lines.append(_body(request))
    response = await elasticsearch_call(client.msearch(searches=lines, filter_path=MSEARCH_FILTER_PATH))
    pages = []
    for item in response.get("responses", ()):
        if "error" in item:
            raise DataSourceRejected(f"a batched search failed: {item['error'].get('type', 'unknown')}")
        pages.append(_page(item))
    return pages


async def get_by_ids(
    client: AsyncElasticsearch, *, index: str, ids: Sequence[str]
) -> dict[str, VehicleRecord]:
    """Records by vehicle_id in ONE round trip (mget); unknown ids are absent."""
    if not ids:
        return {}
    # mget cannot address an alias with several indices, and ours points at one,
    # so resolving through the alias is fine here.
    response = await elasticsearch_call(client.mget(index=index, ids=list(ids), filter_path=MGET_FILTER_PATH))
    return {
        doc["_id"]: VehicleRecord.from_document(doc["_source"])
        for doc in response.get("docs", ())
        if doc.get("found")
    }


async def count(client: AsyncElasticsearch, *, index: str, query: dict[str, Any]) -> int:
    response = await elasticsearch_call(client.count(index=index, query=query))
    return int(response["count"])


async def manufacturer_aggregates(
    client: AsyncElasticsearch, *, index: str, query: dict[str, Any]
) -> list[ManufacturerAggregate]:
    """Manufacturers with their models' counts and year spans, in ONE aggregation."""
    body = {
        "size": 0,
        "query": query,
        "aggs": {
            "manufacturers": {
                "terms": {
                    "field": "manufacturer.keyword",
                    "size": MAX_MANUFACTURERS,
                    "order": {"_key": "asc"},
                },
                "aggs": {
                    "models": {
                        "terms": {
                            "field": "model.keyword",
                            "size": MAX_MODELS_PER_MANUFACTURER,
                            "order": {"_key": "asc"},
                        },
                        "aggs": {
                            "year_min": {"min": {"field": "year"}},
                            "year_max": {"max": {"field": "year"}},
                        },
                    }
                },
            }
        },
    }
    response = await elasticsearch_call(client.search(index=index, body=body, request_cache=True))
    return [
        ManufacturerAggregate(
            manufacturer=bucket["key"],
            count=int(bucket["doc_count"]),
            models=tuple(
                ModelAggregate(
                    model=m["key"],
                    count=int(m["doc_count"]),
                    year_min=int(m["year_min"]["value"]),
                    year_max=int(m["year_max"]["value"]),
                )
                for m in bucket["models"]["buckets"]
            ),
        )
        for bucket in response["aggregations"]["manufacturers"]["buckets"]
    ]


@dataclass(frozen=True, slots=True)
class Bucket:
    value: str
    count: int


@dataclass(frozen=True, slots=True)
class FacetCounts:
    total: int
    manufacturers: tuple[Bucket, ...]
    body_classes: tuple[Bucket, ...]
    data_sources: tuple[Bucket, ...]
    decades: tuple[Bucket, ...]
    year_min: int | None
    year_max: int | None


FACET_SIZE = 200


async def facet_counts(client: AsyncElasticsearch, *, index: str, query: dict[str, Any]) -> FacetCounts:
    body = {
        "size": 0,
        "track_total_hits": True,
        "query": query,
        "aggs": {
            "manufacturers": {"terms": {"field": "manufacturer.keyword", "size": FACET_SIZE}},
            "body_classes": {"terms": {"field": "body_class.keyword", "size": FACET_SIZE}},
            "data_sources": {"terms": {"field": "data_source", "size": FACET_SIZE}},
            "decades": {"histogram": {"field": "year", "interval": 10, "min_doc_count": 1}},
            "year_min": {"min": {"field": "year"}},
            "year_max": {"max": {"field": "year"}},
        },
    }
    response = await elasticsearch_call(client.search(index=index, body=body, request_cache=True))
    aggs = response["aggregations"]

    def buckets(name: str) -> tuple[Bucket, ...]:
        return tuple(Bucket(value=str(b["key"]), count=int(b["doc_count"])) for b in aggs[name]["buckets"])

    year_min = aggs["year_min"]["value"]
    year_max = aggs["year_max"]["value"]
    return FacetCounts(
        total=int(response["hits"]["total"]["value"]),
        manufacturers=buckets("manufacturers"),
        body_classes=buckets("body_classes"),
        data_sources=buckets("data_sources"),
        decades=tuple(
            Bucket(value=f"{int(b['key'])}s", count=int(b["doc_count"])) for b in aggs["decades"]["buckets"]
        ),
        year_min=None if year_min is None else int(year_min),
        year_max=None if year_max is None else int(year_max),
    )


async def concrete_index(client: AsyncElasticsearch, *, alias: str) -> str:
    """The versioned index behind the alias, or its newest revision alias when it was written
    in place (datasources/elastic/index_schema.py): part of every cache key, and the name reads use."""
    try:
        # Every alias of the index behind `alias`, its revisions included, in one call.
        response = await elasticsearch_call(client.indices.get_alias(index=alias))
    except DataSourceRejected:  # no such alias yet: the name itself is the version
        return alias
    names = sorted(response.keys())
    if not names:
        return alias
    index = names[-1]
    return newest_revision(index, response[index].get("aliases", {})) or index
