"""How result tables print: as a table when it fits the terminal, else one block per row."""

from __future__ import annotations

from typing import Any

import pytest
from hubbub.cli.output import OutputFormat, emit

WIDE_ROWS = [
    {
        "brand": f"brand_number_{n}",
        "inbound": 1100 + n,
        "answered_within_the_target_time": f"{70 + n}.9% ≤ 15m",
        "median_response_time": "9m 29s",
        "slowest_response_time": "5h 28m",
        "note": "[bold red]not markup[/]",
    }
    for n in range(2)
]


def printed(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, **kw: Any) -> str:
    monkeypatch.setenv("COLUMNS", str(kw.pop("columns")))
    emit(kw.pop("rows"), OutputFormat.table, **kw)
    return capsys.readouterr().out


def test_a_table_that_fits_prints_as_a_table(capsys: Any, monkeypatch: Any) -> None:
    rows = [{"brand": "skyjet", "posts": 1953}, {"brand": "aerolux", "posts": 1250}]
    out = printed(capsys, monkeypatch, rows=rows, columns=80, title="Posts by brand")
    lines = out.splitlines()
    assert lines[0].startswith("Posts by brand")
    assert any("brand" in line and "posts" in line and "┃" in line for line in lines)
    assert any("skyjet" in line and "1953" in line for line in lines)


def test_a_table_too_wide_for_the_terminal_prints_each_row_whole(
    capsys: Any, monkeypatch: Any
) -> None:
    out = printed(capsys, monkeypatch, rows=WIDE_ROWS, columns=60, title="Responsiveness")
    lines = [line.rstrip() for line in out.splitlines()]
    assert lines[0] == "Responsiveness"
    assert max(len(line) for line in lines) <= 60
    assert "…" not in out  # nothing cut short
    for n in range(2):
        assert any(line.split() == ["brand", f"brand_number_{n}"] for line in lines)
        assert any(
            line.startswith("answered within the target time") and f"{70 + n}.9% ≤ 15m" in line
            for line in lines
        )
    assert [line for line in lines if line.startswith("─[")] == ["─[ 1 ]─", "─[ 2 ]─"]
    assert "[bold red]not markup[/]" in out  # post text and names are never markup


def test_the_same_rows_print_as_a_table_on_a_wide_terminal(capsys: Any, monkeypatch: Any) -> None:
    out = printed(capsys, monkeypatch, rows=WIDE_ROWS, columns=240)
    assert any("brand_number_0" in line and "1100" in line for line in out.splitlines())


def test_columns_give_way_by_wrapping_between_words_never_inside_one(
    capsys: Any, monkeypatch: Any
) -> None:
    rows = [
        {
            "topic": "baggage",
            "query": '"lost bag" OR #baggage OR luggage OR "where is my suitcase"',
            "tagged_at": "2026-12-02T04:02:24.667695Z",
            "text": "line one\nline two of the post",
        }
    ]
    out = printed(capsys, monkeypatch, rows=rows, columns=80)
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in out
    assert any("2026-12-02T04:02:24.667695Z" in line for line in lines)
    assert any("suitcase" in line for line in lines) and "┃ topic" in out
