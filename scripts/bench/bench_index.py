"""What the harness reads from the benchmark's index, and the cached answers it clears between runs."""

from __future__ import annotations

import urllib.request
from typing import Any

import orjson

from scripts.bench.peer_servers import peer_cache_prefix
from scripts.bench.variants import Catalog

ID_POOL = 2_000


def es_json(elasticsearch_url: str, path: str, body: dict[str, Any] | None = None) -> Any:
    request = urllib.request.Request(
        f"{elasticsearch_url}{path}",
        data=orjson.dumps(body) if body is not None else None,
        headers={"Content-Type": "application/json"},
        method="POST" if body is not None else "GET",
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return orjson.loads(response.read())


def count_documents(elasticsearch_url: str, index: str) -> int:
    return int(es_json(elasticsearch_url, f"/{index}/_count")["count"])


def catalog(elasticsearch_url: str, index: str) -> Catalog:
    """Every manufacturer and model in the index with its year span."""
    aggregation = {
        "terms": {"field": "model.keyword", "size": 1000},
        "aggs": {"year_min": {"min": {"field": "year"}}, "year_max": {"max": {"field": "year"}}},
    }
    body = {
        "size": 0,
        "aggs": {
            "manufacturers": {
                "terms": {"field": "manufacturer.keyword", "size": 1000},
                "aggs": {"models": aggregation},
            }
        },
    }
    return Catalog.from_aggregation(es_json(elasticsearch_url, f"/{index}/_search", body))


def id_pool(elasticsearch_url: str, index: str, *, size: int = ID_POOL) -> list[str]:
    """`size` vehicle ids of the index, the same ones every run."""
    body = {
        "size": size,
        "from": 1000,
        "sort": [{"vehicle_id": "asc"}],
        "_source": False,
        "query": {"match_all": {}},
    }
    return [hit["_id"] for hit in es_json(elasticsearch_url, f"/{index}/_search", body)["hits"]["hits"]]


def clear_cached_answers(redis_url: str, index: str) -> None:
    """Delete the index's cached answers and aggregations of autos-graph and the peers (the
    benchmark's own keys only)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        for pattern in (f"autos-graph:{index}:*", f"{peer_cache_prefix(index)}:*"):
            keys = list(client.scan_iter(match=pattern, count=1000))
            if keys:
                client.delete(*keys)
    finally:
        client.close()
