"""Introspection as tools send it passes every limit; abusive introspection shapes do not.

The standard queries are legitimately deeper than the ordinary depth limit
(their TypeRef fragment nests `ofType` nine times), so they are measured on
their own terms (graph/gql/query_limits.py). Each abusive shape below is one
an attacker would use to make introspection expensive.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import get_introspection_query

from tests.conftest import app_client, make_settings
from tests.support.graphql import error_codes, graphql, proxied_app

QUERIES = Path(__file__).resolve().parents[1] / "support" / "introspection"

STANDARD = {
    "graphql-core-all-options": get_introspection_query(
        descriptions=True,
        specified_by_url=True,
        directive_is_repeatable=True,
        schema_description=True,
        input_value_deprecation=True,
        experimental_directive_deprecation=True,
        one_of=True,
    ),
    **{path.stem: path.read_text() for path in sorted(QUERIES.glob("*.graphql"))},
}


def _of_type_chain(levels: int) -> str:
    return "".join("ofType { " for _ in range(levels)) + "name" + " }" * levels


ABUSIVE = {
    "ofType nested deeper than the standard queries": (
        "{ __schema { types { fields { type { " + _of_type_chain(10) + " } } } } }",
        "10 nested ofType fields exceed the limit of 9",
    ),
    "__schema twice, aliased": (
        "{ a: __schema { types { name } } b: __schema { types { name } } }",
        "__schema is asked for 2 times",
    ),
    "__schema twice through fragments": (
        "query { ...A ...B } fragment A on Query { __schema { types { name } } } "
        "fragment B on Query { s: __schema { types { name } } }",
        "__schema is asked for 2 times",
    ),
    "types within fields within types": (
        "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }",
        "introspection depth 8 exceeds the limit of 6",
    ),
    "many aliases of __type": (
        "{ " + " ".join(f't{i}: __type(name: "Vehicle") {{ name }}' for i in range(40)) + " }",
        "40 aliases exceed the limit of 30",
    ),
}


@pytest.mark.parametrize("name", sorted(STANDARD))
async def test_standard_introspection_queries_pass(sample_index: str, name: str) -> None:
    async with proxied_app(make_settings(es_index=sample_index)) as app:
        app.reset_count()
        body = await graphql(app.client, STANDARD[name])
        assert "errors" not in body, body["errors"]
        schema = body["data"]["__schema"]
        types = {t["name"]: t for t in schema["types"]}
        assert schema["queryType"]["name"] == "Query"
        assert {"Vehicle", "ManufacturerModelGroup", "Node"} <= set(types)
        query_fields = {f["name"] for f in types["Query"]["fields"]}
        assert {"vehicles", "manufacturerModelCombinations", "node", "nodes"} <= query_fields
        assert app.round_trips() == 0


@pytest.mark.parametrize("name", sorted(ABUSIVE))
async def test_abusive_introspection_is_refused(sample_index: str, name: str) -> None:
    document, problem = ABUSIVE[name]
    async with proxied_app(make_settings(es_index=sample_index)) as app:
        body = await graphql(app.client, document)
        assert body.get("data") is None
        # graphql-core's own introspection-depth rule may refuse the same shape: same code.
        assert set(error_codes(body)) == {"QUERY_TOO_COMPLEX"}, body
        assert any(problem in e["message"] for e in body["errors"]), body["errors"]


async def test_introspection_does_not_loosen_the_ordinary_depth_limit(sample_index: str) -> None:
    # Thirteen ordinary levels beside a standard introspection: still too deep.
    deep = (
        "vehicles { nodes { group { vehicles { nodes { group { vehicles { nodes { group { vehicles {"
        " nodes { group { manufacturer } } } } } } } } } } } }"
    )
    document = STANDARD["graphql-js-all-options"].replace("__schema {", deep + " __schema {", 1)
    async with proxied_app(make_settings(es_index=sample_index)) as app:
        app.reset_count()
        body = await graphql(app.client, document)
        assert set(error_codes(body)) == {"QUERY_TOO_COMPLEX"}
        assert any("depth 13 exceeds the limit of 12" in e["message"] for e in body["errors"])
        assert app.round_trips() == 0


@pytest.mark.parametrize("name", ["graphql-js-all-options", "graphiql"])
async def test_production_says_introspection_is_disabled(sample_index: str, name: str) -> None:
    async for client in app_client(make_settings(es_index=sample_index, environment="production")):
        body = await graphql(client, STANDARD[name])
        assert body.get("data") is None
        assert set(error_codes(body)) == {"INTROSPECTION_DISABLED"}
        assert "Introspection is disabled" in body["errors"][0]["message"]
        # __typename is no introspection of the schema: clients add it everywhere.
        typename = await graphql(client, "{ __typename vehicles(first: 1) { totalCount } }")
        assert typename["data"] == {"__typename": "Query", "vehicles": {"totalCount": 1000}}
