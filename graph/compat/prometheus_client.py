"""prometheus-client's undocumented multiprocess file naming, which clearing a stale run relies on.

In multiprocess mode each process writes its values to `<kind>_<pid>.db` files
in PROMETHEUS_MULTIPROC_DIR; the documentation says to empty the directory
between runs but not how the files are named. tests/unit/test_compat_prometheus_client.py
pins the naming.
"""

from __future__ import annotations

from pathlib import Path


def is_process_file(path: Path, pid: int) -> bool:
    """Whether `path` is one of the multiprocess files written by process `pid`."""
    return path.name.endswith(f"_{pid}.db")


def process_files(directory: Path) -> list[Path]:
    """Every process's multiprocess files in the directory."""
    return sorted(directory.glob("*.db"))
