"""Property-based fuzzing of every v1 endpoint from its own OpenAPI document (schemathesis).

The server is the real console script on a free loopback port, against the
sample index, as operators run it. Each generated request, valid or
deliberately invalid, must get no 5xx and an answer the document describes
(status, media type, headers, body). The default run is bounded by a fixed
number of examples per operation; `-m slow` runs a larger one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from graph.rest.openapi import document_bytes
from tests.support.server import served

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
QUICK_EXAMPLES = 250
THOROUGH_EXAMPLES = 1000


@pytest.fixture(scope="module")
def rest_server(sample_index: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served(index=sample_index, log_path=tmp_path_factory.mktemp("rest-fuzz") / "server.log") as base:
        yield base


# Loaded from the builder at collection time (schemathesis' lazy fixture loader
# does not run under this pytest); test_the_served_document_is_the_one_fuzzed
# ties it to what the server serves.
schema = schemathesis.openapi.from_dict(
    orjson.loads(document_bytes()),
    # Valid and invalid inputs alike; a fixed seed so a failure reproduces.
    config=schemathesis.Config.from_dict({"generation": {"mode": "all", "deterministic": True}}),
)


def test_the_served_document_is_the_one_fuzzed(rest_server: str) -> None:
    assert httpx.get(f"{rest_server}/api/v1/openapi.json").content == document_bytes()


@schema.parametrize()
@settings(max_examples=QUICK_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_answer_is_documented_and_none_is_a_server_error(
    case: schemathesis.Case[Any], rest_server: str
) -> None:
    case.call_and_validate(base_url=rest_server, checks=CHECKS)


@pytest.fixture(scope="module")
def known_vehicle_id(rest_server: str) -> str:
    body = httpx.get(f"{rest_server}/api/v1/vehicles/details", params={"size": 1}).json()
    vehicle_id: str = body["results"][0]["vehicle_id"]
    return vehicle_id


# Generated ids almost never exist, so the test above sees 404s there; this one
# fuzzes the query of a vehicle that does.
@schema.include(path_regex="/instances$").parametrize()
@settings(max_examples=QUICK_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_instances_of_a_known_vehicle(
    case: schemathesis.Case[Any], rest_server: str, known_vehicle_id: str
) -> None:
    case.path_parameters = {"vehicleId": known_vehicle_id}
    case.call_and_validate(base_url=rest_server, checks=CHECKS)


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=THOROUGH_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_thorough_fuzzing(case: schemathesis.Case[Any], rest_server: str) -> None:
    case.call_and_validate(base_url=rest_server, checks=CHECKS)
