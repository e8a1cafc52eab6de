from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from elasticsearch import AsyncElasticsearch, BadRequestError

from datasources.elastic.index_schema import (
    MAPPING,
    IndexSchemaError,
    concrete_index_name,
    create_index,
    document_count,
    drop_index,
    index_exists,
    indices_behind,
    live_mapping,
)
from tests.conftest import TEST_INDEX

ALIAS = f"{TEST_INDEX}-schema"
NEIGHBOUR = f"{ALIAS}-neighbour"


@pytest.fixture
async def alias(es: AsyncElasticsearch) -> AsyncIterator[str]:
    for name in (ALIAS, NEIGHBOUR):
        await drop_index(es, alias=name)
    await es.indices.delete(index=ALIAS, ignore_unavailable=True)
    yield ALIAS
    for name in (ALIAS, NEIGHBOUR):
        await drop_index(es, alias=name)


async def test_live_mapping_equals_the_declared_one(es: AsyncElasticsearch, alias: str) -> None:
    await create_index(es, alias=alias)
    assert await live_mapping(es, alias=alias) == MAPPING
    fields = MAPPING["properties"]
    for name in ("manufacturer", "model", "body_class"):
        assert fields[name]["type"] == "text"
        assert fields[name]["fields"]["keyword"]["type"] == "keyword"


async def test_alias_points_at_the_versioned_index(es: AsyncElasticsearch, alias: str) -> None:
    created = await create_index(es, alias=alias)
    assert created.index == f"{alias}-v1" == concrete_index_name(alias)
    assert await indices_behind(es, alias=alias) == [created.index]
    aliases = (await es.indices.get_alias(index=created.index)).body[created.index]["aliases"]
    assert aliases == {alias: {"is_write_index": True}}
    assert not await es.indices.exists_alias(name=created.index)


async def test_creating_twice_keeps_the_index_and_its_data(es: AsyncElasticsearch, alias: str) -> None:
    assert (await create_index(es, alias=alias)).action == "created"
    await es.index(index=alias, id="keep-me", document=_document("keep-me"), refresh=True)
    assert (await create_index(es, alias=alias)).action == "existed"
    assert await document_count(es, alias=alias) == 1


async def test_recreate_starts_empty(es: AsyncElasticsearch, alias: str) -> None:
    await create_index(es, alias=alias)
    await es.index(index=alias, id="gone", document=_document("gone"), refresh=True)
    assert (await create_index(es, alias=alias, recreate=True)).action == "recreated"
    assert await document_count(es, alias=alias) == 0
    assert await live_mapping(es, alias=alias) == MAPPING


async def test_a_lost_alias_is_restored(es: AsyncElasticsearch, alias: str) -> None:
    created = await create_index(es, alias=alias)
    await es.indices.delete_alias(index=created.index, name=alias)
    assert not await index_exists(es, alias=alias)
    assert (await create_index(es, alias=alias)).action == "aliased"
    assert await indices_behind(es, alias=alias) == [created.index]


async def test_a_plain_index_under_the_alias_name_is_refused(es: AsyncElasticsearch, alias: str) -> None:
    await es.indices.create(index=alias)
    try:
        with pytest.raises(IndexSchemaError, match="plain index"):
            await create_index(es, alias=alias)
        with pytest.raises(IndexSchemaError, match="plain index"):
            await drop_index(es, alias=alias)
    finally:
        await es.indices.delete(index=alias)


async def test_drop_takes_only_its_own_indices(es: AsyncElasticsearch, alias: str) -> None:
    await create_index(es, alias=alias)
    neighbour = await create_index(es, alias=NEIGHBOUR)
    assert await drop_index(es, alias=alias) == [f"{alias}-v1"]
    assert await indices_behind(es, alias=NEIGHBOUR) == [neighbour.index]
    assert await drop_index(es, alias=alias) == []


async def test_strict_mapping_refuses_unknown_fields(es: AsyncElasticsearch, alias: str) -> None:
    await create_index(es, alias=alias)
    with pytest.raises(BadRequestError, match="strict_dynamic_mapping_exception"):
        await es.index(index=alias, id="x", document={**_document("x"), "vin": "1FA..."})


async def test_keyword_subfields_serve_exact_filters(es: AsyncElasticsearch, alias: str) -> None:
    await create_index(es, alias=alias)
    await es.index(index=alias, id="a", document=_document("a"), refresh=True)
    response = await es.search(
        index=alias,
        query={"term": {"model.keyword": {"value": "mustang", "case_insensitive": True}}},
        aggs={"bodies": {"terms": {"field": "body_class.keyword"}}},
    )
    assert response["hits"]["total"]["value"] == 1
    assert [bucket["key"] for bucket in response["aggregations"]["bodies"]["buckets"]] == ["Fastback"]


async def test_single_node_index_is_green(es: AsyncElasticsearch, alias: str) -> None:
    created = await create_index(es, alias=alias)
    health = await es.cluster.health(index=created.index, wait_for_status="green", timeout="10s")
    assert health["status"] == "green"


def _document(vehicle_id: str) -> dict[str, object]:
    return {
        "vehicle_id": vehicle_id,
        "manufacturer": "Ford",
        "model": "Mustang",
        "year": 1965,
        "body_class": "Fastback",
        "data_source": "classic_registry",
        "instance_count": 3,
        "make_model_year": "Ford|Mustang|1965",
    }
