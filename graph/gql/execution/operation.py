"""Running one operation of a parsed, valid document with graphql-core, and the body a client gets.

The executor is graphql-core's, with Strawberry's execution context class
extended by completion plans (planned_execution.py): Strawberry built the
schema and its resolvers, and this is what its own `Schema.execute` would run
once its extensions were done. The document's plans travel with it as an
argument to the executor, which graphql-core hands to its constructor.

The schema declares `@defer` and `@stream`, so graphql-core's incremental entry
point runs every operation. `incremental=True` (a client that reads parts,
graph/gql/incremental.py) may give an initial result and later parts; otherwise
the executor completes deferred and streamed selections in place and the answer
is one result.
"""

from __future__ import annotations

from contextlib import nullcontext
from inspect import isawaitable
from typing import Any, Literal, overload

from graphql import (
    ExecutionResult,
    ExperimentalIncrementalExecutionResults,
    GraphQLError,
    GraphQLSchema,
    experimental_execute_incrementally,
)

from graph.compat.strawberry import is_awaitable
from graph.gql.context import Context
from graph.gql.document_cache import CachedDocument
from graph.gql.errors import coded
from graph.gql.execution.planned_execution import PlannedExecutionContext, WholeAnswerExecutionContext
from graph.gql.federation.tracing import InlineTrace


@overload
async def run_operation(
    schema: GraphQLSchema,
    entry: CachedDocument,
    *,
    variables: dict[str, Any] | None,
    operation_name: str | None,
    context: Context,
    incremental: Literal[False] = False,
    trace: InlineTrace | None = None,
) -> ExecutionResult: ...


@overload
async def run_operation(
    schema: GraphQLSchema,
    entry: CachedDocument,
    *,
    variables: dict[str, Any] | None,
    operation_name: str | None,
    context: Context,
    incremental: bool,
    trace: InlineTrace | None = None,
) -> ExecutionResult | ExperimentalIncrementalExecutionResults: ...


async def run_operation(
    schema: GraphQLSchema,
    entry: CachedDocument,
    *,
    variables: dict[str, Any] | None,
    operation_name: str | None,
    context: Context,
    incremental: bool = False,
    trace: InlineTrace | None = None,
) -> ExecutionResult | ExperimentalIncrementalExecutionResults:
    try:
        with trace.recording(context) if trace else nullcontext():
            outcome = experimental_execute_incrementally(
                schema,
                entry.document,
                context_value=context,
                variable_values=variables,
                operation_name=operation_name,
                executor_class=PlannedExecutionContext if incremental else WholeAnswerExecutionContext,
                is_awaitable=is_awaitable,
                plans=entry.plans,
                middleware=trace.middleware if trace else None,
            )
            result = await outcome if isawaitable(outcome) else outcome
    except Exception as error:  # graphql-core reports field errors itself; anything else is ours
        return ExecutionResult(None, [GraphQLError(str(error), original_error=error)])
    if isinstance(result, ExperimentalIncrementalExecutionResults):
        return result  # the last part tells of stale fields (graph/gql/incremental.py)
    extensions = stale_extensions(context)
    if trace:  # the federation gateway's inline trace (FTV1)
        extensions = {**(extensions or {}), **trace.extensions}
    return ExecutionResult(result.data, result.errors, extensions)


def stale_extensions(context: Context) -> dict[str, Any] | None:
    """Fields answered from the last-known cache during an outage: the client is told which."""
    stale = context.data.stale
    return {"stale": True, "staleFields": sorted(stale)} if stale else None


def response_body(result: ExecutionResult, *, expose_internals: bool) -> dict[str, Any]:
    """The answer as GraphQL over HTTP sends it: data, then coded errors, then extensions."""
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        errors = coded(result.errors, expose_internals=expose_internals)
        body["errors"] = [error.formatted for error in errors]
    if result.extensions:
        body["extensions"] = result.extensions
    return body
