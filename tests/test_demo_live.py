"""``hubbub demo --live``: the demo project watching its simulated stream, headless.

The HTML report is replaced by a stub (``test_demo.py`` covers it) so the build is
quick; simulated time runs as fast as possible (``--speed 0``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from hubbub.config import load_config
from typer.testing import Result


@pytest.fixture
def quick_report(monkeypatch: pytest.MonkeyPatch) -> None:
    """``build_demo`` writes a stub instead of the full HTML report."""

    def stub(_project: Any, path: Path, **_kwargs: Any) -> Path:
        path.write_text("<html></html>\n", encoding="utf-8")
        return path

    monkeypatch.setattr("hubbub.report.write_html_report", stub)


def test_live_demo_fires_a_spike_on_the_burst_topic_only(
    cli: Callable[..., Result], tmp_path: Path, quick_report: None
) -> None:
    directory = tmp_path / "demo"
    result = cli(
        "demo", directory, "--posts", "1000", "--live", "--no-tui",
        "--duration", "2m30s", "--speed", "0",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    alert_lines = [line for line in result.stdout.splitlines() if " ALERT " in line]
    assert any("[baggage-spike] Spike on topic baggage" in line for line in alert_lines)
    assert not any("delays" in line for line in alert_lines)
    assert any("[aerolux-negative]" in line for line in alert_lines)
    assert "Watched 31 cycles" in result.stderr  # at 0 s, 5 s, … 150 s
    # the log notifier wrote the same alerts
    logged = [
        orjson.loads(line)
        for line in (directory / "alerts.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert {item["rule"] for item in logged} >= {"baggage-spike", "aerolux-negative"}
    assert "delays-spike" not in {item["rule"] for item in logged}
    assert len(logged) == len(alert_lines)
    spike = next(item for item in logged if item["rule"] == "baggage-spike")
    assert spike["details"]["count"] >= 10 and spike["example_post_ids"]
    # the project keeps its live configuration, for `hubbub watch` and `hubbub tui`
    config = load_config(directory / "hubbub.toml")
    assert [source.type for source in config.sources] == ["demo-stream"]
    assert {rule["type"] for rule in config.alerts} == {
        "spike",
        "negative_share",
        "waiting_customer",
    }
    assert {item["type"] for item in config.notifiers} == {"log", "tui"}


def test_a_bad_duration_is_a_one_line_error(
    cli: Callable[..., Result], tmp_path: Path, error_line: Callable[[str], str]
) -> None:
    result = cli("demo", tmp_path / "demo", "--live", "--no-tui", "--duration", "soon")
    assert result.exit_code == 1
    assert error_line(result.stderr).startswith("Error: --duration: expected a duration")
    assert not (tmp_path / "demo").exists()  # refused before building anything
