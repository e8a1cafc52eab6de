"""Browsers on an allowed origin may call the API; others get no CORS grant."""

from __future__ import annotations

import pytest

from graph.settings import SettingsError, load_settings
from tests.conftest import app_client, make_settings

ORIGIN = "https://picker.example.org"


async def test_allowed_origin_gets_preflight_and_headers(sample_index: str) -> None:
    settings = make_settings(es_index=sample_index, cors_allow_origins=ORIGIN)
    async for client in app_client(settings):
        preflight = await client.options(
            "/graphql",
            headers={
                "origin": ORIGIN,
                "access-control-request-method": "POST",
                "access-control-request-headers": "content-type",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == ORIGIN
        response = await client.post("/graphql", json={"query": "{ __typename }"}, headers={"origin": ORIGIN})
        assert response.headers["access-control-allow-origin"] == ORIGIN
        other = await client.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"origin": "https://evil.example"}
        )
        assert "access-control-allow-origin" not in other.headers


async def test_no_cors_headers_by_default(sample_index: str) -> None:
    async for client in app_client(make_settings(es_index=sample_index)):
        response = await client.post("/graphql", json={"query": "{ __typename }"}, headers={"origin": ORIGIN})
        assert "access-control-allow-origin" not in response.headers


def test_bad_origin_is_refused_at_start_up() -> None:
    with pytest.raises(SettingsError, match="CORS_ALLOW_ORIGINS"):
        load_settings(cors_allow_origins="not a url")
