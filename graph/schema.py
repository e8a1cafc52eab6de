"""The GraphQL schema: the Query root and the extensions that guard it."""

from __future__ import annotations

import strawberry

from graph.settings import Settings

API_VERSION = "1"


@strawberry.type
class Query:
    @strawberry.field(description="The version of this API's contract.")
    def api_version(self) -> str:
        return API_VERSION


def build_schema(_settings: Settings | None = None) -> strawberry.Schema:
    return strawberry.Schema(query=Query)
