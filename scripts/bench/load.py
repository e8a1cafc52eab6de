"""Workload 8: the full data load, timed as an operator runs it.

`autos-graph data create-index --recreate` first (not timed) so the load goes
into an empty index, then the wall time of the whole `autos-graph data load
--full` process: interpreter start, dataset expansion, bulk indexing and the
final refresh.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

LOAD_TIMEOUT_SECONDS = 600


@dataclass(frozen=True, slots=True)
class LoadTiming:
    seconds: float
    documents: int
    summary_line: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _run(command: Sequence[str], env: Mapping[str, str]) -> str:
    done = subprocess.run(
        list(command),
        env=dict(env),
        capture_output=True,
        text=True,
        check=False,
        timeout=LOAD_TIMEOUT_SECONDS,
        stdin=subprocess.DEVNULL,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {done.returncode}: {done.stderr.strip()[-2000:]}")
    return done.stdout.strip()


def time_full_load(*, cli: Sequence[str], env: Mapping[str, str], count_documents: Any) -> LoadTiming:
    """`cli` is the `autos-graph` command; `count_documents()` reads the index's count afterwards."""
    _run([*cli, "data", "create-index", "--recreate"], env)
    started = time.perf_counter()
    output = _run([*cli, "data", "load", "--full"], env)
    seconds = time.perf_counter() - started
    return LoadTiming(
        seconds=seconds,
        documents=int(count_documents()),
        summary_line=output.splitlines()[-1] if output else "",
    )
