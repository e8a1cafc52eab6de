"""What an operation needs for one request: the client, the index, the cache, the loaders."""

from __future__ import annotations

from dataclasses import dataclass

from elasticsearch import AsyncElasticsearch

from datasources.cache.aggregation_cache import AggregationCache
from loaders.registry import Loaders


@dataclass(slots=True)
class DataScope:
    client: AsyncElasticsearch
    index: str
    cache: AggregationCache
    loaders: Loaders

    @property
    def stale(self) -> set[str]:
        """Names of the answers in this request that came from the last-known cache."""
        return self.loaders.stale
