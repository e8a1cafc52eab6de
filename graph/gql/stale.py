"""Tells clients when part of an answer came from the last-known cache during an outage."""

from __future__ import annotations

from typing import Any

from strawberry.extensions import SchemaExtension

from graph.gql.context import Context


def stale_extensions(context: object) -> dict[str, Any]:
    """The response's `extensions` entries when some field was answered from the last-known cache."""
    if not isinstance(context, Context) or not context.data.stale:
        return {}
    return {"stale": True, "staleFields": sorted(context.data.stale)}


class StaleMarker(SchemaExtension):
    def get_results(self) -> dict[str, Any]:
        return stale_extensions(self.execution_context.context)
