"""The autos index: its mapping, and the versioned concrete index behind the alias.

Clients only ever name the alias (settings.es_index). The concrete indices
behind it are generations `<alias>-v<N>`: the first is created here, later ones
by a release (datasources/releases), which loads a new generation beside the
live one and swaps the alias, so new data or a mapping change means no downtime.
A generation written in place (`data load --live`, `data reset`) gets a new
revision alias `<alias>-v<N>-r<M>`: the API reads and keys its caches by the
newest revision, so nothing cached before the write is served after it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final, Literal

from elasticsearch import AsyncElasticsearch, NotFoundError

from datasources.elastic.fence import Fence, unfenced

log = logging.getLogger(__name__)

SCHEMA_VERSION: Final = 1


def _text_with_keyword() -> dict[str, Any]:
    # `text` for search-as-you-type matching, `.keyword` for exact filters, sorting and
    # aggregations; the API addresses the sub-field by this exact name.
    return {"type": "text", "fields": {"keyword": {"type": "keyword", "ignore_above": 256}}}


MAPPING: Final[dict[str, Any]] = {
    # A typo in a loader's field name must fail the bulk item, not add a field silently.
    "dynamic": "strict",
    "properties": {
        "vehicle_id": {"type": "keyword"},
        "manufacturer": _text_with_keyword(),
        "model": _text_with_keyword(),
        "year": {"type": "integer"},
        "body_class": _text_with_keyword(),
        "data_source": {"type": "keyword"},
        "instance_count": {"type": "integer"},
        "make_model_year": {"type": "keyword"},
    },
}

INDEX_SETTINGS: Final[dict[str, Any]] = {
    "number_of_shards": 1,  # about 100,000 small documents: one shard answers aggregations fastest
    # One replica wherever a second node exists, none on a single development node (green, not yellow).
    "auto_expand_replicas": "0-1",
}


class IndexSchemaError(Exception):
    """The cluster holds something under the alias's name that this module did not create."""


def concrete_index_name(alias: str) -> str:
    """The first generation's name, which `create_index` creates."""
    return f"{alias}-v1"


def generation_number(alias: str, name: str) -> int | None:
    """N for the generation `<alias>-v<N>`; None for any other name (never a prefix match)."""
    match = re.fullmatch(rf"{re.escape(alias)}-v(\d+)", name)
    return int(match.group(1)) if match else None


async def generation_indices(client: AsyncElasticsearch, *, alias: str) -> list[str]:
    """Every generation of the alias, live or not, oldest first."""
    try:
        response = await client.indices.get(index=f"{alias}-v*", expand_wildcards="open,closed")
    except NotFoundError:
        return []
    names = [name for name in response.body if generation_number(alias, name) is not None]
    return sorted(names, key=lambda name: generation_number(alias, name) or 0)


def revision_alias(index: str, number: int) -> str:
    """The name of revision N of a generation written in place (`<index>-r<N>`), an alias of it."""
    return f"{index}-r{number}"


def newest_revision(index: str, aliases: Iterable[str]) -> str | None:
    """The revision alias of `index` with the highest N among `aliases`, or None."""
    numbered = {
        int(match.group(1)): name
        for name in aliases
        if (match := re.fullmatch(rf"{re.escape(index)}-r(\d+)", name)) is not None
    }
    return numbered[max(numbered)] if numbered else None


@dataclass(frozen=True, slots=True)
class IndexCreation:
    alias: str
    index: str
    action: Literal["created", "recreated", "existed", "aliased"]


async def indices_behind(client: AsyncElasticsearch, *, alias: str) -> list[str]:
    """The concrete indices the alias points at, sorted; empty when the alias is absent."""
    try:
        response = await client.indices.get_alias(name=alias)
    except NotFoundError:
        return []
    return sorted(response.body)


async def index_exists(client: AsyncElasticsearch, *, alias: str) -> bool:
    return bool(await indices_behind(client, alias=alias))


async def _refuse_plain_index(client: AsyncElasticsearch, *, alias: str) -> None:
    # An index literally named like the alias (e.g. from the old backend) would make
    # every alias operation fail with a confusing message; say what is wrong instead.
    if await client.indices.exists(index=alias) and not await index_exists(client, alias=alias):
        raise IndexSchemaError(
            f"{alias!r} is a plain index, not an alias: "
            "`autos-graph data adopt` turns it into a generation, keeping its documents"
        )


async def create_index(
    client: AsyncElasticsearch, *, alias: str, recreate: bool = False, fence: Fence = unfenced
) -> IndexCreation:
    """Make sure the versioned index exists with MAPPING and the alias points at it.

    Idempotent: the live generation is kept as it is unless `recreate` is set.
    """
    await _refuse_plain_index(client, alias=alias)
    index = concrete_index_name(alias)
    behind = await indices_behind(client, alias=alias)
    if recreate:
        dropped = await drop_index(client, alias=alias, fence=fence)
        await fence(f"create {index}")
        await _create(client, index=index, alias=alias)
        action: Literal["created", "recreated", "existed", "aliased"] = "recreated" if dropped else "created"
    elif behind:
        index = behind[-1]
        action = "existed"
    elif await client.indices.exists(index=index):
        await fence(f"point {alias} at {index}")
        await client.indices.put_alias(index=index, name=alias)
        action = "aliased"
    else:
        await fence(f"create {index}")
        await _create(client, index=index, alias=alias)
        action = "created"
    log.info("index %s", action, extra={"context": {"alias": alias, "index": index}})
    return IndexCreation(alias=alias, index=index, action=action)


async def _create(client: AsyncElasticsearch, *, index: str, alias: str) -> None:
    await client.indices.create(
        index=index,
        mappings={**MAPPING, "_meta": {"schema_version": SCHEMA_VERSION}},
        settings=INDEX_SETTINGS,
        aliases={alias: {"is_write_index": True}},
    )


async def drop_index(client: AsyncElasticsearch, *, alias: str, fence: Fence = unfenced) -> list[str]:
    """Delete the indices behind the alias and every generation of it; return their names.

    Only exact names are deleted, never a pattern, so `autos-unified` can never take
    `autos-unified-full-v1` with it.
    """
    await _refuse_plain_index(client, alias=alias)
    names = set(await indices_behind(client, alias=alias))
    names.update(await generation_indices(client, alias=alias))
    for name in sorted(names):
        await fence(f"delete {name}")
        await client.indices.delete(index=name)
    if names:
        log.info("index dropped", extra={"context": {"alias": alias, "indices": sorted(names)}})
    return sorted(names)


async def live_mapping(client: AsyncElasticsearch, *, alias: str) -> dict[str, Any]:
    """The mapping Elasticsearch actually holds for the alias's index (without `_meta`)."""
    response = await client.indices.get_mapping(index=alias)
    (mapping,) = (each["mappings"] for each in response.body.values())
    return {key: value for key, value in mapping.items() if key != "_meta"}


async def read_meta(client: AsyncElasticsearch, *, alias: str) -> dict[str, Any]:
    response = await client.indices.get_mapping(index=alias)
    (mapping,) = (each["mappings"] for each in response.body.values())
    return dict(mapping.get("_meta", {}))


async def write_meta(
    client: AsyncElasticsearch, *, alias: str, fence: Fence = unfenced, **values: Any
) -> None:
    """Merge values into the mapping's `_meta` (which Elasticsearch replaces as a whole);
    a None value removes the key."""
    merged = {**await read_meta(client, alias=alias), **values, "schema_version": SCHEMA_VERSION}
    meta = {key: value for key, value in merged.items() if value is not None}
    await fence(f"write the metadata of {alias}")
    await client.indices.put_mapping(index=alias, meta=meta)


async def document_count(client: AsyncElasticsearch, *, alias: str) -> int:
    return int((await client.count(index=alias))["count"])
