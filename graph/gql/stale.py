"""Tells clients when part of an answer came from the last-known cache during an outage."""

from __future__ import annotations

from typing import Any

from graph.gql.context import Context


def stale_extensions(context: Context) -> dict[str, Any]:
    """The response's `extensions` entries when some field was answered from the last-known cache."""
    if not context.data.stale:
        return {}
    return {"stale": True, "staleFields": sorted(context.data.stale)}
