"""Responsiveness: the brands' leaderboard, the response-time distribution, customers still waiting."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hubbub.tui.screens.base import DataScreen, cell, one_line, percent
from hubbub.tui.timeframe import TimeFrame
from hubbub.tui.widgets import bar
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

BUCKET_LABELS = {
    "under_5m": "< 5m",
    "5m_to_15m": "5–15m",
    "15m_to_1h": "15m–1h",
    "1h_to_4h": "1–4h",
    "4h_to_1d": "4h–1d",
    "1d_to_3d": "1–3d",
    "over_3d": "> 3d",
    "unanswered": "no reply",
}


@dataclass
class ResponsivenessData:
    """The leaderboard, each brand's distribution and the waiting customers."""

    rows: list[dict[str, Any]]
    distributions: dict[str, dict[str, int]]
    waiting: list[dict[str, Any]]


class ResponsivenessScreen(DataScreen):
    """How fast and how often each brand answers, from public posts alone."""

    NAME = "responsiveness"

    def compose(self) -> ComposeResult:
        """Leaderboard, distribution, waiting customers."""
        yield self.compose_header()
        with VerticalScroll(id="responsiveness-body"):
            yield DataTable(id="leaderboard", cursor_type="row")
            yield Static(id="distribution", classes="panel")
            yield DataTable(id="waiting", cursor_type="row", zebra_stripes=True)
        yield self.compose_footer()

    def on_mount(self) -> None:
        """Columns and titles, then load."""
        board = self.query_one("#leaderboard", DataTable)
        board.add_columns("#", "Brand", "Score", "Rate", "Median", "p90", "In target", "Inbound")
        board.border_title = "Leaderboard (score 0–100)"
        waiting = self.query_one("#waiting", DataTable)
        waiting.add_columns("Brand", "Customer", "Waiting", "Post")
        waiting.border_title = "Customers still waiting (oldest first)"
        self.query_one("#distribution").border_title = "First-response time distribution"
        super().on_mount()

    def fetch(self, frame: TimeFrame) -> ResponsivenessData | None:
        """:func:`hubbub.responsiveness.analyze_responsiveness` over the frame."""
        from hubbub.responsiveness import analyze_responsiveness, waiting_rows

        if not self.project.config.brands:
            return None
        report = analyze_responsiveness(self.project, since=frame.since, until=frame.until)
        return ResponsivenessData(
            report.rows(),
            {item.brand: dict(item.distribution) for item in report.figures},
            waiting_rows(self.project, report, limit=200),
        )

    def show(self, data: ResponsivenessData | None) -> None:
        """Fill the leaderboard, the distribution bars and the waiting list."""
        board = self.query_one("#leaderboard", DataTable)
        waiting = self.query_one("#waiting", DataTable)
        board.clear()
        waiting.clear()
        distribution = self.query_one("#distribution", Static)
        if data is None:
            distribution.update(
                Text("No brands in hubbub.toml: add [brands.NAME] to compare them.")
            )
            return
        for row in data.rows:
            score = row["score"]
            score_cell = bar(None if score is None else score / 100, 12, "green")
            score_cell.append(f" {'' if score is None else f'{score:.1f}'}")
            board.add_row(
                cell(row["rank"]),
                cell(row["brand"]),
                score_cell,
                percent(row["response_rate"]),
                cell(row["median"]),
                cell(row["p90"]),
                percent(row["within_target_share"]),
                cell(row["inbound"]),
            )
        table = Table(box=None, expand=False, padding=(0, 1))
        table.add_column("First reply", justify="right")
        for brand in data.distributions:
            table.add_column(Text(brand), no_wrap=True)
        width = max(
            4,
            min(16, (distribution.content_size.width - 12) // max(1, len(data.distributions)) - 6),
        )
        for key, label in BUCKET_LABELS.items():
            cells: list[Text] = []
            for buckets in data.distributions.values():
                count = buckets.get(key, 0)
                line = bar(count / (sum(buckets.values()) or 1), width, "cyan")
                line.append(f" {count}")
                cells.append(line)
            table.add_row(Text(label), *cells)
        distribution.update(table if data.distributions else Text("No inbound posts."))
        for row in data.waiting:
            waiting.add_row(
                cell(row["brand"]),
                cell(row["author"]),
                cell(row["waiting"]),
                cell(one_line(row["text"], 200)),
            )
