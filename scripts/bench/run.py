"""`make bench`: autos-graph raced against the peers its users would pick instead, on loopback.

    make bench                                                  # everything, ~17 minutes
    make bench BENCH_ARGS="--duration 2 --modes cold --workloads filtered_search"
    .venv/bin/python -m scripts.bench --skip-load --duration 3  # reuses the loaded index

The peers (scripts/bench/peers/, Node.js) read the same Elasticsearch index and
the same Redis: Apollo Server 5 for the GraphQL workloads (with its response
cache in the repeated mode), the old Express backend for the REST v1 ones.

autos-graph runs as k8s/configmap.yaml deploys it (scripts/bench/deployment.py:
production, the INFO access log on a stdout pipe the harness drains, the rate
limiter counting every request under a limit no run reaches), and the floor, a
fixed-body app on its own server stack (scripts/bench/floor_app.py), is raced
with every repeated workload.

Steps, all in one run so every ratio compares numbers taken minutes apart:
 1. the full data load (`autos-graph data load --full`) into an empty index of
    the benchmark's own (default `autos-bench`), timed;
 2. 20 VIN instances in-process, timed per call;
 3. capture: each workload's repeated request sent once through a recording
    proxy in front of Elasticsearch, cold cache then warm: round trips per
    operation and the exact requests, replayed straight at Elasticsearch as
    context (the raw-Elasticsearch floors);
 4. agreement: each workload's requests (the repeated one, then cold and
    literal samples) sent to autos-graph and its peer; any difference in the
    data stops the run;
 5. the race: per workload and mode, wrk at 1 and 16 connections against
    autos-graph (1 uvicorn worker) and its peer (1 Node process), alternating,
    and in the repeated mode the floor with the same script; RSS of every
    server sampled throughout;
 6. memory: a fresh autos-graph worker answering 10,000 distinct documents, RSS
    before and after;
 7. the cached picker on 2 workers (the throughput target of the first issue);
 8. time to the first part: a filtered search with deferred facets against the
    same search whole, cold (scripts/bench/first_part.py; workload
    `deferred_facets`, in the cold mode).
Writes bench-results/<timestamp>.json and .md, docs/benchmarks.md and docs/benchmarks.svg.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson
import psutil

from scripts.bench import bench_index, chart, first_part, floors, machine, report
from scripts.bench.agreement import SAMPLES, PeerMismatch, disagreement
from scripts.bench.deployment import deployed_environment, describe
from scripts.bench.es_capture import CapturedRequest, CapturingProxy
from scripts.bench.floor_app import DEFAULT_BODY_BYTES
from scripts.bench.load import time_full_load
from scripts.bench.metrics import Counters
from scripts.bench.peer_servers import PEER_TITLES, PeerName, peer_server
from scripts.bench.race import MODES, add_ratios
from scripts.bench.race_scripts import write_script
from scripts.bench.race_workloads import (
    GRAPHQL_PATH,
    VARIANTS,
    Mode,
    RaceWorkload,
    distinct_documents,
    race_workloads,
)
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
from scripts.bench.variants import Catalog
from scripts.bench.vin import time_instances
from scripts.bench.workloads import JSON_HEADERS, Workload, answer_problem
from scripts.bench.wrk import WrkResult, ensure_wrk, rotating_lua_script, run_wrk, wrk_version

DEFAULT_INDEX = "autos-bench"
DEFAULT_ES_URL = "http://127.0.0.1:9200"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
CONNECTIONS = (1, 16)
WARM_UP_SECONDS = 1.0
MEMORY_DOCUMENTS = 10_000
MEMORY_CONNECTIONS = 16
MEMORY_CHUNK_SECONDS = 15.0
MEMORY_TIME_LIMIT_SECONDS = 480.0
MB = 1_000_000  # the target is in MB; MiB would be 5 % more lenient


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


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


def _foreground(requests: list[CapturedRequest]) -> list[CapturedRequest]:
    """The requests an operation made: without the service's background alias refresh."""
    return [r for r in requests if "/_alias" not in r.target and "/_cluster/health" not in r.target]


def _rss_mb(pids: Sequence[int]) -> float:
    return round(max(psutil.Process(pid).memory_info().rss for pid in pids) / MB, 1)


class Side:
    """One server of a race with the URL path its GraphQL endpoint answers on."""

    def __init__(self, server: ServerProcess, *, graphql_path: str, autos_graph: bool) -> None:
        self.server = server
        self.graphql_path = graphql_path
        self.autos_graph = autos_graph

    def url(self, workload: RaceWorkload) -> str:
        return self.server.base_url + (self.graphql_path if workload.graphql else "")


class Bench:
    def __init__(self, args: argparse.Namespace, work_dir: Path) -> None:
        self.args = args
        self.work_dir = work_dir
        self.index: str = args.index
        self.es_url: str = args.elasticsearch_url.rstrip("/")
        self.redis_url: str = args.redis_url
        self.wrk = ensure_wrk()
        self.result: dict[str, Any] = {}
        self.floor_body_bytes = DEFAULT_BODY_BYTES

    # -- servers ---------------------------------------------------------------------------

    def api_server(self, name: str, *, workers: int = 1, elasticsearch_url: str = "") -> ServerProcess:
        port = free_port()
        # One worker is deployed as k8s/configmap.yaml runs it: metrics in process.
        # Several workers share their values through files, as they would in production.
        multiprocess: dict[str, str] = {}
        if workers > 1:
            metrics_dir = self.work_dir / f"metrics-{port}"
            metrics_dir.mkdir(parents=True, exist_ok=True)
            multiprocess["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
        env = deployed_environment(
            elasticsearch_url=elasticsearch_url or self.es_url,
            redis_url=self.redis_url,
            index=self.index,
            port=port,
            WORKERS=str(workers),
            **multiprocess,
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

    def floor_server(self) -> ServerProcess:
        """The fixed-body app on autos-graph's own server stack (scripts/bench/floor_app.py)."""
        port = free_port()
        env = deployed_environment(
            elasticsearch_url=self.es_url,
            redis_url=self.redis_url,
            index=self.index,
            port=port,
            FLOOR_BODY_BYTES=str(self.floor_body_bytes),
        )
        return ServerProcess(
            name="floor",
            command=python_command("scripts.bench.floor_app"),
            env=env,
            port=port,
            ready_path="/health/ready",
            log_dir=self.work_dir,
        )

    def peer(self, name: PeerName) -> ServerProcess:
        return peer_server(
            name,
            elasticsearch_url=self.es_url,
            index=self.index,
            redis_url=self.redis_url,
            log_dir=self.work_dir,
        )

    # -- data ------------------------------------------------------------------------------

    def count_documents(self) -> int:
        return bench_index.count_documents(self.es_url, self.index)

    def full_load(self) -> None:
        env = base_environment(ELASTICSEARCH_URL=self.es_url, ES_INDEX=self.index, LOG_LEVEL="WARNING")
        log(f"full load into {self.index} (create-index --recreate, then load --full)")
        timing = time_full_load(cli=cli_command(), env=env, count_documents=self.count_documents)
        log(f"full load: {timing.seconds:.1f} s, {timing.documents:,} documents")
        self.result["load"] = timing.to_json()

    def clear_caches(self) -> None:
        bench_index.clear_cached_answers(self.redis_url, self.index)

    def vin(self) -> None:
        log("VIN instances in-process")
        self.result["vin"] = time_instances(vehicles=self.args.vin_vehicles).to_json()

    # -- HTTP ------------------------------------------------------------------------------

    def send(self, url: str, *, body: bytes | None) -> tuple[int, bytes]:
        request = urllib.request.Request(
            url, data=body, headers=JSON_HEADERS if body is not None else {}, method="POST" if body else "GET"
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return int(response.status), bytes(response.read())
        except urllib.error.HTTPError as error:
            return int(error.code), bytes(error.read())

    def send_line(self, side: Side, workload: RaceWorkload, line: bytes) -> tuple[int, bytes]:
        if workload.graphql:
            return self.send(side.url(workload), body=line)
        return self.send(side.server.base_url + line.decode(), body=None)

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

    # -- capture and floors ----------------------------------------------------------------

    def capture(self, items: Sequence[Workload]) -> dict[str, dict[str, Any]]:
        """Round trips per operation and the exact Elasticsearch requests, cold then warm."""
        es = urlsplit(self.es_url)
        proxy = CapturingProxy(target_host=es.hostname or "127.0.0.1", target_port=es.port or 9200)
        proxy.start()
        captured: dict[str, dict[str, Any]] = {w.name: {} for w in items}
        try:
            with self.api_server("capture", elasticsearch_url=proxy.url) as server:
                for workload in items:
                    url = server.base_url + workload.path
                    body = workload.body or None
                    self.clear_caches()
                    mark = proxy.mark()
                    status, answer = self.send(url, body=body)
                    captured[workload.name]["cold"] = _foreground(proxy.since(mark))
                    mark = proxy.mark()
                    self.send(url, body=body)
                    captured[workload.name]["warm"] = _foreground(proxy.since(mark))
                    captured[workload.name]["problem"] = answer_problem(workload, status, answer)
                    captured[workload.name]["answer_bytes"] = len(answer)
        finally:
            proxy.stop()
        return captured

    def elasticsearch_floors(
        self, items: Sequence[Workload], captured: dict[str, dict[str, Any]]
    ) -> list[dict[str, Any]]:
        points = []
        for workload in items:
            # The requests of the uncached answer: a repeated one costs Elasticsearch nothing
            # now that answers are cached, so its list is empty.
            for position, request in enumerate(captured[workload.name]["cold"]):
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
                log(f"floor ES {workload.name} #{position} {request.target}: p50 {result.p50_ms:.2f} ms")
        return points

    # -- the race --------------------------------------------------------------------------

    def check_agreement(self, workload: RaceWorkload, ours: Side, peers: dict[Mode, Side]) -> int:
        """Send the same requests to both sides; raise PeerMismatch on the first different answer."""
        checked = 0
        for mode in workload.modes:
            if mode not in self.args.modes:
                continue
            values = [workload.repeated] if mode == "repeated" else getattr(workload, mode)[:SAMPLES]
            for value in values:
                line = workload.line(mode, value)
                problem = disagreement(
                    graphql=workload.graphql,
                    ours=self.send_line(ours, workload, line),
                    theirs=self.send_line(peers[mode], workload, line),
                )
                if problem:
                    raise PeerMismatch(
                        f"{workload.name} ({mode}): {peers[mode].server.name} disagrees with autos-graph "
                        f"on {line[:300].decode()!r}: {problem}"
                    )
                checked += 1
        return checked

    def script(self, workload: RaceWorkload, mode: Mode, *, start: int) -> Path:
        return write_script(self.work_dir, workload, mode, start=start)

    def point(self, side: Side, workload: RaceWorkload, script: Path, *, connections: int) -> dict[str, Any]:
        before = self.counters(side.server) if side.autos_graph else None
        lines_before = side.server.output_lines
        with RssSampler(side.server.worker_pids()) as rss:
            result = run_wrk(
                binary=self.wrk,
                url=side.url(workload),
                script=script,
                connections=connections,
                seconds=self.args.duration,
            )
        point = {**_wrk_json(result), "rss_peak_mb": round(max(rss.peak.values()) / MB, 1)}
        if before is not None:
            delta = self.counters(side.server).minus(before)
            point["es_requests_per_request"] = delta.per_request(delta.elasticsearch_requests)
            point["cache_hit_ratio"] = hit_ratio(delta.cache_hits, delta.cache_misses)
            # The access log is on: about one line per request reached the drained pipe.
            point["log_lines_per_request"] = round(
                (side.server.output_lines - lines_before) / max(1, result.requests), 2
            )
        return point

    def race_workload(
        self, workload: RaceWorkload, ours: Side, peers: dict[Mode, Side] | None, floor: Side | None = None
    ) -> dict[str, dict[str, Any]]:
        modes: dict[str, dict[str, Any]] = {}
        for side in [ours, *({id(s): s for s in (peers or {}).values()}.values())]:
            run_wrk(
                binary=self.wrk,
                url=side.url(workload),
                script=self.script(workload, "repeated", start=0),
                connections=16,
                seconds=WARM_UP_SECONDS,
            )
        for mode in workload.modes:
            if mode not in self.args.modes:
                continue
            self.clear_caches()
            sides: list[tuple[str, Side]] = [("autos_graph", ours)]
            if peers is not None:
                sides.append(("peer", peers[mode]))
            entry: dict[str, Any] = {
                "peer_name": peers[mode].server.name.removeprefix("peer-") if peers else None,
                "variants": 1 if mode == "repeated" else len(getattr(workload, mode)),
                "autos_graph": [],
                "peer": [],
            }
            if mode == "repeated" and floor is not None:
                # The same script against the fixed-body app, in the same minute.
                sides.append(("floor", floor))
                entry["floor"] = []
            start = 0
            for number, connections in enumerate(self.args.connections):
                script = self.script(workload, mode, start=start)
                sent = 0
                # Who goes first alternates, so neither side always meets the other's leftovers.
                for key, side in sides if number % 2 == 0 else sides[::-1]:
                    if mode != "repeated":
                        floors.clear_search_caches(elasticsearch_url=self.es_url, index=self.index)
                    point = self.point(side, workload, script, connections=connections)
                    entry[key].append(point)
                    sent = max(sent, point["requests"] + connections)
                    log(
                        f"{mode} {workload.name} c={connections} {side.server.name}: "
                        f"{point['requests_per_second']:,.0f} req/s, p50 {point['p50_ms']:.2f} ms, "
                        f"RSS {point['rss_peak_mb']:.0f} MB"
                        + (f", {point['errors']} errors" if point["errors"] else "")
                    )
                start += sent
            entry["wrapped"] = mode != "repeated" and start > entry["variants"]
            modes[mode] = entry
        return modes

    def race(self, items: Sequence[RaceWorkload]) -> dict[str, Any]:
        race: dict[str, Any] = {"workloads": {}}
        with (
            self.api_server("autos-graph") as api,
            self.peer("apollo") as apollo,
            self.peer("apollo-response-cache") as apollo_cached,
            self.peer("express") as express,
            self.floor_server() as floor,
        ):
            ours = Side(api, graphql_path=GRAPHQL_PATH, autos_graph=True)
            apollo_side = Side(apollo, graphql_path="/", autos_graph=False)
            cached_side = Side(apollo_cached, graphql_path="/", autos_graph=False)
            express_side = Side(express, graphql_path="", autos_graph=False)
            floor_side = Side(floor, graphql_path=GRAPHQL_PATH, autos_graph=False)
            for workload in items:
                peers: dict[Mode, Side] | None = None
                if workload.peer == "apollo":
                    peers = {"repeated": cached_side, "cold": apollo_side, "literal": apollo_side}
                elif workload.peer == "express":
                    peers = {"repeated": express_side, "cold": express_side}
                checked = self.check_agreement(workload, ours, peers) if peers else 0
                if peers:
                    log(f"agreement {workload.name}: {checked} requests, same data on both sides")
                race["workloads"][workload.name] = {
                    "title": workload.title,
                    "api": "graphql" if workload.graphql else "rest",
                    "peer": workload.peer,
                    "agreement_requests": checked,
                    "modes": self.race_workload(workload, ours, peers, floor_side),
                }
            race["rss_after_mb"] = {
                "autos-graph": _rss_mb(api.worker_pids()),
                **{
                    PEER_TITLES[s.name.removeprefix("peer-")]: _rss_mb(s.worker_pids())
                    for s in (apollo, apollo_cached, express)
                },
            }
        add_ratios(race)
        return race

    # -- memory and the 2-worker picker ----------------------------------------------------

    def memory(self, catalog: Catalog, ids: Sequence[str]) -> dict[str, Any]:
        """A fresh worker answering `MEMORY_DOCUMENTS` distinct documents (literal mode), then its RSS."""
        bodies = distinct_documents(catalog=catalog, ids=ids, count=self.args.memory_documents, seed=1516)
        lines_path = self.work_dir / "memory.lines"
        lines_path.write_bytes(b"\n".join(bodies) + b"\n")
        with self.api_server("autos-graph-memory") as api:
            pids = api.worker_pids()
            fresh = _rss_mb(pids)
            answered = errors = start = 0
            peak = 0.0
            deadline = time.monotonic() + MEMORY_TIME_LIMIT_SECONDS
            while answered < self.args.memory_documents and time.monotonic() < deadline:
                script = self.work_dir / f"memory-{start}.lua"
                script.write_text(
                    rotating_lua_script(
                        method="POST", headers=JSON_HEADERS, items_path=lines_path, vary="body", start=start
                    )
                )
                with RssSampler(pids) as rss:
                    result = run_wrk(
                        binary=self.wrk,
                        url=api.base_url + GRAPHQL_PATH,
                        script=script,
                        connections=MEMORY_CONNECTIONS,
                        seconds=MEMORY_CHUNK_SECONDS,
                    )
                peak = max(peak, max(rss.peak.values()) / MB)
                answered += result.requests
                errors += result.errors
                start += result.requests + MEMORY_CONNECTIONS
                log(f"memory: {answered:,} documents answered, RSS {_rss_mb(pids):.1f} MB")
            after = _rss_mb(pids)
        return {
            "documents_available": len(bodies),
            "documents_answered": answered,
            # Each wrk chunk resumes past the previous one's last request: no document is sent twice
            # until the pool wraps around.
            "distinct_documents": min(answered, len(bodies)),
            "errors": errors,
            "rss_fresh_mb": fresh,
            "rss_after_mb": after,
            "rss_peak_mb": round(peak, 1),
            "connections": MEMORY_CONNECTIONS,
        }

    def two_workers(self, picker: RaceWorkload) -> list[dict[str, Any]]:
        with self.api_server("autos-graph-2w", workers=2) as api:
            side = Side(api, graphql_path=GRAPHQL_PATH, autos_graph=True)
            script = self.script(picker, "repeated", start=0)
            run_wrk(
                binary=self.wrk, url=side.url(picker), script=script, connections=16, seconds=WARM_UP_SECONDS
            )
            points = []
            for connections in self.args.connections:
                point = self.point(side, picker, script, connections=connections)
                log(f"picker 2 workers c={connections}: {point['requests_per_second']:,.0f} req/s")
                points.append(point)
        return points

    # -- the whole run ---------------------------------------------------------------------

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
                "modes": list(self.args.modes),
                "wrk_threads": 1,
                "server": describe(),
                "variants": self.args.variants,
            },
            machine={**machine.machine_facts(), "load_average_start": machine.load_average()},
            services=self.service_versions(),
        )
        if self.args.skip_load:
            self.result["load"] = None
        else:
            self.full_load()
        self.result["documents"] = self.count_documents()
        if not self.args.skip_vin:
            self.vin()
        catalog = bench_index.catalog(self.es_url, self.index)
        ids = bench_index.id_pool(self.es_url, self.index)
        items = race_workloads(catalog=catalog, ids=ids, count=self.args.variants)
        if self.args.workloads:
            unknown = set(self.args.workloads) - {w.name for w in items} - {first_part.NAME}
            if unknown:
                raise SystemExit(f"unknown workloads: {', '.join(sorted(unknown))}")
            items = [w for w in items if w.name in self.args.workloads]
        if items:
            self.race_all(items, catalog, ids)
        else:
            self.result.update(round_trips={}, floors={"elasticsearch": []}, race={"workloads": {}})
        if "cold" in self.args.modes and (not self.args.workloads or first_part.NAME in self.args.workloads):
            log("time to the first part: deferred facets against the whole search, cold")
            self.clear_caches()  # the variants are the same every run: no answer may be left from the last
            with self.api_server("autos-graph-first-part") as server:
                self.result["first_part"] = first_part.measure(server.base_url, catalog)
        self.result["machine"]["load_average_end"] = machine.load_average()
        self.result["seconds"] = round(time.perf_counter() - started, 1)
        self.result["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        report.add_derived(self.result)
        return self.result

    def race_all(self, items: Sequence[RaceWorkload], catalog: Catalog, ids: Sequence[str]) -> None:
        """Steps 3 to 7 for the race's workloads."""
        log("capture: Elasticsearch round trips per workload")
        requests = [w.repeated_request() for w in items]
        captured = self.capture(requests)
        for request in requests:
            if captured[request.name]["problem"]:
                raise RuntimeError(f"{request.name}: {captured[request.name]['problem']}")
        self.result["round_trips"] = {
            name: {
                "cold": [f"{r.method} {r.target}" for r in entry["cold"]],
                "warm": [f"{r.method} {r.target}" for r in entry["warm"]],
            }
            for name, entry in captured.items()
        }
        self.result["floors"] = {"elasticsearch": self.elasticsearch_floors(requests, captured)}
        # The floor answers with a body the size of a typical answer: the repeated answers' median.
        self.floor_body_bytes = round(statistics.median(entry["answer_bytes"] for entry in captured.values()))
        self.result["floor_app"] = {
            "body_bytes": self.floor_body_bytes,
            "server": "scripts/bench/floor_app.py served by `autos-graph serve`'s own uvicorn options "
            "(scripts/bench/cli_serve.py)",
        }
        log("the race: autos-graph against its peers")
        self.result["race"] = self.race(items)
        if "literal" in self.args.modes and self.args.memory_documents > 0:
            log(f"memory: a fresh worker, {self.args.memory_documents:,} distinct documents")
            self.result["memory"] = self.memory(catalog, ids)
        picker = next((w for w in items if w.name == "picker"), None)
        if picker is not None and "repeated" in self.args.modes:
            self.result["picker_two_workers"] = self.two_workers(picker)

    def service_versions(self) -> dict[str, str]:
        import subprocess

        import redis

        versions = {"wrk": wrk_version(self.wrk)}
        node = subprocess.run(["node", "--version"], check=False, capture_output=True, text=True)
        versions["node"] = node.stdout.strip() or "missing"
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


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--index", default=DEFAULT_INDEX, help="the benchmark's own alias (default %(default)s)"
    )
    parser.add_argument("--elasticsearch-url", default=os.environ.get("ELASTICSEARCH_URL", DEFAULT_ES_URL))
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", DEFAULT_REDIS_URL))
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per point (default %(default)s)")
    parser.add_argument(
        "--floor-duration", type=float, default=3.0, help="seconds per raw Elasticsearch floor"
    )
    parser.add_argument("--connections", type=int, nargs="+", default=list(CONNECTIONS))
    parser.add_argument(
        "--modes", nargs="+", choices=MODES, default=list(MODES), help="modes to run (default: all three)"
    )
    parser.add_argument("--workloads", nargs="+", help="only these workloads (names as in the JSON)")
    parser.add_argument("--variants", type=int, default=VARIANTS, help="variants per workload and mode")
    parser.add_argument(
        "--memory-documents",
        type=int,
        default=MEMORY_DOCUMENTS,
        help="distinct documents for the memory measurement (0: skip it)",
    )
    parser.add_argument("--vin-vehicles", type=int, default=5_000)
    parser.add_argument("--skip-vin", action="store_true", help="no in-process VIN timing")
    parser.add_argument("--skip-load", action="store_true", help="reuse the loaded index; no load timing")
    parser.add_argument("--output-dir", type=Path, default=Path("bench-results"))
    parser.add_argument(
        "--summary",
        type=Path,
        default=Path("docs/benchmarks.md"),
        help="the Markdown summary to (re)write, its chart beside it; '-' for none",
    )
    args = parser.parse_args(argv)
    args.command_line = (
        "make bench"
        if argv is None and len(sys.argv) == 1
        else shlex.join(
            [".venv/bin/python", "-m", "scripts.bench", *(sys.argv[1:] if argv is None else argv)]
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
    svg = chart.render(result)
    (args.output_dir / f"{stamp}.svg").write_text(svg)
    markdown = report.render(result, chart_name=f"{stamp}.svg")
    (args.output_dir / f"{stamp}.md").write_text(markdown)
    if str(args.summary) != "-":
        chart_path = args.summary.with_suffix(".svg")
        chart_path.write_text(svg)
        previous = args.summary.read_text() if args.summary.exists() else ""
        summary = report.render(result, chart_name=chart_path.name)
        args.summary.write_text(report.with_kept_notes(summary, previous))
    shutil.rmtree(work_dir, ignore_errors=True)
    print(report.render_targets(result))
    log(f"wrote {json_path}" + ("" if str(args.summary) == "-" else f" and {args.summary}"))


if __name__ == "__main__":
    main()
