"""Rich rendering of the corpus overview for the terminal."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text


def print_overview(overview: dict[str, Any], *, title: str = "Corpus overview") -> None:
    """Print the corpus overview as a few compact tables."""
    console = Console()
    summary = Table(title=title, title_justify="left", show_header=False)
    summary.add_column("what")
    summary.add_column("value", justify="right")
    for label, key in (
        ("posts", "posts"),
        ("authors", "authors"),
        ("replies", "replies"),
        ("reposts", "reposts"),
        ("quotes", "quotes"),
        ("first post (UTC)", "first"),
        ("last post (UTC)", "last"),
    ):
        summary.add_row(label, Text(str(overview.get(key) or "")))
    console.print(summary)
    for heading, key in (
        ("platform", "platforms"),
        ("language", "languages"),
        ("hashtag", "hashtags"),
    ):
        counts = overview.get(key) or {}
        if not counts:
            continue
        table = Table(show_header=True)
        table.add_column(heading)
        table.add_column("posts", justify="right")
        table.add_column("share", justify="right")
        total = overview["posts"] or 1
        for name, count in counts.items():
            table.add_row(Text(str(name)), str(count), f"{count / total:.1%}")
        console.print(table)
