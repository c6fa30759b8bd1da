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

    :param keep: table columns that are never wrapped, even at spaces (e.g. a
        follower count with its rank): on a narrow terminal the other columns wrap.
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
        _print_table(rows, columns, title, keep)


def _print_table(
    rows: Sequence[dict[str, Any]], columns: Sequence[str], title: str | None, keep: Sequence[str]
) -> None:
    """A rich table in which no word is cut short; one block per row if none fits."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    cells = [[str(_flat(row.get(name))) for name in columns] for row in rows]
    headers = [name.replace("_", " ") for name in columns]
    console = Console()
    widths = _column_widths(headers, cells, [name in keep for name in columns], console.width)
    if widths is None:
        _print_records(console, headers, cells, title)
        return
    table = Table(title=title, title_justify="left")
    for header, name, width in zip(headers, columns, widths, strict=True):
        table.add_column(header, no_wrap=name in keep, width=width)
    for row in cells:
        # Text(...) never interprets markup: post text and names are untrusted
        table.add_row(*(Text(value) for value in row))
    console.print(table)


def _column_widths(
    headers: Sequence[str], cells: Sequence[Sequence[str]], whole: Sequence[bool], room: int
) -> list[int] | None:
    """Column widths that fit ``room`` terminal cells with no word cut; ``None``: none do.

    A column is as wide as its widest line when all fit; otherwise the widest columns
    give up width first, each down to its longest word at most (``whole`` columns
    never wrap).
    """
    from rich.cells import cell_len

    widest: list[int] = []
    floor: list[int] = []
    for position, header in enumerate(headers):
        values = [row[position] for row in cells]
        lines = [line for text in (header, *values) for line in text.splitlines()]
        widest.append(max((cell_len(line) for line in lines), default=0))
        words = (
            [] if whole[position] else [*header.split(), *(w for v in values for w in v.split())]
        )
        floor.append(max((cell_len(word) for word in words), default=0) or widest[-1])
    # each column has a space either side and a rule on its left; one more rule ends the row
    room -= 3 * len(headers) + 1
    if sum(widest) <= room:
        return widest
    if sum(floor) > room:
        return None

    # the widest columns give way first: every column is cut to a common cap (never
    # below its longest word), the largest cap that fits
    def capped(cap: int) -> list[int]:
        return [max(low, min(high, cap)) for high, low in zip(widest, floor, strict=True)]

    low, high = 0, max(widest)
    while low < high:
        middle = (low + high + 1) // 2
        if sum(capped(middle)) <= room:
            low = middle
        else:
            high = middle - 1
    widths = capped(low)
    # what is left (less than one cell per capped column) goes to them in order
    for position, width in enumerate(widths):
        if sum(widths) >= room:
            break
        if width < widest[position]:
            widths[position] += 1
    return widths


def _print_records(
    console: Any, headers: Sequence[str], cells: Sequence[Sequence[str]], title: str | None
) -> None:
    """Print each row as a block of ``name  value`` lines under a ``─[ N ]─`` line, for a
    terminal too narrow for the table (as ``psql``'s expanded display does): no value is
    cut short; a long one wraps under itself."""
    from rich.cells import cell_len
    from rich.text import Text

    indent = max((cell_len(header) for header in headers), default=0) + 2
    room = max(console.width - indent, 10)
    styled = console.is_terminal and not console.no_color
    out = Text()
    plain: list[str] = []

    def add(text: str, style: str = "") -> None:
        if styled:
            out.append(text, style=style)  # Text.append never reads markup
        else:
            plain.append(text)

    if title:
        add(title + "\n", "table.title")
    for number, row in enumerate(cells, start=1):
        add(f"─[ {number} ]─\n", "dim")
        for label, value in zip(headers, row, strict=True):
            if "\n" in value or cell_len(value) > room:
                lines = [line.plain for line in Text(value).wrap(console, room, overflow="fold")]
            else:
                lines = [value]
            for position, line in enumerate(lines or [""]):
                add(label.ljust(indent) if position == 0 else " " * indent, "bold")
                add(line + "\n")
    if styled:
        console.print(out, end="", soft_wrap=True)
    else:  # piped: the same lines without styles, and without rich's cost per line
        console.file.write("".join(plain))


def _flat(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return " ".join(str(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}={item}" for key, item in value.items())
    return value
