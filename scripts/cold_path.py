"""The uncached path of one served worker: cold and literal latency, and memory after many documents.

    .venv/bin/python -m scripts.cold_path latency --duration 5      # p50 and req/s at 1 and 16 connections
    .venv/bin/python -m scripts.cold_path memory --documents 10000  # RSS after that many distinct documents

Both start `autos-graph serve` as k8s/configmap.yaml deploys it (one worker, INFO
access log, the rate limiter counting under a limit no run reaches;
scripts/bench/deployment.py) on a free port against ELASTICSEARCH_URL / ES_INDEX /
REDIS_URL, and stop it after. Its output, the access log with it, goes to a log
file beside the run, as a container runtime writes a pod's.

- *cold*: every request carries different variables, drawn from thousands of
  variants, so no answer, aggregation or Elasticsearch request cache entry is
  reused; the document is always the same.
- *literal*: the same operations with the values written into the document, so
  every request is a document the worker has not parsed, validated or planned.

wrk (one thread) cycles through the bodies written to a file, so each workload
is reproducible; run it under `flock /tmp/autos-bench.lock` on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil

from scripts.bench.deployment import deployed_environment

BIN = Path(sys.executable).parent / "autos-graph"
CONNECTIONS = (1, 16)
VARIANTS = 4000
RESULT_MARKER = "COLD_RESULT "

FILTERED_SEARCH = (
    "query FilteredSearch($filter: VehicleFilter, $first: Int) { vehicles(filter: $filter, "
    "sort: [{ field: YEAR, direction: DESC }, { field: MODEL }], first: $first) { totalCount "
    "pageInfo { hasNextPage endCursor } "
    "nodes { id manufacturer model year bodyClass dataSource instanceCount makeModelYear } } }"
)
NESTED = (
    # Page sizes stay literal: a size given by a variable counts as the largest in the cost limit.
    "query Nested($yearMin: Int, $yearMax: Int) { manufacturerModelCombinations(first: 5) { nodes { "
    "manufacturer count vehicles(first: 5, filter: { yearMin: $yearMin, yearMax: $yearMax }) { totalCount "
    "nodes { id model year otherYears(first: 3) { id year group { manufacturer count } "
    "instances(count: 2) { vin condition mileage estimatedValue } } } } } } }"
)


def _literal(query: str, variables: dict[str, object]) -> str:
    """The document with each `$name` replaced by its value in GraphQL syntax."""
    body = re.sub(r"\(\$[^)]*\) ", " ", query, count=1)
    return re.sub(r"\$(\w+)", lambda m: _graphql_value(variables[m.group(1)]), body)


def _graphql_value(value: object) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k}: {_graphql_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_graphql_value(v) for v in value) + "]"
    return json.dumps(value)


def _models(es_url: str, index: str) -> list[tuple[str, str]]:
    body = json.dumps(
        {
            "size": 0,
            "aggs": {
                "pairs": {
                    "composite": {
                        "size": 1000,
                        "sources": [
                            {"make": {"terms": {"field": "manufacturer.keyword"}}},
                            {"model": {"terms": {"field": "model.keyword"}}},
                        ],
                    }
                }
            },
        }
    ).encode()
    request = urllib.request.Request(
        f"{es_url}/{index}/_search", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        buckets = json.load(response)["aggregations"]["pairs"]["buckets"]
    return [(b["key"]["make"], b["key"]["model"]) for b in buckets]


def filtered_variants(models: list[tuple[str, str]], count: int) -> list[dict[str, object]]:
    chooser = random.Random(15)
    variants = []
    for _ in range(count):
        year_min = chooser.randint(1950, 2015)
        variants.append(
            {
                "filter": {
                    "models": [{"manufacturer": m, "model": n} for m, n in chooser.sample(models, 3)],
                    "yearMin": year_min,
                    "yearMax": year_min + chooser.randint(2, 20),
                },
                "first": chooser.randint(15, 25),
            }
        )
    return variants


def nested_variants(count: int) -> list[dict[str, object]]:
    combos = [(low, low + span) for low in range(1950, 2016) for span in range(5, 61)]
    random.Random(15).shuffle(combos)
    return [{"yearMin": low, "yearMax": high} for low, high in combos[:count]]


def bodies(query: str, variants: list[dict[str, object]], *, literal: bool) -> list[bytes]:
    if literal:
        return [json.dumps({"query": _literal(query, v)}).encode() for v in variants]
    return [json.dumps({"query": query, "variables": v}).encode() for v in variants]


LUA = """
local bodies = {}
for line in io.lines([[BODIES]]) do bodies[#bodies + 1] = line end
local counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  counter = counter + 1
  return wrk.format(nil, "/graphql", nil, bodies[(counter % #bodies) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format('MARKER{"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"errors":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status
    + summary.errors.timeout))
end
""".replace("MARKER", RESULT_MARKER)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served(log_path: Path) -> Iterator[tuple[str, int]]:
    """(base URL, pid) of one `autos-graph serve` worker."""
    port = free_port()
    env = deployed_environment(
        elasticsearch_url=os.environ["ELASTICSEARCH_URL"],
        redis_url=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        index=os.environ["ES_INDEX"],
        port=port,
    )
    with log_path.open("wb") as log:
        process = subprocess.Popen([str(BIN), "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"the server exited:\n{log_path.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{base}/health/live", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("the server did not start") from None
                time.sleep(0.2)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def post(base: str, body: bytes, *, strict: bool = True) -> bool:
    """Whether the answer came without errors; `strict` stops at the first one."""
    request = urllib.request.Request(
        f"{base}/graphql", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = json.load(response)
    if answer.get("errors") and strict:
        raise SystemExit(f"GraphQL errors: {answer['errors']}")
    return not answer.get("errors")


def run_wrk(base: str, lua: Path, *, connections: int, seconds: int) -> dict[str, float]:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    done = subprocess.run(
        [wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout=10s", "-s", str(lua), base],
        check=True,
        capture_output=True,
        text=True,
    )
    line = next(ln for ln in done.stdout.splitlines() if ln.startswith(RESULT_MARKER))
    raw = json.loads(line[len(RESULT_MARKER) :])
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", done.stdout)
    seconds_run = raw["duration_us"] / 1e6
    return {
        "p50_ms": raw["p50_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "rps": raw["requests"] / seconds_run,
        "errors": raw["errors"] + (int(non_2xx.group(1)) if non_2xx else 0),
    }


def latency(args: argparse.Namespace) -> None:
    models = _models(args.elasticsearch_url, args.index)
    filtered = filtered_variants(models, VARIANTS)
    nested = nested_variants(VARIANTS)
    workloads = {
        "filtered_cold": bodies(FILTERED_SEARCH, filtered, literal=False),
        "nested_cold": bodies(NESTED, nested, literal=False),
        "filtered_literal": bodies(FILTERED_SEARCH, filtered, literal=True),
    }
    results: dict[str, dict[str, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="cold-path-") as work:
        work_dir = Path(work)
        with served(work_dir / "server.log") as (base, _pid):
            for name, payloads in workloads.items():
                for payload in payloads[:3]:
                    post(base, payload)
                # Each run sends the variants in another order (4,000 of them against a few
                # thousand requests a run), so a run seldom meets an answer the previous one cached.
                results[name] = {}
                for connections in args.connections:
                    chosen = list(payloads)
                    random.Random(connections).shuffle(chosen)
                    (work_dir / "bodies.txt").write_bytes(b"\n".join(chosen) + b"\n")
                    lua = work_dir / "cold.lua"
                    lua.write_text(LUA.replace("BODIES", str(work_dir / "bodies.txt")))
                    results[name][str(connections)] = run_wrk(
                        base, lua, connections=connections, seconds=args.duration
                    )
                    print(name, connections, results[name][str(connections)], flush=True)
    print(json.dumps({"load_average": os.getloadavg(), "results": results}, indent=1))


def memory(args: argparse.Namespace) -> None:
    models = _models(args.elasticsearch_url, args.index)
    payloads = bodies(FILTERED_SEARCH, filtered_variants(models, args.documents), literal=True)
    if len(set(payloads)) != len(payloads):
        raise SystemExit("the generated documents are not distinct")
    with (
        tempfile.TemporaryDirectory(prefix="cold-path-") as work,
        served(Path(work) / "server.log") as (
            base,
            pid,
        ),
    ):
        process = psutil.Process(pid)
        post(base, payloads[0])
        fresh = process.memory_info().rss
        # On a busy machine an Elasticsearch timeout may answer one with an error; the
        # document was parsed, validated and planned all the same, which is what is measured.
        failed = 0
        for sent, payload in enumerate(payloads, start=1):
            failed += not post(base, payload, strict=False)
            if sent % 2000 == 0:
                print(f"{sent} documents: RSS {process.memory_info().rss / 2**20:.1f} MiB", flush=True)
        final = process.memory_info().rss
    print(
        json.dumps(
            {
                "documents": args.documents,
                "rss_fresh_mib": round(fresh / 2**20, 1),
                "rss_after_mib": round(final / 2**20, 1),
                "answers_with_errors": failed,
                "load_average": os.getloadavg(),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--elasticsearch-url", default=os.environ.get("ELASTICSEARCH_URL", "http://127.0.0.1:9200")
    )
    parser.add_argument("--index", default=os.environ.get("ES_INDEX", "autos-unified"))
    commands = parser.add_subparsers(dest="command", required=True)
    timed = commands.add_parser("latency", help="cold and literal p50 and req/s")
    timed.add_argument("--duration", type=int, default=5, help="seconds per run")
    timed.add_argument("--connections", type=int, nargs="+", default=list(CONNECTIONS))
    timed.set_defaults(run=latency)
    sized = commands.add_parser("memory", help="RSS after many distinct documents")
    sized.add_argument("--documents", type=int, default=10_000)
    sized.set_defaults(run=memory)
    args = parser.parse_args()
    os.environ["ELASTICSEARCH_URL"] = args.elasticsearch_url
    os.environ["ES_INDEX"] = args.index
    args.run(args)


if __name__ == "__main__":
    main()
