"""What every data screen shares: loading in a thread worker for the app's time frame."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from hubbub.tui.messages import DataLoaded
from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header
from textual.worker import get_current_worker

if TYPE_CHECKING:
    from hubbub.project import Project
    from hubbub.tui.app import HubbubApp
    from hubbub.tui.timeframe import TimeFrame

#: below this width screens stack their panes; at or above it they sit side by side
WIDE = 140


class DataScreen(Screen[None]):
    """A screen that fetches its data off the event loop and shows it.

    Subclasses implement :meth:`fetch` (runs in a thread: call the core API there,
    never touch widgets) and :meth:`show` (runs on the event loop with what
    :meth:`fetch` returned). Both re-run when the app's time frame changes.
    """

    #: the mode name of this screen (``overview``, ``search``, …)
    NAME = ""
    BINDINGS: ClassVar = [Binding("r", "reload", "Reload", tooltip="Load this screen's data again")]
    """Keys of every data screen: ``r`` reloads."""

    @property
    def hubbub(self) -> HubbubApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    @property
    def project(self) -> Project:
        """The open project."""
        return self.hubbub.project

    def compose_header(self) -> Header:
        """The app header (title and time frame)."""
        return Header(icon="◉")

    def compose_footer(self) -> Footer:
        """The key bar."""
        return Footer()

    def on_mount(self) -> None:
        """Follow the app's time frame and load for the current one."""
        self.watch(self.app, "timeframe", self._frame_changed, init=False)
        self.set_class(self.app.size.width >= WIDE, "-wide")
        self.action_reload()

    def on_resize(self) -> None:
        """Side-by-side panes on wide terminals, stacked ones at 80 columns."""
        self.set_class(self.size.width >= WIDE, "-wide")

    def _frame_changed(self, _frame: TimeFrame) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        """Load this screen's data again (in a worker)."""
        self._load(self.hubbub.timeframe)

    @work(thread=True, exclusive=True, group="load")
    def _load(self, frame: TimeFrame) -> None:
        worker = get_current_worker()
        try:
            data = self.fetch(frame)
        except Exception as error:  # any failure is a notification, never a crash
            if not worker.is_cancelled:
                self.app.call_from_thread(self.hubbub.report_error, error)
            return
        if not worker.is_cancelled:  # a newer load replaced this one: its data is stale
            self.app.call_from_thread(self._show, data)

    def _show(self, data: Any) -> None:
        self.show(data)
        self.post_message(DataLoaded(self.NAME))

    def fetch(self, frame: TimeFrame) -> Any:
        """Read what the screen shows for ``frame`` (in a thread)."""
        raise NotImplementedError

    def show(self, data: Any) -> None:
        """Show what :meth:`fetch` returned (on the event loop)."""
        raise NotImplementedError


def cell(value: Any) -> Text:
    """A DataTable cell that is never read as markup."""
    if value is None:
        return Text("")
    if isinstance(value, Text):
        return value
    if isinstance(value, float):
        return Text(f"{value:.2f}", justify="right")
    if isinstance(value, int) and not isinstance(value, bool):
        return Text(str(value), justify="right")
    return Text(" ".join(str(value).split()))


def percent(value: float | None) -> Text:
    """``0.9127`` as ``91.3%`` (blank for ``None``)."""
    return Text("" if value is None else f"{value * 100:.1f}%", justify="right")


def one_line(text: str | None, width: int | None = None) -> str:
    """``text`` on one line (whitespace collapsed), cut to ``width`` characters with an ellipsis."""
    flat = " ".join((text or "").split())
    if width is not None and len(flat) > width:
        return flat[: max(width - 1, 0)] + "…"
    return flat
