"""The floors a workload is compared with: raw Elasticsearch, a Redis GET, a bare HTTP answer.

- Elasticsearch: the exact request the API sent (captured on the wire), replayed
  by wrk straight at Elasticsearch over one keep-alive connection, so the floor
  and the API are timed by the same client.
- Redis: GET of the cached aggregation payload on one connection, timed in a
  loop by redis-py (the client library the service uses).
- HTTP: scripts/bench/floor_app.py answering the same bytes, timed by wrk.
"""

from __future__ import annotations

import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import redis

from scripts.bench.es_capture import CapturedRequest
from scripts.bench.stats import LatencySummary, summarize
from scripts.bench.wrk import WrkResult, lua_script, run_wrk

REDIS_GETS = 3_000


@dataclass(frozen=True, slots=True)
class RedisFloor:
    key: str
    payload_bytes: int
    latency_ms: LatencySummary


def find_cache_key(client: redis.Redis, *, index: str, cache_name: str) -> str | None:
    """The fresh (not `:last`) aggregation entry of `cache_name` in the index's cache namespace."""
    pattern = f"autos-graph:{index}*agg:{cache_name}:*"
    keys = sorted(key.decode() for key in client.scan_iter(match=pattern, count=1000))
    fresh = [key for key in keys if not key.endswith(":last")]
    return fresh[0] if fresh else None


def time_redis_get(*, url: str, key: str, count: int = REDIS_GETS) -> RedisFloor:
    client = redis.Redis.from_url(url)
    try:
        payload = client.get(key)
        if payload is None:
            raise RuntimeError(f"the cache entry {key} expired before the Redis floor was timed")
        samples = []
        clock = time.perf_counter
        for _ in range(count):
            started = clock()
            client.get(key)
            samples.append((clock() - started) * 1000)
    finally:
        client.close()
    return RedisFloor(key=key, payload_bytes=len(payload), latency_ms=summarize(samples))


def clear_request_cache(*, elasticsearch_url: str, index: str) -> None:
    """Empty Elasticsearch's shard request cache of the index (size-0 aggregations live there)."""
    request = urllib.request.Request(
        f"{elasticsearch_url}/{index}/_cache/clear?request=true", method="POST", data=b""
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


def time_elasticsearch_request(
    *,
    wrk: str,
    elasticsearch_url: str,
    captured: CapturedRequest,
    work_dir: Path,
    label: str,
    seconds: float,
    connections: int = 1,
) -> WrkResult:
    body_path = work_dir / f"es-{label}.body"
    body_path.write_bytes(captured.body)
    script = work_dir / f"es-{label}.lua"
    headers = {name.title(): value for name, value in captured.headers.items()}
    script.write_text(
        lua_script(method=captured.method, headers=headers, body_path=body_path if captured.body else None)
    )
    return run_wrk(
        binary=wrk,
        url=elasticsearch_url + captured.target,
        script=script,
        connections=connections,
        seconds=seconds,
    )
