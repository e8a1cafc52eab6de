from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from starlette.requests import Request

from graph.state import request_generation


def request(state: dict[str, Any]) -> Request:
    return Request({"type": "http", "method": "GET", "headers": [], "state": state})


def test_a_request_keeps_the_generation_it_first_read() -> None:
    version = SimpleNamespace(generation="autos-unified-v1")
    shared_state = {"services": SimpleNamespace(index_version=version)}  # as a lifespan may share it
    first = request(shared_state)
    assert request_generation(first) == "autos-unified-v1"
    version.generation = "autos-unified-v2"  # the process follows a swap mid-request
    assert request_generation(first) == "autos-unified-v1"
    copied = Request({**first.scope, "query_string": b"query=x"})
    assert request_generation(copied) == "autos-unified-v1", "a copy of the request reads the same"
    assert request_generation(request(shared_state)) == "autos-unified-v2", "the next request follows"
