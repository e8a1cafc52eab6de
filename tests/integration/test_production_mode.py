"""Production hides what development shows: introspection, GraphiQL and internal error messages."""

from __future__ import annotations

from tests.conftest import app_client, make_settings
from tests.support.graphql import error_codes, graphql


async def test_production_refuses_introspection_and_graphiql(sample_index: str) -> None:
    settings = make_settings(es_index=sample_index, environment="production")
    async for client in app_client(settings):
        body = await graphql(client, "{ __schema { types { name } } }")
        assert body.get("data") is None
        assert set(error_codes(body)) == {"INTROSPECTION_DISABLED"}
        page = await client.get("/graphql", headers={"accept": "text/html"})
        assert "graphiql" not in page.text.lower()
        assert (await client.get("/static/graphiql/graphiql.min.js")).status_code == 404
        ordinary = await graphql(client, "{ vehicles(first: 1) { totalCount } }")
        assert ordinary["data"]["vehicles"]["totalCount"] == 1000


async def test_development_allows_introspection(sample_index: str) -> None:
    async for client in app_client(make_settings(es_index=sample_index, environment="development")):
        body = await graphql(client, "{ __schema { queryType { name } } }")
        assert body["data"] == {"__schema": {"queryType": {"name": "Query"}}}
