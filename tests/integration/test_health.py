from __future__ import annotations

import time

import httpx

from graph.settings import Settings
from tests.conftest import app_client, es_host_port, make_settings
from tests.support.json_logs import json_logs
from tests.support.tcp_proxy import TcpProxy


async def test_health_keeps_the_old_shape(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["service"] == "autos-backend"
    assert body["timestamp"].endswith("Z")


async def test_ready_reports_elasticsearch_and_redis(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["elasticsearch"]["status"] == "up"
    assert body["elasticsearch"]["cluster"] in {"green", "yellow"}
    assert body["cache"]["status"] == "up"


async def test_live_is_200(client: httpx.AsyncClient) -> None:
    assert (await client.get("/health/live")).status_code == 200


async def test_probes_turn_503_quickly_when_elasticsearch_goes_away(settings: Settings) -> None:
    host, port = es_host_port()
    proxy = TcpProxy(target_host=host, target_port=port)
    await proxy.start()
    proxied = make_settings(elasticsearch_url=f"http://{proxy.url_host}")
    async for client in app_client(proxied):
        assert (await client.get("/health")).status_code == 200
        await proxy.stop()  # the port is now closed: nothing listens there
        for path in ("/health", "/health/ready"):
            started = time.monotonic()
            response = await client.get(path)
            elapsed = time.monotonic() - started
            assert response.status_code == 503, path
            assert elapsed < 2.0, f"{path} took {elapsed:.2f} s"
        assert (await client.get("/health/ready")).json()["elasticsearch"]["status"] == "down"
        assert (await client.get("/health/live")).status_code == 200


async def test_a_failing_probe_is_warned_once_with_its_reason_and_its_end_logged() -> None:
    host, port = es_host_port()
    proxy = TcpProxy(target_host=host, target_port=port)
    await proxy.start()
    proxied = make_settings(elasticsearch_url=f"http://{proxy.url_host}")
    async for client in app_client(proxied):
        with json_logs() as logs:
            await proxy.stop()
            for path in ("/health/ready", "/health", "/health/ready", "/health"):
                assert (await client.get(path)).status_code == 503
            assert (
                (await client.get("/health/ready"))
                .json()["reason"]
                .startswith("Elasticsearch is not reachable")
            )
            await proxy.restart()
            assert (await client.get("/health/ready")).status_code == 200
        health_lines = [e for e in logs.entries() if e["context"]["logger"] == "autos_graph.health"]
    [warning, recovered] = health_lines
    assert warning["level"] == "warning"
    assert warning["message"] == "health check failed: Elasticsearch is not reachable (ConnectionError)"
    assert warning["context"]["probe"] == "/health/ready"
    assert recovered["level"] == "info"
    assert recovered["message"] == "health check recovered"


async def test_ready_stays_200_without_redis_and_says_so() -> None:
    no_redis = make_settings(redis_url="redis://127.0.0.1:1/0")
    async for client in app_client(no_redis):
        response = await client.get("/health/ready")
        assert response.status_code == 200
        assert response.json()["cache"]["status"] == "down"


async def test_graphql_endpoint_answers(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ __typename }"})
    assert response.status_code == 200
    assert response.json()["data"] == {"__typename": "Query"}


async def test_graphiql_is_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_root_lists_the_entry_points(client: httpx.AsyncClient) -> None:
    body = (await client.get("/")).json()
    assert body["graphql"] == "/graphql"
    for path in (body["graphql"] + "?query={__typename}", body["rest"]["openapi"], body["health"]["live"]):
        assert (await client.get(path)).status_code == 200, path


async def test_ready_reports_the_in_memory_cache_without_redis_url() -> None:
    async for client in app_client(make_settings(redis_url=None)):
        response = await client.get("/health/ready")
        assert response.status_code == 200
        assert response.json()["cache"]["status"] == "memory"
