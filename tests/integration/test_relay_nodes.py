"""Relay Global Object Identification: `node`, `nodes` and ids unique across types."""

from __future__ import annotations

import base64

from datasources.elastic.index_schema import concrete_index_name
from graph.settings import Settings
from tests.conftest import make_settings
from tests.support.graphql import data_of, error_codes, graphql, proxied_app

NODE = """query($id: ID!) {
  node(id: $id) {
    __typename
    id
    ... on Vehicle { vehicleId manufacturer model year }
    ... on ManufacturerModelGroup { manufacturer count }
  }
}"""


def settings_for(index: str) -> Settings:
    return make_settings(es_index=index, redis_url=None)


async def test_node_refetches_vehicles_and_groups_by_their_ids(sample_index: str) -> None:
    async with proxied_app(settings_for(sample_index)) as app:
        page = await data_of(
            app.client,
            "{ vehicles(first: 1) { nodes { id vehicleId manufacturer group { id manufacturer } } } }",
        )
        vehicle = page["vehicles"]["nodes"][0]
        group = vehicle["group"]
        assert vehicle["id"] != group["id"]
        assert base64.b64decode(vehicle["id"]).decode() == f"Vehicle:{vehicle['vehicleId']}"
        assert base64.b64decode(group["id"]).decode() == f"ManufacturerModelGroup:{group['manufacturer']}"

        found = (await data_of(app.client, NODE, {"id": vehicle["id"]}))["node"]
        assert found["__typename"] == "Vehicle"
        assert (found["id"], found["vehicleId"]) == (vehicle["id"], vehicle["vehicleId"])
        found_group = (await data_of(app.client, NODE, {"id": group["id"]}))["node"]
        assert found_group["__typename"] == "ManufacturerModelGroup"
        assert found_group["id"] == group["id"]
        assert found_group["manufacturer"] == vehicle["manufacturer"]
        assert found_group["count"] >= 1


async def test_nodes_keeps_order_and_batches_vehicles_into_one_mget(sample_index: str) -> None:
    async with proxied_app(settings_for(sample_index)) as app:
        page = await data_of(app.client, "{ vehicles(first: 30) { nodes { id } } }")
        ids = [n["id"] for n in page["vehicles"]["nodes"]]
        unknown = base64.b64encode(b"Vehicle:no-such-vehicle").decode()
        asked = [*ids[:15], unknown, *ids[15:]]
        app.reset_count()
        data = await data_of(
            app.client,
            "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Vehicle { year } } }",
            {"ids": asked},
        )
        assert [n and n["id"] for n in data["nodes"]] == [*ids[:15], None, *ids[15:]]
        # Reads name the generation behind the alias, the one the request's cache keys carry.
        generation = concrete_index_name(sample_index)
        paths = [path.partition("?")[0] for _, path in app.proxy.search_requests()]
        assert paths == [f"/{generation}/_mget"]


async def test_unknown_and_malformed_ids(sample_index: str) -> None:
    async with proxied_app(settings_for(sample_index)) as app:
        missing_group = base64.b64encode(b"ManufacturerModelGroup:No Such Maker").decode()
        assert (await data_of(app.client, NODE, {"id": missing_group}))["node"] is None
        for bad in ("not a global id", base64.b64encode(b"Planet:Mars").decode()):
            body = await graphql(app.client, NODE, {"id": bad})
            assert body["data"] == {"node": None}
            assert error_codes(body) == ["BAD_USER_INPUT"]
            assert "is not a global id" in body["errors"][0]["message"]
