"""Steady traffic against a served process, each answer reduced to the one count it implies.

Every answer is checked for consistency within itself: a GraphQL answer's
`vehicles.totalCount`, its picker groups' counts summed and its facets' total
must agree, or it mixed two generations. REST answers carry one count each.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any, Final

import httpx

KINDS: Final = ("graphql", "rest-vehicles", "rest-combinations")
GRAPHQL_QUERY: Final = """
{ vehicles(first: 1) { totalCount }
  manufacturerModelCombinations(first: 500) { totalCount nodes { count } }
  facets { totalCount } }
"""


@dataclass(frozen=True, slots=True)
class Answer:
    sent: float
    kind: str
    count: int | None
    problem: str | None = None
    # When the answer came back (monotonic); 0 for a request that got none.
    received: float = 0.0


@dataclass(slots=True)
class Traffic:
    answers: list[Answer] = field(default_factory=list)

    @property
    def failures(self) -> list[Answer]:
        return [answer for answer in self.answers if answer.problem is not None]

    def counts(self) -> set[int | None]:
        return {answer.count for answer in self.answers}

    def by_kind(self) -> dict[str, int]:
        kinds: dict[str, int] = {}
        for answer in self.answers:
            kinds[answer.kind] = kinds.get(answer.kind, 0) + 1
        return kinds


def _graphql_count(body: dict[str, Any]) -> tuple[int | None, str | None]:
    if body.get("errors") or not body.get("data"):
        return None, f"errors: {body.get('errors')}"
    data = body["data"]
    total = data["vehicles"]["totalCount"]
    grouped = sum(node["count"] for node in data["manufacturerModelCombinations"]["nodes"])
    faceted = data["facets"]["totalCount"]
    if not total == grouped == faceted:
        return None, f"mixed generations: vehicles {total}, picker {grouped}, facets {faceted}"
    return int(total), None


async def _one(client: httpx.AsyncClient, kind: str, traffic: Traffic) -> None:
    sent = time.monotonic()
    try:
        if kind == "graphql":
            response = await client.post("/graphql", json={"query": GRAPHQL_QUERY})
        elif kind == "rest-vehicles":
            response = await client.get("/api/v1/vehicles/details", params={"size": 1})
        else:
            response = await client.get("/api/v1/manufacturer-model-combinations", params={"size": 100})
    except httpx.HTTPError as error:
        traffic.answers.append(Answer(sent=sent, kind=kind, count=None, problem=f"transport: {error!r}"))
        return
    if response.status_code != 200:
        status = f"status {response.status_code}: {response.text[:200]}"
        traffic.answers.append(Answer(sent=sent, kind=kind, count=None, problem=status))
        return
    body = response.json()
    problem: str | None = None
    if kind == "graphql":
        count, problem = _graphql_count(body)
    elif kind == "rest-vehicles":
        count = int(body["total"])
    else:
        count = sum(group["count"] for group in body["data"])
    traffic.answers.append(
        Answer(sent=sent, kind=kind, count=count, problem=problem, received=time.monotonic())
    )


async def steady_traffic(
    base_url: str, *, per_second: float, stop: asyncio.Event, traffic: Traffic, kinds: tuple[str, ...] = KINDS
) -> None:
    """Send requests at a fixed rate (GraphQL and both REST reads in turn) until `stop` is set.

    Page sizes of 100 take every manufacturer of the sample, so the counts sum to the whole.
    """
    loop = asyncio.get_running_loop()
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        pending: set[asyncio.Task[None]] = set()
        started = loop.time()
        sent = 0
        while not stop.is_set():
            task = asyncio.create_task(_one(client, kinds[sent % len(kinds)], traffic))
            pending.add(task)
            task.add_done_callback(pending.discard)
            sent += 1
            await asyncio.sleep(max(0.0, started + sent / per_second - loop.time()))
        await asyncio.gather(*pending)
