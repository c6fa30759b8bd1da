"""Plugins: what is loaded, what each registered, load errors, and the findings plugins stored."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from hubbub.tui.screens.base import DataScreen, cell, one_line
from hubbub.tui.timeframe import TimeFrame
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static


@dataclass
class PluginsData:
    """Plugins and stored findings."""

    plugins: list[dict[str, Any]]
    findings: list[dict[str, Any]]


class PluginsScreen(DataScreen):
    """Every plugin (bundled ones too) with its registrations and errors; findings shown generically."""

    NAME = "plugins"

    def __init__(self) -> None:
        super().__init__()
        self.plugins: list[dict[str, Any]] = []

    def compose(self) -> ComposeResult:
        """Plugins table, detail pane, findings table."""
        yield self.compose_header()
        with VerticalScroll(id="plugins-body"):
            yield DataTable(id="plugins", cursor_type="row")
            yield Static(id="plugin-detail", classes="panel")
            yield DataTable(id="findings", cursor_type="row", zebra_stripes=True)
        yield self.compose_footer()

    def on_mount(self) -> None:
        """Columns and titles, then load."""
        plugins = self.query_one("#plugins", DataTable)
        plugins.add_columns("Plugin", "Version", "Bundled", "Registered", "Errors")
        plugins.border_title = "Plugins"
        findings = self.query_one("#findings", DataTable)
        findings.add_columns("Analyzer", "Scope", "Subject", "Score", "Details")
        findings.border_title = "Findings"
        self.query_one("#plugin-detail").border_title = "Plugin"
        super().on_mount()

    def fetch(self, frame: TimeFrame) -> PluginsData:
        """The plugin host's info and the stored findings."""
        from hubbub.tui.data import finding_rows, plugin_rows

        return PluginsData(plugin_rows(self.project), finding_rows(self.project))

    def show(self, data: PluginsData) -> None:
        """Fill the tables; describe the first plugin."""
        self.plugins = data.plugins
        plugins = self.query_one("#plugins", DataTable)
        plugins.clear()
        for number, row in enumerate(data.plugins):
            errors = Text(str(len(row["errors"])), style="bold red") if row["errors"] else cell(0)
            plugins.add_row(
                cell(row["name"]),
                cell(row["version"]),
                cell("yes" if row["bundled"] else "no"),
                cell(one_line(", ".join(row["registered"]), 60)),
                errors,
                key=str(number),
            )
        if data.plugins:
            self._describe(data.plugins[0])
        findings = self.query_one("#findings", DataTable)
        findings.clear()
        findings.border_title = f"Findings ({len(data.findings)})"
        for row in data.findings:
            findings.add_row(
                cell(row["analyzer"]),
                cell(row["scope"]),
                cell(row["subject"]),
                cell(row["score"]),
                cell(one_line(details_text(row["details"]), 120)),
            )
        if not data.findings:
            findings.add_row(cell("no findings stored yet"), *(cell("") for _ in range(4)))

    @on(DataTable.RowHighlighted, "#plugins")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None and self.plugins:
            self._describe(self.plugins[int(event.row_key.value)])

    def _describe(self, row: dict[str, Any]) -> None:
        text = Text()
        text.append(f"{row['name']} {row['version']}", style="bold")
        text.append(" (bundled)\n" if row["bundled"] else " (third-party)\n")
        text.append("Hooks: ", style="bold")
        text.append(", ".join(row["hooks"]) or "none")
        text.append("\nRegistered: ", style="bold")
        text.append(", ".join(row["registered"]) or "nothing")
        if row.get("options"):
            text.append("\nOptions ([plugins.NAME] in hubbub.toml): ", style="bold")
            text.append(", ".join(row["options"]))
        for error in row["errors"]:
            text.append(f"\n✘ {error}", style="red")
        self.query_one("#plugin-detail", Static).update(text)


def details_text(details: str) -> str:
    """A finding's JSON details on one line."""
    try:
        return orjson.dumps(orjson.loads(details)).decode()
    except orjson.JSONDecodeError:
        return details
