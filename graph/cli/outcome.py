"""How a release's outcome is told to the operator: one line per check, the swap, what was deleted.

Shared by every command that goes live through a release (`data release`,
`data load`, `data bootstrap`, `data snapshot restore`); a refused one exits 3.
"""

from __future__ import annotations

import logging
from typing import Final

import typer

from datasources.releases.release import ReleaseOutcome

log = logging.getLogger("autos_graph.releases")

# The release's checks refused the new generation (or the command refused to act): nothing live changed.
EXIT_REFUSED: Final = 3


def print_outcome(outcome: ReleaseOutcome, *, alias: str, what: str) -> None:
    steps = ", ".join(f"{step} {seconds:.1f} s" for step, seconds in outcome.seconds.items())
    typer.echo(f"{what} → {outcome.generation}: {outcome.report.documents:,} documents ({steps})")
    for line in outcome.report.passed:
        typer.echo(f"  ok      {line}")
    for line in outcome.report.failed:
        typer.echo(f"  FAILED  {line}")
    if outcome.removed_half_built:
        typer.echo(f"removed what an interrupted release left: {', '.join(outcome.removed_half_built)}")
    context = {
        "alias": alias,
        "generation": outcome.generation,
        "live": outcome.live,
        "documents": outcome.report.documents,
        "failed_checks": outcome.report.failed,
        "seconds": {step: round(seconds, 2) for step, seconds in outcome.seconds.items()},
    }
    if not outcome.live:
        log.warning("release refused", extra={"context": context})
        typer.echo(
            f"refused: {outcome.generation} did not go live and was deleted; "
            f"{alias} still serves what it served before",
            err=True,
        )
        raise typer.Exit(code=EXIT_REFUSED)
    log.info(
        "released", extra={"context": {**context, "replaced": outcome.replaced, "deleted": outcome.deleted}}
    )
    typer.echo(f"live: {alias} -> {outcome.generation} (was {outcome.replaced or 'nothing'})")
    if outcome.deleted:
        typer.echo(f"deleted older generations: {', '.join(outcome.deleted)}")


__all__ = ["EXIT_REFUSED", "print_outcome"]
