"""GraphQL answers through the answer cache: what names an answer, and which answers may be kept.

An answer is named by the document (its sha256), the operation name, the
variables and the data generation (datasources/cache/answer_cache.py adds
that), behind a fingerprint of the schema so a deployment that changes the
schema never reads its predecessor's answers from Redis. A request is read
here before Strawberry sees it, so a cached answer costs no parsing,
validation, context or execution; persisted operations are resolved on the
way (graph/gql/persisted.py).
"""

from __future__ import annotations

import hashlib
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import orjson
from starlette.requests import Request
from strawberry.types import ExecutionResult

from graph.gql import graphql_http
from graph.gql.persisted import (
    PERSISTED_QUERY_NOT_IN_LIST,
    Document,
    PersistedOperations,
    PersistedQueryError,
)


@dataclass(frozen=True, slots=True)
class GraphQLRequest:
    """The parts of a GET or JSON POST that select an answer."""

    query: str | None
    operation_name: str | None
    variables: dict[str, Any] | None
    extensions: dict[str, Any] | None
    document_id: object
    params: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Prepared:
    request: Request
    asked: GraphQLRequest
    document: Document
    key_parts: tuple[str, ...]
    # Answers shared by concurrent callers must suit each: errors are shaped by method and Accept.
    flight_suffix: tuple[str, bool]


@dataclass(slots=True)
class Judgement:
    # Executed: the document parsed and validated (data, if only partial).
    executed: bool = False
    keep: bool = False


# Set by the computation (its own task), read back by it after Strawberry has processed the result.
_judgement: ContextVar[Judgement | None] = ContextVar("answer_judgement", default=None)


def schema_fingerprint(sdl: str) -> str:
    return hashlib.sha256(sdl.encode()).hexdigest()[:16]


def read_request(request: Request, body: bytes) -> GraphQLRequest | None:
    """The operation a GET or JSON POST asks for; None for anything Strawberry should judge itself."""
    params: Any
    try:
        if request.method == "GET":
            params = dict(request.query_params)
            for name in ("variables", "extensions"):
                if params.get(name):
                    params[name] = orjson.loads(params[name])
        elif request.method == "POST" and "application/json" in request.headers.get("content-type", ""):
            params = orjson.loads(body)
        else:
            return None
    except orjson.JSONDecodeError:
        return None
    if not isinstance(params, dict):
        return None
    query, operation_name = params.get("query"), params.get("operationName")
    variables, extensions = params.get("variables") or None, params.get("extensions") or None
    if (
        not isinstance(query, str | None)
        or not isinstance(operation_name, str | None)
        or not isinstance(variables, dict | None)
        or not isinstance(extensions, dict | None)
    ):
        return None
    return GraphQLRequest(
        query=query,
        operation_name=operation_name,
        variables=variables,
        extensions=extensions,
        document_id=params.get("documentId"),
        params=params,
    )


async def prepare(
    request: Request, body: bytes, *, persisted: PersistedOperations, fingerprint: str
) -> Prepared | None:
    """The request to execute and the name of its answer; None when it names no document.

    Raises PersistedQueryError for a persisted operation it cannot run.
    """
    asked = read_request(request, body)
    if asked is None:
        if persisted.trusted_only:
            # Nothing the manifest check could read may reach the executor.
            raise PersistedQueryError(
                "With TRUSTED_DOCUMENTS=only an operation is a GET, or a JSON POST naming one of the "
                "manifest's documents, with a string `operationName` and object `variables`.",
                code=PERSISTED_QUERY_NOT_IN_LIST,
            )
        return None
    document = await persisted.document(
        query=asked.query, extensions=asked.extensions, document_id=asked.document_id
    )
    if document is None:
        return None
    variables = orjson.dumps(asked.variables or {}, option=orjson.OPT_SORT_KEYS).decode()
    return Prepared(
        request=_with_document(request, asked, document),
        asked=asked,
        document=document,
        key_parts=("graphql", fingerprint, document.sha256, asked.operation_name or "", variables),
        flight_suffix=(request.method, graphql_http.wants_graphql_response.get()),
    )


def _with_document(request: Request, asked: GraphQLRequest, document: Document) -> Request:
    """The request with the document's text, when the client named it by hash."""
    if asked.query == document.text:
        return request
    params = {**asked.params, "query": document.text}
    if request.method == "GET":
        for name in ("variables", "extensions"):
            if isinstance(params.get(name), dict):
                params[name] = orjson.dumps(params[name]).decode()
        scope = {**request.scope, "query_string": urlencode(params).encode()}
        return Request(scope, receive=request.receive)
    return Request(request.scope, receive=graphql_http.replay(orjson.dumps(params)))


def start_judging() -> Judgement:
    judgement = Judgement()
    _judgement.set(judgement)
    return judgement


def judge(result: ExecutionResult) -> None:
    """Whether this result may be kept: data, no error, nothing stale."""
    judgement = _judgement.get()
    if judgement is not None:
        judgement.executed = result.data is not None
        judgement.keep = (
            result.data is not None and not result.errors and not (result.extensions or {}).get("stale")
        )
