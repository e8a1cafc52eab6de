"""The Subscription root: the catalog's data releases as they go live."""

from __future__ import annotations

import enum
from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Annotated

import strawberry

from datasources.releases.going_live import LiveGeneration, SwapKind
from graph.gql.context import Info


@strawberry.enum(description="How a generation went live.")
class CatalogReleaseKind(enum.Enum):
    RELEASE = "release"
    ROLLBACK = "rollback"
    RESTORE = "restore"


@strawberry.type(description="The generation of the catalog that is live, as it went live.")
class CatalogRelease:
    generation: str = strawberry.field(description="The concrete index behind the alias (`<alias>-v<N>`).")
    documents: int = strawberry.field(description="How many vehicle records it holds.")
    live_since: datetime | None = strawberry.field(
        description="When it went live; null for a generation that went live before this was recorded."
    )
    kind: CatalogReleaseKind = strawberry.field(
        description="A release (first time live), a rollback (live again) or a restore (from a snapshot)."
    )

    @classmethod
    def from_live(cls, live: LiveGeneration) -> CatalogRelease:
        return cls(
            generation=live.generation,
            documents=live.documents,
            live_since=live.live_since,
            kind=_KINDS[live.kind],
        )


_KINDS = {
    SwapKind.RELEASE: CatalogReleaseKind.RELEASE,
    SwapKind.ROLLBACK: CatalogReleaseKind.ROLLBACK,
    SwapKind.RESTORE: CatalogReleaseKind.RESTORE,
}


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description=(
            "Every swap of the live catalog generation (release, rollback, restore), on every replica "
            "within a second. Over graphql-transport-ws (WebSocket at /graphql) or Server-Sent Events "
            "(/graphql/stream, or /graphql with Accept: text/event-stream)."
        )
    )
    async def catalog_releases(
        self,
        info: Info,
        include_live: Annotated[
            bool, strawberry.argument(description="Start with the generation live now.")
        ] = False,
    ) -> AsyncGenerator[CatalogRelease, None]:
        async for live in info.context.services.releases.follow(include_live=include_live):
            yield CatalogRelease.from_live(live)
