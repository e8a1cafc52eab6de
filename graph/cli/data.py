"""`autos-graph data …`: create, load and reset the index (releases: graph/cli/releases.py).

Each command runs one short-lived Elasticsearch client against the alias
ES_INDEX names, logs what it did as JSON, and turns a cluster that cannot be
reached into one line on stderr and a non-zero exit, never a stack trace.
"""

from __future__ import annotations

import asyncio
import logging
import shlex
import signal
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final, TypeVar

import typer
from elasticsearch import ApiError, AsyncElasticsearch, TransportError
from elasticsearch import ConnectionError as ESConnectionError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from datasources.catalog.dataset import FULL_MINIMUM, SAMPLE_SIZE, DatasetKind
from datasources.catalog.record_file import ReadStats, RecordFileError, RejectFile, read_record_file
from datasources.elastic.bulk_loader import LoadResult, ProgressCallback, bulk_index, load_dataset
from datasources.elastic.client import create_client, loggable_urls
from datasources.elastic.index_schema import (
    IndexCreation,
    IndexSchemaError,
    create_index,
    document_count,
    drop_index,
    index_exists,
)
from datasources.releases.generations import ReleaseRefused
from datasources.releases.lock import AliasLock, LockLost, ReleaseLocked
from graph.cli.configuration import settings_or_exit
from graph.observability.logging_setup import configure_logging
from graph.settings import Settings

log = logging.getLogger("autos_graph.data")

data_app = typer.Typer(no_args_is_help=True, help="Create, load and reset the autos index.")

# Bulk requests of a few thousand documents can outlast the API's per-request budget
# while the node merges segments; an operator's load should wait, not fail.
DATA_REQUEST_TIMEOUT_SECONDS: Final = 120.0
EXIT_UNAVAILABLE: Final = 1
# Another command holds the alias's release lock (or took it from this one): nothing was changed.
EXIT_LOCKED: Final = 4
EXIT_TERMINATED: Final = 128 + signal.SIGTERM

T = TypeVar("T")


def data_settings() -> Settings:
    settings = settings_or_exit()
    configure_logging(settings.log_level)
    # The transport logs each retry with a traceback; an operator gets the one-line verdict instead.
    logging.getLogger("elastic_transport").setLevel(logging.ERROR)
    return settings


def run_with_client(settings: Settings, operation: Callable[[AsyncElasticsearch], Awaitable[T]]) -> T:
    """Run one operation with a fresh client; connection and API failures become one line."""

    async def main() -> T:
        client = create_client(
            url=settings.elasticsearch_url,
            request_timeout=max(settings.es_request_timeout_seconds, DATA_REQUEST_TIMEOUT_SECONDS),
            http_node=settings.es_http_node,
        )
        # SIGTERM (a pod being stopped) cancels the work as Ctrl-C does, so every `finally`
        # runs: the release lock is given back, the client closed.
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        if task is not None:
            loop.add_signal_handler(signal.SIGTERM, task.cancel)
        try:
            return await operation(client)
        finally:
            loop.remove_signal_handler(signal.SIGTERM)
            await client.close()

    try:
        return asyncio.run(main())
    except asyncio.CancelledError:
        typer.echo("autos-graph: stopped by SIGTERM", err=True)
        raise typer.Exit(code=EXIT_TERMINATED) from None
    except ESConnectionError as error:
        where = loggable_urls(settings.elasticsearch_url)
        typer.echo(f"autos-graph: cannot reach Elasticsearch at {where} ({error})", err=True)
        raise typer.Exit(code=EXIT_UNAVAILABLE) from None
    except (ApiError, TransportError) as error:
        typer.echo(
            f"autos-graph: Elasticsearch refused the request: {type(error).__name__}: {error}", err=True
        )
        raise typer.Exit(code=EXIT_UNAVAILABLE) from None
    except (IndexSchemaError, RecordFileError, ReleaseRefused) as error:
        typer.echo(f"autos-graph: {error}", err=True)
        raise typer.Exit(code=EXIT_UNAVAILABLE) from None


def run_locked(
    settings: Settings,
    operation: Callable[[AsyncElasticsearch], Awaitable[T]],
    *,
    wait_seconds: float = 0.0,
) -> T:
    """`run_with_client` holding the alias's release lock around the operation.

    Every command that changes what the alias points at runs through here, so
    two of them never interleave; a second one exits 4 naming the holder,
    having touched nothing.
    """
    command = shlex.join(["autos-graph", *sys.argv[1:]])

    async def locked(client: AsyncElasticsearch) -> T:
        async with AliasLock(
            client,
            index=settings.release_lock_index,
            alias=settings.es_index,
            command=command,
            lease_seconds=settings.release_lock_lease_seconds,
            wait_seconds=wait_seconds,
        ) as lock:
            if lock.took_over is not None:
                typer.echo(f"took over an expired lock: {lock.took_over.describe()}", err=True)
            return await operation(client)

    try:
        return run_with_client(settings, locked)
    except (ReleaseLocked, LockLost) as error:
        typer.echo(f"autos-graph: {error}", err=True)
        raise typer.Exit(code=EXIT_LOCKED) from None


class _DropBulkProgress(logging.Filter):
    """While a progress bar is on screen, its per-1,000 log lines would only tear it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != "bulk progress"


@contextmanager
def progress_bar(*, total: int | None, description: str) -> Iterator[ProgressCallback]:
    """A rich progress bar on a terminal; elsewhere, the loader's JSON log lines."""
    console = Console(stderr=True)
    if not console.is_terminal:
        yield lambda _count: None
        return
    quiet = _DropBulkProgress()
    logging.getLogger("datasources.elastic.bulk_loader").addFilter(quiet)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
    )
    started = time.perf_counter()
    try:
        with Progress(*columns, console=console, transient=False) as bar:
            task = bar.add_task(description, total=total, rate="")

            def advance(count: int) -> None:
                bar.advance(task, count)
                done = bar.tasks[0].completed
                rate = done / max(time.perf_counter() - started, 1e-6)
                bar.update(task, rate=f"{rate:,.0f} records/s")

            yield advance
    finally:
        logging.getLogger("datasources.elastic.bulk_loader").removeFilter(quiet)


def _echo_summary(
    *, alias: str, indexed: int, failed: int, rejected: int, duplicates: int, seconds: float
) -> None:
    typer.echo(
        f"{alias}: indexed {indexed:,}, failed {failed:,}, rejected {rejected:,} "
        f"(duplicates {duplicates:,}), {seconds:.1f} s"
    )
    log.info(
        "load summary",
        extra={
            "context": {
                "alias": alias,
                "indexed": indexed,
                "failed": failed,
                "rejected": rejected,
                "duplicates": duplicates,
                "seconds": round(seconds, 2),
            }
        },
    )


def require_one_source(*, sample: bool, full: bool, file: Path | None, reject_file: Path | None) -> None:
    """Exit 2 unless exactly one of --sample, --full and --file was given (--reject-file only with --file)."""
    if sum((sample, full, file is not None)) != 1:
        typer.echo("autos-graph: choose exactly one of --sample, --full, --file PATH", err=True)
        raise typer.Exit(code=2)
    if reject_file is not None and file is None:
        typer.echo("autos-graph: --reject-file goes with --file", err=True)
        raise typer.Exit(code=2)


@data_app.command("create-index")
def create_index_command(
    recreate: bool = typer.Option(
        False, "--recreate", help="Drop the index (and its data) and create it anew."
    ),
) -> None:
    """Create the versioned index behind ES_INDEX; an existing one is kept unless --recreate."""
    settings = data_settings()

    def create(client: AsyncElasticsearch) -> Awaitable[IndexCreation]:
        return create_index(client, alias=settings.es_index, recreate=recreate)

    # Only --recreate changes what the alias points at.
    created = run_locked(settings, create) if recreate else run_with_client(settings, create)
    typer.echo(f"{created.alias} -> {created.index}: {created.action}")


@data_app.command("load")
def load_command(
    sample: bool = typer.Option(False, "--sample", help=f"The {SAMPLE_SIZE:,}-record sample."),
    full: bool = typer.Option(False, "--full", help=f"The full dataset ({FULL_MINIMUM:,}+ records)."),
    file: Path | None = typer.Option(
        None, "--file", exists=True, dir_okay=False, readable=True, help="An NDJSON or CSV file of records."
    ),
    reject_file: Path | None = typer.Option(
        None, "--reject-file", help="Where rejected lines go (default: rejects-<file name>.ndjson)."
    ),
) -> None:
    """Index records into ES_INDEX (upserts by vehicle_id), creating the index if needed."""
    require_one_source(sample=sample, full=full, file=file, reject_file=reject_file)
    settings = data_settings()
    alias = settings.es_index
    if file is not None:
        _load_file(settings, path=file, reject_path=reject_file or Path(f"rejects-{file.stem}.ndjson"))
        return
    kind: DatasetKind = "sample" if sample else "full"

    async def load(client: AsyncElasticsearch) -> LoadResult:
        await create_index(client, alias=alias)
        total = SAMPLE_SIZE if kind == "sample" else None
        with progress_bar(total=total, description=f"{kind} → {alias}") as advance:
            return await load_dataset(client, alias=alias, kind=kind, on_progress=advance)

    result = run_with_client(settings, load)
    _echo_summary(
        alias=alias,
        indexed=result.indexed,
        failed=result.failed,
        rejected=0,
        duplicates=0,
        seconds=result.seconds,
    )
    if result.failed:
        raise typer.Exit(code=EXIT_UNAVAILABLE)


def _load_file(settings: Settings, *, path: Path, reject_path: Path) -> None:
    alias = settings.es_index
    stats = ReadStats()

    async def load(client: AsyncElasticsearch) -> LoadResult:
        await create_index(client, alias=alias)
        with (
            RejectFile(reject_path) as rejects,
            progress_bar(total=None, description=f"{path.name} → {alias}") as advance,
        ):
            records = read_record_file(path, stats=stats, on_reject=rejects)
            return await bulk_index(client, alias=alias, records=records, on_progress=advance)

    result = run_with_client(settings, load)
    _echo_summary(
        alias=alias,
        indexed=result.indexed,
        failed=result.failed,
        rejected=stats.rejected,
        duplicates=stats.duplicates,
        seconds=result.seconds,
    )
    if stats.rejected:
        typer.echo(f"rejected lines and their reasons: {reject_path}")
    for error in result.errors[:5]:
        typer.echo(f"indexing failed: {error}", err=True)
    if result.failed:
        raise typer.Exit(code=EXIT_UNAVAILABLE)


@data_app.command("reset")
def reset_command(
    force: bool = typer.Option(False, "--force", help="Do not ask for confirmation."),
) -> None:
    """Delete every record: drop every generation of ES_INDEX and create an empty first one."""
    settings = data_settings()
    alias = settings.es_index
    if not force:
        where = loggable_urls(settings.elasticsearch_url)
        typer.confirm(f"Are you sure? This deletes every record in {alias} at {where}.", abort=True)

    async def reset(client: AsyncElasticsearch) -> list[str]:
        dropped = await drop_index(client, alias=alias)
        await create_index(client, alias=alias)
        return dropped

    dropped = run_locked(settings, reset)
    log.info("index reset", extra={"context": {"alias": alias, "dropped": dropped}})
    typer.echo(f"{alias}: dropped {', '.join(dropped) or 'nothing'}; created an empty index")


@data_app.command("bootstrap")
def bootstrap_command() -> None:
    """First-run setup for `make run`: create the index if missing, load the sample if it is empty."""
    settings = data_settings()
    alias = settings.es_index

    async def bootstrap(client: AsyncElasticsearch) -> tuple[bool, LoadResult | None]:
        existed = await index_exists(client, alias=alias)
        await create_index(client, alias=alias)
        if await document_count(client, alias=alias) > 0:
            return existed, None
        return existed, await load_dataset(client, alias=alias, kind="sample")

    existed, result = run_with_client(settings, bootstrap)
    if result is None:
        log.info("bootstrap: index already holds data", extra={"context": {"alias": alias}})
        typer.echo(f"{alias}: already holds data; nothing loaded")
        return
    log.info(
        "bootstrap: sample loaded",
        extra={"context": {"alias": alias, "created_index": not existed, "indexed": result.indexed}},
    )
    typer.echo(f"{alias}: {'created, ' if not existed else ''}loaded the {result.indexed:,}-record sample")
