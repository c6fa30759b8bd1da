"""Printing results: a rich table for people, JSON or CSV for programs (on stdout).

Messages and progress go to stderr so that stdout stays clean for the data.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated, Any

import typer


class OutputFormat(StrEnum):
    """How a command prints its results."""

    table = "table"
    json = "json"
    csv = "csv"


#: the ``--format`` option every command that prints results takes
FormatOption = Annotated[OutputFormat, typer.Option("--format", help="Output format.")]

#: characters that make a spreadsheet treat a cell as a formula
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Neutralise a CSV cell that a spreadsheet would run as a formula (prefix a quote)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def message(text: str) -> None:
    """Print a message for the user on stderr."""
    typer.echo(text, err=True)


def emit(
    rows: Sequence[dict[str, Any]],
    fmt: OutputFormat,
    *,
    columns: Sequence[str] | None = None,
    title: str | None = None,
    keep: Sequence[str] = (),
) -> None:
    """Print ``rows`` (flat dicts with snake_case keys) in ``fmt`` on stdout.

    :param keep: table columns that are never wrapped (e.g. handles): on a narrow
        terminal the other columns give up their width first.
    """
    columns = list(columns or (rows[0].keys() if rows else []))
    if fmt is OutputFormat.json:
        import orjson

        sys.stdout.write(orjson.dumps(list(rows), option=orjson.OPT_INDENT_2).decode() + "\n")
    elif fmt is OutputFormat.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([safe_cell(_flat(row.get(name))) for name in columns])
    else:
        from rich.console import Console
        from rich.measure import Measurement
        from rich.table import Table
        from rich.text import Text

        table = Table(title=title, title_justify="left")
        for name in columns:
            table.add_column(name.replace("_", " "), no_wrap=name in keep)
        for row in rows:
            # Text(...) never interprets markup: post text and names are untrusted
            table.add_row(*(Text(str(_flat(row.get(name)))) for name in columns))
        console = Console()
        unbounded = console.options.update_width(10**6)
        if Measurement.get(console, unbounded, table).minimum > console.width:
            _print_records(console, rows, columns, title)
        else:
            console.print(table)


def _print_records(
    console: Any, rows: Sequence[dict[str, Any]], columns: Sequence[str], title: str | None
) -> None:
    """Print each row as a block of ``name  value`` lines, for a terminal too narrow for
    the table (as ``psql``'s expanded display does): no value is cut short."""
    from rich.rule import Rule
    from rich.table import Table
    from rich.text import Text

    if title:
        console.print(Text(title, style="table.title"))
    for number, row in enumerate(rows):
        if number:
            console.print(Rule(style="dim"))
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")
        for name in columns:
            grid.add_row(name.replace("_", " "), Text(str(_flat(row.get(name)))))
        console.print(grid)


def _flat(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return " ".join(str(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}={item}" for key, item in value.items())
    return value
