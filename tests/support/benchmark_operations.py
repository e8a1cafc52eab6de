"""The GraphQL operations the benchmarks run, shared with the tests that check how they execute."""

from __future__ import annotations

PICKER = (
    "query Picker { manufacturerModelCombinations(first: 50) { totalCount "
    "nodes { manufacturer count models { model count yearMin yearMax } } } }"
)

THREE_MODELS = (("Ford", "Mustang"), ("Chevrolet", "Camaro"), ("Dodge", "Challenger"))
YEAR_MIN, YEAR_MAX = 1965, 1975

FILTERED_SEARCH = (
    "query FilteredSearch { vehicles(filter: { models: ["
    + ", ".join(f'{{ manufacturer: "{make}", model: "{model}" }}' for make, model in THREE_MODELS)
    + f"], yearMin: {YEAR_MIN}, yearMax: {YEAR_MAX} }}, "
    "sort: [{ field: YEAR, direction: DESC }, { field: MODEL }], first: 20) { totalCount "
    "pageInfo { hasNextPage endCursor } "
    "nodes { id manufacturer model year bodyClass dataSource instanceCount makeModelYear } } }"
)

NESTED = (
    "query Nested { manufacturerModelCombinations(first: 5) { nodes { manufacturer count "
    "vehicles(first: 5) { totalCount nodes { id model year "
    "otherYears(first: 3) { id year group { manufacturer count } "
    "instances(count: 2) { vin condition mileage estimatedValue } } } } } } }"
)

BY_IDS = (
    "query ByIds($ids: [ID!]!) { vehiclesByIds(ids: $ids) "
    "{ id manufacturer model year bodyClass dataSource instanceCount } }"
)

# The race against the peers (scripts/bench/): the same operations with variables, so the
# cold mode can draw thousands of variants and the literal mode can inline them. Nested
# leaves out `instances`: the peers have no VIN generator (it lives only in autos-graph).
RACE_PICKER = (
    "query Picker($search: String, $first: Int!) { manufacturerModelCombinations(search: $search, "
    "first: $first) { totalCount nodes { manufacturer count models { model count yearMin yearMax } } } }"
)

RACE_FILTERED_SEARCH = (
    "query FilteredSearch($filter: VehicleFilter!, $sort: [VehicleSort!], $first: Int!) { "
    "vehicles(filter: $filter, sort: $sort, first: $first) { totalCount "
    "pageInfo { hasNextPage endCursor } "
    "nodes { id manufacturer model year bodyClass dataSource instanceCount makeModelYear } } }"
)

# Page sizes are literals: the cost limit counts a page size given by a variable as the
# largest page allowed (validation runs before variables are known).
RACE_NESTED = (
    "query Nested($search: String) { "
    "manufacturerModelCombinations(search: $search, first: 5) { nodes { manufacturer count "
    "vehicles(first: 5) { totalCount nodes { id model year "
    "otherYears(first: 3) { id year group { manufacturer count } } } } } } }"
)

RACE_BY_IDS = BY_IDS
