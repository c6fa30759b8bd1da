"""End to end: ``hubbub tui`` in a real terminal (tmux), driven with send-keys.

Skipped when tmux is not installed, except on CI (``CI`` set), where it must run.
Each run uses its own tmux server socket, so a developer's sessions are never touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

TMUX = shutil.which("tmux")
if TMUX is None:
    if os.environ.get("CI"):
        pytest.fail("tmux is required on CI for the terminal UI end-to-end test", pytrace=False)
    pytest.skip("tmux is not installed", allow_module_level=True)


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Callable[..., str]]:
    """Run ``tmux ARGS…`` on a private server; the server is killed afterwards."""
    socket = f"hubbub-test-{os.getpid()}-{tmp_path.name}"

    def run(*args: str) -> str:
        done = subprocess.run(
            [TMUX, "-L", socket, *args], capture_output=True, text=True, timeout=20
        )
        return done.stdout

    yield run
    subprocess.run([TMUX, "-L", socket, "kill-server"], capture_output=True, timeout=20)


def wait_for(tmux: Callable[..., str], text: str, timeout: float = 30) -> str:
    """The pane's text once it shows ``text`` (fails with the last screen after ``timeout``)."""
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = tmux("capture-pane", "-p", "-t", "tui")
        if text in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{text!r} did not appear; the screen was:\n{screen}")


def test_tui_in_tmux(tmux: Callable[..., str], demo_project: Any, hubbub_bin: Path) -> None:
    command = f"'{hubbub_bin}' tui -p '{demo_project.directory}'; sleep 30"
    tmux(
        "new-session", "-d", "-s", "tui", "-x", "100", "-y", "30",
        "-e", "HUBBUB_LOAD_PLUGINS=", "-e", "TERM=xterm-256color", command,
    )  # fmt: skip
    screen = wait_for(tmux, "posts in last 30 days")
    assert "hubbub · SkyJet demo" in screen
    assert "Share of voice" in wait_for(tmux, "skyjet")

    tmux("send-keys", "-t", "tui", "2")
    wait_for(tmux, "match 'everything'")
    tmux("send-keys", "-t", "tui", "-l", '"lost bag"')
    tmux("send-keys", "-t", "tui", "Enter")
    screen = wait_for(tmux, "posts match '\"lost bag\"'")
    assert "lost bag" in screen.split("posts match", 1)[1]

    tmux("send-keys", "-t", "tui", "5")
    wait_for(tmux, "Leaderboard")
    screen = wait_for(tmux, "skyjet")
    assert "aerolux" in screen and "globair" in screen and "%" in screen

    tmux("send-keys", "-t", "tui", "q")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "Leaderboard" in tmux("capture-pane", "-p", "-t", "tui"):
        time.sleep(0.2)
    assert "Leaderboard" not in tmux("capture-pane", "-p", "-t", "tui")  # the app quit
