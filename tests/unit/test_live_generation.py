"""The live-generation gauge holds one series, the generation last told, and the refresher tells
it every move, the first included, once each."""

from __future__ import annotations

from elasticsearch import AsyncElasticsearch
from prometheus_client import REGISTRY

from datasources.elastic.index_version import IndexVersion
from graph.observability.metrics import record_live_generation

FAMILY = "autos_graph_live_generation_info"


def value(index: str) -> float | None:
    return REGISTRY.get_sample_value(FAMILY, {"index": index})


def test_the_gauge_moves_and_drops_the_previous_series() -> None:
    record_live_generation("unit-v1")
    assert value("unit-v1") == 1
    record_live_generation("unit-v2")
    assert value("unit-v2") == 1
    assert value("unit-v1") is None


async def test_the_refresher_tells_each_move_once_the_first_included() -> None:
    told: list[str] = []
    client = AsyncElasticsearch("http://127.0.0.1:9")  # never asked: follow() is the refresher's verdict
    try:
        version = IndexVersion(client=client, alias="unit", on_change=told.append)
        version.follow("unit")
        version.follow("unit")
        version.follow("unit-v3")
        version.follow("unit-v3")
        version.follow("unit-v2")
    finally:
        await client.close()
    assert told == ["unit", "unit-v3", "unit-v2"]
