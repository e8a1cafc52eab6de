"""Opening a subscription: the document read as every request's is, then graphql-core's `subscribe`.

Persisted documents, the document cache, its validation rules (query limits
and introspection's refusal included) are the pipeline's own; only the
operation's type differs. Queries and mutations are refused here (they go over
GET/POST, through the answer cache), so these transports serve subscriptions
only. A refused operation gives its coded errors and the status an SSE request
answers with; a WebSocket sends the same errors in an `error` message.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass
from inspect import isawaitable
from typing import Any, Final

from graphql import ExecutionResult, GraphQLError, OperationType, get_operation_ast, subscribe
from starlette.requests import HTTPConnection

from graph.compat.strawberry import ExecutionContext, is_awaitable
from graph.gql.context import Context
from graph.gql.document_cache import DocumentCache
from graph.gql.errors import coded
from graph.gql.execution.operation import response_body
from graph.gql.graphql_http import BAD_REQUEST, GraphQLRequest, error_body
from graph.gql.persisted import PersistedQueryError
from graph.state import new_data_scope, services_of

NOT_A_SUBSCRIPTION: Final = (
    "Only subscriptions are served over WebSocket and Server-Sent Events; "
    "send queries and mutations with GET or POST to /graphql."
)

Bodies = AsyncGenerator[dict[str, Any], None]


@dataclass(frozen=True, slots=True)
class Refused:
    status: int
    errors: list[dict[str, Any]]


class SubscriptionOpener:
    def __init__(self, *, documents: DocumentCache, expose_internals: bool) -> None:
        self._documents = documents
        self._expose_internals = expose_internals

    async def open(self, connection: HTTPConnection, asked: GraphQLRequest) -> Bodies | Refused:
        """The operation's answers as response bodies, or why it was refused."""
        services = services_of(connection)
        try:
            document = await services.persisted.document(
                query=asked.query, extensions=asked.extensions, document_id=asked.document_id
            )
        except PersistedQueryError as error:
            return Refused(400, error_body(error.message, error.code)["errors"])
        if document is None:
            return _transport_refusal("No GraphQL query found in the request")
        try:
            parsed = self._documents.parsed(document.text)
        except GraphQLError as error:
            return self._refused([error])
        operation = get_operation_ast(parsed.document, asked.operation_name)
        if operation is None:
            name = asked.operation_name
            return _transport_refusal(
                "Can't get GraphQL operation type" if name is None else f'Unknown operation named "{name}".'
            )
        if operation.operation is not OperationType.SUBSCRIPTION:
            return _transport_refusal(NOT_A_SUBSCRIPTION)
        if errors := self._documents.validation(parsed):
            return self._refused(errors)
        context = Context(request=connection, services=services, data=new_data_scope(services))
        outcome = subscribe(
            self._documents.schema,
            parsed.document,
            context_value=context,
            variable_values=asked.variables,
            operation_name=asked.operation_name,
            executor_class=ExecutionContext,
            is_awaitable=is_awaitable,
        )
        stream = await outcome if isawaitable(outcome) else outcome
        if isinstance(stream, ExecutionResult):
            return self._refused(stream.errors or [])
        if document.register:
            await services.persisted.register(document)
        return self._bodies(stream)

    async def _bodies(self, stream: AsyncIterator[ExecutionResult]) -> Bodies:
        try:
            async for result in stream:
                yield response_body(result, expose_internals=self._expose_internals)
        except Exception as error:  # the source stream failed: the client gets its coded error, last
            failed = ExecutionResult(None, [GraphQLError(str(error), original_error=error)])
            yield response_body(failed, expose_internals=self._expose_internals)
        finally:
            aclose = getattr(stream, "aclose", None)
            if aclose is not None:
                await aclose()

    def _refused(self, errors: list[GraphQLError]) -> Refused:
        coded_errors = coded(errors, expose_internals=self._expose_internals)
        return Refused(400, [dict(error.formatted) for error in coded_errors])


def _transport_refusal(message: str) -> Refused:
    return Refused(400, error_body(message, BAD_REQUEST)["errors"])
