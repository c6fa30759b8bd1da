"""The report: a list of sections built by plugins, rendered by reporters.

A report is plain data. Each :class:`Section` has a title, intro text, key figures,
tables (rows and columns), charts (data series, not pictures) and notes. Sections come
from the ``report_sections`` hook, so a third-party corpus analyzer's findings appear in
every format without any reporter knowing that plugin; the bundled analyses contribute
theirs through the bundled plugin ``hubbub.plugins.report_sections``.

Reporters receive :meth:`Report.to_dict` — JSON-ready dicts and lists — and write it to a
stream in their format. Everything in a report that came from a post (text, names,
URLs) is untrusted: each reporter escapes it for its format.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from hubbub.errors import HubbubError

if TYPE_CHECKING:
    from hubbub.plugin_host import PluginHost
    from hubbub.project import Project

WINDOWS = ("day", "week")
#: the file name ``hubbub demo`` and ``hubbub report --format html`` write in a project folder
REPORT_FILE = "report.html"
ChartKind = Literal["line", "bar"]


@dataclass
class ReportScope:
    """The time frame of a report: what every section covers.

    :ivar since: the first instant (naive UTC), or ``None`` for the oldest post.
    :ivar until: the end, exclusive (naive UTC), or ``None`` for after the newest post.
    :ivar window: ``day`` or ``week``: the step of every chart over time.
    :ivar timezone: the project's IANA time zone, in which days and weeks are counted.
    """

    since: datetime | None = None
    until: datetime | None = None
    window: str = "day"
    timezone: str = "UTC"

    def __post_init__(self) -> None:
        if self.window not in WINDOWS:
            raise HubbubError(f"unknown window {self.window!r} (choose day or week)")

    def label(self) -> str:
        """A readable description, e.g. ``2026-03-02T00:00:00Z – the last post (UTC), by day``."""
        if self.since is None and self.until is None:
            return f"all posts ({self.timezone}), by {self.window}"
        start = _iso(self.since) or "the first post"
        end = _iso(self.until) or "the last post"
        return f"{start} – {end} ({self.timezone}), by {self.window}"


@dataclass
class Table:
    """Rows of a table; ``columns`` fixes their order (a row may lack a column: empty).

    :ivar text_columns: columns holding post text or other free text from posts; HTML
        marks them ``dir="auto"`` so right-to-left text reads correctly.
    """

    title: str
    columns: list[str]
    rows: list[dict[str, Any]]
    text_columns: list[str] = field(default_factory=list)
    #: how many rows the full result had, when ``rows`` is a shortened list
    total_rows: int | None = None


@dataclass
class Series:
    """One line (or one set of bars) of a chart: a value per x label (``None``: no value)."""

    name: str
    values: list[float | None]


@dataclass
class Chart:
    """A chart as data: reporters draw it (HTML as inline SVG) and show its data table.

    :ivar x: the labels along the x axis (window starts, or categories for bars).
    :ivar marks: x labels to highlight, e.g. spike days on a volume chart.
    :ivar percent: the values are shares in [0, 1], shown as percentages.
    :ivar alt: a sentence describing what the chart shows, for screen readers.
    """

    title: str
    x: list[str]
    series: list[Series]
    kind: ChartKind = "line"
    x_label: str = ""
    y_label: str = ""
    marks: list[str] = field(default_factory=list)
    percent: bool = False
    alt: str = ""

    def __post_init__(self) -> None:
        for item in self.series:
            if len(item.values) != len(self.x):
                raise ValueError(
                    f"chart {self.title!r}: series {item.name!r} has {len(item.values)} values "
                    f"for {len(self.x)} x labels"
                )
        if not self.alt:
            self.alt = describe_chart(self)

    def table(self) -> Table:
        """The chart's data as a table: one row per x label, one column per series."""
        x_name = self.x_label or "x"
        columns = [x_name, *(item.name for item in self.series)]
        if self.marks:
            columns.append("marked")
        marked = set(self.marks)
        rows = []
        for position, label in enumerate(self.x):
            row: dict[str, Any] = {x_name: label}
            for item in self.series:
                row[item.name] = item.values[position]
            if self.marks:
                row["marked"] = label in marked
            rows.append(row)
        return Table(self.title, columns, rows)


@dataclass
class Metric:
    """A key figure shown large: ``label`` and a preformatted ``value``."""

    label: str
    value: str
    note: str = ""


@dataclass
class Section:
    """One part of a report.

    :ivar id: a short identifier, unique in the report (an HTML anchor, a CSV key).
    :ivar order: where the section goes; bundled ones use 0 (overview), 100+ (topics),
        200 (share of voice), 300 (influencers), 400 (responsiveness). Ties keep the
        order plugins returned them in.
    :ivar source: the plugin that contributed it (filled in by :func:`build_report`).
    """

    id: str
    title: str
    intro: str = ""
    metrics: list[Metric] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    order: int = 500
    source: str = ""


@dataclass
class Report:
    """A whole report: title, scope, sections in order, and problems met building it."""

    title: str
    scope: ReportScope
    sections: list[Section]
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC).replace(tzinfo=None))
    #: one line per plugin failure (the report goes on without that plugin's sections)
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data: what reporters render and ``--format json`` prints."""
        sections = []
        for section in self.sections:
            data = asdict(section)
            for chart, chart_data in zip(section.charts, data["charts"], strict=True):
                chart_data["table"] = asdict(chart.table())
            sections.append(data)
        return {
            "title": self.title,
            "generated_at": _iso(self.generated_at),
            "scope": {
                "since": _iso(self.scope.since),
                "until": _iso(self.scope.until),
                "window": self.scope.window,
                "timezone": self.scope.timezone,
                "label": self.scope.label(),
            },
            "sections": sections,
            "problems": list(self.problems),
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") + "Z" if moment is not None else None


def describe_chart(chart: Chart) -> str:
    """A plain sentence for a chart's alt text: what it plots, its range, peaks and marks."""
    if not chart.x or not chart.series:
        return f"{chart.title}: no data."
    kind = "Bar chart" if chart.kind == "bar" else "Line chart"
    parts = [f"{kind}: {chart.title}, {len(chart.x)} points from {chart.x[0]} to {chart.x[-1]}."]
    for item in chart.series[:6]:
        values = [
            (value, label)
            for value, label in zip(item.values, chart.x, strict=True)
            if value is not None
        ]
        if not values:
            continue
        peak, peak_at = max(values, key=lambda pair: pair[0])
        parts.append(f"{item.name}: highest {format_value(peak, chart.percent)} at {peak_at}.")
    if chart.marks:
        parts.append(f"Marked: {', '.join(chart.marks)}.")
    return " ".join(parts)


def format_value(value: Any, percent: bool = False) -> str:
    """A number as reports print it (``12,345``, ``0.42``, ``42.0%``); other values as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if percent:
            return f"{value:.1%}"
        if value.is_integer() and abs(value) < 1e15:
            return f"{int(value):,}"
        return f"{value:,.3g}" if abs(value) < 1 else f"{value:,.2f}"
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}={item}" for key, item in value.items())
    return str(value)


def build_report(
    project: Project,
    scope: ReportScope | None = None,
    *,
    host: PluginHost | None = None,
    title: str | None = None,
) -> Report:
    """Ask every plugin for its sections over ``scope`` and put them in order.

    Each plugin's ``report_sections`` is called separately: one that raises or returns
    something other than a list of :class:`Section` is named in :attr:`Report.problems`
    and left out; the rest of the report is built.
    """
    from hubbub.plugin_host import get_host

    host = host or get_host()
    scope = scope or ReportScope(timezone=project.config.project.timezone)
    problems: list[str] = []
    before = {name: len(info.errors) for name, info in host.info.items()}
    sections: list[Section] = []
    seen: set[str] = set()
    for plugin_name, result in host.collect("report_sections", project=project, scope=scope):
        if not isinstance(result, list | tuple) or not all(
            isinstance(item, Section) for item in result
        ):
            problems.append(
                f"plugin {plugin_name!r}: report_sections must return a list of "
                f"hubbub.report.Section, got {type(result).__name__}"
            )
            continue
        for section in result:
            section.source = section.source or plugin_name
            base, number = section.id, 2
            while section.id in seen:
                section.id, number = f"{base}-{number}", number + 1
            seen.add(section.id)
            sections.append(section)
    for name, info in host.info.items():
        for error in info.errors[before.get(name, 0) :]:
            problems.append(f"plugin {name!r}: {error}")
    sections.sort(key=lambda section: section.order)
    return Report(title or project.config.project.name, scope, sections, problems=problems)


def render_report(
    report: Report | dict[str, Any], fmt: str, stream: Any, *, host: PluginHost | None = None
) -> None:
    """Write ``report`` to ``stream`` with the reporter registered as ``fmt``."""
    from hubbub.plugin_host import get_host

    host = host or get_host()
    reporter_cls = host.get("reporter", fmt)
    data = report.to_dict() if isinstance(report, Report) else report
    reporter_cls().render(data, stream)  # type: ignore[attr-defined]


def write_html_report(project: Project, path: Any, scope: ReportScope | None = None) -> Any:
    """Build the whole report and write it as one self-contained HTML file; returns the path."""
    from pathlib import Path

    target = Path(path)
    report = build_report(project, scope)
    with target.open("w", encoding="utf-8", newline="\n") as stream:
        render_report(report, "html", stream)
    return target
