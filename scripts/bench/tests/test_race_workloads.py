"""The race's workloads: one request per line, in each mode they run in."""

from __future__ import annotations

import orjson
import pytest

from scripts.bench.race_workloads import distinct_documents, race_workloads
from scripts.bench.tests.test_variants import CATALOG, IDS


def test_every_mode_writes_its_kind_of_request() -> None:
    items = {w.name: w for w in race_workloads(catalog=CATALOG, ids=IDS, count=40)}
    search = items["filtered_search"]
    assert search.modes == ("repeated", "cold", "literal")
    cold = orjson.loads(search.lines("cold")[0])
    assert cold["query"] == search.document
    assert cold["variables"] == search.cold[0]
    literal = orjson.loads(search.lines("literal")[0])
    assert "variables" not in literal
    assert "$" not in literal["query"]
    assert len(set(search.lines("literal"))) == len(search.literal)
    details = items["rest_details"]
    assert details.modes == ("repeated", "cold")
    assert details.lines("cold")[0].startswith(b"/api/v1/vehicles/details?")
    assert items["rest_instances"].peer is None


def test_the_repeated_request_is_the_one_wrk_replays() -> None:
    items = {w.name: w for w in race_workloads(catalog=CATALOG, ids=IDS, count=5)}
    picker = items["picker"].repeated_request()
    assert (picker.method, picker.path, picker.graphql) == ("POST", "/graphql", True)
    assert orjson.loads(picker.body)["variables"] == {"search": None, "first": 50}
    combinations = items["rest_combinations"].repeated_request()
    assert (combinations.method, combinations.path) == ("GET", "/api/v1/manufacturer-model-combinations")


def test_distinct_documents_are_all_different_and_take_turns() -> None:
    bodies = distinct_documents(catalog=CATALOG, ids=IDS, count=400, seed=7)
    assert len(bodies) >= 400
    assert len(set(bodies)) == len(bodies)
    operations = [orjson.loads(b)["query"].split("{")[0].split()[1] for b in bodies[:4]]
    assert operations == ["Picker", "FilteredSearch", "Nested", "ByIds"]


def test_too_few_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="need 100 ids"):
        race_workloads(catalog=CATALOG, ids=IDS[:5], count=5)
