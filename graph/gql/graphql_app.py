"""Strawberry's ASGI app, wired to the typed per-request context and to GraphQL over HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import strawberry
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from datasources.cache.answer_cache import Computed, Served
from graph.gql import answers, graphql_http, operation_name
from graph.gql.context import Context
from graph.gql.direct_execution import DirectExecutor
from graph.gql.persisted import PersistedQueryError
from graph.gql.query_limits import LIMITS
from graph.http import http_caching
from graph.settings import Settings
from graph.state import new_data_scope, request_generation, services_of

STATIC_DIR = Path(__file__).parent / "static"
GRAPHIQL_PAGE = (STATIC_DIR / "graphiql" / "index.html").read_text(encoding="utf-8")


ROUTE = "/graphql"


@dataclass(frozen=True, slots=True)
class _Answered:
    """A computed answer as every caller sharing its computation sends it."""

    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...]
    executed: bool


class AutosGraphQL(GraphQL[Context, None]):
    def __init__(self, schema: strawberry.Schema, **options: Any) -> None:
        super().__init__(schema, **options)
        self._fingerprint = answers.schema_fingerprint(schema.as_str())
        self._vary = http_caching.vary_header(accept=True)
        self._direct = DirectExecutor.for_schema(schema)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            # No subscriptions in this schema: refuse websockets outright.
            await WebSocket(scope, receive=receive, send=send).close(code=1008)
            return
        token = graphql_http.wants_graphql_response.set(graphql_http.accepts_graphql_response(Request(scope)))
        try:
            response = await self._respond(scope, receive)
        finally:
            graphql_http.wants_graphql_response.reset(token)
        await response(scope, receive, send)

    async def _respond(self, scope: Scope, receive: Receive) -> Response:
        method = scope["method"]
        try:
            body = await graphql_http.read_limited_body(receive, limit=LIMITS.max_body_bytes)
        except graphql_http.BodyTooLarge:
            return graphql_http.transport_error(
                413,
                f"Request body is larger than {LIMITS.max_body_bytes} bytes.",
                method=method,
                encode=self.encode_json,
            )
        request = Request(scope, receive=graphql_http.replay(body))
        services = services_of(request)
        # Fixed before `prepare` copies the request, so every copy reads the same generation.
        generation = request_generation(request)
        try:
            prepared = await answers.prepare(
                request, body, persisted=services.persisted, fingerprint=self._fingerprint
            )
        except PersistedQueryError as error:
            return self._persisted_query_error(error)
        if prepared is None:
            return self._no_store(await self._run(request))
        key = services.answers.key(*prepared.key_parts, generation=generation)
        served: Served[_Answered] = await services.answers.answer(
            key, compute=lambda: self._compute(prepared), flight=(key, *prepared.flight_suffix)
        )
        if prepared.document.register and (served.stored is not None or _executed(served)):
            await services.persisted.register(prepared.document)
        return self._respond_with(request, served)

    async def _run(self, request: Request) -> Response:
        try:
            return await self.run(request)
        except HTTPException as error:
            return graphql_http.transport_error(
                error.status_code, error.reason, method=request.method, encode=self.encode_json
            )

    async def _compute(self, prepared: answers.Prepared) -> Computed[_Answered]:
        judgement = answers.start_judging()
        direct = await self._execute_directly(prepared)
        if direct is not None:
            status, body, headers = direct
        else:
            response = await self._run(prepared.request)
            status, body = response.status_code, bytes(response.body)
            headers = tuple((k, v) for k, v in response.headers.items() if k != "content-length")
        answered = _Answered(status=status, body=body, headers=headers, executed=judgement.executed)
        keep = judgement.keep and status == 200
        return Computed(result=answered, body=body if keep else None)

    async def _execute_directly(
        self, prepared: answers.Prepared
    ) -> tuple[int, bytes, tuple[tuple[str, str], ...]] | None:
        """Status, body and headers for a JSON POST of a valid query; None for Strawberry's view."""
        request = prepared.request
        if (
            self._direct is None
            or request.method != "POST"
            or request.headers.get("content-type", "").partition(";")[0].strip() != "application/json"
        ):
            return None
        query, name = prepared.document.text, prepared.asked.operation_name
        document = self._direct.document(query, name)
        if document is None:
            return None
        # The access log and metrics label the request by this document's operation.
        operation_name.remember_parsed(request.scope.setdefault("state", {}), query, document)
        result = await self._direct.execute(
            document,
            variables=prepared.asked.variables,
            operation_name=name,
            # No resolver sets headers or a status, so no sub-response to carry them.
            context=await self.get_context(request, response=None),
        )
        # What create_response does to a result, without building a Response to copy from.
        body, status = graphql_http.shape_body(await self.process_result(request, result))
        return status or 200, self.encode_json(body), (("content-type", graphql_http.media_type()),)

    def _respond_with(self, request: Request, served: Served[_Answered]) -> Response:
        media_type = (
            graphql_http.GRAPHQL_RESPONSE_JSON
            if graphql_http.wants_graphql_response.get()
            else "application/json"
        )
        stored = served.stored
        if stored is not None:
            if request.method != "GET":
                return Response(stored.body, media_type=media_type, headers={"Cache-Control": "no-store"})
            unchanged = http_caching.not_modified(request.headers, stored, vary=self._vary, route=ROUTE)
            if unchanged is not None:
                return unchanged
            headers = http_caching.cacheable_headers(stored, vary=self._vary)
            return Response(stored.body, media_type=media_type, headers=headers)
        assert served.computed is not None
        answered = served.computed.result
        response = Response(answered.body, status_code=answered.status, headers=dict(answered.headers))
        response.headers.update(
            http_caching.uncacheable_headers(vary=self._vary if request.method == "GET" else None)
        )
        return response

    def _no_store(self, response: Response) -> Response:
        if response.media_type != "text/html":  # GraphiQL's page is no answer
            response.headers["Cache-Control"] = http_caching.NO_STORE
        return response

    def _persisted_query_error(self, error: PersistedQueryError) -> Response:
        body, status = graphql_http.shape_body(graphql_http.error_body(error.message, error.code))
        response = graphql_http.finish_response(
            Response(self.encode_json(body), media_type="application/json"), status=status
        )
        response.headers["Cache-Control"] = http_caching.NO_STORE
        return response

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        answers.judge(result)
        return await super().process_result(request, result)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None = None
    ) -> Context:
        services = services_of(request)
        return Context(
            request=request,
            response=response if isinstance(response, Response) else None,
            services=services,
            data=new_data_scope(services, generation=request_generation(request)),
        )

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        body, status = graphql_http.shape_body(response_data)
        return graphql_http.finish_response(super().create_response(body, sub_response), status=status)

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        # Our own page and assets (graph/gql/static/graphiql): no CDN at run time.
        return HTMLResponse(GRAPHIQL_PAGE)

    def encode_json(self, data: object) -> bytes:
        # orjson is several times faster than the standard library for large responses.
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> Any:
        return orjson.loads(data)


def _executed(served: Served[_Answered]) -> bool:
    return served.computed is not None and served.computed.result.executed


def create_graphql_app(schema: strawberry.Schema, settings: Settings) -> AutosGraphQL:
    return AutosGraphQL(
        schema,
        graphql_ide="graphiql" if settings.graphiql_enabled else None,
        allow_queries_via_get=True,
    )
