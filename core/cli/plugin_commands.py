"""``hubbub plugins``: what is loaded and what each plugin registered."""

from __future__ import annotations

from typing import Annotated

import typer
from hubbub.cli import command
from hubbub.cli.output import OutputFormat, emit


@command("plugins")
def plugins(
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.")
    ] = OutputFormat.table,
) -> None:
    """List loaded plugins: version, hooks implemented, what each registered, load errors."""
    from hubbub.plugin_host import get_host

    rows = [
        {
            "name": info.name,
            "version": info.version,
            "bundled": info.bundled,
            "hooks": info.hooks,
            "registered": info.registered,
            "errors": info.errors,
        }
        for info in get_host().info.values()
    ]
    emit(rows, fmt, title="Plugins")
