"""A release: a new generation built, checked, swapped in, and the old ones pruned.

The live generation is only ever touched by the final `_aliases` call. A load
that is refused, fails or is killed leaves it serving; what the interrupted
release left behind is deleted by the next one. The caller's `fence` (the
release lock's) is awaited before every delete, bulk chunk, mark and swap.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from elasticsearch import AsyncElasticsearch

from datasources.catalog.dataset import DatasetKind, Fingerprint
from datasources.elastic.bulk_loader import LoadResult, ProgressCallback, bulk_index
from datasources.elastic.fence import Fence, unfenced
from datasources.elastic.index_schema import indices_behind, write_meta
from datasources.releases.checks import CheckReport, check_generation
from datasources.releases.generations import (
    DEFAULT_KEEP,
    ReleaseRefused,
    create_generation,
    list_generations,
    mark,
    prune,
    refuse_plain_index,
    remove_half_built,
    rollback_target,
    swap_alias,
)
from datasources.vehicles.vehicle_record import VehicleRecord

log = logging.getLogger(__name__)

# Told the new generation's name the moment the alias moved: the swapping process's caches follow at once.
SwapListener = Callable[[str], None]


@dataclass(slots=True)
class ReleaseOutcome:
    generation: str
    live: bool
    replaced: str | None = None
    source_records: int = 0
    load: LoadResult = field(default_factory=LoadResult)
    report: CheckReport = field(default_factory=CheckReport)
    removed_half_built: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    # Seconds per step: load (or copy/restore), check, swap, prune.
    seconds: dict[str, float] = field(default_factory=dict)


async def go_live(
    client: AsyncElasticsearch,
    *,
    alias: str,
    outcome: ReleaseOutcome,
    keep: int,
    on_swap: SwapListener | None,
    fence: Fence = unfenced,
) -> None:
    """Check the built generation; swap it in if every check passed, else mark it failed and delete it."""
    started = time.perf_counter()
    if outcome.load.failed:
        outcome.report.failed.append(f"indexing: {outcome.load.failed:,} documents failed")
    checked = await check_generation(
        client, index=outcome.generation, expected_documents=outcome.source_records
    )
    outcome.report.documents = checked.documents
    outcome.report.passed.extend(checked.passed)
    outcome.report.failed.extend(checked.failed)
    outcome.seconds["check"] = time.perf_counter() - started
    if not outcome.report.ok:
        await mark(client, index=outcome.generation, release_state="failed", fence=fence)
        await fence(f"delete {outcome.generation}")
        await client.indices.delete(index=outcome.generation)
        return
    started = time.perf_counter()
    behind = await indices_behind(client, alias=alias)
    await mark(
        client,
        index=outcome.generation,
        release_state="ready",
        release_replaced=behind[0] if len(behind) == 1 else None,
        fence=fence,
    )
    outcome.replaced = await swap_alias(client, alias=alias, to=outcome.generation, fence=fence)
    outcome.live = True
    if on_swap is not None:
        on_swap(outcome.generation)
    outcome.seconds["swap"] = time.perf_counter() - started
    started = time.perf_counter()
    outcome.deleted = await prune(client, alias=alias, keep=keep, fence=fence)
    outcome.seconds["prune"] = time.perf_counter() - started


async def release(
    client: AsyncElasticsearch,
    *,
    alias: str,
    source: str,
    records: Iterable[VehicleRecord],
    dataset: DatasetKind | None = None,
    keep: int = DEFAULT_KEEP,
    on_progress: ProgressCallback | None = None,
    on_swap: SwapListener | None = None,
    fence: Fence = unfenced,
) -> ReleaseOutcome:
    """Build a generation from `records` beside the live one and swap it in if it passes its checks.

    `dataset` names a catalog dataset whose fingerprint is recorded, as `data load` does.
    """
    await refuse_plain_index(client, alias=alias)
    removed = await remove_half_built(client, alias=alias, fence=fence)
    name = await create_generation(client, alias=alias, source=source, fence=fence)
    outcome = ReleaseOutcome(generation=name, live=False, removed_half_built=removed)
    digest = Fingerprint()

    def counted() -> Iterator[VehicleRecord]:
        for record in records:
            outcome.source_records += 1
            digest.add(record)
            yield record

    started = time.perf_counter()
    outcome.load = await bulk_index(
        client, alias=name, records=counted(), on_progress=on_progress, fence=fence
    )
    outcome.seconds["load"] = time.perf_counter() - started
    if dataset is not None and not outcome.load.failed:
        await write_meta(
            client,
            alias=name,
            dataset=dataset,
            dataset_fingerprint=digest.hexdigest(),
            dataset_count=outcome.source_records,
            fence=fence,
        )
    await go_live(client, alias=alias, outcome=outcome, keep=keep, on_swap=on_swap, fence=fence)
    return outcome


@dataclass(frozen=True, slots=True)
class Rollback:
    left: str | None
    live: str
    seconds: float


async def rollback(
    client: AsyncElasticsearch,
    *,
    alias: str,
    to: str | None = None,
    on_swap: SwapListener | None = None,
    fence: Fence = unfenced,
) -> Rollback:
    """Point the alias back at the generation the live one replaced (or at `to`), atomically."""
    started = time.perf_counter()
    await refuse_plain_index(client, alias=alias)
    target = rollback_target(await list_generations(client, alias=alias), to=to)
    left = await swap_alias(client, alias=alias, to=target.name, fence=fence)
    if on_swap is not None:
        on_swap(target.name)
    return Rollback(left=left, live=target.name, seconds=time.perf_counter() - started)


__all__ = ["ReleaseOutcome", "ReleaseRefused", "Rollback", "SwapListener", "go_live", "release", "rollback"]
