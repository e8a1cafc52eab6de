"""The benchmark operations run on completion plans end to end, and none is abandoned.

This is the test that fails when a Strawberry or graphql-core upgrade turns
planning off without an error: the executor no longer calling the planned
completion, Strawberry resolving attribute fields another way, or a type losing
its definition would each leave these operations on the general (slower) path.
Each operation runs once on the real schema and data with a spy on the
documents' plans; it must be completed by plans, and no plan may meet a value it
abandons (the `autos_graph_completion_plans_abandoned_total` metric stays put).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from graphql import GraphQLOutputType

from graph.gql.execution.completion_plans import Completer
from graph.gql.execution.planned_execution import DocumentPlans
from graph.observability.metrics import PLANS_ABANDONED
from tests.conftest import app_client, make_settings
from tests.support.benchmark_operations import BY_IDS, FILTERED_SEARCH, NESTED, PICKER
from tests.support.graphql import data_of


class PlanSpy:
    def __init__(self) -> None:
        self.used: list[str] = []
        self.abandoned: list[str] = []

    def wrap(self, plan_for: Callable[..., Completer | None]) -> Callable[..., Completer | None]:
        def spied(
            plans: DocumentPlans, schema: Any, return_type: GraphQLOutputType, *args: Any, **options: Any
        ) -> Completer | None:
            plan = plan_for(plans, schema, return_type, *args, **options)
            if plan is None:
                return None

            def watched(value: Any) -> Any:
                try:
                    completed = plan(value)
                except Exception:
                    self.abandoned.append(str(return_type))
                    raise
                self.used.append(str(return_type))
                return completed

            return watched

        return spied


def abandoned_total() -> float:
    return sum(sample.value for metric in PLANS_ABANDONED.collect() for sample in metric.samples)


@pytest.mark.usefixtures("cold_redis")
async def test_the_benchmark_operations_are_planned_and_abandon_nothing(
    sample_index: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = PlanSpy()
    # Every cached document's plans are a DocumentPlans: spy on the class.
    monkeypatch.setattr(DocumentPlans, "plan_for", spy.wrap(DocumentPlans.plan_for))
    # Each operation runs once here (a second run would be answered from the answer cache):
    # plan at the first sighting. When plans compile is tested in tests/unit/test_completion_plans.py.
    monkeypatch.setattr(DocumentPlans, "sightings_before_compiling", 0)
    before = abandoned_total()
    async for client in app_client(make_settings(es_index=sample_index)):
        found = await data_of(client, FILTERED_SEARCH)
        ids = [node["id"] for node in found["vehicles"]["nodes"]]
        assert ids, "the sample holds vehicles the search finds"
        # Each with the object type whose whole selection a plan completes.
        operations: list[tuple[str, str, dict[str, Any], str]] = [
            ("FilteredSearch", FILTERED_SEARCH, {}, "VehicleConnection!"),
            # The whole page: a group's models are a plain attribute (graph/gql/types/catalog.py).
            ("Picker", PICKER, {}, "ManufacturerModelGroupConnection!"),
            ("Nested", NESTED, {}, "[VinInstance!]!"),
            ("ByIds", BY_IDS, {"ids": ids}, "[Vehicle]!"),
        ]
        for name, query, variables, planned_type in operations:
            spy.used.clear()
            await data_of(client, query, variables)
            assert planned_type in spy.used, f"{name} completed {planned_type} without a plan"
            assert spy.abandoned == [], f"{name} abandoned plans for {spy.abandoned}"
    assert abandoned_total() == before
