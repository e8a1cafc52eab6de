"""The lean HTTP node against the real Elasticsearch: same answers as aiohttp, pooled, and failing like it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout, NodeConfig
from elasticsearch import AsyncElasticsearch, NotFoundError

from datasources.elastic.lean_http_node import LeanHttpNode
from tests.conftest import ES_URL, es_host_port
from tests.support.tcp_proxy import TcpProxy

SEARCH: dict[str, Any] = {
    "query": {"range": {"year": {"gte": 1965, "lte": 1975}}},
    "sort": [{"year": "desc"}, {"vehicle_id": "asc"}],
    "size": 25,
    "track_total_hits": True,
}


@asynccontextmanager
async def client(url: str = ES_URL, **options: Any) -> AsyncIterator[AsyncElasticsearch]:
    es = AsyncElasticsearch(url, node_class=LeanHttpNode, **options)
    try:
        yield es
    finally:
        await es.close()


def lean_node(es: AsyncElasticsearch) -> LeanHttpNode:
    node = es.transport.node_pool.get()
    assert isinstance(node, LeanHttpNode)
    return node


async def test_answers_match_the_aiohttp_node(sample_index: str) -> None:
    reference = AsyncElasticsearch(ES_URL)
    try:
        expected = await reference.search(index=sample_index, body=SEARCH)
        expected_docs = await reference.mget(
            index=sample_index, ids=[h["_id"] for h in expected["hits"]["hits"]]
        )
    finally:
        await reference.close()
    async with client() as es:
        answer = await es.search(index=sample_index, body=SEARCH)
        docs = await es.mget(index=sample_index, ids=[h["_id"] for h in answer["hits"]["hits"]])
        assert answer.meta.status == 200
        assert answer.meta.headers["x-elastic-product"] == "Elasticsearch"
    assert answer["hits"]["total"] == expected["hits"]["total"]
    assert answer["hits"]["hits"] == expected["hits"]["hits"]
    assert docs.body == expected_docs.body


async def test_head_requests_and_error_statuses(sample_index: str) -> None:
    async with client() as es:
        assert await es.indices.exists(index=sample_index)
        assert not await es.indices.exists(index="autos-no-such-index")
        with pytest.raises(NotFoundError):
            await es.get(index=sample_index, id="no-such-vehicle")
        # The connection stays usable after HEAD answers and error statuses.
        assert (await es.count(index=sample_index))["count"] == 1000


async def test_sequential_requests_share_one_connection(sample_index: str) -> None:
    async with client() as es:
        for _ in range(20):
            await es.count(index=sample_index)
        pool = lean_node(es)._pool
        assert pool is not None
        assert len(pool._idle) == 1


async def test_concurrent_requests_stay_within_the_node_limit(sample_index: str) -> None:
    async with client(connections_per_node=3) as es:
        answers = await asyncio.gather(*(es.count(index=sample_index) for _ in range(30)))
        assert all(a["count"] == 1000 for a in answers)
        pool = lean_node(es)._pool
        assert pool is not None
        assert 1 <= len(pool._idle) <= 3


async def test_a_connection_closed_by_the_server_is_not_reused(sample_index: str) -> None:
    host, port = es_host_port()
    proxy = TcpProxy(target_host=host, target_port=port)
    await proxy.start()
    try:
        async with client(f"http://{proxy.url_host}", max_retries=0) as es:
            assert (await es.count(index=sample_index))["count"] == 1000
            await proxy.restart()  # resets the pooled keep-alive connection
            await asyncio.sleep(0.05)  # let the reset reach the client
            assert (await es.count(index=sample_index))["count"] == 1000
    finally:
        await proxy.stop()


async def test_refused_and_hung_nodes_raise_the_transport_errors(sample_index: str) -> None:
    host, port = es_host_port()
    proxy = TcpProxy(target_host=host, target_port=port)
    await proxy.start()
    url = f"http://{proxy.url_host}"
    try:
        async with client(url, max_retries=0, request_timeout=0.5) as es:
            await proxy.stop()
            with pytest.raises(TransportConnectionError):
                await es.count(index=sample_index)
            await proxy.restart(blackhole=True)
            started = asyncio.get_running_loop().time()
            with pytest.raises(ConnectionTimeout):
                await es.count(index=sample_index)
            # 5x the 0.5 s request timeout: the hang ends by the timeout, not by chance.
            assert asyncio.get_running_loop().time() - started < 5 * 0.5
            await proxy.resume()
            # Healed: the timed-out connection was dropped, a new one answers.
            es.transport.node_pool.mark_live(lean_node(es))
            assert (await es.count(index=sample_index))["count"] == 1000
    finally:
        await proxy.stop()


async def test_a_malformed_response_is_a_connection_error() -> None:
    async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: nonsense\r\n\r\n{}")
        await writer.drain()

    server = await asyncio.start_server(garbage, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with client(f"http://127.0.0.1:{port}", max_retries=0) as es:
            with pytest.raises(TransportConnectionError):
                await es.count(index="anything")
    finally:
        server.close()
        await server.wait_closed()


def test_line_breaks_cannot_reach_the_request_head() -> None:
    from elastic_transport import HttpHeaders

    from datasources.elastic.lean_http_node import request_bytes

    with pytest.raises(ValueError, match="line break"):
        request_bytes("GET", "/x", "h:1", HttpHeaders({"x-opaque-id": "a\r\nGET /evil HTTP/1.1"}), None)
    with pytest.raises(ValueError, match="line break"):
        request_bytes("GET", "/x\r\nGET /evil", "h:1", HttpHeaders(), None)
    assert request_bytes("POST", "/i/_search", "h:1", HttpHeaders({"a": "b"}), b"{}").endswith(
        b"a: b\r\ncontent-length: 2\r\n\r\n{}"
    )


def test_plain_http_takes_the_lean_path_and_tls_or_compression_do_not() -> None:
    assert LeanHttpNode(NodeConfig("http", "es.example", 9201))._lean
    assert not LeanHttpNode(NodeConfig("https", "es.example", 9243))._lean
    assert not LeanHttpNode(NodeConfig("http", "es.example", 9200, http_compress=True))._lean
