"""Live: watch the configured sources, with new posts streaming in and an alert banner.

``w`` starts (and stops) a :class:`hubbub.watch.Watcher` in a thread worker: it polls
the ``[[sources]]`` of ``hubbub.toml`` on their intervals, analyses new posts and
evaluates the ``[[alerts]]`` rules. Its events reach the screen through
``app.call_from_thread``: new posts go on top of the posts table, each source's
counters go up, and a fired alert joins the alerts list and raises the banner. When
the project has a ``tui`` notifier (:mod:`hubbub.plugins.tui_notifier`), the banner
shows what that notifier delivers, so ``notify = [...]`` routing decides what
interrupts the user; without one, every alert does. Post text is untrusted: every cell
is a :class:`rich.text.Text`, never markup.
"""

from __future__ import annotations

import threading
from collections import deque
from contextlib import nullcontext, suppress
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from hubbub.tui.screens.base import WIDE, cell, one_line
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

if TYPE_CHECKING:
    from hubbub.alerts import Alert
    from hubbub.plugins.demo_stream import SimulatedClock
    from hubbub.project import Project
    from hubbub.tui.app import HubbubApp
    from hubbub.watch import WatchEvent

#: the most posts the posts table keeps (the newest)
MAX_POSTS = 200
#: the most alerts the alerts list keeps (the newest)
MAX_ALERTS = 100
_SENTIMENT_STYLE = {"negative": "red", "positive": "green", "neutral": "dim"}


@dataclass
class LiveSettings:
    """How the live view watches: ``hubbub demo --live`` sets these, ``hubbub tui`` keeps the defaults."""

    #: start watching as soon as the screen opens
    autostart: bool = False
    #: a simulated clock for the watch and the demo stream (``None``: real time)
    clock: SimulatedClock | None = None
    #: stop after this many cycles (``None``: until stopped; tests use it)
    max_cycles: int | None = None


@dataclass
class LivePost:
    """One row of the posts table."""

    id: int
    source: str
    created_at: datetime
    author: str
    text: str
    sentiment: str | None


def posts_after(project: Project, after_id: int, limit: int = MAX_POSTS) -> list[LivePost]:
    """The newest ``limit`` posts stored after store id ``after_id``, newest first."""
    import sqlalchemy as sa
    from hubbub.store import posts_table

    p = posts_table.c
    query = (
        sa.select(p.id, p.source, p.created_at, p.author, p.text)
        .where(p.id > after_id)
        .order_by(p.id.desc())
        .limit(limit)
    )
    store = project.store
    with store.engine.connect() as conn:
        rows = list(conn.execute(query))
    labels = store.annotations_for([row.id for row in rows])
    return [
        LivePost(
            row.id,
            row.source or "",
            row.created_at,
            row.author,
            row.text,
            labels.get(row.id, {}).get("sentiment", {}).get("label"),
        )
        for row in rows
    ]


def last_post_id(project: Project) -> int:
    """The highest store id of a post (0 for none)."""
    import sqlalchemy as sa
    from hubbub.store import posts_table

    with project.store.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.max(posts_table.c.id))).scalar() or 0)


def banner_text(alert: Alert, more: int = 0) -> Text:
    """The banner line for ``alert`` (plain text: subjects and messages are never markup)."""
    text = Text()
    text.append(" ALERT ", style="bold reverse")
    text.append(f"  {alert.kind} · {alert.subject}  ", style="bold")
    text.append(one_line(alert.message))
    if more:
        text.append(f"  (+{more} more below)", style="italic")
    return text


@dataclass
class _SourceCounter:
    type: str
    interval: str
    polls: int = 0
    new: int = 0
    errors: int = 0
    last_poll: datetime | None = None


class LiveScreen(Screen[None]):
    """New posts as they arrive, per-source counters, fired alerts and a banner."""

    NAME = "live"
    BINDINGS: ClassVar = [
        Binding(
            "w",
            "toggle_watch",
            "Watch",
            tooltip="Start or stop watching the [[sources]]: poll, analyse, fire alerts",
        ),
        Binding("x", "dismiss_banner", "Dismiss alert", tooltip="Hide the alert banner"),
    ]
    """Live keys: ``w`` starts or stops watching, ``x`` hides the alert banner."""

    def __init__(self) -> None:
        super().__init__()
        #: set to stop the running watch (``None``: not watching)
        self.stop_event: threading.Event | None = None
        self.cycles = 0
        self.new_posts = 0
        self.alerts: deque[Alert] = deque(maxlen=MAX_ALERTS)
        self.posts: deque[LivePost] = deque(maxlen=MAX_POSTS)
        self.unseen_alerts = 0
        self.counters: dict[str, _SourceCounter] = {}
        self._last_id = 0

    @property
    def hubbub(self) -> HubbubApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    @property
    def project(self) -> Project:
        """The open project."""
        return self.hubbub.project

    @property
    def settings(self) -> LiveSettings:
        """The app's live settings (defaults when it has none)."""
        return getattr(self.app, "live", None) or LiveSettings()

    @property
    def watching(self) -> bool:
        """A watch is running."""
        return self.stop_event is not None

    @property
    def banner_by_notifier(self) -> bool:
        """The project has a ``tui`` notifier, so it (not every alert) raises the banner."""
        return any(item.get("type") == "tui" for item in self.project.config.notifiers)

    def compose(self) -> ComposeResult:
        """Banner, status, posts table; sources and alerts beside it."""
        yield Header(icon="◉")
        yield Static(id="live-banner")
        yield Static(id="live-status")
        with Horizontal(id="live-panes"):
            yield DataTable(id="live-posts", cursor_type="row", zebra_stripes=True)
            with Vertical(id="live-side"):
                yield DataTable(id="live-sources", cursor_type="row")
                yield DataTable(id="live-alerts", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        """Columns, the configured sources, the stored alerts; start when asked to."""
        from hubbub.plugins.tui_notifier import add_listener

        posts = self.query_one("#live-posts", DataTable)
        posts.add_columns("Time (UTC)", "Author", "Sentiment", "Text", "Source")
        posts.border_title = "New posts"
        sources = self.query_one("#live-sources", DataTable)
        sources.add_columns("Source", "Type", "Every", "Polls", "New", "Errors", "Last poll")
        sources.border_title = "Sources"
        alerts = self.query_one("#live-alerts", DataTable)
        alerts.add_columns("Fired", "Rule", "Subject", "Message")
        alerts.border_title = "Alerts"
        self.query_one("#live-banner", Static).display = False
        self.set_class(self.app.size.width >= WIDE, "-wide")
        for section in self.project.config.sources:
            key = section.name or section.type
            self.counters[key] = _SourceCounter(section.type, section.interval)
        self._show_sources()
        self._show_status()
        add_listener(self._delivered)
        self._load_alerts()
        if self.settings.autostart and self.counters:
            self.action_toggle_watch()

    def on_resize(self) -> None:
        """Posts beside sources and alerts on wide terminals, stacked at 80 columns."""
        self.set_class(self.size.width >= WIDE, "-wide")

    def on_unmount(self) -> None:
        """Stop the watch and stop receiving alerts."""
        from hubbub.plugins.tui_notifier import remove_listener

        remove_listener(self._delivered)
        if self.stop_event is not None:
            self.stop_event.set()

    # ------------------------------------------------------------ actions

    def action_toggle_watch(self) -> None:
        """Start watching the configured sources, or stop the running watch."""
        if self.stop_event is not None:
            self.stop_event.set()
            self._show_status("Stopping after the current poll…")
            return
        if not self.counters:
            self.notify(
                "No [[sources]] in hubbub.toml to watch (docs/sources/index.md).",
                severity="warning",
                markup=False,
            )
            return
        self.stop_event = threading.Event()
        self._last_id = last_post_id(self.project)
        self._show_status()
        self._watch(self.stop_event)

    def action_dismiss_banner(self) -> None:
        """Hide the alert banner (the alerts stay in the list)."""
        self.query_one("#live-banner", Static).display = False
        self.unseen_alerts = 0

    # ------------------------------------------------------------ the watch (a thread)

    @work(thread=True, exclusive=True, group="watch")
    def _watch(self, stop: threading.Event) -> None:
        from hubbub.watch import Watcher

        settings = self.settings
        clock = settings.clock
        try:
            if clock is not None:
                from hubbub.plugins.demo_stream import use_clock

                scope: Any = use_clock(clock.now)
            else:
                scope = nullcontext()
            with scope:
                watcher = Watcher(
                    self.project,
                    on_event=self._event,
                    clock=clock.utcnow if clock is not None else _utcnow,
                    sleep=clock.sleeper(stop) if clock is not None else None,
                )
            watcher.run(stop=stop, max_cycles=settings.max_cycles)
        except Exception as error:  # any failure is a notification, never a crash
            self._to_ui(self.hubbub.report_error, error)
        self._to_ui(self._stopped)

    def _to_ui(self, callback: Any, *args: Any) -> None:
        """Run ``callback`` on the event loop (nothing if the app has gone)."""
        with suppress(RuntimeError):  # the app closed while the watch was finishing
            self.app.call_from_thread(callback, *args)

    def _event(self, event: WatchEvent) -> None:
        """A watch event, in the watching thread: read what the UI needs, then hand it over."""
        if event.kind == "cycle":
            posts = posts_after(self.project, self._last_id)
            if posts:
                self._last_id = max(post.id for post in posts)
            self._to_ui(self._cycle_done, event.count, posts)
        elif event.kind == "posts" and event.source is not None:
            self._to_ui(self._polled, event.source, event.count)
        elif event.kind == "alert" and event.alert is not None:
            self._to_ui(self._alert_fired, event.alert)
        elif event.kind == "error":
            self._to_ui(self._watch_error, event.source, event.message)

    def _delivered(self, alert: Alert) -> None:
        """The ``tui`` notifier's delivery (in the watching thread)."""
        if self.is_attached:
            self._to_ui(self._raise_banner, alert)

    # ------------------------------------------------------------ on the event loop

    def _polled(self, source: str, count: int) -> None:
        counter = self.counters.setdefault(source, _SourceCounter("?", "?"))
        counter.polls += 1
        counter.new += count
        clock = self.settings.clock
        counter.last_poll = clock.utcnow() if clock is not None else _utcnow()
        self._show_sources()

    def _cycle_done(self, count: int, posts: list[LivePost]) -> None:
        self.cycles += 1
        self.new_posts += count
        for post in reversed(posts):  # oldest first, so the newest ends on top
            self.posts.appendleft(post)
        if posts:
            self._show_posts()
        self._show_status()

    def _alert_fired(self, alert: Alert) -> None:
        self.alerts.appendleft(alert)
        self._show_alerts()
        self._show_status()
        if not self.banner_by_notifier:
            self._raise_banner(alert)

    def _raise_banner(self, alert: Alert) -> None:
        banner = self.query_one("#live-banner", Static)
        more = self.unseen_alerts if banner.display else 0
        self.unseen_alerts += 1
        banner.update(banner_text(alert, more))
        banner.display = True
        self.notify(
            one_line(alert.message, 200),
            title=f"Alert: {alert.rule}",
            severity="warning",
            timeout=6,
            markup=False,
        )

    def _watch_error(self, source: str | None, message: str) -> None:
        if source is not None and source in self.counters:
            self.counters[source].errors += 1
            self._show_sources()
        self.notify(one_line(message, 300), title="Watch", severity="error", markup=False)

    def _stopped(self) -> None:
        self.stop_event = None
        self._show_status()
        self.hubbub.data_changed()

    # ------------------------------------------------------------ showing

    def _show_status(self, line: str | None = None) -> None:
        status = self.query_one("#live-status", Static)
        if line is not None:
            status.update(Text(line))
            return
        sources = len(self.counters)
        if not sources:
            text = "No [[sources]] in hubbub.toml: add one to watch (docs/sources/index.md)."
        elif self.watching:
            text = (
                f"Watching {sources} source{'s' if sources != 1 else ''} (w to stop) · "
                f"{self.cycles} cycles · {self.new_posts:,} new posts · "
                f"{len(self.alerts)} alerts"
            )
        else:
            text = (
                f"Not watching. Press w to watch {sources} source{'s' if sources != 1 else ''}"
                f" · {self.new_posts:,} new posts · {len(self.alerts)} alerts"
            )
        status.update(Text(text, style="bold" if self.watching else ""))

    def _show_posts(self) -> None:
        table = self.query_one("#live-posts", DataTable)
        table.clear()
        for post in self.posts:
            sentiment = post.sentiment or ""
            table.add_row(
                cell(f"{post.created_at:%H:%M:%S}"),
                cell(f"@{post.author}"),
                Text(sentiment, style=_SENTIMENT_STYLE.get(sentiment, "")),
                cell(one_line(post.text, 140)),
                cell(post.source),
            )

    def _show_sources(self) -> None:
        table = self.query_one("#live-sources", DataTable)
        table.clear()
        for key, counter in self.counters.items():
            table.add_row(
                cell(key),
                cell(counter.type),
                cell(counter.interval),
                cell(counter.polls),
                cell(counter.new),
                cell(counter.errors),
                cell(f"{counter.last_poll:%H:%M:%S}" if counter.last_poll else "never"),
            )

    def _show_alerts(self) -> None:
        table = self.query_one("#live-alerts", DataTable)
        table.clear()
        for alert in self.alerts:
            table.add_row(
                cell(f"{alert.fired_at:%H:%M:%S}"),
                cell(alert.rule),
                cell(alert.subject),
                cell(one_line(alert.message, 120)),
            )

    @work(thread=True, group="alerts")
    def _load_alerts(self) -> None:
        from hubbub.alerts import list_alerts

        try:
            stored = list_alerts(self.project.store, limit=20)
        except Exception as error:
            self._to_ui(self.hubbub.report_error, error)
            return
        self._to_ui(self._stored_alerts, stored)

    def _stored_alerts(self, stored: list[Alert]) -> None:
        known = {alert.id for alert in self.alerts}
        for alert in reversed(stored):
            if alert.id not in known:
                self.alerts.append(alert)
        self.alerts = deque(
            sorted(self.alerts, key=lambda alert: (alert.fired_at, alert.id or 0), reverse=True),
            maxlen=MAX_ALERTS,
        )
        self._show_alerts()
        self._show_status()


def _utcnow() -> datetime:
    from hubbub.timeutil import utcnow

    return utcnow()
