"""Sources: configured and past sources with their last run, cursor and counts; ingest; rejects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import orjson
from hubbub.tui.screens.base import DataScreen, cell, one_line
from hubbub.tui.timeframe import TimeFrame
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, ProgressBar, Static

if TYPE_CHECKING:
    from hubbub.ingest import IngestSummary
    from hubbub.tui.data import SourceRow


@dataclass
class SourcesData:
    """Sources with their runs, and the newest rejects."""

    sources: list[SourceRow]
    rejects: list[dict[str, Any]]
    total_rejects: int


class SourcesScreen(DataScreen):
    """Where the posts come from, how far each source got, and what was rejected."""

    NAME = "sources"
    BINDINGS: ClassVar = [
        *DataScreen.BINDINGS,
        Binding(
            "i", "ingest", "Ingest", tooltip="Run the [[sources]] of hubbub.toml from their cursors"
        ),
    ]
    """Source keys: ``i`` runs an ingest in the background with live progress."""

    def __init__(self) -> None:
        super().__init__()
        self.ingesting = False

    def compose(self) -> ComposeResult:
        """Sources table, ingest progress, rejects."""
        yield self.compose_header()
        with VerticalScroll(id="sources-body"):
            yield DataTable(id="sources", cursor_type="row")
            yield Static(Text("Press i to ingest the configured sources."), id="ingest-status")
            yield ProgressBar(id="ingest-progress", show_eta=False)
            yield DataTable(id="rejects", cursor_type="row", zebra_stripes=True)
        yield self.compose_footer()

    def on_mount(self) -> None:
        """Columns and titles, then load."""
        sources = self.query_one("#sources", DataTable)
        sources.add_columns(
            "Source", "Type", "Config", "Last run", "Status", "Read", "Stored", "Rejected", "Cursor"
        )
        sources.border_title = "Sources"
        rejects = self.query_one("#rejects", DataTable)
        rejects.add_columns("Source", "Position", "Reason", "Record")
        rejects.border_title = "Rejects"
        super().on_mount()

    def fetch(self, frame: TimeFrame) -> SourcesData:
        """Sources and runs (not filtered by the time frame: a run is not a post)."""
        from hubbub.tui.data import source_rows

        store = self.project.store
        return SourcesData(
            source_rows(self.project), store.rejects(limit=200), store.count_rejects()
        )

    def show(self, data: SourcesData) -> None:
        """Fill both tables."""
        sources = self.query_one("#sources", DataTable)
        sources.clear()
        for row in data.sources:
            summary = row.summary
            sources.add_row(
                cell(_short_key(row.key)),
                cell(row.type),
                cell("yes" if row.configured else "no"),
                cell(f"{row.last_run:%Y-%m-%d %H:%M}" if row.last_run else "never"),
                cell(row.status),
                cell(summary.get("read")),
                cell(summary.get("stored")),
                cell(summary.get("rejected")),
                cell(cursor_text(row.cursor)),
            )
        rejects = self.query_one("#rejects", DataTable)
        rejects.clear()
        rejects.border_title = f"Rejects ({len(data.rejects)} of {data.total_rejects})"
        for item in data.rejects:
            rejects.add_row(
                cell(_short_key(item["source"])),
                cell(item["position"]),
                cell(item["reason"]),
                cell(one_line(item["record"], 80)),
            )

    def action_ingest(self) -> None:
        """Run the configured sources in a worker, showing progress as batches are stored."""
        if self.ingesting:
            self.notify("An ingest is already running.", severity="warning")
            return
        self.ingesting = True
        progress = self.query_one("#ingest-progress", ProgressBar)
        progress.display = True
        progress.update(total=None, progress=0)
        self.query_one("#ingest-status", Static).update(Text("Ingesting…"))
        self._ingest()

    @work(thread=True, exclusive=True, group="ingest")
    def _ingest(self) -> None:
        from hubbub.tui.data import run_configured_sources

        def progress(key: str, summary: IngestSummary, done: int, total: int | None) -> None:
            self.app.call_from_thread(self._progress, key, summary.read, done, total)

        try:
            summaries = run_configured_sources(self.project, progress)
        except Exception as error:
            self.app.call_from_thread(self._ingest_done, None)
            self.app.call_from_thread(self.hubbub.report_error, error)
            return
        self.app.call_from_thread(self._ingest_done, summaries)

    def _progress(self, key: str, read: int, done: int, total: int | None) -> None:
        self.query_one("#ingest-progress", ProgressBar).update(total=total, progress=done)
        self.query_one("#ingest-status", Static).update(
            Text(f"Ingesting {_short_key(key)}: {read:,} records read")
        )

    def _ingest_done(self, summaries: list[IngestSummary] | None) -> None:
        self.ingesting = False
        bar = self.query_one("#ingest-progress", ProgressBar)
        bar.update(total=1, progress=1 if summaries is not None else 0)
        if summaries is None:
            self.query_one("#ingest-status", Static).update(Text("Ingest failed.", style="red"))
            return
        stored = sum(item.stored for item in summaries)
        rejected = sum(item.rejected for item in summaries)
        line = f"Ingest done: {len(summaries)} sources, {stored:,} new posts, {rejected:,} rejected"
        self.query_one("#ingest-status", Static).update(Text(line, style="green"))
        self.notify(line, title="Ingest", markup=False)
        self.hubbub.data_changed()


def cursor_text(cursor: dict[str, Any] | None) -> str:
    """A cursor's position fields (``line 20000, offset 8087616``); paths and hashes left out."""
    if not cursor:
        return ""
    parts = [
        f"{key} {value}"
        for key, value in cursor.items()
        if key not in ("path", "sha256", "member") and not isinstance(value, dict | list)
    ]
    return one_line(", ".join(parts) or orjson.dumps(cursor).decode(), 60)


def _short_key(key: str) -> str:
    """``file:/long/path/posts.jsonl`` as ``file:…/posts.jsonl``."""
    if key.startswith("file:") and "/" in key:
        return "file:…/" + key.rsplit("/", 1)[-1]
    return key
