"""graph/gql/incremental.py: who gets parts, and the multipart body as Apollo Client and urql read it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from graphql import ExperimentalIncrementalExecutionResults, experimental_execute_incrementally, parse
from graphql import build_schema as build_from_sdl

from graph.gql.incremental import accepts_parts, asks_for_parts, content_type, encoded_parts
from resolvers.errors import NotFound

SDL = """
directive @defer(if: Boolean! = true, label: String) on FRAGMENT_SPREAD | INLINE_FRAGMENT
directive @stream(if: Boolean! = true, label: String, initialCount: Int = 0) on FIELD
type Query { a: String b: String missing: String items: [Int] }
"""


def _missing(*_args: Any) -> str:
    raise NotFound("no such thing")


ROOT = {"a": "first", "b": "later", "missing": _missing, "items": [1, 2, 3]}


@pytest.mark.parametrize(
    ("accept", "parts"),
    [
        ("multipart/mixed;incrementalSpec=v0.2,application/json", True),  # Apollo Client 4's handler
        ("multipart/mixed;deferSpec=20220824,application/json", True),  # Apollo Client 3
        (
            "application/graphql-response+json, application/graphql+json, application/json, "
            "text/event-stream, multipart/mixed",
            True,
        ),  # urql
        ("application/json, multipart/mixed", True),  # GraphiQL
        ("application/json", False),
        ("application/graphql-response+json", False),
        ("*/*", False),
        ("multipart/mixed;q=0, application/json", False),
        ("", False),
    ],
)
def test_parts_go_to_clients_that_accept_multipart_mixed(accept: str, parts: bool) -> None:
    assert accepts_parts(accept) is parts


def test_the_media_type_names_the_specification_asked_for() -> None:
    assert content_type("multipart/mixed;incrementalSpec=v0.2,application/json") == (
        b'multipart/mixed; boundary="-"; incrementalSpec=v0.2'
    )
    assert content_type("application/json, multipart/mixed") == (
        b'multipart/mixed; boundary="-"; deferSpec=20220824'
    )


@pytest.mark.parametrize(
    ("document", "asks"),
    [
        ("{ a ... @defer { b } }", True),
        ("{ items @stream(initialCount: 1) }", True),
        ("{ ...F @defer } fragment F on Query { b }", True),
        ("{ ...F } fragment F on Query { ... @defer { b } }", True),
        ("{ a ... @include(if: true) { b } }", False),
        ("{ a items }", False),
    ],
)
def test_a_document_asks_for_parts_with_defer_or_stream_anywhere(document: str, asks: bool) -> None:
    assert asks_for_parts(parse(document)) is asks


async def _body(document: str, *, stale: tuple[str, ...] = ()) -> tuple[list[bytes], list[dict[str, Any]]]:
    results = experimental_execute_incrementally(build_from_sdl(SDL), parse(document), root_value=ROOT)
    assert isinstance(results, ExperimentalIncrementalExecutionResults)
    chunks = [c async for c in encoded_parts(results, expose_internals=False, stale=lambda: stale)]
    body = b"".join(chunks).decode()
    # Read as Apollo Client does: split on the delimiter, each part's JSON after its headers.
    assert body.startswith("\r\n---\r\n")
    assert body.endswith("\r\n-----\r\n")
    parts = []
    for part in body[len("\r\n---") : -len("\r\n-----\r\n")].split("\r\n---"):
        headers, _, payload = part.partition("\r\n\r\n")
        assert headers == "\r\nContent-Type: application/json; charset=utf-8"
        parts.append(json.loads(payload))
    return chunks, parts


async def test_each_payload_is_a_part_and_each_chunk_ends_at_a_delimiter() -> None:
    chunks, parts = await _body('{ a ... @defer(label: "later") { b } }')
    # One chunk per payload, each closed by the next delimiter: a reader needs nothing more to parse it.
    assert len(chunks) == 2
    assert chunks[0].endswith(b"\r\n---")
    assert chunks[1].endswith(b"\r\n-----\r\n")
    assert parts == [
        {"data": {"a": "first"}, "pending": [{"id": "0", "path": [], "label": "later"}], "hasNext": True},
        {"hasNext": False, "incremental": [{"data": {"b": "later"}, "id": "0"}], "completed": [{"id": "0"}]},
    ]


async def test_a_streamed_list_sends_its_first_items_then_the_rest() -> None:
    _, parts = await _body("{ items @stream(initialCount: 1) }")
    assert parts[0]["data"] == {"items": [1]}
    items = [i for part in parts[1:] for each in part.get("incremental", ()) for i in each["items"]]
    assert items == [2, 3]
    assert parts[-1]["hasNext"] is False


async def test_errors_in_a_deferred_part_are_coded_and_the_last_part_names_stale_fields() -> None:
    _, parts = await _body("{ a ... @defer { missing } }", stale=("facets",))
    deferred = parts[1]["incremental"][0]
    assert deferred["data"] == {"missing": None}
    assert deferred["errors"] == [
        {
            "message": "no such thing",
            "locations": [{"line": 1, "column": 18}],
            "path": ["missing"],
            "extensions": {"code": "NOT_FOUND"},
        }
    ]
    assert parts[-1]["extensions"] == {"stale": True, "staleFields": ["facets"]}
    assert "extensions" not in parts[0]
