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
