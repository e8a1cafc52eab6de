"""The Federation 2 subgraph served in process: `_service`, `_entities` through the loaders, FTV1, the cache.

Elasticsearch round trips are counted at the HTTP level (tests/support/tcp_proxy.py).
"""

from __future__ import annotations

import base64
from typing import Any

from datasources.elastic.index_schema import concrete_index_name
from graph.gql.federation.schema import subgraph_sdl
from graph.settings import Settings
from tests.conftest import make_settings
from tests.support.graphql import data_of, error_codes, graphql, proxied_app

ENTITIES = """query($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on Vehicle { id vehicleId manufacturer year }
    ... on ManufacturerModelGroup { manufacturer count }
  }
}"""


def federated(index: str, **overrides: object) -> Settings:
    return make_settings(es_index=index, redis_url=None, federation=True, **overrides)


async def first_vehicles(app_client: Any, count: int) -> list[dict[str, Any]]:
    query = f"{{ vehicles(first: {count}) {{ nodes {{ id vehicleId manufacturer }} }} }}"
    page = await data_of(app_client, query)
    nodes: list[dict[str, Any]] = page["vehicles"]["nodes"]
    return nodes


async def test_service_serves_the_exported_subgraph_sdl(sample_index: str) -> None:
    async with proxied_app(federated(sample_index)) as app:
        sdl = (await data_of(app.client, "{ _service { sdl } }"))["_service"]["sdl"]
    assert sdl + "\n" == subgraph_sdl()
    assert '@key(fields: "id"' in sdl
    assert '@key(fields: "vehicleId"' in sdl
    assert '@key(fields: "manufacturer"' in sdl


async def test_any_number_of_vehicle_representations_cost_one_mget(sample_index: str) -> None:
    async with proxied_app(federated(sample_index)) as app:
        vehicles = await first_vehicles(app.client, 60)
        unknown = base64.b64encode(b"Vehicle:no-such-vehicle").decode()
        representations = [
            *({"__typename": "Vehicle", "id": v["id"]} for v in vehicles[:30]),
            {"__typename": "Vehicle", "id": unknown},
            *({"__typename": "Vehicle", "vehicleId": v["vehicleId"]} for v in vehicles[30:]),
        ]
        app.reset_count()
        body = await graphql(app.client, ENTITIES, {"representations": representations})
        paths = [path.partition("?")[0] for _, path in app.proxy.search_requests()]
        assert paths == [f"/{concrete_index_name(sample_index)}/_mget"]
    entities = body["data"]["_entities"]
    assert [e and e["id"] for e in entities] == [
        *(v["id"] for v in vehicles[:30]),
        None,
        *(v["id"] for v in vehicles[30:]),
    ]
    assert all(e is None or e["__typename"] == "Vehicle" for e in entities)
    # The unknown key: null with an error at its position, the others resolved.
    assert error_codes(body) == ["NOT_FOUND"]
    assert body["errors"][0]["path"] == ["_entities", 30]


async def test_manufacturer_groups_resolve_by_name(sample_index: str) -> None:
    async with proxied_app(federated(sample_index)) as app:
        vehicle = (await first_vehicles(app.client, 1))[0]
        body = await graphql(
            app.client,
            ENTITIES,
            {
                "representations": [
                    {"__typename": "ManufacturerModelGroup", "manufacturer": vehicle["manufacturer"]},
                    {"__typename": "ManufacturerModelGroup", "manufacturer": "No Such Maker"},
                ]
            },
        )
    group, missing = body["data"]["_entities"]
    assert group["__typename"] == "ManufacturerModelGroup"
    assert group["manufacturer"] == vehicle["manufacturer"]
    assert group["count"] >= 1
    assert missing is None
    assert error_codes(body) == ["NOT_FOUND"]


async def test_representations_that_are_not_ours_are_bad_user_input(sample_index: str) -> None:
    bad: list[list[Any]] = [
        [{"id": "x"}],
        [{"__typename": "Pricing", "id": "x"}],
        [{"__typename": "Vehicle", "sku": "x"}],
        [{"__typename": "Vehicle", "id": 17}],
        ["Vehicle"],
        [{"__typename": "Vehicle", "id": "x"}] * 501,
    ]
    async with proxied_app(federated(sample_index)) as app:
        app.reset_count()
        for representations in bad:
            body = await graphql(app.client, ENTITIES, {"representations": representations})
            assert body["data"] is None, body
            assert error_codes(body) == ["BAD_USER_INPUT"], body
            assert "Traceback" not in str(body)
        assert app.round_trips() == 0


async def test_direct_clients_do_not_see_federation_when_it_is_off(sample_index: str) -> None:
    async with proxied_app(make_settings(es_index=sample_index, redis_url=None)) as app:
        body = await graphql(app.client, "{ _service { sdl } }")
    assert error_codes(body) == ["GRAPHQL_VALIDATION_FAILED"]


async def test_ftv1_trace_when_asked_and_never_from_the_answer_cache(sample_index: str) -> None:
    vehicles_query = "{ vehicles(first: 3) { nodes { id otherYears(first: 2) { year } } } }"
    traced = {"apollo-federation-include-trace": "ftv1"}
    async with proxied_app(federated(sample_index, answer_cache=True)) as app:
        plain = await graphql(app.client, vehicles_query)  # computed, and kept
        assert "extensions" not in plain
        app.reset_count()
        for _ in range(2):
            response = await app.client.post("/graphql", json={"query": vehicles_query}, headers=traced)
            body = response.json()
            assert body["data"] == plain["data"]
            trace = base64.b64decode(body["extensions"]["ftv1"])
            assert b"vehicles" in trace
            assert b"otherYears" in trace
        # Both traced requests ran against Elasticsearch: the kept answer was not served to them.
        assert app.round_trips() >= 2
        app.reset_count()
        again = await graphql(app.client, vehicles_query)
        assert again == plain
        assert app.round_trips() == 0  # the plain answer still comes from the cache, untouched by traces


async def test_node_is_an_entity_interface_resolved_to_its_types(sample_index: str) -> None:
    async with proxied_app(federated(sample_index)) as app:
        vehicles = await first_vehicles(app.client, 2)
        group_id = base64.b64encode(f"ManufacturerModelGroup:{vehicles[0]['manufacturer']}".encode()).decode()
        body = await graphql(
            app.client,
            ENTITIES,
            {
                "representations": [
                    {"__typename": "Node", "id": vehicles[0]["id"]},
                    {"__typename": "Node", "id": group_id},
                    {"__typename": "ManufacturerModelGroup", "id": group_id},
                    {"__typename": "Node", "id": vehicles[1]["id"]},
                    {"__typename": "ManufacturerModelGroup", "id": vehicles[1]["id"]},
                ]
            },
        )
    vehicle, group, same_group, other, not_a_group = body["data"]["_entities"]
    assert (vehicle["__typename"], vehicle["id"]) == ("Vehicle", vehicles[0]["id"])
    assert (group["__typename"], group["manufacturer"]) == (
        "ManufacturerModelGroup",
        vehicles[0]["manufacturer"],
    )
    assert same_group == group
    assert other["id"] == vehicles[1]["id"]
    assert not_a_group is None  # a vehicle's id names no group
    assert error_codes(body) == ["NOT_FOUND"]


async def test_get_answers_vary_with_the_trace_header(sample_index: str) -> None:
    query = {"query": "{ vehicles(first: 1) { nodes { id } } }"}
    async with proxied_app(federated(sample_index, answer_cache=True)) as app:
        plain = await app.client.get("/graphql", params=query)
        trace = {"apollo-federation-include-trace": "ftv1"}
        traced = await app.client.get("/graphql", params=query, headers=trace)
    assert plain.headers["vary"] == "Accept, apollo-federation-include-trace"
    assert "ftv1" not in plain.json().get("extensions", {})
    # A traced answer is this request's alone: no shared cache may keep it.
    assert traced.headers["cache-control"] == "no-store"
    assert traced.headers["vary"] == "Accept, apollo-federation-include-trace"
    assert "ftv1" in traced.json()["extensions"]
