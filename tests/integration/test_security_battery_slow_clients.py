"""Slow clients against the deployed timeouts: the slowloris rows of docs/security.md.

`autos-graph serve` as k8s/configmap.yaml deploys it: a request's head must
arrive within REQUEST_HEAD_TIMEOUT_SECONDS (10) of the connection or of its
first byte, its body within REQUEST_BODY_TIMEOUT_SECONDS (10) of the head
(graph/compat/uvicorn.py), and an idle kept-alive connection is closed after
uvicorn's timeout_keep_alive (5 s). The slow clients all run at once, beside a
crowd of silent connections, while an ordinary client is served. It waits out
the deadlines (16 s), so it runs with the slow tests; `make test` holds the
same deadlines at 0.3 s in tests/unit/test_compat_uvicorn.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.deployed_server import UNSET, deployed_environment
from tests.support.raw_http import dribble, parse_answer
from tests.support.server import ServedProcess
from tests.support.server_log import unhandled_errors

pytestmark = pytest.mark.slow

DEADLINE_SECONDS = 10.0  # k8s/configmap.yaml
KEEP_ALIVE_SECONDS = 5.0  # uvicorn's default, which `autos-graph serve` keeps
SLACK = 5  # every bound below is five times the deadline it checks
LIMIT = DEADLINE_SECONDS * SLACK
CROWD = 200


@pytest.fixture(scope="module")
def server(sample_index: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedProcess]:
    log: Path = tmp_path_factory.mktemp("slow-clients") / "server.log"
    env = deployed_environment(RATE_LIMIT_PER_MINUTE="0")
    assert float(env["REQUEST_HEAD_TIMEOUT_SECONDS"]) == DEADLINE_SECONDS
    assert float(env["REQUEST_BODY_TIMEOUT_SECONDS"]) == DEADLINE_SECONDS
    process = ServedProcess(index=sample_index, log_path=log, env=env, unset=UNSET)
    process.start()
    try:
        yield process
    finally:
        assert process.process is not None
        assert process.process.poll() is None, "the server died"
        process.stop()
        assert unhandled_errors(log.read_text()) == []


async def test_slow_heads_and_bodies_are_cut_off_at_the_deployed_deadlines(server: ServedProcess) -> None:
    port = server.port
    # Each slow client would go on for a minute if let: a header line per second, a body byte per 0.5 s.
    head_lines = [b"POST /graphql HTTP/1.1\r\n", *[b"x-slow-%d: 1\r\n" % n for n in range(60)]]
    body_head = (
        b"POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 200\r\n\r\n"
    )
    kept_alive = b"GET /health/live HTTP/1.1\r\nhost: x\r\n\r\n"
    slow = [
        dribble(port, [], pause=0, timeout=LIMIT),  # connects and sends nothing
        dribble(port, head_lines, pause=1.0, timeout=LIMIT),
        dribble(port, [body_head, *[b" "] * 120], pause=0.5, timeout=LIMIT),
        dribble(port, [kept_alive], pause=0, timeout=LIMIT),  # answered, then idle
    ]
    crowd = [dribble(port, [b"GET / HTTP/1.1\r\n"], pause=0, timeout=LIMIT) for _ in range(CROWD)]
    attack = asyncio.gather(*slow, *crowd)
    await asyncio.sleep(1)
    # While the attack holds its connections, an ordinary client is served.
    async with httpx.AsyncClient(base_url=server.base_url, timeout=DEADLINE_SECONDS) as client:
        ordinary = await client.get("/graphql", params={"query": "{ vehicles(first: 1) { totalCount } }"})
    assert ordinary.status_code == 200
    assert ordinary.json()["data"]["vehicles"]["totalCount"] > 0
    silent, head, body, idle, *crowded = await attack

    for name, closed, part in (
        ("silent", silent, b"head"),
        ("slow head", head, b"head"),
        ("slow body", body, b"body"),
    ):
        answer = parse_answer(closed.received)
        assert answer.status == 408, (name, closed.received[:300])
        assert b'"code":"REQUEST_TIMEOUT"' in answer.body
        assert b"request " + part in answer.body
        # Not before the deadline (ordering), and well before the client would have finished.
        assert DEADLINE_SECONDS - 0.5 <= closed.seconds <= DEADLINE_SECONDS * SLACK, (name, closed.seconds)
        print(f"[battery] {name}: 408 REQUEST_TIMEOUT after {closed.seconds:.1f} s")
    assert parse_answer(idle.received).status == 200
    assert KEEP_ALIVE_SECONDS - 0.5 <= idle.seconds <= KEEP_ALIVE_SECONDS * SLACK
    print(f"[battery] idle kept-alive connection: closed after {idle.seconds:.1f} s")
    assert all(parse_answer(c.received).status == 408 for c in crowded)
    slowest = max(c.seconds for c in crowded)
    assert slowest <= DEADLINE_SECONDS * SLACK
    print(f"[battery] {CROWD} silent connections: all 408 within {slowest:.1f} s")
