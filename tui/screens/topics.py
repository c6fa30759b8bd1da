"""Topics and trends: each topic's volume with spikes, a spike's drivers and example posts, emerging terms."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hubbub.tui.screens.base import DataScreen, cell, one_line
from hubbub.tui.timeframe import TimeFrame
from hubbub.tui.widgets import VolumeChart
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Container, VerticalScroll
from textual.widgets import DataTable, Static

if TYPE_CHECKING:
    from hubbub.trends import Spike, Trends


class TopicsScreen(DataScreen):
    """Volume per topic, its spikes (select one for its drivers) and emerging terms."""

    NAME = "topics"

    def __init__(self) -> None:
        super().__init__()
        self.trends: Trends | None = None

    def compose(self) -> ComposeResult:
        """Chart, spikes table with the drivers pane, emerging terms."""
        yield self.compose_header()
        with VerticalScroll(id="topics-body"):
            yield Static(id="topics-summary")
            yield VolumeChart(id="topic-volume")
            with Container(id="topic-panes"):
                yield DataTable(id="spikes", cursor_type="row")
                with VerticalScroll(id="spike-pane", classes="panel"):
                    yield Static(Text("Select a spike to see what drove it."), id="spike-detail")
            yield DataTable(id="emerging", cursor_type="row")
        yield self.compose_footer()

    def on_mount(self) -> None:
        """Columns, then load."""
        spikes = self.query_one("#spikes", DataTable)
        spikes.add_columns("Window", "Topic", "Posts", "Baseline", "Burst", "z")
        emerging = self.query_one("#emerging", DataTable)
        emerging.add_columns("Topic", "Emerging term", "Posts", "Baseline", "z")
        self.query_one("#spike-pane").border_title = "Spike drivers"
        spikes.border_title = "Spikes"
        emerging.border_title = "Emerging terms (latest window)"
        super().on_mount()

    def fetch(self, frame: TimeFrame) -> Trends | None:
        """:func:`hubbub.trends.compute_trends` for every topic over the frame."""
        from hubbub.trends import compute_trends, load_options, project_scopes

        project = self.project
        if not project.config.topics:
            return None
        scopes = project_scopes(project, topics=list(project.config.topics))
        options = load_options(project, window=frame.trend_window())
        return compute_trends(
            project,
            scopes,
            options=options,
            since=frame.since,
            until=frame.until,
            explain=True,
            emerging=True,
        )

    def show(self, data: Trends | None) -> None:
        """Chart the volumes and list spikes and emerging terms."""
        self.trends = data
        summary = self.query_one("#topics-summary", Static)
        spikes = self.query_one("#spikes", DataTable)
        emerging = self.query_one("#emerging", DataTable)
        spikes.clear()
        emerging.clear()
        chart = self.query_one(VolumeChart)
        if data is None:
            summary.update(Text("No topics yet: search, then press s to save a query as a topic."))
            chart.show([], {})
            return
        labels: list[str] = []
        series: dict[str, list[int]] = {}
        marks: dict[str, list[int]] = {}
        for scope, volumes in data.volumes.items():
            name = scope.removeprefix("topic:")
            fmt = "%d %H:00" if data.window == "hour" else "%m-%d"
            labels = labels or [item.start.strftime(fmt) for item in volumes]
            series[name] = [item.volume for item in volumes]
            marks[name] = [i for i, item in enumerate(volumes) if item.spike]
        chart.show(labels, series, marks, title=f"Posts per {data.window} and topic")
        totals = Text()
        for name, values in series.items():
            totals.append(f"{name}: ", style="bold")
            totals.append(f"{sum(values):,} posts, {len(marks[name])} spikes   ")
        summary.update(totals)
        for index, spike in enumerate(data.spikes):
            item = spike.volume
            spikes.add_row(
                cell(_window(item.start, data.window)),
                cell(spike.scope.removeprefix("topic:")),
                cell(item.volume),
                cell(item.baseline),
                cell(item.burst),
                cell(item.z),
                key=str(index),
            )
        for term in data.emerging:
            emerging.add_row(
                cell(term.scope.removeprefix("topic:")),
                cell(term.term),
                cell(term.count),
                cell(term.baseline),
                cell(term.z),
            )
        if data.spikes:
            self.query_one("#spike-detail", Static).update(spike_text(data.spikes[0], data.window))

    @on(DataTable.RowHighlighted, "#spikes")
    def _spike_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.trends is not None and event.row_key.value is not None:
            spike = self.trends.spikes[int(event.row_key.value)]
            self.query_one("#spike-detail", Static).update(spike_text(spike, self.trends.window))


def _window(start: Any, window: str) -> str:
    return start.strftime("%Y-%m-%d %H:00" if window == "hour" else "%Y-%m-%d")


def spike_text(spike: Spike, window: str) -> Text:
    """A spike's drivers (authors, hashtags, terms with their z) and example posts."""
    item = spike.volume
    text = Text()
    text.append(
        f"{spike.scope.removeprefix('topic:')} on {_window(item.start, window)}", style="bold"
    )
    text.append(f": {item.volume} posts against a baseline of {item.baseline or 0:.1f}\n")
    for kind, title in (("author", "Authors"), ("hashtag", "Hashtags"), ("term", "Terms")):
        drivers = spike.drivers.get(kind, [])
        if not drivers:
            continue
        text.append(f"{title}: ", style="bold")
        text.append(", ".join(f"{d.value} ({d.count}, z {d.z:.1f})" for d in drivers))
        text.append("\n")
    if spike.examples:
        text.append("Examples\n", style="bold")
        for example in spike.examples:
            text.append(f"@{example.get('author', '?')}", style="bold")
            text.append(f": {one_line(example.get('text'), 160)}\n")
    return text
