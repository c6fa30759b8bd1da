"""The report model and the ``report_sections`` hook: sections from plugins, in order, with
the demo's planted answers in the bundled sections."""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hubbub import hookimpl
from hubbub.plugin_host import PluginHost
from hubbub.project import Project
from hubbub.report import (
    Chart,
    Metric,
    ReportScope,
    Section,
    Series,
    Table,
    build_report,
    render_report,
)


@pytest.fixture(scope="module")
def demo_report(demo_project: Project) -> dict[str, Any]:
    return build_report(demo_project, host=PluginHost(load_entry_points=False)).to_dict()


@pytest.fixture(scope="module")
def expected(demo_project: Project) -> dict[str, Any]:
    return json.loads((demo_project.directory / "expected.json").read_text(encoding="utf-8"))


def _section(report: dict[str, Any], section_id: str) -> dict[str, Any]:
    return next(section for section in report["sections"] if section["id"] == section_id)


def _table(section: dict[str, Any], title_start: str) -> dict[str, Any]:
    return next(table for table in section["tables"] if table["title"].startswith(title_start))


# ---------------------------------------------------------------- the model


def test_a_chart_describes_itself_and_tabulates_its_data() -> None:
    chart = Chart(
        "Posts per day",
        ["2026-03-01", "2026-03-02", "2026-03-03"],
        [Series("posts", [3, 12, None])],
        kind="bar",
        x_label="day",
        marks=["2026-03-02"],
    )
    assert "highest 12 at 2026-03-02" in chart.alt
    assert "Marked: 2026-03-02" in chart.alt
    table = chart.table()
    assert table.columns == ["day", "posts", "marked"]
    assert table.rows[1] == {"day": "2026-03-02", "posts": 12, "marked": True}
    assert table.rows[2]["posts"] is None


def test_a_series_must_match_the_x_labels() -> None:
    with pytest.raises(ValueError, match="has 1 values for 2 x labels"):
        Chart("bad", ["a", "b"], [Series("s", [1])])


def test_an_unknown_window_is_refused() -> None:
    with pytest.raises(Exception, match="unknown window 'month'"):
        ReportScope(window="month")


# ---------------------------------------------------------------- the hook


class _Extra:
    """A third-party corpus analyzer contributing a section."""

    @hookimpl
    def report_sections(self, project: Project, scope: ReportScope) -> list[Section]:
        return [
            Section(
                "extra",
                "Airport lounges",
                intro=f"window {scope.window}",
                metrics=[Metric("lounges", "7")],
                tables=[Table("Lounges", ["name", "visits"], [{"name": "North", "visits": 41}])],
                order=250,
            ),
            Section("overview", "A clashing id", order=999),
        ]


class _Broken:
    @hookimpl
    def report_sections(self) -> list[Section]:
        raise RuntimeError("database on fire")


class _Wrong:
    @hookimpl
    def report_sections(self) -> Any:
        return {"not": "a list"}


def test_plugin_sections_join_in_order_and_failures_are_reported(project: Project) -> None:
    host = PluginHost(load_entry_points=False)
    host.add(_Extra(), name="lounges")
    host.add(_Broken(), name="broken")
    host.add(_Wrong(), name="wrong")
    report = build_report(project, ReportScope(window="week"), host=host)
    ids = [section.id for section in report.sections]
    assert ids[0] == "overview"
    assert "extra" in ids and ids[-1] == "overview-2"  # a clashing id is made unique
    extra = next(section for section in report.sections if section.id == "extra")
    assert extra.source == "lounges" and extra.intro == "window week"
    problems = "\n".join(report.problems)
    assert "'broken'" in problems and "database on fire" in problems
    assert "'wrong'" in problems and "must return a list" in problems
    # and the plugin's section reaches every format without the reporter knowing it
    data = report.to_dict()
    for fmt, needle in (
        ("markdown", "Airport lounges"),
        ("json", '"Airport lounges"'),
        ("csv", "extra,Lounges"),
        ("html", '<h2 id="extra-title">Airport lounges</h2>'),
        ("table", "Airport lounges"),
    ):
        stream = io.StringIO()
        render_report(data, fmt, stream, host=host)
        assert needle in stream.getvalue(), fmt


def test_an_empty_project_gives_an_overview_that_says_so(project: Project) -> None:
    report = build_report(project, host=PluginHost(load_entry_points=False))
    overview = report.sections[0]
    assert overview.id == "overview"
    assert overview.notes == ["No posts in this time frame."]
    assert report.problems == []


# ---------------------------------------------------------------- the demo's numbers


def test_the_overview_counts_every_demo_post(demo_report: dict[str, Any]) -> None:
    overview = _section(demo_report, "overview")
    figures = {item["label"]: item["value"] for item in overview["metrics"]}
    assert figures["Posts"] == "20,000"
    volume = overview["charts"][0]
    assert sum(volume["series"][0]["values"]) == 20_000
    assert volume["x"][0] == "2026-03-02" and len(volume["x"]) == 30


def test_topic_sections_mark_the_planted_spikes(
    demo_report: dict[str, Any], expected: dict[str, Any]
) -> None:
    for spike in expected["spikes"]:
        section = _section(demo_report, f"topic-{spike['topic']}")
        volume = section["charts"][0]
        assert spike["day"] in volume["marks"]
        drivers = _table(section, "Spikes")
        assert spike["day"] in [row["window"] for row in drivers["rows"]]
        assert all(row["terms"] for row in drivers["rows"])
    spiky = {spike["topic"] for spike in expected["spikes"]}
    assert any(
        table["title"].startswith("Emerging terms")
        for table in _section(demo_report, f"topic-{sorted(spiky)[0]}")["tables"]
    )


def test_share_of_voice_matches_the_planted_shares(
    demo_report: dict[str, Any], expected: dict[str, Any]
) -> None:
    section = _section(demo_report, "share-of-voice")
    shares = {item["label"]: item["value"] for item in section["metrics"]}
    for brand, share in expected["share_of_voice"].items():
        assert shares[brand] == f"{share:.1%}"
    over_time = section["charts"][0]
    assert over_time["percent"] and {item["name"] for item in over_time["series"]} == set(
        expected["share_of_voice"]
    )


def test_influencers_list_the_planted_ones_first(
    demo_report: dict[str, Any], expected: dict[str, Any]
) -> None:
    section = _section(demo_report, "influencers")
    for topic, handles in expected["influencers"].items():
        table = _table(section, f"{topic}: top")
        top = [row["handle"] for row in table["rows"][: len(handles)]]
        assert set(top) == set(handles)
        assert all(row["why"] for row in table["rows"])
    assert any("follower counts miss" in note for note in section["notes"])


def test_responsiveness_matches_the_planted_rates(
    demo_report: dict[str, Any], expected: dict[str, Any]
) -> None:
    section = _section(demo_report, "responsiveness")
    board = {row["brand"]: row for row in _table(section, "Leaderboard")["rows"]}
    for brand, figures in expected["responsiveness"].items():
        assert board[brand]["response_rate"] == f"{figures['response_rate']:.1%}"
    waiting = _table(section, "Customers still waiting")
    assert waiting["rows"] and waiting["total_rows"] >= len(waiting["rows"])
    created = [row["created_at"] for row in waiting["rows"]]
    assert created == sorted(created)
    titles = [chart["title"] for chart in section["charts"]]
    assert "First-response time distribution" in titles


def test_a_time_frame_narrows_every_section(demo_project: Project) -> None:
    scope = ReportScope(datetime(2026, 3, 16), datetime(2026, 3, 23), "day", "UTC")
    report = build_report(demo_project, scope, host=PluginHost(load_entry_points=False))
    data = report.to_dict()
    overview = _section(data, "overview")
    assert overview["charts"][0]["x"] == [f"2026-03-{day}" for day in range(16, 23)]
    posts = int(
        next(m["value"] for m in overview["metrics"] if m["label"] == "Posts").replace(",", "")
    )
    assert 0 < posts < 20_000
    assert data["scope"]["since"] == "2026-03-16T00:00:00Z"
    sov = _section(data, "share-of-voice")
    assert len(sov["charts"][0]["x"]) == 7


def test_the_demo_writes_its_html_report(demo_project: Project) -> None:
    path = Path(demo_project.directory) / "report.html"
    html = path.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "Share of voice" in html
