"""One JSON access line per request, carrying its request id; the id travels in both directions."""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

import pytest
from graphql import DocumentNode, parse

from graph.gql import document_cache
from tests.conftest import es_host_port, make_settings
from tests.support.asgi import client_of, running_app
from tests.support.json_logs import json_logs
from tests.support.tcp_proxy import TcpProxy

NAMED = {"query": "query WhoAmI { __typename }"}


async def test_a_request_writes_exactly_one_access_line_with_its_request_id() -> None:
    request_id = f"req-{uuid.uuid4().hex}"
    async with running_app(make_settings()) as app, client_of(app, "192.0.2.10") as client:
        with json_logs() as logs:
            response = await client.post("/graphql", json=NAMED, headers={"x-request-id": request_id})
    assert response.status_code == 200
    assert response.headers["x-request-id"] == request_id
    access = logs.access_lines()
    assert len(access) == 1
    line = access[0]
    assert set(line) == {"timestamp", "level", "message", "context"}
    assert line["level"] == "info"
    assert line["timestamp"].endswith("Z")
    context = line["context"]
    assert context["request_id"] == request_id
    assert context["method"] == "POST"
    assert context["route"] == "/graphql"
    assert context["status"] == 200
    assert context["client"] == "192.0.2.10"
    assert context["operation_name"] == "WhoAmI"
    assert 0 < context["latency_ms"] < 5000
    assert "trace_id" not in context  # tracing is off


async def test_a_missing_or_insane_request_id_is_replaced_by_a_generated_one() -> None:
    async with running_app(make_settings()) as app, client_of(app) as client:
        with json_logs() as logs:
            plain = await client.post("/graphql", json=NAMED)
            forged = await client.post(
                "/graphql", json=NAMED, headers={"x-request-id": 'x" , "level": "critical' + "A" * 200}
            )
    generated = [plain.headers["x-request-id"], forged.headers["x-request-id"]]
    assert all(re.fullmatch(r"[0-9a-f]{32}", value) for value in generated)
    assert generated[0] != generated[1]
    assert [line["context"]["request_id"] for line in logs.access_lines()] == generated


async def test_lines_written_during_a_request_carry_its_id() -> None:
    # With Elasticsearch gone after start-up, the health check logs a warning while handling the request.
    host, port = es_host_port()
    proxy = TcpProxy(target_host=host, target_port=port)
    await proxy.start()
    try:
        settings = make_settings(elasticsearch_url=f"http://{proxy.url_host}")
        async with running_app(settings) as app, client_of(app) as client:
            await proxy.stop()
            with json_logs() as logs:
                response = await client.get("/health", headers={"x-request-id": "during-1"})
    finally:
        await proxy.stop()
    assert response.status_code == 503
    warning = [e for e in logs.entries() if e["message"].startswith("health check failed")]
    assert len(warning) == 1
    assert warning[0]["context"]["request_id"] == "during-1"


async def test_query_variables_and_query_strings_are_not_logged() -> None:
    secret = f"hunter2-{uuid.uuid4().hex}"
    query = "query Secretive($s: String) { __typename }"
    async with running_app(make_settings()) as app, client_of(app) as client:
        with json_logs(logging.DEBUG) as logs:
            await client.post("/graphql", json={"query": query, "variables": {"s": secret}})
            await client.get("/graphql", params={"query": query, "variables": f'{{"s": "{secret}"}}'})
    # The test's own HTTP client logs its URLs; every line the service wrote is checked.
    service_lines = [e for e in logs.entries() if e["context"]["logger"] != "httpx"]
    assert service_lines
    assert all(secret not in str(entry) for entry in service_lines)
    access = logs.access_lines()
    assert [line["context"]["operation_name"] for line in access] == ["Secretive", "Secretive"]
    assert all(line["context"]["path"] == "/graphql" for line in access)


@pytest.mark.parametrize("path", ["/health/live", "/metrics"])
async def test_probes_and_scrapes_log_at_debug_only(path: str) -> None:
    async with running_app(make_settings()) as app, client_of(app) as client:
        with json_logs(logging.INFO) as info_logs:
            await client.get(path)
        with json_logs(logging.DEBUG) as debug_logs:
            await client.get(path)
    assert info_logs.access_lines() == []
    [line] = debug_logs.access_lines()
    assert line["level"] == "debug"
    assert line["context"]["route"] == path


async def test_unknown_paths_are_labelled_unmatched_not_by_their_raw_path() -> None:
    async with running_app(make_settings()) as app, client_of(app) as client:
        with json_logs() as logs:
            response = await client.get("/no/such/vehicle-123")
    assert response.status_code == 404
    [line] = logs.access_lines()
    assert line["context"]["route"] == "unmatched"
    assert line["context"]["path"] == "/no/such/vehicle-123"


async def test_a_document_is_parsed_once_for_its_answer_and_its_access_lines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The access line's operation name comes from the document the pipeline parsed for the
    # answer; a large document answered from the answer cache is not parsed again to name it.
    parses: list[str] = []

    def counted(source: str, **options: Any) -> DocumentNode:
        parses.append(source)
        return parse(source, **options)

    monkeypatch.setattr(document_cache, "parse_document", counted)
    name = f"Fresh{uuid.uuid4().hex}"
    padding = " " * 9000  # over the 8 KiB the old edge parser remembered
    document = {"query": f"query {name} {{ __typename }}{padding}"}
    async with (
        running_app(make_settings(answer_cache=True)) as app,
        client_of(app, "192.0.2.10") as client,
    ):
        with json_logs() as logs:
            responses = [await client.post("/graphql", json=document) for _ in range(3)]
    assert [response.status_code for response in responses] == [200, 200, 200]
    assert [line["context"]["operation_name"] for line in logs.access_lines()] == [name] * 3
    assert len(parses) == 1


async def test_a_get_names_the_operation_it_runs_or_is_refused() -> None:
    # The label and execution read one request: a GET naming `query` twice is refused, never
    # labelled by one copy and run by the other.
    first, last = "query First { __typename }", "query Last { __typename }"
    async with running_app(make_settings()) as app, client_of(app, "192.0.2.10") as client:
        with json_logs() as logs:
            twice = await client.get("/graphql", params=[("query", first), ("query", last)])
            once = await client.get("/graphql", params={"query": last})
    assert twice.status_code == 400
    assert twice.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert once.json()["data"] == {"__typename": "Query"}
    assert [line["context"]["operation_name"] for line in logs.access_lines()] == ["unparsed", "Last"]
