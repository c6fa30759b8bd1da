"""The TUI live view: a watch in a thread worker, posts streaming in, the alert banner.

The demo stream runs on a :class:`SimulatedClock` at speed 0 and the watch stops after
a few cycles, so nothing really waits.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hubbub.alerts import Alert, list_alerts
from hubbub.demo.world import BRANDS, TOPICS
from hubbub.plugins.demo_stream import SimulatedClock
from hubbub.project import Project
from hubbub.tui.app import HubbubApp
from hubbub.tui.screens import LiveScreen, LiveSettings
from textual.widgets import DataTable, Static
from tui_helpers import column, synchronous
from tui_helpers import settle as _settle
from tui_helpers import static_text as plain


async def settle(pilot: Any) -> None:
    """Let messages run and every worker (the watch included) finish."""
    await _settle(pilot, rounds=3)


SIZE = (150, 40)
START = 1_780_000_000.0

#: the demo's brands and topics, as ``hubbub demo`` writes them
DEMO_CONFIG = (
    "".join(
        f"\n[brands.{key}]\nhandles = {json.dumps(spec['handles'])}\n"
        f'keywords = {json.dumps(spec["keywords"])}\nreply_target = "{spec["reply_target"]}"\n'
        for key, spec in BRANDS.items()
    )
    + "\n[topics]\n"
    + "".join(f"{topic} = '{query}'\n" for topic, query in TOPICS.items())
)

#: a stream whose burst starts at once, and a spike rule for each topic
LIVE_CONFIG = """
[[sources]]
type = "demo-stream"
name = "live"
interval = "5s"
history = "5m"
posts_per_minute = 20
burst_after = "0s"
burst_length = "3m"
burst_per_minute = 40

[[alerts]]
name = "baggage-spike"
type = "spike"
topic = "baggage"
window = "1m"
baseline_windows = 6
min_count = 10

[[alerts]]
name = "delays-spike"
type = "spike"
topic = "delays"
window = "1m"
baseline_windows = 6
min_count = 10
"""


def live_app(project: Project, cycles: int | None, *, autostart: bool = True) -> HubbubApp:
    """The app on its live screen, watching on a simulated clock for ``cycles`` cycles."""
    app = HubbubApp(project, screen="live")
    app.live = LiveSettings(
        autostart=autostart, clock=SimulatedClock(START, speed=0), max_cycles=cycles
    )
    return app


@pytest.fixture
def demo_live(make_project: Callable[..., Project]) -> Project:
    """The demo's brands and topics with a demo stream that bursts at once (nothing stored)."""
    return make_project("live", extra=DEMO_CONFIG + LIVE_CONFIG)


@synchronous
async def test_streamed_posts_appear_newest_first_and_the_burst_raises_the_banner(
    demo_live: Project,
) -> None:
    app = live_app(demo_live, cycles=8)  # 35 simulated seconds after the backlog
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LiveScreen)
        posts = screen.query_one("#live-posts", DataTable)
        stored = demo_live.store.count_posts()
        assert stored > 100
        assert posts.row_count == min(stored, 200)
        times = column(posts, 0)
        assert times == sorted(times, reverse=True)  # newest on top
        assert set(column(posts, 4)) == {"live"}
        assert "negative" in column(posts, 2)  # sentiment ran on the new posts
        sources = screen.query_one("#live-sources", DataTable)
        assert column(sources, 0) == ["live"]
        assert int(column(sources, 3)[0]) == 8  # polls
        assert int(column(sources, 4)[0]) == stored  # new posts
        banner = screen.query_one("#live-banner", Static)
        assert banner.display
        assert "spike · baggage" in plain(app, "#live-banner")
        alerts = screen.query_one("#live-alerts", DataTable)
        assert "baggage-spike" in column(alerts, 1)
        assert "delays-spike" not in column(alerts, 1)
        assert "Not watching" in plain(app, "#live-status")  # the watch ended
        await pilot.press("x")
        assert not banner.display
        assert alerts.row_count >= 1  # the list keeps them


@pytest.fixture
def markup_project(
    make_project: Callable[..., Project],
    jsonl: Callable[..., Path],
    record: Callable[..., Any],
    tmp_path: Path,
) -> Project:
    """A JSONL source whose post text and author look like Textual markup, and a tui notifier."""
    jsonl(
        tmp_path / "posts.jsonl",
        [record(1), record(2, text="[bold red]not markup[/] @SkyJet lost", author="[link=x]eve")],
    )
    return make_project(
        "markup",
        extra=(
            '[[sources]]\ntype = "jsonl"\nname = "archive"\npath = "../posts.jsonl"\n\n'
            '[[notifiers]]\nname = "screen"\ntype = "tui"\n'
        ),
    )


@synchronous
async def test_markup_in_posts_and_alerts_is_shown_literally(markup_project: Project) -> None:
    from hubbub.plugins.tui_notifier import TuiNotifier, listeners

    app = live_app(markup_project, cycles=1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        posts = app.screen.query_one("#live-posts", DataTable)
        assert column(posts, 3)[0] == "[bold red]not markup[/] @SkyJet lost"
        assert column(posts, 1)[0] == "@[link=x]eve"
        assert len(listeners()) == 1  # the open live view
        alert = Alert(
            rule="[b]rule[/b]",
            kind="spike",
            subject="[red]topic[/]",
            fired_at=datetime(2026, 5, 1, 12, 0),
            window_start=None,
            window_end=None,
            message="[blink]Spike[/blink] on [red]topic[/]",
            details={},
            example_post_ids=[],
        )
        await asyncio.to_thread(TuiNotifier(key="screen").send, alert)  # as a watch would
        await settle(pilot)
        banner = plain(app, "#live-banner")
        assert "spike · [red]topic[/]" in banner
        assert "[blink]Spike[/blink] on [red]topic[/]" in banner
    assert listeners() == []  # the closed view stopped listening


@synchronous
async def test_w_starts_watching_the_configured_sources(markup_project: Project) -> None:
    app = HubbubApp(markup_project)  # opens on the overview
    app.live = LiveSettings(max_cycles=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("8")
        await settle(pilot)
        assert isinstance(app.screen, LiveScreen)
        assert "Not watching. Press w to watch 1 source" in plain(app, "#live-status")
        assert markup_project.store.count_posts() == 0
        await pilot.press("w")
        await settle(pilot)
        assert markup_project.store.count_posts() == 2
        assert app.screen.query_one("#live-posts", DataTable).row_count == 2
        assert "2 new posts" in plain(app, "#live-status")


@synchronous
async def test_a_project_without_sources_says_how_to_add_one(project: Project) -> None:
    app = live_app(project, cycles=1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "No [[sources]] in hubbub.toml" in plain(app, "#live-status")
        await pilot.press("w")
        await settle(pilot)
        assert app.screen.stop_event is None  # nothing started


@synchronous
async def test_the_live_screen_is_in_the_command_palette(project: Project) -> None:
    from hubbub.tui.commands import palette_commands

    app = HubbubApp(project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [title for title, _help, _callback in palette_commands(app, app.screen)]
        assert "Live (8)" in titles


ROUTED_CONFIG = (
    LIVE_CONFIG.replace('name = "baggage-spike"', 'name = "baggage-spike"\nnotify = ["log"]')
    + """
[[alerts]]
name = "aerolux-negative"
type = "negative_share"
brand = "aerolux"
window = "2m"
threshold = 0.6
min_count = 10
notify = ["screen"]

[[notifiers]]
name = "log"
type = "log"
path = "alerts.jsonl"

[[notifiers]]
name = "screen"
type = "tui"
"""
)


@synchronous
async def test_with_a_tui_notifier_only_what_it_delivers_raises_the_banner(
    make_project: Callable[..., Project],
) -> None:
    project = make_project("routed", extra=DEMO_CONFIG + ROUTED_CONFIG)
    app = live_app(project, cycles=8)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        rules = column(app.screen.query_one("#live-alerts", DataTable), 1)
        assert {"baggage-spike", "aerolux-negative"} <= set(rules)
        banner = plain(app, "#live-banner")
        assert "negative_share · aerolux" in banner
        assert "spike · baggage" not in banner
    logged = (project.directory / "alerts.jsonl").read_text(encoding="utf-8")
    assert "baggage-spike" in logged and "aerolux-negative" not in logged
    delivery = {alert.rule: alert.delivery for alert in list_alerts(project.store)}
    assert delivery["aerolux-negative"] == {"screen": "sent"}
