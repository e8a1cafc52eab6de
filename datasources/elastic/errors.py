"""What the data layer raises, independent of the client library that failed."""

from __future__ import annotations

from elasticsearch import ApiError, ConnectionError, ConnectionTimeout, TransportError


class DataSourceUnavailable(Exception):
    """Elasticsearch did not answer, or answered that it cannot serve now."""


class DataSourceRejected(Exception):
    """Elasticsearch refused a request we built: a bug on our side, never the user's."""


# Statuses that mean "not now" (overload, a proxy or node in between failing), not "never".
UNAVAILABLE_STATUSES = frozenset({429, 502, 503, 504})


def translate(error: ApiError | TransportError) -> DataSourceUnavailable | DataSourceRejected:
    """The data layer's error for a client failure, judged by its type and HTTP status."""
    if isinstance(error, ConnectionError | ConnectionTimeout | TransportError):
        return DataSourceUnavailable(f"Elasticsearch is unavailable ({type(error).__name__})")
    if error.meta.status in UNAVAILABLE_STATUSES:
        return DataSourceUnavailable(f"Elasticsearch answered {error.meta.status}")
    return DataSourceRejected(f"Elasticsearch rejected a request ({error.meta.status})")
