"""The terminal UI, driven through Textual's Pilot on the demo project and small projects.

Every screen must open and show the numbers the core API computes; the main actions
(search and open a post, time frames, theme, help, palette, saving a topic, exporting
GEXF, ingesting in a worker) must work without blocking the event loop, and errors must
become notifications.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hubbub.tui.app import HubbubApp
from hubbub.tui.screens import HelpScreen
from textual.widgets import DataTable
from tui_helpers import column, settle, static_text, synchronous

SIZE = (100, 34)


# ---------------------------------------------------------------- screens on the demo


@synchronous
async def test_overview_shows_the_demo_numbers(demo_project: Any) -> None:
    from hubbub.share_of_voice import compute_share_of_voice

    app = HubbubApp(demo_project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.loaded[-1] == "overview"
        frame = app.timeframe
        assert frame.key == "30d" and frame.until is not None
        summary = static_text(app, "#ov-summary")
        assert f"{demo_project.store.count_posts():,} posts in last 30 days" in summary
        shares = compute_share_of_voice(demo_project, since=frame.since, until=frame.until)
        sov = static_text(app, "#ov-sov")
        for brand, share in shares.totals().items():
            assert brand in sov and f"{share * 100:.1f}%" in sov
        alerts = static_text(app, "#ov-alerts")
        assert "spike" in alerts and "topic:delays" in alerts
        assert "customers still waiting" in alerts


@synchronous
async def test_the_overview_shows_what_it_has_while_the_rest_is_computed(
    demo_project: Any, monkeypatch: Any
) -> None:
    import hubbub.responsiveness

    release = threading.Event()
    original = hubbub.responsiveness.analyze_responsiveness

    def slow(*args: Any, **kwargs: Any) -> Any:
        release.wait(10)
        return original(*args, **kwargs)

    monkeypatch.setattr(hubbub.responsiveness, "analyze_responsiveness", slow)
    app = HubbubApp(demo_project)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(100):  # the preview arrives while responsiveness is held back
            await pilot.pause(0.05)
            if "%" in static_text(app, "#ov-sov"):
                break
        assert "posts in last 30 days" in static_text(app, "#ov-summary")
        assert "Loading…" in static_text(app, "#ov-alerts")
        assert "overview" not in app.loaded
        release.set()
        await settle(pilot)
        assert app.loaded[-1] == "overview"
        assert "customers still waiting" in static_text(app, "#ov-alerts")


@synchronous
async def test_every_screen_opens_with_demo_data(demo_project: Any) -> None:
    from hubbub.influence import topic_influence
    from hubbub.responsiveness import responsiveness_table

    app = HubbubApp(demo_project, screen="topics")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        spikes = app.screen.query_one("#spikes", DataTable)
        assert spikes.row_count >= 1 and "delays" in column(spikes, 1)
        assert "#stormdelay" in static_text(app, "#spike-detail")

        await pilot.press("4")
        await settle(pilot)
        frame = app.timeframe
        expected = topic_influence(
            demo_project, topic="baggage", since=frame.since, until=frame.until
        )
        table = app.screen.query_one("#influencers", DataTable)
        assert column(table, 1)[:5] == [row["handle"] for row in expected.rows()[:5]]
        assert "★" in column(table, 5)
        assert "would miss" in static_text(app, "#explain")
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert static_text(app, "#influence-summary").startswith("delays")

        await pilot.press("5")
        await settle(pilot)
        board = app.screen.query_one("#leaderboard", DataTable)
        rows = responsiveness_table(demo_project, since=frame.since, until=frame.until)
        assert column(board, 1) == [row["brand"] for row in rows]
        assert column(board, 4)[0] == rows[0]["median"]
        assert app.screen.query_one("#waiting", DataTable).row_count > 0

        await pilot.press("6")
        await settle(pilot)
        sources = app.screen.query_one("#sources", DataTable)
        assert column(sources, 0) == ["file:…/posts.jsonl"]
        assert "line 20000" in column(sources, 8)[0]

        await pilot.press("7")
        await settle(pilot)
        plugins = column(app.screen.query_one("#plugins", DataTable), 0)
        assert {"native", "sentiment", "influence"} <= set(plugins)
        assert "register_sources" in static_text(app, "#plugin-detail")
        assert app.loaded[-1] == "plugins"


@synchronous
async def test_search_a_query_and_open_a_post(demo_project: Any) -> None:
    from hubbub.search import count_matches

    app = HubbubApp(demo_project, frame="all", screen="search")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.click("#query")
        await pilot.press(*"@SkyJet route", "enter")
        await settle(pilot)
        total = count_matches(demo_project.store, "@SkyJet route")
        assert total > 0
        assert static_text(app, "#search-status").startswith(f"{total:,} posts")
        table = app.screen.query_one("#results", DataTable)
        assert table.row_count == min(total, 50)
        first = table.get_row_at(0)[2]
        assert any(span.style == "bold reverse" for span in first.spans)  # the match is marked
        await pilot.press("enter")
        await settle(pilot)
        pane = static_text(app, "#post")
        author = str(table.get_row_at(0)[1])
        assert f"@{author}" in pane
        assert "skyjet answered" in pane or "skyjet has not answered" in pane


@synchronous
async def test_search_pages_and_bad_queries(demo_project: Any) -> None:
    app = HubbubApp(demo_project, frame="all", screen="search")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = str(app.screen.query_one("#results", DataTable).get_row_at(0)[2])
        app.screen.query_one("#results", DataTable).focus()
        await pilot.press("n")
        await settle(pilot)
        assert "page 2/" in static_text(app, "#search-status")
        assert str(app.screen.query_one("#results", DataTable).get_row_at(0)[2]) != first
        await pilot.press("slash", *"(lost", "enter")
        await settle(pilot)
        assert "query error" in static_text(app, "#search-status")
        assert app.is_running


@synchronous
async def test_time_frame_changes_every_screen(demo_project: Any) -> None:
    from hubbub.sentiment_summary import project_summary

    app = HubbubApp(demo_project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t", "t")  # 30d -> all -> 24h: the stale load is dropped
        await settle(pilot)
        frame = app.timeframe
        assert frame.key == "24h" and frame.days == 1
        assert "last 24 h" in app.sub_title
        rows = project_summary(
            demo_project.config,
            demo_project.store,
            by="overall",
            since=frame.since,
            until=frame.until,
        )
        assert f"{rows[0]['posts']:,} posts in last 24 h" in static_text(app, "#ov-summary")
        await pilot.press("5")  # a screen opened later follows the frame too
        await settle(pilot)
        assert app.screen.query_one("#leaderboard", DataTable).row_count == 3


@synchronous
async def test_custom_time_frame_dialog(demo_project: Any) -> None:
    app = HubbubApp(demo_project)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("T")
        await pilot.pause()
        app.screen.query_one("#since").value = "2026-03-10"
        app.screen.query_one("#until").value = "2026-03-12"
        await pilot.click("#ok")
        await settle(pilot)
        assert app.timeframe.key == "custom"
        assert app.timeframe.label == "2026-03-10 00:00 – 2026-03-13 00:00"
        assert "posts in 2026-03-10" in static_text(app, "#ov-summary")


@synchronous
async def test_theme_help_and_palette(demo_project: Any) -> None:
    from hubbub.tui.commands import palette_commands

    app = HubbubApp(demo_project, screen="plugins")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        await pilot.press("d")
        assert app.theme == "textual-light"
        await pilot.press("d")
        assert app.theme == "textual-dark"

        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)

        titles = [title for title, _help, _run in palette_commands(app, app.screen)]
        for wanted in ("Search (2)", "Influencers (4)", "Theme (d)", "Time frame: last 7 days"):
            assert wanted in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Influencers")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "influencers"


@synchronous
async def test_export_gexf(demo_project: Any, tmp_path: Path) -> None:
    app = HubbubApp(demo_project, screen="influencers")
    app.export_dir = tmp_path
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
    written = tmp_path / "baggage-influence.gexf"
    assert written.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert "thejessh" in written.read_text(encoding="utf-8") or "<node " in written.read_text()


@synchronous
async def test_a_failing_analysis_is_a_notification(
    demo_project: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hubbub.trends

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("the trends broke [bold]here[/bold]")

    monkeypatch.setattr(hubbub.trends, "compute_trends", broken)
    app = HubbubApp(demo_project, screen="topics")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.is_running
        messages = [note.message for note in app._notifications]
        assert "RuntimeError: the trends broke [bold]here[/bold]" in messages


# ---------------------------------------------------------------- small projects


@pytest.fixture
def small_project(
    make_project: Callable[..., Any],
    jsonl: Callable[..., Path],
    record: Callable[..., Any],
    tmp_path: Path,
) -> Any:
    """A project with one configured JSONL source of 30 posts (not ingested yet)."""
    records = [record(n) for n in range(1, 30)]
    records.append(record(30, text="[bold red]not markup[/] @SkyJet lost", author="[link=x]eve"))
    jsonl(tmp_path / "posts.jsonl", records)
    return make_project(
        "small",
        extra=(
            '[[sources]]\ntype = "jsonl"\nname = "archive"\npath = "../posts.jsonl"\n\n'
            '[brands.skyjet]\nhandles = ["SkyJet"]\n'
        ),
    )


@synchronous
async def test_ingest_runs_in_a_worker_with_progress(small_project: Any) -> None:
    app = HubbubApp(small_project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        assert small_project.store.count_posts() == 30
        assert "30 new posts" in static_text(app, "#ingest-status")
        sources = app.screen.query_one("#sources", DataTable)
        assert column(sources, 0) == ["archive"] and column(sources, 6) == ["30"]
        assert app.newest is not None  # the frame is re-anchored on the new data


@synchronous
async def test_ingest_does_not_block_the_event_loop(
    small_project: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hubbub.tui.data

    started, release = threading.Event(), threading.Event()
    real = hubbub.tui.data.run_configured_sources

    def gated(*args: Any, **kwargs: Any) -> Any:
        started.set()
        assert release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(hubbub.tui.data, "run_configured_sources", gated)
    app = HubbubApp(small_project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        await settle(pilot)
        await pilot.press("i")
        await pilot.pause()
        assert started.wait(5)
        await pilot.press("d")  # the UI still answers while the ingest runs
        await pilot.pause()
        assert app.theme == "textual-light"
        assert "Ingesting" in static_text(app, "#ingest-status")
        release.set()
        await settle(pilot)
        assert small_project.store.count_posts() == 30


@synchronous
async def test_post_text_is_never_markup(small_project: Any) -> None:
    from hubbub.tui.data import run_configured_sources

    run_configured_sources(small_project)
    app = HubbubApp(small_project, frame="all")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        await pilot.press(*"not", "enter")
        await settle(pilot)
        table = app.screen.query_one("#results", DataTable)
        assert table.row_count == 1
        assert column(table, 1) == ["[link=x]eve"]
        assert column(table, 2)[0].startswith("[bold red]not markup[/]")
        await pilot.press("enter")
        await settle(pilot)
        assert "[bold red]not markup[/]" in static_text(app, "#post")


@synchronous
async def test_save_a_query_as_a_topic(small_project: Any) -> None:
    from hubbub.config import load_config
    from hubbub.tui.data import run_configured_sources

    run_configured_sources(small_project)
    app = HubbubApp(small_project, frame="all")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        await pilot.press(*"#baggage", "enter")
        await settle(pilot)
        await pilot.press("s")
        await pilot.pause()
        await pilot.press(*"bags", "enter")
        await settle(pilot)
        assert any(note.message == "Saved topic 'bags': 30 posts" for note in app._notifications)
    assert load_config(small_project.config_path).topics == {"bags": "#baggage"}
    assert small_project.config.topics == {"bags": "#baggage"}


def test_save_topic_rejects_bad_names_and_queries(small_project: Any) -> None:
    from hubbub.errors import HubbubError
    from hubbub.tui.data import save_topic

    before = small_project.config_path.read_text(encoding="utf-8")
    for name, query in (("two words", "x"), ("ok", "(unclosed")):
        with pytest.raises(HubbubError):
            save_topic(small_project, name, query)
    assert small_project.config_path.read_text(encoding="utf-8") == before
    save_topic(small_project, "quotes", 'say "hi" \\ there')
    assert small_project.config.topics["quotes"] == 'say "hi" \\ there'
    with pytest.raises(HubbubError, match="already exists"):
        save_topic(small_project, "quotes", "x")


def test_time_frames_follow_the_data() -> None:
    from datetime import datetime, timedelta

    from hubbub.tui.timeframe import custom, next_preset, preset

    newest = datetime(2026, 3, 31, 23, 59, 24)
    week = preset("7d", newest)
    assert week.until == newest + timedelta(seconds=1)
    assert week.until - week.since == timedelta(days=7)
    assert week.trend_window() == "day" and preset("24h", newest).trend_window() == "hour"
    assert preset("all", newest).since is None
    assert [next_preset(key) for key in ("24h", "7d", "30d", "all", "custom")] == [
        "7d",
        "30d",
        "all",
        "24h",
        "24h",
    ]
    with pytest.raises(ValueError):
        custom(newest, newest)
