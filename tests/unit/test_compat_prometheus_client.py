"""Pins how prometheus-client names a process's multiprocess files (graph/compat/prometheus_client.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from graph.compat.prometheus_client import is_process_file, process_files

WRITE_ONE_COUNTER = """
from prometheus_client import Counter
Counter("pinned_total", "pinned").inc()
import os
print(os.getpid())
"""


def test_a_process_writes_its_values_to_files_named_by_its_pid(tmp_path: Path) -> None:
    environment = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    written = subprocess.run(
        [sys.executable, "-c", WRITE_ONE_COUNTER], env=environment, capture_output=True, text=True, check=True
    )
    pid = int(written.stdout.strip())
    files = process_files(tmp_path)
    assert files, "prometheus-client wrote no .db file in multiprocess mode"
    assert all(is_process_file(path, pid) for path in files)
    assert not any(is_process_file(path, pid + 1) for path in files)
