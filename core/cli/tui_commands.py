"""``hubbub tui``: the Textual terminal UI over a project."""

from __future__ import annotations

from typing import Annotated

import typer
from hubbub.cli import ProjectOption, command
from hubbub.errors import HubbubError


@command("tui")
def tui(
    frame: Annotated[
        str,
        typer.Option("--frame", help="Time frame to open with: 24h, 7d, 30d or all."),
    ] = "30d",
    screen: Annotated[
        str,
        typer.Option(
            "--screen",
            help="Screen to open on: overview, search, topics, influencers, responsiveness, "
            "sources, plugins or live.",
        ),
    ] = "overview",
    project: ProjectOption = None,
) -> None:
    """Open the terminal UI: overview, search, topics, influencers, responsiveness, sources, plugins, live."""
    from hubbub.tui.timeframe import PRESETS

    if frame not in PRESETS:
        raise HubbubError(f"unknown time frame {frame!r} (use {', '.join(PRESETS)})")
    from hubbub.tui.app import create_app

    app = create_app(project, frame=frame, screen=screen)
    try:
        app.run()
    finally:
        app.project.close()
