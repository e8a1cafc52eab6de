"""The vehicles query against the real sample data: totals, filters, sorts and pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from elasticsearch import AsyncElasticsearch

from tests.conftest import app_client, make_settings
from tests.support.graphql import data_of, error_codes, graphql

SEARCH = """
query Search($filter: VehicleFilter, $sort: [VehicleSort!], $first: Int, $after: String) {
  vehicles(filter: $filter, sort: $sort, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id vehicleId manufacturer model year bodyClass dataSource instanceCount } }
    nodes { id }
  }
}
"""


@pytest.fixture
async def client(sample_index: str) -> AsyncIterator[httpx.AsyncClient]:
    async for each in app_client(make_settings(es_index=sample_index)):
        yield each


async def search(client: httpx.AsyncClient, **variables: Any) -> dict[str, Any]:
    data = await data_of(client, SEARCH, variables)
    connection: dict[str, Any] = data["vehicles"]
    return connection


async def direct_count(es: AsyncElasticsearch, index: str, query: dict[str, Any]) -> int:
    return int((await es.count(index=index, query=query))["count"])


async def some_records(es: AsyncElasticsearch, index: str, size: int = 50) -> list[dict[str, Any]]:
    response = await es.search(index=index, size=size, sort=[{"vehicle_id": "asc"}])
    return [hit["_source"] for hit in response["hits"]["hits"]]


async def test_total_count_equals_elasticsearch(
    client: httpx.AsyncClient, es: AsyncElasticsearch, sample_index: str
) -> None:
    connection = await search(client, first=5)
    assert connection["totalCount"] == await direct_count(es, sample_index, {"match_all": {}}) == 1000
    assert len(connection["edges"]) == 5
    assert [e["node"]["id"] for e in connection["edges"]] == [n["id"] for n in connection["nodes"]]


async def test_each_filter_matches_a_direct_count(
    client: httpx.AsyncClient, es: AsyncElasticsearch, sample_index: str
) -> None:
    records = await some_records(es, sample_index)
    a, b = records[0], records[7]
    cases: list[tuple[dict[str, Any], dict[str, Any]]] = [
        ({"manufacturer": a["manufacturer"]}, {"term": {"manufacturer.keyword": a["manufacturer"]}}),
        (
            {"models": [{"manufacturer": a["manufacturer"], "model": a["model"]}]},
            {
                "bool": {
                    "filter": [
                        {"term": {"manufacturer.keyword": a["manufacturer"]}},
                        {"term": {"model.keyword": a["model"]}},
                    ]
                }
            },
        ),
        ({"yearMin": 1960, "yearMax": 1969}, {"range": {"year": {"gte": 1960, "lte": 1969}}}),
        ({"bodyClasses": [a["body_class"]]}, {"term": {"body_class.keyword": a["body_class"]}}),
        ({"dataSources": [b["data_source"]]}, {"term": {"data_source": b["data_source"]}}),
    ]
    for graph_filter, es_query in cases:
        connection = await search(client, filter=graph_filter, first=100)
        assert connection["totalCount"] == await direct_count(es, sample_index, es_query), graph_filter
        assert connection["totalCount"] > 0


async def test_models_pairs_are_alternatives_and_combine_with_years(
    client: httpx.AsyncClient, es: AsyncElasticsearch, sample_index: str
) -> None:
    records = await some_records(es, sample_index, size=200)
    pairs = list({(r["manufacturer"], r["model"]) for r in records})[:3]
    graph_filter = {
        "models": [{"manufacturer": m, "model": mo} for m, mo in pairs],
        "yearMin": 1900,
        "yearMax": 2030,
    }
    connection = await search(client, filter=graph_filter, first=100)
    expected = sum(
        [
            await direct_count(
                es,
                sample_index,
                {
                    "bool": {
                        "filter": [{"term": {"manufacturer.keyword": m}}, {"term": {"model.keyword": mo}}]
                    }
                },
            )
            for m, mo in pairs
        ]
    )
    assert connection["totalCount"] == expected
    assert {(n["node"]["manufacturer"], n["node"]["model"]) for n in connection["edges"]} <= set(pairs)


async def test_partial_and_case_insensitive_manufacturer(
    client: httpx.AsyncClient, es: AsyncElasticsearch, sample_index: str
) -> None:
    name = (await some_records(es, sample_index))[0]["manufacturer"]
    prefix = name.split()[0][:4].lower()
    connection = await search(client, filter={"manufacturer": prefix}, first=100)
    assert connection["totalCount"] > 0
    assert all(
        any(word.lower().startswith(prefix) for word in e["node"]["manufacturer"].replace("-", " ").split())
        for e in connection["edges"]
    )
    exact_upper = await search(client, filter={"manufacturer": name.upper()}, first=1)
    assert exact_upper["totalCount"] == await direct_count(
        es, sample_index, {"term": {"manufacturer.keyword": name}}
    )


async def test_fuzzy_search_tolerates_a_typo(
    client: httpx.AsyncClient, es: AsyncElasticsearch, sample_index: str
) -> None:
    records = await some_records(es, sample_index, size=300)
    model = next(r["model"] for r in records if r["model"].isalpha() and len(r["model"]) >= 6)
    typo = model[0] + model[2] + model[1] + model[3:]  # swap two letters
    connection = await search(client, filter={"search": typo}, first=20)
    assert connection["totalCount"] > 0
    assert any(e["node"]["model"] == model for e in connection["edges"])


@pytest.mark.parametrize("field", ["MANUFACTURER", "MODEL", "YEAR", "BODY_CLASS", "INSTANCE_COUNT"])
@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_sorting_each_field_each_direction(
    client: httpx.AsyncClient, field: str, direction: str
) -> None:
    key = {
        "MANUFACTURER": "manufacturer",
        "MODEL": "model",
        "YEAR": "year",
        "BODY_CLASS": "bodyClass",
        "INSTANCE_COUNT": "instanceCount",
    }[field]
    connection = await search(client, sort=[{"field": field, "direction": direction}], first=100)
    values = [e["node"][key] for e in connection["edges"]]
    assert values == sorted(values, reverse=direction == "DESC")
    # The vehicle id tiebreak makes equal keys come in a stable order.
    ties = [e["node"]["vehicleId"] for e in connection["edges"] if e["node"][key] == values[0]]
    assert ties == sorted(ties)


async def test_pages_are_continuous(client: httpx.AsyncClient) -> None:
    seen: list[str] = []
    after = None
    while True:
        connection = await search(
            client, first=37, after=after, sort=[{"field": "YEAR", "direction": "DESC"}]
        )
        seen.extend(e["node"]["id"] for e in connection["edges"])
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 1000


async def test_vehicle_and_vehicles_by_ids(
    client: httpx.AsyncClient, es: AsyncElasticsearch, sample_index: str
) -> None:
    records = await some_records(es, sample_index, size=3)
    ids = [records[2]["vehicle_id"], "no-such-id", records[0]["vehicle_id"]]
    data = await data_of(
        client,
        """query($ids: [ID!]!, $one: ID!) {
          vehiclesByIds(ids: $ids) { vehicleId model }
          vehicle(id: $one) { vehicleId year }
        }""",
        {"ids": ids, "one": records[1]["vehicle_id"]},
    )
    assert [v and v["vehicleId"] for v in data["vehiclesByIds"]] == [ids[0], None, ids[2]]
    assert data["vehicle"] == {"vehicleId": records[1]["vehicle_id"], "year": records[1]["year"]}
    missing = await data_of(client, '{ vehicle(id: "nope") { id } }')
    assert missing["vehicle"] is None


async def test_global_ids_and_bare_vehicle_ids_find_the_same_vehicle(
    client: httpx.AsyncClient, es: AsyncElasticsearch, sample_index: str
) -> None:
    records = await some_records(es, sample_index, size=2)
    bare = [r["vehicle_id"] for r in records]
    first = await data_of(client, "query($id: ID!) { vehicle(id: $id) { id vehicleId } }", {"id": bare[0]})
    global_id = first["vehicle"]["id"]
    assert global_id != bare[0]
    again = await data_of(
        client,
        "query($id: ID!, $ids: [ID!]!) { vehicle(id: $id) { vehicleId } vehiclesByIds(ids: $ids) { id } }",
        {"id": global_id, "ids": [global_id, bare[1]]},
    )
    assert again["vehicle"] == {"vehicleId": bare[0]}
    assert again["vehiclesByIds"][0] == {"id": global_id}
    assert again["vehiclesByIds"][1] is not None


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("{ vehicles(first: 101) { totalCount } }", "BAD_USER_INPUT"),
        ("{ vehicles(first: -1) { totalCount } }", "BAD_USER_INPUT"),
        ('{ vehicles(after: "not-a-cursor") { totalCount } }', "BAD_USER_INPUT"),
        ("{ vehicles(filter: {yearMin: 2000, yearMax: 1990}) { totalCount } }", "BAD_USER_INPUT"),
        ('{ vehicles(filter: {manufacturer: "   "}) { totalCount } }', None),
        ("{ vehicles(first: 99999999999) { totalCount } }", "BAD_USER_INPUT"),
        ("{ nope }", "GRAPHQL_VALIDATION_FAILED"),
    ],
)
async def test_bad_input_gets_a_code_not_a_crash(
    client: httpx.AsyncClient, query: str, code: str | None
) -> None:
    response = await client.post("/graphql", json={"query": query})
    assert response.status_code in (200, 400)
    body = response.json()
    if code is None:
        assert "errors" not in body
    else:
        assert code in error_codes(body), body
        assert "Traceback" not in response.text


async def test_lucene_metacharacters_are_plain_text(client: httpx.AsyncClient) -> None:
    for text in [
        "*",
        "?",
        "a:b",
        '"unterminated',
        "(Ford OR",
        "/regex.*/",
        "\\",
        "ford~2",
        "[1 TO 2]",
        "ü∂ß",
    ]:
        body = await graphql(
            client, SEARCH, {"filter": {"search": text, "manufacturer": text, "model": text}}
        )
        assert "errors" not in body, (text, body)
