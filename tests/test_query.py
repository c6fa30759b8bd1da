"""The query language: every construct against a small corpus, errors with positions, Unicode."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa
from hubbub.errors import HubbubError
from hubbub.posts import Post
from hubbub.project import Project
from hubbub.query import (
    And,
    Between,
    Equals,
    MatchAll,
    Not,
    Or,
    QueryError,
    SqliteCompiler,
    Terms,
    compile_query,
    parse_query,
)
from hubbub.store import posts_table

#: every test that builds a corpus runs on SQLite and on PostgreSQL (tests/conftest.py)
pytestmark = pytest.mark.backends

#: (external id, text, fields) of the test corpus
CORPUS: list[tuple[str, str, dict[str, Any]]] = [
    ("luggage", "My LUGGAGE is lost, day 3", {"author": "alice", "likes": 5}),
    ("lostbag", "Lost bag at JFK again #baggage", {"author": "bob", "hashtags": ["baggage"]}),
    ("bagtag", "The bag tag says LIS", {"author": "carol", "lang": "en-GB"}),
    ("bareword", "baggage claim is slow today", {"author": "dave", "likes": 100}),
    ("mention", "@SkyJet where is my refund?", {"author": "erin", "mentions": ["SkyJet"]}),
    ("keyword", "Refunded at last, thanks skyjet", {"author": "frank", "likes": 12}),
    ("spanish", "Mi vuelo está retrasado, qué lío", {"author": "gloria", "lang": "es"}),
    ("arabic1", "فقدت حقيبتي في المطار", {"author": "hassan", "lang": "ar"}),
    ("arabic2", "حقيبتي وصلت مكسورة", {"author": "huda", "lang": "ar", "platform": "mastodon"}),
    ("upper", "#BAGGAGE drama, bags everywhere", {"author": "ivan", "hashtags": ["BAGGAGE"]}),
    ("spam", "spam_bot sells cheap flights", {"author": "spam_bot"}),
    (
        "late",
        "Delayed two hours @SkyJetHelp",
        {"author": "judy", "mentions": ["SkyJetHelp"], "created_at": datetime(2026, 3, 11, 23, 30)},
    ),
    (
        "reply",
        "@alice same here",
        {
            "author": "karl",
            "mentions": ["alice"],
            "reply_to_id": "luggage",
            "reply_to_author": "alice",
        },
    ),
    ("cafe", "Café at the gate is closed", {"author": "lena"}),
    ("underscore", "lost_bag is my handle", {"author": "mo"}),
    ("quoted", 'She said "no refunds" twice', {"author": "nina", "lang": "en"}),
]


def _posts() -> list[Post]:
    posts = []
    for number, (external_id, text, fields) in enumerate(CORPUS):
        values = {
            "platform": "twitter",
            "external_id": external_id,
            "author": "someone",
            "text": text,
            "created_at": datetime(2026, 3, 10, 8, number),
            **fields,
        }
        posts.append(Post(**values))
    return posts


@pytest.fixture
def corpus(make_project: Callable[..., Project]) -> Project:
    """A project in Europe/Amsterdam holding :data:`CORPUS`, with sentiment on two posts."""
    project = make_project(timezone="Europe/Amsterdam")
    store = project.store
    store.write_batch(_posts(), [], source="test")
    with store.engine.connect() as conn:
        ids = dict(conn.execute(sa.select(posts_table.c.external_id, posts_table.c.id)).all())
    store.write_annotations(
        [
            {
                "post_id": ids["luggage"],
                "analyzer": "sentiment",
                "key": "label",
                "version": "1",
                "value": "negative",
            },
            {
                "post_id": ids["keyword"],
                "analyzer": "sentiment",
                "key": "label",
                "version": "1",
                "value": "positive",
            },
            {
                "post_id": ids["keyword"],
                "analyzer": "sentiment",
                "key": "compound",
                "version": "1",
                "value": 0.6,
            },
        ]
    )
    return project


@pytest.fixture
def find(corpus: Project) -> Callable[[str], set[str]]:
    """The external ids of the corpus posts a query matches."""

    def run(query: str) -> set[str]:
        where = compile_query(
            query, dialect=corpus.store.dialect, timezone=corpus.config.project.timezone
        )
        with corpus.store.engine.connect() as conn:
            return set(conn.execute(sa.select(posts_table.c.external_id).where(where)).scalars())

    return run


ALL = {external_id for external_id, _text, _fields in CORPUS}


# ---------------------------------------------------------------- terms and phrases


def test_a_word_matches_whole_tokens_in_any_case(find: Callable[[str], set[str]]) -> None:
    assert find("luggage") == {"luggage"}
    assert find("LuGgAgE") == {"luggage"}
    # "bag" is a token of "Lost bag" and "The bag tag"; not of "bags", "baggage" or "lost_bag"
    assert find("bag") == {"lostbag", "bagtag"}


def test_a_phrase_matches_consecutive_tokens(find: Callable[[str], set[str]]) -> None:
    assert find('"lost bag"') == {"lostbag"}
    assert find('"bag lost"') == set()
    assert find('"no refunds"') == {"quoted"}


def test_a_trailing_star_is_a_prefix(find: Callable[[str], set[str]]) -> None:
    assert find("refund*") == {"mention", "keyword", "quoted"}
    assert find("bag*") == {"lostbag", "bagtag", "bareword", "upper"}  # the word "baggage" too


def test_accents_are_folded(find: Callable[[str], set[str]]) -> None:
    assert find("cafe") == {"cafe"}
    assert find("CAFÉ") == {"cafe"}
    assert find("esta") == {"spanish"}
    assert find('"que lio"') == {"spanish"}


def test_arabic_words_and_phrases(find: Callable[[str], set[str]]) -> None:
    assert find("حقيبتي") == {"arabic1", "arabic2"}
    assert find('"فقدت حقيبتي"') == {"arabic1"}
    assert find('"حقيبتي فقدت"') == set()
    assert find("حقيبتي -مكسورة") == {"arabic1"}
    assert find("lang:ar AND المطار") == {"arabic1"}


# ---------------------------------------------------------------- hashtags and mentions


def test_a_hashtag_matches_the_tag_in_any_case_and_not_the_bare_word(
    find: Callable[[str], set[str]],
) -> None:
    assert find("#baggage") == {"lostbag", "upper"}
    assert find("#BaGgAgE") == {"lostbag", "upper"}
    assert "bareword" not in find("#baggage")
    assert find("hashtag:baggage") == find("#baggage") == find("tag:#baggage")
    # the bare word matches the word wherever it is written, "#baggage" in text included
    assert find("baggage") == {"lostbag", "bareword", "upper"}


def test_a_mention_matches_the_handle_and_not_the_keyword(find: Callable[[str], set[str]]) -> None:
    assert find("@SkyJet") == {"mention"}
    assert find("@skyjet") == {"mention"}
    assert find("mention:SKYJET") == {"mention"}
    assert find("@SkyJet*") == {"mention", "late"}
    assert "keyword" not in find("@SkyJet")


# ---------------------------------------------------------------- operators


def test_default_operator_is_and(find: Callable[[str], set[str]]) -> None:
    assert find("lost bag") == {"lostbag"}
    assert find("lost bag") == find("lost AND bag")


def test_or_and_not_and_minus(find: Callable[[str], set[str]]) -> None:
    assert find("luggage OR cafe") == {"luggage", "cafe"}
    assert find("bag NOT tag") == {"lostbag"}
    assert find("bag -tag") == {"lostbag"}
    assert find("bag AND NOT tag") == {"lostbag"}
    assert find("NOT bag") == ALL - {"lostbag", "bagtag"}
    assert find("-bag") == ALL - {"lostbag", "bagtag"}
    assert find("NOT NOT bag") == {"lostbag", "bagtag"}


def test_parentheses_group(find: Callable[[str], set[str]]) -> None:
    assert find("(luggage OR cafe) lost") == {"luggage"}
    assert find("luggage OR (cafe lost)") == {"luggage"}
    assert find("(refund* OR #baggage) -(@SkyJet OR bob)") == {
        "keyword",
        "quoted",
        "upper",
        "lostbag",
    }


def test_precedence_explicit_and_binds_tighter_than_or(find: Callable[[str], set[str]]) -> None:
    assert find("luggage OR lost AND bag") == {"luggage", "lostbag"}
    assert find("cafe lost OR luggage") == set()  # cafe AND (lost OR luggage)


def test_star_matches_everything(find: Callable[[str], set[str]]) -> None:
    assert find("*") == ALL
    assert find("*:*") == ALL
    assert find("* -bag") == ALL - {"lostbag", "bagtag"}


# ---------------------------------------------------------------- fields


def test_author_field_is_case_insensitive_and_takes_a_prefix(
    find: Callable[[str], set[str]],
) -> None:
    assert find("author:ALICE") == {"luggage"}
    assert find("author:@alice") == {"luggage"}
    assert find("author:spam_bot") == {"spam"}
    assert find("author:h*") == {"arabic1", "arabic2"}
    assert find("flights -author:spam_bot") == set()
    assert find("author:(alice OR bob)") == {"luggage", "lostbag"}


def test_lang_and_platform_fields(find: Callable[[str], set[str]]) -> None:
    assert find("lang:ar") == {"arabic1", "arabic2"}
    assert find("lang:en") == {"bagtag", "quoted"}  # en-GB is English too
    assert find("lang:en-gb") == {"bagtag"}
    assert find("lang:*") == {"bagtag", "spanish", "arabic1", "arabic2", "quoted"}
    # posts without a language are not dropped by a negated field
    assert "cafe" in find("-lang:ar")
    assert find("platform:mastodon") == {"arabic2"}
    assert find("platform:MASTODON") == {"arabic2"}


def test_sentiment_field_reads_annotations(find: Callable[[str], set[str]]) -> None:
    assert find("sentiment:negative") == {"luggage"}
    assert find("sentiment:positive") == {"keyword"}
    assert find("sentiment:neutral") == set()
    assert find("sentiment:unanalysed") == ALL - {"luggage", "keyword"}
    assert find("sentiment:unanalyzed") == find("sentiment:unanalysed")
    assert find("refund* AND sentiment:positive") == {"keyword"}


def test_date_ranges_use_the_project_time_zone(find: Callable[[str], set[str]]) -> None:
    # "late" is 2026-03-11 23:30 UTC, which is 2026-03-12 00:30 in Amsterdam
    assert find("created:2026-03-12") == {"late"}
    assert find("created:2026-03-11") == set()
    assert find("date:2026-03-10") == ALL - {"late"}
    assert find("created:[2026-03-10 TO 2026-03-11]") == ALL - {"late"}
    assert find("created:[2026-03-10 TO 2026-03-12]") == ALL
    assert find("created:{2026-03-10 TO 2026-03-13}") == {"late"}
    assert find("created:>=2026-03-12") == {"late"}
    assert find("created:>2026-03-11") == {"late"}
    assert find("created:<2026-03-12") == ALL - {"late"}
    assert find("created:[2026-03-12T00:00 TO *]") == {"late"}
    assert find("created:2026-03-11T23:30Z") == {"late"}  # an explicit offset wins
    assert find("created:2026-03") == ALL
    assert find("created:2025") == set()


def test_count_fields_take_numbers_and_ranges(find: Callable[[str], set[str]]) -> None:
    assert find("likes:100") == {"bareword"}
    assert find("likes:>=12") == {"bareword", "keyword"}
    assert find("likes:>12") == {"bareword"}
    assert find("likes:[5 TO 12]") == {"luggage", "keyword"}
    assert find("likes:<5") == ALL - {"luggage", "bareword", "keyword"}  # no count is 0


def test_is_field_and_text_field(find: Callable[[str], set[str]]) -> None:
    assert find("is:reply") == {"reply"}
    assert find("text:baggage") == find("baggage")
    assert find('text:"lost bag"') == {"lostbag"}


def test_escaped_characters_and_punctuation_inside_words(find: Callable[[str], set[str]]) -> None:
    assert find("spam_bot") == {"spam"}
    assert find(r"lost\_bag") == {"underscore"}
    assert find("LIS.") == {"bagtag"}  # punctuation is not part of a token


def test_boost_is_accepted_and_changes_nothing(find: Callable[[str], set[str]]) -> None:
    assert find("luggage^2 OR cafe") == {"luggage", "cafe"}


def test_proximity_matches_words_near_each_other(find: Callable[[str], set[str]]) -> None:
    assert find('"luggage lost"~2') == {"luggage"}
    assert find('"luggage day"~1') == set()


# ---------------------------------------------------------------- the tree and the compiled SQL


def test_parse_builds_the_tree() -> None:
    node = parse_query('"lost bag" OR #baggage OR luggage').node
    assert node == Or(
        (Terms("text", "lost bag"), Terms("hashtags", "baggage"), Terms("text", "luggage"))
    )
    assert parse_query("a -b").node == And((Terms("text", "a"), Not(Terms("text", "b"))))
    assert parse_query("refund*").node == Terms("text", "refund", prefix=True)
    assert parse_query("@SkyJet").node == Terms("mentions", "SkyJet")
    assert parse_query("author:Bob").node == Equals("author", "bob")
    assert parse_query("*").node == MatchAll()
    node = parse_query("likes:>=10").node
    assert node == Between("likes", 10, None)


def test_full_text_parts_become_one_match() -> None:
    compiler = SqliteCompiler()
    expression = compiler.fts_expression(parse_query('"lost bag" OR #baggage OR luggage').node)
    assert expression == '(text : "lost bag") OR (hashtags : "baggage") OR (text : "luggage")'
    assert compiler.fts_expression(parse_query("delay* -storm").node) == (
        '(text : "delay" *) NOT (text : "storm")'
    )
    # a field makes SQL around the single MATCH
    assert compiler.fts_expression(parse_query("delay* lang:en").node) is None


def test_quotes_inside_a_term_are_escaped_for_the_index(find: Callable[[str], set[str]]) -> None:
    assert find(r'"said \"no"') == {"quoted"}


def test_sentiment_makes_the_query_read_annotations() -> None:
    assert parse_query("bag sentiment:negative").uses_annotations
    assert not parse_query("bag -lang:en").uses_annotations


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("query", "position", "reason"),
    [
        ("lost bag)", 9, "unexpected ')'"),
        ("(lost bag", 10, "unexpected end of query"),
        ("lost AND", 9, "unexpected end of query"),
        ("OR lost", 1, "unexpected 'OR'"),
        ("lost AND AND bag", 10, "unexpected 'AND'"),
        ('lost "bag', 6, "unclosed quote"),
        ("colour:red", 1, "unknown field 'colour'"),
        ("bag *gage", 5, "only a trailing * is supported"),
        ("ba?", 1, "only a trailing * is supported"),
        ("bag~2", 1, "fuzzy matching"),
        ("/ba.*/", 1, "regular expressions"),
        ("sentiment:angry", 11, "sentiment:angry is not a label"),
        ("created:yesterday", 9, "created: expects a date"),
        ("created:2026-02-30", 9, "not a valid date"),
        ("likes:many", 7, "likes: expects a whole number"),
        ("lang:[a TO b]", 6, "lang: does not take a range"),
        ("bag &&", 5, "no letters or digits"),
        ("#", 1, "no letters or digits"),
        ("author:x:y", 8, "field 'x' inside field 'author'"),
        ("", 1, "empty query"),
        ("   ", 1, "empty query"),
    ],
)
def test_errors_point_at_the_position(query: str, position: int, reason: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(query)
    error = caught.value
    assert isinstance(error, HubbubError)
    assert error.position == position
    assert reason in error.reason
    assert str(error) == f"query error at position {position}: {error.reason}"
    assert "\n" not in str(error)


def test_the_error_position_counts_characters_not_bytes() -> None:
    with pytest.raises(QueryError) as caught:
        parse_query("حقيبتي مكسورة)")
    assert caught.value.position == 14


def test_a_bad_query_on_the_command_line_is_one_line(
    corpus: Project, cli: Callable[..., Any], error_line: Callable[[str], str]
) -> None:
    result = cli("search", "-p", corpus.directory, "refund* OR (bag")
    assert result.exit_code == 1
    line = error_line(result.stderr)
    assert line.startswith("Error: query error at position 16: unexpected end of query")
