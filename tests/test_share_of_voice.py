"""Share of voice against hand-computed values, and against the demo's planted answer."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from hubbub.posts import Post
from hubbub.project import Project
from hubbub.share_of_voice import compute_share_of_voice, share_of_voice
from hubbub.store import posts_table

BRANDS_TOML = """
[brands.acme]
handles = ["Acme", "AcmeHelp"]
keywords = ["acme"]

[brands.globex]
handles = ["Globex"]
keywords = ["globex"]

[brands.initech]
handles = ["Initech"]
keywords = ["initech"]
"""

TUESDAY = datetime(2026, 3, 3, 12, 0)

#: (id, author, text, mentions, likes, reposts, replies, created_at, brands it mentions)
POSTS: list[tuple[str, str, str, list[str], int, int, int, datetime, set[str]]] = [
    ("1", "u1", "@Acme my order is late", ["Acme"], 10, 0, 0, TUESDAY, {"acme"}),
    ("2", "u2", "loving acme's new app", [], 0, 2, 0, TUESDAY, {"acme"}),
    ("3", "u2", "acme_fan club meets today", [], 50, 0, 0, TUESDAY, set()),
    ("4", "u3", "@AcmeHelp thanks!", ["AcmeHelp"], 1, 0, 0, TUESDAY, {"acme"}),
    ("5", "Acme", "Acme news: globex who?", [], 100, 0, 0, TUESDAY, {"globex"}),
    ("6", "u4", "#acme vs #globex", [], 3, 0, 1, TUESDAY, {"acme", "globex"}),
    ("7", "u5", "write to initech@example.com", [], 9, 0, 0, TUESDAY, set()),
    ("8", "u5", "RT @Initech: big news", ["Initech"], 0, 0, 0, TUESDAY, {"initech"}),
    ("9", "u6", "ACME!!!", [], 2, 0, 0, TUESDAY, {"acme"}),
    ("10", "u7", "acmeglobex is not a word", [], 5, 0, 0, TUESDAY, set()),
    # 02:00 UTC on Monday 9 March is still Sunday 8 March in New York (EDT, UTC-4)
    ("11", "u8", "globex again", [], 4, 0, 0, datetime(2026, 3, 9, 2, 0), {"globex"}),
    ("12", "u9", "initech rocks", [], 0, 0, 0, datetime(2026, 3, 10, 12, 0), {"initech"}),
]
SENTIMENT = {"1": "negative", "2": "positive", "5": "positive", "6": "negative"}


@pytest.fixture
def proj(make_project: Callable[..., Project]) -> Project:
    """A New York project with three brands, :data:`POSTS` and some sentiment labels."""
    project = make_project(timezone="America/New_York", extra=BRANDS_TOML)
    posts = [
        Post(
            platform="twitter",
            external_id=external_id,
            author=author,
            text=text,
            mentions=mentions,
            likes=likes,
            reposts=reposts,
            replies=replies,
            created_at=created_at + timedelta(minutes=index),
            repost_of_id="99" if text.startswith("RT ") else None,
        )
        for index, (
            external_id,
            author,
            text,
            mentions,
            likes,
            reposts,
            replies,
            created_at,
            _b,
        ) in enumerate(POSTS)
    ]
    project.store.write_batch(posts, [], source="test")
    with project.store.engine.connect() as conn:
        ids = dict(conn.execute(sa.select(posts_table.c.external_id, posts_table.c.id)).all())
    project.store.write_annotations(
        [
            {
                "post_id": ids[key],
                "analyzer": "sentiment",
                "key": "label",
                "version": "1",
                "value": label,
            }
            for key, label in SENTIMENT.items()
        ]
    )
    return project


def _by_brand(result: Any, window: str = "all") -> dict[str, Any]:
    return {item.brand: item for item in result.shares if item.window == window}


def test_the_rule_decides_which_posts_mention_which_brand(proj: Project) -> None:
    from hubbub.share_of_voice import mentioning_posts

    found = {
        post.external_id: set(names)
        for post, names, _ in mentioning_posts(proj.store, proj.config.brands)
    }
    expected = {external_id: brands for external_id, *_rest, brands in POSTS if brands}
    assert found == expected


def test_share_by_mentions_over_the_whole_period(proj: Project) -> None:
    result = compute_share_of_voice(proj)
    shares = _by_brand(result)
    assert {brand: item.mentions for brand, item in shares.items()} == {
        "acme": 5,
        "globex": 3,
        "initech": 2,
    }
    assert shares["acme"].share == pytest.approx(5 / 10)
    assert shares["globex"].share == pytest.approx(3 / 10)
    assert shares["initech"].share == pytest.approx(2 / 10)


def test_share_by_engagement(proj: Project) -> None:
    result = compute_share_of_voice(proj, by="engagement")
    shares = _by_brand(result)
    # acme: 10 + (0+2) + 1 + (3+1) + 2 = 19; globex: 100 + 4 + 4 = 108; initech: 0
    assert {brand: item.engagement for brand, item in shares.items()} == {
        "acme": 19,
        "globex": 108,
        "initech": 0,
    }
    assert shares["acme"].share == pytest.approx(19 / 127)
    assert shares["globex"].share == pytest.approx(108 / 127)
    assert shares["initech"].share == 0.0


def test_split_by_sentiment(proj: Project) -> None:
    shares = _by_brand(compute_share_of_voice(proj))
    assert shares["acme"].sentiment == {
        "positive": 1,
        "negative": 2,
        "neutral": 0,
        "unsupported": 0,
        "unanalysed": 2,
    }
    assert shares["globex"].sentiment["positive"] == 1
    assert shares["globex"].sentiment["negative"] == 1
    assert shares["initech"].sentiment["unanalysed"] == 2
    # of all negative voice (acme 2, globex 1), acme holds two thirds
    assert shares["acme"].sentiment_share["negative"] == pytest.approx(2 / 3)
    assert shares["globex"].sentiment_share["negative"] == pytest.approx(1 / 3)
    assert shares["acme"].sentiment_share["positive"] == pytest.approx(1 / 2)
    assert shares["initech"].sentiment_share["neutral"] == 0.0


def test_weekly_windows_in_the_project_time_zone(proj: Project) -> None:
    result = compute_share_of_voice(proj, window="week")
    assert sorted({item.window for item in result.shares}) == ["2026-03-02", "2026-03-09"]
    first, second = _by_brand(result, "2026-03-02"), _by_brand(result, "2026-03-09")
    # post 11 is on Sunday 8 March in New York: it belongs to the first week there
    assert {b: i.mentions for b, i in first.items()} == {"acme": 5, "globex": 3, "initech": 1}
    assert first["acme"].share == pytest.approx(5 / 9)
    assert {b: i.mentions for b, i in second.items()} == {"acme": 0, "globex": 0, "initech": 1}
    assert second["initech"].share == 1.0 and second["acme"].share == 0.0
    in_utc = share_of_voice(proj.store, proj.config.brands, timezone="UTC", window="week")
    assert _by_brand(in_utc, "2026-03-09")["globex"].mentions == 1


def test_since_and_until_restrict_the_posts(proj: Project) -> None:
    result = compute_share_of_voice(proj, since=datetime(2026, 3, 9), until=datetime(2026, 3, 11))
    assert {b: i.mentions for b, i in _by_brand(result).items()} == {
        "acme": 0,
        "globex": 1,
        "initech": 1,
    }


def test_share_of_voice_within_a_topic(make_project: Callable[..., Project]) -> None:
    project = make_project("topical", extra=BRANDS_TOML + "\n[topics]\nshouting = 'acme OR news'\n")
    project.store.write_batch(
        [
            Post(platform="x", external_id=str(n), author=f"a{n}", text=text, created_at=TUESDAY)
            for n, text in enumerate(["acme news", "globex news", "globex only", "acme again"])
        ],
        [],
        source="test",
    )
    shares = _by_brand(compute_share_of_voice(project, topic="shouting"))
    assert {b: i.mentions for b, i in shares.items()} == {"acme": 2, "globex": 1, "initech": 0}


def test_share_of_voice_command(proj: Project, cli: Callable[..., Any]) -> None:
    result = cli("share-of-voice", "-p", proj.directory, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = orjson.loads(result.stdout)
    assert [(row["window"], row["brand"], row["mentions"], row["share"]) for row in rows] == [
        ("all", "acme", 5, 0.5),
        ("all", "globex", 3, 0.3),
        ("all", "initech", 2, 0.2),
    ]
    assert rows[0]["negative_share"] == round(2 / 3, 6)
    result = cli(
        "share-of-voice",
        "-p",
        proj.directory,
        "--by",
        "engagement",
        "--window",
        "week",
        "--format",
        "csv",
    )
    lines = result.stdout.splitlines()
    assert (
        lines[0] == "window,brand,engagement,share,positive,negative,neutral,unsupported,unanalysed"
    )
    assert lines[1] == f"2026-03-02,acme,19,{round(19 / 127, 6)},2,14,0,0,3"
    result = cli("share-of-voice", "-p", proj.directory)
    assert "50.0%" in result.stdout


# ---------------------------------------------------------------- the demo


@pytest.fixture(scope="module")
def demo(demo_project: Project) -> tuple[Project, dict[str, Any]]:
    """The shared demo project (built once per session; read-only) with its planted answers."""
    expected = json.loads((demo_project.directory / "expected.json").read_text(encoding="utf-8"))
    return demo_project, expected


def test_demo_share_of_voice_is_the_planted_one(demo: tuple[Project, dict[str, Any]]) -> None:
    project, expected = demo
    result = compute_share_of_voice(project)
    assert {brand: round(share, 6) for brand, share in result.totals().items()} == expected[
        "share_of_voice"
    ]


def test_demo_share_of_voice_analyzer_plugin(demo: tuple[Project, dict[str, Any]]) -> None:
    from hubbub.plugin_host import get_host

    project, expected = demo
    analyzer = get_host().get("analyzer", "share_of_voice")()
    findings = list(analyzer.run(project, {}))
    assert {f["subject"]: f["score"] for f in findings} == expected["share_of_voice"]
    trends = get_host().get("analyzer", "trends")()
    spikes = [
        f
        for f in trends.run(project, {"topics": list(project.config.topics)})
        if f["details"]["kind"] == "spike"
    ]
    assert [(f["subject"], f["details"]["window"]) for f in spikes] == [
        ("topic:delays", "2026-03-19")
    ]
