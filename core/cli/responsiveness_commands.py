"""``hubbub responsiveness``: how fast and how often each tracked brand answers, ranked."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from hubbub.cli import ProjectOption, command
from hubbub.cli.output import FormatOption, OutputFormat, emit, message


class Window(StrEnum):
    """Calendar windows for one row per brand per window."""

    day = "day"
    week = "week"
    month = "month"


class Show(StrEnum):
    """What ``hubbub responsiveness`` lists."""

    summary = "summary"
    waiting = "waiting"
    slowest = "slowest"
    distribution = "distribution"
    hours = "hours"


#: the table's columns per view (JSON and CSV get every key)
_TABLE_COLUMNS = {
    Show.summary: [
        "#",
        "brand",
        "inbound",
        "answered",
        "rate",
        "median",
        "p90",
        "mean",
        "fastest",
        "slowest",
        "in_target",
        "score",
    ],
    Show.waiting: ["brand", "author", "created_at", "waiting", "follow_up", "text"],
    Show.slowest: ["brand", "author", "created_at", "response", "reply_author", "text"],
    Show.distribution: ["brand", "bucket", "posts", "share"],
    Show.hours: ["brand", "weekday", "hour", "inbound", "answered", "response_rate", "median"],
}
_TEXT_PREVIEW = 70


@command("responsiveness")
def responsiveness(
    brand: Annotated[
        list[str] | None,
        typer.Option(
            "--brand",
            "-b",
            metavar="NAME",
            help="Only this brand (repeatable; default: all brands).",
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            metavar="DATE",
            help="Inbound posts from this ISO date or date-time (project time zone).",
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            metavar="DATE",
            help="Inbound posts before this date-time; a bare date includes that day.",
        ),
    ] = None,
    window: Annotated[
        Window | None,
        typer.Option(help="One row per brand per calendar window (weeks start on Monday)."),
    ] = None,
    show: Annotated[
        Show,
        typer.Option(
            help="summary: the ranked figures; waiting: customers still waiting, oldest first; "
            "slowest: the slowest answered; distribution: response-time buckets; "
            "hours: inbound and answered by weekday and hour."
        ),
    ] = Show.summary,
    limit: Annotated[
        int, typer.Option(min=0, help="Posts listed by --show waiting/slowest (0: all).")
    ] = 20,
    fmt: FormatOption = OutputFormat.table,
    project: ProjectOption = None,
) -> None:
    """Rank the tracked brands by how fast and how often they answer the public."""
    from hubbub.project import Project
    from hubbub.responsiveness import (
        analyze_responsiveness,
        distribution_rows,
        parse_instant,
        slowest_rows,
        waiting_rows,
        weekday_hour_rows,
    )

    proj = Project.load(project)
    try:
        zone = proj.config.project.timezone
        start = parse_instant(since, zone) if since else None
        end = parse_instant(until, zone, end=True) if until else None
        report = analyze_responsiveness(
            proj,
            brands=brand or None,
            since=start,
            until=end,
            window=window.value if window else None,
        )
        if show is Show.waiting:
            rows = waiting_rows(proj, report, limit=limit)
            title = f"Customers still waiting (oldest first, as of {_day(report.as_of)})"
        elif show is Show.slowest:
            rows = slowest_rows(proj, report, limit=limit)
            title = "Slowest answered"
        elif show is Show.distribution:
            rows = distribution_rows(report)
            title = "First-response time distribution"
        elif show is Show.hours:
            rows = weekday_hour_rows(report)
            title = f"Inbound by weekday and hour ({zone})"
        else:
            rows = report.rows()
            title = "Responsiveness (ranked by score)"
    finally:
        proj.close()
    columns = None
    if fmt is OutputFormat.table:
        columns = list(_TABLE_COLUMNS[show])
        if window and "window_start" not in columns and show is not Show.waiting:
            columns.insert(0, "window_start")
        rows = [_for_table(row) for row in rows]
    if not rows and fmt is OutputFormat.table:
        message("Nothing to show: no inbound posts for the brands in this range.")
        return
    emit(rows, fmt, columns=columns, title=title)


def _day(moment: object) -> str:
    return str(moment)[:16] if moment is not None else "-"


def _for_table(row: dict[str, object]) -> dict[str, object]:
    shown = dict(row)
    if "rank" in shown:  # a summary row: short headers, the target beside its share
        shown["#"] = shown["rank"]
        shown["rate"] = shown["response_rate"]
        share = shown.get("within_target_share")
        shown["in_target"] = (
            f"{100 * share:.1f}% ≤ {shown['reply_target']}" if isinstance(share, float) else ""
        )
    for key in ("rate", "response_rate", "share"):
        value = shown.get(key)
        if isinstance(value, float):
            shown[key] = f"{100 * value:.1f}%"
    text = shown.get("text")
    if isinstance(text, str):
        flat = " ".join(text.split())
        shown["text"] = flat if len(flat) <= _TEXT_PREVIEW else flat[: _TEXT_PREVIEW - 1] + "…"
    if isinstance(shown.get("window_start"), str):
        shown["window_start"] = str(shown["window_start"])[:10]
    return shown
