"""Adopting the old backend's plain `autos-unified` index as a generation.

The old backend wrote a plain index under the name the alias now needs. Its
documents are copied into a new generation page by page (a point in time with
`search_after`; this Elasticsearch has no `_reindex`) and bulk-indexed with
`_id = vehicle_id`, as every load writes them. When the copy holds exactly as
many documents as the plain index, ONE `_aliases` call adds the alias to the
generation and removes the plain index, so the name never stops answering.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Final

from elasticsearch import AsyncElasticsearch
from elasticsearch.helpers import async_streaming_bulk

from datasources.elastic.bulk_loader import ProgressCallback, relaxed_indexing
from datasources.elastic.fence import Fence, unfenced
from datasources.elastic.index_schema import document_count, indices_behind
from datasources.releases.checks import CheckReport, check_generation
from datasources.releases.generations import (
    ReleaseRefused,
    create_generation,
    generation_name,
    list_generations,
    mark,
)

log = logging.getLogger(__name__)

PAGE_SIZE: Final = 2_000
POINT_IN_TIME_KEEP_ALIVE: Final = "5m"
KEPT_ERRORS: Final = 5


@dataclass(frozen=True, slots=True)
class AdoptionPlan:
    plain_index: str
    documents: int
    generation: str


@dataclass(slots=True)
class Adoption:
    plan: AdoptionPlan
    copied: int = 0
    failed: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    report: CheckReport = field(default_factory=CheckReport)
    adopted: bool = False
    seconds: float = 0.0


async def plan_adoption(client: AsyncElasticsearch, *, alias: str) -> AdoptionPlan:
    if not await client.indices.exists(index=alias) or await indices_behind(client, alias=alias):
        raise ReleaseRefused(f"{alias!r} is not a plain index: there is nothing to adopt")
    numbers = [each.number for each in await list_generations(client, alias=alias)]
    return AdoptionPlan(
        plain_index=alias,
        documents=await document_count(client, alias=alias),
        generation=generation_name(alias, max(numbers, default=0) + 1),
    )


async def _pages(client: AsyncElasticsearch, *, index: str) -> AsyncIterator[list[dict[str, Any]]]:
    """Every document of `index` as it was when the copy began, a page at a time."""
    pit = (await client.open_point_in_time(index=index, keep_alive=POINT_IN_TIME_KEEP_ALIVE))["id"]
    try:
        after: list[Any] | None = None
        while True:
            response = await client.search(
                pit={"id": pit, "keep_alive": POINT_IN_TIME_KEEP_ALIVE},
                sort=[{"_shard_doc": "asc"}],
                size=PAGE_SIZE,
                search_after=after,
                track_total_hits=False,
            )
            hits = response["hits"]["hits"]
            if not hits:
                return
            pit = response.get("pit_id", pit)
            after = hits[-1]["sort"]
            yield hits
    finally:
        await client.close_point_in_time(id=pit)


async def adopt(
    client: AsyncElasticsearch,
    *,
    alias: str,
    on_progress: ProgressCallback | None = None,
    fence: Fence = unfenced,
) -> Adoption:
    """Copy the plain index into a new generation and put the alias in its place, or say why not."""
    started = time.perf_counter()
    plan = await plan_adoption(client, alias=alias)
    name = await create_generation(
        client, alias=alias, source=f"adopted from the plain index {alias}", allow_plain=True, fence=fence
    )
    if name != plan.generation:
        raise ReleaseRefused(f"another generation appeared while planning ({name}); run adopt again")
    adoption = Adoption(plan=plan)

    async def actions() -> AsyncIterator[dict[str, Any]]:
        async for hits in _pages(client, index=alias):
            await fence(f"copy {len(hits):,} documents into {name}")
            for hit in hits:
                source = hit["_source"]
                yield {"_index": name, "_id": str(source.get("vehicle_id") or hit["_id"]), "_source": source}

    async with relaxed_indexing(client, alias=name, fence=fence):
        async for ok, item in async_streaming_bulk(
            client,
            actions(),
            chunk_size=PAGE_SIZE,
            raise_on_error=False,
            raise_on_exception=False,
            max_retries=3,
        ):
            if ok:
                adoption.copied += 1
            else:
                adoption.failed += 1
                if len(adoption.errors) < KEPT_ERRORS:
                    adoption.errors.append(item)
            if on_progress is not None:
                on_progress(1)
    adoption.report = await check_generation(client, index=name, expected_documents=plan.documents)
    if adoption.failed:
        adoption.report.failed.insert(0, f"copy: {adoption.failed:,} documents were refused by the mapping")
    if adoption.report.documents < adoption.copied:
        adoption.report.failed.append("documents: several share one vehicle_id, so the copy holds fewer")
    if await document_count(client, alias=alias) != plan.documents:
        adoption.report.failed.append("the plain index changed during the copy; stop what writes to it first")
    if not adoption.report.ok:
        await fence(f"delete {name}")
        await client.indices.delete(index=name)
        adoption.seconds = time.perf_counter() - started
        return adoption
    await mark(client, index=name, release_state="ready", fence=fence)
    await fence(f"replace the plain index {alias} by {name}")
    # One call: the plain index disappears as the alias of the same name appears.
    response = await client.indices.update_aliases(
        actions=[
            {"add": {"index": name, "alias": alias, "is_write_index": True}},
            {"remove_index": {"index": alias}},
        ]
    )
    if response.body.get("errors") or not response.body.get("acknowledged", False):
        raise ReleaseRefused(f"the alias call replacing {alias} by {name} was not applied: {response.body}")
    adoption.adopted = True
    adoption.seconds = time.perf_counter() - started
    log.info(
        "plain index adopted",
        extra={"context": {"alias": alias, "generation": name, "documents": plan.documents}},
    )
    return adoption
