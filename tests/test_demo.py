"""The demo as a user gets it: reproducible, and every planted answer found."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hubbub.demo.build import build_demo
from hubbub.demo.check import planted_vs_measured
from hubbub.export import iter_native


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return build_demo(tmp_path_factory.mktemp("demo") / "demo")


def test_every_planted_answer_is_measured(demo: Any) -> None:
    expected = json.loads(demo.expected_path.read_text(encoding="utf-8"))
    checks = planted_vs_measured(demo.project, expected)
    analyses = {check.analysis for check in checks}
    assert analyses == {"responsiveness", "share of voice", "spikes", "influence"}
    failed = [check.row() for check in checks if not check.ok]
    assert failed == []


def test_the_demo_command_prints_the_checks(cli: Any, tmp_path: Path) -> None:
    result = cli("demo", str(tmp_path / "d"), "--posts", "2000", "--no-tui")
    assert result.exit_code == 0, result.output
    assert "Planted answers (expected.json) vs measured" in result.stdout
    assert "corpus overview" in result.stdout
    assert (tmp_path / "d" / "expected.json").is_file()


def test_same_seed_same_data_and_a_rebuild_replaces_the_old_one(tmp_path: Path) -> None:
    first = build_demo(tmp_path / "a", seed=7, posts=2000)
    second = build_demo(tmp_path / "b", seed=7, posts=2000)
    rows_a = [
        {k: v for k, v in r.items() if k != "annotations"} for r in iter_native(first.project.store)
    ]
    rows_b = [
        {k: v for k, v in r.items() if k != "annotations"}
        for r in iter_native(second.project.store)
    ]
    assert rows_a == rows_b
    assert len(rows_a) == first.summary.stored
    again = build_demo(tmp_path / "a", seed=8, posts=2000)
    assert again.project.store.count_posts() == again.summary.stored  # old data gone
    rows_c = [r["id"] for r in iter_native(again.project.store)]
    assert rows_c != [r["id"] for r in rows_a]


def test_the_demo_refuses_a_folder_that_is_not_a_demo(cli: Any, tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me", encoding="utf-8")
    result = cli("demo", str(tmp_path / "mine"), "--no-tui")
    assert result.exit_code == 1
    assert "not empty and not a hubbub demo" in result.stderr
    assert (tmp_path / "mine" / "notes.txt").read_text(encoding="utf-8") == "keep me"
