"""Executing a valid query with graphql-core directly, without Strawberry's HTTP view.

Around graphql-core's execution of a request, Strawberry's HTTP view and its
`Schema.execute` cost a cold request (new variables, so no stored answer) about
a seventh of the worker's time: the request is read and its JSON parsed a
second time, then an execution context, one instance of every schema extension
and a context manager per hook and extension are built, for a document whose
parse and validation the document cache answers anyway.

A JSON POST of a query is executed here instead when its document parses and
validates without an error: the document cache parses it (with the token
limit) and validates it with the rules Strawberry's path uses, which it learns
from the first document validated there. Then graphql-core's `execute` runs
with the schema's execution context class (the completion plans), and what the
extensions would do after it is done through the same functions
(`errors.coded`, `stale.stale_extensions`). Everything else takes Strawberry's
path, which stays the reference and reports every error: a syntax error, an
invalid document, an operation name the document lacks, a mutation, a GET
(GraphiQL's page, the 405 for a mutation over GET), the first document a worker
sees, a schema whose config rewrites errors.
tests/integration/test_direct_execution.py sends the same requests both ways
and compares status, headers and body.
"""

from __future__ import annotations

from dataclasses import dataclass
from inspect import isawaitable
from typing import Any, Final

from graphql import DocumentNode, GraphQLError, GraphQLSchema, OperationType, execute, get_operation_ast
from strawberry.execution.is_awaitable import optimized_is_awaitable
from strawberry.types import ExecutionResult

from graph.gql.context import Context
from graph.gql.document_cache import DocumentCache, graphql_schema
from graph.gql.errors import coded
from graph.gql.query_limits import LIMITS
from graph.gql.schema import AutosSchema
from graph.gql.stale import stale_extensions

# Strawberry's faster check for awaitables, which it passes to graphql-core as we do (typed as a bool there).
IS_AWAITABLE: Final[Any] = optimized_is_awaitable

# What MaxTokensLimiter sets for the parse, and so part of the document cache's key.
PARSE_OPTIONS: Final = {"max_tokens": LIMITS.max_tokens}


@dataclass(frozen=True, slots=True)
class DirectExecutor:
    schema: AutosSchema
    documents: DocumentCache
    # graphql-core's schema behind Strawberry's, read once.
    core: GraphQLSchema

    @classmethod
    def for_schema(cls, schema: object) -> DirectExecutor | None:
        """The executor for a schema this module can run faithfully; None for any other."""
        if (
            not isinstance(schema, AutosSchema)
            or schema.documents is None
            # Strawberry strips suggestions from errors before `process_errors` when this is on.
            or schema.config.disable_field_suggestions
        ):
            return None
        return cls(schema=schema, documents=schema.documents, core=graphql_schema(schema))

    def document(self, query: str, operation_name: str | None) -> DocumentNode | None:
        """The parsed, valid document when its selected operation is a query; None otherwise."""
        entry = self.documents.runnable(query, PARSE_OPTIONS, self.core)
        if entry is None:
            return None
        operation = get_operation_ast(entry.document, operation_name)
        if operation is None or operation.operation is not OperationType.QUERY:
            return None
        return entry.document

    async def execute(
        self,
        document: DocumentNode,
        *,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        context: Context,
    ) -> ExecutionResult:
        data: dict[str, Any] | None = None
        errors: list[GraphQLError] | None
        try:
            outcome = execute(
                self.core,
                document,
                context_value=context,
                variable_values=variables,
                operation_name=operation_name,
                executor_class=self.schema.execution_context_class,
                is_awaitable=IS_AWAITABLE,
            )
            result = await outcome if isawaitable(outcome) else outcome
            data, errors = result.data, result.errors
        except Exception as error:  # Strawberry answers a failing execution so too
            errors = [GraphQLError(str(error), original_error=error)]
        if errors:
            # In Strawberry's order: `process_errors` (which codes and logs), then ErrorCodes.
            self.schema.process_errors(errors)
            errors = coded(errors, expose_internals=self.schema.expose_internals)
        return ExecutionResult(data=data, errors=errors or None, extensions=stale_extensions(context))
