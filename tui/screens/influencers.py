"""Influencers: per topic, the ranked authors, why each ranks, and who follower counts would miss."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from hubbub.tui.screens.base import DataScreen, cell, one_line
from hubbub.tui.timeframe import TimeFrame
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, VerticalScroll
from textual.widgets import DataTable, Static

if TYPE_CHECKING:
    from hubbub.influence import Influencer, InfluenceResult

MISSED = "★"


class InfluencersScreen(DataScreen):
    """The topic-influence ranking of one topic at a time (``[`` and ``]`` change topic)."""

    NAME = "influencers"
    BINDINGS: ClassVar = [
        *DataScreen.BINDINGS,
        Binding("right_square_bracket", "topic(1)", "Next topic", tooltip="Rank the next topic"),
        Binding(
            "left_square_bracket", "topic(-1)", "Prev topic", tooltip="Rank the previous topic"
        ),
        Binding("g", "export_gexf", "Export GEXF", tooltip="Write the topic graph as GEXF (Gephi)"),
    ]
    """Influencer keys: ``[``/``]`` previous/next topic, ``g`` exports the graph to GEXF."""

    def __init__(self) -> None:
        super().__init__()
        self.topic_index = 0
        self.result: InfluenceResult | None = None

    @property
    def topic(self) -> str | None:
        """The topic shown (``None`` without topics)."""
        topics = list(self.project.config.topics)
        return topics[self.topic_index % len(topics)] if topics else None

    def compose(self) -> ComposeResult:
        """Summary, the ranking and the explanation pane."""
        yield self.compose_header()
        with Container(id="influence-body"):
            yield Static(id="influence-summary")
            with Container(id="influence-panes"):
                yield DataTable(id="influencers", cursor_type="row", zebra_stripes=True)
                with VerticalScroll(id="explain-pane", classes="panel"):
                    yield Static(id="explain")
        yield self.compose_footer()

    def on_mount(self) -> None:
        """Columns, then load."""
        table = self.query_one("#influencers", DataTable)
        table.add_columns("#", "Author", "Score", "Followers", "By followers", MISSED)
        self.query_one("#explain-pane").border_title = "Why this rank"
        super().on_mount()

    def fetch(self, frame: TimeFrame) -> InfluenceResult | None:
        """:func:`hubbub.influence.topic_influence` for the current topic over the frame."""
        from hubbub.influence import topic_influence

        topic = self.topic
        if topic is None:
            return None
        return topic_influence(self.project, topic=topic, since=frame.since, until=frame.until)

    def show(self, data: InfluenceResult | None) -> None:
        """The ranking; the first author explained."""
        self.result = data
        table = self.query_one("#influencers", DataTable)
        table.clear()
        summary = self.query_one("#influence-summary", Static)
        if data is None:
            summary.update(
                Text("No topics yet: add [topics] to hubbub.toml or save one from Search.")
            )
            self.query_one("#explain", Static).update(Text(""))
            return
        info = data.summary()
        topics = list(self.project.config.topics)
        text = Text()
        text.append(f"{self.topic}", style="bold")
        text.append(f" ({self.topic_index % len(topics) + 1}/{len(topics)}) · ")
        text.append(f"{info['authors']:,} authors · {info['interactions']:,} interactions · ")
        text.append(f"top {info['reported']} · {MISSED} = missed by follower count", style="")
        summary.update(text)
        for number, item in enumerate(data.influencers):
            table.add_row(
                cell(item.rank),
                cell(item.handle),
                Text(f"{item.score:.4f}", justify="right"),
                cell(item.followers),
                cell(item.follower_rank),
                Text(MISSED if item.missed_by_followers else "", style="bold yellow"),
                key=str(number),
            )
        if data.influencers:
            self.query_one("#explain", Static).update(explanation(data.influencers[0], data.count))
        else:
            self.query_one("#explain", Static).update(Text("No interactions in this time frame."))

    @on(DataTable.RowHighlighted, "#influencers")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.result is not None and event.row_key.value is not None:
            item = self.result.influencers[int(event.row_key.value)]
            self.query_one("#explain", Static).update(explanation(item, self.result.count))

    def action_topic(self, step: int) -> None:
        """Rank the next (``1``) or previous (``-1``) topic."""
        if self.project.config.topics:
            self.topic_index = (self.topic_index + step) % len(self.project.config.topics)
            self.action_reload()

    def action_export_gexf(self) -> None:
        """Write the current topic's graph to ``<project folder>/<topic>-influence.gexf``."""
        if self.result is None or self.topic is None:
            self.notify("Nothing to export yet.", severity="warning")
            return
        self._export(self.result, self.hubbub.export_dir / f"{self.topic}-influence.gexf")

    @work(thread=True, group="export")
    def _export(self, result: InfluenceResult, path: Path) -> None:
        try:
            with path.open("wb") as stream:
                result.write_gexf(stream)
        except Exception as error:
            self.app.call_from_thread(self.hubbub.report_error, error)
            return
        self.app.call_from_thread(self.notify, f"Wrote {path}", title="GEXF exported", markup=False)


def explanation(item: Influencer, count: int) -> Text:
    """Why ``item`` ranks where it does: who engaged, how, and the posts that earned it."""
    text = Text()
    text.append(f"@{item.handle}", style="bold")
    text.append(f"  rank {item.rank}, score {item.score:.4f}\n")
    followers = "unknown" if item.followers is None else f"{item.followers:,}"
    rank = "" if item.follower_rank is None else f" (rank {item.follower_rank} by followers)"
    text.append(f"Followers: {followers}{rank}\n")
    if item.missed_by_followers:
        text.append(
            f"{MISSED} A top-{count} list by follower count would miss this author.\n",
            style="bold yellow",
        )
    text.append(f"Posts on the topic: {item.topic_posts}; engaged by {item.engagers} authors\n")
    kinds = ", ".join(f"{amount} {kind}" for kind, amount in item.in_edges.items() if amount)
    text.append(f"Received: {kinds or 'nothing'}\n")
    if item.top_engagers:
        text.append("Engaged most by: ", style="bold")
        text.append(", ".join(f"@{handle} ({weight:g})" for handle, weight in item.top_engagers))
        text.append("\n")
    if item.posts:
        text.append("Posts that earned it\n", style="bold")
        for post in item.posts:
            text.append(f"{post.engagements}× ", style="bold")
            text.append(f"{one_line(post.text, 140)}\n")
    return text
