"""A seeded generator of realistic native-format posts for benchmarks.

It streams records in time order and never holds the corpus: memory stays constant
whatever the size (a few bounded pools: recent posts to reply to or repost, and the
brand answers still due). What it promises, checked by ``tests/test_benchmark_corpus.py``:

* the same ``seed`` and ``count`` give the same records, byte for byte;
* about 30% of posts repeat an earlier text: reposts (``repost_of_id`` set, the
  original's text, as Mastodon boosts and Bluesky reposts carry it), copy-paste of a
  popular post by other people, and promo bots posting the same few texts;
* replies within threads (``reply_to_id`` is always an earlier post of the same
  platform; ``conversation_id`` is the thread's root), @-mentions and #hashtags in the text;
* several languages (English most, then Spanish, French, German, Portuguese, Arabic,
  Japanese), with the platform's ``lang`` tag on most posts and missing on the rest;
* brand accounts answering customers: posts that @-mention a brand or reply to one are
  answered by the brand's help account at the brand's own rate and speed
  (:data:`BRAND_ACCOUNTS`), and customers sometimes follow up, so responsiveness has work;
* ids above 2**53, always strings, increasing with time.

    python benchmarks/corpus.py --posts 1000000 -o posts-1m.jsonl.zst [--seed 7]

Writes JSON Lines (``.zst``: zstd-compressed, ``.gz``: gzip) at constant memory.
"""

from __future__ import annotations

import argparse
import gzip
import heapq
import math
import random
import sys
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist
from typing import Any, BinaryIO

import orjson

#: bump when the records change, so cached corpora and databases are rebuilt
GENERATOR_VERSION = 3
#: the default corpus size of every benchmark script
DEFAULT_POSTS = 200_000
DEFAULT_SEED = 7

#: the first post's id: far above 2**53, where float parsing would lose digits
BASE_ID = 1_630_000_000_000_000_000
#: 2023-01-01T00:00:00Z; one post every STEP_SECONDS after it (version 2 started in
#: 2026, and its posts past 4.1M were in the future, which hubbub rightly rejects)
START_EPOCH = 1_672_531_200
STEP_SECONDS = 7
#: the largest corpus whose last post is still in the past (before 2026-06-01)
MAX_POSTS = 15_000_000

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


def _split(text: str) -> list[str]:
    return text.split()


#: words per language (English is :data:`WORDS`); texts are random runs of them
VOCABULARY: dict[str, list[str]] = {
    "en": WORDS,
    "es": _split(
        "mi vuelo se retrasó otra vez perdieron maleta gracias por la ayuda aeropuerto "
        "equipaje reembolso servicio pésimo excelente tripulación puerta embarque horas "
        "esperando cancelaron nunca más hoy mañana"
    ),
    "fr": _split(
        "mon vol est encore retardé ils ont perdu ma valise merci pour aide aéroport "
        "bagages remboursement service nul excellent équipage porte embarquement heures "
        "attente annulé jamais plus aujourd'hui demain"
    ),
    "de": _split(
        "mein Flug hat wieder Verspätung Koffer verloren danke für die Hilfe Flughafen "
        "Gepäck Erstattung Service schrecklich super Crew Gate Boarding Stunden warten "
        "gestrichen nie wieder heute morgen"
    ),
    "pt": _split(
        "meu voo atrasou de novo perderam minha mala obrigado pela ajuda aeroporto "
        "bagagem reembolso serviço péssimo ótimo tripulação portão embarque horas "
        "esperando cancelado nunca mais hoje amanhã"
    ),
    "ar": _split(
        "تأخرت رحلتي مرة أخرى فقدت حقيبتي في المطار شكرا على المساعدة الأمتعة استرداد "
        "الخدمة سيئة ممتازة الطاقم البوابة الصعود ساعات انتظار ألغيت اليوم غدا"
    ),
    # Japanese is written without spaces: phrases are joined as they are
    "ja": [
        "フライトが",
        "また",
        "遅れた",
        "荷物を",
        "なくした",
        "ありがとう",
        "空港で",
        "待っている",
        "返金",
        "最悪",
        "最高",
    ],
}
#: (language, share of posts)
LANGUAGE_SHARES = (
    ("en", 0.70),
    ("es", 0.09),
    ("fr", 0.05),
    ("de", 0.05),
    ("pt", 0.04),
    ("ar", 0.04),
    ("ja", 0.03),
)
TAGS = ["travel", "baggage", "delayed", "avgeek", "refund", "stormdelay"]
#: (platform, share of threads)
PLATFORM_SHARES = (("twitter", 0.70), ("mastodon", 0.20), ("bluesky", 0.10))
#: share of posts whose platform gives a language tag (the rest need detection)
LANG_TAGGED = 0.8


@dataclass(frozen=True)
class BrandAccount:
    """A brand as the corpus plays it: who customers address, and how it answers."""

    name: str
    #: handles customers @-mention (weights of being mentioned)
    mentioned: tuple[tuple[str, float], ...]
    #: the account that answers
    answers_from: str
    response_rate: float
    #: median first-response time in seconds (log-normal around it)
    median_seconds: float
    reply_target: str


BRAND_ACCOUNTS = (
    BrandAccount(
        "skyjet", (("SkyJet", 0.36), ("SkyJetHelp", 0.09)), "SkyJetHelp", 0.7, 1200, "15m"
    ),
    BrandAccount("aerolux", (("AeroLux", 0.35),), "AeroLux", 0.45, 7200, "1h"),
    BrandAccount("globair", (("GlobAir", 0.20),), "GlobAir", 0.15, 36000, "4h"),
)
#: every brand handle (the first three kept as before: the search benchmark queries @SkyJet)
BRANDS = ["SkyJet", "SkyJetHelp", "AeroLux", "GlobAir"]
#: a brand never answers later than this
MAX_DELAY_SECONDS = 4 * 86400

BRAND_REPLIES = {
    "en": [
        "so sorry to hear that, please DM us your booking reference and we will look into it",
        "thanks for reaching out! Our team is on it",
        "we apologise for the delay, the storm affected several flights today",
        "please send us a DM with your bag tag number",
        "glad you enjoyed the flight, thanks for flying with us",
        "your refund is being processed, it can take up to 7 days",
    ],
    "es": ["lo sentimos mucho, envíanos un DM con tu reserva", "gracias por escribirnos"],
    "fr": ["désolés, envoyez-nous votre référence en DM", "merci de nous avoir contactés"],
    "de": ["das tut uns leid, bitte schick uns eine DM", "danke für deine Nachricht"],
    "pt": ["sentimos muito, envie sua reserva por DM", "obrigado pelo contato"],
    "ar": ["نأسف لذلك، يرجى مراسلتنا برقم الحجز", "شكرا لتواصلك معنا"],
    "ja": ["ご迷惑をおかけして申し訳ありません。DMでご連絡ください", "ご連絡ありがとうございます"],
}
FOLLOW_UPS = [
    "thanks, DM sent",
    "still waiting for an answer",
    "that did not help at all",
    "thank you so much, sorted now",
    "any update on this?",
]
PROMO_TEXTS = [
    "Cheap flights to anywhere! Click the link in bio #travel",
    "WIN a free trip: follow and retweet to enter #travel #avgeek",
    "Earn miles fast with this one trick #travel",
    "Best travel deals of the week, link in bio",
]
PROMO_BOTS = [f"promo_bot_{i}" for i in range(5)]

#: shares of the kinds of posts (the rest are original posts by customers)
P_REPOST = 0.13
P_COPY = 0.15
P_PROMO = 0.02
P_REPLY = 0.20
P_BRAND_POST = 0.004
#: share of original posts that @-mention a brand; of those that mention another user
P_MENTION_BRAND = 0.22
P_MENTION_USER = 0.10
P_HASHTAG = 0.35
#: how often a customer answers a brand's reply (a follow-up, itself inbound)
P_FOLLOW_UP = 0.25
POOL_SIZE = 5000

_NORMAL = NormalDist()


@dataclass(slots=True)
class _Seen:
    """An earlier post, kept in a bounded pool for replies, reposts and copies."""

    id: str
    author: str
    platform: str
    text: str
    lang: str
    conversation_id: str


def author_count(count: int) -> int:
    """How many customer accounts a corpus of ``count`` posts has (``user_000000``…)."""
    return max(100, count // 20)


def followers(index: int, seed: int = DEFAULT_SEED) -> int:
    """Follower count of ``user_{index}``: log-normal, the same in every post by them."""
    spread = ((index * 2_654_435_761 + seed * 97) % 4_294_967_296 + 0.5) / 4_294_967_296
    return int(math.exp(5.5 + 1.5 * _NORMAL.inv_cdf(spread)))


def _weighted(shares: tuple[tuple[str, float], ...]) -> tuple[list[str], list[float]]:
    names = [name for name, _ in shares]
    cumulative, total = [], 0.0
    for _, share in shares:
        total += share
        cumulative.append(total)
    return names, cumulative


def records(count: int, seed: int = DEFAULT_SEED) -> Iterator[dict[str, Any]]:
    """Yield ``count`` native records in time order, deterministic for a seed.

    :raises ValueError: for more than :data:`MAX_POSTS` (the posts would reach the present).
    """
    if count > MAX_POSTS:
        raise ValueError(f"at most {MAX_POSTS:,} posts: later ones would be in the future")
    rng = random.Random(seed)
    random_ = rng.random
    authors = author_count(count)
    languages, language_weights = _weighted(LANGUAGE_SHARES)
    platforms, platform_weights = _weighted(PLATFORM_SHARES)
    mentioned = tuple((handle, brand) for brand in BRAND_ACCOUNTS for handle, _ in brand.mentioned)
    mention_names = [handle for handle, _ in mentioned]
    mention_weights = [weight for brand in BRAND_ACCOUNTS for _, weight in brand.mentioned]
    brand_of = dict(mentioned) | {brand.answers_from: brand for brand in BRAND_ACCOUNTS}
    brand_handles = {handle.lower() for handle in brand_of}
    pool: deque[_Seen] = deque(maxlen=POOL_SIZE)
    #: (due epoch, sequence, kind, the post answered, brand): brand answers and follow-ups
    pending: list[tuple[int, int, str, _Seen, BrandAccount]] = []
    sequence = 0

    def words(lang: str) -> str:
        vocabulary = VOCABULARY[lang]
        chosen = rng.choices(
            vocabulary, k=rng.randint(4, 9) if lang == "ja" else rng.randint(6, 20)
        )
        return ("" if lang == "ja" else " ").join(chosen)

    def recent() -> _Seen:
        # recent posts are the likeliest to be answered or shared
        return pool[len(pool) - 1 - int(len(pool) * random_() ** 3)]

    def schedule(post: _Seen, brand: BrandAccount, now: int, kind: str) -> None:
        nonlocal sequence
        if kind == "answer" and random_() >= brand.response_rate:
            return
        if kind == "answer":
            delay = brand.median_seconds * math.exp(1.1 * rng.gauss(0, 1))
        else:
            delay = 120 * math.exp(rng.gauss(0, 1))
        sequence += 1
        heapq.heappush(
            pending, (now + int(min(delay, MAX_DELAY_SECONDS)) + 1, sequence, kind, post, brand)
        )

    for number in range(count):
        now = START_EPOCH + number * STEP_SECONDS
        post_id = str(BASE_ID + number * 4096 + rng.randrange(4096))
        record: dict[str, Any] = {"id": post_id}
        inbound: BrandAccount | None = None
        if pending and pending[0][0] <= now:
            _, _, kind, parent, brand = heapq.heappop(pending)
            platform, lang = parent.platform, parent.lang
            if kind == "answer":
                author = brand.answers_from
                replies = BRAND_REPLIES[lang]
                text = f"@{parent.author} {replies[rng.randrange(len(replies))]}"
            else:  # the customer follows up on the brand's answer
                author = parent.reply_author  # type: ignore[attr-defined]
                text = f"@{parent.author} {FOLLOW_UPS[rng.randrange(len(FOLLOW_UPS))]}"
                inbound = brand
            reply_to, conversation = parent, parent.conversation_id
        else:
            reply_to = None
            roll = random_()
            if roll < P_REPOST and pool:
                original = recent()
                author = f"user_{int(authors * random_() ** 1.5):06d}"
                platform, lang, text = original.platform, original.lang, original.text
                record["repost_of_id"] = original.id
                record["repost_of_author"] = original.author
                conversation = original.conversation_id
            elif roll < P_REPOST + P_COPY and pool:
                original = pool[rng.randrange(len(pool))]
                author = f"user_{int(authors * random_() ** 1.5):06d}"
                platform, lang, text = original.platform, original.lang, original.text
                conversation = post_id
            elif roll < P_REPOST + P_COPY + P_PROMO:
                author = PROMO_BOTS[rng.randrange(len(PROMO_BOTS))]
                platform = rng.choices(platforms, cum_weights=platform_weights)[0]
                lang, text = "en", PROMO_TEXTS[rng.randrange(len(PROMO_TEXTS))]
                conversation = post_id
            elif roll < P_REPOST + P_COPY + P_PROMO + P_REPLY and pool:
                reply_to = recent()
                author = f"user_{int(authors * random_() ** 1.5):06d}"
                platform, lang = reply_to.platform, reply_to.lang
                text = f"@{reply_to.author} {words(lang)}"
                conversation = reply_to.conversation_id
                inbound = brand_of.get(reply_to.author)
            else:
                platform = rng.choices(platforms, cum_weights=platform_weights)[0]
                conversation = post_id
                if roll > 1 - P_BRAND_POST:
                    author = BRAND_ACCOUNTS[rng.randrange(len(BRAND_ACCOUNTS))].mentioned[0][0]
                    lang = "en"
                    text = f"New routes this summer, book now! #travel {words('en')}"
                else:
                    author = f"user_{int(authors * random_() ** 1.5):06d}"
                    lang = rng.choices(languages, cum_weights=language_weights)[0]
                    text = words(lang)
                    if random_() < P_MENTION_BRAND:
                        handle = rng.choices(mention_names, weights=mention_weights)[0]
                        inbound = brand_of[handle]
                        text = f"@{handle} {text}" if random_() < 0.5 else f"{text} @{handle}"
                    if random_() < P_MENTION_USER:
                        text += f" @user_{rng.randrange(authors):06d}"
                    if random_() < P_HASHTAG:
                        text += " #" + TAGS[rng.randrange(len(TAGS))]
        record["platform"] = platform
        record["author"] = author
        record["author_followers"] = (
            followers(int(author[5:]), seed)
            if author.startswith("user_")
            else (250_000 if author.lower() in brand_handles else 40)
        )
        record["created_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
        record["text"] = text
        if random_() < LANG_TAGGED:
            record["lang"] = lang
        record["url"] = f"https://{platform}.example/{author}/{post_id}"
        record["likes"] = int(random_() ** 4 * 60)
        if reply_to is not None:
            record["reply_to_id"] = reply_to.id
            record["reply_to_author"] = reply_to.author
        record["conversation_id"] = conversation
        yield record
        if "repost_of_id" in record:
            continue  # a repost is neither answered nor replied to
        seen = _Seen(post_id, author, platform, text, lang, conversation)
        pool.append(seen)
        if inbound is not None and author.lower() not in brand_handles:
            schedule(seen, inbound, now, "answer")
        elif reply_to is not None and author.lower() in brand_handles and random_() < P_FOLLOW_UP:
            answered = _Answered(
                post_id, author, platform, text, lang, conversation, reply_to.author
            )
            schedule(answered, brand_of[author], now, "follow_up")


@dataclass(slots=True)
class _Answered(_Seen):
    """A brand's answer waiting for the customer's follow-up: it remembers the customer."""

    reply_author: str = ""


@contextmanager
def _open_output(path: Path, suffix: str) -> Iterator[BinaryIO]:
    """``path`` for writing, compressed as ``suffix`` says (``.zst``, ``.gz``)."""
    if suffix == ".zst":
        import zstandard

        with path.open("wb") as raw, zstandard.ZstdCompressor(level=3).stream_writer(raw) as out:
            yield out  # type: ignore[misc]
    elif suffix == ".gz":
        with gzip.open(path, "wb", compresslevel=3) as out:
            yield out  # type: ignore[misc]
    else:
        with path.open("wb") as out:
            yield out


def write_jsonl(path: Path, count: int, seed: int = DEFAULT_SEED) -> Path:
    """Write ``count`` records to ``path`` as JSON Lines (compressed by suffix); return it.

    Writes to a temporary name first, so an interrupted run never leaves a short file
    under the final name (benchmarks cache corpora by name).
    """
    if count > MAX_POSTS:
        raise ValueError(f"at most {MAX_POSTS:,} posts: later ones would be in the future")
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    dumps = orjson.dumps
    with _open_output(partial, path.suffix) as out:
        buffer: list[bytes] = []
        for record in records(count, seed):
            buffer.append(dumps(record))
            if len(buffer) >= 2000:
                out.write(b"\n".join(buffer) + b"\n")
                buffer.clear()
        if buffer:
            out.write(b"\n".join(buffer) + b"\n")
    partial.replace(path)
    return path


def main(argv: list[str] | None = None) -> None:
    """``python benchmarks/corpus.py --posts N -o FILE [--seed S]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=DEFAULT_POSTS, help="how many posts")
    parser.add_argument("-o", "--output", type=Path, required=True, help="FILE(.jsonl[.zst|.gz])")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    write_jsonl(args.output, args.posts, args.seed)
    elapsed = time.perf_counter() - started
    size = args.output.stat().st_size / 1e6
    print(
        f"wrote {args.posts:,} posts to {args.output} ({size:,.1f} MB) in {elapsed:.1f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
