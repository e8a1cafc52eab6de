from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import AsyncElasticsearch
from elasticsearch.helpers import async_scan

from datasources.catalog.curated import load_catalog
from datasources.catalog.dataset import FULL_MINIMUM, SAMPLE_SIZE, iter_full, iter_records
from datasources.catalog.record_file import ReadStats, Rejection, read_record_file
from datasources.elastic.bulk_loader import bulk_index, holds_dataset, load_dataset
from datasources.elastic.index_schema import INDEX_SETTINGS, create_index, document_count, drop_index
from tests.conftest import TEST_INDEX
from tests.unit.test_record_file import MALFORMED_NDJSON_LINES

ALIAS = f"{TEST_INDEX}-loading"


@pytest.fixture
async def alias(es: AsyncElasticsearch) -> AsyncIterator[str]:
    await create_index(es, alias=ALIAS, recreate=True)
    yield ALIAS
    await drop_index(es, alias=ALIAS)


async def all_documents(es: AsyncElasticsearch, alias: str) -> dict[str, dict[str, Any]]:
    return {hit["_id"]: hit["_source"] async for hit in async_scan(es, index=alias, size=2_000)}


async def test_sample_load_indexes_exactly_the_sample(
    es: AsyncElasticsearch, alias: str, caplog: pytest.LogCaptureFixture
) -> None:
    progress: list[int] = []
    with caplog.at_level(logging.INFO, logger="datasources.elastic.bulk_loader"):
        result = await bulk_index(
            es, alias=alias, records=iter_records("sample"), on_progress=progress.append, chunk_size=300
        )
    assert (result.indexed, result.failed) == (SAMPLE_SIZE, 0)
    assert sum(progress) == SAMPLE_SIZE
    assert len(progress) == 4, "one call per acknowledged chunk of 300"
    assert await document_count(es, alias=alias) == SAMPLE_SIZE
    documents = await all_documents(es, alias)
    assert documents == {record.vehicle_id: record.to_document() for record in iter_records("sample")}
    logged = [r for r in caplog.records if r.getMessage() == "bulk progress"]
    assert [r.__dict__["context"]["records"] for r in logged] == [1_000]


async def test_reloading_is_idempotent(es: AsyncElasticsearch, alias: str) -> None:
    await load_dataset(es, alias=alias, kind="sample")
    before = await all_documents(es, alias)
    await load_dataset(es, alias=alias, kind="sample")
    assert await document_count(es, alias=alias) == SAMPLE_SIZE
    assert await all_documents(es, alias) == before


async def test_refresh_and_replicas_are_restored_after_a_load(es: AsyncElasticsearch, alias: str) -> None:
    await bulk_index(es, alias=alias, records=iter_records("sample"))
    settings = (await es.indices.get_settings(index=alias, flat_settings=True)).body
    (index_settings,) = (each["settings"] for each in settings.values())
    assert "index.refresh_interval" not in index_settings
    assert index_settings["index.auto_expand_replicas"] == INDEX_SETTINGS["auto_expand_replicas"]


async def test_refresh_is_restored_even_when_the_load_fails(es: AsyncElasticsearch, alias: str) -> None:
    def exploding() -> Any:
        yield from iter_records("sample")
        raise RuntimeError("the source went away")

    with pytest.raises(RuntimeError, match="the source went away"):
        await bulk_index(es, alias=alias, records=exploding())
    settings = (await es.indices.get_settings(index=alias, flat_settings=True)).body
    (index_settings,) = (each["settings"] for each in settings.values())
    assert "index.refresh_interval" not in index_settings


async def test_a_malformed_file_indexes_exactly_its_good_rows(
    es: AsyncElasticsearch, alias: str, tmp_path: Path
) -> None:
    path = tmp_path / "upload.ndjson"
    path.write_text("\n".join(MALFORMED_NDJSON_LINES) + "\n", encoding="utf-8")
    for _ in range(2):  # the second load of the same file leaves the same index
        rejections: list[Rejection] = []
        stats = ReadStats()
        records = read_record_file(path, stats=stats, on_reject=rejections.append)
        result = await bulk_index(es, alias=alias, records=records)
        assert (result.indexed, result.failed) == (4, 0)
        assert stats.rejected == len(rejections) == 13
        documents = await all_documents(es, alias)
        assert sorted(documents) == ["ok-1", "ok-2", "ok-3", "ok-4"]
        assert documents["ok-1"]["model"] == "Mustang", "the first of two duplicates wins"
    assert documents["ok-4"] == json.loads(MALFORMED_NDJSON_LINES[-1]) | {
        "make_model_year": "Citroën|DS|1970"
    }


async def test_any_other_write_forgets_the_dataset_fingerprint(es: AsyncElasticsearch, alias: str) -> None:
    await load_dataset(es, alias=alias, kind="sample")
    assert await holds_dataset(es, alias=alias, kind="sample")
    assert not await holds_dataset(es, alias=alias, kind="full")
    await bulk_index(es, alias=alias, records=iter(list(iter_records("sample"))[:1]))
    assert not await holds_dataset(es, alias=alias, kind="sample")


async def test_sample_index_fixture_holds_the_sample(es: AsyncElasticsearch, sample_index: str) -> None:
    assert sample_index == TEST_INDEX
    assert await document_count(es, alias=sample_index) == SAMPLE_SIZE
    assert await holds_dataset(es, alias=sample_index, kind="sample")


async def test_full_load_gives_the_documented_count(es: AsyncElasticsearch, full_index: str) -> None:
    expected = sum(1 for _ in iter_full())
    assert expected >= FULL_MINIMUM
    assert await document_count(es, alias=full_index) == expected
    assert await holds_dataset(es, alias=full_index, kind="full")


async def test_every_indexed_model_year_lies_within_its_production_run(
    es: AsyncElasticsearch, full_index: str
) -> None:
    catalog = load_catalog()
    seen: set[tuple[str, str]] = set()
    after: dict[str, Any] | None = None
    while True:
        composite: dict[str, Any] = {
            "size": 5_000,
            "sources": [
                {"make": {"terms": {"field": "manufacturer.keyword"}}},
                {"model": {"terms": {"field": "model.keyword"}}},
                {"year": {"terms": {"field": "year"}}},
            ],
        }
        if after is not None:
            composite["after"] = after
        response = await es.search(index=full_index, size=0, aggs={"combos": {"composite": composite}})
        buckets = response["aggregations"]["combos"]["buckets"]
        for bucket in buckets:
            key = bucket["key"]
            manufacturer = catalog.manufacturer(key["make"])
            assert manufacturer is not None, key
            model = manufacturer.model(key["model"])
            assert model is not None, key
            assert model.in_production(key["year"]), key
            seen.add((key["make"], key["model"]))
        after = response["aggregations"]["combos"].get("after_key")
        if not buckets or after is None:
            break
    assert seen == {(m.name, model.name) for m, model in catalog.models()}
