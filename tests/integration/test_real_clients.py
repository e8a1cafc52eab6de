"""The JavaScript clients users run, against a served process on the sample index.

Each client is run the way its users run it, from tests/clients (its own
package.json and lock, installed by `make test` with `npm ci`), and the
assertions are on what a user's application would see: Apollo Client's
normalised cache answering without a request, cursors that advance,
`errorPolicy: 'all'` with data and a coded error, urql sending GET,
relay-compiler accepting the schema for a refetchable fragment and a
@connection query (whose generated operations then run here), and
graphql-codegen producing the same TypeScript from introspection as from
schema.graphql, which `tsc` compiles.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.server import served

CLIENTS = Path(__file__).resolve().parents[1] / "clients"
INTROSPECTION = Path(__file__).resolve().parents[1] / "support" / "introspection"
NODE = shutil.which("node") or "/usr/bin/node"


@pytest.fixture(scope="module")
def server(sample_index: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    assert (CLIENTS / "node_modules" / ".package-lock.json").exists(), (
        "the clients are not installed: `make test` runs `npm ci` in tests/clients"
    )
    log = tmp_path_factory.mktemp("real-clients") / "serve.log"
    with served(index=sample_index, log_path=log, ENVIRONMENT="development") as url:
        yield url


def run(*command: str, env: dict[str, str] | None = None) -> str:
    finished = subprocess.run(
        command,
        cwd=CLIENTS,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert finished.returncode == 0, (
        f"{command} failed:\n{finished.stdout[-3000:]}\n{finished.stderr[-3000:]}"
    )
    return finished.stdout


def run_node(script: str, *args: str) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(run(NODE, script, *args))
    return report


def test_the_lock_names_no_download_urls() -> None:
    lock = (CLIENTS / "package-lock.json").read_text()
    assert '"resolved"' not in lock
    assert "omit-lockfile-registry-resolved=true" in (CLIENTS / ".npmrc").read_text()


def test_graphql_js_introspection_queries_match_the_committed_copies() -> None:
    # test_introspection.py sends the committed copies; this keeps them equal to the package's.
    for name, text in run_node("introspection-queries.mjs").items():
        assert (INTROSPECTION / f"{name}.graphql").read_text() == text, name


def test_apollo_client_caches_pages_and_keeps_partial_data(server: str) -> None:
    report = run_node("apollo.mjs", f"{server}/graphql")
    first, second = report["pages"]
    # Cursor pagination: the second page starts after the first one's end cursor.
    assert first["totalCount"] == second["totalCount"] > 6
    assert first["hasNextPage"]
    assert first["endCursor"] == first["cursors"][-1]
    assert second["endCursor"] == second["cursors"][-1] != first["endCursor"]
    assert not set(first["ids"]) & set(second["ids"])
    assert first["years"] + second["years"] == sorted(first["years"] + second["years"])
    # Normalised by __typename and id: the vehicle query is answered from the cache, no request.
    assert report["cacheKey"] == f"Vehicle:{report['firstVehicle']['id']}"
    assert report["requestsForCachedRead"] == 0
    assert report["cachedVehicle"] == report["firstVehicle"]
    # errorPolicy 'all': the fields that worked, and the coded error of the one that did not.
    partial = report["partial"]
    assert partial["data"]["vehicles"]["totalCount"] == 1000
    assert partial["data"]["manufacturer"]["manufacturer"] == "Ford"
    assert partial["data"]["broken"] is None
    assert [(e["code"], e["path"]) for e in partial["errors"]] == [("BAD_USER_INPUT", ["broken"])]
    assert report["requests"] == ["VehiclePage", "VehiclePage", "PartlyBad"]


def test_urql_queries_with_get(server: str) -> None:
    report = run_node("urql.mjs", f"{server}/graphql")
    assert [r["method"] for r in report["requests"]] == ["GET", "GET"]
    assert not any(r["hasBody"] for r in report["requests"])
    assert all("?query=" in r["url"] and "operationName=" in r["url"] for r in report["requests"])
    groups = report["groups"]
    assert groups["error"] is None
    nodes = groups["data"]["manufacturerModelCombinations"]["nodes"]
    assert [n["manufacturer"] for n in nodes] == ["Chevrolet"]
    assert nodes[0]["models"]
    assert report["bad"] == {"data": None, "codes": ["BAD_USER_INPUT"]}


def _operation_text(artifact: Path) -> str:
    found = re.search(r'"text": ("(?:[^"\\]|\\.)*")', artifact.read_text())
    assert found, f"no operation text in {artifact.name}"
    text: str = json.loads(found.group(1))
    return text


def _post(server: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(f"{server}/graphql", json={"query": query, "variables": variables}, timeout=30)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


def test_relay_compiler_compiles_a_refetchable_fragment_and_a_connection(server: str) -> None:
    artifacts = CLIENTS / "generated" / "relay"
    shutil.rmtree(artifacts, ignore_errors=True)
    artifacts.mkdir(parents=True)
    run(str(CLIENTS / "node_modules" / ".bin" / "relay-compiler"))
    assert {p.name for p in artifacts.iterdir()} == {
        "VehicleListPaginationQuery.graphql.ts",
        "VehicleListQuery.graphql.ts",
        "VehicleListRefetchQuery.graphql.ts",
        "VehicleList_query.graphql.ts",
        "VehicleList_vehicle.graphql.ts",
    }
    # The operations Relay would send run here: the connection pages forward, the fragment refetches.
    pagination = _operation_text(artifacts / "VehicleListPaginationQuery.graphql.ts")
    first = _post(server, pagination, {"first": 3})["vehicles"]
    assert first["pageInfo"]["hasNextPage"]
    second = _post(server, pagination, {"first": 3, "after": first["pageInfo"]["endCursor"]})["vehicles"]
    first_ids = [e["node"]["id"] for e in first["edges"]]
    second_ids = [e["node"]["id"] for e in second["edges"]]
    assert len(second_ids) == 3
    assert not set(first_ids) & set(second_ids)
    refetch = _operation_text(artifacts / "VehicleListRefetchQuery.graphql.ts")
    node = _post(server, refetch, {"id": first_ids[0]})["node"]
    assert node["__typename"] == "Vehicle"
    assert node["id"] == first_ids[0]
    assert base64.b64decode(node["id"]).startswith(b"Vehicle:")


def _without_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.strip().startswith(("/**", "*", "//")))


def test_codegen_types_from_introspection_and_from_the_sdl_agree_and_compile(server: str) -> None:
    generated = CLIENTS / "generated" / "codegen"
    shutil.rmtree(generated, ignore_errors=True)
    run(
        str(CLIENTS / "node_modules" / ".bin" / "graphql-codegen"),
        "--config",
        "codegen.cjs",
        env={"GRAPHQL_URL": f"{server}/graphql"},
    )
    for kind in ("schema", "operations"):
        from_server = (generated / f"from-server.{kind}.ts").read_text()
        from_sdl = (generated / f"from-sdl.{kind}.ts").read_text()
        assert "export type" in from_server
        # Only comments may differ: codegen prints the Date scalar's description from the SDL alone.
        assert _without_comments(from_server) == _without_comments(from_sdl), kind
    operations = (generated / "from-server.operations.ts").read_text()
    assert "export type NodeByIdQuery" in operations
    assert "__typename: 'Vehicle'" in operations
    assert "export type Vehicle = Node & {" in (generated / "from-server.schema.ts").read_text()
    # codegen-usage.ts uses the types as an application would and asserts they are the same types.
    run(str(CLIENTS / "node_modules" / ".bin" / "tsc"), "-p", "tsconfig.json")
