"""`autos-graph`: the operators' console script."""

from __future__ import annotations

import signal
from pathlib import Path
from types import FrameType

import typer
import uvicorn
from graphql import build_schema as build_graphql_schema

from graph.cli.configuration import manifest_checked_or_exit, settings_or_exit
from graph.cli.data import data_app
from graph.cli.releases import register_release_commands
from graph.compat.uvicorn import RequestBounds
from graph.gql.federation.schema import subgraph_sdl
from graph.gql.schema import build_schema
from graph.gql.schema_evolution import check_schema
from graph.observability.logging_setup import configure_logging

# Shorter than Kubernetes' default 30 s grace period, so in-flight requests
# drain before the kubelet sends SIGKILL.
GRACEFUL_SHUTDOWN_SECONDS = 20

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
schema_app = typer.Typer(no_args_is_help=True, help="The exported GraphQL SDL.")
app.add_typer(schema_app, name="schema")
register_release_commands(data_app)
app.add_typer(data_app, name="data")

DEFAULT_SCHEMA_PATH = Path("schema.graphql")
DEFAULT_CHANGELOG_PATH = Path("CHANGELOG.md")


def _exit_cleanly(_signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)


@app.command()
def serve(
    port: int | None = typer.Option(None, help="Overrides PORT."),
    workers: int | None = typer.Option(None, help="Worker processes; overrides WORKERS."),
) -> None:
    """Serve the API against ELASTICSEARCH_URL (and REDIS_URL when set)."""
    settings = settings_or_exit()
    manifest_checked_or_exit(settings)
    configure_logging(settings.log_level)
    if settings.prometheus_multiproc_dir is not None:
        from graph.observability.metrics import prepare_multiprocess_dir

        prepare_multiprocess_dir(settings.prometheus_multiproc_dir)
    # uvicorn drains on SIGTERM, then re-raises the signal with the handler it
    # found in place (graph/http/draining.py): a drained stop is then a clean exit (0), not a kill.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    uvicorn.run(
        "graph.asgi:app_factory",
        factory=True,
        host=settings.host,
        port=port or settings.port,
        workers=workers or settings.workers,
        loop="uvloop",
        # httptools, with bounds on slow request heads and bodies and on bloated heads.
        http=RequestBounds(
            head_seconds=settings.request_head_timeout_seconds,
            body_seconds=settings.request_body_timeout_seconds,
            head_max_bytes=settings.request_head_max_bytes,
        ).protocol(),
        log_config=None,
        proxy_headers=False,  # forwarded headers are judged by our own trusted-proxy list
        server_header=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )


def render_schema() -> str:
    return build_schema().as_str() + "\n"


@schema_app.command("export")
def schema_export(
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Where to write the SDL (schema.graphql; stdout with --federation)."
    ),
    federation: bool = typer.Option(
        False, "--federation", help="The Federation 2 subgraph SDL (what `_service { sdl }` serves)."
    ),
) -> None:
    """Write the GraphQL SDL generated from the code."""
    if federation and output is None:
        typer.echo(subgraph_sdl(), nl=False)
        return
    output = output or DEFAULT_SCHEMA_PATH
    output.write_text(subgraph_sdl() if federation else render_schema(), encoding="utf-8")
    typer.echo(f"wrote {output}")


@schema_app.command("check")
def schema_check(
    against: Path = typer.Option(
        DEFAULT_SCHEMA_PATH,
        "--against",
        help="The published SDL to compare with (default: the committed one).",
    ),
    changelog: Path = typer.Option(
        DEFAULT_CHANGELOG_PATH, "--changelog", help="Where deprecations are recorded."
    ),
) -> None:
    """Compare the code's schema with a published SDL; exit 1 on an unannounced breaking change."""
    for path in (against, changelog):
        if not path.is_file():
            typer.echo(f"autos-graph: {path} not found", err=True)
            raise typer.Exit(code=2)
    result = check_schema(
        published_sdl=against.read_text(encoding="utf-8"),
        # The printed SDL, parsed again: graphql-core's view of strawberry's schema through public APIs only.
        current=build_graphql_schema(render_schema()),
        changelog=changelog.read_text(encoding="utf-8"),
    )
    for line in result.breaking:
        typer.echo(f"BREAKING   {line}")
    for line in result.allowed:
        typer.echo(f"removed    {line}")
    for line in result.dangerous:
        typer.echo(f"dangerous  {line}")
    if not result.ok:
        typer.echo(f"{len(result.breaking)} breaking change(s) against {against}", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"no breaking change against {against}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
