"""Visual snapshots of each screen of the terminal UI on the demo data, at 80×24.

The demo is seeded and every time frame ends at the data's newest post, so the pictures
do not depend on the day the tests run. Update them after a deliberate change with
``pytest tests/test_tui_snapshots.py --snapshot-update`` and look at the new SVGs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from hubbub.tui.app import HubbubApp


@pytest.fixture(autouse=True)
def _fixed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the bundled plugins; the demo's import run at a fixed time (it is wall-clock)."""
    import hubbub.tui.data

    monkeypatch.setenv("HUBBUB_LOAD_PLUGINS", "")
    real = hubbub.tui.data.source_rows

    def fixed_rows(project: Any) -> list[Any]:
        rows = real(project)
        for row in rows:
            row.last_run = datetime(2026, 4, 1, 8, 0) if row.last_run else None
        return rows

    monkeypatch.setattr(hubbub.tui.data, "source_rows", fixed_rows)


def _after(*keys: str) -> Any:
    async def run_before(pilot: Any) -> None:
        for _ in range(2):
            await pilot.pause()
            await pilot.app.workers.wait_for_complete()
        for key in keys:
            await pilot.press(key)
            for _ in range(2):
                await pilot.pause()
                await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    return run_before


SCREENS = ("overview", "search", "topics", "influencers", "responsiveness", "sources", "plugins")


@pytest.mark.parametrize("screen", SCREENS)
def test_screen(snap_compare: Any, demo_project: Any, screen: str) -> None:
    app = HubbubApp(demo_project, screen=screen)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_after())


def test_help(snap_compare: Any, demo_project: Any) -> None:
    app = HubbubApp(demo_project, screen="plugins")
    assert snap_compare(app, terminal_size=(80, 24), run_before=_after("question_mark"))


def test_search_with_a_query_and_an_open_post(snap_compare: Any, demo_project: Any) -> None:
    keys = (*"lost bag", "enter", "down", "enter")
    app = HubbubApp(demo_project, screen="search")
    assert snap_compare(app, terminal_size=(80, 24), run_before=_after(*keys))


def test_light_theme_on_a_wide_terminal(snap_compare: Any, demo_project: Any) -> None:
    app = HubbubApp(demo_project, screen="topics")
    assert snap_compare(app, terminal_size=(160, 40), run_before=_after("d"))
