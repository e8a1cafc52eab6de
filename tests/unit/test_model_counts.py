"""A held group's model list is built once and shared; the memo stays bounded."""

from __future__ import annotations

import pytest

from datasources.vehicles.vehicle_store import ManufacturerAggregate, ModelAggregate
from graph.gql.types import catalog
from graph.gql.types.catalog import ManufacturerModelGroup, model_counts


def aggregate(name: str = "Ford") -> ManufacturerAggregate:
    return ManufacturerAggregate(
        manufacturer=name,
        count=3,
        models=(ModelAggregate("Mustang", 2, 1965, 1970), ModelAggregate("Focus", 1, 2001, 2001)),
    )


def test_one_list_per_group_object_with_the_aggregates_values() -> None:
    group = aggregate()
    counts = model_counts(group)
    assert [(m.model, m.count, m.year_min, m.year_max) for m in counts] == [
        ("Mustang", 2, 1965, 1970),
        ("Focus", 1, 2001, 2001),
    ]
    assert model_counts(group) is counts
    assert ManufacturerModelGroup.from_aggregate(group).models is counts
    equal_but_other = aggregate()
    assert model_counts(equal_but_other) is not counts  # by identity: a newer value has its own


def test_the_memo_is_emptied_past_its_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalog, "MAX_KEPT_MODELS", 5)  # two models a group: two groups fit
    monkeypatch.setattr(catalog, "_model_lists", {})
    monkeypatch.setattr(catalog, "_kept_models", 0)
    for number in range(7):
        model_counts(aggregate(f"M{number}"))
        assert 1 <= len(catalog._model_lists) <= 2
        assert catalog._kept_models == 2 * len(catalog._model_lists)
