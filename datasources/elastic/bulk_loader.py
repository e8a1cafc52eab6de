"""Bulk indexing of a record stream into the autos alias.

Records flow from any iterator through a bounded queue into a few concurrent
`async_streaming_bulk` workers, so memory stays at a few chunks whatever the
dataset size, while Elasticsearch always has the next request waiting.
Documents are written with `_id = vehicle_id`: loading the same records twice
overwrites them, it never duplicates. Each chunk, and each settings change,
waits for the caller's fence first (datasources/elastic/fence.py): a loader
whose release lock was lost sends nothing more, and says so with `Fenced`.
A failure that stops the load (a fence, or the source's own error, such as a
file that cannot be read) is raised as itself, not as an exception group.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Final

import orjson
from elasticsearch import AsyncElasticsearch
from elasticsearch.helpers import async_streaming_bulk

from datasources.catalog.dataset import DatasetKind, Fingerprint, dataset_fingerprint, iter_records
from datasources.elastic.fence import Fence, Fenced, unfenced
from datasources.elastic.index_schema import document_count, index_exists, read_meta, write_meta
from datasources.vehicles.vehicle_record import VehicleRecord

log = logging.getLogger(__name__)

DEFAULT_CHUNK_SIZE: Final = 2_500
DEFAULT_CONCURRENCY: Final = 3
LOG_EVERY: Final = 1_000
KEPT_ERRORS: Final = 20  # enough to diagnose a mapping problem without flooding the summary

ProgressCallback = Callable[[int], None]


@dataclass(slots=True)
class LoadResult:
    indexed: int = 0
    failed: int = 0
    seconds: float = 0.0
    errors: list[dict[str, Any]] = field(default_factory=list)


@asynccontextmanager
async def relaxed_indexing(
    client: AsyncElasticsearch, *, alias: str, fence: Fence = unfenced
) -> AsyncIterator[None]:
    """No refreshes and no replicas while loading, the previous settings restored after.

    Each refresh writes a new segment and each replica indexes every document again;
    during a bulk load neither serves anyone. The final refresh makes the data visible.
    """
    response = await client.indices.get_settings(index=alias, flat_settings=True)
    (current,) = response.body.values()
    kept = {
        name: current["settings"].get(f"index.{name}")
        for name in ("refresh_interval", "number_of_replicas", "auto_expand_replicas")
    }
    await fence(f"relax the settings of {alias}")
    await client.indices.put_settings(
        index=alias,
        settings={"refresh_interval": "-1", "auto_expand_replicas": "false", "number_of_replicas": 0},
    )
    fenced = False
    try:
        yield
    except Fenced:
        fenced = True  # the settings now belong to whoever holds the lock; the first refusal is the news
        raise
    finally:
        if not fenced:
            await _restore(client, alias=alias, settings=kept, fence=fence)


async def _restore(client: AsyncElasticsearch, *, alias: str, settings: dict[str, Any], fence: Fence) -> None:
    await fence(f"restore the settings of {alias}")
    # A None value resets the setting to its default, which is what "unset before" meant.
    await client.indices.put_settings(index=alias, settings=settings)
    await client.indices.refresh(index=alias)


def _action(alias: str, record: VehicleRecord) -> dict[str, Any]:
    # Serialised here, by orjson straight from the dataclass: the client's stdlib encoder
    # (and dataclasses.asdict) would be the largest Python costs of a load, and the client
    # passes bytes through untouched.
    return {"_index": alias, "_id": record.vehicle_id, "_source": orjson.dumps(record)}


def _expand(action: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    return {"index": {"_index": action["_index"], "_id": action["_id"]}}, action["_source"]


async def bulk_index(
    client: AsyncElasticsearch,
    *,
    alias: str,
    records: Iterable[VehicleRecord],
    on_progress: ProgressCallback | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    concurrency: int = DEFAULT_CONCURRENCY,
    relax_refresh: bool = True,
    fence: Fence = unfenced,
) -> LoadResult:
    """Index every record (upsert by vehicle_id) and report what went in and what failed.

    `on_progress` receives the number of records just acknowledged (ok or failed),
    suitable for advancing a progress bar.
    """
    result = LoadResult()
    started = time.perf_counter()
    # Any write makes the index something other than a named dataset; load_dataset
    # records the fingerprint again once its load is complete.
    await write_meta(
        client, alias=alias, dataset=None, dataset_fingerprint=None, dataset_count=None, fence=fence
    )
    queue: asyncio.Queue[list[dict[str, Any]] | None] = asyncio.Queue(maxsize=concurrency * 2)

    async def produce() -> None:
        chunk: list[dict[str, Any]] = []
        for record in records:
            chunk.append(_action(alias, record))
            if len(chunk) == chunk_size:
                await queue.put(chunk)
                chunk = []
        if chunk:
            await queue.put(chunk)
        for _ in range(concurrency):
            await queue.put(None)

    async def actions() -> AsyncIterator[dict[str, Any]]:
        while (chunk := await queue.get()) is not None:
            # Queue chunks and bulk requests are the same size: this is the last await before
            # the helper sends the previous chunk's successor.
            await fence(f"write {len(chunk):,} documents into {alias}")
            for action in chunk:
                yield action

    acknowledged = 0

    def acknowledge(count: int) -> None:
        nonlocal acknowledged
        before, acknowledged = acknowledged, acknowledged + count
        if on_progress is not None:
            on_progress(count)
        for done in range((before // LOG_EVERY + 1) * LOG_EVERY, acknowledged + 1, LOG_EVERY):
            log.info(
                "bulk progress",
                extra={"context": {"alias": alias, "records": done, "failed": result.failed}},
            )

    async def work() -> None:
        pending = 0
        async for ok, item in async_streaming_bulk(
            client,
            actions(),
            chunk_size=chunk_size,
            expand_action_callback=_expand,  # type: ignore[arg-type]
            raise_on_error=False,
            raise_on_exception=False,
            max_retries=3,  # 429s from a busy node are retried with backoff, not lost
            initial_backoff=0.5,
        ):
            pending += 1
            if ok:
                result.indexed += 1
            else:
                result.failed += 1
                if len(result.errors) < KEPT_ERRORS:
                    result.errors.append(item)
            if pending == chunk_size:
                acknowledge(pending)
                pending = 0
        if pending:
            acknowledge(pending)

    async def run() -> None:
        # A task group cancels the producer if a worker dies, so nothing waits on a full queue forever.
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(produce())
                for _ in range(concurrency):
                    group.create_task(work())
        except BaseExceptionGroup as failed:
            raise _one_reason(failed) from None

    if relax_refresh:
        async with relaxed_indexing(client, alias=alias, fence=fence):
            await run()
    else:
        await run()
    result.seconds = time.perf_counter() - started
    log.info(
        "bulk load finished",
        extra={
            "context": {
                "alias": alias,
                "indexed": result.indexed,
                "failed": result.failed,
                "seconds": round(result.seconds, 2),
            }
        },
    )
    return result


def _one_reason(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """What stopped the load, as the caller can catch it: a fence's refusal if any (every worker may
    meet one), else the one failure that cancelled the rest (a source's error, say); several
    different failures stay a group."""
    fenced = group.subgroup(Fenced)
    if fenced is not None:
        first: BaseException = fenced
        while isinstance(first, BaseExceptionGroup):
            first = first.exceptions[0]
        return first
    return group.exceptions[0] if len(group.exceptions) == 1 else group


async def holds_dataset(client: AsyncElasticsearch, *, alias: str, kind: DatasetKind) -> bool:
    """Whether the alias holds exactly this dataset, as the last load_dataset left it."""
    if not await index_exists(client, alias=alias):
        return False
    meta = await read_meta(client, alias=alias)
    if meta.get("dataset_fingerprint") != dataset_fingerprint(kind):
        return False
    return await document_count(client, alias=alias) == meta.get("dataset_count")


async def load_dataset(
    client: AsyncElasticsearch,
    *,
    alias: str,
    kind: DatasetKind,
    on_progress: ProgressCallback | None = None,
    fence: Fence = unfenced,
) -> LoadResult:
    """Load a named dataset and record its fingerprint in the index's `_meta`."""
    digest = Fingerprint()

    def fingerprinted() -> Iterator[VehicleRecord]:
        for record in iter_records(kind):
            digest.add(record)
            yield record

    result = await bulk_index(
        client, alias=alias, records=fingerprinted(), on_progress=on_progress, fence=fence
    )
    if result.failed:
        return result  # an incomplete load must not pass for the dataset
    await write_meta(
        client,
        alias=alias,
        dataset=kind,
        dataset_fingerprint=digest.hexdigest(),
        dataset_count=await document_count(client, alias=alias),
        fence=fence,
    )
    return result
