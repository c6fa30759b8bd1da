"""``hubbub influencers``: who moves the conversation on a topic, explained, and exports for Gephi."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any

import typer
from hubbub.cli import ProjectOption, command
from hubbub.cli.output import OutputFormat, emit, message
from hubbub.errors import HubbubError

if TYPE_CHECKING:
    from hubbub.influence import InfluenceResult


class InfluenceFormat(StrEnum):
    """Output formats of ``hubbub influencers``: the result, or the whole graph for Gephi."""

    table = "table"
    json = "json"
    csv = "csv"
    gexf = "gexf"
    graphml = "graphml"


class Method(StrEnum):
    """Centrality methods (``pagerank`` is the one to act on; the others compare)."""

    pagerank = "pagerank"
    in_strength = "in-strength"
    hits = "hits"


class Repeats(StrEnum):
    """How repeated interactions between two authors add up."""

    sum = "sum"
    log = "log"
    sqrt = "sqrt"


class Teleport(StrEnum):
    """Where PageRank's random jumps land."""

    active = "active"
    posts = "posts"
    all = "all"


class Show(StrEnum):
    """What ``--format table|json|csv`` lists."""

    influencers = "influencers"
    follower_picks = "follower-picks"


#: how many follower picks the table shows under the influencers
_TABLE_PICKS = 10
_TEXT_PREVIEW = 60


@command("influencers")
def influencers(
    topic: Annotated[
        str | None,
        typer.Option("--topic", "-t", help="A topic of hubbub.toml's [topics]."),
    ] = None,
    query: Annotated[
        str | None,
        typer.Option(
            "--query",
            "-q",
            help="Scope by any query instead (or as well), e.g. 'lang:es' or '#baggage AND lang:en'.",
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(help="Posts from this ISO date or date-time (project time zone)."),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(help="Posts before this date-time; a bare date includes that day."),
    ] = None,
    share: Annotated[
        float | None,
        typer.Option(
            min=0.0,
            max=1.0,
            help="Share of the graph's authors to report [default: 0.15, or the project's].",
            show_default=False,
        ),
    ] = None,
    top: Annotated[
        int | None,
        typer.Option(min=1, help="Report exactly this many authors instead of a share."),
    ] = None,
    method: Annotated[
        Method | None,
        typer.Option(
            help="pagerank (personalised, default), in-strength or hits (authority).",
            show_default=False,
        ),
    ] = None,
    weight: Annotated[
        list[str] | None,
        typer.Option(
            "--weight",
            "-w",
            help="Weight of one interaction of a kind, KIND=NUMBER (repeatable; kinds: "
            "reply, quote, repost, mention; defaults 1, 1, 1, 0.5).",
        ),
    ] = None,
    repeats: Annotated[
        Repeats | None,
        typer.Option(
            help="How repeated interactions of one author with another add up [default: sum].",
            show_default=False,
        ),
    ] = None,
    teleport: Annotated[
        Teleport | None,
        typer.Option(
            help="PageRank's teleport: active authors uniformly (default), in proportion "
            "to their posts, or all authors.",
            show_default=False,
        ),
    ] = None,
    show: Annotated[
        Show,
        typer.Option(
            help="influencers: the top authors; follower-picks: the accounts a "
            "follower-count ranking of the same size would pick that are not in the top."
        ),
    ] = Show.influencers,
    fmt: Annotated[
        InfluenceFormat,
        typer.Option(
            "--format", "-f", help="Output format; gexf and graphml export the whole graph."
        ),
    ] = InfluenceFormat.table,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file instead of stdout."),
    ] = None,
    project: ProjectOption = None,
) -> None:
    """Rank who influences a topic (not who has most followers), with why, and export the graph."""
    from hubbub.influence import topic_influence
    from hubbub.project import Project
    from hubbub.responsiveness import parse_instant

    if topic is None and query is None:
        raise HubbubError("give a scope: --topic NAME (from hubbub.toml) or --query QUERY")
    proj = Project.load(project)
    try:
        zone = proj.config.project.timezone
        result = topic_influence(
            proj,
            topic=topic,
            query=query,
            since=parse_instant(since, zone) if since else None,
            until=parse_instant(until, zone, end=True) if until else None,
            share=share,
            top=top,
            method=method.value if method else None,
            weights=_parse_weights(weight or []),
            repeats=repeats.value if repeats else None,
            teleport=teleport.value if teleport else None,
        )
    finally:
        proj.close()
    message(_summary_line(result))
    if fmt in (InfluenceFormat.gexf, InfluenceFormat.graphml):
        with _binary_output(output) as stream:
            if fmt is InfluenceFormat.gexf:
                result.write_gexf(stream)
            else:
                result.write_graphml(stream)
        if output is not None:
            message(f"Wrote {fmt.value.upper()} with {result.graph.nodes:,} authors to {output}")
        return
    with _text_output(output):
        _print_result(result, OutputFormat(fmt.value), show)
    if output is not None:
        message(f"Wrote {output}")


def _parse_weights(items: list[str]) -> dict[str, float] | None:
    weights: dict[str, float] = {}
    for item in items:
        kind, sep, value = item.partition("=")
        try:
            if not sep:
                raise ValueError
            weights[kind.strip()] = float(value)
        except ValueError:
            raise HubbubError(
                f"--weight {item!r}: expected KIND=NUMBER, e.g. mention=0.25"
            ) from None
    return weights or None


def _summary_line(result: InfluenceResult) -> str:
    summary = result.summary()
    method = {
        "pagerank": "personalised PageRank",
        "in-strength": "in-strength",
        "hits": "HITS authority",
    }[result.method]
    scope = result.label or "all posts"
    share = ""
    if summary["authors"]:
        fraction = result.count / summary["authors"]
        share = f" ({fraction:.0%})" if fraction >= 0.01 else f" ({fraction:.1%})"
    return (
        f"{scope}: {summary['posts']:,} posts, {summary['authors']:,} authors, "
        f"{summary['edges']:,} edges from {summary['interactions']:,} interactions; "
        f"top {result.count:,}{share} by {method}"
    )


@contextlib.contextmanager
def _binary_output(path: Path | None) -> Iterator[IO[bytes]]:
    if path is None:
        sys.stdout.flush()
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    try:
        with path.open("wb") as stream:
            yield stream
    except OSError as error:
        raise HubbubError(f"cannot write {path}: {error.strerror}") from None


@contextlib.contextmanager
def _text_output(path: Path | None) -> Iterator[None]:
    if path is None:
        yield
        return
    try:
        with (
            path.open("w", encoding="utf-8", newline="") as stream,
            contextlib.redirect_stdout(stream),
        ):
            yield
    except OSError as error:
        raise HubbubError(f"cannot write {path}: {error.strerror}") from None


_TABLE_COLUMNS = [
    "#",
    "handle",
    "score",
    "followers",
    "topic_posts",
    "engagers",
    "in_r/q/rp/m",
    "note",
    "top_post",
]

#: the follower picks' table: the figures only
_PICK_COLUMNS = _TABLE_COLUMNS[:7]
#: never wrapped nor cut short: on a narrow terminal the other columns give way
_KEEP = ("#", "handle", "score", "in_r/q/rp/m")
#: narrower terminals leave the top post out of the table (JSON and CSV have it)
_WIDTH_FOR_POSTS = 110
#: and narrower still mark the note with ``*`` after the handle
_WIDTH_FOR_NOTES = 100


def _print_result(result: InfluenceResult, fmt: OutputFormat, show: Show) -> None:
    if show is Show.follower_picks:
        rows = result.follower_pick_rows()
        title = "What a follower-count ranking would pick instead (not in the top)"
    else:
        rows = result.rows()
        title = f"Top {result.count:,} influencers ({result.label or 'all posts'})"
    if fmt is not OutputFormat.table:
        emit(rows, fmt)
        return
    if not rows:
        message(
            "Nothing to show: no posts in this scope and window."
            if show is Show.influencers
            else "A follower-count ranking would pick the same authors."
        )
        return
    from rich.console import Console

    width = Console().width
    shown = [_for_table(row) for row in rows]
    columns = list(_TABLE_COLUMNS)
    if width < _WIDTH_FOR_POSTS:
        columns.remove("top_post")
    marked = False
    if width < _WIDTH_FOR_NOTES:
        columns.remove("note")
        for row in shown:
            if row["note"]:
                row["handle"] += " *"
                marked = True
    emit(shown, fmt, columns=columns, title=title, keep=_KEEP)
    if marked:
        message("* missed by a follower-count ranking of the same size")
    if "top_post" not in columns and show is Show.influencers:
        message("(a wider terminal shows each one's top post; --format json lists them all)")
    if show is Show.influencers and result.pick_nodes:
        picks = [_for_table(row) for row in result.follower_pick_rows(limit=_TABLE_PICKS)]
        more = len(result.pick_nodes) - len(picks)
        emit(
            picks,
            fmt,
            columns=_PICK_COLUMNS,
            title="A follower-count ranking would pick these instead (influence rank in #)",
            keep=_KEEP,
        )
        if more > 0:
            message(f"… and {more:,} more: --show follower-picks lists them all")


def _for_table(row: dict[str, Any]) -> dict[str, Any]:
    followers = row["followers"]
    shown = {
        "#": row["rank"],
        "handle": row["handle"],
        "score": f"{row['score']:.4g}",
        "followers": "?" if followers is None else f"{followers:,} (#{row['follower_rank']:,})",
        "topic_posts": row["topic_posts"],
        "engagers": row["engagers"],
        "in_r/q/rp/m": "/".join(
            str(row[key]) for key in ("replies_in", "quotes_in", "reposts_in", "mentions_in")
        ),
        "note": "missed by follower count" if row["missed_by_followers"] else "",
        "top_post": "",
    }
    text = row.get("top_post_text")
    if isinstance(text, str):
        flat = " ".join(text.split())
        if len(flat) > _TEXT_PREVIEW:
            flat = flat[: _TEXT_PREVIEW - 1] + "…"
        shown["top_post"] = f"({row['top_post_engagements']}) {flat}"
    return shown
