"""Hostile input in every text argument, and numbers at and past every edge.

GraphQL: each text argument of the schema (search, manufacturer, model,
bodyClasses, dataSources, models, name, vin, ids, id, after; top level and
nested) gets Lucene and regex metacharacters, injection strings, control
characters, lone surrogates (sent as JSON escapes, which is the only way they
travel), odd unicode and over-long text. Numbers get zero, negatives, the Int
bounds and past them. REST gets the same strings in its text parameters,
plus invalid UTF-8 in the raw query string; its generated fuzzing lives in
test_rest_fuzz.py.

Every answer: no 5xx, no stack trace, no Elasticsearch error text, and on
GraphQL only codes a client can act on (never INTERNAL_SERVER_ERROR).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.server import leaks, served

LUCENE = [
    "+",
    "-",
    "&&",
    "||",
    "!",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    "^",
    '"',
    "~",
    "*",
    "?",
    ":",
    "\\",
    "/",
    "*:*",
    "_all",
    "ford~2",
    "ford^10",
    "manufacturer:ford",
    "mus*ng",
    "?ord",
    "ford AND NOT chevrolet",
    "(ford OR",
    '"unclosed',
    "/[a-z]+/",
    "/.*/",
    "[a TO z]",
    "{a TO z}",
    "\\\\",
    "\\u0000",
]
REGEX = [
    ".*",
    "(a|b)+",
    "a{1000000}",
    "((((((((((a))))))))))",
    "[^",
    "(?i)ford",
    "^$",
    "\\d+",
    "a**",
    "(?=x)",
]
INJECTION = [
    '"; DROP TABLE vehicles; --',
    "' OR '1'='1",
    '{"$ne": 1}',
    '{"$gt": ""}',
    '{"match_all": {}}',
    '"}},"query":{"match_all":{}}',
    "<script>alert(1)</script>",
    "${jndi:ldap://127.0.0.1/x}",
    "{{7*7}}",
    "%s%s%s%n",
    "../../../etc/passwd",
    "%00",
    "null",
    "undefined",
    "NaN",
    "-1",
    "1e309",
]
UNICODE = [
    "\u0000",
    "a\u0000b",
    "\x01\x1f",
    "\x7f",
    "\t\n\r",
    "\u2028\u2029",
    "\u202e\u202d",
    "\ufeff",
    "\ufffd",
    "\ud800",
    "a\udfffb",
    "\udbff\udfff",
    "\U0001f697",
    "é" * 5,
    "ｆｏｒｄ",
    "ß",
    "İ",
    "ﬀ",
    "\u0301" * 50,
    "   ",
    "",
    "a" * 100,
    "a" * 101,
    "ford " * 500,
    "x" * 70_000,
]
HOSTILE = LUCENE + REGEX + INJECTION + UNICODE
# (operation, variables builder): every text argument site of the schema, through variables.
TEXT_SITES: dict[str, tuple[str, str]] = {
    "vehicles.filter.search": ("String", "vehicles(first: 2, filter: {search: $v}) { totalCount }"),
    "vehicles.filter.manufacturer": (
        "String",
        "vehicles(first: 2, filter: {manufacturer: $v}) { totalCount }",
    ),
    "vehicles.filter.model": ("String", "vehicles(first: 2, filter: {model: $v}) { totalCount }"),
    "vehicles.filter.bodyClasses": (
        "String!",
        "vehicles(first: 2, filter: {bodyClasses: [$v]}) { totalCount }",
    ),
    "vehicles.filter.dataSources": (
        "String!",
        "vehicles(first: 2, filter: {dataSources: [$v]}) { totalCount }",
    ),
    "vehicles.filter.models": (
        "String!",
        "vehicles(first: 2, filter: {models: [{manufacturer: $v, model: $v},"
        ' {manufacturer: "Ford", model: $v}]}) { totalCount }',
    ),
    "vehicles.after": ("String", "vehicles(first: 2, after: $v) { totalCount }"),
    "vehicles.sorted.after": (
        "String",
        "vehicles(first: 2, sort: [{field: YEAR}], after: $v) { totalCount }",
    ),
    "combinations.search": ("String", "manufacturerModelCombinations(search: $v, first: 2) { totalCount }"),
    "combinations.after": ("String", "manufacturerModelCombinations(after: $v, first: 2) { totalCount }"),
    "combinations.vehicles.filter": (
        "String",
        "manufacturerModelCombinations(first: 2) { nodes {"
        " vehicles(first: 1, filter: {search: $v, model: $v}) { totalCount } } }",
    ),
    "manufacturer.name": ("String!", "manufacturer(name: $v) { manufacturer count }"),
    "facets.filter": (
        "String!",
        "facets(filter: {search: $v, manufacturer: $v, model: $v, bodyClasses: [$v], dataSources: [$v]})"
        " { totalCount }",
    ),
    "decodeVin.vin": ("String!", "decodeVin(vin: $v) { input vin valid errors wmi modelYear }"),
    "vehiclesByIds.ids": ("ID!", "vehiclesByIds(ids: [$v, $v]) { vehicleId }"),
    "vehicle.id": ("ID!", "vehicle(id: $v) { vehicleId group { manufacturer } }"),
}
NUMBERS = [0, -1, 1, 20, 21, 100, 101, 500, 501, 10_000, 2_147_483_647, -2_147_483_648]
NUMBER_SITES = {
    "vehicles.first": "vehicles(first: $n) { totalCount }",
    "vehicles.yearMin": "vehicles(first: 1, filter: {yearMin: $n}) { totalCount }",
    "vehicles.yearMax": "vehicles(first: 1, filter: {yearMax: $n, yearMin: 1900}) { totalCount }",
    "combinations.first": "manufacturerModelCombinations(first: $n) { totalCount }",
    "group.vehicles.first": (
        "manufacturerModelCombinations(first: 1) { nodes { vehicles(first: $n) { totalCount } } }"
    ),
    "instances.count": "vehicles(first: 1) { nodes { instances(count: $n) { vin } } }",
    "otherYears.first": "vehicles(first: 1) { nodes { otherYears(first: $n) { year } } }",
    "facets.years": "facets(filter: {yearMin: $n, yearMax: $n}) { totalCount }",
}
# Beyond GraphQL's Int, or not an Int at all: variable coercion must refuse them cleanly.
NOT_INTS: list[Any] = [2_147_483_648, -2_147_483_649, 10**30, 1.5, 1e309, "12", True, None, [], {}]
ALLOWED_GRAPHQL_CODES = {
    "BAD_REQUEST",  # a body the HTTP layer refuses (for one, JSON escapes of lone surrogates)
    "BAD_USER_INPUT",
    "NOT_FOUND",
    "QUERY_TOO_COMPLEX",
    "GRAPHQL_VALIDATION_FAILED",
    "GRAPHQL_PARSE_FAILED",
}


@pytest.fixture(scope="module")
def server(sample_index: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    log_path = tmp_path_factory.mktemp("bad-input") / "server.log"
    with (
        served(index=sample_index, log_path=log_path, ENVIRONMENT="production") as base,
        httpx.Client(base_url=base, timeout=30) as client,
    ):
        yield client


def post_json(client: httpx.Client, payload: dict[str, Any]) -> httpx.Response:
    # ensure_ascii escapes lone surrogates as \\ud800, as a JavaScript client would send them;
    # they cannot be encoded as UTF-8 at all.
    body = json.dumps(payload, ensure_ascii=True, allow_nan=True)
    return client.post("/graphql", content=body, headers={"content-type": "application/json"})


def assert_clean_graphql(response: httpx.Response, context: str) -> dict[str, Any]:
    context = f"{context}\nanswer {response.status_code}: {response.text[:1500]}"
    assert response.status_code < 500, context
    assert not leaks(response.text), context
    body: dict[str, Any] = response.json()
    codes = {error.get("extensions", {}).get("code") for error in body.get("errors", [])}
    assert codes <= ALLOWED_GRAPHQL_CODES, context
    return body


@pytest.mark.parametrize("site", sorted(TEXT_SITES))
def test_hostile_text_in_every_graphql_argument(server: httpx.Client, site: str) -> None:
    type_name, selection = TEXT_SITES[site]
    query = f"query Hostile($v: {type_name}) {{ {selection} }}"
    for value in HOSTILE:
        response = post_json(server, {"query": query, "variables": {"v": value}})
        assert_clean_graphql(response, f"{site} = {value[:80]!r}")


@pytest.mark.parametrize("site", sorted(NUMBER_SITES))
def test_numbers_at_and_past_every_edge(server: httpx.Client, site: str) -> None:
    query = f"query Numbers($n: Int) {{ {NUMBER_SITES[site]} }}"
    for value in [*NUMBERS, *NOT_INTS]:
        response = post_json(server, {"query": query, "variables": {"n": value}})
        assert_clean_graphql(response, f"{site} = {value!r}")
    # Inline literals too: past Int they fail validation, never execution.
    for literal in ("2147483648", "-2147483649", "99999999999999999999999", "1.0", "1e3", '"1"'):
        response = post_json(server, {"query": f"{{ {NUMBER_SITES[site].replace('$n', literal)} }}"})
        body = assert_clean_graphql(response, f"{site} = {literal}")
        assert body.get("errors"), f"{site} = {literal} was accepted"


def test_hostile_literals_inside_the_query_text(server: httpx.Client) -> None:
    """Strings in the document itself, with GraphQL escapes: parse errors at worst."""
    for literal in ('"\\ud800"', '"\\u0000"', '"\\uZZZZ"', '"\\"', '"""\\"""', '"*:*"', '"\\\\"'):
        for site in ("vehicles(filter: {search: %s}) { totalCount }", "decodeVin(vin: %s) { vin valid }"):
            response = post_json(server, {"query": "{ " + site % literal + " }"})
            assert_clean_graphql(response, f"{site} with {literal}")


def test_invalid_utf8_and_odd_bodies(server: httpx.Client) -> None:
    bodies = [
        b'{"query": "{ vehicles(filter: {search: \\"\xff\xfe\\"}) { totalCount } }"}',
        b'{"query": "{ decodeVin(vin: \\"\xc0\xaf\\") { vin } }"}',
        b'{"query": "{ __typename }", "variables": {"v": "\xed\xa0\x80"}}',
        b"\xef\xbb\xbf" + b'{"query": "{ __typename }"}',
        b'{"query": "{ vehicle(id: \\"\\u0000\\") { vehicleId } }"}',
        b'{"query": "query ($v: String) { vehicles(filter: {search: $v}) { totalCount } }", '
        b'"variables": {"v": "\\ud83d"}}',
    ]
    for body in bodies:
        response = server.post("/graphql", content=body, headers={"content-type": "application/json"})
        assert_clean_graphql(response, repr(body))


def test_metacharacters_are_plain_text(server: httpx.Client) -> None:
    """A wildcard or a query-syntax string matches nothing rather than everything."""
    query = "query ($f: VehicleFilter) { vehicles(first: 1, filter: $f) { totalCount } }"
    for vehicle_filter in (
        {"search": "*"},
        {"search": "*:*"},
        {"manufacturer": "*"},
        {"model": ".*"},
        {"manufacturer": "?"},
        {"search": "_all"},
        {"manufacturer": '{"$ne": 1}'},
    ):
        body = assert_clean_graphql(
            post_json(server, {"query": query, "variables": {"f": vehicle_filter}}), ""
        )
        assert body["data"]["vehicles"]["totalCount"] == 0, vehicle_filter


REST_TEXT = {
    "/api/v1/manufacturer-model-combinations": ["search"],
    "/api/v1/vehicles/details": [
        "models",
        "manufacturer",
        "model",
        "bodyClass",
        "dataSource",
        "sortBy",
        "sortOrder",
    ],
}
REST_NUMBERS = {
    "/api/v1/manufacturer-model-combinations": ["page", "size"],
    "/api/v1/vehicles/details": ["page", "size", "yearMin", "yearMax"],
}
REST_ODD_NUMBERS = [
    "0",
    "-1",
    "-0",
    "1e3",
    "0x10",
    "1_000",
    "+5",
    " 5",
    "٣",
    "99999999999999999999",
    "NaN",
    "5.0",
]


def assert_clean_rest(response: httpx.Response, context: str) -> None:
    context = f"{context}\nanswer {response.status_code}: {response.text[:1500]}"
    assert response.status_code in (200, 400, 404), context
    assert response.headers.get("x-api-version") == "v1", context
    assert not leaks(response.text), context
    body = response.json()
    if response.status_code >= 400:
        assert {"error", "details"} <= set(body), context


@pytest.mark.parametrize("path", sorted(REST_TEXT))
def test_hostile_text_in_every_rest_parameter(server: httpx.Client, path: str) -> None:
    rest_strings = [value for value in HOSTILE if not any(0xD800 <= ord(c) <= 0xDFFF for c in value)]
    for name in REST_TEXT[path]:
        for value in rest_strings:
            if len(value) > 8000:
                continue  # past any URL length a server takes; the body tests cover size
            assert_clean_rest(server.get(path, params={name: value}), f"{path}?{name}={value[:80]!r}")
        for value in REST_ODD_NUMBERS:
            assert_clean_rest(server.get(path, params={name: value}), f"{path}?{name}={value!r}")
    for name in REST_NUMBERS[path]:
        for value in REST_ODD_NUMBERS:
            assert_clean_rest(server.get(path, params={name: value}), f"{path}?{name}={value!r}")


@pytest.mark.parametrize(
    "raw",
    ["%ff%fe", "%c0%af", "%ed%a0%80", "%00", "%", "%zz", "%e2%80%ae", "a%2b%2b%2b", "%f4%90%80%80"],
)
def test_invalid_utf8_in_rest_query_strings(server: httpx.Client, raw: str) -> None:
    for path, names in REST_TEXT.items():
        for name in names:
            url = f"{path}?{name}={raw}"
            assert_clean_rest(server.get(url), url)


def test_hostile_vehicle_ids_in_the_instances_path(server: httpx.Client) -> None:
    for value in [
        "*",
        "..",
        "%2e%2e",
        "%00",
        "%ff",
        "a%2fb",
        "' OR 1=1 --",
        '{"$ne":1}',
        "x" * 500,
        "%ed%a0%80",
    ]:
        url = f"/api/v1/vehicles/{value}/instances"
        assert_clean_rest(server.get(url), url)
        assert_clean_rest(server.get(url, params={"count": "-1"}), url)
