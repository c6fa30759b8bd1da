"""Reddit listings: posts, comment pages with nested replies, and Pushshift-style dumps.

The fixtures in ``fixtures/reddit`` are in the API's real shapes (cut down, invented
content): a comments page (``[post listing, comment tree]`` with replies three deep,
``more`` stubs, a deleted and a removed comment, a negative score), a listing of new
posts (escaped text, a link post, a removed post, a post without a date) and
Pushshift-style lines (a submission, a comment, a comment with a bad body).
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path
from typing import Any

import pytest
from format_helpers import import_file, interrupted, posts
from hubbub.cli.data_commands import pick_file_source
from hubbub.ingest import run_source
from hubbub.inputs import InputFile
from hubbub.plugin_host import get_host
from hubbub.plugins.reddit import RedditSource

FIXTURES = Path(__file__).parent / "fixtures" / "reddit"
PAGE = FIXTURES / "comments_page.json"
NEW = FIXTURES / "new.json"
DUMP = FIXTURES / "pushshift.jsonl"


def rejects(project: Any) -> dict[str, str]:
    return {row["position"]: row["reason"] for row in project.store.rejects(limit=None)}


@pytest.mark.parametrize("path", [PAGE, NEW, DUMP], ids=lambda p: p.name)
def test_each_fixture_is_sniffed_as_reddit(path: Path) -> None:
    assert pick_file_source(get_host(), InputFile(path), None).name == "reddit"


def test_a_comments_page_keeps_the_post_and_every_reply(cli: Any, project: Any) -> None:
    result = import_file(cli, project, PAGE)
    assert "read 7, stored 7, duplicates 0, rejected 0" in result.stderr
    stored = posts(project)
    assert stored["1cabc1"] == {
        "id": "1cabc1",
        "platform": "reddit",
        "author": "ana_travels",
        "created_at": "2024-05-01T09:00:00Z",
        "text": "SkyJet lost my bag in Lisbon & nobody answers\n\nFlew LIS -> OPO yesterday.\n\n"
        "Any tips for getting through to u/SkyJetHelp? > 2 hours on hold.",
        "url": "https://www.reddit.com/r/travel/comments/1cabc1/skyjet_lost_my_bag_in_lisbon_a/",
        "conversation_id": "1cabc1",
        "likes": 57,
        "replies": 6,
        "mentions": ["SkyJetHelp"],
        "hashtags": [],
    }
    threads = {
        key: (record.get("reply_to_id"), record.get("reply_to_author"), record["conversation_id"])
        for key, record in stored.items()
        if key != "1cabc1"
    }
    assert threads == {
        "l2c0001": ("1cabc1", None, "1cabc1"),
        "l2c0002": ("l2c0001", "SkyJetHelp", "1cabc1"),
        "l2c0003": ("l2c0002", "ana_travels", "1cabc1"),
        "l2c0004": ("l2c0001", "SkyJetHelp", "1cabc1"),
        "l2c0005": ("l2c0004", "[deleted]", "1cabc1"),
        "l2c0006": ("1cabc1", None, "1cabc1"),
    }
    reply = stored["l2c0003"]
    assert reply["text"] == "Got it, your bag is on the next flight."
    assert reply["created_at"] == "2024-05-01T10:10:00Z"  # created_utc, not the local created
    assert reply["url"] == "https://www.reddit.com/r/travel/comments/1cabc1/_/l2c0003/"
    assert reply["likes"] == 9 and "replies" not in reply
    # deleted and removed comments stay, as the thread's structure needs them
    assert (stored["l2c0004"]["author"], stored["l2c0004"]["text"]) == ("[deleted]", "[deleted]")
    assert stored["l2c0006"]["text"] == "[removed]"
    assert stored["l2c0005"]["likes"] == 0  # a score of -2


def test_a_post_listing(cli: Any, project: Any) -> None:
    result = import_file(cli, project, NEW)
    assert "stored 3" in result.stderr and "rejected 1" in result.stderr
    stored = posts(project)
    link = stored["1cabd3"]
    assert (
        link["text"]
        == "SkyJet adds summer routes to Porto\n\nhttps://news.example.com/skyjet-porto"
    )
    assert (link["likes"], link["replies"]) == (120, 33)
    assert stored["1cabd2"]["text"] == "Best lounge at LIS?"
    removed = stored["1cabd4"]
    assert (removed["author"], removed["text"]) == ("[deleted]", "gate agents at OPO\n\n[removed]")
    assert rejects(project) == {"item 4 t3_1cabd5": "created_at is missing or invalid: None"}


def test_pushshift_lines(cli: Any, project: Any) -> None:
    import_file(cli, project, DUMP)
    stored = posts(project)
    comment = stored["l2d0001"]
    assert (comment["reply_to_id"], comment["conversation_id"]) == ("1cabe1", "1cabe1")
    assert comment["mentions"] == ["frank"]
    assert comment["created_at"] == "2024-05-02T10:00:00Z"  # epoch seconds as a string
    assert (
        stored["1cabe1"]["url"]
        == "https://www.reddit.com/r/travel/comments/1cabe1/refund_still_pending/"
    )
    assert rejects(project) == {"line 3 t1_l2d0002": "body must be a string, got int"}


def test_the_raw_payload_leaves_out_the_replies(cli: Any, project: Any) -> None:
    import orjson

    import_file(cli, project, PAGE)
    rows = {row.external_id: row for rows in project.store.iter_posts() for row in rows}
    raw = orjson.loads(rows["l2c0001"].raw)
    assert raw["kind"] == "t1" and raw["data"]["subreddit"] == "travel"
    assert "replies" not in raw["data"]


def test_a_gzipped_copy_imports_the_same(cli: Any, make_project: Any, tmp_path: Path) -> None:
    plain, zipped = make_project("plain"), make_project("zipped")
    import_file(cli, plain, PAGE)
    packed = tmp_path / "page.json.gz"
    with PAGE.open("rb") as source, gzip.open(packed, "wb") as target:
        shutil.copyfileobj(source, target)
    import_file(cli, zipped, packed)
    assert posts(zipped) == posts(plain)


def test_importing_twice_adds_nothing(cli: Any, project: Any, tmp_path: Path) -> None:
    import_file(cli, project, PAGE)
    before = posts(project)
    assert "nothing new" in import_file(cli, project, PAGE).stderr
    copy = tmp_path / "copy.json"
    shutil.copy(PAGE, copy)
    assert "stored 0, duplicates 7" in import_file(cli, project, copy).stderr
    assert posts(project) == before


InterruptedReddit = interrupted(RedditSource, 5)


def test_an_interrupted_comment_tree_resumes_inside_it(cli: Any, make_project: Any) -> None:
    clean, project = make_project("clean"), make_project("interrupted")
    import_file(cli, clean, PAGE)
    options = RedditSource.Options(path=str(PAGE))
    with pytest.raises(KeyboardInterrupt):
        run_source(project.store, InterruptedReddit(options, key="file:page"), batch_size=1)
    # the post listing (item 1) and four comments of the tree (item 2) were stored
    assert project.store.count_posts() == 5
    cursor = project.store.get_cursor("file:page")
    assert (cursor["items"], cursor["within_item"]) == (1, 4)
    summary = run_source(project.store, RedditSource(options, key="file:page"), batch_size=2)
    assert (summary.read, summary.stored, summary.duplicates) == (2, 2, 0)
    assert posts(project) == posts(clean)
