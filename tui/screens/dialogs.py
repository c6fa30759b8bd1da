"""Small modal dialogs: a custom time frame, a topic name."""

from __future__ import annotations

from typing import ClassVar

from hubbub.tui.timeframe import TimeFrame, custom
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static


class TimeFrameScreen(ModalScreen[TimeFrame | None]):
    """Ask for a start and an end (ISO dates or date-times in the project's time zone)."""

    BINDINGS: ClassVar = [Binding("escape", "cancel", "Cancel", tooltip="Keep the time frame")]
    """``escape`` closes the dialog without changing anything."""

    def __init__(self, current: TimeFrame) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        """Two date boxes and OK/Cancel."""
        since = f"{self.current.since:%Y-%m-%d}" if self.current.since else ""
        until = f"{self.current.until:%Y-%m-%d %H:%M}" if self.current.until else ""
        with Vertical(classes="dialog"):
            yield Label("Custom time frame (ISO dates, e.g. 2026-03-10 or 2026-03-10T09:00)")
            yield Input(since, placeholder="from (empty: the first post)", id="since")
            yield Input(until, placeholder="until, exclusive (empty: the last post)", id="until")
            yield Static(id="frame-error")
            yield Button("Show", variant="primary", id="ok")

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _submit(self) -> None:
        from hubbub.errors import HubbubError
        from hubbub.responsiveness import parse_instant

        timezone = self.app.project.config.project.timezone  # type: ignore[attr-defined]
        values = [self.query_one(f"#{name}", Input).value.strip() for name in ("since", "until")]
        try:
            since = parse_instant(values[0], timezone) if values[0] else None
            until = parse_instant(values[1], timezone, end=True) if values[1] else None
            frame = custom(since, until)
        except (HubbubError, ValueError) as error:
            self.query_one("#frame-error", Static).update(Text(str(error), style="red"))
            return
        self.dismiss(frame)

    def action_cancel(self) -> None:
        """Close without a change."""
        self.dismiss(None)


class TopicNameScreen(ModalScreen[str | None]):
    """Ask for the name to save a query under."""

    BINDINGS: ClassVar = [Binding("escape", "cancel", "Cancel", tooltip="Do not save")]
    """``escape`` closes the dialog without saving."""

    def __init__(self, query: str) -> None:
        super().__init__()
        self.query_text = query

    def compose(self) -> ComposeResult:
        """The query and a name box."""
        with Vertical(classes="dialog"):
            yield Label("Save this query as a topic in hubbub.toml:")
            yield Static(Text(self.query_text, style="bold"))
            yield Input(placeholder="topic name (letters, digits, - and _)", id="topic-name")
            yield Button("Save", variant="primary", id="ok")

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _submit(self) -> None:
        name = self.query_one("#topic-name", Input).value.strip()
        self.dismiss(name or None)

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)
