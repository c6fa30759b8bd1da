"""Help: the screens and every key, read from the bindings so it cannot drift."""

from __future__ import annotations

from typing import Any, ClassVar

from hubbub.tui.commands import key_display
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

INTRO = (
    "hubbub shows one listening project. Every screen follows the time frame in the "
    "header; presets end at the newest stored post. Press ctrl+p for the command palette: "
    "every action below is there too. Full guide: docs/tui.md."
)


def key_table(app: Any, targets: list[tuple[str, Any]]) -> Table:
    """A table of key, action and what it does for the bindings of each ``(title, target)``."""
    table = Table(show_header=True, header_style="bold", expand=True, box=None)
    table.add_column("Key", no_wrap=True)
    table.add_column("Action", no_wrap=True)
    table.add_column("What it does", ratio=1)
    for title, target in targets:
        bindings = [
            binding
            for binding in getattr(target, "BINDINGS", [])
            if isinstance(binding, Binding) and binding.description
        ]
        if not bindings:
            continue
        table.add_row(Text(title, style="bold underline"), "", "")
        for binding in bindings:
            table.add_row(
                Text(key_display(app, binding)),
                Text(binding.description),
                Text(binding.tooltip or ""),
            )
    return table


class HelpScreen(ModalScreen[None]):
    """The keys of the app and of the screen it was opened from."""

    BINDINGS: ClassVar = [
        Binding("escape,q,question_mark", "dismiss", "Close", tooltip="Close the help"),
    ]
    """``escape``, ``q`` or ``?`` close the help."""

    def __init__(self, under: Any) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        """The introduction and the key table."""
        name = type(self.under).__name__.removesuffix("Screen")
        with VerticalScroll(id="help", classes="dialog"):
            yield Static(Text("hubbub — keys", style="bold"))
            yield Static(Text(INTRO))
            yield Static(key_table(self.app, [("Everywhere", self.app), (name, self.under)]))
            yield Static(Text("Press escape to close.", style="dim"))

    async def action_dismiss(self, result: None = None) -> None:
        """Close the help."""
        self.dismiss(result)
