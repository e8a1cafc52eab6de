"""The benchmark's verdicts and its Markdown summary, derived from the raw result.

`add_derived` adds the ratios to the peers and the target verdicts to the
result (so the JSON holds them too); `render` writes docs/benchmarks.md.
"""

from __future__ import annotations

from typing import Any

from scripts.bench.agreement import SAMPLES
from scripts.bench.peer_servers import PEER_TITLES
from scripts.bench.race import MODES, add_ratios, point_at, race_targets
from scripts.bench.stats import at_least, at_most, below

# Everything from this heading on in docs/benchmarks.md is written by people and kept by each run.
NOTES_HEADING = "## Notes (kept across runs)"

PICKER_P50_MS = 2.0
PICKER_RPS_TWO_WORKERS = 1_000.0
NESTED_ROUND_TRIPS = 3
RSS_MB = 150.0
VIN_MS = 1.0
LOAD_SECONDS = 15.0
FIRST_PART_RATIO = 0.6


def add_derived(result: dict[str, Any]) -> None:
    """The verdicts of every target, kept in the result (so the JSON holds them too)."""
    race = result.get("race", {"workloads": {}})
    add_ratios(race)
    result["targets"] = [*race_targets(race), *_other_targets(result)]


def _target(
    name: str, limit: str, measured: float | None, unit: str, verdict: str, note: str = ""
) -> dict[str, Any]:
    return {
        "target": name,
        "limit": limit,
        "measured": measured,
        "unit": unit,
        "verdict": verdict,
        "note": note,
    }


def rss_under_load(race: dict[str, Any]) -> float | None:
    """The largest RSS autos-graph's worker reached in any run of the race."""
    peaks = [
        point["rss_peak_mb"]
        for workload in race.get("workloads", {}).values()
        for entry in workload["modes"].values()
        for point in entry["autos_graph"]
    ]
    return max(peaks) if peaks else None


def _other_targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    race = result.get("race", {"workloads": {}})
    targets = []
    memory = result.get("memory")
    after = memory["rss_after_mb"] if memory and memory["distinct_documents"] >= 10_000 else None
    targets.append(
        _target(
            "RSS of the worker after 10,000 distinct documents",
            f"≤ {RSS_MB:g} MB",
            after,
            "MB",
            at_most(after, RSS_MB),
            (
                f"fresh {memory['rss_fresh_mb']:.1f} MB; {memory['distinct_documents']:,} distinct documents "
                f"(literal mode, {memory['connections']} connections); peak {memory['rss_peak_mb']:.1f} MB"
            )
            if memory
            else "not run (--modes without literal, or --memory-documents 0)",
        )
    )
    peak = rss_under_load(race)
    targets.append(
        _target(
            "RSS of the worker under every benchmark load",
            f"≤ {RSS_MB:g} MB",
            peak,
            "MB",
            at_most(peak, RSS_MB),
            "peak of the 1-worker server over every run of the race",
        )
    )
    nested = result.get("round_trips", {}).get("nested")
    trips = len(nested["cold"]) if nested else None
    targets.append(
        _target(
            "Nested query Elasticsearch round trips, cold",
            f"≤ {NESTED_ROUND_TRIPS}",
            trips,
            "",
            at_most(trips, NESTED_ROUND_TRIPS),
            f"warm {len(nested['warm'])}" if nested else "",
        )
    )
    picker = race.get("workloads", {}).get("picker", {}).get("modes", {}).get("repeated")
    single = point_at(picker["autos_graph"], 1) if picker else None
    p50 = single["p50_ms"] if single else None
    targets.append(
        _target(
            "Cached picker p50, 1 connection",
            f"≤ {PICKER_P50_MS:g} ms",
            p50,
            "ms",
            at_most(p50, PICKER_P50_MS),
        )
    )
    two = [p for p in result.get("picker_two_workers", []) if not p["errors"]]
    best = max(two, key=lambda p: p["requests_per_second"]) if two else None
    rps = best["requests_per_second"] if best else None
    targets.append(
        _target(
            "Cached picker throughput, 2 workers",
            f"≥ {PICKER_RPS_TWO_WORKERS:,.0f} req/s",
            rps,
            "req/s",
            at_least(rps, PICKER_RPS_TWO_WORKERS),
            f"best of {', '.join(str(p['connections']) for p in two)} connections" if two else "",
        )
    )
    vin = result.get("vin")
    vin_p50 = vin["wall_ms"]["p50"] if vin else None
    targets.append(
        _target(
            "20 VIN instances in-process (p50 per call)",
            f"< {VIN_MS:g} ms",
            vin_p50,
            "ms",
            below(vin_p50, VIN_MS),
            f"p99 {vin['wall_ms']['p99']:.3f} ms, CPU p50 {vin['cpu_ms']['p50']:.3f} ms" if vin else "",
        )
    )
    first = result.get("first_part")
    share = first["ratio_p50"] if first else None
    targets.append(
        _target(
            "Deferred facets: first part p50 / the whole search's p50, cold",
            f"≤ {FIRST_PART_RATIO:g}",
            share,
            "×",
            at_most(share, FIRST_PART_RATIO),
            (
                f"first part {first['first_part_ms']['p50']:.2f} ms, whole {first['whole_ms']['p50']:.2f} ms "
                f"(p50, {first['samples']} requests each, 1 connection)"
            )
            if first
            else "not run (--modes without cold)",
        )
    )
    load = result.get("load")
    seconds = load["seconds"] if load else None
    targets.append(
        _target(
            "Full data load into an empty index",
            f"≤ {LOAD_SECONDS:g} s",
            seconds,
            "s",
            at_most(seconds, LOAD_SECONDS),
            f"{load['documents']:,} documents" if load else "skipped (--skip-load)",
        )
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


MODE_TITLES = {
    "repeated": "Repeated (the same request again; Apollo with its response cache)",
    "cold": "Cold (every request draws its variables from thousands of variants)",
    "literal": "Literal (every request a new document, values inlined)",
}


def _ratio_text(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} ×"


def race_table(result: dict[str, Any], mode: str) -> str:
    """The side-by-side table of one mode: both sides at every connection count, and their ratios;
    in the repeated mode also the floor's req/s and autos-graph's fraction of it."""
    workloads = result["race"]["workloads"].values()
    with_floor = any("floor" in w["modes"].get(mode, {}) for w in workloads)
    lines = [
        "| workload | peer | conns | autos-graph p50 ms | peer p50 ms | × p50 | autos-graph req/s "
        "| peer req/s | × req/s | autos-graph RSS MB | peer RSS MB |"
        + (" floor req/s | of floor |" if with_floor else ""),
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|" + ("---:|---:|" if with_floor else ""),
    ]
    for workload in workloads:
        entry = workload["modes"].get(mode)
        if entry is None:
            continue
        peer = PEER_TITLES.get(entry["peer_name"] or "", "none")
        rows = {r["connections"]: r for r in entry.get("ratios", [])}
        fractions = {r["connections"]: r["fraction"] for r in entry.get("floor_fractions", [])}
        for ours in entry["autos_graph"]:
            count = ours["connections"]
            theirs = next((p for p in entry["peer"] if p["connections"] == count), None)
            row = rows.get(count, {})
            flags = " (errors)" if ours["errors"] or (theirs and theirs["errors"]) else ""
            lines.append(
                f"| {workload['title']}{flags} | {peer} | {count} | {ours['p50_ms']:.2f} "
                f"| {_number(theirs['p50_ms'] if theirs else None)} | {_ratio_text(row.get('p50_ratio'))} "
                f"| {ours['requests_per_second']:,.0f} "
                f"| {_number(theirs['requests_per_second'] if theirs else None, 0)} "
                f"| {_ratio_text(row.get('rps_ratio'))} | {ours['rss_peak_mb']:.0f} "
                f"| {_number(theirs['rss_peak_mb'] if theirs else None, 0)} |"
                + (_floor_cells(entry, count, fractions.get(count)) if with_floor else "")
            )
    return "\n".join(lines)


def _floor_cells(entry: dict[str, Any], connections: int, fraction: float | None) -> str:
    floor = next((p for p in entry.get("floor", []) if p["connections"] == connections), None)
    rps = None if floor is None else floor["requests_per_second"]
    flag = " (errors)" if floor and floor["errors"] else ""
    return f" {_number(rps, 0)}{flag} | {'–' if fraction is None else f'{fraction:.2f}'} |"


def _details_table(result: dict[str, Any]) -> str:
    lines = [
        "| workload | mode | conns | p95 ms | p99 ms | ES req/op | cache hits | log lines/req | variants |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for workload in result["race"]["workloads"].values():
        for mode, entry in workload["modes"].items():
            for point in entry["autos_graph"]:
                hits = point.get("cache_hit_ratio")
                variants = f"{entry['variants']:,}" + (" (wrapped)" if entry.get("wrapped") else "")
                lines.append(
                    f"| {workload['title']} | {mode} | {point['connections']} | {point['p95_ms']:.2f} "
                    f"| {point['p99_ms']:.2f} | {_number(point.get('es_requests_per_request'))} "
                    f"| {'–' if hits is None else f'{hits:.1%}'} "
                    f"| {_number(point.get('log_lines_per_request'))} | {variants} |"
                )
    return "\n".join(lines)


def _round_trips(result: dict[str, Any]) -> str:
    lines = ["| workload (repeated request) | cold | warm |", "|---|---|---|"]
    for name, trips in result.get("round_trips", {}).items():
        cold = ", ".join(f"`{t}`" for t in trips["cold"]) or "none"
        warm = ", ".join(f"`{t}`" for t in trips["warm"]) or "none"
        lines.append(f"| {name} | {len(trips['cold'])}: {cold} | {len(trips['warm'])}: {warm} |")
    return "\n".join(lines)


def _floors(result: dict[str, Any]) -> str:
    lines = [
        "| raw Elasticsearch request (1 connection) | of workload | body bytes | p50 ms | p99 ms |",
        "|---|---|---:|---:|---:|",
    ]
    for point in result.get("floors", {}).get("elasticsearch", []):
        lines.append(
            f"| `{point['request']}` | {point['workload']} | {point['body_bytes']:,} "
            f"| {point['p50_ms']:.3f} | {point['p99_ms']:.3f} |"
        )
    return "\n".join(lines)


def _memory(result: dict[str, Any]) -> str:
    memory = result.get("memory")
    lines = []
    if memory:
        lines.append(
            f"- A fresh worker ({memory['rss_fresh_mb']:.1f} MB) answered {memory['documents_answered']:,} "
            f"literal-mode requests, {memory['distinct_documents']:,} distinct documents (picker, filtered "
            f"search, nested and vehiclesByIds taking turns, {memory['connections']} connections, "
            f"{memory['errors']} errors): RSS {memory['rss_after_mb']:.1f} MB after, "
            f"{memory['rss_peak_mb']:.1f} MB at most during."
        )
    after = result.get("race", {}).get("rss_after_mb")
    if after:
        lines.append(
            "- RSS after the race: " + ", ".join(f"{name} {mb:.1f} MB" for name, mb in after.items()) + "."
        )
    return "\n".join(lines) or "not run"


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
            f"Redis {services.get('redis')}; Node.js {services.get('node')}; {services.get('wrk')}.",
            f"- Packages: {packages}.",
            f"- Commit {machine['git_commit']}"
            + (" (with local changes)" if machine["git_tree_modified"] else "")
            + f"; index `{result['settings']['index']}` with {result['documents']:,} documents.",
        ]
    )


CONFIGURATION = """\
autos-graph runs as deployed: `autos-graph serve` (one uvicorn worker) with the
`data` of k8s/configmap.yaml as its environment, read by the harness
(scripts/bench/deployment.py). In this run: {server}.

Settings the configmap leaves out keep the service's defaults (metrics on, in
process); a variable of the same name in the shell that runs the benchmark is
not passed on. The rate limit is the only
deployed value changed: it counts every request (the whitelist is empty, so
nothing is exempt) but is set where no run reaches it. The access log is on at
INFO, one JSON line per request on stdout, which is a pipe the harness reads
to its end and counts, as a container runtime reads a pod's stdout: never
/dev/null, never a raised level (the lines per request are in the details
table). Only the 2-worker run changes WORKERS, and shares metrics through
PROMETHEUS_MULTIPROC_DIR.

The floor is a fixed-body ASGI app (scripts/bench/floor_app.py) served on the
same stack: the real `autos-graph serve` with its uvicorn options, only the
app swapped (scripts/bench/cli_serve.py). It answers
every request with a {floor_bytes} body (the median size of the
repeated answers) and is raced with each repeated workload's own wrk script in
the same minute; "of floor" is autos-graph's req/s over the floor's (target: at
least 1/3).
"""

METHOD = """\
- Sides: autos-graph as deployed (see Configuration); against one Node.js process per peer
  (scripts/bench/peers/, NODE_ENV=production): Apollo Server 5 (standalone
  server, per-request DataLoaders, `@elastic/elasticsearch` 8, the picker's
  aggregation in Redis through ioredis for 30 s) for GraphQL, with
  `@apollo/server-plugin-response-cache` and a 30 s default max age in the
  repeated mode; the old Express backend (`app.use('/api/v1', routes)`,
  `@elastic/elasticsearch` 8, express-rate-limit with an unreachable limit, a
  30 s in-process picker cache) for REST. All read the same index and Redis.
- Agreement: before timing, each workload's repeated request and its first
  {samples} cold and literal requests go to both sides; the `data` (GraphQL) or
  the whole body (REST) must be equal, or the run stops.
- Modes: repeated sends one request again and again; cold rotates through
  {variants:,} pre-generated variable sets (REST: query strings) per workload,
  each point resuming where the previous one stopped, so no point repeats a
  variant; literal sends the same kind of values inlined into the document, a
  new document each time. Before every cold and literal point Elasticsearch's
  request and query caches are cleared; each side's own caches (Redis,
  in-process) start empty for each workload and mode and then work as they would.
- Load generator: wrk, one thread, `--latency`; each point runs {duration:g} s,
  autos-graph and its peer one after the other at the same connection count
  (autos-graph first at 1 connection, the peer first at 16); a point with socket
  errors or non-2xx answers is flagged and has no ratio. Ratios are
  autos-graph / peer: below 1 for p50 and above 1 for req/s favour autos-graph.
- Round trips: each repeated request through a recording proxy in front of
  Elasticsearch, with empty caches, then again (warm); under load from /metrics.
- RSS: every server's resident set sampled every 0.2 s during every point
  (psutil); the memory measurement uses a fresh worker and {memory:,} distinct
  literal documents at 16 connections.
- VIN: `datasources.vin.generate_instances(record, count=20)` over
  {vin_vehicles:,} catalog vehicles, each call timed alone.
- Load: `autos-graph data create-index --recreate`, then the wall time of
  `autos-graph data load --full` as a process.
"""


def _bytes(value: int | None) -> str:
    return "–" if value is None else f"{value:,}-byte"


def render(result: dict[str, Any], *, chart_name: str = "benchmarks.svg") -> str:
    settings = result["settings"]
    machine = result["machine"]
    vin = result.get("vin")
    load = result.get("load")
    extras = []
    if vin:
        wall, cpu = vin["wall_ms"], vin["cpu_ms"]
        extras.append(
            f"- 20 VIN instances per call over {vin['vehicles']:,} vehicles: wall p50 {wall['p50']:.3f} ms, "
            f"p95 {wall['p95']:.3f} ms, p99 {wall['p99']:.3f} ms; CPU p50 {cpu['p50']:.3f} ms."
        )
    if load:
        extras.append(
            f"- Full load: {load['seconds']:.1f} s wall for {load['documents']:,} documents "
            f"({load['summary_line']})."
        )
    two = result.get("picker_two_workers", [])
    if two:
        extras.append(
            "- Repeated picker on 2 workers: "
            + ", ".join(
                f"{p['requests_per_second']:,.0f} req/s at {p['connections']} connection"
                + ("s" if p["connections"] > 1 else "")
                for p in two
            )
            + "."
        )
    sections = [
        "# Benchmarks",
        f"The current state, written by `make bench` on {result['started_at']} "
        f"(run took {result['seconds']:.0f} s; load average at start {machine['load_average_start']}, "
        f"at end {machine['load_average_end']}). Command: `{result['command']}`. "
        "Raw numbers: `bench-results/<timestamp>.json` (git-ignored).",
        f"![autos-graph / peer, p50 at 1 connection and req/s at 16 connections]({chart_name})",
        "## Targets\n\n" + render_targets(result),
    ]
    for mode in MODES:
        if any(mode in w["modes"] for w in result["race"]["workloads"].values()):
            sections.append(f"## {MODE_TITLES[mode]}\n\n" + race_table(result, mode))
    sections += [
        "## Memory\n\n" + _memory(result),
        "## autos-graph details\n\n" + _details_table(result),
        "## Elasticsearch round trips\n\n" + _round_trips(result),
        "## Raw Elasticsearch (context)\n\n"
        "The old target compared the filtered search with these floors; it is replaced by the peers.\n\n"
        + _floors(result),
        "## In-process and load\n\n" + ("\n".join(extras) if extras else "not run"),
        "## Machine and versions\n\n" + _facts(result),
        "## Configuration\n\n"
        + CONFIGURATION.format(
            server=settings.get("server", "not recorded"),
            floor_bytes=_bytes(result.get("floor_app", {}).get("body_bytes")),
        ),
        "## Method\n\n"
        + METHOD.format(
            samples=SAMPLES,
            variants=settings["variants"],
            duration=settings["duration_seconds"],
            memory=result.get("memory", {}).get("documents_answered", 0),
            vin_vehicles=vin["vehicles"] if vin else 0,
        ),
    ]
    return "\n\n".join(sections) + "\n"


def with_kept_notes(markdown: str, previous: str) -> str:
    """The new summary followed by the notes section of the previous one, if it had one."""
    position = previous.find(NOTES_HEADING)
    if position < 0:
        return markdown
    return markdown.rstrip("\n") + "\n\n" + previous[position:]
