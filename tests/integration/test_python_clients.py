"""Python clients as their users run them, against a served process on the sample index.

- gql: the schema is fetched from the server by introspection, documents run with
  variables, and a bad document is refused by client-side validation without a request.
- An OpenAPI client generated at test time by openapi-python-client from the served
  `/api/v1/openapi.json` calls the three v1 endpoints, including a 404 and a 400.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from gql import Client, GraphQLRequest, gql
from gql.transport.httpx import HTTPXTransport
from graphql import GraphQLError

from tests.support.server import served

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def server(sample_index: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("python-clients") / "serve.log"
    with served(index=sample_index, log_path=log, ENVIRONMENT="development") as url:
        yield url


def test_gql_fetches_the_schema_and_validates_documents_before_sending(server: str) -> None:
    sent: list[httpx.Request] = []
    transport = HTTPXTransport(url=f"{server}/graphql", event_hooks={"request": [sent.append]})
    client = Client(transport=transport, fetch_schema_from_transport=True)
    with client as session:
        page = session.execute(
            GraphQLRequest(
                """query Page($first: Int!) {
                  vehicles(first: $first) { totalCount nodes { id vehicleId ...Names } }
                }
                fragment Names on Vehicle { manufacturer model }""",
                variable_values={"first": 2},
            )
        )
        assert client.schema is not None
        assert {"Vehicle", "ManufacturerModelGroup", "Node"} <= set(client.schema.type_map)
        assert page["vehicles"]["totalCount"] == 1000
        assert len(page["vehicles"]["nodes"]) == 2
        node_id = page["vehicles"]["nodes"][0]["id"]
        found = session.execute(
            GraphQLRequest(
                "query($id: ID!) { node(id: $id) { id ... on Vehicle { vehicleId } } }",
                variable_values={"id": node_id},
            )
        )
        assert found["node"]["vehicleId"] == page["vehicles"]["nodes"][0]["vehicleId"]

        requests_before = len(sent)
        with pytest.raises(GraphQLError, match="Cannot query field 'noSuchField' on type 'Vehicle'"):
            session.execute(gql("{ vehicles { nodes { noSuchField } } }"))
        assert len(sent) == requests_before  # refused by the client, never sent
    # Introspection, then the two documents.
    assert len(sent) == 3


def _generate_rest_client(server: str, into: Path) -> Any:
    environment = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    generated = subprocess.run(
        [
            str(BIN / "openapi-python-client"),
            "generate",
            "--url",
            f"{server}/api/v1/openapi.json",
            "--meta",
            "none",
            "--output-path",
            str(into / "autos_v1_client"),
        ],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert "Warning" not in generated.stdout + generated.stderr, generated.stdout + generated.stderr
    sys.path.insert(0, str(into))
    try:
        return importlib.import_module("autos_v1_client")
    finally:
        sys.path.remove(str(into))


def test_an_openapi_generated_client_calls_every_v1_endpoint(server: str, tmp_path: Path) -> None:
    package = _generate_rest_client(server, tmp_path)
    default = importlib.import_module("autos_v1_client.api.default")
    combinations = importlib.import_module(f"{default.__name__}.list_manufacturer_model_combinations")
    details = importlib.import_module(f"{default.__name__}.list_vehicle_details")
    instances = importlib.import_module(f"{default.__name__}.list_vehicle_instances")
    models = importlib.import_module("autos_v1_client.models")

    with package.Client(base_url=server, raise_on_unexpected_status=True) as client:
        picker = combinations.sync_detailed(client=client, search="ford", page=1, size=5)
        assert picker.status_code == 200
        assert isinstance(picker.parsed, models.CombinationsPage)
        assert picker.parsed.total >= 1
        assert picker.parsed.data[0].manufacturer == "Ford"
        assert picker.headers["x-api-version"] == "v1"

        page = details.sync_detailed(client=client, manufacturer="ford", size=3)
        assert page.status_code == 200
        assert isinstance(page.parsed, models.VehicleDetailsPage)
        assert len(page.parsed.results) == 3
        vehicle_id = page.parsed.results[0].vehicle_id

        found = instances.sync_detailed(vehicle_id, client=client, count=3)
        assert found.status_code == 200
        assert isinstance(found.parsed, models.VehicleInstances)
        assert found.parsed.vehicle_id == vehicle_id
        assert len(found.parsed.instances) == 3

        missing = instances.sync_detailed("no-such-vehicle", client=client)
        assert missing.status_code == 404
        assert isinstance(missing.parsed, models.Error)
        assert missing.parsed.code == models.ErrorCode.NOT_FOUND

        bad = instances.sync_detailed(vehicle_id, client=client, count=21)
        assert bad.status_code == 400
        assert isinstance(bad.parsed, models.Error)
        assert bad.parsed.code == models.ErrorCode.BAD_USER_INPUT
        assert bad.parsed.parameter == "count"
