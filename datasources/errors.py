"""What the data layer raises, independent of the client library that failed."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from elasticsearch import ApiError, ConnectionError, ConnectionTimeout, TransportError

from datasources import read_ledger

T = TypeVar("T")


class DataSourceUnavailable(Exception):
    """Elasticsearch did not answer, or answered that it cannot serve now."""


class DataSourceRejected(Exception):
    """Elasticsearch refused a request we built: a bug on our side, never the user's."""


async def elasticsearch_call(awaitable: Awaitable[T]) -> T:
    """Await a client call, turning transport failures into the data layer's errors."""
    # Every read of Elasticsearch passes here: an answer that needed one is computed each time.
    read_ledger.note_not_reusable()
    try:
        return await awaitable
    except (ConnectionError, ConnectionTimeout, TransportError) as error:
        raise DataSourceUnavailable(f"Elasticsearch is unavailable ({type(error).__name__})") from error
    except ApiError as error:
        if error.meta.status in (429, 502, 503, 504):
            raise DataSourceUnavailable(f"Elasticsearch answered {error.meta.status}") from error
        raise DataSourceRejected(f"Elasticsearch rejected a request ({error.meta.status})") from error
