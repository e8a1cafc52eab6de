"""Driving wrk: its Lua script, its command line, and reading its result.

wrk is C and event driven, so one wrk thread loads the service far harder than
it costs in CPU; on a 2-core machine that shares its cores with the service and
Elasticsearch, every run uses a single wrk thread. The Lua script sets the
request (method, headers, body read from a file, so no escaping is involved)
and its `done` hook prints one JSON line with the percentiles wrk's own
`--latency` table leaves out (p95) and the error counters.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

RESULT_MARKER = "BENCH_RESULT "
# Far above any latency measured here: a slow request is a latency, not a timeout.
REQUEST_TIMEOUT = "10s"

_DONE_HOOK = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '%s{"requests":%d,"duration_us":%d,"bytes":%d,"mean_us":%.1f,"p50_us":%d,"p95_us":%d,' ..
    '"p99_us":%d,"max_us":%d,"errors_connect":%d,"errors_read":%d,"errors_write":%d,' ..
    '"errors_status":%d,"errors_timeout":%d}\\n',
    "RESULT_MARKER", summary.requests, summary.duration, summary.bytes, latency.mean,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
""".replace("RESULT_MARKER", RESULT_MARKER)


class WrkError(RuntimeError):
    """wrk is missing, failed, or printed no result line."""


@dataclass(frozen=True, slots=True)
class WrkResult:
    connections: int
    requests: int
    seconds: float
    requests_per_second: float
    mean_ms: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    # Socket errors plus non-2xx/3xx answers: a run with any is not a valid measurement.
    errors: int
    non_2xx: int
    bytes_read: int


def lua_script(*, method: str, headers: Mapping[str, str], body_path: Path | None) -> str:
    lines = [f'wrk.method = "{method}"']
    for name, value in headers.items():
        if '"' in name or '"' in value or "\\" in value:
            raise ValueError(f"header {name!r} cannot be written into the Lua script")
        lines.append(f'wrk.headers["{name}"] = "{value}"')
    if body_path is not None:
        path = str(body_path)
        if "]]" in path:
            raise ValueError(f"body path {path!r} cannot be written into the Lua script")
        lines.append(f'local f = assert(io.open([[{path}]], "rb"))\nwrk.body = f:read("*a")\nf:close()')
    return "\n".join(lines) + "\n" + _DONE_HOOK


def rotating_lua_script(
    *,
    method: str,
    headers: Mapping[str, str],
    items_path: Path,
    vary: Literal["body", "path"],
    start: int = 0,
) -> str:
    """A script sending a different request each time: line `start`, `start + 1`, … of `items_path`
    (each line a request body or a path with its query), wrapping around at the end.

    The lines are read once per wrk thread, before the run, so the timed loop only
    indexes a Lua table.
    """
    if start < 0:
        raise ValueError(f"start must not be negative, got {start}")
    path = str(items_path)
    if "]]" in path:
        raise ValueError(f"items path {path!r} cannot be written into the Lua script")
    static = lua_script(method=method, headers=headers, body_path=None).split("\ndone = function")[0]
    build = "wrk.format(nil, nil, nil, item)" if vary == "body" else "wrk.format(nil, item)"
    return (
        static
        + f"""
local items = {{}}
for line in io.lines([[{path}]]) do items[#items + 1] = line end
assert(#items > 0, "no requests in [[{path}]]")
local position = {start}
request = function()
  local item = items[position % #items + 1]
  position = position + 1
  return {build}
end
"""
        + _DONE_HOOK
    )


def parse_output(text: str, *, connections: int) -> WrkResult:
    """The result line our `done` hook printed, plus wrk's own non-2xx count."""
    line = next((ln for ln in text.splitlines() if ln.startswith(RESULT_MARKER)), None)
    if line is None:
        raise WrkError(f"wrk printed no result line:\n{text[-2000:]}")
    raw = json.loads(line[len(RESULT_MARKER) :])
    seconds = raw["duration_us"] / 1e6
    non_2xx_match = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", text)
    non_2xx = int(non_2xx_match.group(1)) if non_2xx_match else 0
    socket_errors = sum(raw[f"errors_{kind}"] for kind in ("connect", "read", "write", "timeout"))
    return WrkResult(
        connections=connections,
        requests=raw["requests"],
        seconds=seconds,
        requests_per_second=raw["requests"] / seconds if seconds > 0 else 0.0,
        mean_ms=raw["mean_us"] / 1000,
        p50_ms=raw["p50_us"] / 1000,
        p95_ms=raw["p95_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
        errors=socket_errors + non_2xx,
        non_2xx=non_2xx,
        bytes_read=raw["bytes"],
    )


def ensure_wrk() -> str:
    """The wrk binary; installed from Debian's package when missing and running as root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise WrkError("wrk is not installed: run `apt-get install wrk` (as root) and try again")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, capture_output=True)
    installed = subprocess.run(
        ["apt-get", "install", "-y", "-qq", "wrk"], check=False, env=env, capture_output=True, text=True
    )
    found = shutil.which("wrk")
    if found is None:
        raise WrkError(f"apt-get install wrk failed:\n{installed.stderr[-2000:]}")
    return found


def wrk_version(binary: str) -> str:
    # wrk has no --version flag; its usage text starts with the version line.
    done = subprocess.run([binary, "-v"], check=False, capture_output=True, text=True)
    first = (done.stdout or done.stderr).strip().splitlines()
    return first[0] if first else "unknown"


def run_wrk(
    *, binary: str, url: str, script: Path, connections: int, seconds: float, threads: int = 1
) -> WrkResult:
    command = [
        binary,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        f"--timeout={REQUEST_TIMEOUT}",
        "--latency",
        "-s",
        str(script),
        url,
    ]
    done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode != 0:
        raise WrkError(f"wrk exited {done.returncode}: {done.stderr.strip()[-2000:]}")
    return parse_output(done.stdout, connections=connections)
