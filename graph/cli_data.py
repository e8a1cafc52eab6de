"""`autos-graph data …`: create, load and reset the index."""

from __future__ import annotations

import typer

data_app = typer.Typer(no_args_is_help=True, help="Create, load and reset the autos index.")
