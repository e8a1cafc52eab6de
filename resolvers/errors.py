"""Errors the operations raise for the edge to present (GraphQL codes, REST statuses)."""

from __future__ import annotations


class InvalidArgument(ValueError):
    """The caller's input is wrong; the message names the argument and says why."""


class NotFound(LookupError):
    """The thing asked for by id or name does not exist."""
