"""Executing documents as the pipeline does (graph/gql/pipeline.py), without HTTP or services.

`pipeline_documents` makes the document cache the pipeline makes; `answer` is
the pipeline's parse, validate, execute and encode stages for one request, with
a context whose data sources fail any call (for documents that never reach
them). `execute_planned` runs a document of any schema (fake roots whose
resolvers need no `Context`) with its plans, as `run_operation` runs it, and
`execute_general` runs it with Strawberry's executor alone, to compare with.
"""

from __future__ import annotations

from inspect import isawaitable
from typing import Any, cast

from elasticsearch import AsyncElasticsearch
from graphql import (
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    experimental_execute_incrementally,
    parse,
    validate,
)
from graphql.execution import Middleware
from starlette.requests import Request

from datasources.cache.aggregation_cache import AggregationCache
from graph.compat.strawberry import ExecutionContext, graphql_schema, is_awaitable
from graph.gql.context import Context
from graph.gql.document_cache import DEFAULT_MAX_BYTES, DocumentCache, validation_rules
from graph.gql.execution.operation import response_body, run_operation
from graph.gql.execution.planned_execution import WholeAnswerExecutionContext
from graph.gql.query_limits import LIMITS
from graph.gql.schema import build_schema
from graph.state import Services
from loaders.registry import create_loaders
from resolvers.scope import DataScope


class Unavailable:
    """Fails any use: a test's document must not reach this service."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        raise AssertionError(f"unexpected use of {self._name}: {attribute}")


def pipeline_documents(
    *,
    schema: GraphQLSchema | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    introspection: bool = True,
) -> DocumentCache:
    """A document cache made as the pipeline makes its own (the service's schema unless given)."""
    return DocumentCache(
        schema=graphql_schema(build_schema()) if schema is None else schema,
        rules=validation_rules(introspection=introspection),
        max_tokens=LIMITS.max_tokens,
        max_characters=LIMITS.max_document_characters,
        max_bytes=max_bytes,
    )


def offline_context() -> Context:
    """A request's context whose Elasticsearch, aggregation cache and services fail any call."""
    client = cast(AsyncElasticsearch, Unavailable("Elasticsearch"))
    cache = cast(AggregationCache, Unavailable("the aggregation cache"))
    scope = DataScope(
        client=client,
        index="unused",
        cache=cache,
        loaders=create_loaders(client=client, index="unused", cache=cache),
    )
    request = Request({"type": "http", "method": "POST", "path": "/graphql", "headers": []})
    return Context(request=request, services=cast(Services, Unavailable("the services")), data=scope)


async def answer(
    documents: DocumentCache,
    query: str,
    *,
    variables: dict[str, Any] | None = None,
    operation_name: str | None = None,
    context: Context | None = None,
    expose_internals: bool = False,
) -> dict[str, Any]:
    """The body the pipeline answers the request with (before its HTTP shaping)."""
    try:
        entry = documents.parsed(query)
    except GraphQLError as error:
        return response_body(ExecutionResult(None, [error]), expose_internals=expose_internals)
    errors = documents.validation(entry)
    if errors:
        return response_body(ExecutionResult(None, errors), expose_internals=expose_internals)
    result = await run_operation(
        documents.schema,
        entry,
        variables=variables,
        operation_name=operation_name,
        context=offline_context() if context is None else context,
    )
    return response_body(result, expose_internals=expose_internals)


async def execute_planned(
    documents: DocumentCache,
    query: str,
    *,
    variables: dict[str, Any] | None = None,
    middleware: Middleware | None = None,
) -> ExecutionResult:
    """The document's cache entry validated, then executed with its plans as `run_operation` does."""
    entry = documents.parsed(query)
    errors = documents.validation(entry)
    if errors:
        return ExecutionResult(None, errors)
    outcome = experimental_execute_incrementally(
        documents.schema,
        entry.document,
        variable_values=variables,
        middleware=middleware,
        executor_class=WholeAnswerExecutionContext,
        is_awaitable=is_awaitable,
        plans=entry.plans,
    )
    return _whole(await outcome if isawaitable(outcome) else outcome)


async def execute_general(
    schema: GraphQLSchema, query: str, *, variables: dict[str, Any] | None = None
) -> ExecutionResult:
    """The document parsed anew, validated and completed by Strawberry's executor alone (no plans)."""
    document = parse(query)
    errors = validate(schema, document, validation_rules(introspection=True))
    if errors:
        return ExecutionResult(None, errors)
    outcome = experimental_execute_incrementally(
        schema,
        document,
        variable_values=variables,
        executor_class=ExecutionContext,
        is_awaitable=is_awaitable,
    )
    return _whole(await outcome if isawaitable(outcome) else outcome)


def _whole(outcome: object) -> ExecutionResult:
    assert isinstance(outcome, ExecutionResult), "documents run here ask for no parts"
    return outcome
