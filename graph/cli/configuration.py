"""The settings every command starts from, or a one-line error and exit code 2."""

from __future__ import annotations

import typer

from graph.settings import Settings, SettingsError, load_settings


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as error:
        typer.echo(f"autos-graph: {error}", err=True)
        raise typer.Exit(code=2) from None


def manifest_checked_or_exit(settings: Settings) -> None:
    """Before any worker starts: a trusted documents manifest that does not load is one line and exit 2."""
    from graph.app import trusted_manifest
    from graph.gql.trusted_documents import ManifestError

    try:
        trusted_manifest(settings)
    except ManifestError as error:
        typer.echo(f"autos-graph: {error}", err=True)
        raise typer.Exit(code=2) from None
