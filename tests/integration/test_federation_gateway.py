"""Apollo's composition and gateway in front of the served catalog subgraph and a second subgraph.

tests/federation/gateway.mjs (installed by `make test` with `npm ci`) composes
the catalog's `_service` SDL with a small listings subgraph that extends
Vehicle with `listingCount`, fails on any composition error or hint, and serves
the supergraph with @apollo/gateway. The catalog runs as operators run it
(`autos-graph serve`, FEDERATION=true) and reaches Elasticsearch through a
proxy that counts its requests.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

import httpx
import pytest

from datasources.elastic.index_schema import concrete_index_name
from tests.conftest import es_host_port
from tests.support.server import ServedProcess
from tests.support.tcp_proxy import TcpProxy

GATEWAY_DIR = Path(__file__).resolve().parents[1] / "federation"

# Rooted in the listings subgraph: the catalog resolves the 100 vehicles as entities.
FEATURED = """query Featured {
  featuredListings(first: 100) {
    price
    vehicle { id manufacturer model year bodyClass listingCount marketLabel }
  }
}"""

# Rooted in the catalog: the listings subgraph adds its field to the catalog's page.
CATALOG_PAGE = """query Page {
  vehicles(first: 5, sort: [{field: YEAR, direction: DESC}]) {
    nodes { id manufacturer model year listingCount }
  }
}"""


# Rooted in the listings subgraph's @interfaceObject Node: the catalog resolves `Node` entities.
WATCHED = """query Watched($ids: [ID!]!) {
  watched(ids: $ids) {
    __typename
    id
    watchers
    ... on Vehicle { manufacturer year }
    ... on ManufacturerModelGroup { manufacturer count }
  }
}"""


def listing_count(vehicle_id: str) -> int:
    """gateway.mjs's listingCount."""
    return sum(map(ord, vehicle_id)) % 25


@asynccontextmanager
async def gateway(catalog_url: str, ids_file: Path) -> AsyncIterator[str]:
    if not (GATEWAY_DIR / "node_modules").is_dir():
        pytest.fail("tests/federation has no node_modules: run `make test` (or `npm ci` in tests/federation)")
    process = await asyncio.create_subprocess_exec(
        "node",
        "gateway.mjs",
        cwd=GATEWAY_DIR,
        env={**os.environ, "CATALOG_URL": catalog_url, "VEHICLE_IDS_FILE": str(ids_file)},
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    try:
        started: dict[str, Any] = {}
        async with asyncio.timeout(90):
            while not started:
                line = await process.stdout.readline()
                if not line:
                    assert process.stderr is not None
                    errors = (await process.stderr.read()).decode()[-3000:]
                    pytest.fail(f"the gateway exited before serving:\n{errors}")
                if line.startswith(b"{"):
                    started = json.loads(line)
        assert "problems" not in started, "\n".join(started["problems"])
        yield str(started["gateway"])
    finally:
        process.stdin.close()
        with suppress(TimeoutError):
            async with asyncio.timeout(10):
                await process.wait()
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_the_gateway_serves_a_query_across_both_subgraphs(sample_index: str, tmp_path: Path) -> None:
    host, port = es_host_port()
    proxy = TcpProxy(target_host=host, target_port=port)
    await proxy.start()
    catalog = ServedProcess(
        index=sample_index,
        log_path=tmp_path / "catalog.log",
        env={
            "FEDERATION": "true",
            "ELASTICSEARCH_URL": f"http://{proxy.url_host}",
            # An answer kept by an earlier run (Redis outlives it) would hide the count of requests.
            "ANSWER_CACHE": "false",
        },
    )
    # Started from a thread: it waits synchronously while the proxy answers on this loop.
    await asyncio.to_thread(catalog.start)
    try:
        async with httpx.AsyncClient(base_url=catalog.base_url, timeout=30) as client:
            page = await client.post("/graphql", json={"query": "{ vehicles(first: 100) { nodes { id } } }"})
        ids = [node["id"] for node in page.json()["data"]["vehicles"]["nodes"]]
        assert len(ids) == 100
        ids_file = tmp_path / "vehicle-ids.json"
        ids_file.write_text(json.dumps(ids))

        catalog_url = f"{catalog.base_url}/graphql"
        async with gateway(catalog_url, ids_file) as url, httpx.AsyncClient(timeout=60) as gw:
            proxy.requests.clear()
            answer = (await gw.post(url, json={"query": FEATURED})).json()
            requests = [path.partition("?")[0] for _, path in proxy.search_requests()]
            print(f"[federation] gateway query:\n{FEATURED}")
            print(f"[federation] first of 100 listings: {json.dumps(answer['data']['featuredListings'][0])}")
            print(f"[federation] Elasticsearch requests for the 100 vehicles: {requests}")
            assert "errors" not in answer, answer["errors"]
            listings = answer["data"]["featuredListings"]
            assert [listing["vehicle"]["id"] for listing in listings] == ids
            assert [listing["price"] for listing in listings] == [1000 + i for i in range(100)]
            vehicles = [listing["vehicle"] for listing in listings]
            assert all(vehicle["manufacturer"] and vehicle["year"] for vehicle in vehicles)
            assert [vehicle["listingCount"] for vehicle in vehicles] == [listing_count(i) for i in ids]
            # @requires: the listings subgraph got each vehicle's manufacturer and year from the catalog.
            labels = [f"{vehicle['year']} {vehicle['manufacturer']}" for vehicle in vehicles]
            assert [vehicle["marketLabel"] for vehicle in vehicles] == labels
            # The catalog's part: 100 representations in one `_entities`, read in one mget.
            assert requests == [f"/{concrete_index_name(sample_index)}/_mget"]

            # The same query with FTV1 traces asked of every subgraph, as usage reporting asks:
            # the gateway decodes the catalog's trace, and the traced answer costs one mget too.
            proxy.requests.clear()
            traced = (await gw.post(url, json={"query": FEATURED}, headers={"x-capture-traces": "1"})).json()
            assert traced["data"] == answer["data"]
            fetches = traced["extensions"]["fetches"]
            print(f"[federation] traced fetches as the gateway decoded them: {json.dumps(fetches)}")
            catalog_fetches = [f for f in fetches if f["service"] == "catalog"]
            assert [f["service"] for f in fetches] == ["listings", "catalog", "listings"]
            assert [f["rootFields"] for f in catalog_fetches] == [["_entities"]]
            assert all(f["traced"] and not f["traceParsingFailed"] for f in fetches), fetches
            assert catalog_fetches[0]["durationNs"] > 0
            assert len(proxy.search_requests()) == 1

            group_id = base64.b64encode(
                b"ManufacturerModelGroup:" + vehicles[0]["manufacturer"].encode()
            ).decode()
            watched_ids = [ids[0], group_id, ids[1]]
            watched = (await gw.post(url, json={"query": WATCHED, "variables": {"ids": watched_ids}})).json()
            assert "errors" not in watched, watched["errors"]
            nodes = watched["data"]["watched"]
            print(f"[federation] gateway query:\n{WATCHED}\n{json.dumps(watched)}")
            assert [node["__typename"] for node in nodes] == ["Vehicle", "ManufacturerModelGroup", "Vehicle"]
            assert [node["watchers"] for node in nodes] == [listing_count(i) + 1 for i in watched_ids]
            assert nodes[0]["manufacturer"] == vehicles[0]["manufacturer"]
            assert nodes[1]["count"] >= 1

            page_answer = (await gw.post(url, json={"query": CATALOG_PAGE})).json()
            print(f"[federation] gateway query:\n{CATALOG_PAGE}\n{json.dumps(page_answer)}")
            assert "errors" not in page_answer, page_answer["errors"]
            nodes = page_answer["data"]["vehicles"]["nodes"]
            assert len(nodes) == 5
            assert [node["listingCount"] for node in nodes] == [listing_count(node["id"]) for node in nodes]
    finally:
        await asyncio.to_thread(catalog.stop)
        await proxy.stop()
