"""Bluesky post views: searchPosts, author feeds (reposts, reply context), post threads.

The fixtures in ``fixtures/bluesky`` are in the AppView's real shapes (cut down,
invented content): a searchPosts response (facets with a known and an unknown DID, a
tag, a shortened link, a quote, an unresolvable handle, a far-future ``createdAt``, a
post without dates), author-feed pages one per line (a reply with its parent, reposts
with and without the repost's URI, a pin, a deleted post) and a getPostThread response
(two parents up, nested replies, a deleted and a blocked reply).
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
from hubbub.plugins.bluesky import BlueskySource

FIXTURES = Path(__file__).parent / "fixtures" / "bluesky"
SEARCH = FIXTURES / "search_posts.json"
FEED = FIXTURES / "author_feed.jsonl"
THREAD = FIXTURES / "thread.json"

ANA = "did:plc:ana000000000000000000000"
SKY = "did:plc:skyjet0000000000000000000"
BOB = "did:plc:bob000000000000000000000"
CAROL = "did:plc:carol0000000000000000000"


def uri(did: str, rkey: str, collection: str = "app.bsky.feed.post") -> str:
    return f"at://{did}/{collection}/{rkey}"


def rejects(project: Any) -> dict[str, str]:
    return {row["position"]: row["reason"] for row in project.store.rejects(limit=None)}


@pytest.mark.parametrize("path", [SEARCH, FEED, THREAD], ids=lambda p: p.name)
def test_each_fixture_is_sniffed_as_bluesky(path: Path) -> None:
    assert pick_file_source(get_host(), InputFile(path), None).name == "bluesky"


def test_search_posts_map_record_facets_and_counts(cli: Any, project: Any) -> None:
    result = import_file(cli, project, SEARCH)
    assert "stored 5" in result.stderr and "rejected 1" in result.stderr
    stored = posts(project)
    first = stored[uri(ANA, "3kxa1aaaaaa2a")]
    assert first == {
        "id": uri(ANA, "3kxa1aaaaaa2a"),
        "platform": "bluesky",
        "author": "ana.bsky.social",
        "created_at": "2024-05-01T09:00:00Z",
        # the shortened link text is replaced by the facet's full URI
        "text": "Lost my bag in Lisbon 😩 @skyjet.com @zed.bsky.social #baggage "
        "see https://example.com/bags/ABC123/history",
        "url": "https://bsky.app/profile/ana.bsky.social/post/3kxa1aaaaaa2a",
        "author_name": "Ana Lima",
        "author_followers": 310,
        "lang": "en",
        "conversation_id": uri(ANA, "3kxa1aaaaaa2a"),
        "likes": 5,
        "reposts": 1,
        "replies": 1,
        # skyjet's DID is known from its own post; zed's is not, so the text names it
        "mentions": ["skyjet.com", "zed.bsky.social"],
        "hashtags": ["baggage", "lisbon"],
    }
    reply = stored[uri(SKY, "3kxa1bbbbbb2b")]
    assert reply["reply_to_id"] == reply["conversation_id"] == uri(ANA, "3kxa1aaaaaa2a")
    assert reply["reply_to_author"] == "ana.bsky.social"
    assert reply["mentions"] == ["ana.bsky.social"]


def test_quotes_bad_handles_and_dates(cli: Any, project: Any) -> None:
    import_file(cli, project, SEARCH)
    stored = posts(project)
    quoting = stored[uri(BOB, "3kxa1cccccc2c")]
    # handle.invalid: the DID stands in for the handle
    assert quoting["author"] == BOB
    assert quoting["url"] == f"https://bsky.app/profile/{BOB}/post/3kxa1cccccc2c"
    assert (quoting["quote_of_id"], quoting["quote_of_author"]) == (
        uri(CAROL, "3kx9zzzzzzz2z"),
        "carol.example.org",
    )
    # createdAt far in the future: indexedAt is used instead
    assert quoting["created_at"] == "2024-05-01T10:00:00Z"
    assert quoting["lang"] == "pt"
    quoted = stored[uri(CAROL, "3kx9zzzzzzz2z")]
    assert (quoted["text"], quoted["likes"], quoted["reposts"]) == (
        "Summer timetable is out",
        40,
        9,
    )
    # without facets, handles and tags are read from the text
    plain = stored[uri(CAROL, "3kxa1eeeeee2e")]
    assert (plain["mentions"], plain["hashtags"], "lang" in plain) == (
        ["skyjet.com"],
        ["delayed"],
        False,
    )
    assert rejects(project) == {"item 4": "created_at is missing or invalid: None"}


def test_an_author_feed_gives_reply_context_and_reposts(cli: Any, project: Any) -> None:
    result = import_file(cli, project, FEED)
    assert "rejected 1" in result.stderr
    stored = posts(project)
    answer = stored[uri(SKY, "3kxb1bbbbbb2b")]
    assert answer["reply_to_id"] == uri(CAROL, "3kxb0aaaaaa2a")
    assert answer["reply_to_author"] == "carol.example.org"
    # the parent from the reply context is imported too
    assert stored[uri(CAROL, "3kxb0aaaaaa2a")]["text"] == "is the 9am to Porto on time?"
    original = uri(ANA, "3kxb0bbbbbb2b")
    repost = stored[uri(SKY, "3kxb1cccccc2c", "app.bsky.feed.repost")]
    assert repost["author"] == "skyjet.com"
    assert (repost["repost_of_id"], repost["repost_of_author"]) == (original, "ana.bsky.social")
    assert repost["created_at"] == "2024-05-02T09:00:00Z"
    assert repost["text"] == "Great crew on SkyJet today"
    # an older AppView gives no repost URI: one is made from the post and the reposter
    assert stored[f"{original}#repost-by-{CAROL}"]["author"] == "carol.example.org"
    assert stored[original]["likes"] == 12
    assert rejects(project) == {"line 2 post 2": "feed item's post is deleted or blocked"}
    assert len(stored) == 7


def test_a_thread_is_walked_up_and_down(cli: Any, project: Any) -> None:
    import_file(cli, project, THREAD)
    stored = posts(project)
    root = uri(ANA, "3kxc1aaaaaa2a")
    expected = {
        root: (None, None),
        uri(CAROL, "3kxc1bbbbbb2b"): (root, "ana.bsky.social"),
        uri(SKY, "3kxc1cccccc2c"): (uri(CAROL, "3kxc1bbbbbb2b"), "carol.example.org"),
        uri(ANA, "3kxc1dddddd2d"): (uri(SKY, "3kxc1cccccc2c"), "skyjet.com"),
        uri(CAROL, "3kxc1eeeeee2e"): (uri(ANA, "3kxc1dddddd2d"), "ana.bsky.social"),
        uri(BOB, "3kxc1ffffff2f"): (uri(SKY, "3kxc1cccccc2c"), "skyjet.com"),
    }
    assert {
        key: (record.get("reply_to_id"), record.get("reply_to_author"))
        for key, record in stored.items()
    } == expected
    assert {record["conversation_id"] for record in stored.values()} == {root}
    assert project.store.count_rejects() == 0  # deleted and blocked replies are skipped


def test_a_gzipped_copy_imports_the_same(cli: Any, make_project: Any, tmp_path: Path) -> None:
    plain, zipped = make_project("plain"), make_project("zipped")
    import_file(cli, plain, FEED)
    packed = tmp_path / "feed.jsonl.gz"
    with FEED.open("rb") as source, gzip.open(packed, "wb") as target:
        shutil.copyfileobj(source, target)
    import_file(cli, zipped, packed)
    assert posts(zipped) == posts(plain)


def test_importing_twice_adds_nothing(cli: Any, project: Any, tmp_path: Path) -> None:
    import_file(cli, project, SEARCH)
    before = posts(project)
    assert "nothing new" in import_file(cli, project, SEARCH).stderr
    copy = tmp_path / "copy.json"
    shutil.copy(SEARCH, copy)
    assert "stored 0, duplicates 5" in import_file(cli, project, copy).stderr
    assert posts(project) == before


InterruptedBluesky = interrupted(BlueskySource, 4)


def test_an_interrupted_feed_import_resumes_inside_a_page(cli: Any, make_project: Any) -> None:
    clean, project = make_project("clean"), make_project("interrupted")
    whole = import_file(cli, clean, FEED)
    options = BlueskySource.Options(path=str(FEED))
    with pytest.raises(KeyboardInterrupt):
        run_source(project.store, InterruptedBluesky(options, key="file:feed"), batch_size=3)
    # the first page (one line, six posts) was half stored: the cursor says how far
    assert project.store.count_posts() == 3
    assert project.store.get_cursor("file:feed")["within_item"] == 3
    summary = run_source(project.store, BlueskySource(options, key="file:feed"), batch_size=3)
    # the reposted post comes again on line 2, as it did in the whole import
    assert (summary.stored, summary.duplicates, summary.rejected) == (4, 1, 1)
    assert "duplicates 1, rejected 1" in whole.stderr
    assert posts(project) == posts(clean)
    assert project.store.get_cursor("file:feed")["line"] == 3
