"""The Starlette application: routes, the GraphQL endpoint and the lifespan."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from graph.gql.federation.schema import build_subgraph_schema
from graph.gql.graphiql import STATIC_DIR
from graph.gql.pipeline import GraphQLPipeline
from graph.gql.schema import build_schema
from graph.gql.subscriptions.transports import STREAM_PATH
from graph.gql.trusted_documents import TrustedManifest, load_manifest
from graph.http import health, index_page
from graph.http.middleware import instrument, operational_middleware, operational_routes
from graph.lifespan import make_lifespan
from graph.rest import rest_routes
from graph.settings import Settings, load_settings

GRAPHIQL_ASSETS = STATIC_DIR / "graphiql"


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or load_settings()
    manifest = trusted_manifest(settings)
    schema = build_subgraph_schema() if settings.federation else build_schema()
    graphql = GraphQLPipeline(schema, settings, manifest=manifest)
    routes: list[BaseRoute] = [
        *index_page.routes,
        *health.routes,
        *operational_routes(settings),
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route(STREAM_PATH, graphql, methods=["GET", "POST"]),
        *rest_routes(graphql.documents.schema),
    ]
    if settings.graphiql_enabled:
        routes.append(Mount("/static/graphiql", app=StaticFiles(directory=GRAPHIQL_ASSETS), name="graphiql"))
    app = Starlette(
        routes=routes,
        middleware=operational_middleware(settings),
        lifespan=make_lifespan(settings, manifest=manifest),
    )
    return instrument(app, settings)


def trusted_manifest(settings: Settings) -> TrustedManifest | None:
    """The configured manifest, parsed and validated; raises ManifestError naming what is wrong."""
    if settings.trusted_documents_manifest is None:
        return None
    return load_manifest(
        settings.trusted_documents_manifest,
        # The types are those of the schema served; extensions do not change them.
        sdl=build_schema().as_str(),
        introspection=settings.introspection_enabled,
    )
