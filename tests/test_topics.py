"""Topic tagging: incremental, re-tagged when a query changes, pruned when a topic goes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from hubbub.errors import ConfigError
from hubbub.posts import Post
from hubbub.project import Project
from hubbub.store import SCHEMA_VERSION, Store, posts_table
from hubbub.topics import post_topics_table, tag_topics, topic_post_ids

TOPICS_TOML = """
[topics]
baggage = '"lost bag" OR #baggage OR luggage'
delays = 'delay* OR #delayed OR cancelled'
"""


def _post(number: int, text: str, **fields: Any) -> Post:
    hashtags = [word[1:] for word in text.split() if word.startswith("#")]
    return Post(
        platform="twitter",
        external_id=f"t{number}",
        author=f"user{number % 3}",
        text=text,
        created_at=datetime(2026, 3, 1) + timedelta(hours=number),
        hashtags=hashtags,
        **fields,
    )


FIRST = [
    _post(1, "lost bag at the airport"),
    _post(2, "flight delayed by two hours #delayed"),
    _post(3, "my luggage and a cancelled flight"),
    _post(4, "nothing to see here"),
]
SECOND = [
    _post(5, "#baggage again"),
    _post(6, "delays delays delays"),
    _post(7, "sunny day at the beach"),
]


def tagged(store: Store, topic: str) -> set[str]:
    """External ids of the posts tagged with ``topic``."""
    with store.engine.connect() as conn:
        return set(
            conn.execute(
                sa.select(posts_table.c.external_id).where(
                    posts_table.c.id.in_(topic_post_ids(topic))
                )
            ).scalars()
        )


@pytest.fixture
def proj(make_project: Callable[..., Project]) -> Project:
    """A project with the two demo topics and :data:`FIRST` stored."""
    project = make_project(extra=TOPICS_TOML)
    project.store.write_batch(FIRST, [], source="test")
    return project


def test_tagging_records_which_posts_match(proj: Project) -> None:
    results = tag_topics(proj.store, proj.config.topics)
    assert tagged(proj.store, "baggage") == {"t1", "t3"}
    assert tagged(proj.store, "delays") == {"t2", "t3"}
    assert results["baggage"].posts == 2 and results["baggage"].retagged


def test_tagging_is_incremental(proj: Project) -> None:
    tag_topics(proj.store, proj.config.topics)
    again = tag_topics(proj.store, proj.config.topics)
    assert again["delays"].scanned == 0 and again["delays"].added == 0
    assert not again["delays"].retagged
    proj.store.write_batch(SECOND, [], source="test")
    later = tag_topics(proj.store, proj.config.topics)
    assert later["baggage"].scanned == len(SECOND)  # only the new posts are looked at
    assert later["baggage"].added == 1 and later["delays"].added == 1
    assert tagged(proj.store, "baggage") == {"t1", "t3", "t5"}
    assert tagged(proj.store, "delays") == {"t2", "t3", "t6"}
    assert later["delays"].posts == 3


def test_a_changed_query_is_retagged_from_scratch(proj: Project) -> None:
    tag_topics(proj.store, proj.config.topics)
    changed = {**proj.config.topics, "baggage": "luggage OR nothing"}
    results = tag_topics(proj.store, changed)
    assert results["baggage"].retagged and results["baggage"].scanned == len(FIRST)
    assert not results["delays"].retagged
    assert tagged(proj.store, "baggage") == {"t3", "t4"}


def test_a_changed_time_zone_retags(proj: Project) -> None:
    tag_topics(proj.store, proj.config.topics, timezone="UTC")
    results = tag_topics(proj.store, proj.config.topics, timezone="Asia/Tokyo")
    assert results["baggage"].retagged


def test_a_removed_topic_loses_its_tags(proj: Project) -> None:
    tag_topics(proj.store, proj.config.topics)
    tag_topics(proj.store, {"delays": proj.config.topics["delays"]})
    assert tagged(proj.store, "baggage") == set()
    assert tagged(proj.store, "delays") == {"t2", "t3"}


def test_a_topic_reading_sentiment_is_retagged_every_run(proj: Project) -> None:
    topics = {"angry": "sentiment:negative"}
    assert tag_topics(proj.store, topics)["angry"].posts == 0
    with proj.store.engine.connect() as conn:
        post_id = conn.execute(
            sa.select(posts_table.c.id).where(posts_table.c.external_id == "t4")
        ).scalar()
    proj.store.write_annotations(
        [
            {
                "post_id": post_id,
                "analyzer": "sentiment",
                "key": "label",
                "version": "1",
                "value": "negative",
            }
        ]
    )
    results = tag_topics(proj.store, topics)
    assert results["angry"].retagged and tagged(proj.store, "angry") == {"t4"}


def test_a_deleted_post_loses_its_tags(proj: Project) -> None:
    tag_topics(proj.store, proj.config.topics)
    with proj.store.engine.begin() as conn:
        conn.execute(sa.delete(posts_table).where(posts_table.c.external_id == "t3"))
    assert tagged(proj.store, "baggage") == {"t1"}
    with proj.store.engine.connect() as conn:
        left = conn.execute(sa.select(sa.func.count()).select_from(post_topics_table)).scalar()
    assert left == 2


def test_a_malformed_topic_query_names_the_topic(proj: Project) -> None:
    with pytest.raises(ConfigError, match=r"topics\.broken: query error at position 10"):
        tag_topics(proj.store, {"broken": "(lost bag"})


def test_an_unknown_topic_is_an_error(proj: Project) -> None:
    with pytest.raises(ConfigError, match="unknown topic 'nope'"):
        tag_topics(proj.store, proj.config.topics, only=["nope"])


def test_topics_command_lists_and_tags(proj: Project, cli: Callable[..., Any]) -> None:
    result = cli("topics", "-p", proj.directory, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = orjson.loads(result.stdout)
    assert [(row["topic"], row["posts"], row["up_to_date"]) for row in rows] == [
        ("baggage", None, False),
        ("delays", None, False),
    ]
    result = cli("topics", "-p", proj.directory, "--tag", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "baggage: re-tagged from scratch, 4 posts looked at, 2 new, 2 in all" in result.stderr
    rows = orjson.loads(result.stdout)
    assert [(row["topic"], row["posts"], row["up_to_date"]) for row in rows] == [
        ("baggage", 2, True),
        ("delays", 2, True),
    ]


def test_upgrading_from_0001_indexes_hashtags_and_mentions_of_stored_posts(tmp_path: Any) -> None:
    from hubbub.search import search
    from migration_helpers import database_at, insert_old_post

    def fill(conn: Any) -> None:
        # a post stored by hubbub at revision 0001: only its text was in the index
        insert_old_post(
            conn, "lost again #Baggage cc @SkyJet", mentions='["SkyJet"]', hashtags='["Baggage"]'
        )
        conn.execute(sa.text("INSERT INTO posts_fts (rowid, text) SELECT id, text FROM posts"))

    url = f"sqlite:///{tmp_path / 'old.db'}"
    database_at(url, "0001", fill)
    store = Store.open(url)  # migrates to the newest revision and rebuilds the index
    try:
        assert [hit.external_id for hit in search(store, "#baggage @skyjet")] == ["t1"]
        assert store.schema_version() == SCHEMA_VERSION
    finally:
        store.close()
