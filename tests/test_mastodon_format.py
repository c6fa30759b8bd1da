"""Mastodon statuses: timelines, search v2 and context responses, one status per line.

The fixtures in ``fixtures/mastodon`` are in the API's real shapes (cut down, invented
content): a timeline array (links behind ``invisible`` spans, a remote mention, a
reblog, a quote, malformed HTML, a content warning, a status without an account, a bad
date), a context response, a search v2 response and JSON Lines with a page on a line.
Also the shared HTML-to-text helper.
"""

from __future__ import annotations

import gzip
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from format_helpers import import_file, interrupted, posts
from hubbub.cli.data_commands import pick_file_source
from hubbub.html_text import html_to_text
from hubbub.ingest import run_source
from hubbub.inputs import InputFile
from hubbub.plugin_host import get_host
from hubbub.plugins.mastodon import MastodonSource

FIXTURES = Path(__file__).parent / "fixtures" / "mastodon"
TIMELINE = FIXTURES / "timeline.json"
CONTEXT = FIXTURES / "context.json"
SEARCH = FIXTURES / "search_v2.json"
LINES = FIXTURES / "statuses.jsonl"


def rejects(project: Any) -> dict[str, str]:
    """Reject reasons by position."""
    return {row["position"]: row["reason"] for row in project.store.rejects(limit=None)}


@pytest.mark.parametrize("path", [TIMELINE, CONTEXT, SEARCH, LINES], ids=lambda p: p.name)
def test_each_fixture_is_sniffed_as_mastodon(path: Path) -> None:
    # pick_file_source refuses a tie, so this also says no other format scores as high
    assert pick_file_source(get_host(), InputFile(path), None).name == "mastodon"


@pytest.mark.parametrize(("line", "kind"), [(7, "notifications"), (9, "stream")])
def test_notifications_and_stream_events_are_sniffed(line: int, kind: str, tmp_path: Path) -> None:
    path = tmp_path / f"{kind}.jsonl"
    path.write_bytes(LINES.read_bytes().splitlines()[line - 1] + b"\n")
    assert pick_file_source(get_host(), InputFile(path), None).name == "mastodon"


def test_a_timeline_maps_every_field(cli: Any, project: Any) -> None:
    result = import_file(cli, project, TIMELINE)
    # 8 items: a reblog and a quote add their inner statuses; 2 are rejected
    assert "read 10, stored 8, duplicates 0, rejected 2" in result.stderr
    stored = posts(project)
    first = stored["112000000000000001"]
    assert first == {
        "id": "112000000000000001",
        "platform": "mastodon",
        "author": "ana",
        "created_at": "2024-05-01T09:00:00Z",
        "text": "Lost my bag on the 9:40 to Lisbon #baggage\n\n"
        "Tracking says: https://tracking.example.com/bags/ABC123/history?ref=mastodon",
        "url": "https://mastodon.example/@ana/112000000000000001",
        "author_name": "Ana Lima",
        "author_followers": 250,
        "lang": "en",
        "conversation_id": "112000000000000001",
        "likes": 4,
        "reposts": 2,
        "replies": 1,
        "mentions": [],
        "hashtags": ["baggage"],
    }
    reply = stored["112000000000000002"]
    # mentions read the entities' acct: the remote account keeps its instance
    assert reply["text"] == (
        "@ana @bob@fedi.example So sorry, Ana! DM us the tag number & we'll chase it."
    )
    assert reply["mentions"] == ["ana", "bob@fedi.example"]
    assert (reply["reply_to_id"], reply["reply_to_author"]) == ("112000000000000001", "ana")
    assert reply["created_at"] == "2024-05-01T09:07:30.123000Z"
    # a reply whose thread root is not in the file has no conversation id
    assert "conversation_id" not in reply


def test_a_reblog_is_a_repost_and_its_status_is_imported(cli: Any, project: Any) -> None:
    import_file(cli, project, TIMELINE)
    stored = posts(project)
    repost, original = stored["112000000000000003"], stored["112000000000000010"]
    assert original["author"] == "bob@fedi.example"
    assert original["text"] == "Airports in May: chaos #travel\nBring snacks."
    assert (original["likes"], original["reposts"], original["hashtags"]) == (30, 12, ["travel"])
    assert repost["author"] == "carol"
    assert (repost["repost_of_id"], repost["repost_of_author"]) == (
        "112000000000000010",
        "bob@fedi.example",
    )
    assert repost["text"] == original["text"] and repost["hashtags"] == ["travel"]
    assert repost["created_at"] == "2024-05-01T09:10:00Z"
    # a reblog has no url of its own: its ActivityPub uri stands in
    assert repost["url"] == "https://mastodon.example/users/carol/statuses/112000000000000003"


def test_quotes_warnings_and_malformed_html(cli: Any, project: Any) -> None:
    import_file(cli, project, TIMELINE)
    stored = posts(project)
    quote = stored["112000000000000007"]
    assert (quote["quote_of_id"], quote["quote_of_author"]) == ("112000000000000011", "SkyJetHelp")
    assert stored["112000000000000011"]["text"] == "New routes to Porto from June"
    assert stored["112000000000000005"]["text"] == "spoilers for Dune\n\nthe ending of the film"
    broken = stored["112000000000000004"]
    assert broken["text"] == (
        "broken markup still a link 3 < 5 & more\n\nnext para\n\nafter two breaks"
    )
    assert broken["lang"] == "en"
    assert rejects(project) == {
        "item 6": "status has no account",
        "item 8": "created_at 'last tuesday' is not an ISO 8601 date or epoch seconds",
    }


def test_a_context_response_shares_its_root_as_conversation(cli: Any, project: Any) -> None:
    import_file(cli, project, CONTEXT)
    stored = posts(project)
    assert set(stored) == {
        "112100000000000001",
        "112100000000000002",
        "112100000000000004",
        "112100000000000005",
    }
    assert {record["conversation_id"] for record in stored.values()} == {"112100000000000001"}
    # the descendant without mentions gets its parent's author from the thread itself
    assert stored["112100000000000005"]["reply_to_author"] == "SkyJetHelp"
    assert stored["112100000000000004"]["reply_to_author"] == "bob@fedi.example"
    assert stored["112100000000000004"]["text"] == "@bob@fedi.example thank you!"


def test_a_search_response_yields_its_statuses(cli: Any, project: Any) -> None:
    result = import_file(cli, project, SEARCH)
    assert "read 2, stored 2" in result.stderr
    stored = posts(project)
    assert stored["112200000000000001"]["mentions"] == ["SkyJetHelp"]
    assert stored["112200000000000002"]["lang"] == "pt"


def test_json_lines_with_a_page_on_a_line(cli: Any, project: Any) -> None:
    result = import_file(cli, project, LINES)
    assert "stored 5" in result.stderr and "rejected 3" in result.stderr
    stored = posts(project)
    assert set(stored) == {
        "112300000000000001",
        "112300000000000002",
        "112300000000000003",
        "112300000000000006",  # a mention notification's status
        "112300000000000007",  # a streaming "update" event's payload
    }
    assert stored["112300000000000006"]["mentions"] == ["SkyJetHelp"]
    assert stored["112300000000000007"]["hashtags"] == ["baggage"]
    found = rejects(project)
    # a follow notification and a "delete" event hold no status: skipped, not rejected
    assert set(found) == {"line 3 status 2", "line 4", "line 5"}
    assert found["line 3 status 2"] == "status has no id"
    assert found["line 4"].startswith("invalid JSON")
    assert found["line 5"] == "not a Mastodon status, search or context response"


def test_a_gzipped_copy_imports_the_same(cli: Any, make_project: Any, tmp_path: Path) -> None:
    plain, zipped = make_project("plain"), make_project("zipped")
    import_file(cli, plain, TIMELINE)
    packed = tmp_path / "timeline.json.gz"
    with TIMELINE.open("rb") as source, gzip.open(packed, "wb") as target:
        shutil.copyfileobj(source, target)
    import_file(cli, zipped, packed)
    assert posts(zipped) == posts(plain)


def test_importing_twice_adds_nothing(cli: Any, project: Any, tmp_path: Path) -> None:
    import_file(cli, project, TIMELINE)
    before = posts(project)
    again = import_file(cli, project, TIMELINE)
    assert "nothing new since the last import" in again.stderr
    copy = tmp_path / "copy.json"
    shutil.copy(TIMELINE, copy)
    other = import_file(cli, project, copy)
    assert "stored 0, duplicates 8" in other.stderr
    assert posts(project) == before


InterruptedMastodon = interrupted(MastodonSource, 3)


def test_an_interrupted_import_of_one_thread_resumes_inside_it(project: Any) -> None:
    options = MastodonSource.Options(path=str(CONTEXT))
    with pytest.raises(KeyboardInterrupt):
        run_source(project.store, InterruptedMastodon(options, key="file:ctx"), batch_size=2)
    # one batch of the thread's four posts was stored; the cursor says how far into it
    assert project.store.count_posts() == 2
    assert project.store.get_cursor("file:ctx")["within_item"] == 2
    summary = run_source(project.store, MastodonSource(options, key="file:ctx"), batch_size=2)
    assert (summary.read, summary.stored, summary.duplicates) == (2, 2, 0)
    assert project.store.count_posts() == 4
    assert project.store.get_cursor("file:ctx")["items"] == 1


def test_a_skip_inside_an_item_is_not_applied_to_another_file(project: Any, tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    shutil.copy(CONTEXT, path)
    options = MastodonSource.Options(path=str(path))
    with pytest.raises(KeyboardInterrupt):
        run_source(project.store, InterruptedMastodon(options, key="file:x"), batch_size=2)
    assert project.store.get_cursor("file:x")["within_item"] == 2
    shutil.copy(TIMELINE, path)  # the export was replaced before the next import
    summary = run_source(project.store, MastodonSource(options, key="file:x"), batch_size=2)
    assert (summary.stored, summary.rejected) == (8, 2)  # all of it, nothing skipped


def test_an_interrupted_line_resumes_without_repeating_its_rejects(
    cli: Any, make_project: Any
) -> None:
    clean, project = make_project("clean"), make_project("interrupted")
    import_file(cli, clean, LINES)
    options = MastodonSource.Options(path=str(LINES))
    # line 3 (a search page) gives a post and a reject; reading stops after the post
    with pytest.raises(KeyboardInterrupt):
        run_source(project.store, InterruptedMastodon(options, key="file:lines"), batch_size=1)
    cursor = project.store.get_cursor("file:lines")
    assert (cursor["line"], cursor["within_item"]) == (2, 1)
    summary = run_source(project.store, MastodonSource(options, key="file:lines"), batch_size=1)
    assert (summary.read, summary.stored, summary.rejected) == (5, 2, 3)
    assert posts(project) == posts(clean)
    assert rejects(project) == rejects(clean)
    assert project.store.count_rejects() == 3


def test_a_status_timestamp_is_utc() -> None:
    source = MastodonSource(MastodonSource.Options(path=str(TIMELINE)))
    source._now = datetime(2024, 6, 1)
    (post,) = source.parse({**_minimal_status(), "created_at": "2024-05-01T11:00:00+02:00"})
    assert post.created_at == datetime(2024, 5, 1, 9, 0)
    assert post.text == "hi" and post.conversation_id == "1"


def _minimal_status() -> dict[str, Any]:
    return {
        "id": "1",
        "created_at": "2024-05-01T09:00:00Z",
        "content": "<p>hi</p>",
        "visibility": "public",
        "account": {"id": "7", "acct": "ana"},
    }


# ---------------------------------------------------------------- HTML to text


@pytest.mark.parametrize(
    ("fragment", "text"),
    [
        ("<p>one</p><p>two</p>", "one\n\ntwo"),
        ("a<br>b<br/><br />c", "a\nb\n\nc"),
        ("<p>  spaced \n  out </p>", "spaced out"),
        ("&quot;q&quot; &amp; &#x2F; &lt;3", '"q" & / <3'),
        ("<ul><li>one</li><li>two</li></ul>after", "one\ntwo\n\nafter"),
        ("<pre>code\n  indented</pre>", "code\n  indented"),
        ("<p>x<script>alert(1)</script>y</p>", "xy"),
        (
            '<a href="https://e.example/long/path">https://e.example/lo...</a>',
            "https://e.example/long/path",
        ),
        ('<a href="https://e.example/x"></a>', "https://e.example/x"),
        ('<a href="https://e.example/x">the site</a>', "the site"),
        ("plain\ntext &amp; more", "plain\ntext & more"),
        ('unclosed <b>bold <a href="x', 'unclosed bold <a href="x'),
        ("stray </div></p> closers", "stray\n\nclosers"),
        ("<p><![if x]>kept</p>", "kept"),
        ("", ""),
        (None, ""),
    ],
)
def test_html_to_text(fragment: str | None, text: str) -> None:
    assert html_to_text(fragment) == text


@pytest.mark.parametrize(
    "fragment",
    [
        '<p><span class="h-card"><a href="https://m.example/@bob" class="u-url mention">'
        "@<span>bob</span></a></span> hi &amp; bye</p><p>two<br>lines</p>",
        '<p>a <a href="https://x.example/a?b=1&amp;c=2"><span class="invisible">https://</span>'
        '<span class="ellipsis">x.example/a</span><span class="invisible">?b=1&amp;c=2</span></a></p>',
        "first<p>Some <i>HN</i> text &gt; quoted</p><pre><code>  x = 1\n  y = 2</code></pre>",
        "<ul><li>one</li><li>two<br/>more</li></ul><blockquote><p>quoted</p></blockquote>",
        '<A HREF="https://e.example/long/path">https://e.example/lo...</A> <BR> end',
        "<p>unclosed <b>bold <a href='https://e.example'>link</p>",
    ],
)
def test_tidy_markup_reads_as_the_parser_reads_it(fragment: str) -> None:
    # a comment makes the fragment untidy, so it goes through html.parser instead
    assert html_to_text(fragment) == html_to_text("<!-- -->" + fragment)


def test_html_links_can_be_rewritten() -> None:
    fragment = (
        '<p><a href="https://m.example/@bob" class="u-url mention">@<span>bob</span></a> hi</p>'
    )
    rewritten = html_to_text(
        fragment,
        link_text=lambda href, text, classes: "@bob@m.example" if "mention" in classes else None,
    )
    assert rewritten == "@bob@m.example hi"
