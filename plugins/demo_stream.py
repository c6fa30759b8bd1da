"""A simulated live stream from the demo world (``type = "demo-stream"``).

Each read yields the posts whose simulated time has passed since the cursor: ordinary
travel chatter, customers @-mentioning the demo's airlines (and the airlines answering
them a minute or two later), brand keywords and posts on the demo topics, written with
the demo world's authors and text templates (:mod:`hubbub.demo.world`). At
``burst_after`` past the moment the stream first starts listening, a planted incident
begins and lasts ``burst_length``: a burst of posts on ``burst_topic``, angry and
naming ``burst_brand``, whose customers are left waiting (the brand, which otherwise
answers every customer within 150 seconds, answers none of those who write from 150
seconds before the incident until its end). So a spike, a rise of
negative posts about one brand and customers left waiting show up a minute or two into
a live demo, while the other topic stays calm.

The timeline is a pure function of ``seed``, the options and the moment the stream
started (kept in the cursor), so the same seed and clock give the same posts, ids
included. The stream starts ``history`` before its first read, so the first read
yields a few minutes of backlog that gives trend baselines something to compare with.

The cursor is ``{"started_ms": …, "position": "…"}``: when the stream started and the
id of the last post handed over (ids grow with time), so a resumed read neither loses
nor repeats a post. The clock is injectable (``DemoStreamSource(options, clock=…)`` or
:func:`use_clock`) so tests and ``hubbub demo --live --speed`` run simulated time as
fast as they like. See ``docs/sources/demo-stream.md``.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from random import Random
from typing import Any

import orjson
from hubbub import hookimpl
from hubbub.durations import parse_duration
from hubbub.kinds import Options, Source
from hubbub.posts import Post
from pydantic import Field, field_validator


class _World:
    """:mod:`hubbub.demo.world`, imported when first used: every hubbub command loads the
    bundled plugins, and the demo world's tables would add to ``hubbub --help``."""

    def __getattr__(self, name: str) -> Any:
        from hubbub.demo import world as module

        return getattr(module, name)


world = _World()

#: the burst's text per topic: ``{kw}`` names the burst brand (no @: these are not
#: customers asking the brand, so the waiting customers are the ordinary ones it ignores)
_BURST_TEXT: dict[str, tuple[str, ...]] = {
    "baggage": (
        "{kw} lost my luggage at {hub}, no one at the desk knows anything. Terrible {bad}",
        "Worst airline ever, {kw}. {mins} minutes at the carousel in {hub} and no luggage {bad}",
        "The {kw} baggage system is down at {hub}, hundreds of lost bags. Awful {bad} #baggage",
        "{kw} staff lost my bag and nobody answers. Absolutely furious {bad} #baggage",
        "Never flying {kw} again: lost bag, rude staff, no help at all {bad}",
        "Where is my luggage, {kw}?? Day ruined, terrible service {bad} #baggage",
        "{kw} lost every bag on our flight into {hub}. Disgusting chaos {bad} #baggage",
        "Still no luggage from {kw} and no reply. This is a disaster {bad}",
    ),
    "delays": (
        "{kw} delayed {hours} hours at {hub} and not one update. Terrible {bad} #delayed",
        "Worst airline ever, {kw}: cancelled again with no help at {hub} {bad}",
        "The {kw} delays at {hub} are a disaster, nobody knows anything {bad} #delayed",
        "{kw} cancelled my flight and the staff are rude. Absolutely furious {bad}",
        "Never flying {kw} again: delayed, then cancelled, no hotel, no help {bad} #delayed",
        "{mins} minutes on the tarmac with {kw}, delayed again, awful service {bad}",
    ),
}
_BURST_HUBS = ("LHR", "JFK", "CDG", "AMS", "FRA", "MAD", "DXB", "ORD")

#: share of ordinary traffic per kind of post (the rest is chatter)
_MIX = (("customer", 0.16), ("keyword", 0.08), ("topic", 0.14), ("chatter", 0.62))
#: a brand answers a customer after this many seconds (median) …
_REPLY_MEDIAN = 60.0
#: … and never later than this (so a read knows how far back answers can come from)
_REPLY_MAX = 150.0
_ANSWER_RATE = {"skyjet": 0.95, "aerolux": 0.85, "globair": 0.7}
_STREAM_CODE = {"base": 0, "burst": 1, "reply": 2}


def _duration(value: str) -> str:
    parse_duration(value)
    return value


class DemoStreamOptions(Options):
    """``[[sources]] type = "demo-stream"``: a simulated live stream of the demo world."""

    #: the only source of randomness: the same seed (and clock) gives the same posts
    seed: int = 42
    #: ordinary posts per minute of simulated time
    posts_per_minute: float = Field(30.0, gt=0, le=6000)
    #: the stream starts this long before its first read (a backlog for trend baselines)
    history: str = "10m"
    #: the planted incident starts this long after the stream's first read
    burst_after: str = "90s"
    #: how long the incident lasts
    burst_length: str = "3m"
    #: extra posts per minute during the incident (on ``burst_topic``, naming ``burst_brand``)
    burst_per_minute: float = Field(40.0, ge=0, le=6000)
    #: the topic that spikes (``baggage`` or ``delays``)
    burst_topic: str = "baggage"
    #: the brand the incident is about: negative posts rise and its customers are left waiting
    burst_brand: str = "aerolux"
    #: after a longer pause, the stream skips ahead: at most this much missed time is replayed
    max_catch_up: str = "1h"

    _durations = field_validator("history", "burst_after", "burst_length", "max_catch_up")(
        _duration
    )

    @field_validator("burst_topic")
    @classmethod
    def _known_topic(cls, value: str) -> str:
        if value not in world.TOPICS:
            raise ValueError(f"unknown demo topic {value!r} (use {', '.join(world.TOPICS)})")
        return value

    @field_validator("burst_brand")
    @classmethod
    def _known_brand(cls, value: str) -> str:
        if value not in world.BRANDS:
            raise ValueError(f"unknown demo brand {value!r} (use {', '.join(world.BRANDS)})")
        return value


# ---------------------------------------------------------------- clocks

_clock_lock = threading.Lock()
_default_clock: Callable[[], float] = time.time


@contextmanager
def use_clock(clock: Callable[[], float]) -> Iterator[None]:
    """Make demo-stream sources built inside the block (without a ``clock``) read ``clock``.

    ``hubbub demo --live --speed`` uses it so the sources a watcher builds from
    ``hubbub.toml`` follow the watcher's simulated clock.
    """
    global _default_clock
    with _clock_lock:
        previous, _default_clock = _default_clock, clock
    try:
        yield
    finally:
        with _clock_lock:
            _default_clock = previous


class SimulatedClock:
    """Simulated time: ``speed`` simulated seconds per real second, or instant (``speed=0``).

    With ``speed=0`` nothing really waits: :meth:`sleep` just moves the clock on, so a
    watch loop over a demo stream runs as fast as the machine can. Time is kept in whole
    microseconds, so the epoch seconds and the datetimes it gives always agree.

    :param start: the simulated time at creation (epoch seconds; default: the current
        whole second, so a watch's cycles, which run on whole seconds, stay regular).
    """

    def __init__(self, start: float | None = None, speed: float = 1.0) -> None:
        if speed < 0:
            raise ValueError("speed must be 0 (instant) or more")
        self.speed = speed
        start = float(math.floor(time.time())) if start is None else start
        self._start_us = round(start * 1_000_000)
        self._real_start = time.monotonic()
        self._skipped_us = 0
        self._lock = threading.Lock()

    def _now_us(self) -> int:
        with self._lock:
            elapsed = time.monotonic() - self._real_start if self.speed else 0.0
            return self._start_us + int(elapsed * self.speed * 1_000_000) + self._skipped_us

    def now(self) -> float:
        """The simulated time (epoch seconds)."""
        return self._now_us() / 1_000_000

    def utcnow(self) -> datetime:
        """The simulated time as a naive UTC datetime (a :class:`hubbub.watch.Watcher` clock)."""
        return _EPOCH + timedelta(microseconds=self._now_us())

    def sleep(self, seconds: float, stop: threading.Event | None = None) -> None:
        """Wait ``seconds`` of simulated time (``seconds / speed`` real ones; none at speed 0).

        :param stop: at a real speed, a set event ends the wait at once.
        """
        if seconds <= 0:
            return
        if not self.speed:
            with self._lock:
                self._skipped_us += round(seconds * 1_000_000)
        elif stop is not None:
            stop.wait(seconds / self.speed)
        else:
            time.sleep(seconds / self.speed)

    def sleeper(self, stop: threading.Event | None) -> Callable[[float], None]:
        """:meth:`sleep` with ``stop`` bound (a :class:`hubbub.watch.Watcher` ``sleep``)."""
        return lambda seconds: self.sleep(seconds, stop)

    __call__ = now


_EPOCH = datetime(1970, 1, 1)


# ---------------------------------------------------------------- the timeline


@dataclass(frozen=True)
class _Timeline:
    """The settings that fix a stream's posts, in milliseconds."""

    seed: int
    origin_ms: int
    interval_ms: float
    burst_start_ms: int
    burst_end_ms: int
    burst_interval_ms: float | None
    topic: str
    brand: str


@lru_cache(maxsize=4)
def _authors(seed: int) -> tuple[Any, ...]:
    """The demo world's ordinary authors for ``seed`` (built once per seed)."""
    builder = world._Builder(seed, 20_000, datetime(2026, 3, 2, tzinfo=UTC), 30)
    builder.make_authors()
    return tuple(builder.authors)


def _rng(seed: int, stream: str, k: int) -> Random:
    digest = hashlib.blake2b(f"{seed}:{stream}:{k}".encode(), digest_size=8).digest()
    return Random(int.from_bytes(digest, "big"))


def _snowflake(ts_ms: int, stream: str, k: int) -> int:
    """A Twitter-like id that grows with time; unique per (stream, slot)."""
    return ((ts_ms - world._TWITTER_EPOCH_MS) << 22) | (_STREAM_CODE[stream] << 20) | (k % 2**20)


def _fill(rng: Random, templates: dict[str, tuple[str, ...]], lang: str, **fixed: Any) -> str:
    options = templates.get(lang) or templates["en"]
    if lang not in templates:
        lang = "en"
    return rng.choice(options).format_map(world._Slots(rng, lang, fixed))


def _plain(rng: Random, templates: dict[str, tuple[str, ...]], lang: str, **fixed: Any) -> str:
    """Template text with no topic word in it (so calm topics stay calm)."""
    text = ""
    for _ in range(20):
        text = _fill(rng, templates, lang, **fixed)
        if not world._NEAR_TOPIC.search(text):
            return text
    return "Back home and already planning the next trip ✈️"


def _choose(rng: Random, pairs: tuple[tuple[str, float], ...]) -> str:
    point = rng.random() * sum(weight for _, weight in pairs)
    for item, weight in pairs:
        point -= weight
        if point < 0:
            return item
    return pairs[-1][0]


@dataclass
class _Event:
    """One post of the timeline, before it becomes a :class:`Post`."""

    id: int
    ts_ms: int
    author: Any
    text: str
    lang: str
    #: the customer post a brand reply answers: (id, author handle)
    reply_to: tuple[int, str] | None = None
    #: set on customer posts the brand answers: (reply time, brand handle, text, language)
    answer: tuple[int, str, str, str] | None = None


def _brand_author(handle: str) -> Any:
    name, followers = next(
        spec["accounts"][handle] for spec in world._BEHAVIOUR.values() if handle in spec["accounts"]
    )
    return world._Author(handle, name, name, followers, "en", "twitter")


def _base_event(line: _Timeline, k: int) -> _Event:
    """Ordinary slot ``k``: chatter, a customer (maybe answered later), a keyword or topic post."""
    rng = _rng(line.seed, "base", k)
    ts_ms = line.origin_ms + int(k * line.interval_ms + rng.random() * line.interval_ms)
    authors = _authors(line.seed)
    author = authors[rng.randrange(len(authors))]
    lang = author.lang
    kind = _choose(rng, _MIX)
    event = _Event(_snowflake(ts_ms, "base", k), ts_ms, author, "", lang)
    brand = _choose(rng, world._BRAND_WEIGHTS)
    behaviour = world._BEHAVIOUR[brand]
    if kind == "customer":
        handle = _choose(rng, behaviour["mentioned"])
        customer_kind = _choose(rng, world._CUSTOMER_KINDS)
        other = rng.choice([key for key in world.BRANDS if key != brand])
        event.text = _plain(
            rng,
            world._CUSTOMER[customer_kind],
            lang,
            h=handle,
            other=world.BRANDS[other]["handles"][0],
            brand=brand,
        )
        delay = min(_REPLY_MAX, max(20.0, rng.lognormvariate(math.log(_REPLY_MEDIAN), 0.4)))
        # the burst brand answers everyone (until the incident), so its waiting
        # customers are the incident's
        answers = rng.random() < _ANSWER_RATE[brand] or brand == line.brand
        reply_ms = ts_ms + int(delay * 1000)
        waiting = (
            line.burst_interval_ms is not None
            and brand == line.brand
            and line.burst_start_ms - _REPLY_MAX * 1000 <= ts_ms < line.burst_end_ms
        )
        if answers and not waiting:
            replier = _choose(rng, behaviour["repliers"])
            if lang == "en":
                templates = world._BRAND_REPLY[brand][customer_kind]
            else:
                templates = world._BRAND_REPLY_LOCAL[customer_kind]
            text = _fill(rng, templates, lang, c=author.handle, first=author.first)
            event.answer = (reply_ms, replier, text, lang)
    elif kind == "keyword":
        word = rng.choice(behaviour["variants"])
        event.text = _plain(rng, world._KEYWORD, lang, brand=brand, kw=word, Kw=word)
    elif kind == "topic":
        topic = rng.choice(list(world.TOPICS))
        word = rng.choice(behaviour["variants"])
        text = _fill(rng, world._TOPIC_TEXT[topic], lang, brand=brand, kw=word, Kw=word)
        if not world._TOPIC_MATCH[topic].search(text):
            text += " #baggage" if topic == "baggage" else " #delayed"
        event.text = text
    else:
        event.text = _plain(rng, world._CHATTER, lang)
    return event


def _burst_event(line: _Timeline, k: int) -> _Event | None:
    """Incident slot ``k``: an angry post on the burst topic naming the burst brand."""
    assert line.burst_interval_ms is not None
    rng = _rng(line.seed, "burst", k)
    ts_ms = line.burst_start_ms + int(
        k * line.burst_interval_ms + rng.random() * line.burst_interval_ms
    )
    if ts_ms >= line.burst_end_ms:
        return None
    authors = _authors(line.seed)
    author = authors[rng.randrange(len(authors))]
    behaviour = world._BEHAVIOUR[line.brand]
    text = rng.choice(_BURST_TEXT[line.topic]).format_map(
        world._Slots(
            rng,
            "en",
            {
                "kw": rng.choice(behaviour["variants"]),
                "hub": rng.choice(_BURST_HUBS),
            },
        )
    )
    if not world._TOPIC_MATCH[line.topic].search(text):
        text += " #baggage" if line.topic == "baggage" else " #delayed"
    return _Event(_snowflake(ts_ms, "burst", k), ts_ms, author, text, "en")


def _slots(start_ms: float, interval_ms: float, lo_ms: int, hi_ms: int) -> range:
    """The slot numbers whose time (``start + k·interval`` plus under one interval) may fall in [lo, hi]."""
    first = max(0, math.floor((lo_ms - start_ms) / interval_ms) - 1)
    last = math.floor((hi_ms - start_ms) / interval_ms)
    return range(first, last + 1)


def timeline_events(line: _Timeline, lo_ms: int, hi_ms: int) -> list[_Event]:
    """Every event with a time in ``[lo_ms, hi_ms]``, ordered by id (that is, by time)."""
    events: list[_Event] = []
    for k in _slots(line.origin_ms, line.interval_ms, lo_ms - int(_REPLY_MAX * 1000), hi_ms):
        event = _base_event(line, k)
        if lo_ms <= event.ts_ms <= hi_ms:
            events.append(event)
        if event.answer is not None and lo_ms <= event.answer[0] <= hi_ms:
            reply_ms, handle, text, lang = event.answer
            events.append(
                _Event(
                    _snowflake(reply_ms, "reply", k),
                    reply_ms,
                    _brand_author(handle),
                    text,
                    lang,
                    reply_to=(event.id, event.author.handle),
                )
            )
    if line.burst_interval_ms is not None:
        lo = max(lo_ms, line.burst_start_ms)
        hi = min(hi_ms, line.burst_end_ms)
        if lo <= hi:
            for k in _slots(line.burst_start_ms, line.burst_interval_ms, lo, hi):
                event = _burst_event(line, k)
                if event is not None and lo_ms <= event.ts_ms <= hi_ms:
                    events.append(event)
    events.sort(key=lambda event: event.id)
    return events


def _max_id(ts_ms: int) -> int:
    """The largest id an event at ``ts_ms`` can have."""
    return ((ts_ms - world._TWITTER_EPOCH_MS) << 22) | (2**22 - 1)


def _to_post(event: _Event, source: str) -> Post:
    author = event.author
    post_id = str(event.id)
    created = datetime.fromtimestamp(event.ts_ms / 1000, UTC).replace(tzinfo=None)
    mentions = list(dict.fromkeys(world._MENTION.findall(event.text)))
    hashtags = list(dict.fromkeys(world._HASHTAG.findall(event.text)))
    record: dict[str, Any] = {
        "id": post_id,
        "platform": "twitter",
        "created_at": created.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "author": author.handle,
        "author_name": author.name,
        "author_followers": author.followers,
        "text": event.text,
        "lang": event.lang,
        "simulated": True,
    }
    reply_to_id = reply_to_author = None
    conversation = post_id
    if event.reply_to is not None:
        reply_to_id, reply_to_author = str(event.reply_to[0]), event.reply_to[1]
        conversation = reply_to_id
        record["reply_to_id"], record["reply_to_author"] = reply_to_id, reply_to_author
    return Post(
        platform="twitter",
        external_id=post_id,
        author=author.handle,
        text=event.text,
        created_at=created,
        source=source,
        url=f"https://twitter.com/{author.handle}/status/{post_id}",
        author_name=author.name,
        author_followers=author.followers,
        lang=event.lang,
        reply_to_id=reply_to_id,
        reply_to_author=reply_to_author,
        conversation_id=conversation,
        mentions=mentions,
        hashtags=hashtags,
        likes=0,
        reposts=0,
        replies=0,
        raw=orjson.dumps(record).decode(),
    )


class DemoStreamSource(Source):
    """A simulated live stream of the demo world with a planted incident."""

    name = "demo-stream"
    description = "simulated live posts from the demo world, with a planted burst (for demos)"
    Options = DemoStreamOptions

    def __init__(
        self,
        options: Options | None = None,
        *,
        key: str = "",
        clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(options, key=key)
        #: epoch seconds now (simulated or real)
        self.clock = clock or _default_clock
        self._position: int | None = None
        self._started_ms: int | None = None

    def cursor_fingerprint(self) -> str:
        """The options: changing them starts the stream afresh."""
        dumped = orjson.dumps(self.options.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
        return hashlib.sha256(dumped).hexdigest()[:16]

    def timeline(self, started_ms: int) -> _Timeline:
        """The timeline of a stream that started listening at ``started_ms``."""
        options: DemoStreamOptions = self.options  # type: ignore[assignment]
        burst_start = started_ms + int(parse_duration(options.burst_after) * 1000)
        burst_length = int(parse_duration(options.burst_length) * 1000)
        return _Timeline(
            seed=options.seed,
            origin_ms=started_ms - int(parse_duration(options.history) * 1000),
            interval_ms=60_000 / options.posts_per_minute,
            burst_start_ms=burst_start,
            burst_end_ms=burst_start + burst_length,
            burst_interval_ms=(
                60_000 / options.burst_per_minute if options.burst_per_minute else None
            ),
            topic=options.burst_topic,
            brand=options.burst_brand,
        )

    def read(self, cursor: dict[str, Any] | None) -> Iterator[Post]:
        """The posts whose simulated time has passed since ``cursor``, oldest first."""
        options: DemoStreamOptions = self.options  # type: ignore[assignment]
        now_ms = int(self.clock() * 1000)
        if cursor and "started_ms" in cursor and "position" in cursor:
            started_ms = int(cursor["started_ms"])
            position = int(cursor["position"])
        else:
            started_ms = now_ms
            position = _max_id(started_ms - int(parse_duration(options.history) * 1000) - 1)
        line = self.timeline(started_ms)
        lo_ms = (position >> 22) + world._TWITTER_EPOCH_MS
        catch_up_ms = int(parse_duration(options.max_catch_up) * 1000)
        if now_ms - lo_ms > catch_up_ms:
            position = _max_id(now_ms - catch_up_ms - 1)
            lo_ms = now_ms - catch_up_ms
        self._started_ms, self._position = started_ms, position
        for event in timeline_events(line, lo_ms, now_ms):
            if event.id <= position:
                continue
            self._position = event.id
            yield _to_post(event, self.key)
        self._position = max(self._position, _max_id(now_ms))

    def checkpoint(self) -> dict[str, Any] | None:
        """When the stream started and the id of the last post handed over."""
        if self._started_ms is None or self._position is None:
            return None
        return {"started_ms": self._started_ms, "position": str(self._position)}

    def progress(self) -> tuple[int, int | None]:
        """No meaningful total: a stream never ends."""
        return 0, None


@hookimpl
def register_sources(register):
    """Register the simulated demo stream."""
    register(DemoStreamSource)
