"""Incremental delivery (`@defer`, `@stream`) over HTTP: who gets parts, and the parts as `multipart/mixed`.

A client that accepts `multipart/mixed` (Apollo Client's incremental handler,
urql, GraphiQL) and sends a document with `@defer` or `@stream` gets graphql-core's
incremental payloads, in the format of graphql-js 17 (`pending`, `incremental`
with `id`, `completed`, `hasNext`), each in its own part, written to the socket
as soon as it is ready. Any other client gets the whole answer as one JSON body
(graph/gql/execution/operation.py completes the directives in place).

The wire format is the one graphql-helix, Yoga and Apollo Router write and
Apollo Client, urql and meros read: the boundary `-`, each part opened by the
delimiter `\\r\\n---` and a `Content-Type: application/json; charset=utf-8`
header, each chunk ending with the next delimiter so a reader can hand the part
on without waiting for the one after it, and the close delimiter `\\r\\n-----`
after the part whose `hasNext` is false.

Errors are coded and masked as in a whole answer. An answer in parts is never
stored in the answer cache; a stored whole answer is sent to every client whole
(docs/caching.md says why).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Callable, Collection
from typing import Any, Final

import orjson
from graphql import (
    DocumentNode,
    ExperimentalIncrementalExecutionResults,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from starlette.types import Receive, Send

from graph.gql.document_cache import CachedDocument
from graph.gql.errors import coded

log = logging.getLogger("autos_graph.incremental")

MULTIPART_MIXED: Final = "multipart/mixed"
_DIRECTIVES: Final = frozenset({"defer", "stream"})
# Apollo Client's handler for the graphql-js 17 format names this specification; others get deferSpec.
_INCREMENTAL_SPEC: Final = "incrementalSpec=v0.2"
_INCREMENTAL_SPEC_ASKED: Final = _INCREMENTAL_SPEC.lower()  # parameters are compared lowercased
_DEFER_SPEC: Final = "deferSpec=20220824"
_HEAD: Final = b"\r\nContent-Type: application/json; charset=utf-8\r\n\r\n"
_DELIMITER: Final = b"\r\n---"
_CLOSE: Final = b"\r\n-----\r\n"


def accepts_parts(accept: str) -> bool:
    """Whether the Accept header names `multipart/mixed` (with a quality above zero)."""
    return any(media == MULTIPART_MIXED and quality for media, _, quality in _ranges(accept))


def content_type(accept: str) -> bytes:
    """The multipart media type, naming the incremental specification the client asked for."""
    ranges = _ranges(accept)
    asked = any(media == MULTIPART_MIXED and _INCREMENTAL_SPEC_ASKED in params for media, params, _ in ranges)
    spec = _INCREMENTAL_SPEC if asked else _DEFER_SPEC
    return f'{MULTIPART_MIXED}; boundary="-"; {spec}'.encode()


def _ranges(accept: str) -> list[tuple[str, str, bool]]:
    """(media type, its parameters without spaces, quality above zero) for each range."""
    ranges = []
    for media_range in accept.split(","):
        media, _, params = media_range.partition(";")
        params = params.replace(" ", "").lower()
        refused = any(p in ("q=0", "q=0.0", "q=0.00", "q=0.000") for p in params.split(";"))
        ranges.append((media.strip().lower(), params, not refused))
    return ranges


def asks_for_parts(document: DocumentNode) -> bool:
    """Whether any selection of the document carries `@defer` or `@stream`."""
    return any(
        _in_selections(definition.selection_set)
        for definition in document.definitions
        if isinstance(definition, (OperationDefinitionNode, FragmentDefinitionNode))
    )


def _in_selections(selection_set: SelectionSetNode | None) -> bool:
    if selection_set is None:
        return False
    for selection in selection_set.selections:
        if any(directive.name.value in _DIRECTIVES for directive in selection.directives or ()):
            return True
        if isinstance(selection, (FieldNode, InlineFragmentNode)) and _in_selections(selection.selection_set):
            return True
    return False


async def encoded_parts(
    results: ExperimentalIncrementalExecutionResults,
    *,
    expose_internals: bool,
    stale: Callable[[], Collection[str]],
    cost: dict[str, Any] | None = None,
) -> AsyncGenerator[bytes]:
    """The multipart body, one chunk per payload; `stale` names the fields answered from stale data.

    `cost` is the answer's `extensions.cost`, sent with the last part (the client's budget is
    filled in once the charge is settled, before the first part is sent)."""
    initial = results.initial_result
    body: dict[str, Any] = dict(initial.formatted)
    if initial.errors:
        body["errors"] = _coded(initial.errors, expose_internals)
    yield _DELIMITER + _HEAD + orjson.dumps(body) + _DELIMITER
    later = results.subsequent_results
    try:
        async for payload in later:
            body = dict(payload.formatted)
            for kind in ("incremental", "completed"):
                for item, formatted in zip(getattr(payload, kind) or (), body.get(kind, ()), strict=True):
                    if item.errors:
                        formatted["errors"] = _coded(item.errors, expose_internals)
            if not payload.has_next and (fields := stale()):
                stale_fields = {"stale": True, "staleFields": sorted(fields)}
                body["extensions"] = {**body.get("extensions", {}), **stale_fields}
            if not payload.has_next and cost is not None:
                body["extensions"] = {**body.get("extensions", {}), "cost": cost}
            yield _HEAD + orjson.dumps(body) + (_DELIMITER if payload.has_next else _CLOSE)
            if not payload.has_next:
                return
        yield _CLOSE[len(_DELIMITER) :]  # the payloads ended without saying so: close the body
    except Exception:  # graphql-core reports field errors in the parts; anything else ends the answer
        log.exception("incremental delivery failed")
        yield _HEAD + orjson.dumps({"hasNext": False}) + _CLOSE
    finally:
        await later.aclose()


async def send_parts(send: Send, receive: Receive, parts: AsyncGenerator[bytes]) -> None:
    """Each part to the socket as it is made (ASGI `more_body`), then the end of the body.

    A client that goes away stops the answer at its next part: the executor's work still
    pending is abandoned rather than finished for nobody.
    """
    gone = asyncio.ensure_future(_disconnected(receive))
    try:
        async for chunk in parts:
            if gone.done():
                return
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    finally:
        gone.cancel()
        await parts.aclose()


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


def delivers_in_parts(entry: CachedDocument) -> bool:
    """Whether the document asks for parts, found once per cached document."""
    if entry.asks_for_parts is None:
        entry.asks_for_parts = asks_for_parts(entry.document)
    return entry.asks_for_parts


def _coded(errors: list[GraphQLError], expose_internals: bool) -> list[Any]:
    return [error.formatted for error in coded(errors, expose_internals=expose_internals)]
