"""What the lifespan opens and every request reaches: typed, never a dict."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict, cast

from aiocache import Cache
from elasticsearch import AsyncElasticsearch
from starlette.requests import HTTPConnection

from datasources.cache.aggregation_cache import AggregationCache
from datasources.cache.answer_cache import AnswerCache
from datasources.elastic.index_version import IndexVersion
from datasources.releases.live_feed import ReleaseFeed
from graph.gql.subscriptions.open import OpenSubscriptions
from graph.http.draining import Drain
from graph.http.probe_log import ProbeFailureLog
from graph.observability.metrics import observe_loader_batch
from graph.settings import Settings
from loaders.registry import create_loaders
from resolvers.scope import DataScope

if TYPE_CHECKING:
    from graph.gql.persisted import PersistedOperations
    from graph.http.cost_budget import CostBudget
    from graph.http.rate_limit import RateLimiter


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    elasticsearch: AsyncElasticsearch
    cache: Cache
    aggregations: AggregationCache
    index_version: IndexVersion
    answers: AnswerCache
    persisted: PersistedOperations
    # The swaps of the alias the catalogReleases subscription follows, and what is held open.
    releases: ReleaseFeed
    subscriptions: OpenSubscriptions
    # None when RATE_LIMIT_PER_MINUTE is 0.
    rate_limiter: RateLimiter | None = None
    # None when COST_BUDGET_PER_MINUTE is 0.
    cost_budget: CostBudget | None = None
    # Set by SIGTERM: readiness answers 503 from then on.
    drain: Drain = field(default_factory=Drain)
    probe_log: ProbeFailureLog = field(default_factory=ProbeFailureLog)


class LifespanState(TypedDict):
    services: Services


def services_of(connection: HTTPConnection) -> Services:
    return cast(Services, connection.state.services)


_GENERATION_KEY = "autos_graph.generation"


def request_generation(connection: HTTPConnection) -> str:
    """The generation this request reads, fixed the first time it is asked.

    The answer cache's key and the data scope's reads both take it from here,
    so an answer is never filed under a generation it was not computed from,
    even when the process follows an alias swap in the middle of the request.
    """
    # In the ASGI scope, which is the request's own (`state` may be shared with the lifespan's).
    generation = connection.scope.get(_GENERATION_KEY)
    if not isinstance(generation, str):
        generation = services_of(connection).index_version.generation
        connection.scope[_GENERATION_KEY] = generation
    return generation


def new_data_scope(services: Services, *, generation: str | None = None) -> DataScope:
    """A request's data scope: fresh loaders, so nothing is shared between requests.

    Its reads go to one generation (the request's, see request_generation), the
    one its cache keys carry: an answer never mixes two generations.
    """
    generation = generation or services.index_version.generation
    return DataScope(
        client=services.elasticsearch,
        index=generation,
        cache=services.aggregations,
        loaders=create_loaders(
            client=services.elasticsearch,
            index=generation,
            cache=services.aggregations,
            observe=observe_loader_batch,
        ),
    )


def data_scope_of(connection: HTTPConnection) -> DataScope:
    return new_data_scope(services_of(connection), generation=request_generation(connection))
