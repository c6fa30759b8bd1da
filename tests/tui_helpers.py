"""What the TUI tests share: running async tests, waiting for workers, reading widgets."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from typing import Any

from hubbub.tui.app import HubbubApp
from rich.text import Text
from textual.widgets import DataTable, Static


def synchronous(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async test with ``asyncio.run`` (no async pytest plugin needed)."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


async def settle(pilot: Any, rounds: int = 2) -> None:
    """Let messages run and every worker finish, ``rounds`` times (a loaded screen, or a
    watch, may start more)."""
    for _ in range(rounds):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def static_text(app: HubbubApp, selector: str) -> str:
    """The plain text a Static on the current screen shows."""
    content = app.screen.query_one(selector, Static).content
    return content.plain if isinstance(content, Text) else str(content)


def column(table: DataTable, index: int) -> list[str]:
    """The plain text of one column of a DataTable."""
    return [
        str(getattr(row[index], "plain", row[index]))
        for row in map(table.get_row_at, range(table.row_count))
    ]
