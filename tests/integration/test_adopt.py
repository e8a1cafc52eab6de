"""Adopting the old backend's plain index: every document kept, the name never stops answering."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from elasticsearch import AsyncElasticsearch
from elasticsearch.helpers import async_bulk

from datasources.catalog.dataset import SAMPLE_SIZE, iter_records
from datasources.elastic.index_schema import MAPPING, drop_index, indices_behind, live_mapping
from tests.conftest import ES_URL, TEST_INDEX

ALIAS = f"{TEST_INDEX}-adopt"
BIN = Path(sys.executable).parent / "autos-graph"


async def _delete_plain(es: AsyncElasticsearch) -> None:
    if await es.indices.exists(index=ALIAS) and not await indices_behind(es, alias=ALIAS):
        await es.indices.delete(index=ALIAS)
    await drop_index(es, alias=ALIAS)


@pytest.fixture
async def plain_index(es: AsyncElasticsearch) -> AsyncIterator[list[dict[str, Any]]]:
    """The old way: a plain index under the alias's name, dynamic mapping, ids chosen by Elasticsearch."""
    await _delete_plain(es)
    await es.indices.create(index=ALIAS, settings={"number_of_shards": 2, "number_of_replicas": 0})
    documents = [orjson.loads(orjson.dumps(record)) for record in iter_records("sample")]
    await async_bulk(es, ({"_index": ALIAS, "_source": doc} for doc in documents), refresh=True)
    yield documents
    await _delete_plain(es)


def adopt(*args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "ELASTICSEARCH_URL": ES_URL,
        "ES_INDEX": ALIAS,
        "REDIS_URL": "",
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.run(
        [str(BIN), "data", "adopt", *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


async def test_dry_run_changes_nothing(es: AsyncElasticsearch, plain_index: list[dict[str, Any]]) -> None:
    result = adopt("--dry-run")
    assert result.returncode == 0, result.stderr
    assert (
        f"would copy {SAMPLE_SIZE:,} documents from the plain index {ALIAS} into {ALIAS}-v1" in result.stdout
    )
    assert await indices_behind(es, alias=ALIAS) == []
    assert (await es.count(index=ALIAS))["count"] == SAMPLE_SIZE
    assert not await es.indices.exists(index=f"{ALIAS}-v1")


async def test_adoption_keeps_every_document(
    es: AsyncElasticsearch, plain_index: list[dict[str, Any]]
) -> None:
    result = adopt()
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"adopted: {ALIAS} -> {ALIAS}-v1, {SAMPLE_SIZE:,} documents kept" in result.stdout
    assert await indices_behind(es, alias=ALIAS) == [f"{ALIAS}-v1"]
    assert await live_mapping(es, alias=ALIAS) == MAPPING, "the generation has the declared mapping"
    response = await es.search(index=ALIAS, size=SAMPLE_SIZE + 1, query={"match_all": {}})
    adopted = {hit["_id"]: hit["_source"] for hit in response["hits"]["hits"]}
    assert adopted == {doc["vehicle_id"]: doc for doc in plain_index}, (
        "each document, whole, under its vehicle_id"
    )
    again = adopt()
    assert again.returncode == 1
    assert "is not a plain index: there is nothing to adopt" in again.stderr


async def test_a_document_the_mapping_refuses_stops_the_adoption(
    es: AsyncElasticsearch, plain_index: list[dict[str, Any]]
) -> None:
    await es.index(
        index=ALIAS, document={**plain_index[0], "vehicle_id": "extra", "colour": "red"}, refresh=True
    )
    result = adopt()
    assert result.returncode == 3, result.stdout + result.stderr
    assert "FAILED  copy: 1 documents were refused by the mapping" in result.stdout
    assert "the plain index" in result.stderr
    assert await indices_behind(es, alias=ALIAS) == []
    assert (await es.count(index=ALIAS))["count"] == SAMPLE_SIZE + 1
    assert not await es.indices.exists(index=f"{ALIAS}-v1")
