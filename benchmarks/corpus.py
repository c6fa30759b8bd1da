"""A seeded generator of realistic native-format posts for benchmarks.

Streams records (never holds the corpus): ids above 2**53, replies and reposts,
mentions and hashtags, several languages, ~30% duplicate texts as on real platforms.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

WORDS = [
    "flight",
    "delayed",
    "again",
    "gate",
    "crew",
    "seat",
    "luggage",
    "lost",
    "bag",
    "refund",
    "booking",
    "app",
    "service",
    "airport",
    "lounge",
    "boarding",
    "pass",
    "upgrade",
    "cancelled",
    "storm",
    "queue",
    "check-in",
    "staff",
    "great",
    "terrible",
    "thanks",
    "love",
    "hate",
    "waiting",
    "hours",
    "help",
    "please",
    "today",
    "tomorrow",
    "trip",
    "home",
]
SPANISH = ["mi vuelo se retrasó otra vez", "perdieron mi maleta", "gracias por la ayuda"]
ARABIC = ["تأخرت رحلتي مرة أخرى", "فقدت حقيبتي في المطار", "شكرا على المساعدة"]
TAGS = ["travel", "baggage", "delayed", "avgeek", "refund", "stormdelay"]
BRANDS = ["SkyJet", "SkyJetHelp", "AeroLux", "GlobAir"]


def records(count: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    """Yield ``count`` native records, deterministic for a seed."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    authors = [f"user_{i:06d}" for i in range(max(100, count // 20))]
    recent: list[tuple[str, str]] = []
    texts: list[str] = []
    base_id = 1_630_000_000_000_000_000
    for number in range(count):
        author = rng.choice(authors)
        roll = rng.random()
        if texts and roll < 0.3:
            text = rng.choice(texts)
        elif roll < 0.36:
            text = rng.choice(SPANISH)
        elif roll < 0.40:
            text = rng.choice(ARABIC)
        else:
            words = rng.choices(WORDS, k=rng.randint(6, 22))
            if rng.random() < 0.4:
                words.append("@" + rng.choice(BRANDS))
            if rng.random() < 0.35:
                words.append("#" + rng.choice(TAGS))
            text = " ".join(words)
            if len(texts) < 5000:
                texts.append(text)
        record: dict[str, Any] = {
            "id": str(base_id + number),
            "platform": "twitter",
            "author": author,
            "author_followers": int(rng.lognormvariate(5.5, 1.5)),
            "created_at": (start + timedelta(seconds=number * 7)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "text": text,
            "likes": rng.randint(0, 50),
        }
        if recent and rng.random() < 0.25:
            parent_id, parent_author = rng.choice(recent)
            record["reply_to_id"] = parent_id
            record["reply_to_author"] = parent_author
            record["conversation_id"] = parent_id
        else:
            recent.append((record["id"], author))
            if len(recent) > 1000:
                recent.pop(0)
        yield record


def write_jsonl(path: Path, count: int, seed: int = 7) -> Path:
    """Write ``count`` records to ``path`` as JSONL and return the path."""
    with path.open("wb") as stream:
        for record in records(count, seed):
            stream.write(orjson.dumps(record) + b"\n")
    return path
