"""Snapshots of the live generation, and restores that go live like a release.

The repository is registered on first use: an `fs` repository at a location
under the node's `path.repo`. A repository that already exists under that name
(an object store such as S3, GCS or Azure, registered by the operator) is used
as it is. A restore never overwrites anything: it goes into a new generation,
passes the release checks, and is swapped in atomically.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from elasticsearch import AsyncElasticsearch, NotFoundError, TransportError

from datasources.elastic.fence import Fence, unfenced
from datasources.elastic.index_schema import indices_behind
from datasources.releases.generations import (
    DEFAULT_KEEP,
    ReleaseRefused,
    generation_name,
    list_generations,
    mark,
    refuse_plain_index,
    remove_half_built,
)
from datasources.releases.release import ReleaseOutcome, SwapListener, go_live


@dataclass(frozen=True, slots=True)
class Snapshot:
    name: str
    state: str
    generation: str | None
    documents: int | None
    started: datetime | None
    seconds: float | None


async def ensure_repository(client: AsyncElasticsearch, *, repository: str, location: str) -> None:
    """Register the `fs` repository unless one of that name exists (of any type)."""
    try:
        await client.snapshot.get_repository(name=repository)
        return
    except NotFoundError:
        pass
    try:
        await client.snapshot.create_repository(
            name=repository, repository={"type": "fs", "settings": {"location": location}}
        )
    except TransportError as error:
        if "path.repo" in str(error):
            raise ReleaseRefused(
                f"Elasticsearch cannot register the fs repository {repository!r} at {location!r}: "
                "the node's path.repo setting must name a directory holding it "
                "(scripts/shell/services.sh sets it; see docs/releases.md)"
            ) from None
        raise


def default_snapshot_name(generation: str) -> str:
    return f"{generation}-{datetime.now(tz=UTC):%Y%m%d-%H%M%S}"


async def create_snapshot(
    client: AsyncElasticsearch, *, alias: str, repository: str, name: str | None = None
) -> Snapshot:
    """Snapshot the live generation (only it, no cluster state), waiting until it is complete."""
    behind = await indices_behind(client, alias=alias)
    if len(behind) != 1:
        raise ReleaseRefused(
            f"{alias} points at {len(behind)} indices; a snapshot takes exactly one generation"
        )
    (live,) = behind
    live_info = next(each for each in await list_generations(client, alias=alias) if each.name == live)
    snapshot = name or default_snapshot_name(live)
    started = time.perf_counter()
    response = await client.snapshot.create(
        repository=repository,
        snapshot=snapshot,
        indices=live,
        include_global_state=False,
        wait_for_completion=True,
        metadata={
            "alias": alias,
            "generation": live,
            "documents": live_info.documents,
            "source": live_info.source,
        },
    )
    info = response["snapshot"]
    if info.get("state") != "SUCCESS":
        raise ReleaseRefused(f"snapshot {snapshot} ended {info.get('state')}: {info.get('failures')}")
    return Snapshot(
        name=snapshot,
        state=str(info["state"]),
        generation=live,
        documents=live_info.documents,
        started=datetime.now(tz=UTC),
        seconds=time.perf_counter() - started,
    )


async def list_snapshots(client: AsyncElasticsearch, *, repository: str) -> list[Snapshot]:
    response = await client.snapshot.get(repository=repository, snapshot="*")
    snapshots = []
    for info in response["snapshots"]:
        metadata = info.get("metadata") or {}
        started_ms = info.get("start_time_in_millis")
        snapshots.append(
            Snapshot(
                name=info["snapshot"],
                state=info.get("state", "UNKNOWN"),
                generation=metadata.get("generation"),
                documents=metadata.get("documents"),
                started=None if started_ms is None else datetime.fromtimestamp(started_ms / 1000, tz=UTC),
                seconds=None if "duration_in_millis" not in info else info["duration_in_millis"] / 1000,
            )
        )
    return sorted(snapshots, key=lambda each: each.started or datetime.min.replace(tzinfo=UTC))


async def restore_snapshot(
    client: AsyncElasticsearch,
    *,
    alias: str,
    repository: str,
    snapshot: str,
    keep: int = DEFAULT_KEEP,
    on_swap: SwapListener | None = None,
    fence: Fence = unfenced,
) -> ReleaseOutcome:
    """Restore the snapshot's generation as a new generation and release it."""
    await refuse_plain_index(client, alias=alias)
    try:
        response = await client.snapshot.get(repository=repository, snapshot=snapshot)
    except NotFoundError:
        raise ReleaseRefused(f"no snapshot {snapshot!r} in the repository {repository!r}") from None
    (info,) = response["snapshots"]
    metadata = info.get("metadata") or {}
    indices = list(info.get("indices", []))
    source_index = metadata.get("generation") or (indices[0] if len(indices) == 1 else None)
    if source_index not in indices or metadata.get("documents") is None:
        raise ReleaseRefused(
            f"snapshot {snapshot!r} was not taken by `data snapshot create` (no generation in it)"
        )
    removed = await remove_half_built(client, alias=alias, fence=fence)
    numbers = [each.number for each in await list_generations(client, alias=alias)]
    target = generation_name(alias, max(numbers, default=0) + 1)
    outcome = ReleaseOutcome(generation=target, live=False, removed_half_built=removed)
    outcome.source_records = int(metadata["documents"])
    started = time.perf_counter()
    await fence(f"restore {snapshot} into {target}")
    await client.snapshot.restore(
        repository=repository,
        snapshot=snapshot,
        indices=source_index,
        rename_pattern=".+",
        rename_replacement=target,
        include_aliases=False,
        include_global_state=False,
        wait_for_completion=True,
    )
    # Marked at once: a restore killed from here on leaves a generation the next release removes.
    await mark(
        client, index=target, release_state="building", release_source=f"snapshot {snapshot}", fence=fence
    )
    outcome.load.indexed = outcome.source_records
    outcome.seconds["restore"] = time.perf_counter() - started
    await go_live(client, alias=alias, outcome=outcome, keep=keep, on_swap=on_swap, fence=fence)
    return outcome
