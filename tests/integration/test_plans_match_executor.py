"""Completion plans against graphql-core on the real schema and data: generated queries, same answers.

Each generated valid query (hypothesis-graphql, from schema.graphql) is answered
twice by the same app on the sample index: with the compiled completion plans,
and with graphql-core's general completion. The two answers (data and errors)
must be identical. The second query carries a comment, so an aggregation-only
operation is executed again rather than answered from the first answer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import graphql
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis_graphql import Mode, queries

from graph.compat.strawberry import ExecutionContext
from graph.gql.execution.planned_execution import DocumentPlans, PlannedExecutionContext
from tests.conftest import app_client, make_settings

SDL = (Path(__file__).resolve().parents[2] / "schema.graphql").read_text()
_QUERY_TYPE = graphql.build_schema(SDL).query_type
assert _QUERY_TYPE is not None
ROOT_FIELDS = sorted(_QUERY_TYPE.fields)
# Root fields of an abstract type (Relay's node/nodes): the executor resolves the runtime type, so no
# plan is expected there (and generated ids find nothing); their answers are still compared.
ABSTRACT_ROOT_FIELDS = {
    name
    for name, field in _QUERY_TYPE.fields.items()
    if graphql.is_abstract_type(graphql.get_named_type(field.type))
}
QUERIES_PER_FIELD = 40


def generated_queries(field: str, count: int) -> list[str]:
    found: list[str] = []

    @settings(
        max_examples=count,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(query=queries(SDL, fields=[field], mode=Mode.POSITIVE))
    def collect(query: str) -> None:
        found.append(query)

    collect()
    return found


@pytest.mark.parametrize("field", ROOT_FIELDS)
async def test_planned_answers_equal_the_general_executors(
    sample_index: str, field: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    plans_used = 0
    plan_for = DocumentPlans.plan_for

    def counting_plan_for(plans: DocumentPlans, *args: Any, **options: Any) -> Any:
        nonlocal plans_used
        plan = plan_for(plans, *args, **options)
        plans_used += plan is not None
        return plan

    monkeypatch.setattr(DocumentPlans, "plan_for", counting_plan_for)
    # Each generated query is sent once: plan every selection at its first sighting.
    monkeypatch.setattr(DocumentPlans, "sightings_before_compiling", 0)
    # Strawberry's executor's own completion, which never asks for a plan.
    general_completion = ExecutionContext.complete_value
    async for client in app_client(make_settings(es_index=sample_index)):
        for query in generated_queries(field, QUERIES_PER_FIELD):
            planned = (await client.post("/graphql", json={"query": query})).json()
            with monkeypatch.context() as general_only:
                general_only.setattr(PlannedExecutionContext, "complete_value", general_completion)
                # Another text (a comment) keeps it from being answered by reusing the first answer.
                general_query = f"{query}\n# general completion"
                general = (await client.post("/graphql", json={"query": general_query})).json()
            assert planned == general, f"query:\n{query}"
    # The comparison means something only if plans completed some of these answers.
    assert plans_used > 0 or field in ABSTRACT_ROOT_FIELDS
