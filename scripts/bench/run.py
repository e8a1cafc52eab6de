"""`make bench`: the API against its floors and against the old backend's targets, on loopback.

    make bench                                   # or: .venv/bin/python -m scripts.bench.run [options]
    .venv/bin/python -m scripts.bench --duration 3 --skip-load   # quicker, reuses the loaded index

Steps, all in one run so every ratio compares numbers taken minutes apart:
 1. the full data load (`autos-graph data load --full`) into an empty index of
    the benchmark's own (ES_INDEX, default `autos-bench`), timed;
 2. 20 VIN instances in-process, timed per call;
 3. capture: each workload sent once through a recording proxy in front of
    Elasticsearch, cold (the index's cache keys deleted first) and warm: the
    Elasticsearch round trips per operation and the exact request bodies;
 4. floors: those bodies replayed straight at Elasticsearch, a Redis GET of the
    cached payload, and a bare Starlette app answering the same bytes;
 5. the API (`autos-graph serve`, RATE_LIMIT_PER_MINUTE=0, LOG_LEVEL=WARNING,
    ENVIRONMENT=production) under wrk at 1, 16 and 64 connections, with 1
    worker and, for the throughput target, 2 workers; RSS per worker sampled
    throughout, Elasticsearch requests and cache hits read from /metrics.
Writes bench-results/<timestamp>.json and .md, and docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import shlex
import shutil
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson
from elastic_transport import HttpHeaders

from datasources.elastic.lean_http_node import request_bytes
from scripts.bench import floors, machine, report
from scripts.bench.es_capture import CapturedRequest, CapturingProxy
from scripts.bench.load import time_full_load
from scripts.bench.metrics import Counters
from scripts.bench.server import (
    RssSampler,
    ServerProcess,
    base_environment,
    cli_command,
    free_port,
    http_get,
    python_command,
    serve_command,
)
from scripts.bench.stats import hit_ratio
from scripts.bench.vin import time_instances
from scripts.bench.workloads import Workload, answer_problem, index_sample_ids, workloads
from scripts.bench.wrk import WrkResult, ensure_wrk, lua_script, run_wrk, wrk_version

DEFAULT_INDEX = "autos-bench"
DEFAULT_ES_URL = "http://127.0.0.1:9200"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
CONNECTIONS = (1, 16, 64)
# Run with 2 workers too: the throughput target's workload, and one Elasticsearch-bound one.
TWO_WORKER_WORKLOADS = ("picker_cached", "filtered_search")
# Workloads whose ratio to raw Elasticsearch is also measured in alternating rounds.
PAIRED_WORKLOADS = ("filtered_search", "rest_details")
WARM_UP_SECONDS = 1.0
SERVER_DESCRIPTION = "autos-graph serve; RATE_LIMIT_PER_MINUTE=0 LOG_LEVEL=WARNING ENVIRONMENT=production"
MB = 1_000_000  # the target is in MB; MiB would be 5 % more lenient


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class Bench:
    def __init__(self, args: argparse.Namespace, work_dir: Path) -> None:
        self.args = args
        self.work_dir = work_dir
        self.index: str = args.index
        self.es_url: str = args.elasticsearch_url.rstrip("/")
        self.redis_url: str = args.redis_url
        self.wrk = ensure_wrk()
        self.result: dict[str, Any] = {}

    # -- servers ---------------------------------------------------------------------------

    def api_env(self, *, elasticsearch_url: str, redis_url: str, workers: int, port: int) -> dict[str, str]:
        metrics_dir = self.work_dir / f"metrics-{port}"
        metrics_dir.mkdir(parents=True, exist_ok=True)
        return base_environment(
            ELASTICSEARCH_URL=elasticsearch_url,
            REDIS_URL=redis_url,
            ES_INDEX=self.index,
            HOST="127.0.0.1",
            PORT=str(port),
            WORKERS=str(workers),
            RATE_LIMIT_PER_MINUTE="0",
            LOG_LEVEL="WARNING",
            ENVIRONMENT="production",
            PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
        )

    def api_server(
        self, name: str, *, workers: int, redis_url: str, elasticsearch_url: str = ""
    ) -> ServerProcess:
        port = free_port()
        env = self.api_env(
            elasticsearch_url=elasticsearch_url or self.es_url,
            redis_url=redis_url,
            workers=workers,
            port=port,
        )
        return ServerProcess(
            name=name,
            command=serve_command(),
            env=env,
            port=port,
            ready_path="/health/ready",
            log_dir=self.work_dir,
            workers=workers,
        )

    def floor_server(self, *, workers: int, bodies: Path) -> ServerProcess:
        port = free_port()
        es = urlsplit(self.es_url)
        env = base_environment(
            BENCH_FLOOR_DIR=str(bodies),
            BENCH_FLOOR_ES=f"{es.hostname}:{es.port or 80}",
            PORT=str(port),
            WORKERS=str(workers),
        )
        return ServerProcess(
            name=f"floor-{workers}w",
            command=python_command("scripts.bench.floor_app"),
            env=env,
            port=port,
            ready_path="/ready",
            log_dir=self.work_dir,
            workers=workers,
        )

    @contextlib.contextmanager
    def null_redis(self) -> Iterator[str]:
        port = free_port()
        with ServerProcess(
            name="null-redis",
            command=python_command("scripts.bench.null_redis", "--port", str(port)),
            env=base_environment(),
            port=port,
            ready_path=None,
            log_dir=self.work_dir,
        ):
            yield f"redis://127.0.0.1:{port}/0"

    # -- steps -----------------------------------------------------------------------------

    def count_documents(self) -> int:
        with urllib.request.urlopen(f"{self.es_url}/{self.index}/_count", timeout=30) as response:
            return int(orjson.loads(response.read())["count"])

    def full_load(self) -> None:
        env = base_environment(ELASTICSEARCH_URL=self.es_url, ES_INDEX=self.index, LOG_LEVEL="WARNING")
        cli = cli_command()
        log(f"full load into {self.index} (create-index --recreate, then load --full)")
        timing = time_full_load(cli=cli, env=env, count_documents=self.count_documents)
        log(f"full load: {timing.seconds:.1f} s, {timing.documents:,} documents")
        self.result["load"] = timing.to_json()

    def vin(self) -> None:
        log("VIN instances in-process")
        self.result["vin"] = time_instances(vehicles=self.args.vin_vehicles).to_json()

    def send(self, server: ServerProcess, workload: Workload) -> tuple[int, bytes]:
        request = urllib.request.Request(
            server.base_url + workload.path,
            data=workload.body if workload.method == "POST" else None,
            headers=workload.headers,
            method=workload.method,
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return int(response.status), bytes(response.read())
        except urllib.error.HTTPError as error:
            return int(error.code), bytes(error.read())

    def counters(self, server: ServerProcess, *, drain_seconds: float = 10.0) -> Counters:
        """The service's counters once the requests still in flight (wrk's last ones) have ended."""
        deadline = time.monotonic() + drain_seconds
        while True:
            status, body = http_get(server.base_url + "/metrics")
            if status != 200:
                raise RuntimeError(f"{server.name} /metrics answered {status}")
            counters = Counters.from_text(body.decode())
            if counters.in_progress <= 1 or time.monotonic() > deadline:  # 1: this scrape
                return counters
            time.sleep(0.05)

    def clear_cache_namespace(self) -> None:
        """Delete this index's cached aggregations (the benchmark's own keys only): a cold cache."""
        import redis

        client = redis.Redis.from_url(self.redis_url)
        try:
            keys = list(client.scan_iter(match=f"autos-graph:{self.index}:*", count=1000))
            if keys:
                client.delete(*keys)
        finally:
            client.close()

    def capture(self, items: Sequence[Workload]) -> dict[str, dict[str, Any]]:
        """Round trips per operation and the exact Elasticsearch requests, cold then warm."""
        es = urlsplit(self.es_url)
        proxy = CapturingProxy(target_host=es.hostname or "127.0.0.1", target_port=es.port or 9200)
        proxy.start()
        captured: dict[str, dict[str, Any]] = {w.name: {} for w in items}
        try:
            with self.api_server(
                "capture-cold", workers=1, redis_url=self.redis_url, elasticsearch_url=proxy.url
            ) as cold:
                for workload in items:
                    self.clear_cache_namespace()
                    mark = proxy.mark()
                    status, body = self.send(cold, workload)
                    captured[workload.name]["cold"] = _foreground(proxy.since(mark))
                    captured[workload.name]["problem"] = answer_problem(workload, status, body)
            with self.api_server(
                "capture-warm", workers=1, redis_url=self.redis_url, elasticsearch_url=proxy.url
            ) as warm:
                for workload in items:
                    self.send(warm, workload)  # fills the aggregation cache
                    before = self.counters(warm)
                    mark = proxy.mark()
                    status, body = self.send(warm, workload)
                    requests = _foreground(proxy.since(mark))
                    delta = self.counters(warm).minus(before)
                    entry = captured[workload.name]
                    entry["warm"] = requests
                    entry["cache_reads"] = delta.cache_hits + delta.cache_misses
                    entry["metrics_es_requests"] = delta.elasticsearch_requests
                    entry["response"] = body
                    entry["problem"] = entry["problem"] or answer_problem(workload, status, body)
        finally:
            proxy.stop()
        return captured

    def run_point(
        self, server: ServerProcess, workload: Workload, script: Path, *, connections: int, seconds: float
    ) -> dict[str, Any]:
        before = self.counters(server)
        with RssSampler(server.worker_pids()) as rss:
            result = run_wrk(
                binary=self.wrk,
                url=server.base_url + _url_path(workload),
                script=script,
                connections=connections,
                seconds=seconds,
            )
        delta = self.counters(server).minus(before)
        return {
            **_wrk_json(result),
            "workers": server.workers,
            "served": delta.http_requests,
            "es_requests_per_request": delta.per_request(delta.elasticsearch_requests),
            "cache_hit_ratio": hit_ratio(delta.cache_hits, delta.cache_misses),
            "cache_reads": delta.cache_hits + delta.cache_misses,
            "rss_peak_mb": {str(pid): round(peak / MB, 1) for pid, peak in rss.peak.items()},
        }

    def paired_rounds(
        self,
        server: ServerProcess,
        forwarder: ServerProcess,
        workload: Workload,
        request: CapturedRequest,
    ) -> dict[str, Any]:
        """Raw Elasticsearch, the forwarding floor and the API at one connection, alternating: ratios
        that machine drift (other processes, CPU frequency) cannot bias, as all sides share the minutes."""
        script = self.script_for(workload)
        rounds = []
        for number in range(self.args.paired_rounds):
            es = floors.time_elasticsearch_request(
                wrk=self.wrk,
                elasticsearch_url=self.es_url,
                captured=request,
                work_dir=self.work_dir,
                label=f"paired-{workload.name}",
                seconds=self.args.paired_seconds,
            )
            forward = run_wrk(
                binary=self.wrk,
                url=f"{forwarder.base_url}/forward/{workload.name}",
                script=script,
                connections=1,
                seconds=self.args.paired_seconds,
            )
            api = run_wrk(
                binary=self.wrk,
                url=server.base_url + workload.path,
                script=script,
                connections=1,
                seconds=self.args.paired_seconds,
            )
            rounds.append(
                {
                    "es_p50_ms": es.p50_ms,
                    "forward_p50_ms": forward.p50_ms,
                    "api_p50_ms": api.p50_ms,
                    "ratio": api.p50_ms / es.p50_ms,
                    "forward_ratio": forward.p50_ms / es.p50_ms,
                }
            )
            log(
                f"paired {workload.name} round {number + 1}: API {api.p50_ms:.2f} ms / "
                f"forwarding floor {forward.p50_ms:.2f} ms / ES {es.p50_ms:.2f} ms"
            )
        ratios = sorted(r["ratio"] for r in rounds)
        forward_ratios = sorted(r["forward_ratio"] for r in rounds)
        return {
            "rounds": rounds,
            "median_ratio": ratios[len(ratios) // 2],
            "median_forward_ratio": forward_ratios[len(forward_ratios) // 2],
        }

    def forwarding_bodies(self, items: Sequence[Workload], captured: dict[str, dict[str, Any]]) -> Path:
        """The floor app's files for /forward: each workload's answer and its one Elasticsearch request."""
        bodies = self.work_dir / "forward-bodies"
        bodies.mkdir(exist_ok=True)
        es = urlsplit(self.es_url)
        for workload in items:
            (bodies / f"{workload.name}.json").write_bytes(captured[workload.name]["response"])
            request: CapturedRequest = captured[workload.name]["warm"][0]
            headers = HttpHeaders(
                {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
            )
            (bodies / f"{workload.name}.es").write_bytes(
                request_bytes(request.method, request.target, es.netloc, headers, request.body)
            )
        return bodies

    def script_for(self, workload: Workload) -> Path:
        body_path = None
        if workload.body:
            body_path = self.work_dir / f"{workload.name}.body"
            body_path.write_bytes(workload.body)
        script = self.work_dir / f"{workload.name}.lua"
        script.write_text(lua_script(method=workload.method, headers=workload.headers, body_path=body_path))
        return script

    def api_runs(
        self, server: ServerProcess, items: Sequence[Workload], connections: Sequence[int]
    ) -> dict[str, list[dict[str, Any]]]:
        runs: dict[str, list[dict[str, Any]]] = {}
        for workload in items:
            script = self.script_for(workload)
            if workload.cache == "uncached":
                floors.clear_request_cache(elasticsearch_url=self.es_url, index=self.index)
            run_wrk(
                binary=self.wrk,
                url=server.base_url + _url_path(workload),
                script=script,
                connections=16,
                seconds=WARM_UP_SECONDS,
            )
            runs[workload.name] = []
            for count in connections:
                if workload.cache == "uncached":
                    floors.clear_request_cache(elasticsearch_url=self.es_url, index=self.index)
                point = self.run_point(
                    server, workload, script, connections=count, seconds=self.args.duration
                )
                log(
                    f"{server.name} {workload.name} c={count}: {point['requests_per_second']:,.0f} req/s, "
                    f"p50 {point['p50_ms']:.2f} ms, p99 {point['p99_ms']:.2f} ms"
                    + (f", {point['errors']} errors" if point["errors"] else "")
                )
                runs[workload.name].append(point)
        return runs

    def http_floors(
        self, items: Sequence[Workload], captured: dict[str, dict[str, Any]]
    ) -> list[dict[str, Any]]:
        bodies = self.work_dir / "floor-bodies"
        bodies.mkdir(exist_ok=True)
        for workload in items:
            (bodies / f"{workload.name}.json").write_bytes(captured[workload.name]["response"])
        points: list[dict[str, Any]] = []
        for workers in (1, 2):
            with self.floor_server(workers=workers, bodies=bodies) as floor:
                for workload in items:
                    if workers == 2 and workload.name not in TWO_WORKER_WORKLOADS:
                        continue
                    floor_workload = Workload(
                        name=f"floor-{workload.name}",
                        title=workload.title,
                        method=workload.method,
                        path=f"/floor/{workload.name}",
                        body=workload.body,
                        headers=workload.headers,
                    )
                    script = self.script_for(floor_workload)
                    run_wrk(
                        binary=self.wrk,
                        url=floor.base_url + floor_workload.path,
                        script=script,
                        connections=16,
                        seconds=WARM_UP_SECONDS,
                    )
                    counts = self.args.connections if workload.name in TWO_WORKER_WORKLOADS else (1,)
                    for count in counts:
                        result = run_wrk(
                            binary=self.wrk,
                            url=floor.base_url + floor_workload.path,
                            script=script,
                            connections=count,
                            seconds=self.args.floor_duration,
                        )
                        points.append({"workload": workload.name, "workers": workers, **_wrk_json(result)})
                        log(
                            f"floor HTTP {workload.name} {workers}w c={count}: "
                            f"{result.requests_per_second:,.0f} req/s, p50 {result.p50_ms:.3f} ms"
                        )
        return points

    def elasticsearch_floors(
        self, items: Sequence[Workload], captured: dict[str, dict[str, Any]]
    ) -> list[dict[str, Any]]:
        points = []
        for workload in items:
            phase = "cold" if workload.cache == "uncached" else "warm"
            for position, request in enumerate(captured[workload.name][phase]):
                if workload.cache == "uncached":
                    floors.clear_request_cache(elasticsearch_url=self.es_url, index=self.index)
                result = floors.time_elasticsearch_request(
                    wrk=self.wrk,
                    elasticsearch_url=self.es_url,
                    captured=request,
                    work_dir=self.work_dir,
                    label=f"{workload.name}-{position}",
                    seconds=self.args.floor_duration,
                )
                points.append(
                    {
                        "workload": workload.name,
                        "request": f"{request.method} {request.target}",
                        "body_bytes": len(request.body),
                        **_wrk_json(result),
                    }
                )
                log(
                    f"floor ES {workload.name} #{position} {request.method} {request.target}: "
                    f"p50 {result.p50_ms:.2f} ms"
                )
        return points

    def redis_floor(self) -> dict[str, Any] | None:
        import redis

        client = redis.Redis.from_url(self.redis_url)
        try:
            key = floors.find_cache_key(client, index=self.index, cache_name="manufacturer_groups")
        finally:
            client.close()
        if key is None:
            return None
        floor = floors.time_redis_get(url=self.redis_url, key=key)
        log(f"floor Redis GET {floor.payload_bytes:,} bytes: p50 {floor.latency_ms.p50:.3f} ms")
        return asdict(floor)

    def run(self) -> dict[str, Any]:
        started = time.perf_counter()
        self.result.update(
            started_at=datetime.now(UTC).isoformat(timespec="seconds"),
            command=self.args.command_line,
            settings={
                "index": self.index,
                "duration_seconds": self.args.duration,
                "floor_duration_seconds": self.args.floor_duration,
                "connections": list(self.args.connections),
                "wrk_threads": 1,
                "server": SERVER_DESCRIPTION,
            },
            machine={**machine.machine_facts(), "load_average_start": machine.load_average()},
            services=self.service_versions(),
        )
        if self.args.skip_load:
            self.result["load"] = None
        else:
            self.full_load()
        self.result["documents"] = self.count_documents()
        self.vin()
        items = workloads(sample_ids=index_sample_ids(elasticsearch_url=self.es_url, index=self.index))
        if self.args.only:
            items = [w for w in items if w.name in self.args.only]
        log("capture: round trips and Elasticsearch requests per workload")
        captured = self.capture(items)
        usable = [w for w in items if captured[w.name]["problem"] is None]
        for workload in items:
            if captured[workload.name]["problem"]:
                log(f"skipping {workload.name}: {captured[workload.name]['problem']}")
        log("floors: Redis GET, raw Elasticsearch, bare Starlette")
        redis_floor = self.redis_floor()
        es_floors = self.elasticsearch_floors(usable, captured)
        http_floors = self.http_floors(usable, captured)
        api: dict[str, list[dict[str, Any]]] = {}
        cached = [w for w in usable if w.cache == "cached"]
        uncached = [w for w in usable if w.cache == "uncached"]
        rss: dict[str, dict[str, float]] = {}
        paired: dict[str, dict[str, Any]] = {}
        pairable = [w for w in cached if w.name in PAIRED_WORKLOADS and len(captured[w.name]["warm"]) == 1]
        with self.api_server("api-1w", workers=1, redis_url=self.redis_url) as server:
            for name, points in self.api_runs(server, cached, self.args.connections).items():
                api.setdefault(name, []).extend(points)
            if pairable:
                bodies = self.forwarding_bodies(pairable, captured)
                with self.floor_server(workers=1, bodies=bodies) as forwarder:
                    for workload in pairable:
                        paired[workload.name] = self.paired_rounds(
                            server, forwarder, workload, captured[workload.name]["warm"][0]
                        )
        if uncached:
            with (
                self.null_redis() as nothing,
                self.api_server("api-1w-uncached", workers=1, redis_url=nothing) as server,
            ):
                for name, points in self.api_runs(server, uncached, self.args.connections).items():
                    api.setdefault(name, []).extend(points)
        two = [w for w in cached if w.name in TWO_WORKER_WORKLOADS]
        if two:
            with self.api_server("api-2w", workers=2, redis_url=self.redis_url) as server:
                for name, points in self.api_runs(server, two, self.args.connections).items():
                    api.setdefault(name, []).extend(points)
        for points in api.values():
            for point in points:
                label = f"{point['workers']} worker{'s' if point['workers'] > 1 else ''}"
                for pid, peak in point["rss_peak_mb"].items():
                    rss.setdefault(label, {})[pid] = max(rss.get(label, {}).get(pid, 0.0), peak)
        self.result["workloads"] = {
            w.name: {
                "title": w.title,
                "method": w.method,
                "path": w.path,
                "cache": w.cache,
                "problem": captured[w.name]["problem"],
                "response_bytes": len(captured[w.name].get("response", b"")),
                "es_round_trips_cold": len(captured[w.name].get("cold", [])),
                "es_round_trips_warm": len(captured[w.name].get("warm", [])),
                "es_requests_warm": [f"{r.method} {r.target}" for r in captured[w.name].get("warm", [])],
                "es_requests_cold": [f"{r.method} {r.target}" for r in captured[w.name].get("cold", [])],
                "cache_reads_per_request": captured[w.name].get("cache_reads"),
                "paired": paired.get(w.name),
                "runs": api.get(w.name, []),
            }
            for w in items
        }
        self.result["floors"] = {"redis_get": redis_floor, "elasticsearch": es_floors, "http": http_floors}
        self.result["rss_peak_mb"] = rss
        self.result["machine"]["load_average_end"] = machine.load_average()
        self.result["seconds"] = round(time.perf_counter() - started, 1)
        self.result["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        report.add_derived(self.result)
        return self.result

    def service_versions(self) -> dict[str, str]:
        import redis

        versions = {"wrk": wrk_version(self.wrk)}
        try:
            status, body = http_get(f"{self.es_url}/_nodes/_local?filter_path=nodes.*.version")
            nodes: dict[str, dict[str, str]] = orjson.loads(body).get("nodes", {}) if status == 200 else {}
            versions["elasticsearch"] = next(iter(nodes.values()), {}).get("version", "unknown")
        except OSError:
            versions["elasticsearch"] = "unreachable"
        client = redis.Redis.from_url(self.redis_url)
        try:
            versions["redis"] = str(client.info("server").get("redis_version", "unknown"))
        finally:
            client.close()
        return versions


def _foreground(requests: list[CapturedRequest]) -> list[CapturedRequest]:
    """The requests an operation made: without the service's background alias refresh."""
    return [r for r in requests if "/_alias" not in r.target and "/_cluster/health" not in r.target]


def _url_path(workload: Workload) -> str:
    return workload.path


def _wrk_json(result: WrkResult) -> dict[str, Any]:
    return {
        "connections": result.connections,
        "requests": result.requests,
        "seconds": round(result.seconds, 3),
        "requests_per_second": round(result.requests_per_second, 1),
        "mean_ms": result.mean_ms,
        "p50_ms": result.p50_ms,
        "p95_ms": result.p95_ms,
        "p99_ms": result.p99_ms,
        "max_ms": result.max_ms,
        "errors": result.errors,
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--index", default=DEFAULT_INDEX, help="the benchmark's own alias (default %(default)s)"
    )
    parser.add_argument("--elasticsearch-url", default=DEFAULT_ES_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument(
        "--duration", type=float, default=5.0, help="seconds per API point (default %(default)s)"
    )
    parser.add_argument("--floor-duration", type=float, default=4.0, help="seconds per floor point")
    parser.add_argument("--connections", type=int, nargs="+", default=list(CONNECTIONS))
    parser.add_argument("--paired-rounds", type=int, default=5, help="alternating API/ES rounds (odd)")
    parser.add_argument("--paired-seconds", type=float, default=2.0, help="seconds per side per round")
    parser.add_argument("--vin-vehicles", type=int, default=5_000)
    parser.add_argument("--skip-load", action="store_true", help="reuse the loaded index; no load timing")
    parser.add_argument("--only", nargs="+", help="only these workloads (names as in the JSON)")
    parser.add_argument("--output-dir", type=Path, default=Path("bench-results"))
    parser.add_argument(
        "--summary",
        type=Path,
        default=Path("docs/benchmarks.md"),
        help="the Markdown summary to (re)write; '-' for none",
    )
    args = parser.parse_args(argv)
    args.command_line = (
        "make bench"
        if argv is None and len(sys.argv) == 1
        else shlex.join(
            [".venv/bin/python", "-m", "scripts.bench.run", *(sys.argv[1:] if argv is None else argv)]
        )
    )
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    args.output_dir.mkdir(parents=True, exist_ok=True)
    work_dir = Path(tempfile.mkdtemp(prefix="autos-bench-"))
    try:
        result = Bench(args, work_dir).run()
    except BaseException:
        log(f"failed; server logs kept in {work_dir}")
        raise
    json_path = args.output_dir / f"{stamp}.json"
    json_path.write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS))
    markdown = report.render(result)
    (args.output_dir / f"{stamp}.md").write_text(markdown)
    if str(args.summary) != "-":
        previous = args.summary.read_text() if args.summary.exists() else ""
        args.summary.write_text(report.with_kept_notes(markdown, previous))
    shutil.rmtree(work_dir, ignore_errors=True)
    print(report.render_targets(result))
    log(f"wrote {json_path}" + ("" if str(args.summary) == "-" else f" and {args.summary}"))


if __name__ == "__main__":
    main()
