"""The seeded demo world: reproducible, well-formed, and holding the answers it claims.

Every figure in ``expected`` is recomputed here from the records alone, with code written
independently of the generator, so a generator that drifts from its documented rules fails.
"""

from __future__ import annotations

import re
import statistics
import time
import tomllib
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from hubbub.demo import DemoWorld, generate

START = datetime(2026, 3, 2, tzinfo=UTC)
DAYS = 30
END = START + timedelta(days=DAYS)
BRANDS = {
    "skyjet": {"handles": {"skyjet", "skyjethelp"}, "keyword": "skyjet"},
    "aerolux": {"handles": {"aerolux"}, "keyword": "aerolux"},
    "globair": {"handles": {"globair"}, "keyword": "globair"},
}
ALL_BRAND_HANDLES = set().union(*(b["handles"] for b in BRANDS.values()))
REQUIRED = {"id", "text", "author", "created_at", "platform"}
OPTIONAL = {
    "url", "author_name", "author_followers", "lang", "reply_to_id", "reply_to_author",
    "conversation_id", "repost_of_id", "repost_of_author", "quote_of_id", "quote_of_author",
    "mentions", "hashtags", "likes", "reposts", "replies",
}  # fmt: skip
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
ARABIC = re.compile("[\u0600-\u06ff]")


@pytest.fixture(scope="module")
def timed_world() -> tuple[DemoWorld, float]:
    began = time.perf_counter()
    world = generate(seed=42)
    return world, time.perf_counter() - began


@pytest.fixture(scope="module")
def world(timed_world: tuple[DemoWorld, float]) -> DemoWorld:
    return timed_world[0]


def when(record: dict) -> datetime:
    return datetime.fromisoformat(record["created_at"])


_TOPIC_CACHE: dict[tuple[str, str, str], bool] = {}


def in_topic(record: dict, topic: str) -> bool:
    """A plain token matcher for the two Lucene queries of the demo config."""
    key = (record["id"], record["text"], topic)
    if key not in _TOPIC_CACHE:
        _TOPIC_CACHE[key] = _match_topic(record, topic)
    return _TOPIC_CACHE[key]


def _match_topic(record: dict, topic: str) -> bool:
    words = re.findall(r"\w+", record["text"].lower())
    tags = {tag.lower() for tag in record.get("hashtags") or ()}
    if topic == "baggage":
        phrase = any(a == "lost" and b == "bag" for a, b in pairwise(words))
        return phrase or "luggage" in words or "baggage" in tags
    return any(w.startswith("delay") for w in words) or "cancelled" in words or "delayed" in tags


def engagers_by_target(records: list[dict], topic: str | None) -> dict[str, set[str]]:
    """Target handle -> authors who replied to, quoted, reposted or mentioned it."""
    found: dict[str, set[str]] = defaultdict(set)
    for record in records:
        if topic is not None and not in_topic(record, topic):
            continue
        author = record["author"].lower()
        targets = {m.lower() for m in record.get("mentions") or ()}
        for field in ("reply_to_author", "quote_of_author", "repost_of_author"):
            if record.get(field):
                targets.add(record[field].lower())
        for target in targets - {author}:
            found[target].add(author)
    return found


def daily(records: list[dict], topic: str) -> Counter:
    counts = Counter({(START + timedelta(days=d)).date().isoformat(): 0 for d in range(DAYS)})
    counts.update(r["created_at"][:10] for r in records if in_topic(r, topic))
    return counts


# -- reproducibility, size and speed ------------------------------------------------------


def test_same_seed_same_world(world: DemoWorld) -> None:
    again = generate(seed=42)
    assert again.records == world.records
    assert again.expected == world.expected
    assert again.config_toml == world.config_toml


def test_other_seed_other_world(world: DemoWorld) -> None:
    other = generate(seed=7, posts=2000)
    same_size = generate(seed=42, posts=2000)
    assert [r["text"] for r in other.records] != [r["text"] for r in same_size.records]
    assert other.records[0]["id"] != same_size.records[0]["id"]
    assert other.expected != same_size.expected
    assert abs(len(other.records) - 2000) <= 100


def test_size(timed_world: tuple[DemoWorld, float]) -> None:
    # speed is a benchmark's business (a timed assertion is flaky on a busy machine)
    world, _seconds = timed_world
    assert abs(len(world.records) - 20_000) <= 1000


def test_refuses_tiny_worlds() -> None:
    with pytest.raises(ValueError):
        generate(posts=10)
    with pytest.raises(ValueError):
        generate(days=2)


# -- record format ------------------------------------------------------------------------


def test_ids_are_unique_big_numeric_strings_in_order(world: DemoWorld) -> None:
    ids = [r["id"] for r in world.records]
    assert all(isinstance(i, str) and i.isdigit() for i in ids)
    assert len(set(ids)) == len(ids)
    assert min(int(i) for i in ids) > 2**53
    keys = [(r["created_at"], int(r["id"])) for r in world.records]
    assert keys == sorted(keys)


def test_fields_types_and_window(world: DemoWorld) -> None:
    for record in world.records:
        assert REQUIRED <= record.keys() <= REQUIRED | OPTIONAL, record
        assert isinstance(record["text"], str) and record["text"].strip()
        assert re.fullmatch(r"\w{1,15}", record["author"]), record["author"]
        assert record["platform"] in {"twitter", "mastodon", "bluesky"}
        assert ISO.match(record["created_at"]), record["created_at"]
        assert START <= when(record) < END
        for field in ("author_followers", "likes", "reposts", "replies"):
            if field in record:
                assert isinstance(record[field], int) and record[field] >= 0
        if "lang" in record:
            assert record["lang"] in {"en", "es", "ar"}


def test_platform_mix(world: DemoWorld) -> None:
    counts = Counter(r["platform"] for r in world.records)
    total = len(world.records)
    assert counts["twitter"] / total > 0.7
    assert counts["mastodon"] / total > 0.04
    assert counts["bluesky"] / total > 0.04


def test_mentions_and_hashtags_match_text(world: DemoWorld) -> None:
    mention = re.compile(r"(?<![\w@])@(\w+)")
    hashtag = re.compile(r"(?<![\w#&])#(\w+)")
    for record in world.records:
        assert record.get("mentions", []) == list(dict.fromkeys(mention.findall(record["text"])))
        assert record.get("hashtags", []) == list(dict.fromkeys(hashtag.findall(record["text"])))


def test_threads_reposts_and_quotes_are_consistent(world: DemoWorld) -> None:
    by_id = {r["id"]: r for r in world.records}
    for record in world.records:
        if "repost_of_id" in record:
            original = by_id[record["repost_of_id"]]
            assert record["repost_of_author"] == original["author"]
            assert record["text"] == original["text"]
            assert record.get("mentions") == original.get("mentions")
            assert record.get("hashtags") == original.get("hashtags")
            assert "repost_of_id" not in original
            assert when(record) >= when(original)
            continue
        root = by_id[record["conversation_id"]]
        assert root["conversation_id"] == root["id"]
        if "reply_to_id" in record:
            parent = by_id[record["reply_to_id"]]
            assert record["reply_to_author"] == parent["author"]
            assert record["text"].startswith(f"@{parent['author']} ")
            assert record["conversation_id"] == parent["conversation_id"]
            assert record["platform"] == parent["platform"]
            assert when(record) > when(parent)
        else:
            assert record["conversation_id"] == record["id"]
        if "quote_of_id" in record:
            assert record["quote_of_author"] == by_id[record["quote_of_id"]]["author"]


def test_nobody_replies_to_brands(world: DemoWorld) -> None:
    by_id = {r["id"]: r for r in world.records}
    for record in world.records:
        if "reply_to_id" in record and by_id[record["reply_to_id"]]["author"].lower() in (
            ALL_BRAND_HANDLES
        ):
            pytest.fail(f"a reply to a brand post: {record}")


def test_config_toml(world: DemoWorld) -> None:
    config = tomllib.loads(world.config_toml)
    assert config["project"] == {
        "name": "SkyJet demo",
        "database": "sqlite:///hubbub.db",
        "timezone": "UTC",
    }
    assert config["topics"] == {
        "baggage": '"lost bag" OR #baggage OR luggage',
        "delays": "delay* OR #delayed OR cancelled",
    }
    assert config["brands"]["skyjet"] == {
        "handles": ["SkyJet", "SkyJetHelp"],
        "keywords": ["skyjet"],
        "reply_target": "15m",
    }
    assert config["brands"]["aerolux"]["handles"] == ["AeroLux"]
    assert config["brands"]["globair"]["handles"] == ["GlobAir"]
    assert config["brands"]["aerolux"]["reply_target"] == "1h"
    assert "#" in world.config_toml.splitlines()[0]  # commented


# -- brands -------------------------------------------------------------------------------


def test_responsiveness_matches_records(world: DemoWorld) -> None:
    records = world.records
    by_id = {r["id"]: r for r in records}
    first_reply: dict[tuple[str, str], float] = {}
    for record in records:
        parent = by_id.get(record.get("reply_to_id"))
        if parent is None:
            continue
        for key, brand in BRANDS.items():
            if record["author"].lower() in brand["handles"]:
                seconds = (when(record) - when(parent)).total_seconds()
                if seconds >= 0:
                    old = first_reply.get((key, parent["id"]), float("inf"))
                    first_reply[(key, parent["id"])] = min(old, seconds)
    for key, brand in BRANDS.items():
        inbound = [
            r
            for r in records
            if r["author"].lower() not in ALL_BRAND_HANDLES
            and "repost_of_id" not in r
            and (
                {m.lower() for m in r.get("mentions", [])} & brand["handles"]
                or (r.get("reply_to_author") or "").lower() in brand["handles"]
            )
        ]
        answered = [first_reply[(key, r["id"])] for r in inbound if (key, r["id"]) in first_reply]
        got = world.expected["responsiveness"][key]
        assert got["response_rate"] == round(len(answered) / len(inbound), 6)
        assert got["median_seconds"] == pytest.approx(statistics.median(answered))
        assert isinstance(got["median_seconds"], float)
    skyjet = world.expected["responsiveness"]["skyjet"]
    aerolux = world.expected["responsiveness"]["aerolux"]
    globair = world.expected["responsiveness"]["globair"]
    assert skyjet["response_rate"] > 0.85 and skyjet["median_seconds"] < 20 * 60
    assert 0.5 < aerolux["response_rate"] < 0.8
    assert 3600 <= aerolux["median_seconds"] <= 6 * 3600
    assert globair["response_rate"] < 0.15 and globair["median_seconds"] > 86400


def test_share_of_voice_matches_records(world: DemoWorld) -> None:
    counts = dict.fromkeys(BRANDS, 0)
    for record in world.records:
        author = record["author"].lower()
        mentions = {m.lower() for m in record.get("mentions", [])}
        for key, brand in BRANDS.items():
            if author in brand["handles"]:
                continue
            keyword = re.search(rf"(?<![\w@]){brand['keyword']}(?![\w@])", record["text"], re.I)
            if mentions & brand["handles"] or keyword:
                counts[key] += 1
    total = sum(counts.values())
    expected = {key: round(count / total, 6) for key, count in counts.items()}
    assert world.expected["share_of_voice"] == expected
    share = world.expected["share_of_voice"]
    assert share["skyjet"] > share["aerolux"] > share["globair"]
    assert 0.4 < share["skyjet"] < 0.6 and share["globair"] < 0.3


def test_share_of_voice_whole_word_edge_cases_exist(world: DemoWorld) -> None:
    """The corpus exercises the keyword rule: brand words inside handles or longer tags."""
    texts = [r["text"] for r in world.records]
    assert any(re.search(r"#(skyjet|aerolux|globair)life", t, re.I) for t in texts)
    assert any("@SkyJetHelp" in t and not re.search(r"(?<![\w@])skyjet(?!\w)", t, re.I)
               for t in texts)  # fmt: skip
    reposts = [r for r in world.records if r.get("repost_of_author") in {"SkyJet", "AeroLux"}]
    assert reposts


# -- topics: influencers, celebrities, spike ----------------------------------------------


def test_topic_words_only_in_topic_posts(world: DemoWorld) -> None:
    near = re.compile(r"lost bag|baggag|luggag|delay|cancel", re.I)
    for record in world.records:
        if near.search(record["text"]):
            assert in_topic(record, "baggage") or in_topic(record, "delays"), record["text"]
    for topic in ("baggage", "delays"):
        assert sum(in_topic(r, topic) for r in world.records) > 1000


def test_planted_influencers(world: DemoWorld) -> None:
    followers = {r["author"]: r["author_followers"] for r in world.records}
    planted = world.expected["influencers"]
    assert set(planted) == {"baggage", "delays"}
    assert not set(planted["baggage"]) & set(planted["delays"])
    for topic, handles in planted.items():
        assert len(handles) == 3
        engagers = engagers_by_target(world.records, topic)
        counts = [len(engagers[h.lower()]) for h in handles]
        assert counts == sorted(counts, reverse=True)
        for handle, count in zip(handles, counts, strict=True):
            assert 50 <= followers[handle] <= 400
            assert 40 <= count <= 100, (handle, count)
        others = {
            target: len(authors)
            for target, authors in engagers.items()
            if target not in {h.lower() for h in handles}
        }
        assert max(others.values()) < 20
        # planted influencers' topic posts draw more replies and reposts than the rest
        own = [r for r in world.records if r["author"] in handles and in_topic(r, topic)]
        rest = [r for r in world.records if in_topic(r, topic) and "repost_of_id" not in r]
        assert statistics.mean(r["replies"] for r in own) > 3 * statistics.mean(
            r["replies"] for r in rest
        )


def test_celebrities(world: DemoWorld) -> None:
    followers = {r["author"]: r["author_followers"] for r in world.records}
    engagers = engagers_by_target(world.records, None)
    celebrities = world.expected["celebrities"]
    assert not set(celebrities["baggage"]) & set(celebrities["delays"])
    influencers = set().union(*world.expected["influencers"].values())
    assert not influencers & set().union(*celebrities.values())
    for topic, handles in celebrities.items():
        assert len(handles) == 2
        for handle in handles:
            assert 200_000 <= followers[handle] <= 2_000_000
            assert not engagers.get(handle.lower()), handle
            posts = [r for r in world.records if r["author"] == handle]
            assert 8 <= sum(in_topic(r, topic) for r in posts) <= 12
            assert all(r["reposts"] == 0 and r["replies"] == 0 for r in posts)


def test_delays_spike(world: DemoWorld) -> None:
    assert world.expected["spikes"] == [{"topic": "delays", "day": "2026-03-19"}]
    counts = daily(world.records, "delays")
    median = statistics.median(counts.values())
    assert counts["2026-03-19"] >= 4 * median
    assert all(n <= 2 * median for day, n in counts.items() if day != "2026-03-19")
    storm = [r for r in world.records if "#stormdelay" in r["text"]]
    assert len(storm) > 100
    assert {r["created_at"][:10] for r in storm} == {"2026-03-19"}
    assert sum("storm" in r["text"].lower() for r in storm) == len(storm)
    busy = Counter(r["author"] for r in storm if "repost_of_id" not in r)
    assert sum(n >= 10 for n in busy.values()) >= 3


def test_baggage_has_no_spike(world: DemoWorld) -> None:
    counts = daily(world.records, "baggage")
    median = statistics.median(counts.values())
    assert median > 30
    assert max(counts.values()) <= 2 * median


def test_daily_rhythm(world: DemoWorld) -> None:
    hours = Counter(int(r["created_at"][11:13]) for r in world.records)
    assert hours[3] < hours[19] / 3  # quiet nights, busy evenings (UTC)


# -- languages ----------------------------------------------------------------------------


def test_languages(world: DemoWorld) -> None:
    records = world.records
    tagged = [r for r in records if "lang" in r]
    assert 0.65 <= len(tagged) / len(records) <= 0.75
    shares = {lang: n / len(tagged) for lang, n in Counter(r["lang"] for r in tagged).items()}
    assert 0.80 <= shares["en"] <= 0.90
    assert 0.06 <= shares["es"] <= 0.12
    assert 0.04 <= shares["ar"] <= 0.08
    arabic = [r for r in records if ARABIC.search(r["text"])]
    assert 0.04 <= len(arabic) / len(records) <= 0.08
    for record in tagged:
        assert bool(ARABIC.search(record["text"])) == (record["lang"] == "ar"), record
    spanish = [r["text"] for r in tagged if r["lang"] == "es"]
    assert sum(bool(re.search("[áéíóúñ¿¡]", t)) for t in spanish) > len(spanish) / 2
