"""The bundled reporters: ``table`` (terminal), ``json``, ``markdown``, ``csv`` and ``html``.

Each renders the report dict of :meth:`hubbub.report.Report.to_dict` to a text stream
and knows nothing about the analyses or plugins behind the sections. Post text and
names are untrusted everywhere:

* ``table`` builds rich ``Text`` objects, never markup from data;
* ``markdown`` backslash-escapes Markdown and HTML syntax and breaks URLs, so nothing
  from a post becomes a live link, an image or HTML;
* ``csv`` neutralises cells a spreadsheet would run as formulas;
* ``html`` autoescapes every value (Jinja2), inlines charts as SVG drawn by
  :mod:`hubbub.charts`, and forbids scripts with a Content-Security-Policy.
"""

from __future__ import annotations

import csv
import re
from typing import Any, ClassVar, TextIO

from hubbub import Reporter, hookimpl
from hubbub.report import format_value

# ---------------------------------------------------------------- JSON


class JsonReporter(Reporter):
    """The whole report as one JSON document (what every other format is drawn from)."""

    name = "json"
    description = "the report as JSON: sections with tables, chart data and notes"
    suffix: ClassVar[str] = ".json"

    def render(self, report: dict[str, Any], stream: TextIO) -> None:
        """Write ``report`` as indented JSON."""
        import orjson

        stream.write(orjson.dumps(report, option=orjson.OPT_INDENT_2).decode() + "\n")


# ---------------------------------------------------------------- Markdown

#: characters with a meaning in Markdown, GitHub's extensions or inline HTML
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~&$])")
_NEWLINES = re.compile(r"\s*[\r\n]+\s*")
_ZWSP = "\u200b"


def markdown_escape(value: Any) -> str:
    """Text safe in a Markdown paragraph or table cell: no markup, HTML or live link.

    Every character Markdown, GitHub's extensions (tables, strikethrough, math) or HTML
    give a meaning to is backslash-escaped (a backslash-escaped character is always
    literal in CommonMark), so no link, image, tag or cell break can form; newlines
    become spaces; a zero-width space in ``://``, ``www.`` and ``name@host`` stops GitHub
    from autolinking bare URLs and e-mail addresses.
    """
    text = _NEWLINES.sub(" ", format_value(value))
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    text = text.replace("://", ":" + _ZWSP + "//")
    text = re.sub(r"(?i)\bwww\.", "www" + _ZWSP + ".", text)
    return re.sub(r"(?<=\w)@(?=\w)", "@" + _ZWSP, text)


class MarkdownReporter(Reporter):
    """The report as GitHub-flavoured Markdown: headings, key figures, tables, notes."""

    name = "markdown"
    description = "the report as Markdown (GitHub-flavoured tables); charts as data tables"
    suffix: ClassVar[str] = ".md"

    def render(self, report: dict[str, Any], stream: TextIO) -> None:
        """Write ``report`` as Markdown."""
        write = stream.write
        write(f"# {markdown_escape(report['title'])}\n\n")
        write(f"*{markdown_escape(report['scope']['label'])}*\n\n")
        for problem in report.get("problems", []):
            write(f"> **Problem:** {markdown_escape(problem)}\n\n")
        for section in report["sections"]:
            write(f"## {markdown_escape(section['title'])}\n\n")
            if section["intro"]:
                write(f"{markdown_escape(section['intro'])}\n\n")
            if section["metrics"]:
                write(
                    _markdown_table(
                        ["figure", "value", "note"],
                        [
                            {"figure": item["label"], "value": item["value"], "note": item["note"]}
                            for item in section["metrics"]
                        ],
                    )
                )
            for chart in section["charts"]:
                write(f"### {markdown_escape(chart['title'])}\n\n")
                write(f"{markdown_escape(chart['alt'])}\n\n")
                table = chart["table"]
                write(_markdown_table(table["columns"], table["rows"], percent=chart["percent"]))
            for table in section["tables"]:
                write(f"### {markdown_escape(table['title'])}\n\n")
                if not table["rows"]:
                    write("*(none)*\n\n")
                    continue
                write(_markdown_table(table["columns"], table["rows"]))
                shown, total = len(table["rows"]), table.get("total_rows")
                if total is not None and total > shown:
                    write(f"*{shown:,} of {total:,} shown.*\n\n")
            for note in section["notes"]:
                write(f"- {markdown_escape(note)}\n")
            if section["notes"]:
                write("\n")


def _markdown_table(
    columns: list[str], rows: list[dict[str, Any]], *, percent: bool = False
) -> str:
    def cell(column: str, value: Any) -> str:
        as_percent = percent and isinstance(value, float) and column != columns[0]
        return markdown_escape(format_value(value, as_percent)) or " "

    lines = [
        "| " + " | ".join(markdown_escape(column) for column in columns) + " |",
        "|" + "|".join(" --- " for _ in columns) + "|",
    ]
    for row in rows:
        lines.append("| " + " | ".join(cell(column, row.get(column)) for column in columns) + " |")
    return "\n".join(lines) + "\n\n"


# ---------------------------------------------------------------- CSV


class CsvReporter(Reporter):
    """Every table of the report (chart data included) in one CSV file.

    Columns: ``section`` (its id), ``table`` (its title), then the union of all tables'
    columns in order of first appearance; a table leaves the others' columns empty.
    Every cell passes through :func:`hubbub.cli.output.safe_cell`.
    """

    name = "csv"
    description = "all of the report's tables in one CSV file, with section and table columns"
    suffix: ClassVar[str] = ".csv"

    def render(self, report: dict[str, Any], stream: TextIO) -> None:
        """Write every table of ``report`` as CSV rows."""
        from hubbub.cli.output import safe_cell

        blocks: list[tuple[str, dict[str, Any]]] = []
        for section in report["sections"]:
            if section["metrics"]:
                blocks.append(
                    (
                        section["id"],
                        {
                            "title": "key figures",
                            "columns": ["figure", "value"],
                            "rows": [
                                {"figure": item["label"], "value": item["value"]}
                                for item in section["metrics"]
                            ],
                        },
                    )
                )
            blocks.extend((section["id"], chart["table"]) for chart in section["charts"])
            blocks.extend((section["id"], table) for table in section["tables"])
        columns: dict[str, None] = {}
        for _section, table in blocks:
            columns.update(dict.fromkeys(table["columns"]))
        names = [
            "section",
            "table",
            *(name for name in columns if name not in ("section", "table")),
        ]
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(names)
        for section_id, table in blocks:
            for row in table["rows"]:
                values = {"section": section_id, "table": table["title"], **row}
                writer.writerow([safe_cell(_csv_value(values.get(name))) for name in names])


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple | dict):
        return format_value(value)
    return value


# ---------------------------------------------------------------- terminal table

_SPARK = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float | None]) -> str:
    """A row of block characters for a series (a space for a missing value)."""
    present = [value for value in values if value is not None]
    if not present:
        return ""
    low, high = min(present), max(present)
    span = high - low or 1.0
    return "".join(
        " " if value is None else _SPARK[round((value - low) / span * (len(_SPARK) - 1))]
        for value in values
    )


class TableReporter(Reporter):
    """The report for a terminal: rich tables, sparklines for charts (to a text stream)."""

    name = "table"
    description = "the report for the terminal (rich tables; charts as sparklines)"
    suffix: ClassVar[str] = ".txt"
    #: rows shown per table
    max_rows: ClassVar[int] = 15

    def render(self, report: dict[str, Any], stream: TextIO) -> None:
        """Write ``report`` as rich tables (colour only when ``stream`` is a terminal)."""
        from rich.console import Console
        from rich.rule import Rule
        from rich.table import Table
        from rich.text import Text

        console = Console(file=stream, highlight=False, soft_wrap=False)
        console.print(Text(report["title"], style="bold"))
        console.print(Text(report["scope"]["label"], style="dim"))
        for problem in report.get("problems", []):
            console.print(Text(f"Problem: {problem}", style="red"))
        for section in report["sections"]:
            console.print(Rule(Text(section["title"], style="bold"), align="left"))
            if section["intro"]:
                console.print(Text(section["intro"]))
            if section["metrics"]:
                figures = Table(show_header=False, box=None, pad_edge=False)
                figures.add_column("figure", style="dim")
                figures.add_column("value", justify="right", style="bold")
                figures.add_column("note", style="dim")
                for item in section["metrics"]:
                    figures.add_row(Text(item["label"]), Text(item["value"]), Text(item["note"]))
                console.print(figures)
            for chart in section["charts"]:
                console.print(Text(chart["title"], style="bold"))
                for item in chart["series"]:
                    values = item["values"]
                    peak = max((value for value in values if value is not None), default=None)
                    line = Text(f"  {item['name']:>12} ")
                    line.append(sparkline(values), style="cyan")
                    line.append(f"  max {format_value(peak, chart['percent'])}")
                    console.print(line)
                if chart["marks"]:
                    console.print(Text(f"  marked: {', '.join(chart['marks'])}", style="yellow"))
            for data in section["tables"]:
                table = Table(title=Text(data["title"]), title_justify="left")
                for column in data["columns"]:
                    table.add_column(Text(column.replace("_", " ")), overflow="fold")
                rows = data["rows"][: self.max_rows]
                for row in rows:
                    table.add_row(*(Text(format_value(row.get(c))) for c in data["columns"]))
                console.print(table)
                total = data.get("total_rows") or len(data["rows"])
                if total > len(rows):
                    console.print(Text(f"{len(rows):,} of {total:,} shown", style="dim"))
            for note in section["notes"]:
                console.print(Text(f"• {note}", style="italic"))


# ---------------------------------------------------------------- HTML


class HtmlReporter(Reporter):
    """One self-contained HTML file: inline CSS and SVG charts, no script, no external file."""

    name = "html"
    description = "one self-contained HTML page (inline SVG charts, printable, phone-friendly)"
    suffix: ClassVar[str] = ".html"

    def render(self, report: dict[str, Any], stream: TextIO) -> None:
        """Write ``report`` as an HTML document."""
        from hubbub.charts import chart_svg
        from markupsafe import Markup

        environment = _environment()
        charts = {
            (index, number): Markup(chart_svg(chart))  # matplotlib escapes text in its SVG
            for index, section in enumerate(report["sections"])
            for number, chart in enumerate(section["charts"])
        }
        stream.write(
            environment.from_string(HTML_TEMPLATE).render(
                report=report, charts=charts, fmt=format_value
            )
        )


def _environment() -> Any:
    from jinja2 import Environment, StrictUndefined

    return Environment(
        autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )


HTML_TEMPLATE = """{% macro data_table(table, percent) %}
<div class="scroll"><table>
<thead><tr>{% for column in table.columns %}<th scope="col">{{ column|replace("_", " ") }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in table.rows %}
<tr>{% for column in table.columns %}{% set value = row.get(column) %}{% if column in table.text_columns %}<td class="text" dir="auto">{{ fmt(value) }}</td>{% elif value is number and value is not boolean %}<td class="num">{{ fmt(value, percent and not loop.first) }}</td>{% else %}<td>{{ fmt(value) }}</td>{% endif %}{% endfor %}</tr>
{% endfor %}
</tbody>
</table></div>
{% endmacro %}
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="hubbub">
<title>{{ report.title }} — hubbub report</title>
<style>
:root { --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --soft: #f6f8fa; --accent: #0072B2; --mark: #D55E00; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans Arabic", "Noto Color Emoji", "Apple Color Emoji", "Segoe UI Emoji", sans-serif; color: var(--ink); background: #fff; }
header, main, footer { max-width: 72rem; margin: 0 auto; padding: 0 1.25rem; }
header { padding-top: 1.5rem; border-bottom: 1px solid var(--line); }
header h1 { margin: 0 0 .25rem; font-size: 1.8rem; }
.scope { color: var(--muted); margin: 0 0 1rem; }
nav ol { display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; list-style: none; padding: 0; margin: 0 0 1rem; }
nav a { color: var(--accent); text-decoration: none; }
section { padding: 1.25rem 0; border-bottom: 1px solid var(--line); }
h2 { font-size: 1.4rem; margin: 0 0 .5rem; }
h3 { font-size: 1.05rem; margin: 1.25rem 0 .5rem; }
.intro { margin: 0 0 1rem; max-width: 60rem; }
.metrics { display: grid; grid-template-columns: repeat(auto-fill, minmax(9.5rem, 1fr)); gap: .75rem; margin: 0 0 1rem; padding: 0; }
.metrics div { background: var(--soft); border: 1px solid var(--line); border-radius: .4rem; padding: .6rem .75rem; }
.metrics dt { color: var(--muted); font-size: .85rem; }
.metrics dd { margin: 0; font-size: 1.35rem; font-weight: 600; }
.metrics dd small { display: block; font-size: .75rem; font-weight: 400; color: var(--muted); }
figure { margin: 1rem 0; }
figure svg.chart { width: 100%; height: auto; max-height: 24rem; }
figcaption { font-weight: 600; }
.alt { color: var(--muted); font-size: .85rem; margin: .25rem 0; }
details summary { cursor: pointer; color: var(--accent); font-size: .9rem; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; font-size: .875rem; margin: .25rem 0 .75rem; min-width: 50%; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .6rem; text-align: left; vertical-align: top; }
th { background: var(--soft); white-space: nowrap; }
td { white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.text { white-space: normal; min-width: 14rem; max-width: 36rem; overflow-wrap: anywhere; unicode-bidi: plaintext; }
.shown { color: var(--muted); font-size: .85rem; }
.notes { padding-left: 1.25rem; }
.problem { background: #fff1e5; border-left: 4px solid var(--mark); padding: .5rem .75rem; }
.source { color: var(--muted); font-size: .75rem; }
footer { color: var(--muted); font-size: .8rem; padding-top: 1rem; padding-bottom: 2rem; }
@media (max-width: 40rem) {
  body { font-size: 15px; }
  header, main, footer { padding: 0 .75rem; }
  header h1 { font-size: 1.4rem; }
  .metrics { grid-template-columns: repeat(2, 1fr); }
  td.text { min-width: 10rem; }
}
@media print {
  body { font-size: 10.5pt; }
  nav, details summary { display: none; }
  details > *:not(summary) { display: block; }
  section { break-inside: auto; border: 0; }
  figure, table, .metrics { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  .scroll { overflow: visible; }
  header, main, footer { max-width: none; }
}
</style>
</head>
<body>
<header>
<h1>{{ report.title }}</h1>
<p class="scope">{{ report.scope.label }} · generated {{ report.generated_at }}</p>
<nav aria-label="Sections"><ol>
{% for section in report.sections %}
<li><a href="#{{ section.id }}">{{ section.title }}</a></li>
{% endfor %}
</ol></nav>
</header>
<main>
{% for problem in report.problems %}
<p class="problem" role="alert">{{ problem }}</p>
{% endfor %}
{% for section in report.sections %}
{% set section_index = loop.index0 %}
<section id="{{ section.id }}" aria-labelledby="{{ section.id }}-title">
<h2 id="{{ section.id }}-title">{{ section.title }}</h2>
{% if section.intro %}<p class="intro" dir="auto">{{ section.intro }}</p>{% endif %}
{% if section.metrics %}
<dl class="metrics">
{% for item in section.metrics %}
<div><dt dir="auto">{{ item.label }}</dt><dd>{{ item.value }}{% if item.note %}<small>{{ item.note }}</small>{% endif %}</dd></div>
{% endfor %}
</dl>
{% endif %}
{% for chart in section.charts %}
<figure>
<figcaption>{{ chart.title }}</figcaption>
{{ charts[(section_index, loop.index0)] }}
<p class="alt">{{ chart.alt }}</p>
<details><summary>Data behind this chart</summary>
{{ data_table(chart.table, chart.percent) }}
</details>
</figure>
{% endfor %}
{% for table in section.tables %}
<h3>{{ table.title }}</h3>
{% if table.rows %}
{{ data_table(table, false) }}
{% if table.total_rows and table.total_rows > table.rows|length %}<p class="shown">{{ fmt(table.rows|length) }} of {{ fmt(table.total_rows) }} shown.</p>{% endif %}
{% else %}
<p class="shown">None.</p>
{% endif %}
{% endfor %}
{% if section.notes %}
<ul class="notes">
{% for note in section.notes %}<li dir="auto">{{ note }}</li>{% endfor %}
</ul>
{% endif %}
<p class="source">From plugin {{ section.source }}</p>
</section>
{% endfor %}
</main>
<footer>Made with hubbub. Everything on this page is in this one file: it works offline and prints.</footer>
</body>
</html>
"""


@hookimpl
def register_reporters(register: Any) -> None:
    """Register the bundled output formats."""
    for reporter in (TableReporter, JsonReporter, MarkdownReporter, CsvReporter, HtmlReporter):
        register(reporter)
