"""`autos-graph data release | rollback | generations | adopt | snapshot …`: zero-downtime data releases.

Each command prints what it did and why, in a line an operator can paste into
a ticket, and exits non-zero when something was refused; the live generation
is only ever changed by one atomic alias swap.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import typer
from elasticsearch import AsyncElasticsearch

from datasources.catalog.dataset import FULL_MINIMUM, SAMPLE_SIZE, DatasetKind, iter_records
from datasources.catalog.record_file import ReadStats, RejectFile, read_record_file
from datasources.elastic.fence import Fence
from datasources.releases.adopt import Adoption, AdoptionPlan, adopt, plan_adoption
from datasources.releases.generations import DEFAULT_KEEP, Generation, list_generations
from datasources.releases.lock import LockHolder, force_unlock, read_lock
from datasources.releases.release import ReleaseOutcome, Rollback, release, rollback
from datasources.releases.snapshots import (
    Snapshot,
    create_snapshot,
    ensure_repository,
    list_snapshots,
    restore_snapshot,
)
from graph.cli.data import (
    EXIT_LOCKED,
    data_settings,
    progress_bar,
    require_one_source,
    run_locked,
    run_with_client,
)
from graph.cli.outcome import EXIT_REFUSED, print_outcome

log = logging.getLogger("autos_graph.releases")

snapshot_app = typer.Typer(no_args_is_help=True, help="Snapshots of the live generation, and restores.")

KEEP_OPTION = typer.Option(
    DEFAULT_KEEP, "--keep", min=1, help="Generations kept after the swap (live included)."
)
WAIT_OPTION = typer.Option(
    0.0,
    "--wait",
    min=0,
    metavar="SECONDS",
    help="If another command holds the alias's lock, wait up to this long for it (default: exit 4 at once).",
)


def release_command(
    sample: bool = typer.Option(False, "--sample", help=f"The {SAMPLE_SIZE:,}-record sample."),
    full: bool = typer.Option(False, "--full", help=f"The full dataset ({FULL_MINIMUM:,}+ records)."),
    file: Path | None = typer.Option(
        None, "--file", exists=True, dir_okay=False, readable=True, help="An NDJSON or CSV file of records."
    ),
    reject_file: Path | None = typer.Option(
        None, "--reject-file", help="Where rejected lines go (default: rejects-<file name>.ndjson)."
    ),
    keep: int = KEEP_OPTION,
    wait: float = WAIT_OPTION,
) -> None:
    """Build a new generation beside the live one, check it, and swap the alias to it atomically."""
    require_one_source(sample=sample, full=full, file=file, reject_file=reject_file)
    settings = data_settings()
    alias = settings.es_index
    stats = ReadStats()
    reject_path = reject_file or (Path(f"rejects-{file.stem}.ndjson") if file else None)

    async def run(client: AsyncElasticsearch, fence: Fence) -> ReleaseOutcome:
        if file is not None and reject_path is not None:
            with (
                RejectFile(reject_path) as rejects,
                progress_bar(total=None, description=f"{file.name} → new generation") as advance,
            ):
                return await release(
                    client,
                    alias=alias,
                    source=f"file {file.name}",
                    records=read_record_file(file, stats=stats, on_reject=rejects),
                    keep=keep,
                    on_progress=advance,
                    fence=fence,
                )
        kind: DatasetKind = "sample" if sample else "full"
        total = SAMPLE_SIZE if kind == "sample" else None
        with progress_bar(total=total, description=f"{kind} → new generation") as advance:
            return await release(
                client,
                alias=alias,
                source=kind,
                records=iter_records(kind),
                dataset=kind,
                keep=keep,
                on_progress=advance,
                fence=fence,
            )

    outcome = run_locked(settings, run, wait_seconds=wait)
    if file is not None:
        typer.echo(
            f"{file.name}: read {stats.read:,} lines, rejected {stats.rejected:,} "
            f"(duplicates {stats.duplicates:,})" + (f"; rejects in {reject_path}" if stats.rejected else "")
        )
    print_outcome(outcome, alias=alias, what="release")


def rollback_command(
    to: str | None = typer.Option(
        None, "--to", help="A kept generation to go to (default: the one replaced)."
    ),
    wait: float = WAIT_OPTION,
) -> None:
    """Point the alias back at the generation the live one replaced, atomically."""
    settings = data_settings()
    alias = settings.es_index
    done: Rollback = run_locked(
        settings, lambda client, fence: rollback(client, alias=alias, to=to, fence=fence), wait_seconds=wait
    )
    log.info("rolled back", extra={"context": {"alias": alias, "from": done.left, "to": done.live}})
    typer.echo(f"live: {alias} -> {done.live} (was {done.left or 'nothing'}), {done.seconds:.2f} s")


def generations_command() -> None:
    """List the generations: name, documents, created, source, state, and which one is live."""
    settings = data_settings()
    alias = settings.es_index

    async def run(client: AsyncElasticsearch) -> tuple[list[Generation], LockHolder | None]:
        return (
            await list_generations(client, alias=alias),
            await read_lock(client, index=settings.release_lock_index, alias=alias),
        )

    generations, holder = run_with_client(settings, run)
    if holder is not None:
        typer.echo(f"{_lock_state(holder)} by {holder.describe()}")
    if not generations:
        typer.echo(f"{alias}: no generations (`autos-graph data release --sample` makes the first)")
        return
    typer.echo(f"{'':2}{'generation':<32} {'documents':>10}  {'created (UTC)':<19}  {'state':<8}  source")
    for each in generations:
        marker = "* " if each.live else "  "
        typer.echo(
            f"{marker}{each.name:<32} {each.documents:>10,}  {each.created:%Y-%m-%d %H:%M:%S}  "
            f"{each.state:<8}  {each.source}"
        )
    typer.echo("(* live)")


def adopt_command(
    dry_run: bool = typer.Option(False, "--dry-run", help="Say what would happen; change nothing."),
    wait: float = WAIT_OPTION,
) -> None:
    """Turn the old backend's plain index named ES_INDEX into a generation behind the alias."""
    settings = data_settings()
    alias = settings.es_index
    if dry_run:
        plan: AdoptionPlan = run_with_client(settings, lambda client: plan_adoption(client, alias=alias))
        typer.echo(
            f"would copy {plan.documents:,} documents from the plain index {plan.plain_index} into "
            f"{plan.generation} (search_after + bulk), check the count, then in one alias call delete "
            f"the plain index and point the alias {alias} at {plan.generation}"
        )
        return

    async def run(client: AsyncElasticsearch, fence: Fence) -> Adoption:
        planned = await plan_adoption(client, alias=alias)
        with progress_bar(total=planned.documents, description=f"{alias} → {planned.generation}") as advance:
            return await adopt(client, alias=alias, on_progress=advance, fence=fence)

    adoption = run_locked(settings, run, wait_seconds=wait)
    for line in adoption.report.passed:
        typer.echo(f"  ok      {line}")
    for line in adoption.report.failed:
        typer.echo(f"  FAILED  {line}")
    for error in adoption.errors:
        typer.echo(f"  refused document: {error}", err=True)
    if not adoption.adopted:
        typer.echo(f"refused: the plain index {alias} is untouched; the copy was deleted", err=True)
        raise typer.Exit(code=EXIT_REFUSED)
    log.info(
        "adopted",
        extra={
            "context": {"alias": alias, "generation": adoption.plan.generation, "documents": adoption.copied}
        },
    )
    typer.echo(
        f"adopted: {alias} -> {adoption.plan.generation}, {adoption.copied:,} documents kept, "
        f"{adoption.seconds:.1f} s"
    )


@snapshot_app.command("create")
def snapshot_create_command(
    name: str | None = typer.Option(None, "--name", help="Default: <generation>-<UTC time>."),
) -> None:
    """Snapshot the live generation into the repository (registered as `fs` on first use)."""
    settings = data_settings()
    alias = settings.es_index

    async def run(client: AsyncElasticsearch) -> Snapshot:
        await ensure_repository(
            client, repository=settings.snapshot_repository, location=settings.snapshot_location
        )
        return await create_snapshot(client, alias=alias, repository=settings.snapshot_repository, name=name)

    snapshot = run_with_client(settings, run)
    log.info("snapshot created", extra={"context": {"alias": alias, "snapshot": snapshot.name}})
    typer.echo(
        f"snapshot {snapshot.name} of {snapshot.generation} ({snapshot.documents:,} documents) "
        f"in {settings.snapshot_repository}: {snapshot.state}, {snapshot.seconds or 0:.1f} s"
    )


@snapshot_app.command("list")
def snapshot_list_command() -> None:
    """The snapshots in the repository, oldest first."""
    settings = data_settings()

    async def run(client: AsyncElasticsearch) -> list[Snapshot]:
        await ensure_repository(
            client, repository=settings.snapshot_repository, location=settings.snapshot_location
        )
        return await list_snapshots(client, repository=settings.snapshot_repository)

    snapshots = run_with_client(settings, run)
    if not snapshots:
        typer.echo(f"no snapshots in {settings.snapshot_repository}")
        return
    for each in snapshots:
        documents = "?" if each.documents is None else f"{each.documents:,}"
        started = "?" if each.started is None else f"{each.started:%Y-%m-%d %H:%M:%S}"
        typer.echo(
            f"{each.name:<48} {each.state:<8} {started}  {each.generation or '?'}  {documents} documents"
        )


@snapshot_app.command("restore")
def snapshot_restore_command(
    name: str = typer.Argument(..., help="The snapshot's name (see `data snapshot list`)."),
    keep: int = KEEP_OPTION,
    wait: float = WAIT_OPTION,
) -> None:
    """Restore a snapshot into a new generation, check it, and swap it in like a release."""
    settings = data_settings()
    alias = settings.es_index

    async def run(client: AsyncElasticsearch, fence: Fence) -> ReleaseOutcome:
        await ensure_repository(
            client, repository=settings.snapshot_repository, location=settings.snapshot_location
        )
        return await restore_snapshot(
            client,
            alias=alias,
            repository=settings.snapshot_repository,
            snapshot=name,
            keep=keep,
            fence=fence,
        )

    outcome = run_locked(settings, run, wait_seconds=wait)
    print_outcome(outcome, alias=alias, what=f"restore of {name}")


def _lock_state(holder: LockHolder) -> str:
    expired = holder.expired(now=datetime.now(UTC))
    return f"{holder.alias}: lock {'EXPIRED (the next command takes it over)' if expired else 'held'}"


def unlock_command(
    force: bool = typer.Option(False, "--force", help="Remove the lock whoever holds it."),
) -> None:
    """Show who holds ES_INDEX's release lock; with --force, remove it (only when that process is gone)."""
    settings = data_settings()
    alias = settings.es_index
    index = settings.release_lock_index
    if not force:
        holder = run_with_client(settings, lambda client: read_lock(client, index=index, alias=alias))
        if holder is None:
            typer.echo(f"{alias}: not locked")
            return
        typer.echo(f"{_lock_state(holder)} by {holder.describe()}")
        if holder.expired(now=datetime.now(UTC)):
            return
        typer.echo("if that process is gone: autos-graph data unlock --force", err=True)
        raise typer.Exit(code=EXIT_LOCKED)
    removed = run_with_client(settings, lambda client: force_unlock(client, index=index, alias=alias))
    if removed is None:
        typer.echo(f"{alias}: not locked; nothing removed")
        return
    typer.echo(f"{alias}: removed the lock of {removed.describe()}")


def register_release_commands(data_app: typer.Typer) -> None:
    data_app.command("release")(release_command)
    data_app.command("rollback")(rollback_command)
    data_app.command("generations")(generations_command)
    data_app.command("adopt")(adopt_command)
    data_app.command("unlock")(unlock_command)
    data_app.add_typer(snapshot_app, name="snapshot")


__all__ = ["EXIT_REFUSED", "register_release_commands"]
