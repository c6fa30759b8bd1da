"""Format benchmarks: importing a platform's export beside a raw sqlite3 loader of the same rows.

Each case generates a seeded file in the platform's real shape, then times two loaders,
each in a fresh subprocess (so peak RSS is its own):

* hubbub: the format's source through ``hubbub.ingest.run_source``, exactly what
  ``hubbub import FILE`` does (without ``--format``: the source is the one sniffing picks);
* raw: what a hand-written loader would do — orjson per line, the same fields picked
  out by direct dict access, ``sqlite3.executemany`` into the same posts table in one
  WAL transaction, then an FTS5 rebuild.

It prints both times, their ratio (target: hubbub at most 2x raw) and peak memory.

    python benchmarks/bench_formats.py [--case twitter-v2] [--tweets 50000]

Cases: ``twitter-v2`` (twarc search pages), ``mastodon`` (API statuses, one per line).

Adding a format: write ``generate_<name>(path, count)`` and ``raw_rows_<name>(path)``
(yielding tuples in ``RAW_COLUMNS`` order) and add them to ``CASES``.
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import peak_rss_mb

#: the posts table's columns, in the order the raw loader's tuples give them
RAW_COLUMNS = [
    *("platform", "external_id", "source", "url", "author", "author_name", "author_followers"),
    *("text", "lang", "created_at", "reply_to_id", "reply_to_author", "conversation_id"),
    *("repost_of_id", "repost_of_author", "quote_of_id", "quote_of_author", "mentions"),
    *("hashtags", "likes", "reposts", "replies", "raw"),
]

WORDS = [
    *("flight", "delayed", "again", "gate", "crew", "seat", "luggage", "lost", "bag", "refund"),
    *("booking", "app", "service", "airport", "lounge", "boarding", "pass", "upgrade"),
    *("cancelled", "storm", "queue", "check-in", "staff", "great", "terrible", "thanks", "love"),
    *("hate", "waiting", "hours", "help", "please", "today", "tomorrow", "trip", "home"),
]
TAGS = ["travel", "baggage", "delayed", "avgeek", "refund", "stormdelay"]


# ---------------------------------------------------------------- Twitter API v2 (twarc)


def generate_twitter_v2(path: Path, count: int, seed: int = 11) -> Path:
    """Write ``count`` tweets as twarc search pages of 100 (one page per line).

    About 45% retweets (truncated text, the original in ``includes.tweets``), 15%
    replies, 8% quotes; mentions, hashtags and t.co links as entities; users in
    ``includes.users`` with a few missing, as suspended accounts are.
    """
    rng = random.Random(seed)
    start = datetime(2024, 3, 1, tzinfo=UTC)
    user_ids = [str(1_300_000_000_000_000_000 + n * 7919) for n in range(max(200, count // 10))]
    users = {
        uid: {
            "created_at": "2015-06-01T10:00:00.000Z",
            "description": "travel, coffee, complaints",
            "id": uid,
            "location": "Lisbon",
            "name": f"Flyer {number}",
            "profile_image_url": f"https://pbs.twimg.com/profile_images/{uid}/a_normal.jpg",
            "protected": False,
            "public_metrics": {
                "followers_count": int(rng.lognormvariate(5.5, 1.6)),
                "following_count": rng.randint(10, 2000),
                "tweet_count": rng.randint(10, 90000),
                "listed_count": rng.randint(0, 40),
            },
            "url": "",
            "username": f"flyer_{number:06d}",
            "verified": False,
        }
        for number, uid in enumerate(user_ids)
    }
    next_id = 1_441_054_496_931_610_624

    def new_tweet(author: str, moment: datetime) -> dict[str, Any]:
        nonlocal next_id
        next_id += rng.randint(1, 1 << 20)
        words = rng.choices(WORDS, k=rng.randint(8, 30))
        mentions, hashtags, urls = [], [], []
        if rng.random() < 0.5:
            handle = users[rng.choice(user_ids)]["username"]
            words.insert(0, "@" + handle)
            mentions.append({"start": 0, "end": len(handle) + 1, "username": handle})
        text = " ".join(words)
        if rng.random() < 0.4:
            tag = rng.choice(TAGS)
            hashtags.append({"start": len(text) + 1, "end": len(text) + 2 + len(tag), "tag": tag})
            text += " #" + tag
        if rng.random() < 0.3:
            short = f"https://t.co/{next_id % 10**10:010d}"
            urls.append(
                {
                    "start": len(text) + 1,
                    "end": len(text) + 1 + len(short),
                    "url": short,
                    "expanded_url": f"https://news.example/{next_id}",
                    "display_url": f"news.example/{next_id}"[:26],
                }
            )
            text += " " + short
        if rng.random() < 0.1:
            text = text.replace(" and ", " &amp; ", 1)
        tweet: dict[str, Any] = {
            "author_id": author,
            "conversation_id": str(next_id),
            "created_at": moment.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "id": str(next_id),
            "lang": rng.choice(("en", "en", "en", "es", "und")),
            "possibly_sensitive": False,
            "public_metrics": {
                "retweet_count": rng.randint(0, 40),
                "reply_count": rng.randint(0, 9),
                "like_count": rng.randint(0, 200),
                "quote_count": rng.randint(0, 3),
            },
            "reply_settings": "everyone",
            "source": "Twitter for iPhone",
            "text": text,
        }
        entities = {
            key: value
            for key, value in (("mentions", mentions), ("hashtags", hashtags), ("urls", urls))
            if value
        }
        if entities:
            tweet["entities"] = entities
        return tweet

    written = 0
    with path.open("wb") as stream:
        while written < count:
            size = min(100, count - written)
            data, included, authors = [], {}, set()
            for _ in range(size):
                moment = start + timedelta(seconds=(written + len(data)) * 3)
                author = rng.choice(user_ids)
                tweet = new_tweet(author, moment)
                roll = rng.random()
                if roll < 0.45:
                    original = new_tweet(rng.choice(user_ids), moment - timedelta(hours=2))
                    included[original["id"]] = original
                    handle = users[original["author_id"]]["username"]
                    tweet["text"] = f"RT @{handle}: {original['text']}"[:140] + "…"
                    tweet["entities"] = {
                        "mentions": [{"start": 3, "end": 4 + len(handle), "username": handle}]
                    }
                    tweet["referenced_tweets"] = [{"type": "retweeted", "id": original["id"]}]
                    tweet["public_metrics"]["like_count"] = 0
                    authors.add(original["author_id"])
                elif roll < 0.60:
                    parent = new_tweet(rng.choice(user_ids), moment - timedelta(minutes=30))
                    if rng.random() < 0.5:
                        included[parent["id"]] = parent
                        authors.add(parent["author_id"])
                    tweet["referenced_tweets"] = [{"type": "replied_to", "id": parent["id"]}]
                    tweet["in_reply_to_user_id"] = parent["author_id"]
                    tweet["conversation_id"] = parent["id"]
                    authors.add(parent["author_id"])
                elif roll < 0.68:
                    quoted = new_tweet(rng.choice(user_ids), moment - timedelta(hours=5))
                    included[quoted["id"]] = quoted
                    tweet["referenced_tweets"] = [{"type": "quoted", "id": quoted["id"]}]
                    authors.add(quoted["author_id"])
                data.append(tweet)
                authors.add(author)
            page_users = [users[uid] for uid in sorted(authors) if rng.random() > 0.01]
            page = {
                "data": data,
                "includes": {"users": page_users, "tweets": list(included.values())},
                "meta": {
                    "newest_id": data[-1]["id"],
                    "oldest_id": data[0]["id"],
                    "result_count": len(data),
                    "next_token": f"b26v89c19zqg8o3fp{written:08d}",
                },
                "__twarc": {
                    "url": "https://api.twitter.com/2/tweets/search/recent?query=skyjet",
                    "version": "2.14.0",
                    "retrieved_at": "2024-03-02T00:00:00+00:00",
                },
            }
            stream.write(orjson.dumps(page) + b"\n")
            written += size
    return path


def raw_rows_twitter_v2(path: Path) -> Iterator[tuple[Any, ...]]:
    """A hand-written twarc loader: the same rows and columns, minimal logic."""
    with path.open("rb") as stream:
        for line in stream:
            page = orjson.loads(line)
            includes = page.get("includes", {})
            users = {user["id"]: user for user in includes.get("users", ())}
            tweets = {tweet["id"]: tweet for tweet in includes.get("tweets", ())}
            for tweet in [*page.get("data", ()), *tweets.values()]:
                user = users.get(tweet["author_id"])
                handle = user["username"] if user else tweet["author_id"]
                refs = {ref["type"]: ref["id"] for ref in tweet.get("referenced_tweets", ())}
                text = tweet["text"]
                repost_of = refs.get("retweeted")
                if repost_of in tweets:
                    text = text.split(": ", 1)[0] + ": " + tweets[repost_of]["text"]

                entities = tweet.get("entities", {})
                metrics = tweet["public_metrics"]
                created = datetime.fromisoformat(tweet["created_at"]).astimezone(UTC)
                reply_user = users.get(tweet.get("in_reply_to_user_id"))
                yield (
                    "twitter",
                    tweet["id"],
                    "raw",
                    f"https://x.com/{handle}/status/{tweet['id']}",
                    handle,
                    user["name"] if user else None,
                    user["public_metrics"]["followers_count"] if user else None,
                    text,
                    tweet.get("lang"),
                    created.strftime("%Y-%m-%d %H:%M:%S.%f"),
                    refs.get("replied_to"),
                    reply_user["username"] if reply_user else tweet.get("in_reply_to_user_id"),
                    tweet.get("conversation_id"),
                    repost_of,
                    _author_of(repost_of, tweets, users),
                    refs.get("quoted"),
                    _author_of(refs.get("quoted"), tweets, users),
                    orjson.dumps([m["username"] for m in entities.get("mentions", ())]).decode(),
                    orjson.dumps([h["tag"] for h in entities.get("hashtags", ())]).decode(),
                    metrics["like_count"],
                    metrics["retweet_count"],
                    metrics["reply_count"],
                    # the raw payload as hubbub keeps it: the tweet with its author inlined
                    orjson.dumps({**tweet, "author": user} if user else tweet).decode(),
                )


def _author_of(tweet_id: str | None, tweets: dict, users: dict) -> str | None:
    found = tweets.get(tweet_id)
    if found is None:
        return None
    user = users.get(found["author_id"])
    return user["username"] if user else found["author_id"]


# ---------------------------------------------------------------- Mastodon (API statuses)


def _mastodon_account(number: int, rng: random.Random) -> dict[str, Any]:
    """An Account entity as the API embeds it in every status (remote ones every tenth)."""
    domain = None if number % 10 else f"fedi{number % 7}.example"
    username = f"flyer_{number:06d}"
    host = domain or "mastodon.example"
    return {
        "id": str(109_000_000_000_000_000 + number * 7919),
        "username": username,
        "acct": f"{username}@{domain}" if domain else username,
        "display_name": f"Flyer {number}",
        "locked": False,
        "bot": False,
        "discoverable": True,
        "indexable": True,
        "group": False,
        "created_at": "2022-11-01T00:00:00.000Z",
        "note": "<p>travel, coffee, complaints</p>",
        "url": f"https://{host}/@{username}",
        "uri": f"https://{host}/users/{username}",
        "avatar": f"https://files.{host}/accounts/avatars/{number:09d}/original/a1b2c3.png",
        "avatar_static": f"https://files.{host}/accounts/avatars/{number:09d}/original/a1b2c3.png",
        "header": f"https://{host}/headers/original/missing.png",
        "header_static": f"https://{host}/headers/original/missing.png",
        "followers_count": int(rng.lognormvariate(4.5, 1.6)),
        "following_count": rng.randint(10, 900),
        "statuses_count": rng.randint(10, 20000),
        "last_status_at": "2024-03-01",
        "emojis": [],
        "fields": [],
    }


def generate_mastodon(path: Path, count: int, seed: int = 13) -> Path:
    """Write ``count`` statuses, one per line, as the API returns them.

    HTML ``content`` with paragraphs, ``h-card`` mentions (a tenth remote), hashtag
    links and long links behind ``invisible`` spans; about 10% reblogs (the inner
    status embedded, so they give two posts), 25% replies.
    """
    rng = random.Random(seed)
    start = datetime(2024, 3, 1, tzinfo=UTC)
    accounts = [_mastodon_account(n, rng) for n in range(max(200, count // 10))]
    next_id = 112_000_000_000_000_000

    def new_status(account: dict[str, Any], moment: datetime) -> dict[str, Any]:
        nonlocal next_id
        next_id += rng.randint(1, 1 << 16)
        words = " ".join(rng.choices(WORDS, k=rng.randint(8, 30)))
        mentions, tags, parts = [], [], []
        if rng.random() < 0.4:
            other = rng.choice(accounts)
            mentions.append({k: other[k] for k in ("id", "username", "url", "acct")})
            parts.append(
                f'<span class="h-card" translate="no"><a href="{other["url"]}" '
                f'class="u-url mention">@<span>{other["username"]}</span></a></span>'
            )
        parts.append(words)
        if rng.random() < 0.4:
            tag = rng.choice(TAGS)
            tags.append({"name": tag, "url": f"https://mastodon.example/tags/{tag}"})
            parts.append(
                f'<a href="https://mastodon.example/tags/{tag}" class="mention hashtag" '
                f'rel="tag">#<span>{tag}</span></a>'
            )
        content = "<p>" + " ".join(parts) + "</p>"
        if rng.random() < 0.3:
            content += (
                f'<p><a href="https://news.example/2024/03/{next_id}/skyjet-delays" '
                'target="_blank" rel="nofollow noopener" translate="no">'
                '<span class="invisible">https://</span><span class="ellipsis">'
                f'news.example/2024/03/{next_id}</span><span class="invisible">'
                "/skyjet-delays</span></a></p>"
            )
        if rng.random() < 0.1:
            content = content.replace(" and ", " &amp; ", 1).replace("’", "&#39;")
        status_id = str(next_id)
        host = account["url"].split("/")[2]
        return {
            "id": status_id,
            "created_at": moment.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "in_reply_to_id": None,
            "in_reply_to_account_id": None,
            "sensitive": False,
            "spoiler_text": "",
            "visibility": "public",
            "language": rng.choice(("en", "en", "en", "de", "es")),
            "uri": f"https://{host}/users/{account['username']}/statuses/{status_id}",
            "url": f"https://{host}/@{account['username']}/{status_id}",
            "replies_count": rng.randint(0, 9),
            "reblogs_count": rng.randint(0, 40),
            "favourites_count": rng.randint(0, 200),
            "quotes_count": 0,
            "edited_at": None,
            "favourited": False,
            "reblogged": False,
            "muted": False,
            "bookmarked": False,
            "content": content,
            "filtered": [],
            "reblog": None,
            "application": {"name": "Web", "website": None},
            "account": account,
            "media_attachments": [],
            "mentions": mentions,
            "tags": tags,
            "emojis": [],
            "quote": None,
            "card": None,
            "poll": None,
        }

    with path.open("wb") as stream:
        for number in range(count):
            moment = start + timedelta(seconds=number * 3)
            status = new_status(rng.choice(accounts), moment)
            roll = rng.random()
            if roll < 0.10:
                inner = new_status(rng.choice(accounts), moment - timedelta(hours=3))
                status.update(content="", mentions=[], tags=[], reblog=inner, url=None)
                status["language"] = None
                status["uri"] += "/activity"
            elif roll < 0.35:
                parent_account = rng.choice(accounts)
                status["in_reply_to_id"] = str(next_id - rng.randint(1, 1 << 20))
                status["in_reply_to_account_id"] = parent_account["id"]
                mention = {k: parent_account[k] for k in ("id", "username", "url", "acct")}
                status["mentions"].insert(0, mention)
            stream.write(orjson.dumps(status) + b"\n")
    return path


_TAG = re.compile(r"<[^>]+>")
_PARAGRAPH = re.compile(r"</p>\s*<p>")
_BREAK = re.compile(r"<br\s*/?>")


def _raw_mastodon_row(status: dict[str, Any], raw: str) -> tuple[Any, ...]:
    account = status["account"]
    inner = status["reblog"]
    source = inner or status
    # a hand-written HTML strip: paragraphs and breaks as newlines, tags dropped
    text = _BREAK.sub("\n", _PARAGRAPH.sub("\n\n", source["content"]))
    text = html.unescape(_TAG.sub("", text))
    mentions = {m["id"]: m["acct"] for m in source["mentions"]}
    created = datetime.fromisoformat(status["created_at"]).astimezone(UTC)
    root = status["in_reply_to_id"] is None and not inner
    return (
        "mastodon",
        status["id"],
        "raw",
        status["url"] or status["uri"],
        account["acct"],
        account["display_name"] or None,
        account["followers_count"],
        text,
        status["language"] or source["language"],
        created.strftime("%Y-%m-%d %H:%M:%S.%f"),
        status["in_reply_to_id"],
        mentions.get(status["in_reply_to_account_id"]),
        status["id"] if root else None,
        inner["id"] if inner else None,
        inner["account"]["acct"] if inner else None,
        None,
        None,
        orjson.dumps(list(mentions.values())).decode(),
        orjson.dumps([tag["name"] for tag in source["tags"]]).decode(),
        status["favourites_count"],
        status["reblogs_count"],
        status["replies_count"],
        raw,
    )


def raw_rows_mastodon(path: Path) -> Iterator[tuple[Any, ...]]:
    """A hand-written status loader: the same rows and columns, a regex HTML strip."""
    with path.open("rb") as stream:
        for line in stream:
            status = orjson.loads(line)
            inner = status["reblog"]
            if inner:
                yield _raw_mastodon_row(inner, orjson.dumps(inner).decode())
            yield _raw_mastodon_row(status, line.decode())


#: case name -> (generator, raw row loader); the name is also the hubbub format
CASES: dict[str, tuple[Callable[[Path, int], Path], Callable[[Path], Iterator[tuple]]]] = {
    "twitter-v2": (generate_twitter_v2, raw_rows_twitter_v2),
    "mastodon": (generate_mastodon, raw_rows_mastodon),
}


# ---------------------------------------------------------------- measuring


def run_hubbub(case: str, data: Path, workdir: Path) -> dict[str, Any]:
    """Import ``data`` into a new project as ``hubbub import`` does (format sniffed)."""
    from hubbub.cli.data_commands import pick_file_source
    from hubbub.ingest import run_source
    from hubbub.inputs import InputFile
    from hubbub.plugin_host import get_host
    from hubbub.project import init_project

    project = init_project(workdir / "hubbub-project")
    host = get_host()
    started = time.perf_counter()
    cls = pick_file_source(host, InputFile(data), None)
    assert cls.name == case, f"sniffing picked {cls.name}, not {case}"
    options = cls.parse_options({"path": str(data)}, case)
    source = cls(options, key=f"file:{data}")
    summary = run_source(
        project.store, source, host=host, batch_size=project.config.project.batch_size
    )
    elapsed = time.perf_counter() - started
    assert summary.rejected == 0, summary
    return {
        "seconds": elapsed,
        "posts": project.store.count_posts(),
        "rss_mb": peak_rss_mb(),
    }


def run_raw(case: str, data: Path, workdir: Path) -> dict[str, Any]:
    """The raw baseline on the same schema: orjson + executemany + FTS5 rebuild."""
    import sqlite3

    from hubbub.store import Store

    path = workdir / "raw.db"
    Store.open(f"sqlite:///{path}").close()  # same tables and indexes as hubbub's
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    sql = (
        f"INSERT OR IGNORE INTO posts ({', '.join(RAW_COLUMNS)}) "
        f"VALUES ({', '.join('?' for _ in RAW_COLUMNS)})"
    )
    rows = CASES[case][1]
    started = time.perf_counter()
    with conn:
        conn.executemany(sql, rows(data))
    conn.execute("INSERT INTO posts_fts(posts_fts) VALUES ('rebuild')")
    conn.commit()
    elapsed = time.perf_counter() - started
    posts = conn.execute("SELECT count(*) FROM posts").fetchone()[0]
    conn.close()
    return {
        "seconds": elapsed,
        "posts": posts,
        "rss_mb": peak_rss_mb(),
    }


def in_subprocess(kind: str, case: str, data: Path) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter and return its figures."""
    with tempfile.TemporaryDirectory() as workdir:
        output = subprocess.run(
            [
                sys.executable,
                __file__,
                "--run",
                kind,
                "--case",
                case,
                "--data",
                str(data),
                "--workdir",
                workdir,
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    """Generate each case's file, measure both loaders, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--case", choices=sorted(CASES), action="append")
    parser.add_argument("--tweets", "--posts", dest="count", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best counts")
    parser.add_argument("--run", choices=["hubbub", "raw"])
    parser.add_argument("--data", type=Path)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    if args.run:
        runner = run_hubbub if args.run == "hubbub" else run_raw
        print(json.dumps(runner(args.case[0], args.data, args.workdir)))
        return
    for case in args.case or sorted(CASES):
        with tempfile.TemporaryDirectory() as tmp:
            data = CASES[case][0](Path(tmp) / f"{case}.jsonl", args.count)
            size_mb = data.stat().st_size / 1e6
            hubbub = min(
                (in_subprocess("hubbub", case, data) for _ in range(args.repeat)),
                key=lambda result: result["seconds"],
            )
            raw = min(
                (in_subprocess("raw", case, data) for _ in range(args.repeat)),
                key=lambda result: result["seconds"],
            )
            print(
                f"{case}: {args.count:,} items ({size_mb:,.0f} MB), {hubbub['posts']:,} posts | "
                f"hubbub {hubbub['seconds']:.2f} s "
                f"({hubbub['posts'] / hubbub['seconds']:,.0f} posts/s, "
                f"peak {hubbub['rss_mb']:.0f} MB) | "
                f"raw {raw['seconds']:.2f} s ({raw['posts']:,} posts, "
                f"peak {raw['rss_mb']:.0f} MB) | "
                f"ratio {hubbub['seconds'] / raw['seconds']:.2f}x (target <= 2x)"
            )


if __name__ == "__main__":
    main()
