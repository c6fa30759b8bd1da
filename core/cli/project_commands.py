"""``hubbub init`` and ``hubbub demo``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from hubbub.cli import command
from hubbub.cli.output import message

if TYPE_CHECKING:
    from hubbub.project import Project


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
) -> None:
    """Build the demo project (synthetic data with known answers), analyse it, print the report."""
    from hubbub.cli.report_output import print_overview
    from hubbub.demo.build import build_demo

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
    if not no_tui and sys.stdin.isatty() and sys.stdout.isatty():
        from hubbub.tui.app import HubbubApp

        HubbubApp(result.project).run()


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
