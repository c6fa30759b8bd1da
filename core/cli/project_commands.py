"""``hubbub init`` and ``hubbub demo``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from hubbub.cli import command
from hubbub.cli.output import message
from hubbub.errors import HubbubError

if TYPE_CHECKING:
    from hubbub.project import Project
    from hubbub.watch import WatchEvent


@command("init")
def init(
    directory: Annotated[Path, typer.Argument(help="Folder for the new project.")] = Path("."),
    name: Annotated[str | None, typer.Option(help="Project name (default: the folder's).")] = None,
) -> None:
    """Write a commented hubbub.toml and create the database."""
    from hubbub.project import init_project

    project = init_project(directory, name)
    message(f"Created {project.config_path} and {project.database_url}")
    message("Next: `hubbub import FILE` or add [[sources]] to hubbub.toml.")


@command("demo")
def demo(
    directory: Annotated[Path, typer.Argument(help="Folder for the demo project.")] = Path(
        "hubbub-demo"
    ),
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed builds the same data.")
    ] = 42,
    posts: Annotated[
        int, typer.Option(min=1000, help="About how many posts to generate (at least 1000).")
    ] = 20_000,
    no_tui: Annotated[
        bool,
        typer.Option("--no-tui", help="Do not open the terminal UI after the report."),
    ] = False,
    live: Annotated[
        bool,
        typer.Option(
            "--live",
            help="Then watch a simulated live stream with alert rules: in the TUI's live "
            "view on a terminal, else (or with --no-tui) headless for --duration.",
        ),
    ] = False,
    duration: Annotated[
        str,
        typer.Option(help="With --live and no TUI: how much simulated time to watch."),
    ] = "3m",
    speed: Annotated[
        float,
        typer.Option(
            min=0,
            help="With --live: simulated seconds per real second (0: as fast as possible, "
            "headless only).",
        ),
    ] = 1.0,
) -> None:
    """Build the demo project (synthetic data with known answers), analyse it, print the report.

    With --live, the demo then listens to a simulated stream in which a burst on one
    topic, a rise of negative posts about one brand and customers left waiting make
    alerts fire a minute or two in (docs/tui.md, "Live demo and TUI live view").
    """
    from hubbub.cli.report_output import print_overview
    from hubbub.demo.build import build_demo

    on_terminal = not no_tui and sys.stdin.isatty() and sys.stdout.isatty()
    if live:
        duration_seconds = _live_duration(duration)
        if on_terminal and speed == 0:
            raise HubbubError("--speed 0 (instant) is for headless runs; add --no-tui")

    result = build_demo(directory, seed=seed, posts=posts, progress=message)
    print_overview(result.overview, title=f"{result.project.config.project.name}: corpus overview")
    _print_brand_sentiment(result.project)
    _print_checks(result.project, result.expected_path)
    message(f"Demo project: {result.project.directory}")
    message(f"Planted answers: {result.expected_path}")
    message(f"Report: {result.project.directory / 'report.html'}")
    message(
        f"Try: `hubbub tui -p {directory}`, `hubbub report -p {directory}`, or `cd {directory}`."
    )
    if live:
        _run_live(result.project, on_terminal, duration_seconds, speed)
    elif on_terminal:
        from hubbub.tui.app import HubbubApp

        HubbubApp(result.project).run()


def _live_duration(text: str) -> float:
    """``--duration`` in seconds (a one-line error when malformed or not positive)."""
    from hubbub.durations import parse_duration

    try:
        seconds = parse_duration(text)
    except ValueError as error:
        raise HubbubError(f"--duration: {error}") from None
    if seconds <= 0:
        raise HubbubError(f"--duration must be longer than zero, got {text!r}")
    return seconds


def _run_live(project: Project, on_terminal: bool, duration: float, speed: float) -> None:
    """Add the live stream and rules to the demo, then watch it in the TUI or headless."""
    from hubbub.demo.live import ALERTS_FILE, add_live_config, watch_live_demo
    from hubbub.plugins.demo_stream import SimulatedClock

    project.close()
    project = add_live_config(project.directory)
    if on_terminal:
        from hubbub.tui.app import HubbubApp
        from hubbub.tui.screens import LiveSettings

        app = HubbubApp(project, screen="live")
        app.live = LiveSettings(autostart=True, clock=SimulatedClock(speed=speed))
        try:
            app.run()
        finally:
            project.close()
        message(f"Alerts so far: {project.directory / ALERTS_FILE} (`hubbub alerts -p DIR`).")
        message(f"Watch again: `hubbub tui -p {project.directory} --screen live`, then w.")
        return
    clock = SimulatedClock(speed=speed)
    pace = "as fast as possible" if speed == 0 else f"at {speed:g}x"
    message(f"Watching the simulated stream for {duration:g}s of simulated time, {pace}…")

    def show(event: WatchEvent) -> None:
        alert = event.alert
        if event.kind == "alert" and alert is not None:
            typer.echo(f"{alert.fired_at:%H:%M:%S} ALERT [{alert.rule}] {alert.message}")

    try:
        run = watch_live_demo(project, duration=duration, clock=clock, on_event=show)
    finally:
        project.close()
    message(
        f"Watched {run.cycles} cycles: {run.posts:,} new posts, {len(run.alerts)} alerts "
        f"(also in {project.directory / ALERTS_FILE}; `hubbub alerts -p {project.directory}`)"
    )
    for error in run.errors:
        message(f"Warning: {error}")


def _print_checks(project: Project, expected_path: Path) -> None:
    """The planted answers beside what hubbub measured on the demo data."""
    import json

    from hubbub.cli.output import OutputFormat, emit
    from hubbub.demo.check import planted_vs_measured

    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    rows = [check.row() for check in planted_vs_measured(project, expected)]
    emit(rows, OutputFormat.table, title="Planted answers (expected.json) vs measured")


def _print_brand_sentiment(project: Project) -> None:
    """The sentiment-per-brand table after the overview."""
    from hubbub.cli.analysis_commands import readable_summary_row
    from hubbub.cli.output import OutputFormat, emit
    from hubbub.sentiment_summary import project_summary

    if not project.config.brands:
        return
    rows = [
        readable_summary_row(row)
        for row in project_summary(project.config, project.store, by="brand")
    ]
    if rows:
        emit(rows, OutputFormat.table, title="Sentiment by brand (VADER; unsupported: not English)")
