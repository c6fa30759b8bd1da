"""Brand responsiveness: each rule of docs/methods/responsiveness.md, the demo's planted
answers, a customer-support CSV in the public dataset's shape, the command and the plugin."""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from hubbub.posts import Post
from hubbub.project import Project
from hubbub.records import extract_mentions, parse_timestamp
from hubbub.responsiveness import (
    BrandFigures,
    analyze_responsiveness,
    format_duration,
    parse_instant,
    percentile,
    post_credit,
    responsiveness_table,
    waiting_rows,
)

FIXTURES = Path(__file__).parent / "fixtures"
#: a Monday, 09:00 UTC
T0 = datetime(2024, 5, 6, 9, 0)

BRANDS = """
[brands.skyjet]
handles = ["SkyJet", "SkyJetHelp"]
keywords = ["skyjet"]
reply_target = "15m"

[brands.globex]
handles = ["Globex"]
reply_target = "1h"
"""

_UNSET: Any = object()


class Corpus:
    """Builds posts with snowflake-like ids; times are minutes after :data:`T0`."""

    def __init__(self) -> None:
        self.posts: list[Post] = []
        self._ids = itertools.count(1790000000000000001)

    def add(
        self,
        author: str,
        minutes: float,
        text: str = "",
        *,
        reply_to: Post | None = None,
        reply_to_author: str | None = _UNSET,
        conversation_id: str | None = _UNSET,
        repost_of: Post | None = None,
        platform: str = "twitter",
        reply_to_id: str | None = None,
    ) -> Post:
        """One post; a reply inherits its parent's conversation and names its author."""
        external_id = str(next(self._ids))
        if reply_to is not None:
            reply_to_id = reply_to.external_id
            if reply_to_author is _UNSET:
                reply_to_author = reply_to.author
            if conversation_id is _UNSET:
                conversation_id = reply_to.conversation_id
        post = Post(
            platform=platform,
            external_id=external_id,
            author=author,
            text=text,
            created_at=T0 + timedelta(minutes=minutes),
            reply_to_id=reply_to_id,
            reply_to_author=None if reply_to_author is _UNSET else reply_to_author,
            conversation_id=external_id if conversation_id is _UNSET else conversation_id,
            repost_of_id=repost_of.external_id if repost_of else None,
            repost_of_author=repost_of.author if repost_of else None,
            mentions=extract_mentions(text),
        )
        self.posts.append(post)
        return post

    def save(self, project: Project) -> Project:
        """Store the posts in ``project``."""
        project.store.write_batch(self.posts, [], source="test")
        return project


@pytest.fixture
def brands_project(make_project: Callable[..., Project]) -> Callable[..., Project]:
    """A project tracking skyjet (two handles) and globex; ``extra`` adds more TOML."""
    counter = itertools.count()

    def make(extra: str = "", **project: Any) -> Project:
        return make_project(f"brands{next(counter)}", extra=BRANDS + extra, **project)

    return make


def by_brand(project: Project, **options: Any) -> dict[str, BrandFigures]:
    """The figures per brand (one window)."""
    report = analyze_responsiveness(project, **options)
    return {figures.brand: figures for figures in report.figures}


def answers(project: Project, brand: str = "skyjet") -> dict[str, float | None]:
    """Inbound post id -> its first-response seconds (``None`` when unanswered)."""
    report = analyze_responsiveness(project, brands=[brand])
    return {post.external_id: post.response_seconds for post in report.posts[brand]}


# ---------------------------------------------------------------------------------------
# The rules
# ---------------------------------------------------------------------------------------


def test_a_brand_answers_from_any_of_its_handles_in_any_case(brands_project: Any) -> None:
    corpus = Corpus()
    first = corpus.add("maria", 0, "@SkyJet is the lounge open?")
    corpus.add("SkyJetHelp", 5, "@maria yes, until 22:00", reply_to=first)
    second = corpus.add("omar", 10, "@skyjethelp my bag is lost")
    corpus.add("SKYJET", 12, "@omar sorry! DM us", reply_to=second)
    both = corpus.add("lena", 20, "@SkyJet @SkyJetHelp anyone there?")
    corpus.add("Globex", 21, "@lena we are!", reply_to=both)  # another brand: no answer
    corpus.add("SkyJet", 40, "@lena here now", reply_to=both)
    project = corpus.save(brands_project())

    skyjet = by_brand(project)["skyjet"]
    assert (skyjet.inbound, skyjet.answered) == (3, 3)  # the double mention counts once
    assert answers(project) == {
        first.external_id: 300.0,
        second.external_id: 120.0,
        both.external_id: 1200.0,
    }
    assert (skyjet.fastest_seconds, skyjet.median_seconds, skyjet.slowest_seconds) == (
        120.0,
        300.0,
        1200.0,
    )


def test_reposts_own_posts_other_brands_and_keywords_are_not_inbound(brands_project: Any) -> None:
    corpus = Corpus()
    news = corpus.add("SkyJet", 0, "New route to Lisbon! cc @SkyJetHelp")  # its own post
    corpus.add("maria", 1, "New route to Lisbon! cc @SkyJetHelp", repost_of=news)  # a repost
    corpus.add("Globex", 2, "Congrats @SkyJet on the new route")  # another tracked brand
    corpus.add("omar", 3, "flying skyjet tomorrow, SkyJet's lounge is great")  # keyword only
    corpus.add("omar", 4, "@SkyJetFan is not the airline")  # another account
    reply = corpus.add("lena", 5, "finally!", reply_to=news)  # replies to the brand: inbound
    project = corpus.save(brands_project())

    report = analyze_responsiveness(project)
    assert [post.external_id for post in report.posts["skyjet"]] == [reply.external_id]
    assert report.posts["globex"] == []
    globex = by_brand(project)["globex"]
    assert (globex.inbound, globex.response_rate, globex.score, globex.median_seconds) == (
        0,
        0.0,
        None,
        None,
    )


def test_a_missing_reply_to_author_is_found_through_the_parent(brands_project: Any) -> None:
    corpus = Corpus()
    news = corpus.add("SkyJet", 0, "Our summer schedule is out")
    question = corpus.add("maria", 5, "does it include Porto?", reply_to=news, reply_to_author=None)
    # the same id on another platform is another post: not a reply to SkyJet
    corpus.add("omar", 6, "hello", platform="mastodon", reply_to_id=news.external_id)
    corpus.add("SkyJetHelp", 9, "yes, from June", reply_to=question, reply_to_author=None)
    project = corpus.save(brands_project())

    report = analyze_responsiveness(project, brands=["skyjet"])
    (post,) = report.posts["skyjet"]
    assert post.external_id == question.external_id
    assert post.follow_up
    assert post.response_seconds == 240.0
    assert post.reply_author == "SkyJetHelp"


def test_thread_replies_addressed_to_the_customer_answer_earlier_posts(
    brands_project: Any,
) -> None:
    corpus = Corpus()
    root = corpus.add("maria", 0, "@SkyJet my bag did not arrive in Lisbon")
    detail = corpus.add("maria", 1, "@SkyJet the tag is SJ123", reply_to=root)
    other = corpus.add("omar", 2, "@SkyJet same here, flight SJ 204", reply_to=root)
    corpus.add("SkyJetHelp", 6, "@maria we found it, delivery tonight", reply_to=detail)
    # another conversation: a thread answer beats a later direct reply
    question = corpus.add("lena", 30, "@SkyJet can I bring skis?")
    more = corpus.add("lena", 31, "they are 190cm", reply_to=question)  # not inbound: no @
    corpus.add("SkyJet", 40, "@lena yes, as sports luggage", reply_to=more)
    corpus.add("SkyJet", 150, "@lena and it is free on long haul", reply_to=question)
    # addressed to the customer but in another conversation: not an answer
    lost = corpus.add("kai", 200, "@SkyJet anyone?")
    corpus.add("SkyJet", 210, "@kai please DM us", conversation_id="999")
    project = corpus.save(brands_project())

    assert answers(project) == {
        root.external_id: 360.0,  # via the answer to maria's follow-up in the thread
        detail.external_id: 300.0,  # the direct reply
        other.external_id: None,  # the thread answer was addressed to maria, not omar
        question.external_id: 600.0,  # the thread answer at +10m, not the direct one at +2h
        lost.external_id: None,
    }


def test_follow_ups_are_inbound_posts_answered_by_the_next_reply(brands_project: Any) -> None:
    corpus = Corpus()
    question = corpus.add("maria", 0, "@SkyJet my refund has not arrived")
    answer = corpus.add(
        "SkyJetHelp", 5, "@maria sorry, can you DM the booking code?", reply_to=question
    )
    follow_up = corpus.add("maria", 10, "sent it", reply_to=answer)
    second = corpus.add("SkyJetHelp", 30, "@maria thanks, refunded today", reply_to=follow_up)
    thanks = corpus.add("maria", 31, "great, thanks", reply_to=second)
    project = corpus.save(brands_project())

    report = analyze_responsiveness(project, brands=["skyjet"])
    paired = {post.external_id: post for post in report.posts["skyjet"]}
    assert paired[question.external_id].reply_external_id == answer.external_id
    assert paired[follow_up.external_id].reply_external_id == second.external_id
    assert paired[follow_up.external_id].response_seconds == 1200.0
    assert not paired[thanks.external_id].answered
    skyjet = report.figures[0]
    assert (skyjet.inbound, skyjet.answered, skyjet.follow_ups) == (3, 2, 2)
    assert not paired[question.external_id].follow_up


def test_a_reply_timed_before_the_post_is_ignored(brands_project: Any) -> None:
    corpus = Corpus()
    skewed = corpus.add("maria", 60, "@SkyJet is SJ 100 on time?")
    corpus.add("SkyJet", 59, "@maria it is", reply_to=skewed)  # a minute before: clock skew
    corpus.add("SkyJet", 70, "@maria it is, gate B4", reply_to=skewed)
    only_skewed = corpus.add("omar", 100, "@SkyJet and SJ 200?")
    corpus.add("SkyJet", 99, "@omar delayed", reply_to=only_skewed)
    same_second = corpus.add("lena", 120, "@SkyJet hello")
    corpus.add("SkyJet", 120, "@lena hi!", reply_to=same_second)
    project = corpus.save(brands_project())

    assert answers(project) == {
        skewed.external_id: 600.0,
        only_skewed.external_id: None,
        same_second.external_id: 0.0,
    }


def test_a_reply_on_another_platform_does_not_answer(brands_project: Any) -> None:
    corpus = Corpus()
    question = corpus.add("maria", 0, "@SkyJet hello")
    corpus.add("SkyJet", 5, "@maria hi", platform="mastodon", reply_to_id=question.external_id)
    project = corpus.save(brands_project())
    assert answers(project) == {question.external_id: None}


def test_unanswered_customers_are_listed_oldest_first(brands_project: Any) -> None:
    corpus = Corpus()
    late = corpus.add("omar", 30, "@SkyJet still waiting for my refund")
    early = corpus.add("maria", 10, "@SkyJetHelp my bag?")
    answered = corpus.add("lena", 20, "@SkyJet hi")
    corpus.add("SkyJet", 25, "@lena hi!", reply_to=answered)
    corpus.add("kai", 70, "nice weather today")  # the newest post: waiting is measured to it
    project = corpus.save(brands_project())

    report = analyze_responsiveness(project)
    assert report.as_of == T0 + timedelta(minutes=70)
    rows = waiting_rows(project, report)
    assert [row["post_id"] for row in rows] == [early.external_id, late.external_id]
    assert [row["waiting_seconds"] for row in rows] == [3600.0, 2400.0]
    assert rows[0]["waiting"] == "1h"
    assert rows[0]["text"] == "@SkyJetHelp my bag?"
    assert rows[0]["created_at"] == "2024-05-06T09:10:00Z"
    assert [post.external_id for post in report.slowest("skyjet")] == [answered.external_id]


def test_figures_and_score_follow_the_documented_formulas(brands_project: Any) -> None:
    corpus = Corpus()
    for n, delay in enumerate([60, 600, 900, 1800, 3600]):
        post = corpus.add(f"user{n}", 100 * n, "@SkyJet hi")
        corpus.add("SkyJet", 100 * n + delay / 60, f"@user{n} hello", reply_to=post)
    corpus.add("waiting", 999, "@SkyJet hello?")
    project = corpus.save(brands_project())

    skyjet = by_brand(project)["skyjet"]
    assert skyjet.inbound == 6
    assert skyjet.answered == 5
    assert skyjet.response_rate == 0.833333
    assert skyjet.median_seconds == 900.0
    assert skyjet.p90_seconds == 3600.0  # nearest rank: ceil(0.9 * 5) = 5th of 5
    assert skyjet.mean_seconds == 1392.0
    assert (skyjet.fastest_seconds, skyjet.slowest_seconds) == (60.0, 3600.0)
    assert skyjet.within_target == 3  # 900 s is within a 15m target
    assert skyjet.within_target_share == 0.6
    # credits 1 + 1 + 1 + 900/1800 + 900/3600 = 3.75 over 6 inbound posts
    assert skyjet.score == 62.5
    assert skyjet.distribution == {
        "under_5m": 1,
        "5m_to_15m": 1,
        "15m_to_1h": 2,
        "1h_to_4h": 1,
        "4h_to_1d": 0,
        "1d_to_3d": 0,
        "over_3d": 0,
        "unanswered": 1,
    }
    # posts at 09:00, 10:40, 12:20, 14:00 and 15:40 on Monday, the unanswered one at 01:39 on Tuesday
    assert [
        (c["weekday"], c["hour"], c["inbound"], c["answered"], c["median_seconds"])
        for c in skyjet.weekday_hour
    ] == [
        ("Mon", 9, 1, 1, 60.0),
        ("Mon", 10, 1, 1, 600.0),
        ("Mon", 12, 1, 1, 900.0),
        ("Mon", 14, 1, 1, 1800.0),
        ("Mon", 15, 1, 1, 3600.0),
        ("Tue", 1, 1, 0, None),
    ]
    row = skyjet.row()
    assert row["median"] == "15m"
    assert row["p90"] == "1h"
    assert row["unanswered"] == 1


def test_the_worked_example_of_the_method_page(make_project: Callable[..., Project]) -> None:
    """docs/methods/responsiveness.md, section 8: every number of the example."""
    project = make_project(
        "worked",
        extra='[brands.acme]\nhandles = ["Acme", "AcmeHelp"]\nkeywords = ["acme"]\n'
        'reply_target = "15m"\n[brands.globex]\nhandles = ["Globex"]\n',
    )
    corpus = Corpus()
    news = corpus.add("Acme", -60, "Our spring sale starts today!")
    corpus.add("fan1", -50, "Our spring sale starts today!", repost_of=news)
    corpus.add("kim", -30, "my new acme kettle is great")
    ana = corpus.add("ana", 0, "@Acme my order has not arrived")
    first = corpus.add("AcmeHelp", 4, "@ana sorry! Can you DM us the order number?", reply_to=ana)
    follow_up = corpus.add("ana", 10, "sent it", reply_to=first)
    corpus.add("AcmeHelp", 30, "@ana thanks, it ships today", reply_to=follow_up)
    ben = corpus.add("ben", 60, "@AcmeHelp is the Lisbon shop open on Sunday?")
    corpus.add("Acme", 59, "@ben yes, 10:00-16:00", reply_to=ben)
    corpus.add("Acme", 120, "@ben yes, 10:00 to 16:00", reply_to=ben)
    cy = corpus.add("cy", 180, "@Acme @Globex who ships faster to Porto?")
    corpus.add("Globex", 185, "@cy we do!", reply_to=cy)
    dee = corpus.add("dee", 240, "@Acme I want a refund for order 7781")
    corpus.add("Acme", 285, "@dee done, refunded", reply_to=dee)
    corpus.save(project)

    rows = responsiveness_table(project)
    assert [(row["rank"], row["brand"], row["score"]) for row in rows] == [
        (1, "globex", 100.0),
        (2, "acme", 46.7),
    ]
    acme = {key: value for key, value in rows[1].items() if value is not None}
    assert acme == {
        "rank": 2,
        "brand": "acme",
        "inbound": 5,
        "answered": 4,
        "unanswered": 1,
        "follow_ups": 1,
        "response_rate": 0.8,
        "median_seconds": 1950.0,
        "median": "32m 30s",
        "p90_seconds": 3600.0,
        "p90": "1h",
        "mean_seconds": 1935.0,
        "mean": "32m 15s",
        "fastest_seconds": 240.0,
        "fastest": "4m",
        "slowest_seconds": 3600.0,
        "slowest": "1h",
        "within_target": 1,
        "within_target_share": 0.25,
        "reply_target": "15m",
        "reply_target_seconds": 900.0,
        "score": 46.7,
    }
    distribution = by_brand(project)["acme"].distribution
    assert {bucket: count for bucket, count in distribution.items() if count} == {
        "under_5m": 1,
        "15m_to_1h": 2,
        "1h_to_4h": 1,
        "unanswered": 1,
    }


def test_percentile_credit_and_durations() -> None:
    assert percentile(list(range(1, 11)), 0.9) == 9
    assert percentile(list(range(1, 21)), 0.9) == 18
    assert percentile([7.0], 0.9) == 7.0
    assert percentile([], 0.9) is None
    assert post_credit(None, 900) == 0.0
    assert post_credit(900, 900) == 1.0
    assert post_credit(2700, 900) == pytest.approx(1 / 3)
    assert [format_duration(s) for s in (0, 45, 569, 3600, 10194, 196821, None)] == [
        "0s",
        "45s",
        "9m 29s",
        "1h",
        "2h 49m",
        "2d 6h",
        "",
    ]


def test_business_hours_count_only_open_time(brands_project: Any) -> None:
    extra = """
[brands.dutchair]
handles = ["DutchAir"]
reply_target = "30m"
business_hours = "Mon-Fri 08:00-18:00 Europe/Amsterdam"
"""
    project = brands_project(extra)
    corpus = Corpus()
    # Friday 2024-03-29 17:50 in Amsterdam (UTC+1) ... Monday 2024-04-01 08:10 (UTC+2)
    friday = T0.replace(2024, 3, 29, 16, 50)
    minutes = (friday - T0).total_seconds() / 60
    question = corpus.add("maria", minutes, "@DutchAir is my flight on Monday on time?")
    corpus.add("DutchAir", minutes + 61 * 60 + 20, "@maria yes it is", reply_to=question)
    saturday = corpus.add("omar", minutes + 20 * 60, "@DutchAir hello on a Saturday")
    corpus.add("DutchAir", minutes + 21 * 60, "@omar hi", reply_to=saturday)
    corpus.save(project)

    report = analyze_responsiveness(project, brands=["dutchair"])
    paired = {post.external_id: post for post in report.posts["dutchair"]}
    assert paired[question.external_id].response_seconds == 1200.0
    assert paired[question.external_id].elapsed_seconds == (61 * 60 + 20) * 60
    assert paired[saturday.external_id].response_seconds == 0.0  # no open time passed
    figures = report.figures[0]
    assert figures.business_hours == "Mon-Fri 08:00-18:00 Europe/Amsterdam"
    assert figures.within_target == 2
    assert figures.score == 100.0


def test_windows_ranges_and_late_replies(brands_project: Any) -> None:
    corpus = Corpus()
    week1 = corpus.add("maria", 0, "@SkyJet hi")  # Monday 2024-05-06
    corpus.add("SkyJet", 5, "@maria hi", reply_to=week1)
    week3 = corpus.add("omar", 14 * 24 * 60, "@Globex hi")  # Monday 2024-05-20
    # answered after the range's end: still an answer to a post inside it
    corpus.add("Globex", 14 * 24 * 60 + 8 * 24 * 60, "@omar hi", reply_to=week3)
    project = corpus.save(brands_project())

    rows = responsiveness_table(project, window="week")
    assert [(row["window_start"], row["brand"], row["inbound"], row["rank"]) for row in rows] == [
        ("2024-05-06T00:00:00Z", "skyjet", 1, 1),
        ("2024-05-06T00:00:00Z", "globex", 0, 2),
        ("2024-05-13T00:00:00Z", "globex", 0, 1),
        ("2024-05-13T00:00:00Z", "skyjet", 0, 2),
        ("2024-05-20T00:00:00Z", "globex", 1, 1),
        ("2024-05-20T00:00:00Z", "skyjet", 0, 2),
    ]
    assert rows[-2]["window_end"] == "2024-05-27T00:00:00Z"
    ranged = by_brand(project, since=datetime(2024, 5, 13), until=datetime(2024, 5, 21))
    assert (ranged["skyjet"].inbound, ranged["globex"].inbound) == (0, 1)
    assert ranged["globex"].median_seconds == 8 * 86400
    # weeks start on Monday in the project's time zone
    tokyo = corpus.save(brands_project(timezone="Asia/Tokyo"))
    starts = {row["window_start"] for row in responsiveness_table(tokyo, window="week")}
    assert "2024-05-05T15:00:00Z" in starts


def test_since_and_until_are_dates_in_the_project_time_zone() -> None:
    assert parse_instant("2024-05-01") == datetime(2024, 5, 1)
    assert parse_instant("2024-05-31", end=True) == datetime(2024, 6, 1)
    assert parse_instant("2024-05-01", "Europe/Amsterdam") == datetime(2024, 4, 30, 22)
    assert parse_instant("2024-05-01T09:30") == datetime(2024, 5, 1, 9, 30)
    assert parse_instant("2024-05-01T09:30Z", "Asia/Tokyo") == datetime(2024, 5, 1, 9, 30)


# ---------------------------------------------------------------------------------------
# The demo's planted answers
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(demo_project: Project) -> Project:
    """The shared demo project (built once per session; read-only)."""
    return demo_project


def test_the_demo_planted_rates_and_medians_come_out_exactly(demo: Project) -> None:
    expected = json.loads((demo.directory / "expected.json").read_text(encoding="utf-8"))
    rows = responsiveness_table(demo)
    found = {
        row["brand"]: {
            "response_rate": row["response_rate"],
            "median_seconds": row["median_seconds"],
        }
        for row in rows
    }
    assert found == expected["responsiveness"]
    # a ten-minute 92% brand far above a two-day 8% brand
    assert [row["brand"] for row in rows] == ["skyjet", "aerolux", "globair"]
    scores = {row["brand"]: row["score"] for row in rows}
    assert scores["skyjet"] > 70 > 40 > scores["aerolux"] > 10 > 1 > scores["globair"]


def test_the_demo_through_the_command_line(demo: Project, cli: Any) -> None:
    result = cli("responsiveness", "-p", demo.directory, "--format", "json", "--brand", "globair")
    assert result.exit_code == 0, result.output
    (row,) = orjson.loads(result.stdout)
    expected = json.loads((demo.directory / "expected.json").read_text(encoding="utf-8"))
    assert row["response_rate"] == expected["responsiveness"]["globair"]["response_rate"]
    assert row["median_seconds"] == expected["responsiveness"]["globair"]["median_seconds"]


# ---------------------------------------------------------------------------------------
# A customer-support CSV in the shape of the public "Customer Support on Twitter" dataset
# ---------------------------------------------------------------------------------------

SUPPORT_BRANDS = """
[brands.americanair]
handles = ["AmericanAir"]
keywords = ["americanair", "american air"]
reply_target = "1h"

[brands.delta]
handles = ["Delta"]
reply_target = "30m"

[brands.applesupport]
handles = ["AppleSupport"]
reply_target = "15m"
"""


def test_twitter_dates_are_read() -> None:
    assert parse_timestamp("Tue Oct 31 22:10:47 +0000 2017") == datetime(2017, 10, 31, 22, 10, 47)
    assert parse_timestamp("Tue Oct 31 22:10:47 -0130 2017") == datetime(2017, 10, 31, 23, 40, 47)
    assert parse_timestamp("Tue, 31 Oct 2017 22:10:47 +0200") == datetime(2017, 10, 31, 20, 10, 47)


def test_a_customer_support_csv_is_imported_and_scored(
    make_project: Callable[..., Project], cli: Any
) -> None:
    project = make_project("support", extra=SUPPORT_BRANDS)
    imported = cli(
        "import",
        FIXTURES / "customer_support.csv",
        "-p",
        project.directory,
        "--format",
        "csv",
        "--platform",
        "twitter",
        "--map",
        "id=tweet_id",
        "--map",
        "author=author_id",
        "--map",
        "reply_to_id=in_response_to_tweet_id",
    )
    assert imported.exit_code == 0, imported.output
    assert "stored 35" in imported.stderr and "rejected 0" in imported.stderr

    result = cli("responsiveness", "-p", project.directory, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {row["brand"]: row for row in orjson.loads(result.stdout)}
    assert [row["brand"] for row in orjson.loads(result.stdout)] == [
        "delta",
        "americanair",
        "applesupport",
    ]
    figures = {
        brand: {
            key: row[key]
            for key in (
                "inbound",
                "answered",
                "follow_ups",
                "response_rate",
                "median_seconds",
                "p90_seconds",
                "mean_seconds",
                "fastest_seconds",
                "slowest_seconds",
                "within_target_share",
                "score",
            )
        }
        for brand, row in rows.items()
    }
    assert figures == {
        # 1, 3 (a follow-up), 5, 7 and 18 (which names AmericanAir too); 18 unanswered
        "delta": {
            "inbound": 5,
            "answered": 4,
            "follow_ups": 1,
            "response_rate": 0.8,
            "median_seconds": 450.0,
            "p90_seconds": 5400.0,
            "mean_seconds": 1605.0,
            "fastest_seconds": 120.0,
            "slowest_seconds": 5400.0,
            "within_target_share": 0.75,
            "score": 66.7,
        },
        # 10, 12, 14, 16, 17, 18, 20, 38, 40; 20's first reply (21) is timed before it
        "americanair": {
            "inbound": 9,
            "answered": 6,
            "follow_ups": 2,
            "response_rate": 0.666667,
            "median_seconds": 1050.0,
            "p90_seconds": 5400.0,
            "mean_seconds": 1590.0,
            "fastest_seconds": 240.0,
            "slowest_seconds": 5400.0,
            "within_target_share": 0.833333,
            "score": 63.0,
        },
        # 30, 32, 34 (answered overnight), 36, 37 (replies to a tweet not in the file), 38, 40
        "applesupport": {
            "inbound": 7,
            "answered": 3,
            "follow_ups": 1,
            "response_rate": 0.428571,
            "median_seconds": 900.0,
            "p90_seconds": 43200.0,
            "mean_seconds": 14740.0,
            "fastest_seconds": 120.0,
            "slowest_seconds": 43200.0,
            "within_target_share": 0.666667,
            "score": 28.9,
        },
    }

    waiting = cli(
        "responsiveness", "-p", project.directory, "-b", "americanair", "--show", "waiting",
        "--format", "json",
    )  # fmt: skip
    assert waiting.exit_code == 0, waiting.output
    assert [(row["post_id"], row["waiting"]) for row in orjson.loads(waiting.stdout)] == [
        ("17", "20h 10m"),  # as of the newest post, AppleSupport's reply at 08:10
        ("16", "19h 5m"),
        ("40", "50m"),
    ]


# ---------------------------------------------------------------------------------------
# The command and the plugin
# ---------------------------------------------------------------------------------------


@pytest.fixture
def small(brands_project: Any) -> Project:
    """skyjet answers one of two posts in 5 minutes; globex answers its one in 4 hours."""
    corpus = Corpus()
    question = corpus.add("maria", 0, "@SkyJet hi")
    corpus.add("SkyJetHelp", 5, "@maria hi", reply_to=question)
    corpus.add("omar", 10, '@SkyJet =HYPERLINK("x") hello?')
    other = corpus.add("lena", 20, "@Globex hi")
    corpus.add("Globex", 260, "@lena hi", reply_to=other)
    return corpus.save(brands_project())


def test_the_command_ranks_brands_as_json_csv_and_table(small: Project, cli: Any) -> None:
    result = cli("responsiveness", "-p", small.directory, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = orjson.loads(result.stdout)
    # skyjet: half its posts answered within target; globex: one post, 4h against 1h
    assert [(row["rank"], row["brand"], row["score"]) for row in rows] == [
        (1, "skyjet", 50.0),
        (2, "globex", 25.0),
    ]
    assert rows[0]["median"] == "5m"
    assert all(key == key.lower() and " " not in key for key in rows[0])
    assert all(not isinstance(value, dict | list) for value in rows[0].values())

    table = cli("responsiveness", "-p", small.directory, env={"COLUMNS": "160"})
    assert table.exit_code == 0, table.output
    assert "Responsiveness (ranked by score)" in table.stdout
    assert "skyjet" in table.stdout and "globex" in table.stdout

    as_csv = cli("responsiveness", "-p", small.directory, "--format", "csv", "--show", "waiting")
    assert as_csv.exit_code == 0, as_csv.output
    (waiting,) = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert waiting["author"] == "omar"
    assert waiting["text"].startswith("'@SkyJet")  # never a spreadsheet formula

    hours = cli("responsiveness", "-p", small.directory, "--show", "hours", "--format", "json")
    assert {(row["brand"], row["weekday"], row["hour"]) for row in orjson.loads(hours.stdout)} == {
        ("skyjet", "Mon", 9),
        ("globex", "Mon", 9),
    }


def test_the_command_reports_bad_input_in_one_line(
    small: Project, cli: Any, error_line: Any, make_project: Callable[..., Project]
) -> None:
    unknown = cli("responsiveness", "-p", small.directory, "--brand", "acme")
    assert unknown.exit_code == 1
    assert "unknown brand 'acme' (configured: skyjet, globex)" in error_line(unknown.stderr)
    bad_date = cli("responsiveness", "-p", small.directory, "--since", "last week")
    assert bad_date.exit_code == 1
    assert "'last week' is not an ISO date" in error_line(bad_date.stderr)
    empty = make_project("nobrands")
    none = cli("responsiveness", "-p", empty.directory)
    assert none.exit_code == 1
    assert "no brands in" in error_line(none.stderr)
    broken = make_project("broken")
    with broken.config_path.open("a", encoding="utf-8") as config:
        config.write('[brands.acme]\nhandles = ["Acme"]\nbusiness_hours = "Mon-Fri 9-5"\n')
    bad_hours = cli("responsiveness", "-p", broken.directory)
    assert bad_hours.exit_code == 1
    assert "brands.acme.business_hours: '9-5' is not a time range" in error_line(bad_hours.stderr)


def test_the_plugin_yields_one_finding_per_brand(small: Project) -> None:
    from hubbub.plugin_host import get_host

    analyzer_cls = get_host().get("analyzer", "responsiveness")
    assert analyzer_cls.plugin == "responsiveness"
    findings = list(analyzer_cls().run(small, {}))
    assert [(finding["subject"], finding["score"]) for finding in findings] == [
        ("skyjet", 50.0),
        ("globex", 25.0),
    ]
    details = findings[0]["details"]
    assert details["inbound"] == 2 and details["answered"] == 1
    assert details["distribution"]["unanswered"] == 1
    one = list(analyzer_cls().run(small, {"brand": "globex", "since": "2024-05-06"}))
    assert [finding["subject"] for finding in one] == ["globex"]
    assert one[0]["window_start"] == datetime(2024, 5, 6)


def test_regrouping_a_report_by_window_equals_analysing_by_window(demo_project: Any) -> None:
    from hubbub.responsiveness import analyze_responsiveness, by_window

    report = analyze_responsiveness(demo_project)
    for window in ("day", "week"):
        direct = analyze_responsiveness(demo_project, window=window)
        regrouped = by_window(demo_project, report, window)
        assert regrouped.rows() == direct.rows()
        assert len(regrouped.rows()) > len(report.rows())
