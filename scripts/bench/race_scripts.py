"""The wrk script of a race workload in one mode: its one request, or its variants from a start."""

from __future__ import annotations

from pathlib import Path

from scripts.bench.race_workloads import Mode, RaceWorkload
from scripts.bench.workloads import JSON_HEADERS
from scripts.bench.wrk import lua_script, rotating_lua_script


def write_script(work_dir: Path, workload: RaceWorkload, mode: Mode, *, start: int = 0) -> Path:
    """The script in `work_dir`: the repeated request, or the mode's requests from line `start` on
    (written once per workload and mode beside it)."""
    lines_path = work_dir / f"{workload.name}-{mode}.lines"
    if not lines_path.exists():
        lines_path.write_bytes(b"\n".join(workload.lines(mode)) + b"\n")
    script = work_dir / f"{workload.name}-{mode}-{start}.lua"
    headers = JSON_HEADERS if workload.graphql else {}
    if mode == "repeated":
        line = workload.lines("repeated")[0]
        if workload.graphql:
            body = work_dir / f"{workload.name}.body"
            body.write_bytes(line)
            text = lua_script(method="POST", headers=headers, body_path=body)
        else:
            text = rotating_lua_script(method="GET", headers={}, items_path=lines_path, vary="path")
    else:
        text = rotating_lua_script(
            method="POST" if workload.graphql else "GET",
            headers=headers,
            items_path=lines_path,
            vary="body" if workload.graphql else "path",
            start=start,
        )
    script.write_text(text)
    return script
