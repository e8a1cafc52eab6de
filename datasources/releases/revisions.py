"""A new revision name for a generation written in place, so no cached answer outlives the write.

Caches key their answers by the name the API reads (datasources/elastic/index_version.py),
normally the generation behind the alias. A write into that same generation
(`data load --live`, `data reset`, `data create-index --recreate`) leaves the
name unchanged, so answers cached before it would be served for their TTL. A
revision alias `<generation>-r<N>` on the generation fixes that: every process
reads and keys by the newest revision from its next refresh (half a second),
and the older revision alias goes in the same atomic `_aliases` call. N is the
time in milliseconds, so a generation deleted and created again under the same
name never comes back under a revision name it had before.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from elasticsearch import AsyncElasticsearch

from datasources.elastic.fence import Fence, unfenced
from datasources.elastic.index_schema import indices_behind, newest_revision, revision_alias
from datasources.releases.generations import ReleaseRefused

log = logging.getLogger(__name__)


async def bump_revision(client: AsyncElasticsearch, *, alias: str, fence: Fence = unfenced) -> str:
    """Give the live generation a new revision alias (dropping the old one); returns its name."""
    behind = await indices_behind(client, alias=alias)
    if len(behind) != 1:
        raise ReleaseRefused(f"{alias} points at {len(behind)} indices; a revision names exactly one")
    (index,) = behind
    aliases = (await client.indices.get_alias(index=index)).body[index].get("aliases", {})
    previous = newest_revision(index, aliases)
    number = time.time_ns() // 1_000_000
    if previous is not None:
        number = max(number, int(previous.rsplit("-r", 1)[1]) + 1)
    name = revision_alias(index, number)
    actions: list[dict[str, Any]] = [{"add": {"index": index, "alias": name}}]
    if previous is not None:
        actions.append({"remove": {"index": index, "alias": previous, "must_exist": True}})
    await fence(f"name {index} revision {name}")
    response = await client.indices.update_aliases(actions=actions)
    if response.body.get("errors") or not response.body.get("acknowledged", False):
        raise ReleaseRefused(f"the revision alias {name} was not applied: {response.body}")
    log.info("revision named", extra={"context": {"alias": alias, "index": index, "revision": name}})
    return name


__all__ = ["bump_revision"]
