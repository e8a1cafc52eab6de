"""Tells clients when part of an answer came from the last-known cache during an outage."""

from __future__ import annotations

from typing import Any

from strawberry.extensions import SchemaExtension

from graph.gql.context import Context


class StaleMarker(SchemaExtension):
    def get_results(self) -> dict[str, Any]:
        context = self.execution_context.context
        if not isinstance(context, Context) or not context.data.stale:
            return {}
        return {"stale": True, "staleFields": sorted(context.data.stale)}
