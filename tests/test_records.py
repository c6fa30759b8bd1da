"""Native records → posts: ids, timestamps, counts, lists, field maps and the reasons for rejects."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
import pytest
from hubbub.errors import RecordError
from hubbub.records import (
    extract_hashtags,
    extract_mentions,
    parse_count,
    parse_id,
    parse_list,
    parse_timestamp,
    post_from_record,
)

NOW = datetime(2024, 6, 1, 12, 0, 0)


def build(record: dict[str, Any], **kwargs: Any) -> Any:
    """``post_from_record`` with the record's own JSON as raw text."""
    return post_from_record(record, raw=orjson.dumps(record).decode(), source="test", **kwargs)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("18446744073709551615", "18446744073709551615"),
        (1630000000000000001, "1630000000000000001"),
        (18446744073709551615, "18446744073709551615"),
        ("119237.0", "119237"),
        (119237.0, "119237"),
        ("  42 ", "42"),
        ("109876543210987654@mastodon.social", "109876543210987654@mastodon.social"),
        ("abc-DEF_1", "abc-DEF_1"),
    ],
)
def test_ids_are_exact_strings(value: Any, expected: str) -> None:
    assert parse_id(value) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (1.6300000000000001e18, "is a float: its exact value is lost"),
        (1.5, "is a float"),
        ("", "id is empty"),
        (True, "must be a string or integer"),
        ([1], "must be a string or integer, got list"),
    ],
)
def test_unusable_ids_are_rejected(value: Any, reason: str) -> None:
    with pytest.raises(RecordError, match=reason):
        parse_id(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-05-01T12:00:00Z", datetime(2024, 5, 1, 12)),
        ("2024-05-01T14:00:00+02:00", datetime(2024, 5, 1, 12)),
        ("2024-05-01T12:00:00", datetime(2024, 5, 1, 12)),
        ("2024-05-01 12:00:00.250000", datetime(2024, 5, 1, 12, 0, 0, 250000)),
        ("2024-05-01", datetime(2024, 5, 1)),
        (1714564800, datetime(2024, 5, 1, 12)),
        ("1714564800", datetime(2024, 5, 1, 12)),
        (1714564800.5, datetime(2024, 5, 1, 12, 0, 0, 500000)),
        (1714564800000, datetime(2024, 5, 1, 12)),
    ],
)
def test_timestamps_become_naive_utc(value: Any, expected: datetime) -> None:
    assert parse_timestamp(value, now=NOW) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("next tuesday", "is not an ISO 8601 date or epoch seconds"),
        ("2024-02-30", "is not an ISO 8601 date"),
        ("1800-01-01T00:00:00Z", "out of range"),
        ("2999-01-01", "out of range"),
        ("2024-06-03T00:00:00Z", "out of range"),
        (-5, "out of range"),
        (1e300, "out of range"),
        ("nan", "is not a number"),
        ("", "missing or invalid"),
        (True, "missing or invalid"),
        ({"date": "2024"}, "must be a date string or number"),
    ],
)
def test_bad_timestamps_are_rejected_with_the_value(value: Any, reason: str) -> None:
    with pytest.raises(RecordError, match=reason):
        parse_timestamp(value, now=NOW)


def test_a_timestamp_within_a_day_of_now_is_accepted() -> None:
    assert parse_timestamp("2024-06-02T11:00:00Z", now=NOW) == datetime(2024, 6, 2, 11)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), ("", None), (0, 0), (12, 12), ("1,204", 1204), ("7.0", 7), (3.0, 3)],
)
def test_counts(value: Any, expected: int | None) -> None:
    assert parse_count(value, "likes") == expected


@pytest.mark.parametrize("value", [-1, "-3", "many", 2.5, True, [1]])
def test_bad_counts_name_the_field(value: Any) -> None:
    with pytest.raises(RecordError, match="likes must"):
        parse_count(value, "likes")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (["@SkyJet", "acme"], ["SkyJet", "acme"]),
        ("@bob carol", ["bob", "carol"]),
        ("bob,carol", ["bob", "carol"]),
        ('["bob", "carol"]', ["bob", "carol"]),
        ("", None),
        ([], []),
    ],
)
def test_lists(value: Any, expected: list[str] | None) -> None:
    assert parse_list(value, "mentions", "@") == expected


def test_bad_lists_are_rejected() -> None:
    with pytest.raises(RecordError, match="mentions must hold strings"):
        parse_list([1, 2], "mentions", "@")
    with pytest.raises(RecordError, match="not a valid JSON list"):
        parse_list("[bob", "mentions", "@")
    with pytest.raises(RecordError, match="must be a list, got dict"):
        parse_list({"a": 1}, "mentions", "@")


def test_mentions_and_hashtags_from_text() -> None:
    text = "@SkyJet @bob@mastodon.social lost bag #Baggage #1 mail@example.com #baggage#x"
    assert extract_mentions(text) == ["SkyJet", "bob@mastodon.social"]
    assert extract_hashtags(text) == ["Baggage", "baggage"]


def test_a_full_record(record: Any) -> None:
    data = record(3, repost_of_id=1790000000000000001, quote_of_author="@Globex")
    post = build(data, now=NOW)
    assert post.platform == "twitter"
    assert post.external_id == "1790000000000000003"
    assert post.created_at == datetime(2024, 5, 1, 9, 3)
    assert post.repost_of_id == "1790000000000000001"
    assert post.quote_of_author == "Globex"
    assert (post.likes, post.reposts, post.replies) == (3, 0, 0)
    assert post.author_followers == 300
    assert post.mentions == ["SkyJet"]
    assert post.raw == orjson.dumps(data).decode()
    assert post.source == "test"


def test_mentions_and_hashtags_default_to_the_text() -> None:
    post = build(
        {
            "id": "1",
            "text": "@Acme where is my #refund",
            "author": "@carol",
            "created_at": "2024-05-01",
            "lang": "EN",
        },
        now=NOW,
    )
    assert (post.mentions, post.hashtags) == (["Acme"], ["refund"])
    assert post.author == "carol"
    assert post.lang == "en"
    assert post.platform == "native"


def test_platform_default_and_lowercasing() -> None:
    base = {"id": "1", "text": "t", "author": "a", "created_at": "2024-05-01"}
    assert build(base, platform="mastodon", now=NOW).platform == "mastodon"
    assert build({**base, "platform": "Bluesky"}, now=NOW).platform == "bluesky"


def test_field_map_reads_other_columns() -> None:
    post = build(
        {"tweet_id": "77", "body": "hello", "user": "dora", "time": "2024-05-01"},
        field_map={"id": "tweet_id", "text": "body", "author": "user", "created_at": "time"},
        now=NOW,
    )
    assert (post.external_id, post.text, post.author) == ("77", "hello", "dora")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"id": "1", "text": "t", "author": "a"}, "missing required field created_at"),
        ({"text": "t"}, "missing required fields id, author, created_at"),
        (
            {"id": "1", "text": 5, "author": "a", "created_at": "2024-05-01"},
            "text must be a string",
        ),
        ({"id": "1", "text": "t", "author": " @ ", "created_at": "2024-05-01"}, "author must be"),
        (
            {"id": "1", "text": "t", "author": "a", "created_at": "2024-05-01", "url": {}},
            "url must be a string",
        ),
        ({"id": "1", "text": "a\x00b", "author": "a", "created_at": "2024-05-01"}, "NUL"),
        (
            {"id": "1", "text": "t", "author": "a", "created_at": "2024-05-01", "x": ["\x00"]},
            "NUL",
        ),
    ],
)
def test_unusable_records_say_why(data: dict[str, Any], reason: str) -> None:
    with pytest.raises(RecordError, match=reason):
        build(data, now=NOW)


def test_a_json_array_is_not_a_record() -> None:
    with pytest.raises(RecordError, match="expected a JSON object, got list"):
        post_from_record([1, 2], raw="[1, 2]", source="test")  # type: ignore[arg-type]


def test_a_literal_backslash_u0000_in_text_is_not_a_nul() -> None:
    raw = r'{"id": "1", "text": "C:\\u0000 is a path", "author": "a", "created_at": "2024-05-01"}'
    post = post_from_record(orjson.loads(raw), raw=raw, source="test", now=NOW)
    assert post.text == "C:\\u0000 is a path"
