"""Hacker News: Algolia search responses and item trees, and Firebase items.

The fixtures in ``fixtures/hackernews`` are in the APIs' real shapes (cut down,
invented content): a search response (a Show HN story with a link, an Ask HN story
with HTML text, a comment with a link HN shortened, a hit without a date), an item
tree three comments deep with a deleted comment and malformed HTML, and Firebase items
one per line (a story, a comment, a deleted comment).
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path
from typing import Any

import orjson
import pytest
from format_helpers import import_file, interrupted, posts
from hubbub.cli.data_commands import pick_file_source
from hubbub.ingest import run_source
from hubbub.inputs import InputFile
from hubbub.plugin_host import get_host
from hubbub.plugins.hackernews import HackerNewsSource

FIXTURES = Path(__file__).parent / "fixtures" / "hackernews"
SEARCH = FIXTURES / "search.json"
TREE = FIXTURES / "item_tree.json"
FIREBASE = FIXTURES / "firebase.jsonl"
STORY = 40100000


def rejects(project: Any) -> dict[str, str]:
    return {row["position"]: row["reason"] for row in project.store.rejects(limit=None)}


@pytest.mark.parametrize("path", [SEARCH, TREE, FIREBASE], ids=lambda p: p.name)
def test_each_fixture_is_sniffed_as_hackernews(path: Path) -> None:
    assert pick_file_source(get_host(), InputFile(path), None).name == "hackernews"


def test_search_hits_map_stories_and_comments(cli: Any, project: Any) -> None:
    result = import_file(cli, project, SEARCH)
    assert "stored 3" in result.stderr and "rejected 1" in result.stderr
    stored = posts(project)
    assert stored["40000001"] == {
        "id": "40000001",
        "platform": "hackernews",
        "author": "pgowl",
        "created_at": "2024-05-01T09:00:00Z",
        "text": "Show HN: A status page for airline customer support\n\n"
        "https://status.example.com/airlines",
        "url": "https://news.ycombinator.com/item?id=40000001",
        "conversation_id": "40000001",
        "likes": 182,
        "replies": 64,
        "mentions": [],
        "hashtags": [],
    }
    ask = stored["40000002"]
    assert ask["text"] == (
        "Ask HN: How do you track brand mentions on a budget?\n\n"
        "We're a small shop.\n\nMention.com is too pricey; what do you use?"
    )
    comment = stored["40000010"]
    # the link HN cut short with "..." is its full href again
    assert comment["text"] == (
        "We use https://github.com/example/listening-tools/tree/main/scrapers and a cron job."
        "\n\nWorks fine for @small teams."
    )
    assert (comment["reply_to_id"], comment["conversation_id"]) == ("40000002", "40000002")
    assert comment["mentions"] == ["small"]
    assert "likes" not in comment
    assert rejects(project) == {"item 4": "created_at is missing or invalid: None"}


def test_an_item_tree_is_walked_to_every_depth(cli: Any, project: Any) -> None:
    result = import_file(cli, project, TREE)
    assert "read 7, stored 7, duplicates 0, rejected 0" in result.stderr
    stored = posts(project)
    story = stored[str(STORY)]
    assert story["text"] == (
        "Airlines answer faster on X than by email\n\nhttps://blog.example.com/airline-response-times"
    )
    # a story counts its comments at every depth, deleted ones left out
    assert (story["likes"], story["replies"]) == (99, 5)
    threads = {
        key: (record.get("reply_to_id"), record.get("reply_to_author"), record["conversation_id"])
        for key, record in stored.items()
        if key != str(STORY)
    }
    assert threads == {
        str(STORY + 1): (str(STORY), "pgowl", str(STORY)),
        str(STORY + 2): (str(STORY + 1), "kvrn", str(STORY)),
        str(STORY + 3): (str(STORY + 2), "pgowl", str(STORY)),
        str(STORY + 4): (str(STORY + 1), "kvrn", str(STORY)),
        str(STORY + 5): (str(STORY + 4), None, str(STORY)),
        str(STORY + 6): (str(STORY), "pgowl", str(STORY)),
    }
    assert stored[str(STORY + 1)]["text"] == (
        "In my experience it's minutes vs days.\n\nData: https://example.com/data.csv"
    )
    assert stored[str(STORY + 1)]["replies"] == 2  # a comment counts its direct replies
    assert stored[str(STORY + 2)]["text"] == "Same here > email is a black hole."
    deleted = stored[str(STORY + 4)]
    assert (deleted["author"], deleted["text"]) == ("[deleted]", "[deleted]")
    assert stored[str(STORY + 6)]["text"] == "unclosed italics and a link"


def test_a_bad_comment_in_a_tree_is_rejected_alone(cli: Any, project: Any, tmp_path: Path) -> None:
    tree = orjson.loads(TREE.read_bytes())
    tree["children"][0]["children"][0]["created_at_i"] = None  # comment STORY + 2
    tree["children"][0]["children"][0]["created_at"] = None
    path = tmp_path / "tree.json"
    path.write_bytes(orjson.dumps(tree))  # one line: read as JSON Lines
    import_file(cli, project, path)
    assert rejects(project) == {f"line 1 id {STORY + 2}": "created_at is missing or invalid: None"}
    stored = posts(project)
    assert len(stored) == 6 and str(STORY + 3) in stored  # its reply is still there
    assert stored[str(STORY + 3)]["reply_to_id"] == str(STORY + 2)


def test_firebase_items(cli: Any, project: Any) -> None:
    import_file(cli, project, FIREBASE)
    stored = posts(project)
    assert (stored["40200000"]["likes"], stored["40200000"]["replies"]) == (12, 2)
    assert stored["40200001"]["reply_to_id"] == "40200000"
    assert "conversation_id" not in stored["40200001"]  # Firebase does not name the story
    assert stored["40200002"]["author"] == "[deleted]"
    assert stored["40200001"]["created_at"] == "2024-05-02T09:01:00Z"


def test_a_gzipped_copy_imports_the_same(cli: Any, make_project: Any, tmp_path: Path) -> None:
    plain, zipped = make_project("plain"), make_project("zipped")
    import_file(cli, plain, TREE)
    packed = tmp_path / "tree.json.gz"
    with TREE.open("rb") as source, gzip.open(packed, "wb") as target:
        shutil.copyfileobj(source, target)
    import_file(cli, zipped, packed)
    assert posts(zipped) == posts(plain)


def test_importing_twice_adds_nothing(cli: Any, project: Any, tmp_path: Path) -> None:
    import_file(cli, project, FIREBASE)
    before = posts(project)
    assert "nothing new" in import_file(cli, project, FIREBASE).stderr
    copy = tmp_path / "copy.jsonl"
    shutil.copy(FIREBASE, copy)
    assert "stored 0, duplicates 3" in import_file(cli, project, copy).stderr
    assert posts(project) == before


InterruptedHackerNews = interrupted(HackerNewsSource, 5)


def test_an_interrupted_tree_import_resumes_inside_it(cli: Any, make_project: Any) -> None:
    clean, project = make_project("clean"), make_project("interrupted")
    import_file(cli, clean, TREE)
    options = HackerNewsSource.Options(path=str(TREE))
    with pytest.raises(KeyboardInterrupt):
        run_source(project.store, InterruptedHackerNews(options, key="file:tree"), batch_size=2)
    # two batches of the one-item tree were stored; the cursor says how far into it
    assert project.store.count_posts() == 4
    assert project.store.get_cursor("file:tree")["within_item"] == 4
    summary = run_source(project.store, HackerNewsSource(options, key="file:tree"), batch_size=2)
    assert (summary.read, summary.stored, summary.duplicates) == (3, 3, 0)
    assert posts(project) == posts(clean)
