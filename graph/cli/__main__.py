"""`python -m graph.cli`: the same as the `autos-graph` console script."""

from graph.cli.main import main

main()
