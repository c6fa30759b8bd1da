"""The hubbub terminal UI: a Textual app over the same core API as the CLI.

Each screen is a mode (``1``–``8``); the time frame (``t`` cycles 24 h / 7 d / 30 d /
all, ``T`` sets a custom one) is app-level reactive state that every screen watches.
All reading happens in thread workers; failures become notifications.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from hubbub.errors import HubbubError
from hubbub.project import Project
from hubbub.tui.commands import HubbubCommands
from hubbub.tui.data import newest_post_time
from hubbub.tui.messages import DataLoaded
from hubbub.tui.screens import (
    DataScreen,
    HelpScreen,
    InfluencersScreen,
    LiveScreen,
    LiveSettings,
    OverviewScreen,
    PluginsScreen,
    ResponsivenessScreen,
    SearchScreen,
    SourcesScreen,
    TimeFrameScreen,
    TopicsScreen,
)
from hubbub.tui.timeframe import PRESETS, TimeFrame, next_preset, preset
from rich.markup import escape
from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive

DARK_THEME = "textual-dark"
LIGHT_THEME = "textual-light"


class HubbubApp(App[None]):
    """Overview, search, topics, influencers, responsiveness, sources and plugins of a project."""

    CSS_PATH = "app.tcss"
    TITLE = "hubbub"
    COMMANDS = App.COMMANDS | {HubbubCommands}
    MODES: ClassVar = {
        "overview": OverviewScreen,
        "search": SearchScreen,
        "topics": TopicsScreen,
        "influencers": InfluencersScreen,
        "responsiveness": ResponsivenessScreen,
        "sources": SourcesScreen,
        "plugins": PluginsScreen,
        "live": LiveScreen,
    }
    DEFAULT_MODE = "overview"
    BINDINGS: ClassVar = [
        Binding(
            "1",
            "switch_mode('overview')",
            "Overview",
            tooltip="Volume, sentiment, share of voice, spikes",
        ),
        Binding(
            "2",
            "switch_mode('search')",
            "Search",
            tooltip="Search posts with a query; open a post and its thread",
        ),
        Binding(
            "3",
            "switch_mode('topics')",
            "Topics",
            tooltip="Each topic's volume, spikes and their drivers, emerging terms",
        ),
        Binding(
            "4",
            "switch_mode('influencers')",
            "Influencers",
            tooltip="Who moves each topic's conversation",
        ),
        Binding(
            "5",
            "switch_mode('responsiveness')",
            "Response",
            tooltip="How fast each brand answers; who is still waiting",
        ),
        Binding(
            "6",
            "switch_mode('sources')",
            "Sources",
            tooltip="Sources, their runs and cursors; ingest; rejects",
        ),
        Binding(
            "7",
            "switch_mode('plugins')",
            "Plugins",
            tooltip="Loaded plugins, what they registered, their findings",
        ),
        Binding(
            "8",
            "switch_mode('live')",
            "Live",
            tooltip="Watch the sources: new posts as they arrive, alerts as they fire",
        ),
        Binding(
            "t",
            "next_timeframe",
            "Time frame",
            tooltip="Cycle the time frame: 24 h, 7 d, 30 d, all",
        ),
        Binding(
            "T", "custom_timeframe", "Custom frame", show=False, tooltip="Set a custom time frame"
        ),
        Binding(
            "d",
            "toggle_theme",
            "Theme",
            show=False,
            tooltip="Switch between the dark and the light theme",
        ),
        Binding("question_mark,f1", "help", "Help", tooltip="Screens and keys"),
        Binding("q", "quit", "Quit", tooltip="Leave hubbub"),
    ]
    """App keys (work on every screen unless a text box has the focus):

    | Key | Action |
    | --- | --- |
    | 1–8 | Overview, Search, Topics, Influencers, Responsiveness, Sources, Plugins, Live |
    | t | next preset time frame (24 h, 7 d, 30 d, all) |
    | T | custom time frame |
    | d | dark / light theme |
    | ? or F1 | help |
    | ctrl+p | command palette |
    | q | quit |
    """

    PALETTE_EXTRAS: ClassVar = [
        (f"Time frame: {label}", f"Show {label} of the data on every screen", f"timeframe('{key}')")
        for key, (label, _length) in PRESETS.items()
    ]
    """Palette-only commands: each preset time frame."""

    timeframe: reactive[TimeFrame] = reactive(TimeFrame("all"), init=False)
    """The time frame every screen shows; presets end at the newest stored post."""

    def __init__(self, project: Project, *, frame: str = "30d", screen: str = "overview") -> None:
        if screen not in self.MODES:
            raise HubbubError(f"unknown screen {screen!r} (screens: {', '.join(self.MODES)})")
        # the first screen shown (Textual reads it from the instance before the class)
        self.DEFAULT_MODE = screen
        super().__init__()
        self.project = project
        # one indexed MAX(): presets are anchored on the data, not on the wall clock
        self.newest = newest_post_time(project)
        self.set_reactive(HubbubApp.timeframe, preset(frame, self.newest))
        self.theme = DARK_THEME
        #: where exports (GEXF) are written
        self.export_dir = project.directory
        #: screens that finished loading, most recent last (tests wait on it)
        self.loaded: list[str] = []
        #: how the live screen watches (``hubbub demo --live`` sets a simulated clock)
        self.live = LiveSettings()

    def on_mount(self) -> None:
        """Show the project and the time frame in the header."""
        self._update_subtitle()

    def watch_timeframe(self, _frame: TimeFrame) -> None:
        """Keep the header up to date."""
        self._update_subtitle()

    def _update_subtitle(self) -> None:
        name = self.project.config.project.name or self.project.directory.name
        self.title = escape(f"hubbub · {name}")
        self.sub_title = escape(self.timeframe.label)

    def on_data_loaded(self, message: DataLoaded) -> None:
        """Remember which screen loaded last."""
        self.loaded.append(message.screen_name)

    # ------------------------------------------------------------ actions

    def action_next_timeframe(self) -> None:
        """Move to the next preset time frame."""
        self.set_timeframe(preset(next_preset(self.timeframe.key), self.newest))

    def action_custom_timeframe(self) -> None:
        """Ask for a custom time frame."""
        self.push_screen(TimeFrameScreen(self.timeframe), self._custom_chosen)

    def _custom_chosen(self, frame: TimeFrame | None) -> None:
        if frame is not None:
            self.set_timeframe(frame)

    def set_timeframe(self, frame: TimeFrame) -> None:
        """Show ``frame`` on every screen and say so."""
        self.timeframe = frame
        self.notify(f"Time frame: {frame.label}", timeout=2, markup=False)

    def action_timeframe(self, key: str) -> None:
        """Switch to the preset ``key`` (``24h``, ``7d``, ``30d``, ``all``)."""
        if key in PRESETS:
            self.set_timeframe(preset(key, self.newest))

    def action_toggle_theme(self) -> None:
        """Switch between the dark and the light theme."""
        self.theme = LIGHT_THEME if self.theme == DARK_THEME else DARK_THEME

    def data_changed(self) -> None:
        """New posts arrived: re-anchor preset time frames and reload the current screen."""
        self.newest = newest_post_time(self.project)
        frame = preset(self.timeframe.key, self.newest) if self.timeframe.key in PRESETS else None
        if frame is not None and frame != self.timeframe:
            self.timeframe = frame
        elif isinstance(self.screen, DataScreen):
            self.screen.action_reload()

    def action_help(self) -> None:
        """Open the help screen (screens and keys)."""
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def report_error(self, error: BaseException) -> None:
        """Show an error as a notification (a hubbub error's message, else its type too)."""
        text = str(error) if isinstance(error, HubbubError) else f"{type(error).__name__}: {error}"
        self.notify(text, title="Error", severity="error", timeout=8, markup=False)


def create_app(
    project_dir: str | Path | None = None, *, frame: str = "30d", screen: str = "overview"
) -> HubbubApp:
    """The app for the project in ``project_dir`` (found as the CLI finds it when ``None``).

    :param frame: the time frame to open with (``24h``, ``7d``, ``30d``, ``all``).
    :param screen: the screen to open on (``overview``, ``search``, ``topics``, …).
    """
    return HubbubApp(Project.load(project_dir), frame=frame, screen=screen)
