"""The ``demo-stream`` source: a deterministic simulated live stream with a planted incident.

Simulated time runs on a :class:`SimulatedClock` at speed 0, so nothing really waits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hubbub.demo.world import topic_of
from hubbub.errors import ConfigError
from hubbub.ingest import run_source
from hubbub.plugin_host import PluginHost
from hubbub.plugins.demo_stream import (
    DemoStreamOptions,
    DemoStreamSource,
    SimulatedClock,
    use_clock,
)
from hubbub.posts import Post
from hubbub.project import Project

START = 1_780_000_000.0  # a fixed simulated "now" for the stream's first read
#: START as the store keeps times (naive UTC)
START_AT = datetime.fromtimestamp(START, UTC).replace(tzinfo=None)


def stream(clock: SimulatedClock, **options: Any) -> DemoStreamSource:
    """A demo stream on ``clock`` with ``options``."""
    return DemoStreamSource(DemoStreamOptions(**options), key="live", clock=clock)


def poll(source: DemoStreamSource, cursor: dict[str, Any] | None) -> tuple[list[Post], Any]:
    """One whole read and the cursor after it."""
    posts = list(source.read(cursor))
    return posts, source.checkpoint()


def run_minutes(minutes: int, **options: Any) -> list[list[Post]]:
    """The posts of the first read, then of one read per simulated minute."""
    clock = SimulatedClock(START, speed=0)
    source = stream(clock, **options)
    reads = []
    posts, cursor = poll(source, None)
    reads.append(posts)
    for _ in range(minutes):
        clock.sleep(60)
        posts, cursor = poll(source, cursor)
        reads.append(posts)
    return reads


def fingerprint(posts: list[Post]) -> list[tuple[str, str, str, Any]]:
    return [(p.external_id, p.author, p.text, p.created_at) for p in posts]


def test_same_seed_and_clock_give_the_same_posts() -> None:
    first = run_minutes(3)
    again = run_minutes(3)
    assert [fingerprint(read) for read in first] == [fingerprint(read) for read in again]
    other_seed = run_minutes(3, seed=7)
    assert fingerprint(other_seed[1]) != fingerprint(first[1])


def test_a_read_yields_only_what_simulated_time_has_reached() -> None:
    clock = SimulatedClock(START, speed=0)
    source = stream(clock, posts_per_minute=60, history="5m", burst_per_minute=0)
    backlog, cursor = poll(source, None)
    # five minutes of history at 60 a minute, plus brand replies to customers
    assert 280 <= len(backlog) <= 360
    assert max(p.created_at for p in backlog) <= START_AT
    nothing, cursor = poll(source, cursor)
    assert nothing == []  # no simulated time passed
    clock.sleep(30)
    half_minute, _ = poll(source, cursor)
    assert 20 <= len(half_minute) <= 45
    assert all(START_AT < p.created_at <= START_AT + timedelta(seconds=30) for p in half_minute)


def test_polls_neither_lose_nor_repeat_posts() -> None:
    """Many small polls give exactly the posts of one big read over the same time."""
    reads = run_minutes(6)
    polled = [post for read in reads for post in read]
    ids = [p.external_id for p in polled]
    assert len(ids) == len(set(ids))
    assert ids == sorted(ids, key=int)  # ids grow with time

    clock = SimulatedClock(START, speed=0)
    source = stream(clock)
    _, cursor = poll(source, None)  # start the stream at START
    clock.sleep(6 * 60)
    rest, _ = poll(source, cursor)
    assert fingerprint(polled) == fingerprint(reads[0] + rest)


def test_an_interrupted_read_resumes_after_the_last_post_handed_over() -> None:
    clock = SimulatedClock(START, speed=0)
    source = stream(clock)
    _backlog, cursor = poll(source, None)
    clock.sleep(240)
    reader = source.read(cursor)
    taken = [next(reader) for _ in range(37)]
    interrupted_at = source.checkpoint()
    reader.close()
    resumed = stream(clock)  # a new process, same clock and options
    rest = list(resumed.read(interrupted_at))
    whole, _ = poll(stream(clock), cursor)
    assert fingerprint(taken + rest) == fingerprint(whole)
    assert len(whole) > 100


def test_the_planted_burst_spikes_one_topic_and_one_brand() -> None:
    # the first read is the 10-minute backlog; then one read per minute
    reads = run_minutes(8, burst_after="2m", burst_length="3m")
    per_minute: list[Counter[str]] = []
    for read in reads[1:]:
        counts: Counter[str] = Counter()
        for post in read:
            for topic in topic_of(post.text):
                counts[topic] += 1
            if "aerolux" in post.text.lower():
                counts["aerolux"] += 1
        per_minute.append(counts)
    calm = [c["baggage"] for c in per_minute[:2] + per_minute[6:]]
    burst = [c["baggage"] for c in per_minute[2:5]]
    assert max(calm) <= 10 and min(burst) >= 25, (calm, burst)
    # the other topic stays calm throughout
    assert max(c["delays"] for c in per_minute) <= 10
    assert min(c["aerolux"] for c in per_minute[2:5]) >= 25


def test_customers_of_the_burst_brand_are_left_waiting() -> None:
    reads = run_minutes(10, burst_after="2m", burst_length="3m")
    posts = [post for read in reads for post in read]
    answered = {p.reply_to_id for p in posts if p.reply_to_id}
    burst_start = START_AT + timedelta(minutes=2)
    burst_end = burst_start + timedelta(minutes=3)

    def inbound(post: Post) -> bool:
        return "AeroLux" in post.mentions and post.author != "AeroLux"

    before = [p for p in posts if inbound(p) and p.created_at < burst_start - timedelta(minutes=4)]
    during = [p for p in posts if inbound(p) and burst_start <= p.created_at < burst_end]
    assert len(during) >= 2
    assert not any(p.external_id in answered for p in during)
    # before the incident the brand answers every customer, a minute or two later
    assert before and all(p.external_id in answered for p in before)
    replies = [p for p in posts if p.author == "AeroLux" and p.reply_to_id]
    assert replies and all(p.reply_to_author for p in replies)


def test_without_burst_posts_there_is_no_incident() -> None:
    reads = run_minutes(8, burst_after="2m", burst_length="3m", burst_per_minute=0)
    posts = [post for read in reads for post in read]
    assert max(sum("baggage" in topic_of(p.text) for p in read) for read in reads[1:]) <= 10
    answered = {p.reply_to_id for p in posts if p.reply_to_id}
    settled = START_AT + timedelta(minutes=8) - timedelta(seconds=150)
    customers = [
        p
        for p in posts
        if "AeroLux" in p.mentions and p.author != "AeroLux" and p.created_at < settled
    ]
    assert customers and all(p.external_id in answered for p in customers)


def test_the_burst_topic_and_brand_are_options() -> None:
    reads = run_minutes(4, burst_after="1m", burst_length="2m", burst_topic="delays",
                        burst_brand="skyjet")  # fmt: skip
    burst = [post for read in reads[2:4] for post in read]
    assert sum("delays" in topic_of(p.text) for p in burst) >= 50
    assert sum("baggage" in topic_of(p.text) for p in burst) <= 12


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"burst_topic": "weather"}, "unknown demo topic 'weather'"),
        ({"burst_brand": "acme"}, "unknown demo brand 'acme'"),
        ({"burst_after": "soon"}, "expected a duration"),
        ({"posts_per_minute": 0}, "posts_per_minute"),
        ({"speed": 3}, "speed: unknown key"),
    ],
)
def test_bad_options_are_one_line_errors(options: dict[str, Any], problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        DemoStreamSource.parse_options(options, "sources[0] (live)")
    assert problem in str(caught.value)
    assert "\n" not in str(caught.value)


def test_ingest_through_the_store_resumes_from_its_cursor(
    make_project: Callable[..., Project],
) -> None:
    project = make_project(extra='[[sources]]\ntype = "demo-stream"\nname = "live"\n')
    host = PluginHost(load_entry_points=False)
    from hubbub.cli.ingest_commands import configured_sources

    clock = SimulatedClock(START, speed=0)
    with use_clock(clock):
        first = run_source(project.store, configured_sources(project, host)[0], batch_size=50)
        again = run_source(project.store, configured_sources(project, host)[0], batch_size=50)
        clock.sleep(120)
        later = run_source(project.store, configured_sources(project, host)[0], batch_size=50)
    assert first.stored > 250 and first.duplicates == 0
    assert again.read == 0  # no simulated time passed
    assert later.stored > 50 and later.duplicates == 0
    assert project.store.count_posts() == first.stored + later.stored


def test_use_clock_sets_the_clock_of_sources_built_inside_it() -> None:
    clock = SimulatedClock(START, speed=0)
    with use_clock(clock):
        inside = DemoStreamSource()
    outside = DemoStreamSource()
    assert inside.clock() == START
    assert abs(outside.clock() - START) > 1000


def test_simulated_clock_at_speed_runs_faster_than_real_time() -> None:
    clock = SimulatedClock(START, speed=1000)
    clock.sleep(5)  # 5 ms of real time
    assert START + 5 <= clock.now() < START + 60
    with pytest.raises(ValueError):
        SimulatedClock(speed=-1)


def test_the_docs_page_names_every_option() -> None:
    from pathlib import Path

    docs = Path(__file__).resolve().parent.parent / "docs" / "sources"
    page = (docs / "demo-stream.md").read_text(encoding="utf-8")
    missing = [name for name in DemoStreamOptions.model_fields if f"`{name}`" not in page]
    assert missing == []
    assert 'type = "demo-stream"' in page
    assert "[demo-stream.md]" in (docs / "index.md").read_text(encoding="utf-8")
