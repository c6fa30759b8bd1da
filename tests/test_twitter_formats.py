"""Twitter/X formats: API v2 (twarc pages and flattened tweets) and API v1.1 statuses.

The fixtures in ``fixtures/twitter`` are written in the real shapes (cut down, invented
content): two twarc search pages, the same tweets as ``twarc2 flatten`` writes them, a
v1.1 search response, a timeline array and a stream with notices.
"""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from hubbub.cli.data_commands import pick_file_source
from hubbub.ingest import run_source
from hubbub.inputs import InputFile
from hubbub.plugin_host import get_host
from hubbub.plugins.twitter import TwitterOptions, TwitterV1Source, TwitterV2Source
from hubbub.posts import Post, Reject

FIXTURES = Path(__file__).parent / "fixtures" / "twitter"
V2_PAGES = FIXTURES / "v2_pages.jsonl"
V2_FLAT = FIXTURES / "v2_flat.jsonl"
V1_SEARCH = FIXTURES / "v1_search.json"
V1_TIMELINE = FIXTURES / "v1_timeline.json"
V1_STREAM = FIXTURES / "v1_stream.jsonl"

#: tweets of the two v2 pages, and the included tweets they reference
V2_IDS = {
    "1441054496931610624",
    "1441054812345678849",
    "1441055123456789504",
    "1441055234567890945",
    "1441055345678901248",
    "1441055456789012480",
    "1441055567890123776",
    "1440990000000000001",
    "1440999999999999999",
    "1441060000000000000",
    "1441060111111111111",
    "1441060222222222222",
    "1441060333333333333",
    "1441060444444444444",
}


def import_file(cli: Any, project: Any, path: Path, *args: str) -> Any:
    """``hubbub import`` without ``--format`` unless given; asserts success."""
    result = cli("import", "-p", project.directory, path, *args)
    assert result.exit_code == 0, result.output
    return result


def stored(project: Any) -> dict[str, Any]:
    """Stored post rows by external id."""
    return {row.external_id: row for rows in project.store.iter_posts() for row in rows}


def read_all(source: Any) -> list[Post | Reject]:
    return list(source.read(None))


def v2_source(path: Path, **options: Any) -> TwitterV2Source:
    return TwitterV2Source(TwitterOptions(path=str(path), **options), key=f"file:{path}")


def v1_source(path: Path, **options: Any) -> TwitterV1Source:
    return TwitterV1Source(TwitterOptions(path=str(path), **options), key=f"file:{path}")


def pages(path: Path = V2_PAGES) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


# ---------------------------------------------------------------- API v2


@pytest.fixture
def v2(cli: Any, project: Any) -> dict[str, Any]:
    """The two v2 pages, imported without ``--format``."""
    import_file(cli, project, V2_PAGES)
    return stored(project)


def test_v2_pages_import_every_tweet_and_the_included_ones(v2: dict[str, Any]) -> None:
    assert set(v2) == V2_IDS
    assert {row.platform for row in v2.values()} == {"twitter"}


def test_v2_a_plain_tweet_maps_author_text_entities_and_counts(v2: dict[str, Any]) -> None:
    tweet = v2["1441054496931610624"]
    assert tweet.author == "maria_travels"
    assert tweet.author_name == "María Viaja"
    assert tweet.author_followers == 812
    # HTML escapes undone, the t.co link replaced by where it points
    assert tweet.text == (
        "@SkyJet my bag never arrived in Lisbon & nobody answers the phone #lostbag "
        "https://skyjet.example/claims/LIS-123"
    )
    assert tweet.created_at == datetime(2021, 9, 22, 16, 37, 20)
    assert tweet.url == "https://x.com/maria_travels/status/1441054496931610624"
    assert tweet.lang == "en"
    assert tweet.conversation_id == "1441054496931610624"
    assert orjson.loads(tweet.mentions) == ["SkyJet"]
    assert orjson.loads(tweet.hashtags) == ["lostbag"]
    assert (tweet.likes, tweet.reposts, tweet.replies) == (3, 1, 1)
    raw = orjson.loads(tweet.raw)
    assert raw["id"] == "1441054496931610624"
    assert raw["author"]["username"] == "maria_travels"  # the author kept beside the tweet
    assert raw["entities"]["annotations"][0]["normalized_text"] == "Lisbon"


def test_v2_a_reply_names_the_tweet_and_the_user_it_answers(v2: dict[str, Any]) -> None:
    reply = v2["1441054812345678849"]
    assert reply.author == "SkyJet"
    assert reply.reply_to_id == "1441054496931610624"
    assert reply.reply_to_author == "maria_travels"
    assert reply.conversation_id == "1441054496931610624"


def test_v2_a_quote_names_the_quoted_tweet_and_its_author(v2: dict[str, Any]) -> None:
    quote = v2["1441055123456789504"]
    assert quote.quote_of_id == "1440990000000000001"
    assert quote.quote_of_author == "SkyJet"
    assert quote.repost_of_id is None
    assert quote.text == "This aged well 🙃 https://twitter.com/SkyJet/status/1440990000000000001"
    # the quoted tweet came only in includes.tweets, and is a post of its own
    assert v2["1440990000000000001"].author == "SkyJet"
    assert v2["1440990000000000001"].likes == 210


def test_v2_a_retweet_takes_the_full_text_from_the_original(v2: dict[str, Any]) -> None:
    retweet = v2["1441055234567890945"]
    original = v2["1440999999999999999"]
    assert retweet.repost_of_id == "1440999999999999999"
    assert retweet.repost_of_author == "frequentflyer_jo"
    assert retweet.text == "RT @frequentflyer_jo: " + original.text
    assert not retweet.text.endswith("…")
    assert orjson.loads(retweet.mentions) == ["frequentflyer_jo", "SkyJet"]
    assert orjson.loads(retweet.hashtags) == ["delayed", "SkyJetFail"]
    # the retweet reports its original's retweet_count; only the original keeps it
    assert (retweet.reposts, original.reposts) == (0, 57)
    assert original.author == "frequentflyer_jo"


def test_v2_a_retweet_of_a_deleted_tweet_keeps_its_own_text(v2: dict[str, Any]) -> None:
    retweet = v2["1441060111111111111"]
    assert retweet.repost_of_id == "1441011111111111111"
    assert retweet.repost_of_author == "deleted_acct"  # from "RT @deleted_acct:"
    assert retweet.text.endswith("during a four hour del…")
    assert "1441011111111111111" not in v2


def test_v2_a_withheld_tweet_is_imported_with_its_withheld_note_kept(v2: dict[str, Any]) -> None:
    tweet = v2["1441055345678901248"]
    assert tweet.author == "news_desk_in"
    assert tweet.text.startswith("Airport strike")
    assert orjson.loads(tweet.raw)["withheld"] == {"copyright": False, "country_codes": ["IN"]}


def test_v2_a_tweet_whose_author_is_missing_uses_the_author_id(v2: dict[str, Any]) -> None:
    tweet = v2["1441055456789012480"]
    assert tweet.author == "1423456789012345678"
    assert (tweet.author_name, tweet.author_followers) == (None, None)
    assert tweet.url == "https://x.com/i/web/status/1441055456789012480"
    assert "author" not in orjson.loads(tweet.raw)


def test_v2_a_reply_to_a_deleted_tweet_by_a_missing_user(v2: dict[str, Any]) -> None:
    reply = v2["1441055567890123776"]
    assert reply.reply_to_id == "1440111111111111111"
    assert reply.reply_to_author == "1399000000000000001"  # in_reply_to_user_id
    assert reply.conversation_id == "1440111111111111111"


def test_v2_a_long_post_takes_its_note_tweet_text_and_entities(v2: dict[str, Any]) -> None:
    post = v2["1441060000000000000"]
    assert post.text.endswith(
        "Thread with details for connecting flights below. #SkyJetUpdate #stormdelay"
    )
    assert len(post.text) > 280
    assert orjson.loads(post.hashtags) == ["SkyJetUpdate", "stormdelay"]


def test_v2_a_quote_on_the_second_page_finds_its_author_in_that_page(v2: dict[str, Any]) -> None:
    quote = v2["1441060222222222222"]
    assert quote.quote_of_id == "1441054496931610624"
    assert quote.quote_of_author == "maria_travels"
    assert quote.text.startswith("Wait times explained > 2 hours")


def test_v2_language_tags_without_a_language_become_none(v2: dict[str, Any]) -> None:
    assert v2["1441060333333333333"].lang is None  # "qme": media only
    assert v2["1441060444444444444"].lang is None  # "und"


def test_v2_without_entities_mentions_and_hashtags_come_from_the_text(
    v2: dict[str, Any],
) -> None:
    assert orjson.loads(v2["1441060333333333333"].mentions) == ["SkyJet"]
    assert v2["1441060333333333333"].text == "@SkyJet 📸 https://t.co/PhotoLk9"


def test_v2_errors_entries_are_not_rejects(cli: Any, project: Any) -> None:
    result = import_file(cli, project, V2_PAGES)
    assert "rejected 0" in result.stderr
    assert project.store.count_rejects() == 0


def test_v2_flattened_tweets_map_like_pages(cli: Any, project: Any, make_project: Any) -> None:
    import_file(cli, project, V2_FLAT)
    flat = stored(project)
    from_pages = make_project("pages")
    import_file(cli, from_pages, V2_PAGES)
    paged = stored(from_pages)
    # the four flattened tweets, and the retweeted original inlined in one of them
    assert set(flat) == {
        "1441054812345678849",
        "1441055234567890945",
        "1441055456789012480",
        "1441055567890123776",
        "1440999999999999999",
    }
    fields = ("author", "author_name", "author_followers", "text", "reply_to_id")
    fields += ("reply_to_author", "repost_of_id", "repost_of_author", "mentions", "hashtags")
    fields += ("likes", "reposts", "replies", "conversation_id", "url", "lang", "created_at")
    for post_id, row in flat.items():
        for field in fields:
            assert getattr(row, field) == getattr(paged[post_id], field), (post_id, field)
    # a flattened line is stored exactly as read
    first_line = V2_FLAT.read_text(encoding="utf-8").splitlines()[0]
    assert flat["1441054812345678849"].raw == first_line


def test_v2_a_json_array_of_pages_and_a_single_page_document(
    cli: Any, make_project: Any, tmp_path: Path
) -> None:
    array = tmp_path / "pages.json"
    array.write_bytes(orjson.dumps(pages(), option=orjson.OPT_INDENT_2))
    single = tmp_path / "page.json"
    single.write_bytes(orjson.dumps(pages()[0], option=orjson.OPT_INDENT_2))
    in_array = make_project("array")
    import_file(cli, in_array, array)
    assert set(stored(in_array)) == V2_IDS
    in_single = make_project("single")
    import_file(cli, in_single, single)
    assert len(stored(in_single)) == 9  # page 1: seven tweets and two included ones


def test_v2_pages_longer_than_the_sniffing_window_are_json_lines(
    cli: Any, project: Any, tmp_path: Path
) -> None:
    """Real twarc pages are hundreds of KiB per line: they are not one JSON document."""
    first, second = pages()
    template = first["data"][0]
    first["data"] = [
        {**template, "id": str(1442000000000000000 + n), "conversation_id": None}
        for n in range(400)
    ]
    path = tmp_path / "big.jsonl"
    path.write_bytes(orjson.dumps(first) + b"\n" + orjson.dumps(second) + b"\n")
    assert path.stat().st_size > 1 << 17
    assert pick_file_source(get_host(), InputFile(path), None) is TwitterV2Source
    result = import_file(cli, project, path)
    assert "rejected 0" in result.stderr
    ids = set(stored(project))
    assert {str(1442000000000000000 + n) for n in range(400)} <= ids
    assert "1441060444444444444" in ids  # the second line was read as its own page


def test_a_json_array_whose_first_item_is_bigger_than_the_sample_is_sniffed(
    tmp_path: Path,
) -> None:
    first, second = pages()
    template = first["data"][0]
    first["data"] = [{**template, "id": str(1442000000000000000 + n)} for n in range(400)]
    v2_array = tmp_path / "pages.json"
    v2_array.write_bytes(orjson.dumps([first, second]))
    assert pick_file_source(get_host(), InputFile(v2_array), None) is TwitterV2Source
    statuses = orjson.loads(V1_TIMELINE.read_bytes())
    statuses[0]["user"]["description"] = "long profile " * 6000
    v1_array = tmp_path / "timeline.json"
    v1_array.write_bytes(orjson.dumps(statuses))
    assert pick_file_source(get_host(), InputFile(v1_array), None) is TwitterV1Source


def test_v2_a_stream_line_holds_one_tweet_and_its_matching_rules(tmp_path: Path) -> None:
    page = pages()[0]
    rules = [{"id": "1441000000000000001", "tag": "skyjet"}]
    line = {"data": page["data"][1], "includes": page["includes"], "matching_rules": rules}
    path = tmp_path / "stream.jsonl"
    path.write_bytes(orjson.dumps(line) + b"\n")
    results = read_all(v2_source(path))
    assert [p.external_id for p in results] == [
        "1441054812345678849",
        "1440990000000000001",
        "1440999999999999999",
    ]
    reply = results[0]
    assert (reply.reply_to_author, reply.author) == ("maria_travels", "SkyJet")
    assert orjson.loads(reply.raw)["matching_rules"] == rules


def test_v2_a_bad_tweet_is_rejected_alone_and_the_page_goes_on(tmp_path: Path) -> None:
    page = pages()[0]
    page["data"][1] = {k: v for k, v in page["data"][1].items() if k != "created_at"}
    withheld = dict(page["data"][4])
    del withheld["text"]
    page["data"][4] = withheld
    path = tmp_path / "bad.jsonl"
    path.write_bytes(orjson.dumps(page) + b"\n")
    results = read_all(v2_source(path))
    rejects = [item for item in results if isinstance(item, Reject)]
    assert [(r.position, r.reason) for r in rejects] == [
        ("line 1 tweet 1441054812345678849", "created_at is missing or invalid: None"),
        (
            "line 1 tweet 1441055345678901248",
            "tweet 1441055345678901248 is withheld (IN) and has no text",
        ),
    ]
    assert sum(isinstance(item, Post) for item in results) == 7


def test_v2_errors_only_pages_and_compliance_events_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "lookup.jsonl"
    errors_only = {"errors": pages()[0]["errors"]}
    event = {"data": {"delete": {"tweet": {"id": "1441054496931610624", "author_id": "1"}}}}
    path.write_bytes(orjson.dumps(errors_only) + b"\n" + orjson.dumps(event) + b"\n")
    assert read_all(v2_source(path)) == []


def test_v2_links_can_be_left_as_t_co(tmp_path: Path) -> None:
    posts = {p.external_id: p for p in read_all(v2_source(V2_PAGES, expand_links=False))}
    assert posts["1441054496931610624"].text.endswith("#lostbag https://t.co/AbC123xyz")


def test_v2_a_tweet_over_the_record_limit_is_rejected_even_inside_a_page(
    tmp_path: Path,
) -> None:
    page = pages()[0]
    page["data"][0]["context_annotations"] = [{"domain": {"name": "x" * 5000}}]
    path = tmp_path / "page.jsonl"
    path.write_bytes(orjson.dumps(page) + b"\n")
    results = read_all(v2_source(path, max_record_bytes=4096))
    rejects = [item for item in results if isinstance(item, Reject)]
    assert [(r.position, r.reason) for r in rejects] == [
        ("line 1 tweet 1441054496931610624", "record over 4096 bytes")
    ]


# ---------------------------------------------------------------- API v1.1


@pytest.fixture
def search(cli: Any, project: Any) -> dict[str, Any]:
    import_file(cli, project, V1_SEARCH)
    return stored(project)


def test_v1_search_response_statuses_and_their_originals(search: dict[str, Any]) -> None:
    assert set(search) == {
        "690992334247477249",
        "690990000000000001",
        "690992100000000002",
        "690992200000000003",
        "690992250000000005",
        "690980000000000004",
        "690992300000000006",
    }


def test_v1_a_status_maps_user_entities_dates_and_counts(search: dict[str, Any]) -> None:
    status = search["690992100000000002"]
    assert status.author == "kimflies"
    assert (status.author_name, status.author_followers) == ("Kim", 77)
    assert status.created_at == datetime(2016, 1, 23, 20, 18, 50)
    assert status.text == (
        "@SkyJet why is check-in closed 3 hours before departure?? #help "
        "https://skyjet.example/checkin"
    )
    assert orjson.loads(status.mentions) == ["SkyJet"]
    assert orjson.loads(status.hashtags) == ["help"]
    assert (status.likes, status.reposts, status.replies) == (1, 0, None)
    assert status.lang == "en"
    assert status.url == "https://x.com/kimflies/status/690992100000000002"
    assert status.conversation_id == "690992100000000002"
    assert orjson.loads(status.raw)["metadata"]["result_type"] == "recent"


def test_v1_a_reply(search: dict[str, Any]) -> None:
    reply = search["690992200000000003"]
    assert reply.reply_to_id == "690992100000000002"
    assert reply.reply_to_author == "kimflies"
    assert reply.conversation_id is None  # v1.1 does not name the thread's root


def test_v1_a_retweet_takes_the_text_of_the_original(search: dict[str, Any]) -> None:
    retweet = search["690992334247477249"]
    original = search["690990000000000001"]
    assert retweet.repost_of_id == "690990000000000001"
    assert retweet.repost_of_author == "lee_reviews"
    assert retweet.text == "RT @lee_reviews: " + original.text
    assert retweet.text.endswith("Would wait there again. #avgeek")
    assert orjson.loads(retweet.hashtags) == ["avgeek"]
    assert (retweet.reposts, original.reposts, original.likes) == (0, 119, 217)


def test_v1_a_quote(search: dict[str, Any]) -> None:
    quote = search["690992250000000005"]
    assert quote.quote_of_id == "690980000000000004"
    assert quote.quote_of_author == "SkyJet"
    assert quote.text == "Small but mighty <3 https://twitter.com/SkyJet/status/690980000000000004"
    assert search["690980000000000004"].author == "SkyJet"


def test_v1_und_means_no_language(search: dict[str, Any]) -> None:
    assert search["690992300000000006"].lang is None


def test_v1_timeline_array_with_full_text(cli: Any, project: Any) -> None:
    import_file(cli, project, V1_TIMELINE)
    posts = stored(project)
    assert set(posts) == {
        "759226600000000001",
        "759226500000000002",
        "759226539879858176",
        "759071263004459008",
    }
    assert posts["759226600000000001"].text.startswith("Summer schedule is live")
    assert "€39 & free seat" in posts["759226600000000001"].text
    retweet = posts["759226539879858176"]
    assert retweet.text.endswith("Thank you @SkyJet, truly.")
    assert orjson.loads(retweet.mentions) == ["pat_on_tour", "SkyJet"]
    reply = posts["759226500000000002"]
    assert (reply.reply_to_id, reply.reply_to_author) == ("759220000000000009", "pat_on_tour")
    assert orjson.loads(reply.mentions) == ["pat_on_tour", "lee_reviews"]


def test_v1_stream_skips_notices_and_reads_extended_and_quoted(cli: Any, project: Any) -> None:
    result = import_file(cli, project, V1_STREAM)
    assert "rejected 0" in result.stderr
    posts = stored(project)
    assert set(posts) == {
        "972472958601056256",
        "972472975361388544",
        "972472152447438859",
        "972473000000000777",
    }
    assert "972470000000000000" not in posts  # the deleted status
    extended = posts["972472958601056256"]
    assert extended.text.endswith("a quick word from the cockpit costs nothing. #SJ204 #delayed")
    assert orjson.loads(extended.hashtags) == ["SJ204", "delayed"]
    assert orjson.loads(extended.mentions) == ["SkyJet"]
    assert (extended.likes, extended.reposts, extended.replies) == (6, 2, 3)
    quote = posts["972472975361388544"]
    assert (quote.quote_of_id, quote.quote_of_author) == ("972472152447438859", "SkyJet")
    retweet = posts["972473000000000777"]
    assert retweet.text == "RT @pat_on_tour: " + extended.text  # from the original's extended_tweet
    assert (retweet.repost_of_id, retweet.repost_of_author) == ("972472958601056256", "pat_on_tour")
    # the raw payload is the line as the stream wrote it
    line = V1_STREAM.read_text(encoding="utf-8").splitlines()[1]
    assert extended.raw == line


def test_v1_ids_given_only_as_big_integers_stay_exact(tmp_path: Path) -> None:
    status = orjson.loads(V1_TIMELINE.read_bytes())[1]
    for key in ("id_str", "in_reply_to_status_id_str", "in_reply_to_user_id_str"):
        del status[key]
    status["id"] = 1441054496931610624  # above 2**53: a float would round it
    status["in_reply_to_status_id"] = 1441054496931610625
    path = tmp_path / "timeline.json"
    path.write_bytes(orjson.dumps([status], option=orjson.OPT_INDENT_2))
    (post,) = read_all(v1_source(path))
    assert post.external_id == "1441054496931610624"
    assert post.reply_to_id == "1441054496931610625"


def test_v1_a_quote_without_its_quoted_status_takes_the_author_from_the_permalink(
    tmp_path: Path,
) -> None:
    status = orjson.loads(V1_SEARCH.read_bytes())["statuses"][3]
    del status["quoted_status"]
    status["quoted_status_permalink"] = {
        "url": "https://t.co/qUoTe0005",
        "expanded": "https://twitter.com/SkyJet/status/690980000000000004",
        "display": "twitter.com/SkyJet/status/…",
    }
    path = tmp_path / "one.jsonl"
    path.write_bytes(orjson.dumps(status) + b"\n")
    (post,) = read_all(v1_source(path))
    assert (post.quote_of_id, post.quote_of_author) == ("690980000000000004", "SkyJet")


def test_v1_an_unknown_object_is_rejected_and_a_notice_is_not(tmp_path: Path) -> None:
    path = tmp_path / "stream.jsonl"
    lines = V1_STREAM.read_bytes().splitlines()
    path.write_bytes(b"\n".join([lines[0], b'{"hello": "world"}', lines[1]]) + b"\n")
    results = read_all(v1_source(path))
    rejects = [item for item in results if isinstance(item, Reject)]
    assert [(r.position, r.reason) for r in rejects] == [
        ("line 2", "not a v1.1 status (no text); keys: hello")
    ]
    assert [p.external_id for p in results if isinstance(p, Post)] == ["972472958601056256"]


# ---------------------------------------------------------------- detection


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (V2_PAGES, TwitterV2Source),
        (V2_FLAT, TwitterV2Source),
        (V1_SEARCH, TwitterV1Source),
        (V1_TIMELINE, TwitterV1Source),
        (V1_STREAM, TwitterV1Source),
    ],
    ids=lambda value: getattr(value, "name", None) or value.__name__,
)
def test_the_format_is_sniffed_and_no_other_source_claims_it(
    path: Path, expected: type, cli: Any, project: Any
) -> None:
    from hubbub.sniff import take_sample

    host = get_host()
    assert pick_file_source(host, InputFile(path), None) is expected
    sample = take_sample(InputFile(path))
    scores = {name: cls.sniff(sample) for name, cls in host.sources().items()}
    best = scores.pop(expected.name)
    assert best >= 0.8
    assert all(score < best for score in scores.values()), scores
    import_file(cli, project, path)
    rows = stored(project).values()
    assert rows and {row.platform for row in rows} == {"twitter"}
    assert {row.source for row in rows} == {f"file:{path.resolve()}"}


def test_native_records_are_not_taken_for_tweets(tmp_path: Path, record: Any, jsonl: Any) -> None:
    from hubbub.sniff import take_sample

    native = jsonl(tmp_path / "native.jsonl", [record(n) for n in range(3)])
    sample = take_sample(InputFile(native))
    assert TwitterV2Source.sniff(sample) == 0.0
    assert TwitterV1Source.sniff(sample) == 0.0
    assert pick_file_source(get_host(), InputFile(native), None).name == "jsonl"
    csv = tmp_path / "native.csv"
    csv.write_text("id,text,author,created_at\n1,hi,a,2024-05-01T09:00:00Z\n", encoding="utf-8")
    sample = take_sample(InputFile(csv))
    assert TwitterV2Source.sniff(sample) == TwitterV1Source.sniff(sample) == 0.0


# ---------------------------------------------------------------- files, twice, interrupted


@pytest.mark.parametrize("path", [V2_PAGES, V1_SEARCH], ids=lambda p: p.name)
def test_a_gzipped_copy_imports_the_same(
    path: Path, cli: Any, make_project: Any, tmp_path: Path
) -> None:
    packed = tmp_path / (path.name + ".gz")
    with path.open("rb") as plain, gzip.open(packed, "wb") as out:
        shutil.copyfileobj(plain, out)
    plain_project, packed_project = make_project("plain"), make_project("packed")
    import_file(cli, plain_project, path)
    import_file(cli, packed_project, packed)

    def rows(project: Any) -> dict[str, tuple[Any, ...]]:
        return {
            post_id: tuple(v for k, v in row._mapping.items() if k not in ("id", "source"))
            for post_id, row in stored(project).items()
        }

    assert rows(packed_project) == rows(plain_project)
    assert rows(packed_project)


@pytest.mark.parametrize("path", [V2_PAGES, V2_FLAT, V1_SEARCH, V1_STREAM], ids=lambda p: p.name)
def test_importing_the_same_file_twice_adds_nothing(
    path: Path, cli: Any, project: Any, tmp_path: Path
) -> None:
    import_file(cli, project, path)
    before = stored(project)
    again = import_file(cli, project, path)
    assert "stored 0" in again.stderr or "nothing new" in again.stderr
    copy = tmp_path / ("copy-" + path.name)  # another path: another cursor, same tweets
    shutil.copy(path, copy)
    third = import_file(cli, project, copy)
    assert "stored 0," in third.stderr
    assert stored(project).keys() == before.keys()
    assert project.store.count_rejects() == 0


def interrupt_after(source: Any, count: int) -> Any:
    """Make ``source.read`` raise KeyboardInterrupt after ``count`` results (a wrapping generator)."""
    read = source.read

    def interrupted(cursor: dict[str, Any] | None) -> Iterator[Any]:
        for number, item in enumerate(read(cursor), start=1):
            yield item
            if number == count:
                raise KeyboardInterrupt

    source.read = interrupted
    return source


@pytest.mark.parametrize(
    ("path", "make"),
    [
        (V2_PAGES, v2_source),
        (V2_FLAT, v2_source),
        (V1_SEARCH, v1_source),
        (V1_TIMELINE, v1_source),
        (V1_STREAM, v1_source),
    ],
    ids=lambda value: getattr(value, "name", None) or value.__name__,
)
def test_an_interrupted_import_ends_with_every_post_exactly_once(
    path: Path, make: Any, make_project: Any
) -> None:
    whole = make_project("whole")
    complete = run_source(whole.store, make(path), batch_size=1000)
    expected = set(stored(whole))
    assert complete.stored == len(expected) > 0

    # batches of one to three, cut one to four results in: cuts fall inside pages,
    # inside a status with its originals, and between lines that give no post
    for stop_after, batch_size in ((3, 2), (2, 1), (4, 3), (1, 1)):
        project = make_project(f"cut-{stop_after}-{batch_size}")
        runs = 0
        while True:
            runs += 1
            assert runs < 50
            try:
                source = interrupt_after(make(path), stop_after)
                run_source(project.store, source, batch_size=batch_size)
                break
            except KeyboardInterrupt:
                continue
        assert runs >= 2  # it was interrupted and resumed
        assert set(stored(project)) == expected
        assert project.store.count_rejects() == 0
        # nothing committed was read again, nothing was skipped: the reads add up
        with project.store.engine.connect() as conn:
            summaries = conn.execute(sa.text("SELECT summary FROM runs")).scalars().all()
        read = sum(orjson.loads(summary)["read"] for summary in summaries)
        assert read == complete.read, (stop_after, batch_size)
