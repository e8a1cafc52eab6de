from __future__ import annotations

import logging
import socket

import orjson
import pytest
from elastic_transport import AiohttpHttpNode
from elasticsearch.serializer import OrjsonSerializer

from datasources.elastic.client import (
    MAX_DEAD_NODE_BACKOFF_SECONDS,
    RETRY_GRACE_SECONDS,
    ElasticsearchUnavailable,
    HttpNode,
    create_client,
    loggable_urls,
    split_urls,
    wait_until_reachable,
)
from datasources.elastic.lean_http_node import LeanHttpNode
from datasources.elastic.timed_node import RequestObserver
from graph.settings import Settings

SECRET = "s3cr3t-never-logged"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_one_url_or_several() -> None:
    assert split_urls("http://a:9200") == ["http://a:9200"]
    assert split_urls(" http://a:9200/, http://b:9200 ,") == ["http://a:9200", "http://b:9200"]


def test_the_urls_shown_in_logs_mask_credentials() -> None:
    shown = loggable_urls("https://elastic:s3cr%40t@es1:9200,http://es2:9200,https://user@es3")
    assert shown == "https://***@es1:9200,http://es2:9200,https://***@es3"


async def test_credentials_never_reach_a_log_line(caplog: pytest.LogCaptureFixture) -> None:
    """A client with credentials that cannot reach its node: every record logged, with its extra
    context, and the error raised, name the node without the password or the user."""
    url = f"http://elastic:{SECRET}@127.0.0.1:{closed_port()}"
    client = create_client(url=url, request_timeout=0.5)
    try:
        with caplog.at_level(logging.DEBUG), pytest.raises(ElasticsearchUnavailable) as raised:
            await wait_until_reachable(client, url=url, timeout=1.0)
    finally:
        await client.close()
    assert any("not reachable yet" in record.getMessage() for record in caplog.records)
    logged = "\n".join(f"{record.getMessage()} {record.__dict__}" for record in caplog.records)
    for text in (logged, str(raised.value)):
        assert SECRET not in text
        assert "elastic:" not in text
    assert "***@127.0.0.1" in str(raised.value)


async def test_the_client_knows_every_node_and_bounds_calls_and_dead_node_backoff() -> None:
    client = create_client(url="http://127.0.0.1:9201,http://127.0.0.1:9202", request_timeout=1.5)
    try:
        pool = client.transport.node_pool
        assert sorted(node.base_url for node in pool.all()) == [
            "http://127.0.0.1:9201",
            "http://127.0.0.1:9202",
        ]
        # The API's 2 s promise (a product target): with the deployed request timeout (the default;
        # k8s/configmap.yaml leaves it), a hung call ends by request timeout + grace.
        deployed = Settings.model_fields["es_request_timeout_seconds"].default
        assert deployed + RETRY_GRACE_SECONDS < 2.0
        assert pool.max_dead_node_backoff == MAX_DEAD_NODE_BACKOFF_SECONDS <= 5.0
    finally:
        await client.close()


@pytest.mark.parametrize("observer", [None, lambda *_: None], ids=["untimed", "timed"])
async def test_es_http_node_chooses_how_requests_reach_a_node(observer: RequestObserver | None) -> None:
    choices: tuple[tuple[HttpNode, bool], ...] = (("lean", True), ("aiohttp", False))
    for http_node, lean in choices:
        client = create_client(
            url="http://127.0.0.1:9201", request_timeout=1.5, on_request=observer, http_node=http_node
        )
        try:
            [node] = client.transport.node_pool.all()
            assert isinstance(node, AiohttpHttpNode)
            assert isinstance(node, LeanHttpNode) is lean, http_node
        finally:
            await client.close()


async def test_json_and_ndjson_bodies_go_through_orjson_in_both_media_types() -> None:
    client = create_client(url="http://127.0.0.1:9", request_timeout=1)
    serializers = client.transport.serializers.serializers
    for mimetype in (
        "application/json",
        "application/vnd.elasticsearch+json",
        "application/x-ndjson",
        "application/vnd.elasticsearch+x-ndjson",
    ):
        assert isinstance(serializers[mimetype], OrjsonSerializer), mimetype
    lines = serializers["application/vnd.elasticsearch+x-ndjson"].dumps([{"index": "é"}, {"size": 1}])
    assert lines == orjson.dumps({"index": "é"}) + b"\n" + orjson.dumps({"size": 1}) + b"\n"
    await client.close()
