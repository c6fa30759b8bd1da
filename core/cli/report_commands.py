"""``hubbub report``: the whole report in one format, over a time frame."""

from __future__ import annotations

import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from hubbub.cli import ProjectOption, command
from hubbub.cli.output import message
from hubbub.errors import HubbubError

#: chart exports: one file per chart into ``-o DIR`` (not reporters)
CHART_FORMATS = ("svg", "png")
#: short names for reporters
ALIASES = {"md": "markdown"}


class Window(StrEnum):
    """The step of every chart over time."""

    day = "day"
    week = "week"


@command("report")
def report(
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="A reporter: table (terminal), html, md, json, csv, or one a plugin adds; "
            "svg or png write each chart to -o DIR.",
        ),
    ] = "table",
    since: Annotated[
        str | None,
        typer.Option(
            help="From this date (2026-03-01), time (2026-03-01T09:00) or duration back (7d); "
            "project time zone."
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(help="Up to this date (the whole day is included), time or duration back."),
    ] = None,
    window: Annotated[Window, typer.Option(help="Step of the charts over time.")] = Window.day,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write to this file (a folder for svg/png). html without -o writes "
            "report.html in the project folder.",
        ),
    ] = None,
    project: ProjectOption = None,
) -> None:
    """The whole report: overview, topics and spikes, share of voice, influencers, responsiveness."""
    from hubbub.project import Project
    from hubbub.query import time_bounds
    from hubbub.report import REPORT_FILE, ReportScope, build_report, render_report

    proj = Project.load(project)
    name = ALIASES.get(fmt, fmt)
    if name not in CHART_FORMATS:
        from hubbub.plugin_host import get_host

        get_host().get("reporter", name)  # an unknown format is an error before any work
    try:
        zone = proj.config.project.timezone
        low, high = time_bounds(since, until, timezone=zone)
        built = build_report(proj, ReportScope(low, high, window.value, zone))
        for problem in built.problems:
            message(f"Warning: {problem}")
        if name in CHART_FORMATS:
            _write_charts(built.to_dict(), name, output or proj.directory / "charts")
            return
        if name == "html" and output is None:
            output = proj.directory / REPORT_FILE
        if output is None:
            render_report(built, name, sys.stdout)
            return
        try:
            with output.open("w", encoding="utf-8", newline="") as stream:
                render_report(built, name, stream)
        except OSError as error:
            raise HubbubError(f"cannot write {output}: {error.strerror}") from None
        message(f"Report: {output}")
    finally:
        proj.close()


def _write_charts(report: dict[str, Any], fmt: str, directory: Path) -> None:
    from hubbub.charts import chart_png, chart_svg

    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise HubbubError(f"cannot create {directory}: {error.strerror}") from None
    written = 0
    for section in report["sections"]:
        for number, chart in enumerate(section["charts"], start=1):
            slug = re.sub(r"[^A-Za-z0-9]+", "-", f"{section['id']}-{number}").strip("-")
            path = directory / f"{slug}.{fmt}"
            if fmt == "svg":
                path.write_text(
                    '<?xml version="1.0" encoding="utf-8"?>\n' + chart_svg(chart), encoding="utf-8"
                )
            else:
                path.write_bytes(chart_png(chart))
            written += 1
    message(f"Wrote {written} {fmt.upper()} charts to {directory}")
