"""The answer cache never changes an answer: Hypothesis draws request shapes and compares.

For each drawn shape (method, Content-Type, Accept, operationName absent, empty, wrong or
right, variables and extensions of every JSON type, persisted-query hashes right and wrong,
malformed bodies), the answer of a replica with the answer cache on must equal that of one
with it off: status, media type, body, and every header but the request id (and the
seconds a kept answer has left). It must stay equal when the shape is sent again (a hit),
and when it is sent together with concurrent twins of other shapes (a shared flight).
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import make_settings
from tests.support.asgi import client_of, running_app

GR = "application/graphql-response+json"
ABSENT: Any = object()

DOCUMENTS = [
    "query Count($n: Int = 1) { vehicles(first: $n) { totalCount nodes { manufacturer } } }",
    "query A { vehicles(first: 1) { totalCount } } query B { facets { bodyClasses { value count } } }",
    '{ manufacturer(name: "Ford") { manufacturer count } }',
    "{ vehicles(first: 1) { nope } }",
    "{ vehicles(first: ",
    "mutation M { x }",
]
JSON_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from(["", "x", "{}", "[]"]),
    st.just([]),
    st.just({}),
    st.just({"n": 2}),
    st.just({"n": "x"}),
    st.just({"unused": [1, {"a": None}]}),
)


@dataclass(frozen=True)
class Shape:
    method: str
    content_type: str | None
    accept: str | None
    payload: dict[str, Any] | bytes

    def request(self) -> dict[str, Any]:
        headers = {}
        if self.accept is not None:
            headers["accept"] = self.accept
        if self.method == "GET":
            assert isinstance(self.payload, dict)
            params = {
                key: value if isinstance(value, str) else orjson.dumps(value).decode()
                for key, value in self.payload.items()
            }
            return {"method": "GET", "url": "/graphql", "params": params, "headers": headers}
        if self.content_type is not None:
            headers["content-type"] = self.content_type
        content = self.payload if isinstance(self.payload, bytes) else orjson.dumps(self.payload)
        return {"method": "POST", "url": "/graphql", "content": content, "headers": headers}


def apq(query: str, *, right: bool) -> dict[str, Any]:
    digest = hashlib.sha256(query.encode()).hexdigest() if right else "0" * 64
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


@st.composite
def shapes(draw: st.DrawFn) -> Shape:
    method = draw(st.sampled_from(["GET", "POST"]))
    query = draw(st.one_of(st.sampled_from(DOCUMENTS), st.none(), st.integers(0, 1)))
    payload: dict[str, Any] = {}
    if query is not None or draw(st.booleans()):
        payload["query"] = query
    name = draw(st.sampled_from([ABSENT, None, "", "A", "B", "Count", "Wrong", 0]))
    if name is not ABSENT:
        payload["operationName"] = name
    for field in ("variables", "extensions"):
        value = draw(st.one_of(st.just(ABSENT), JSON_VALUES))
        if value is not ABSENT:
            payload[field] = value
    if isinstance(query, str) and draw(st.booleans()):
        payload["extensions"] = apq(query, right=draw(st.booleans()))
    accept = draw(
        st.sampled_from([None, "application/json", GR, f"{GR}, application/json", "text/html", "*/*"])
    )
    content_type = draw(
        st.sampled_from(
            [
                "application/json",
                "application/json; charset=utf-8",
                "APPLICATION/JSON",
                "text/plain",
                "text/plain; application/json",
                "application/json; charset=latin-1",
                None,
            ]
        )
    )
    body: dict[str, Any] | bytes = payload
    if method == "POST" and draw(st.integers(0, 9)) == 0:
        body = draw(st.sampled_from([b"{bad", b"[]", b'"x"', b"null", b'{"query": "\xff"}', b""]))
    return Shape(method=method, content_type=content_type, accept=accept, payload=body)


_MAX_AGE = re.compile(r"max-age=\d+")


def seen(response: httpx.Response) -> tuple[int, tuple[tuple[str, str], ...], bytes]:
    headers = tuple(
        sorted(
            (name, _MAX_AGE.sub("max-age=N", value))
            for name, value in response.headers.items()
            if name not in ("x-request-id", "date", "content-length")
        )
    )
    return response.status_code, headers, response.content


@dataclass
class Replicas:
    on: httpx.AsyncClient
    off: httpx.AsyncClient


@pytest.fixture(scope="module")
async def replicas(sample_index: str) -> AsyncIterator[Replicas]:
    base = {"es_index": sample_index, "environment": "production"}
    async with (
        running_app(make_settings(answer_cache=True, **base)) as on_app,
        running_app(make_settings(answer_cache=False, **base)) as off_app,
        client_of(on_app) as on,
        client_of(off_app) as off,
    ):
        yield Replicas(on=on, off=off)


async def answer(client: httpx.AsyncClient, shape: Shape) -> tuple[int, tuple[tuple[str, str], ...], bytes]:
    return seen(await client.request(**shape.request()))


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(shape=shapes(), twins=st.lists(shapes(), min_size=1, max_size=3))
async def test_the_answer_cache_never_changes_an_answer(
    replicas: Replicas, shape: Shape, twins: list[Shape]
) -> None:
    expected = await answer(replicas.off, shape)
    assert expected[0] < 500, expected
    assert await answer(replicas.on, shape) == expected
    assert await answer(replicas.on, shape) == expected  # again: from the cache if it was kept
    together = await asyncio.gather(
        answer(replicas.on, shape), *(answer(replicas.on, twin) for twin in twins), answer(replicas.on, shape)
    )
    assert together[0] == expected
    assert together[-1] == expected
    for twin, got in zip(twins, together[1:-1], strict=True):
        assert got == await answer(replicas.off, twin)
