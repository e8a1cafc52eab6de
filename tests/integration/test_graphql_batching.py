"""N+1 is a failure: Elasticsearch round trips are counted at the HTTP level and asserted."""

from __future__ import annotations

from datasources.elastic.index_schema import concrete_index_name
from graph.settings import Settings
from tests.conftest import make_settings
from tests.support.graphql import data_of, proxied_app

NESTED = """
query Nested {
  manufacturerModelCombinations(first: GROUPS) {
    nodes {
      manufacturer
      vehicles(first: 3) {
        nodes {
          id
          otherYears(first: 5) { id year }
          group { manufacturer count }
        }
      }
    }
  }
}
"""


def settings_for(index: str) -> Settings:
    return make_settings(es_index=index, redis_url=None)  # memory cache: starts cold per app


async def nested_round_trips(index: str, groups: int) -> tuple[int, list[tuple[str, str]], int]:
    async with proxied_app(settings_for(index)) as app:
        app.reset_count()
        # A literal page size: the complexity limit counts a variable as the largest page.
        data = await data_of(app.client, NESTED.replace("GROUPS", str(groups)))
        nodes = data["manufacturerModelCombinations"]["nodes"]
        vehicles = sum(len(g["vehicles"]["nodes"]) for g in nodes)
        return app.round_trips(), app.proxy.search_requests(), vehicles


async def test_nested_query_costs_a_constant_number_of_round_trips(sample_index: str) -> None:
    small, _, small_vehicles = await nested_round_trips(sample_index, 5)
    large, requests, large_vehicles = await nested_round_trips(sample_index, 50)
    assert large_vehicles > small_vehicles >= 10
    # groups aggregation + one msearch for the groups' vehicles + one msearch for
    # otherYears; `group` is served by the cached aggregation.
    assert large == 3, requests
    assert small == large


async def test_vehicles_by_ids_is_one_mget(sample_index: str) -> None:
    async with proxied_app(settings_for(sample_index)) as app:
        page = await data_of(app.client, "{ vehicles(first: 100) { nodes { id } } }")
        ids = [n["id"] for n in page["vehicles"]["nodes"]]
        app.reset_count()
        data = await data_of(
            app.client, "query($ids: [ID!]!) { vehiclesByIds(ids: $ids) { id } }", {"ids": ids}
        )
        assert [v["id"] for v in data["vehiclesByIds"]] == ids
        # Reads name the generation behind the alias, the one the request's cache keys carry.
        paths = [path for _, path in app.proxy.search_requests()]
        assert [path.partition("?")[0] for path in paths] == [f"/{concrete_index_name(sample_index)}/_mget"]
        assert "filter_path=" in paths[0]  # only the documents' ids and sources come back
