"""What the lifespan opens and every request reaches: typed, never a dict."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict, cast

from aiocache import Cache
from elasticsearch import AsyncElasticsearch
from starlette.requests import HTTPConnection

from datasources.aggregation_cache import AggregationCache
from datasources.index_version import IndexVersion
from graph.settings import Settings
from loaders.registry import create_loaders
from resolvers.scope import DataScope


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    elasticsearch: AsyncElasticsearch
    cache: Cache
    aggregations: AggregationCache
    index_version: IndexVersion


class LifespanState(TypedDict):
    services: Services


def services_of(connection: HTTPConnection) -> Services:
    return cast(Services, connection.state.services)


def new_data_scope(services: Services) -> DataScope:
    """A request's data scope: fresh loaders, so nothing is shared between requests."""
    return DataScope(
        client=services.elasticsearch,
        index=services.settings.es_index,
        cache=services.aggregations,
        loaders=create_loaders(
            client=services.elasticsearch, index=services.settings.es_index, cache=services.aggregations
        ),
    )
