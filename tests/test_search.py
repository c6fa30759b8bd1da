"""``hubbub search`` and :func:`hubbub.search.search`: limit, sort, time window, highlights."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson
import pytest
from hubbub.posts import Post
from hubbub.project import Project
from hubbub.query import parse_query, time_bounds
from hubbub.search import count_matches, highlight_spans, search

#: every test that builds a project runs on SQLite and on PostgreSQL (tests/conftest.py)
pytestmark = pytest.mark.backends

POSTS = [
    # external id, minute of 2026-03-10 08:00 UTC, text, likes
    ("p1", 0, "refund please, my refund is late", 1),
    ("p2", 10, "Refunds take forever #refund", 50),
    ("p3", 20, "no refund talk here, just [bold red]markup[/] and luggage", 7),
    ("p4", 30, "luggage lost again", 0),
    ("p5", 40, "@SkyJet refunded me finally", 3),
]


@pytest.fixture
def proj(make_project: Callable[..., Project]) -> Project:
    """A project in UTC with :data:`POSTS`."""
    project = make_project()
    posts = [
        Post(
            platform="twitter",
            external_id=external_id,
            author=f"user{index}",
            text=text,
            created_at=datetime(2026, 3, 10, 8, minute),
            likes=likes,
            hashtags=["refund"] if "#refund" in text else [],
            mentions=["SkyJet"] if "@SkyJet" in text else [],
        )
        for index, (external_id, minute, text, likes) in enumerate(POSTS)
    ]
    project.store.write_batch(posts, [], source="test")
    return project


def _ids(hits: list[Any]) -> list[str]:
    return [hit.external_id for hit in hits]


def test_newest_first_with_a_limit(proj: Project) -> None:
    assert _ids(search(proj.store, "refund*")) == ["p5", "p3", "p2", "p1"]
    assert _ids(search(proj.store, "refund*", limit=2)) == ["p5", "p3"]
    assert count_matches(proj.store, "refund*") == 4


def test_other_sort_orders(proj: Project) -> None:
    assert _ids(search(proj.store, "refund*", sort="oldest")) == ["p1", "p2", "p3", "p5"]
    assert _ids(search(proj.store, "refund*", sort="engagement")) == ["p2", "p3", "p5", "p1"]
    # BM25: the post saying "refund" twice in few words ranks first
    assert _ids(search(proj.store, "refund", sort="relevance"))[0] == "p1"


def test_since_and_until(proj: Project) -> None:
    since, until = time_bounds("2026-03-10T08:10", "2026-03-10T08:30", timezone="UTC")
    # --until with a minute includes that minute
    assert _ids(search(proj.store, "*", since=since, until=until, sort="oldest")) == [
        "p2",
        "p3",
        "p4",
    ]
    assert count_matches(proj.store, "luggage", since=since, until=until) == 2


def test_time_bounds_read_dates_in_the_time_zone() -> None:
    since, until = time_bounds("2026-03-10", "2026-03-10", timezone="Europe/Amsterdam")
    assert since == datetime(2026, 3, 9, 23, 0)
    assert until == datetime(2026, 3, 10, 23, 0)
    since, _ = time_bounds("7d", None, now=datetime(2026, 3, 10, 12, 0))
    assert since == datetime(2026, 3, 3, 12, 0)


def test_highlights_mark_what_matched(proj: Project) -> None:
    assert search(proj.store, "refund* lost -luggage") == []
    (p2,) = [h for h in search(proj.store, "refund* OR #refund") if h.external_id == "p2"]
    assert [p2.text[a:b] for a, b in p2.highlights] == ["Refunds", "#refund"]
    (p5,) = search(proj.store, "@SkyJet")
    assert [p5.text[a:b] for a, b in p5.highlights] == ["@SkyJet"]


def test_negated_terms_are_not_highlighted() -> None:
    terms = parse_query("refund -luggage").highlight_terms()
    assert highlight_spans("refund luggage", terms) == [(0, 6)]


def test_highlight_spans_for_phrases_prefixes_accents_and_arabic() -> None:
    def marked(text: str, query: str) -> list[str]:
        return [text[a:b] for a, b in highlight_spans(text, parse_query(query).highlight_terms())]

    assert marked("The lost bag, a LOST Bag!", '"lost bag"') == ["lost bag", "LOST Bag"]
    assert marked("bag lost", '"lost bag"') == []
    assert marked("Delayed, delays, delay", "delay*") == ["Delayed", "delays", "delay"]
    assert marked("Café crème", "cafe creme") == ["Café", "crème"]
    assert marked("فقدت حقيبتي في المطار", '"فقدت حقيبتي"') == ["فقدت حقيبتي"]
    assert marked("#Baggage and baggage", "#baggage") == ["#Baggage"]
    assert marked("hi @SkyJetHelp and @skyjet", "@SkyJet") == ["@skyjet"]


# ---------------------------------------------------------------- the command


def test_search_command_prints_json_and_csv(proj: Project, cli: Callable[..., Any]) -> None:
    result = cli("search", "luggage", "-p", proj.directory, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = orjson.loads(result.stdout)
    assert [row["id"] for row in rows] == ["p4", "p3"]
    assert rows[0]["created_at"] == "2026-03-10T08:30:00Z"
    result = cli("search", "luggage", "-p", proj.directory, "--format", "csv", "--limit", "1")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("id,platform,author,created_at,text")
    assert len(lines) == 2 and lines[1].startswith("p4,")


def test_search_table_highlights_and_never_reads_markup_from_posts(
    proj: Project, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    result = cli("search", "luggage", "-p", proj.directory)
    assert result.exit_code == 0, result.output
    assert "2 of 2 posts matching 'luggage', newest first" in result.stdout
    assert "[bold red]markup[/]" in result.stdout  # shown as written, not as style
    assert "\x1b[1;7mluggage\x1b[0m" in result.stdout  # the match in bold reverse


def test_search_command_rejects_a_bad_since(
    proj: Project, cli: Callable[..., Any], error_line: Callable[[str], str]
) -> None:
    result = cli("search", "luggage", "-p", proj.directory, "--since", "last tuesday")
    assert result.exit_code == 1
    assert "--since 'last tuesday'" in error_line(result.stderr)


def test_export_writes_only_posts_matching_a_query(
    proj: Project, cli: Callable[..., Any], parse_jsonl: Callable[[str], list[dict[str, Any]]]
) -> None:
    result = cli("export", "-p", proj.directory, "--query", "luggage OR @SkyJet")
    assert result.exit_code == 0, result.output
    assert [record["id"] for record in parse_jsonl(result.stdout)] == ["p3", "p4", "p5"]
    assert "Exported 3 posts" in result.stderr
    result = cli("export", "-p", proj.directory, "--query", "luggage)")
    assert result.exit_code == 1
    assert "query error at position 8" in result.stderr
