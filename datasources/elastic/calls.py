"""The one door every Elasticsearch read of an operation passes through."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from elasticsearch import ApiError, TransportError

from datasources.elastic.errors import translate

T = TypeVar("T")


async def elasticsearch_call(awaitable: Awaitable[T]) -> T:
    """Await a client call, turning transport failures into the data layer's errors."""
    try:
        return await awaitable
    except (ApiError, TransportError) as error:
        raise translate(error) from error
