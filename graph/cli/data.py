"""`autos-graph data …`: create, load and reset the index (releases: graph/cli/releases.py).

Each command runs one short-lived Elasticsearch client against the alias
ES_INDEX names, logs what it did as JSON, and turns a cluster that cannot be
reached into one line on stderr and a non-zero exit, never a stack trace.

Every command that writes holds the alias's release lock and passes its fence
to each destructive step, so none can interleave with a release. Live data
changes by a release: `data load` and `data bootstrap` build the first
generation as one (checked, then swapped in), and `data load` refuses to touch
a live generation that holds documents unless told `--live`; a write in place
then names a new revision of the generation (datasources/releases/revisions.py),
so no answer cached before it is served after it.
"""

from __future__ import annotations

import asyncio
import logging
import shlex
import signal
import sys
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Final, TypeVar

import typer
from elasticsearch import ApiError, AsyncElasticsearch, TransportError
from elasticsearch import ConnectionError as ESConnectionError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from datasources.catalog.dataset import FULL_MINIMUM, SAMPLE_SIZE, DatasetKind, iter_records
from datasources.catalog.record_file import ReadStats, RecordFileError, RejectFile, read_record_file
from datasources.elastic.bulk_loader import LoadResult, ProgressCallback, bulk_index, load_dataset
from datasources.elastic.client import create_client, loggable_urls
from datasources.elastic.fence import Fence
from datasources.elastic.index_schema import (
    IndexCreation,
    IndexSchemaError,
    create_index,
    document_count,
    drop_index,
    indices_behind,
)
from datasources.releases.generations import ReleaseRefused
from datasources.releases.lock import AliasLock, LockLost, ReleaseLocked
from datasources.releases.release import ReleaseOutcome, release
from datasources.releases.revisions import bump_revision
from datasources.vehicles.vehicle_record import VehicleRecord
from graph.cli.configuration import settings_or_exit
from graph.cli.outcome import EXIT_REFUSED, print_outcome
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

LIVE_OPTION = typer.Option(
    False,
    "--live",
    help="Write into the live generation in place, as readers watch. "
    "Without it, a live generation that holds documents is refused: change it with `data release`.",
)


class LiveDataRefused(Exception):
    """A write into a live generation that holds documents, without --live; nothing was touched."""


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
    operation: Callable[[AsyncElasticsearch, Fence], Awaitable[T]],
    *,
    wait_seconds: float = 0.0,
) -> T:
    """`run_with_client` holding the alias's release lock around the operation.

    Every command that writes runs through here, so two of them never
    interleave; a second one exits 4 naming the holder, having touched nothing.
    The operation gets the lock's fence for its destructive steps: one that
    finds the lock lost stops there and exits 4 too.
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
            return await operation(client, lock.fence)

    try:
        return run_with_client(settings, locked)
    except (ReleaseLocked, LockLost) as error:
        typer.echo(f"autos-graph: {error}", err=True)
        raise typer.Exit(code=EXIT_LOCKED) from None
    except LiveDataRefused as error:
        typer.echo(f"autos-graph: {error}", err=True)
        raise typer.Exit(code=EXIT_REFUSED) from None


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


async def live_documents(client: AsyncElasticsearch, *, alias: str) -> tuple[str | None, int]:
    """The generation the alias points at and how many documents it holds (None, 0 when none)."""
    behind = await indices_behind(client, alias=alias)
    if not behind:
        return None, 0
    return behind[-1], await document_count(client, alias=alias)


async def refuse_live_data(client: AsyncElasticsearch, *, alias: str, retry: str) -> None:
    """Raise `LiveDataRefused` when the alias serves documents: new data goes live by a release."""
    live, documents = await live_documents(client, alias=alias)
    if live is not None and documents:
        raise LiveDataRefused(
            f"{alias} serves {documents:,} documents from {live}; nothing was changed. "
            f"New data goes live as a release: `autos-graph data release {retry}` "
            f"(docs/releases.md). To write into {live} in place, as readers watch, add --live"
        )


async def write_live(
    client: AsyncElasticsearch,
    fence: Fence,
    *,
    alias: str,
    write: Callable[[], Awaitable[LoadResult]],
) -> tuple[LoadResult, str]:
    """Write into the live generation in place (created if missing), then name a new revision of it,
    also after a write that failed half-way, so no answer cached before it is served after it."""
    await create_index(client, alias=alias, fence=fence)
    try:
        result = await write()
    finally:
        revision = await bump_revision(client, alias=alias, fence=fence)
    return result, revision


@data_app.command("create-index")
def create_index_command(
    recreate: bool = typer.Option(
        False, "--recreate", help="Drop the index (and its data) and create it anew."
    ),
) -> None:
    """Create the versioned index behind ES_INDEX; an existing one is kept unless --recreate."""
    settings = data_settings()
    alias = settings.es_index

    async def create(client: AsyncElasticsearch, fence: Fence) -> IndexCreation:
        created = await create_index(client, alias=alias, recreate=recreate, fence=fence)
        if created.action == "recreated":
            # Same name as the generation it replaced: a new revision keeps its answers out of the caches.
            await bump_revision(client, alias=alias, fence=fence)
        return created

    created = run_locked(settings, create)
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
    live: bool = LIVE_OPTION,
) -> None:
    """Index records into ES_INDEX (upserts by vehicle_id).

    Where nothing is live yet (or the live generation is empty), the records go
    live as a release: a new generation, checked, then swapped in. A live
    generation that holds documents is refused unless --live.
    """
    require_one_source(sample=sample, full=full, file=file, reject_file=reject_file)
    settings = data_settings()
    alias = settings.es_index
    stats = ReadStats()
    reject_path = reject_file or (Path(f"rejects-{file.stem}.ndjson") if file else None)
    kind: DatasetKind = "sample" if sample else "full"
    retry = f"--file {file}" if file is not None else f"--{kind}"
    label = file.name if file is not None else kind

    def open_records(stack: ExitStack) -> Iterable[VehicleRecord]:
        if file is None or reject_path is None:
            return iter_records(kind)
        return read_record_file(file, stats=stats, on_reject=stack.enter_context(RejectFile(reject_path)))

    async def load(client: AsyncElasticsearch, fence: Fence) -> LoadResult | ReleaseOutcome:
        total = SAMPLE_SIZE if file is None and kind == "sample" else None
        if not live:
            await refuse_live_data(client, alias=alias, retry=retry)
        with ExitStack() as stack:
            records = open_records(stack)
            if not live:
                advance = stack.enter_context(
                    progress_bar(total=total, description=f"{label} → new generation")
                )
                return await release(
                    client,
                    alias=alias,
                    source=f"file {file.name}" if file is not None else kind,
                    records=records,
                    dataset=None if file is not None else kind,
                    on_progress=advance,
                    fence=fence,
                )
            advance = stack.enter_context(progress_bar(total=total, description=f"{label} → {alias}"))

            async def write() -> LoadResult:
                if file is None:  # a named dataset: its fingerprint is recorded
                    return await load_dataset(
                        client, alias=alias, kind=kind, on_progress=advance, fence=fence
                    )
                return await bulk_index(
                    client, alias=alias, records=records, on_progress=advance, fence=fence
                )

            done, revision = await write_live(client, fence, alias=alias, write=write)
            log.info("written in place", extra={"context": {"alias": alias, "revision": revision}})
            return done

    done = run_locked(settings, load)
    result = done if isinstance(done, LoadResult) else done.load
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
    if isinstance(done, ReleaseOutcome):
        print_outcome(done, alias=alias, what="load")
    else:
        typer.echo(f"{alias}: written in place, as --live asked; answers cached before it are not served")
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

    async def reset(client: AsyncElasticsearch, fence: Fence) -> list[str]:
        dropped = await drop_index(client, alias=alias, fence=fence)
        await create_index(client, alias=alias, fence=fence)
        if dropped:
            await bump_revision(client, alias=alias, fence=fence)
        return dropped

    dropped = run_locked(settings, reset)
    log.info("index reset", extra={"context": {"alias": alias, "dropped": dropped}})
    typer.echo(f"{alias}: dropped {', '.join(dropped) or 'nothing'}; created an empty index")


@data_app.command("bootstrap")
def bootstrap_command() -> None:
    """First-run setup for `make run`: unless the alias serves documents, release the sample."""
    settings = data_settings()
    alias = settings.es_index

    async def bootstrap(client: AsyncElasticsearch, fence: Fence) -> ReleaseOutcome | None:
        _, documents = await live_documents(client, alias=alias)
        if documents:
            return None
        return await release(
            client,
            alias=alias,
            source="sample",
            records=iter_records("sample"),
            dataset="sample",
            fence=fence,
        )

    outcome = run_locked(settings, bootstrap)
    if outcome is None:
        log.info("bootstrap: index already holds data", extra={"context": {"alias": alias}})
        typer.echo(f"{alias}: already holds data; nothing loaded")
        return
    print_outcome(outcome, alias=alias, what="bootstrap")
    log.info(
        "bootstrap: sample loaded",
        extra={
            "context": {"alias": alias, "generation": outcome.generation, "indexed": outcome.load.indexed}
        },
    )
    typer.echo(f"{alias}: loaded the {outcome.load.indexed:,}-record sample into {outcome.generation}")
