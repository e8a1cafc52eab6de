"""The one GraphQL pipeline: every request to /graphql passes through the same stages, in order.

1. read the request and 6. encode the answer (graphql_http.py), 2. persisted
documents (persisted.py), 3. the document with its validation and plans
(document_cache.py), 4. the answer cache (answers.py), 5. validate and execute
(execution/operation.py), 7. HTTP caching (graph/http/http_caching.py).
An answer in parts (`@defer`/`@stream`, graph/gql/incremental.py) is a branch
of stages 5-6: executed incrementally and encoded as `multipart/mixed`.

Strawberry defines the types and builds the schema; its HTTP view is not in
the path (docs/cold-path.md weighs the two). Request data travels as
arguments and return values; what the observer needs to know (the operation's
label) is set on the request's `Observation`.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any

import orjson
import strawberry
from graphql import (
    ExecutionResult,
    ExperimentalIncrementalExecutionResults,
    GraphQLError,
    OperationType,
    get_operation_ast,
)
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from datasources.cache.answer_cache import Computed, Served
from graph.compat.strawberry import graphql_schema
from graph.gql import graphiql, incremental, operation_name
from graph.gql.answers import key_parts, may_keep, pipeline_fingerprint
from graph.gql.context import Context
from graph.gql.cost.actual import answer_cost
from graph.gql.cost.extension import cost_extension, with_throttle_status
from graph.gql.cost.stage import Admission, CostStage, refusal_body
from graph.gql.document_cache import CachedDocument, DocumentCache, validation_rules
from graph.gql.execution.operation import response_body, run_operation
from graph.gql.federation.tracing import HEADER, InlineTrace, wants_trace
from graph.gql.graphql_http import (
    BAD_REQUEST,
    GRAPHQL_RESPONSE_JSON,
    BodyTooLarge,
    GraphQLRequest,
    RequestError,
    error_body,
    media_type,
    read_get,
    read_limited_body,
    read_post,
    shaped,
)
from graph.gql.persisted import PersistedQueryError
from graph.gql.query_limits import LIMITS
from graph.gql.subscriptions.transports import SubscriptionTransports
from graph.gql.trusted_documents import TrustedManifest
from graph.http import http_caching
from graph.http.client_address import client_ip
from graph.http.cost_budget import ThrottleStatus, refusal_headers
from graph.observability.request_observer import Observation, observation_of
from graph.settings import Settings
from graph.state import new_data_scope, request_generation, services_of

SUBSCRIPTIONS_ELSEWHERE = (
    "Subscriptions are served over WebSocket (graphql-transport-ws at /graphql) or Server-Sent Events "
    "(/graphql/stream, or /graphql with Accept: text/event-stream), not over plain GET or POST."
)


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: bytes
    headers: http_caching.RawHeaders
    # An answer in parts: the body's chunks, sent as they are made.
    parts: AsyncGenerator[bytes] | None = None
    # An answer in parts: its `extensions.cost`, sent with the last part.
    cost: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Executed:
    """A computed answer as every caller sharing its computation sends it; `executed`: data came back.

    `parts`: an answer in parts instead of `body`, for its one caller.
    """

    status: int
    body: bytes
    executed: bool
    parts: AsyncGenerator[bytes] | None = None
    # An answer in parts: its `extensions.cost`, sent with the last part.
    cost: dict[str, Any] | None = None


class GraphQLPipeline:
    def __init__(
        self, schema: strawberry.Schema, settings: Settings, *, manifest: TrustedManifest | None = None
    ) -> None:
        rules = validation_rules(introspection=settings.introspection_enabled)
        trusted_only = manifest is not None and settings.trusted_documents == "only"
        self.documents = DocumentCache(
            schema=graphql_schema(schema),
            rules=rules,
            max_tokens=LIMITS.max_tokens,
            max_characters=LIMITS.max_document_characters,
            max_bytes=settings.document_cache_max_bytes,
            pinned=[] if manifest is None else [(d.text, d.parsed) for d in manifest.by_text.values()],
        )
        self.costs = CostStage(self.documents.schema)
        self.expose_internals = settings.environment == "development"
        self.graphiql = settings.graphiql_enabled
        self.federation = settings.federation
        # A subgraph's answer to the same GET differs with the gateway's trace header.
        self.vary = b"Accept, " + HEADER.encode() if self.federation else b"Accept"
        self.fingerprint = pipeline_fingerprint(
            sdl=schema.as_str(),
            rules=rules,
            limits=LIMITS,
            trusted_only=trusted_only,
            expose_internals=self.expose_internals,
        )
        self.subscriptions = SubscriptionTransports(
            documents=self.documents, expose_internals=self.expose_internals, settings=settings
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.subscriptions.takes(scope):
            await self.subscriptions(scope, receive, send)
            return
        reply = await self.respond(Request(scope, receive))
        await send({"type": "http.response.start", "status": reply.status, "headers": reply.headers})
        if reply.parts is not None:
            await incremental.send_parts(send, receive, reply.parts)
            return
        await send({"type": "http.response.body", "body": reply.body})

    async def respond(self, request: Request) -> Reply:
        accept = request.headers.get("accept", "")
        graphql_response = GRAPHQL_RESPONSE_JSON in accept
        # Outside the observer (an app served bare) the label goes nowhere.
        observation = observation_of(request.scope) or Observation()
        observation.operation = operation_name.UNPARSED

        # 1. Read the request.
        if request.method not in ("GET", "POST"):
            message = "GraphQL only supports GET and POST requests."
            return self._transport_error(405, message, graphql_response, allow=b"GET, POST")
        try:
            asked = await self._read(request)
        except BodyTooLarge:
            message = f"Request body is larger than {LIMITS.max_body_bytes} bytes."
            return self._transport_error(413, message, graphql_response)
        except RequestError as error:
            return self._transport_error(error.status, error.message, graphql_response)
        if asked is None:
            observation.operation = None
            if self.graphiql and graphiql.wants_page(accept):
                return Reply(200, graphiql.PAGE, [(b"content-type", b"text/html; charset=utf-8")])
            return self._transport_error(400, "No GraphQL query found in the request", graphql_response)

        # 2. Persisted documents.
        services = services_of(request)
        try:
            document = await services.persisted.document(
                query=asked.query,
                extensions=asked.extensions,
                document_id=asked.document_id,
                client=client_ip(request.scope, services.settings.trusted_proxies),
            )
        except PersistedQueryError as error:
            observation.operation = operation_name.label_of_name(asked.operation_name)
            body, status = shaped(error_body(error.message, error.code), graphql_response=graphql_response)
            if error.retry_after is not None:
                return self._reply(429, orjson.dumps(body), graphql_response, retry_after=error.retry_after)
            return self._reply(status, orjson.dumps(body), graphql_response)
        if document is None:
            return self._transport_error(400, "No GraphQL query found in the request", graphql_response)

        # 3. The document, and the operation it selects.
        try:
            parsed: CachedDocument | GraphQLError = self.documents.parsed(document.text)
        except GraphQLError as error:
            parsed = error
        if isinstance(parsed, CachedDocument):
            operation = get_operation_ast(parsed.document, asked.operation_name)
            observation.operation = operation_name.label(operation)
            if operation is None:
                name = asked.operation_name
                unknown = (
                    "Can't get GraphQL operation type"
                    if name is None
                    else f'Unknown operation named "{name}".'
                )
                return self._transport_error(400, unknown, graphql_response)
            if operation.operation is OperationType.SUBSCRIPTION:
                return self._transport_error(400, SUBSCRIPTIONS_ELSEWHERE, graphql_response)
            if request.method == "GET" and operation.operation is not OperationType.QUERY:
                return self._transport_error(
                    405, "Mutations are only allowed over POST.", graphql_response, allow=b"POST"
                )

        # 4. The client's cost budget must hold the requested cost; then the answer cache, 5-6 on a miss.
        # An answer in parts has one caller: its flight is its own.
        in_parts = (
            isinstance(parsed, CachedDocument)
            and incremental.accepts_parts(accept)
            and incremental.delivers_in_parts(parsed)
        )
        generation = request_generation(request)
        key = services.answers.key(*key_parts(self.fingerprint, document, asked), generation=generation)
        valid = isinstance(parsed, CachedDocument) and not self.documents.validation(parsed)
        admitted = self.costs.admit(
            services.cost_budget,
            request.scope,
            key=key,
            entry=parsed if valid and isinstance(parsed, CachedDocument) else None,
            operation=operation if valid else None,
            variables=asked.variables,
        )
        if not isinstance(admitted, Admission):
            mime = (b"content-type", media_type(graphql_response=graphql_response).encode())
            return Reply(429, refusal_body(admitted), [mime, *refusal_headers(admitted)[1:]])
        requested = admitted.requested
        served: Served[Executed]
        if self.federation and wants_trace(request.headers):
            # A traced answer holds this request's timings: never served from or kept in the cache,
            # and sent whole, so the trace covers every field.
            trace = InlineTrace()
            computed = await self._compute(
                request, parsed, asked, graphql_response, generation, requested, in_parts=False, trace=trace
            )
            served = Served(stored=None, computed=computed)
        else:
            served = await services.answers.answer(
                key,
                compute=lambda: self._compute(
                    request, parsed, asked, graphql_response, generation, requested, in_parts=in_parts
                ),
                flight=object() if in_parts else (key, request.method, graphql_response),
            )
        if document.register and (served.stored is not None or _executed(served)):
            await services.persisted.register(document)
        throttle = _settled(admitted, served)

        # 7. HTTP caching.
        return self._http_cached(request, served, graphql_response, throttle)

    async def _read(self, request: Request) -> GraphQLRequest | None:
        if request.method == "GET":
            return read_get(request.scope.get("query_string", b""))
        body = await read_limited_body(request.receive, limit=LIMITS.max_body_bytes)
        return read_post(request.headers.get("content-type", ""), body)

    async def _compute(
        self,
        request: Request,
        parsed: CachedDocument | GraphQLError,
        asked: GraphQLRequest,
        graphql_response: bool,
        generation: str,
        requested: int,
        *,
        in_parts: bool,
        trace: InlineTrace | None = None,
    ) -> Computed[Executed]:
        actual = 0
        if isinstance(parsed, GraphQLError):
            result = ExecutionResult(None, [parsed])
        elif errors := self.documents.validation(parsed):
            result = ExecutionResult(None, errors)
        else:
            services = services_of(request)
            data = new_data_scope(services, generation=generation)
            context = Context(request=request, services=services, data=data)
            outcome = await run_operation(
                self.documents.schema,
                parsed,
                variables=asked.variables,
                operation_name=asked.operation_name,
                context=context,
                incremental=in_parts,
                trace=trace,
            )
            if isinstance(outcome, ExperimentalIncrementalExecutionResults):
                # Its actual cost is not summed over the parts: it is charged what it requested.
                cost = cost_extension(requested=requested, actual=requested)
                parts = incremental.encoded_parts(
                    outcome,
                    expose_internals=self.expose_internals,
                    stale=lambda: context.data.stale,
                    cost=cost,
                )
                return Computed(result=Executed(200, b"", executed=True, parts=parts, cost=cost), body=None)
            result = outcome
            actual = answer_cost(self.documents.schema, parsed.document, asked.operation_name, result.data)
        cost = {"cost": cost_extension(requested=requested, actual=actual)}
        result.extensions = {**(result.extensions or {}), **cost}  # `cost` last: it is spliced after
        body, status = shaped(
            response_body(result, expose_internals=self.expose_internals), graphql_response=graphql_response
        )
        encoded = orjson.dumps(body)
        executed = Executed(status=status, body=encoded, executed=result.data is not None)
        return Computed(result=executed, body=encoded if status == 200 and may_keep(result) else None)

    def _http_cached(
        self,
        request: Request,
        served: Served[Executed],
        graphql_response: bool,
        throttle: ThrottleStatus | None,
    ) -> Reply:
        get = request.method == "GET"
        stored = served.stored
        if stored is None:
            assert served.computed is not None
            executed = served.computed.result
            if executed.parts is not None:
                accept = request.headers.get("accept", "")
                headers = [
                    (b"content-type", incremental.content_type(accept)),
                    (b"cache-control", http_caching.NO_STORE.encode()),
                    *([(b"vary", self.vary)] if get else []),
                ]
                return Reply(200, b"", headers, parts=executed.parts)
            body = executed.body if throttle is None else with_throttle_status(executed.body, throttle)
            return self._reply(executed.status, body, graphql_response, vary=get)
        body = stored.body if throttle is None else with_throttle_status(stored.body, throttle)
        if not get:
            return self._reply(200, body, graphql_response)
        mime = media_type(graphql_response=graphql_response)
        etag = http_caching.representation_etag(stored, mime)
        # With the client's budget in it the body is this client's: the tag names the shared answer
        # it carries, weakly (docs/query-cost.md).
        sent_tag, private = (etag, False) if throttle is None else (f"W/{etag}", True)
        headers = http_caching.cacheable_headers(stored, etag=sent_tag, vary=self.vary, private=private)
        if http_caching.revalidated(request.headers.get("if-none-match"), etag, route="/graphql"):
            return Reply(304, b"", headers)
        return Reply(200, body, [(b"content-type", mime.encode()), *headers])

    def _reply(
        self,
        status: int,
        body: bytes,
        graphql_response: bool,
        *,
        vary: bool = False,
        allow: bytes | None = None,
        retry_after: int | None = None,
    ) -> Reply:
        headers = [
            (b"content-type", media_type(graphql_response=graphql_response).encode()),
            (b"cache-control", http_caching.NO_STORE.encode()),
        ]
        if vary:
            headers.append((b"vary", self.vary))
        if allow is not None:
            headers.append((b"allow", allow))
        if retry_after is not None:
            headers.append((b"retry-after", str(retry_after).encode()))
        return Reply(status, body, headers)

    def _transport_error(
        self, status: int, message: str, graphql_response: bool, *, allow: bytes | None = None
    ) -> Reply:
        body = orjson.dumps(error_body(message, BAD_REQUEST))
        return self._reply(status, body, graphql_response, allow=allow)


def _settled(admitted: Admission, served: Served[Executed]) -> ThrottleStatus | None:
    """The client's budget after the answer's actual cost (an answer in parts: what it requested)."""
    if served.stored is not None:
        return admitted.settle(served.stored.body)
    assert served.computed is not None
    executed = served.computed.result
    throttle = admitted.settle(executed.body, actual=None if executed.cost is None else admitted.requested)
    if executed.cost is not None and throttle is not None:
        executed.cost["throttleStatus"] = throttle.as_dict()  # read when the last part is encoded
    return throttle


def _executed(served: Served[Executed]) -> bool:
    return served.computed is not None and served.computed.result.executed
