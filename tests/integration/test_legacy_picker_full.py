"""The legacy picker on the full dataset: without page or size it answers every make (122)."""

from __future__ import annotations

import time

from elasticsearch import AsyncElasticsearch

from tests.conftest import app_client, make_settings
from tests.support.cached_aggregations import delete_cached_aggregations

PICKER = "/api/v1/manufacturer-model-combinations"


async def test_the_unpaged_picker_answers_every_make_of_the_full_dataset(
    full_index: str, es: AsyncElasticsearch
) -> None:
    response = await es.search(
        index=full_index, size=0, aggs={"makes": {"cardinality": {"field": "manufacturer.keyword"}}}
    )
    makes = int(response["aggregations"]["makes"]["value"])
    assert makes == 122
    await delete_cached_aggregations(full_index)
    async for client in app_client(make_settings(es_index=full_index)):
        started = time.perf_counter()
        cold = await client.get(PICKER)
        cold_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        warm = await client.get(PICKER)
        warm_ms = (time.perf_counter() - started) * 1000
        paged = (await client.get(PICKER, params={"page": 1})).json()
    body = cold.json()
    assert cold.status_code == warm.status_code == 200
    assert body["total"] == len(body["data"]) == body["size"] == makes
    assert body["totalPages"] == 1
    assert warm.json() == body
    assert (paged["size"], len(paged["data"]), paged["totalPages"]) == (50, 50, 3)
    models = sum(len(group["models"]) for group in body["data"])
    print(
        f"[picker] unpaged: {makes} makes, {models} models, {len(cold.content):,} bytes; "
        f"cold {cold_ms:.1f} ms, warm {warm_ms:.1f} ms (full dataset, in-process)"
    )
