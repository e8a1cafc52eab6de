"""Load the full dataset (autos-graph data load --full).

Kept for the seed-era scripts and runbooks; the console script is the real entry point.
"""

from __future__ import annotations

import sys

from graph.cli.main import app


def main() -> None:
    app(["data", "load", "--full", *sys.argv[1:]], prog_name="autos-graph")


if __name__ == "__main__":
    main()
