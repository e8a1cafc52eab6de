"""The one table of query-cost numbers: the SDL's `@cost`/`@listSize` directives and the cost limit read it.

The directives are those of the IBM GraphQL Cost Directive specification as
Apollo Router, Hive and Grafbase read them (`weight: Int!`), so a gateway in
front estimates an operation with the numbers this service enforces. Objects
and interfaces weigh 1, scalars and enums 0 (the specification's defaults);
only what differs from the defaults is in the table:

- `WEIGHTS`: the root fields that search or aggregate in Elasticsearch weigh
  `SEARCH_WEIGHT`: each is a search of its own, where an object below it is one
  more hit of a search already made.
- `LIST_SIZES`: the lists a client sizes with an argument (`slicingArguments`,
  and `sizedFields` for connections), and the lists sized by the catalog
  (`assumedSize`). `largest` is the biggest value the argument accepts: the
  cost limit runs before variables are known and counts a variable as it.
  Lists of scalars cost nothing whatever their size and are not listed.

`annotate` puts the directives on the Strawberry fields before the schema is
built, so `schema.graphql` shows exactly this table.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Final

import strawberry
from strawberry.schema_directive import Location
from strawberry.types import get_object_definition
from strawberry.utils.str_converters import to_camel_case

from datasources.catalog.curated import BODY_CLASSES, EARLIEST_MODEL_YEAR, PRESENT_MODEL_YEAR, load_catalog
from datasources.catalog.dataset import DATA_SOURCES
from datasources.vin import MAX_INSTANCES
from resolvers.groups import MAX_GROUPS_PAGE, MAX_OTHER_YEARS
from resolvers.pagination import MAX_PAGE_SIZE
from resolvers.vehicles import MAX_IDS


@strawberry.schema_directive(
    name="cost",
    locations=[
        Location.ARGUMENT_DEFINITION,
        Location.ENUM,
        Location.FIELD_DEFINITION,
        Location.INPUT_FIELD_DEFINITION,
        Location.OBJECT,
        Location.SCALAR,
    ],
    description="The weight of a field (IBM GraphQL Cost Directive specification).",
)
class Cost:
    weight: int


@strawberry.schema_directive(
    name="listSize",
    locations=[Location.FIELD_DEFINITION],
    description="How many items a list field returns (IBM GraphQL Cost Directive specification).",
)
class ListSize:
    assumed_size: int | None = strawberry.UNSET
    slicing_arguments: list[str] | None = strawberry.UNSET
    sized_fields: list[str] | None = strawberry.UNSET
    require_one_slicing_argument: bool | None = True


@dataclass(frozen=True, slots=True)
class Sizing:
    """How many items a list field (or the lists `sized_fields` of the connection it returns) holds."""

    slicing_argument: str | None = None
    # The largest value the slicing argument accepts (or the largest list it accepts).
    largest: int | None = None
    # Without a slicing argument: the size the catalog gives; with a list argument, its upper bound.
    assumed_size: int | None = None
    sized_fields: tuple[str, ...] = ()

    def directive(self) -> ListSize:
        return ListSize(
            assumed_size=strawberry.UNSET if self.assumed_size is None else self.assumed_size,
            slicing_arguments=strawberry.UNSET if self.slicing_argument is None else [self.slicing_argument],
            sized_fields=list(self.sized_fields) if self.sized_fields else strawberry.UNSET,
            # Every slicing argument here has a default: a client may leave it out.
            require_one_slicing_argument=False if self.slicing_argument else strawberry.UNSET,
        )


OBJECT_WEIGHT: Final = 1
SEARCH_WEIGHT: Final = 10
CONNECTION: Final = ("edges", "nodes")


def _catalog_sizes() -> tuple[int, int, int]:
    """(manufacturers, mean models per manufacturer rounded up, decades) of the curated catalog."""
    manufacturers = load_catalog().manufacturers
    models = sum(len(each.models) for each in manufacturers)
    decades = PRESENT_MODEL_YEAR // 10 - EARLIEST_MODEL_YEAR // 10 + 1
    return len(manufacturers), math.ceil(models / len(manufacturers)), decades


MANUFACTURERS, _MODELS_PER_MANUFACTURER, _DECADES = _catalog_sizes()

WEIGHTS: Final[dict[tuple[str, str], int]] = {
    ("Query", "vehicles"): SEARCH_WEIGHT,
    ("Query", "manufacturerModelCombinations"): SEARCH_WEIGHT,
    ("Query", "manufacturer"): SEARCH_WEIGHT,
    ("Query", "facets"): SEARCH_WEIGHT,
}

LIST_SIZES: Final[dict[tuple[str, str], Sizing]] = {
    ("Query", "vehicles"): Sizing("first", MAX_PAGE_SIZE, sized_fields=CONNECTION),
    ("Query", "manufacturerModelCombinations"): Sizing("first", MAX_GROUPS_PAGE, sized_fields=CONNECTION),
    ("ManufacturerModelGroup", "vehicles"): Sizing("first", MAX_PAGE_SIZE, sized_fields=CONNECTION),
    ("Vehicle", "otherYears"): Sizing("first", MAX_OTHER_YEARS),
    ("Vehicle", "instances"): Sizing("count", MAX_INSTANCES),
    ("Query", "vehiclesByIds"): Sizing("ids", MAX_IDS, assumed_size=MAX_IDS),
    ("Query", "nodes"): Sizing("ids", MAX_IDS, assumed_size=MAX_IDS),
    # A group lists its manufacturer's models: the catalog's mean.
    ("ManufacturerModelGroup", "models"): Sizing(assumed_size=_MODELS_PER_MANUFACTURER),
    ("VehicleFacets", "manufacturers"): Sizing(assumed_size=MANUFACTURERS),
    ("VehicleFacets", "bodyClasses"): Sizing(assumed_size=len(BODY_CLASSES)),
    ("VehicleFacets", "dataSources"): Sizing(assumed_size=len(DATA_SOURCES)),
    ("VehicleFacets", "decades"): Sizing(assumed_size=_DECADES),
}

# The federation subgraph's `_entities` (graph/gql/federation/), sized like `vehiclesByIds`. Strawberry
# adds the field when it builds the subgraph schema, so it is counted but never annotated.
SUBGRAPH_LIST_SIZES: Final[dict[tuple[str, str], Sizing]] = {
    ("Query", "_entities"): Sizing("representations", MAX_IDS, assumed_size=MAX_IDS),
}


def annotate(types: Iterable[type]) -> None:
    """Put the table's directives on the fields of `types` (Strawberry types), once.

    Every coordinate of the table must name a field of one of them: a renamed
    field fails here rather than losing its cost silently.
    """
    wanted = set(WEIGHTS) | set(LIST_SIZES)
    for cls in types:
        definition = get_object_definition(cls, strict=True)
        for field in definition.fields:
            coordinate = (definition.name, field.graphql_name or to_camel_case(field.python_name))
            if coordinate not in wanted:
                continue
            wanted.discard(coordinate)
            if any(isinstance(each, (Cost, ListSize)) for each in field.directives):
                continue  # annotated by an earlier schema build
            if coordinate in LIST_SIZES:
                field.directives.append(LIST_SIZES[coordinate].directive())
            if coordinate in WEIGHTS:
                field.directives.append(Cost(weight=WEIGHTS[coordinate]))
    if wanted:
        raise LookupError(f"cost table names fields the schema lacks: {sorted(wanted)}")


@contextmanager
def unannotated(types: Iterable[type]) -> Iterator[None]:
    """The fields of `types` without the table's directives for a while (a schema that must not show
    them is built and printed: the federation subgraph's, docs/federation.md), then as they were."""
    fields = [field for cls in types for field in get_object_definition(cls, strict=True).fields]
    originals = [field.directives for field in fields]
    try:
        for field in fields:
            field.directives = [each for each in field.directives if not isinstance(each, (Cost, ListSize))]
        yield
    finally:
        for field, original in zip(fields, originals, strict=True):
            field.directives = original


def weight_of(parent: str, field: str, *, composite: bool) -> int:
    """A field's weight: the table's, else its type's (objects and interfaces 1, scalars and enums 0)."""
    weight = WEIGHTS.get((parent, field))
    if weight is not None:
        return weight
    return OBJECT_WEIGHT if composite else 0
