"""Create the autos index behind ES_INDEX (autos-graph data create-index).

Kept for the seed-era scripts and runbooks; the console script is the real entry point.
"""

from __future__ import annotations

import sys

from graph.cli.main import app


def main() -> None:
    app(["data", "create-index", *sys.argv[1:]], prog_name="autos-graph")


if __name__ == "__main__":
    main()
