"""The benchmark's verdicts and its Markdown summary, derived from the raw result.

`add_derived` adds the ratios to the floors and the target verdicts to the
result (so the JSON holds them too); `render` writes docs/benchmarks.md.
"""

from __future__ import annotations

from typing import Any

from scripts.bench.stats import at_least, at_most, below, ratio

# Everything from this heading on in docs/benchmarks.md is written by people and kept by each run.
NOTES_HEADING = "## Notes (kept across runs)"

PICKER_P50_MS = 2.0
PICKER_RPS_TWO_WORKERS = 1_000.0
SEARCH_TO_ELASTICSEARCH = 1.3
NESTED_ROUND_TRIPS = 3
RSS_MB = 150.0
VIN_MS = 1.0
LOAD_SECONDS = 15.0


def _run(workload: dict[str, Any], *, workers: int, connections: int) -> dict[str, Any] | None:
    points: list[dict[str, Any]] = workload.get("runs", [])
    return next((p for p in points if p["workers"] == workers and p["connections"] == connections), None)


def _http_floor(
    result: dict[str, Any], name: str, *, workers: int, connections: int
) -> dict[str, Any] | None:
    points: list[dict[str, Any]] = result["floors"]["http"]
    return next(
        (
            p
            for p in points
            if p["workload"] == name and p["workers"] == workers and p["connections"] == connections
        ),
        None,
    )


def _data_floor(result: dict[str, Any], name: str, workload: dict[str, Any]) -> tuple[float | None, str]:
    """Raw Elasticsearch p50s of the workload's requests, plus its Redis GETs when cached."""
    es = [p for p in result["floors"]["elasticsearch"] if p["workload"] == name]
    total = sum(p["p50_ms"] for p in es)
    parts = [f"{len(es)} ES request{'s' if len(es) != 1 else ''}"] if es else []
    reads = workload.get("cache_reads_per_request") or 0
    redis = result["floors"].get("redis_get")
    if workload["cache"] == "cached" and reads:
        if redis is None:
            return None, "Redis GET not measured"
        total += reads * redis["latency_ms"]["p50"]
        parts.append(f"{reads:g} Redis GET{'s' if reads != 1 else ''}")
    if not parts:
        return None, "no data access"
    return total, " + ".join(parts)


def add_derived(result: dict[str, Any]) -> None:
    for name, workload in result["workloads"].items():
        single = _run(workload, workers=1, connections=1)
        floor = _http_floor(result, name, workers=1, connections=1)
        data_floor, data_kind = _data_floor(result, name, workload)
        p50 = single["p50_ms"] if single else None
        workload["floor"] = {
            "api_p50_ms": p50,
            "data_floor_ms": data_floor,
            "data_floor_kind": data_kind,
            "http_floor_ms": floor["p50_ms"] if floor else None,
            "ratio_to_data_floor": ratio(p50, data_floor),
            "ratio_to_http_floor": ratio(p50, floor["p50_ms"] if floor else None),
        }
    result["targets"] = _targets(result)


def _targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    workloads = result["workloads"]
    targets: list[dict[str, Any]] = []

    def add(name: str, limit: str, measured: float | None, unit: str, verdict: str, note: str = "") -> None:
        targets.append(
            {
                "target": name,
                "limit": limit,
                "measured": measured,
                "unit": unit,
                "verdict": verdict,
                "note": note,
            }
        )

    picker = workloads.get("picker_cached", {})
    single = _run(picker, workers=1, connections=1) if picker else None
    p50 = single["p50_ms"] if single else None
    add("Cached picker p50, 1 connection", f"≤ {PICKER_P50_MS:g} ms", p50, "ms", at_most(p50, PICKER_P50_MS))
    two = [p for p in picker.get("runs", []) if p["workers"] == 2 and not p["errors"]]
    best = max(two, key=lambda p: p["requests_per_second"]) if two else None
    rps = best["requests_per_second"] if best else None
    add(
        "Cached picker throughput, 2 workers",
        f"≥ {PICKER_RPS_TWO_WORKERS:,.0f} req/s",
        rps,
        "req/s",
        at_least(rps, PICKER_RPS_TWO_WORKERS),
        f"best of {', '.join(str(p['connections']) for p in two)} connections" if two else "",
    )
    search_workload = workloads.get("filtered_search", {})
    search = search_workload.get("floor", {})
    paired = search_workload.get("paired")
    # The alternating rounds are the verdict when measured: both sides then share the same minutes.
    search_ratio = paired["median_ratio"] if paired else search.get("ratio_to_data_floor")
    notes = []
    if paired:
        notes.append(
            f"median of {len(paired['rounds'])} alternating rounds; "
            + ", ".join(f"{r['api_p50_ms']:.2f}/{r['es_p50_ms']:.2f} ms" for r in paired["rounds"])
        )
        if paired.get("median_forward_ratio") is not None:
            notes.append(
                f"a bare service that only forwards the search: {paired['median_forward_ratio']:.2f} ×"
            )
    if search.get("api_p50_ms") is not None and search.get("data_floor_ms") is not None:
        notes.append(f"main runs {search['api_p50_ms']:.2f} ms vs {search['data_floor_ms']:.2f} ms")
    add(
        "Uncached filtered search vs raw Elasticsearch (p50, 1 connection)",
        f"≤ {SEARCH_TO_ELASTICSEARCH:g} ×",
        search_ratio,
        "×",
        at_most(search_ratio, SEARCH_TO_ELASTICSEARCH),
        "; ".join(notes),
    )
    nested = workloads.get("nested")
    trips: float | None = None
    note = ""
    if nested and not nested["problem"]:
        under_load = [
            p["es_requests_per_request"] for p in nested["runs"] if p["es_requests_per_request"] is not None
        ]
        trips = max([nested["es_round_trips_cold"], nested["es_round_trips_warm"], *under_load])
        note = (
            f"cold cache {nested['es_round_trips_cold']}, warm {nested['es_round_trips_warm']}, "
            f"under load ≤ {max(under_load, default=0):.2f} per request"
        )
    add(
        "Nested query Elasticsearch round trips",
        f"≤ {NESTED_ROUND_TRIPS}",
        trips,
        "",
        at_most(trips, NESTED_ROUND_TRIPS),
        note,
    )
    rss_all = [mb for per_pid in result.get("rss_peak_mb", {}).values() for mb in per_pid.values()]
    peak = max(rss_all) if rss_all else None
    add(
        "RSS per worker under load",
        f"≤ {RSS_MB:g} MB",
        peak,
        "MB",
        at_most(peak, RSS_MB),
        "peak of every worker, every run",
    )
    vin = result.get("vin")
    vin_p50 = vin["wall_ms"]["p50"] if vin else None
    add(
        "20 VIN instances in-process (p50 per call)",
        f"< {VIN_MS:g} ms",
        vin_p50,
        "ms",
        below(vin_p50, VIN_MS),
        f"p99 {vin['wall_ms']['p99']:.3f} ms, CPU p50 {vin['cpu_ms']['p50']:.3f} ms" if vin else "",
    )
    load = result.get("load")
    seconds = load["seconds"] if load else None
    add(
        "Full data load into an empty index",
        f"≤ {LOAD_SECONDS:g} s",
        seconds,
        "s",
        at_most(seconds, LOAD_SECONDS),
        f"{load['documents']:,} documents" if load else "skipped (--skip-load)",
    )
    return targets


def _number(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def _measured(target: dict[str, Any]) -> str:
    value = target["measured"]
    if value is None:
        return "not measured"
    unit = target["unit"]
    digits = 0 if unit == "req/s" else 3 if unit == "ms" and value < 1 else 1 if unit in ("MB", "s") else 2
    text = f"{value:,.{digits}f}" if unit else f"{value:g}"
    return f"{text} {unit}".strip()


def render_targets(result: dict[str, Any]) -> str:
    lines = ["| target | limit | measured | verdict | note |", "|---|---|---|---|---|"]
    for target in result["targets"]:
        verdict = {"met": "**met**", "missed": "**MISSED**"}.get(target["verdict"], target["verdict"])
        lines.append(
            f"| {target['target']} | {target['limit']} | {_measured(target)} | {verdict} | {target['note']} |"
        )
    return "\n".join(lines)


def _workload_table(result: dict[str, Any]) -> str:
    lines = [
        "| workload | workers | conns | req/s | p50 ms | p95 ms | p99 ms | ES req/op | cache hits "
        "| RSS peak MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for workload in result["workloads"].values():
        if workload["problem"]:
            lines.append(f"| {workload['title']} | | | not run: {workload['problem'][:80]} | | | | | | |")
            continue
        for point in workload["runs"]:
            hits = point["cache_hit_ratio"]
            rss = max(point["rss_peak_mb"].values(), default=0)
            lines.append(
                f"| {workload['title']} | {point['workers']} | {point['connections']} "
                f"| {point['requests_per_second']:,.0f} | {point['p50_ms']:.2f} | {point['p95_ms']:.2f} "
                f"| {point['p99_ms']:.2f} | {_number(point['es_requests_per_request'])} "
                f"| {'–' if hits is None else f'{hits:.1%}'} | {rss:.0f}"
                + (f" ({point['errors']} errors)" if point["errors"] else "")
                + " |"
            )
    return "\n".join(lines)


def _floor_table(result: dict[str, Any]) -> str:
    lines = [
        "| workload | API p50 ms | data floor | data floor p50 ms | × data floor | HTTP floor p50 ms "
        "| × HTTP floor | ES round trips (cold / warm) |",
        "|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    for workload in result["workloads"].values():
        if workload["problem"]:
            continue
        floor = workload["floor"]
        lines.append(
            f"| {workload['title']} | {_number(floor['api_p50_ms'])} | {floor['data_floor_kind']} "
            f"| {_number(floor['data_floor_ms'], 3)} | {_number(floor['ratio_to_data_floor'])} "
            f"| {_number(floor['http_floor_ms'], 3)} | {_number(floor['ratio_to_http_floor'])} "
            f"| {workload['es_round_trips_cold']} / {workload['es_round_trips_warm']} |"
        )
    return "\n".join(lines)


def _floor_details(result: dict[str, Any]) -> str:
    floors = result["floors"]
    lines = []
    redis = floors.get("redis_get")
    if redis:
        latency = redis["latency_ms"]
        lines.append(
            f"- Redis GET of the cached aggregation ({redis['payload_bytes']:,} bytes), one connection, "
            f"{latency['count']:,} GETs: p50 {latency['p50']:.3f} ms, p99 {latency['p99']:.3f} ms."
        )
    for name, workload in result["workloads"].items():
        paired = workload.get("paired")
        if paired:
            rounds = ", ".join(f"{r['ratio']:.2f}" for r in paired["rounds"])
            lines.append(
                f"- {name}, API vs raw Elasticsearch in alternating rounds (1 connection): "
                f"median {paired['median_ratio']:.2f} × (rounds: {rounds})."
            )
            if paired.get("median_forward_ratio") is not None:
                forwarded = ", ".join(f"{r['forward_ratio']:.2f}" for r in paired["rounds"])
                lines.append(
                    f"- {name}, forwarding floor (a bare endpoint sending the same Elasticsearch request, "
                    f"then answering the API's bytes) vs raw Elasticsearch in the same rounds: "
                    f"median {paired['median_forward_ratio']:.2f} × (rounds: {forwarded})."
                )
    lines += [
        "",
        "| raw Elasticsearch request (1 connection) | of workload | body bytes | p50 ms | p99 ms |",
        "|---|---|---:|---:|---:|",
    ]
    for point in floors["elasticsearch"]:
        lines.append(
            f"| `{point['request']}` | {point['workload']} | {point['body_bytes']:,} "
            f"| {point['p50_ms']:.3f} | {point['p99_ms']:.3f} |"
        )
    lines += [
        "",
        "| bare Starlette, same bytes | workers | conns | req/s | p50 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for point in floors["http"]:
        lines.append(
            f"| {point['workload']} | {point['workers']} | {point['connections']} "
            f"| {point['requests_per_second']:,.0f} | {point['p50_ms']:.3f} | {point['p99_ms']:.3f} |"
        )
    return "\n".join(lines)


def _facts(result: dict[str, Any]) -> str:
    machine = result["machine"]
    services = result["services"]
    packages = ", ".join(f"{name} {version}" for name, version in machine["packages"].items())
    return "\n".join(
        [
            f"- CPU: {machine['cpu_model']}, {machine['logical_cpus']} logical cores; "
            f"{machine['memory_gib']} GiB memory; {machine['os']} (kernel {machine['kernel']}).",
            f"- Load average at start / end: {machine['load_average_start']} / {machine['load_average_end']} "
            "(the machine is shared; Elasticsearch, Redis, wrk and the service run on it together).",
            f"- Python {machine['python']}; Elasticsearch {services.get('elasticsearch')}; "
            f"Redis {services.get('redis')}; {services.get('wrk')}.",
            f"- Packages: {packages}.",
            f"- Commit {machine['git_commit']}"
            + (" (with local changes)" if machine["git_tree_modified"] else "")
            + f"; index `{result['settings']['index']}` with {result['documents']:,} documents.",
        ]
    )


METHOD = """\
- Load generator: wrk, one thread (it is event driven; one thread leaves the
  service its CPU), `--latency`, p50/p95/p99 from wrk's own histogram. Each
  point runs {duration:g} s after a 1 s warm-up at 16 connections; a point with
  socket errors or non-2xx answers is flagged.
- Server: `autos-graph serve` on a free loopback port with
  RATE_LIMIT_PER_MINUTE=0, LOG_LEVEL=WARNING, ENVIRONMENT=production and
  PROMETHEUS_MULTIPROC_DIR (so /metrics covers every worker); 1 worker for
  every workload, 2 workers for the throughput target (and the filtered search).
- Cached: the real Redis; the aggregation cache TTL (30 s) is left as it is,
  so a run contains the odd refresh (see the cache hit column).
- Uncached: the server's REDIS_URL points at `scripts/bench/null_redis.py`, a
  RESP server that answers every GET with nil, so every request runs the real
  miss path (GET, the aggregation, two SETs); Elasticsearch's request cache is
  cleared (`POST /<index>/_cache/clear?request=true`) before each point. Under
  concurrency the service's single flight shares one aggregation between
  simultaneous misses, which the ES req/op column shows.
- Round trips: each workload is sent once through a recording proxy in front
  of Elasticsearch, cold (the benchmark index's cache keys deleted from Redis
  first) and warm (sent again); under load they are read from /metrics
  (`autos_graph_elasticsearch_request_duration_seconds_count`, without the
  background alias refresh, per request the service answered), as are the
  hits and misses of the aggregation cache in Redis (`graphql_answers`, the
  answers a worker reuses from its own memory, are no Redis read).
- Floors, in the same run: the captured Elasticsearch requests replayed by wrk
  straight at Elasticsearch over one keep-alive connection (request cache
  cleared first for the uncached picker); a redis-py GET loop of the cached
  payload; a bare Starlette endpoint answering the API's own response bytes
  (`scripts/bench/floor_app.py`, uvicorn with the flags of `autos-graph serve`).
  The data floor of a workload is the sum of its Elasticsearch requests' p50s
  plus, when cached, its Redis GETs; ratios are API p50 / floor p50 at one connection.
- Paired ratio (the filtered search target, and REST details): wrk at one
  connection against raw Elasticsearch and against the API in alternating
  2 s rounds; the verdict is the median of the per-round p50 ratios, so drift
  of this shared machine between minutes cannot favour either side.
- RSS: every worker's resident set sampled every 0.2 s during every run (psutil).
- VIN: `datasources.vin.generate_instances(record, count=20)` over
  {vin_vehicles:,} catalog vehicles, each call timed alone, garbage collector on.
- Load: `autos-graph data create-index --recreate`, then the wall time of
  `autos-graph data load --full` as a process.
"""


def render(result: dict[str, Any]) -> str:
    settings = result["settings"]
    vin = result.get("vin")
    load = result.get("load")
    extras = []
    if vin:
        wall, cpu = vin["wall_ms"], vin["cpu_ms"]
        extras.append(
            f"- 20 VIN instances per call over {vin['vehicles']:,} vehicles: wall p50 {wall['p50']:.3f} ms, "
            f"p95 {wall['p95']:.3f} ms, p99 {wall['p99']:.3f} ms, mean {wall['mean']:.3f} ms; "
            f"CPU p50 {cpu['p50']:.3f} ms."
        )
    if load:
        extras.append(
            f"- Full load: {load['seconds']:.1f} s wall for {load['documents']:,} documents "
            f"({load['summary_line']})."
        )
    return (
        "\n\n".join(
            [
                "# Benchmarks",
                f"The current state, written by `make bench` on {result['started_at']} "
                f"(run took {result['seconds']:.0f} s). Command: `{result['command']}`. "
                "Raw numbers: `bench-results/<timestamp>.json` (git-ignored).",
                "## Targets\n\n" + render_targets(result),
                "## Workloads\n\n" + _workload_table(result),
                "## Against the floors (1 worker, 1 connection)\n\n" + _floor_table(result),
                "### Floors\n\n" + _floor_details(result),
                "## In-process and load\n\n" + ("\n".join(extras) if extras else "not run"),
                "## Machine and versions\n\n" + _facts(result),
                "## Method\n\n"
                + METHOD.format(
                    duration=settings["duration_seconds"], vin_vehicles=vin["vehicles"] if vin else 0
                ),
            ]
        )
        + "\n"
    )


def with_kept_notes(markdown: str, previous: str) -> str:
    """The new summary followed by the notes section of the previous one, if it had one."""
    position = previous.find(NOTES_HEADING)
    if position < 0:
        return markdown
    return markdown.rstrip("\n") + "\n\n" + previous[position:]
