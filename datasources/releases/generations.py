"""Generations: the concrete indices `<alias>-v<N>` the alias can point at.

A generation is created empty beside the live one, loaded, checked, and only
then swapped in by ONE `_aliases` call, so readers see the old generation or
the new one, never a mix and never nothing. What a generation is (its state,
its source, the generation it replaced) is kept in its mapping's `_meta`,
so the cluster itself is the record: no side file can disagree with it.
Every step here that creates, deletes, marks or swaps awaits its `fence`
just before it acts (datasources/elastic/fence.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Literal

from elasticsearch import AsyncElasticsearch

from datasources.elastic.fence import Fence, unfenced
from datasources.elastic.index_schema import (
    INDEX_SETTINGS,
    MAPPING,
    SCHEMA_VERSION,
    generation_indices,
    generation_number,
    indices_behind,
)
from datasources.releases.going_live import record_going_live

log = logging.getLogger(__name__)

DEFAULT_KEEP: Final = 2

State = Literal["building", "ready", "failed"]


class ReleaseRefused(Exception):
    """A release, rollback, restore or adoption that was stopped; the message says why."""


@dataclass(frozen=True, slots=True)
class Generation:
    name: str
    number: int
    documents: int
    created: datetime
    source: str
    state: str
    live: bool
    # The generation that was live when this one was released: what `rollback` returns to.
    replaced: str | None


def generation_name(alias: str, number: int) -> str:
    return f"{alias}-v{number}"


async def list_generations(client: AsyncElasticsearch, *, alias: str) -> list[Generation]:
    """Every generation of the alias, oldest first."""
    names = await generation_indices(client, alias=alias)
    if not names:
        return []
    found = (await client.indices.get(index=",".join(names))).body
    stats = await client.indices.stats(index=",".join(found), metric="docs")
    generations = []
    for name, body in found.items():
        meta = body.get("mappings", {}).get("_meta", {})
        created_ms = int(body["settings"]["index"]["creation_date"])
        docs = stats["indices"].get(name, {}).get("primaries", {}).get("docs", {}).get("count", 0)
        generations.append(
            Generation(
                name=name,
                number=generation_number(alias, name) or 0,
                documents=int(docs),
                created=datetime.fromtimestamp(created_ms / 1000, tz=UTC),
                source=str(meta.get("release_source", meta.get("dataset", "unknown"))),
                # Indices created before releases existed were loaded in place: ready by definition.
                state=str(meta.get("release_state", "ready")),
                live=alias in body.get("aliases", {}),
                replaced=meta.get("release_replaced"),
            )
        )
    return sorted(generations, key=lambda each: each.number)


async def create_generation(
    client: AsyncElasticsearch, *, alias: str, source: str, allow_plain: bool = False, fence: Fence = unfenced
) -> str:
    """A new, empty generation numbered after every existing one, marked `building`.

    `allow_plain` is for adoption, which builds the generation that will replace a plain index.
    """
    if not allow_plain:
        await refuse_plain_index(client, alias=alias)
    numbers = [each.number for each in await list_generations(client, alias=alias)]
    name = generation_name(alias, max(numbers, default=0) + 1)
    meta = {"schema_version": SCHEMA_VERSION, "release_state": "building", "release_source": source}
    await fence(f"create {name}")
    await client.indices.create(index=name, mappings={**MAPPING, "_meta": meta}, settings=INDEX_SETTINGS)
    log.info("generation created", extra={"context": {"alias": alias, "generation": name, "source": source}})
    return name


async def mark(client: AsyncElasticsearch, *, index: str, fence: Fence = unfenced, **values: Any) -> None:
    """Merge values into the generation's `_meta` (Elasticsearch replaces `_meta` as a whole)."""
    response = await client.indices.get_mapping(index=index)
    meta = dict(response.body[index]["mappings"].get("_meta", {}))
    meta.update(values)
    await fence(f"mark {index}")
    await client.indices.put_mapping(index=index, meta={k: v for k, v in meta.items() if v is not None})


async def refuse_plain_index(client: AsyncElasticsearch, *, alias: str) -> None:
    if await client.indices.exists(index=alias) and not await indices_behind(client, alias=alias):
        raise ReleaseRefused(
            f"{alias!r} is a plain index (the old backend's), not an alias: "
            "run `autos-graph data adopt` to turn it into a generation first"
        )


async def swap_alias(
    client: AsyncElasticsearch, *, alias: str, to: str, fence: Fence = unfenced
) -> str | None:
    """Point the alias at `to` and at nothing else, in ONE atomic `_aliases` call.

    Returns the generation it pointed at before. Each `remove` names an index
    read a moment ago with `must_exist`, so the call fails as a whole if another
    swap got in between, instead of leaving the alias on two generations; a
    response that reports failed actions (`errors`) is refused as well.
    """
    before = await indices_behind(client, alias=alias)
    actions: list[dict[str, Any]] = [
        {"remove": {"index": name, "alias": alias, "must_exist": True}} for name in before
    ]
    actions.append({"add": {"index": to, "alias": alias, "is_write_index": True}})
    await fence(f"record that {to} goes live")
    await record_going_live(client, index=to)
    await fence(f"swap {alias} to {to}")
    response = await client.indices.update_aliases(actions=actions)
    if response.body.get("errors") or not response.body.get("acknowledged", False):
        raise ReleaseRefused(
            f"the alias swap of {alias} to {to} was not applied as a whole: "
            f"{response.body.get('action_results', response.body)}"
        )
    previous = before[0] if len(before) == 1 else None
    log.info("alias swapped", extra={"context": {"alias": alias, "from": before, "to": to}})
    return previous


async def remove_half_built(client: AsyncElasticsearch, *, alias: str, fence: Fence = unfenced) -> list[str]:
    """Delete generations an interrupted or refused release left behind (never the live one)."""
    removed = []
    for each in await list_generations(client, alias=alias):
        if not each.live and each.state in ("building", "failed"):
            await fence(f"delete {each.name}")
            await client.indices.delete(index=each.name)
            removed.append(each.name)
    if removed:
        log.info("half-built generations removed", extra={"context": {"alias": alias, "removed": removed}})
    return removed


def kept_generations(generations: list[Generation], *, keep: int) -> set[str]:
    """The live generation, the ones it replaced in turn, then the newest others, up to `keep`."""
    by_name = {each.name: each for each in generations}
    live = next((each for each in generations if each.live), None)
    kept: list[str] = []
    current = live
    while current is not None and len(kept) < keep and current.name not in kept:
        kept.append(current.name)
        current = by_name.get(current.replaced) if current.replaced else None
    for each in sorted(generations, key=lambda g: g.number, reverse=True):
        if len(kept) >= keep:
            break
        if each.name not in kept and each.state == "ready":
            kept.append(each.name)
    return set(kept)


async def prune(
    client: AsyncElasticsearch, *, alias: str, keep: int = DEFAULT_KEEP, fence: Fence = unfenced
) -> list[str]:
    """Delete the ready generations beyond the last `keep` (the live one always stays)."""
    generations = await list_generations(client, alias=alias)
    kept = kept_generations(generations, keep=max(keep, 1))
    deleted = [
        each.name for each in generations if each.state == "ready" and not each.live and each.name not in kept
    ]
    for name in deleted:
        await fence(f"delete {name}")
        await client.indices.delete(index=name)
    if deleted:
        log.info("old generations deleted", extra={"context": {"alias": alias, "deleted": deleted}})
    return deleted


def rollback_target(generations: list[Generation], *, to: str | None = None) -> Generation:
    """The generation a rollback goes to: `to`, or the one the live generation replaced,
    or else the newest ready generation older than the live one."""
    live = next((each for each in generations if each.live), None)
    ready = {each.name: each for each in generations if each.state == "ready" and not each.live}
    if to is not None:
        if to not in ready:
            raise ReleaseRefused(
                f"{to} is not a ready generation beside the live one (see `data generations`)"
            )
        return ready[to]
    if live is None:
        raise ReleaseRefused("no generation is live, so there is nothing to roll back from")
    if live.replaced in ready:
        return ready[live.replaced]
    older = [each for each in ready.values() if each.number < live.number]
    if not older:
        raise ReleaseRefused(
            f"{live.name} is live and no earlier generation is kept; nothing to roll back to"
        )
    return max(older, key=lambda each: each.number)
