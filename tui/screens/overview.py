"""Overview: volume over time per topic and brand, sentiment, share of voice, spikes and alerts."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from typing import Any

from hubbub.tui.screens.base import DataScreen
from hubbub.tui.timeframe import TimeFrame
from hubbub.tui.widgets import VolumeChart, labelled_bar, stacked_bar
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static
from textual.worker import get_current_worker

#: what a panel says while its figures are computed
LOADING = "Loading…"
SENTIMENT_STYLES = (("positive", "green"), ("neutral", "grey50"), ("negative", "red"))


@dataclass
class OverviewData:
    """What the overview shows for one time frame."""

    frame: TimeFrame
    overall: dict[str, Any] | None
    brands: list[dict[str, Any]] = field(default_factory=list)
    shares: dict[str, float] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)
    series: dict[str, list[int]] = field(default_factory=dict)
    spike_marks: dict[str, list[int]] = field(default_factory=dict)
    spikes: list[dict[str, Any]] = field(default_factory=list)
    waiting: dict[str, int] = field(default_factory=dict)
    #: a preview: the panels not filled yet are still being computed
    loading: bool = False


class OverviewScreen(DataScreen):
    """The first screen: how much is said, how it feels, who is talked about, what spiked."""

    NAME = "overview"

    def compose(self) -> ComposeResult:
        """Summary, chart, share of voice and sentiment side by side, spikes and alerts."""
        yield self.compose_header()
        with VerticalScroll(id="overview"):
            yield Static(id="ov-summary")
            yield VolumeChart(id="ov-volume")
            with Horizontal(id="ov-panels"):
                yield Static(id="ov-sov", classes="panel")
                yield Static(id="ov-sentiment", classes="panel")
            yield Static(id="ov-alerts", classes="panel")
        yield self.compose_footer()

    def on_mount(self) -> None:
        """Title the panels, then load."""
        self.query_one("#ov-sov").border_title = "Share of voice"
        self.query_one("#ov-sentiment").border_title = "Sentiment by brand"
        self.query_one("#ov-alerts").border_title = "Latest spikes and alerts"
        super().on_mount()

    def on_resize(self) -> None:
        """Give the chart the height the panels below leave free (at least 10 lines)."""
        super().on_resize()
        self.query_one(VolumeChart).styles.height = max(10, self.size.height - 16)

    def fetch(self, frame: TimeFrame) -> OverviewData:
        """Sentiment, trends, share of voice and waiting customers from the core API."""
        from hubbub.responsiveness import analyze_responsiveness
        from hubbub.sentiment_summary import project_summary
        from hubbub.share_of_voice import compute_share_of_voice
        from hubbub.trends import compute_trends, load_options

        project = self.project
        config, store = project.config, project.store
        window = {"since": frame.since, "until": frame.until}
        overall = project_summary(config, store, by="overall", **window)
        data = OverviewData(frame, overall[0] if overall else None)
        more = bool(config.brands or config.topics)
        if more:  # on a big corpus the rest takes seconds: show what is known meanwhile
            self._preview(data)
        if config.brands:
            data.brands = project_summary(config, store, by="brand", **window)
            data.shares = compute_share_of_voice(project, **window).totals()
            self._preview(data)
            report = analyze_responsiveness(project, **window)
            data.waiting = {item.brand: item.inbound - item.answered for item in report.figures}
        if config.topics or config.brands:
            options = load_options(project, window=frame.trend_window())
            trends = compute_trends(project, options=options, explain=False, **window)
            for scope, volumes in trends.volumes.items():
                if not data.labels:
                    data.labels = [_tick(item.start, options.window) for item in volumes]
                data.series[scope] = [item.volume for item in volumes]
                data.spike_marks[scope] = [i for i, item in enumerate(volumes) if item.spike]
            data.spikes = sorted(trends.spike_rows(), key=lambda row: row["window"], reverse=True)
        return data

    def _preview(self, data: OverviewData) -> None:
        """Show ``data`` so far, from the loading thread (a copy: the thread goes on filling it)."""
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show, replace(copy.deepcopy(data), loading=True))

    def show(self, data: OverviewData) -> None:
        """Fill the panels."""
        self.query_one("#ov-summary", Static).update(_summary(data))
        self.query_one(VolumeChart).show(
            data.labels,
            data.series,
            data.spike_marks,
            title=f"Posts per {'hour' if data.frame.trend_window() == 'hour' else 'day'}",
        )
        sov_panel = self.query_one("#ov-sov", Static)
        width = max(6, sov_panel.content_size.width - 19)
        sov = Text()
        for brand, share in sorted(data.shares.items(), key=lambda item: -item[1]):
            sov.append_text(labelled_bar(brand, share, width=width, style="cyan"))
            sov.append("\n")
        sov_panel.update(sov or Text(LOADING if data.loading else "No brands in hubbub.toml"))
        sentiment_panel = self.query_one("#ov-sentiment", Static)
        width = max(6, sentiment_panel.content_size.width - 18)
        sentiment = Text()
        for row in data.brands:
            sentiment.append(f"{row['brand'][:10]:<10} ")
            sentiment.append_text(
                stacked_bar(
                    [(row[f"{name}_share"] or 0.0, style) for name, style in SENTIMENT_STYLES],
                    width,
                )
            )
            sentiment.append(f" {row['net_sentiment'] or 0.0:+.2f}\n")
        if data.brands:
            sentiment.append("█ positive", style="green")
            sentiment.append("  █ neutral", style="grey50")
            sentiment.append("  █ negative", style="red")
        sentiment_panel.update(sentiment or Text(LOADING if data.loading else "No brands"))
        self.query_one("#ov-alerts", Static).update(
            Text(LOADING) if data.loading else _alerts(data)
        )


def _tick(start: Any, window: str) -> str:
    return start.strftime("%d %H:00" if window == "hour" else "%m-%d")


def _summary(data: OverviewData) -> Text:
    row = data.overall
    if not row:
        return Text(f"No posts in {data.frame.label}.")
    text = Text()
    text.append(f"{row['posts']:,}", style="bold")
    text.append(f" posts in {data.frame.label}   sentiment ")
    for name, style in SENTIMENT_STYLES:
        share = row.get(f"{name}_share")
        text.append(f"{name} {0 if share is None else share * 100:.0f}%  ", style=style)
    unsupported = row.get("unsupported") or 0
    if unsupported:
        text.append(f"({unsupported:,} not English)", style="dim")
    return text


def _alerts(data: OverviewData) -> Text:
    text = Text()
    for row in data.spikes[:4]:
        text.append("▲ spike ", style="bold red")
        text.append(f"{row['window']} {row['scope']}: {row['volume']} posts ")
        text.append(f"(×{row['burst'] or 0:.1f}, z {row['z'] or 0:.1f})", style="dim")
        if row["terms"]:
            text.append(f"  {', '.join(row['terms'][:3])}", style="italic")
        text.append("\n")
    for brand, count in sorted(data.waiting.items(), key=lambda item: -item[1]):
        if count:
            text.append("● ", style="yellow")
            text.append(f"{brand}: {count:,} customers still waiting for an answer\n")
    return text or Text("No spikes and no waiting customers in this time frame.")
