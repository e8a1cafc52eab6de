"""What a generation records about going live, so any process can tell a release from a rollback.

The alias swap itself leaves no trace of when or why it happened: Elasticsearch
keeps no history of an alias. So, just before the swap, the generation about
to go live records in its mapping's `_meta` the time (`live_since`) and how
many times it has gone live (`live_count`). Written before the `_aliases`
call, the record is already there when a replica sees the swap; a swap that
then fails leaves a generation that claims one more turn than it had, which
only changes how a later rollback to it is named. Every replica reads the
record back (`describe_live`) and names the swap the same way: the first time
a generation goes live is a release (a restore when it came from a snapshot);
any later time is a rollback.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from elasticsearch import AsyncElasticsearch

from datasources.elastic.index_schema import document_count, generation_indices

LIVE_SINCE = "live_since"
LIVE_COUNT = "live_count"
# release_source of a generation restored from a snapshot (datasources/releases/snapshots.py).
SNAPSHOT_SOURCE_PREFIX = "snapshot "


class SwapKind(enum.Enum):
    RELEASE = "release"
    ROLLBACK = "rollback"
    RESTORE = "restore"


@dataclass(frozen=True, slots=True)
class LiveGeneration:
    generation: str
    documents: int
    # None for a generation that went live before the record existed.
    live_since: datetime | None
    kind: SwapKind


def going_live(meta: dict[str, Any], *, now: datetime) -> dict[str, Any]:
    """The `_meta` a generation holds once it goes live at `now`."""
    return {**meta, LIVE_SINCE: now.isoformat(), LIVE_COUNT: int(meta.get(LIVE_COUNT, 0)) + 1}


async def record_going_live(client: AsyncElasticsearch, *, index: str) -> None:
    """Record on `index` that it goes live now; called just before the alias swap."""
    response = await client.indices.get_mapping(index=index)
    meta = dict(response.body[index]["mappings"].get("_meta", {}))
    await client.indices.put_mapping(index=index, meta=going_live(meta, now=datetime.now(UTC)))


def kind_of(meta: dict[str, Any], *, newest: bool) -> SwapKind:
    """How the generation with this `_meta` went live (most recently).

    A generation without the record went live before it existed: it is taken
    for a release when it is the newest generation, else for a rollback.
    """
    count = meta.get(LIVE_COUNT)
    first = newest if count is None else int(count) <= 1
    if not first:
        return SwapKind.ROLLBACK
    if str(meta.get("release_source", "")).startswith(SNAPSHOT_SOURCE_PREFIX):
        return SwapKind.RESTORE
    return SwapKind.RELEASE


def live_since(meta: dict[str, Any]) -> datetime | None:
    recorded = meta.get(LIVE_SINCE)
    return datetime.fromisoformat(recorded) if isinstance(recorded, str) else None


async def describe_live(client: AsyncElasticsearch, *, alias: str, generation: str) -> LiveGeneration:
    """The generation as it went live: its documents, when, and whether by release, rollback or restore.

    `generation` may be a revision alias of it (a write in place, datasources/releases/revisions.py):
    the generation is the index the name resolves to.
    """
    response = await client.indices.get_mapping(index=generation)
    ((index, body),) = response.body.items()
    meta = dict(body["mappings"].get("_meta", {}))
    generations = await generation_indices(client, alias=alias)
    return LiveGeneration(
        generation=index,
        documents=await document_count(client, alias=index),
        live_since=live_since(meta),
        kind=kind_of(meta, newest=not generations or generations[-1] == index),
    )
