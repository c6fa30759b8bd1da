"""``hubbub search``, ``hubbub topics``, ``hubbub trends`` and ``hubbub share-of-voice``.

Only typer and the CLI helpers are imported here; the query parser (luqum), the store
and the analyses are imported inside the commands, so ``hubbub --help`` stays fast.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer
from hubbub.cli import ProjectOption, command
from hubbub.cli.output import FormatOption, OutputFormat, emit, message

if TYPE_CHECKING:
    from hubbub.search import Hit


class Sort(StrEnum):
    """Orders of ``hubbub search``."""

    newest = "newest"
    oldest = "oldest"
    engagement = "engagement"
    relevance = "relevance"


class Window(StrEnum):
    """Windows for trends and share of voice (weeks start on Monday, project time zone)."""

    hour = "hour"
    day = "day"
    week = "week"


class TrendsView(StrEnum):
    """What ``hubbub trends`` lists."""

    spikes = "spikes"
    volume = "volume"
    emerging = "emerging"


class Weighting(StrEnum):
    """How ``hubbub share-of-voice`` counts a brand's voice."""

    mentions = "mentions"
    engagement = "engagement"


SinceOption = Annotated[
    str | None,
    typer.Option(
        help="From this date (2026-03-01), time (2026-03-01T09:00) or duration back (7d); "
        "project time zone."
    ),
]
UntilOption = Annotated[
    str | None,
    typer.Option(help="Up to this date (the whole day is included), time or duration back."),
]

_HIGHLIGHT_STYLE = "bold reverse"


# ---------------------------------------------------------------- search


@command("search")
def search(
    query: Annotated[
        str,
        typer.Argument(
            help='A query: words, "phrases", #hashtag, @mention, refund*, AND/OR/NOT, '
            "author:, lang:, sentiment:, created:[2026-03-01 TO 2026-03-07] … "
            "(docs/query-language.md).",
            show_default=False,
        ),
    ],
    limit: Annotated[int, typer.Option(min=0, help="How many posts to show (0: all).")] = 20,
    sort: Annotated[Sort, typer.Option(help="Order of the results.")] = Sort.newest,
    since: SinceOption = None,
    until: UntilOption = None,
    fmt: FormatOption = OutputFormat.table,
    project: ProjectOption = None,
) -> None:
    """Posts matching a query, newest first; matches are highlighted in the table."""
    from hubbub.project import Project
    from hubbub.query import parse_query, time_bounds
    from hubbub.search import count_matches
    from hubbub.search import search as run_search

    proj = Project.load(project)
    timezone = proj.config.project.timezone
    parsed = parse_query(query, timezone=timezone)
    low, high = time_bounds(since, until, timezone=timezone)
    try:
        hits = run_search(
            proj.store,
            parsed,
            limit=limit or None,
            sort=sort.value,
            since=low,
            until=high,
            timezone=timezone,
            highlight=fmt is OutputFormat.table,
        )
        total = (
            count_matches(proj.store, parsed, since=low, until=high)
            if fmt is OutputFormat.table
            else len(hits)
        )
    finally:
        proj.close()
    if fmt is not OutputFormat.table:
        emit([hit.as_row() for hit in hits], fmt)
        return
    _print_hits(hits, total, query, sort.value, timezone)


def _print_hits(hits: list[Hit], total: int, query: str, sort: str, timezone: str) -> None:
    from hubbub.search import local_time
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=f"{len(hits)} of {total} posts matching {query!r}, {sort} first",
        title_justify="left",
    )
    table.add_column("when")
    table.add_column("author")
    table.add_column("text", ratio=1)
    table.add_column("engagement", justify="right")
    for hit in hits:
        # Text(…) never reads markup; the spans are positions into the post's own text
        text = Text(hit.text)
        for start, end in hit.highlights:
            text.stylize(_HIGHLIGHT_STYLE, start, end)
        table.add_row(
            Text(local_time(hit.created_at, timezone).strftime("%Y-%m-%d %H:%M")),
            Text(hit.author),
            text,
            Text(str(hit.engagement)),
        )
    Console().print(table)


# ---------------------------------------------------------------- topics


@command("topics")
def topics(
    tag: Annotated[
        bool,
        typer.Option("--tag", help="Tag posts stored since the last run with their topics first."),
    ] = False,
    fmt: FormatOption = OutputFormat.table,
    project: ProjectOption = None,
) -> None:
    """The topics of hubbub.toml with how many posts each has."""
    from hubbub.project import Project
    from hubbub.topics import ensure_tagged, topic_rows

    proj = Project.load(project)
    try:
        if tag:
            for result in ensure_tagged(proj).values():
                how = "re-tagged from scratch" if result.retagged else "tagged incrementally"
                message(
                    f"{result.topic}: {how}, {result.scanned} posts looked at, "
                    f"{result.added} new, {result.posts} in all"
                )
        rows = topic_rows(proj.store, proj.config.topics)
    finally:
        proj.close()
    if not rows:
        message("No topics yet: add them to hubbub.toml under [topics] (see docs/topics.md).")
    if fmt is OutputFormat.table and any(not row["up_to_date"] for row in rows):
        message("Some topics are not tagged up to date: run `hubbub topics --tag`.")
    emit(rows, fmt, columns=["topic", "query", "posts", "tagged_at", "up_to_date"], title="Topics")


# ---------------------------------------------------------------- trends


@command("trends")
def trends(
    topic: Annotated[
        list[str] | None,
        typer.Option(
            "--topic", "-t", help="Only this topic (repeatable; default: all topics and brands)."
        ),
    ] = None,
    brand: Annotated[
        list[str] | None, typer.Option("--brand", "-b", help="Only this brand (repeatable).")
    ] = None,
    query: Annotated[
        str | None,
        typer.Option("--query", "-q", help="Also an ad-hoc query as a scope ('*': all posts)."),
    ] = None,
    window: Annotated[
        Window | None,
        typer.Option(help="Window size (default: the window of [analyzers.trends], else day)."),
    ] = None,
    show: Annotated[
        TrendsView,
        typer.Option(
            help="spikes: spike windows with their drivers; volume: every window's volume "
            "against its baseline; emerging: terms rising in the last window."
        ),
    ] = TrendsView.spikes,
    min_burst: Annotated[
        float | None, typer.Option(help="Spike: volume / baseline at least.")
    ] = None,
    min_z: Annotated[float | None, typer.Option(help="Spike: z-score at least.")] = None,
    min_volume: Annotated[
        int | None, typer.Option(help="Spike: posts in the window at least.")
    ] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    fmt: FormatOption = OutputFormat.table,
    project: ProjectOption = None,
) -> None:
    """Volume per topic and brand per window, spikes and what drove them, emerging terms."""
    from hubbub.project import Project
    from hubbub.query import time_bounds
    from hubbub.trends import compute_trends, load_options, project_scopes

    proj = Project.load(project)
    try:
        options = load_options(
            proj,
            window=window.value if window else None,
            min_burst=min_burst,
            min_z=min_z,
            min_volume=min_volume,
        )
        scopes = project_scopes(proj, topics=topic, brands=brand, query=query)
        low, high = time_bounds(since, until, timezone=proj.config.project.timezone)
        result = compute_trends(
            proj,
            scopes,
            options=options,
            since=low,
            until=high,
            explain=show is TrendsView.spikes,
            emerging=show is TrendsView.emerging,
        )
    finally:
        proj.close()
    if not scopes:
        message("Nothing to analyse: add [topics] or [brands] to hubbub.toml, or pass --query.")
    if show is TrendsView.volume:
        emit(
            result.volume_rows(),
            fmt,
            columns=["scope", "window", "volume", "baseline", "burst", "z", "spike"],
            title=f"Volume per {result.window} ({result.timezone})",
        )
        return
    if show is TrendsView.emerging:
        emit(
            result.emerging_rows(),
            fmt,
            columns=["scope", "window", "term", "count", "baseline", "z"],
            title=f"Emerging terms in the last {result.window} against its baseline",
        )
        return
    if fmt is OutputFormat.table:
        _print_sparklines(result)
        _print_spikes(result)
        return
    emit(
        result.spike_rows(),
        fmt,
        columns=[
            "scope",
            "window",
            "volume",
            "baseline",
            "burst",
            "z",
            "authors",
            "hashtags",
            "terms",
            "examples",
        ],
    )


def _print_spikes(result: Any) -> None:
    """Each spike as a block: the figures, its drivers with counts, example posts."""
    from hubbub.trends import window_label
    from rich.console import Console
    from rich.text import Text

    console = Console()
    windows = sum(len(series) for series in result.volumes.values())
    if not result.spikes:
        console.print(Text(f"No spikes in {windows} windows ({result.window}, {result.timezone})."))
        return
    for spike in result.spikes:
        item = spike.volume
        head = Text(
            f"Spike: {item.scope} on {window_label(item.start, result.window)}", style="bold"
        )
        head.append(
            f" — {item.volume} posts against a baseline of {item.baseline:.1f} "
            f"(burst {item.burst:.1f}x, z {item.z:.1f})",
            style="",
        )
        console.print(head)
        for kind, title in (("author", "authors"), ("hashtag", "hashtags"), ("term", "terms")):
            drivers = spike.drivers.get(kind) or []
            if drivers:
                listed = ", ".join(f"{d.value} ({d.count})" for d in drivers)
                console.print(Text(f"  {title:<9} {listed}"))
        for example in spike.examples:
            console.print(Text(f"  example   @{example['author']}: {example['text']}"))
        console.print()


_BARS = " ▁▂▃▄▅▆▇█"


def _sparkline(values: list[int]) -> str:
    top = max(values, default=0)
    if top <= 0:
        return " " * len(values)
    return "".join(_BARS[round(value / top * (len(_BARS) - 1))] for value in values)


def _print_sparklines(result: Any) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    if not result.volumes:
        return
    table = Table(title=f"Volume per {result.window}", title_justify="left", show_header=False)
    table.add_column("scope")
    table.add_column("volume")
    table.add_column("max", justify="right")
    for label, series in result.volumes.items():
        values = [item.volume for item in series]
        line = Text(_sparkline(values))
        for position, item in enumerate(series):
            if item.spike:
                line.stylize("bold red", position, position + 1)
        table.add_row(Text(label), line, Text(str(max(values, default=0))))
    Console().print(table)


# ---------------------------------------------------------------- share of voice


@command("share-of-voice")
def share_of_voice(
    window: Annotated[
        Window | None,
        typer.Option(help="One row per brand per window (default: the whole period)."),
    ] = None,
    by: Annotated[
        Weighting,
        typer.Option(
            help="mentions: posts mentioning the brand; engagement: their likes + reposts + replies."
        ),
    ] = Weighting.mentions,
    topic: Annotated[
        str | None, typer.Option("--topic", "-t", help="Only posts of this topic.")
    ] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    fmt: FormatOption = OutputFormat.table,
    project: ProjectOption = None,
) -> None:
    """Each brand's share of all tracked brands' mentions, split by sentiment."""
    from hubbub.project import Project
    from hubbub.query import time_bounds
    from hubbub.share_of_voice import SENTIMENTS, compute_share_of_voice

    proj = Project.load(project)
    try:
        low, high = time_bounds(since, until, timezone=proj.config.project.timezone)
        result = compute_share_of_voice(
            proj,
            window=window.value if window else None,
            by=by.value,
            since=low,
            until=high,
            topic=topic,
        )
    finally:
        proj.close()
    if not proj.config.brands:
        message("No brands yet: add them to hubbub.toml under [brands.NAME] (docs/topics.md).")
    rows = result.rows()
    columns = ["window", "brand", by.value, "share", *SENTIMENTS]
    if fmt is OutputFormat.table:
        # labels no post has are left out of the table (JSON and CSV keep every column)
        columns = [c for c in columns if c not in SENTIMENTS or any(row[c] for row in rows)]
        for row in rows:
            row["share"] = f"{row['share']:.1%}"
    emit(rows, fmt, columns=columns, title=f"Share of voice by {by.value}")
