"""Every kind of answer the shim gives, success and error, validated against its OpenAPI document.

Each 400 row is also one validation rule: the status, the `code` and the
parameter the answer names are asserted, not only the shape.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.conftest import app_client, make_settings
from tests.support.rest_contract import assert_conforms, assert_documented_error

COMBINATIONS = "/api/v1/manufacturer-model-combinations"
DETAILS = "/api/v1/vehicles/details"


@pytest.fixture(scope="module")
async def rest(sample_index: str) -> AsyncIterator[httpx.AsyncClient]:
    async for client in app_client(make_settings(es_index=sample_index, rate_limit_per_minute=0)):
        yield client


SUCCESSES = [
    COMBINATIONS,
    f"{COMBINATIONS}?search=ford&page=1&size=5",
    f"{COMBINATIONS}?search=&page=&size=",
    f"{COMBINATIONS}?search=qqqqzzzzqqqq",
    f"{COMBINATIONS}?page=2",
    f"{COMBINATIONS}?size=3",
    f"{COMBINATIONS}?page=999&size=100",
    DETAILS,
    f"{DETAILS}?models=Ford:Mustang,Chevrolet:Camaro&sortBy=year&sortOrder=desc",
    f"{DETAILS}?manufacturer=merc&yearMin=1950&yearMax=1999&bodyClass=Coupe&page=2&size=5",
    f"{DETAILS}?dataSource=nhtsa_vpic&sortBy=instance_count",
    f"{DETAILS}?models=Nobody:Nothing",
    f"{DETAILS}?page=100&size=100",
    f"{DETAILS}?yearMin=&yearMax=&sortBy=&unknownParameter=ignored",
    "/api/v1/openapi.json",
    "/api/v1/docs",
    "/api/v1/vehicles/{known}/instances",
    "/api/v1/vehicles/{known}/instances?count=20",
]


@pytest.mark.parametrize("url", SUCCESSES)
async def test_successes_match_the_document(rest: httpx.AsyncClient, url: str) -> None:
    if "{known}" in url:
        first = (await rest.get(DETAILS, params={"size": 1})).json()["results"][0]
        url = url.format(known=first["vehicle_id"])
    response = await rest.get(url)
    assert response.status_code == 200, response.text
    assert_conforms(response)


BAD_REQUESTS = [
    ("/api/v1/vehicles/any/instances?count=0", "count"),
    ("/api/v1/vehicles/any/instances?count=21", "count"),
    ("/api/v1/vehicles/any/instances?count=many", "count"),
    (f"{COMBINATIONS}?page=0", "page"),
    (f"{COMBINATIONS}?page=-3", "page"),
    (f"{COMBINATIONS}?page=two", "page"),
    (f"{COMBINATIONS}?size=101", "size"),
    (f"{COMBINATIONS}?size=-1", "size"),
    (f"{COMBINATIONS}?size=2.5", "size"),
    (f"{COMBINATIONS}?search=a%00b", "search"),
    (f"{DETAILS}?page=0", "page"),
    (f"{DETAILS}?page=-1", "page"),
    (f"{DETAILS}?page=1x", "page"),
    (f"{DETAILS}?size=0", "size"),
    (f"{DETAILS}?size=1000", "size"),
    (f"{DETAILS}?size=-20", "size"),
    (f"{DETAILS}?page=101&size=100", "page"),  # past the 10,000-result window
    (f"{DETAILS}?page=1&page=2", "page"),
    (f"{DETAILS}?yearMin=2000&yearMax=1990", "yearMin"),
    (f"{DETAILS}?yearMin=old", "yearMin"),
    (f"{DETAILS}?yearMax=-5", "yearMax"),
    (f"{DETAILS}?models=Ford", "models"),
    (f"{DETAILS}?models=Ford:Mustang,", "models"),
    (f"{DETAILS}?models=:Mustang", "models"),
    (f"{DETAILS}?models=Ford:Mustang:GT", "models"),
    (f"{DETAILS}?sortBy=price", "sortBy"),
    (f"{DETAILS}?sortBy=Year", "sortBy"),
    (f"{DETAILS}?sortBy=year&sortOrder=descending", "sortOrder"),
    (f"{DETAILS}?manufacturer={'x' * 101}", "manufacturer"),
    (f"{DETAILS}?bodyClass=Cou%0Ape", "bodyClass"),
]


@pytest.mark.parametrize(("url", "parameter"), BAD_REQUESTS)
async def test_each_rule_answers_400_naming_the_parameter(
    rest: httpx.AsyncClient, url: str, parameter: str
) -> None:
    response = await rest.get(url)
    assert response.status_code == 400, response.text
    assert response.headers["x-api-version"] == "v1"
    body = response.json()
    assert body["code"] == "BAD_USER_INPUT"
    assert body["parameter"] == parameter
    assert parameter in body["details"]
    assert_conforms(response)


async def test_an_unknown_vehicle_matches_the_document(rest: httpx.AsyncClient) -> None:
    for vehicle_id in ("no-such-vehicle", "new%0Aline"):
        response = await rest.get(f"/api/v1/vehicles/{vehicle_id}/instances")
        assert response.status_code == 404
        assert response.json()["code"] == "NOT_FOUND"
        assert_conforms(response)


@pytest.mark.parametrize(
    "path",
    # %0A: Starlette's path patterns stop at a newline; the fuzzer found this one.
    ["/api/v1/no-such-endpoint", "/api/v1/vehicles", "/api/v1", "/api/v1/", "/api/v1/x%0Ay"],
)
async def test_unknown_v1_paths_answer_a_versioned_json_404(rest: httpx.AsyncClient, path: str) -> None:
    response = await rest.get(path)
    assert_documented_error(response, 404)
    assert response.json()["code"] == "NOT_FOUND"


async def test_other_methods_answer_a_versioned_json_405(rest: httpx.AsyncClient) -> None:
    response = await rest.post(DETAILS, json={})
    assert_documented_error(response, 405)
    assert set(response.headers["allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}


@pytest.mark.parametrize(
    "path", ["/api/v2", "/api/v2/vehicles/details", "/api/v2/openapi.json", "/api/v2/%0A"]
)
async def test_v2_is_reserved(rest: httpx.AsyncClient, path: str) -> None:
    response = await rest.get(path)
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"
    assert "x-api-version" not in response.headers  # it is not v1 answering


async def test_a_rate_limited_answer_matches_the_document(sample_index: str) -> None:
    settings = make_settings(es_index=sample_index, rate_limit_per_minute=2, redis_url=None)
    async for client in app_client(settings):
        statuses = [(await client.get(COMBINATIONS)).status_code for _ in range(2)]
        limited = await client.get(COMBINATIONS)
        assert statuses == [200, 200]
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) >= 1
        assert_conforms(limited)
