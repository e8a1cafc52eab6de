"""A vehicle's `group`: through the loader until the process holds the groups, then answered at once."""

from __future__ import annotations

import re

import httpx

from graph.settings import Settings
from tests.conftest import make_settings
from tests.support.graphql import data_of, proxied_app

PAGE = """{ vehicles(first: 30, sort: [{field: MANUFACTURER, direction: DESC}]) {
  nodes { vehicleId manufacturer group { manufacturer count models { model count } } }
} }"""


async def group_batches(client: httpx.AsyncClient) -> float:
    """How many batches the group loader has dispatched (the process's metrics are shared)."""
    text = (await client.get("/metrics")).text
    found = re.search(
        r'autos_graph_dataloader_batch_size_count\{loader="group_by_manufacturer"\} (\S+)', text
    )
    return float(found.group(1)) if found else 0.0


def settings_for(index: str) -> Settings:
    return make_settings(es_index=index, redis_url=None)  # memory cache: starts cold per app


async def test_groups_read_once_through_the_loader_then_from_what_the_process_holds(
    sample_index: str,
) -> None:
    async with proxied_app(settings_for(sample_index)) as app:
        app.reset_count()
        before = await group_batches(app.client)
        loaded = await data_of(app.client, PAGE)
        assert await group_batches(app.client) == before + 1  # one batch for the whole page
        # The page's search, then one aggregation for every vehicle's group.
        assert [path.split("?")[0].rsplit("/", 1)[-1] for _, path in app.proxy.search_requests()] == [
            "_search",
            "_search",
        ]
        app.reset_count()
        held = await data_of(app.client, PAGE.replace("first: 30", "first: 31"))
        assert len(app.proxy.search_requests()) == 1  # the page's search only
        assert await group_batches(app.client) == before + 1  # answered without the loader
    nodes = loaded["vehicles"]["nodes"]
    assert len({n["manufacturer"] for n in nodes}) > 1
    for node in nodes:
        assert node["group"]["manufacturer"] == node["manufacturer"]
        assert node["group"]["count"] >= 1
    assert held["vehicles"]["nodes"][:30] == nodes
