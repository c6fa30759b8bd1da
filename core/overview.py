"""A corpus overview computed in SQL: totals, period, platforms, languages, top hashtags."""

from __future__ import annotations

from collections import Counter
from typing import Any

import orjson
import sqlalchemy as sa
from hubbub.store import Store, posts_table


def corpus_overview(store: Store, *, top: int = 10) -> dict[str, Any]:
    """Counts a reader wants first: posts, authors, period, by platform and language."""
    p = posts_table.c
    with store.engine.connect() as conn:
        totals = conn.execute(
            sa.select(
                sa.func.count(),
                sa.func.count(sa.distinct(p.author)),
                sa.func.min(p.created_at),
                sa.func.max(p.created_at),
                sa.func.count(p.reply_to_id),
                sa.func.count(p.repost_of_id),
                sa.func.count(p.quote_of_id),
            )
        ).one()
        platforms = conn.execute(
            sa.select(p.platform, sa.func.count())
            .group_by(p.platform)
            .order_by(sa.func.count().desc())
        ).all()
        languages = conn.execute(
            sa.select(sa.func.coalesce(p.lang, "unknown"), sa.func.count())
            .group_by(sa.func.coalesce(p.lang, "unknown"))
            .order_by(sa.func.count().desc())
        ).all()
        hashtags: Counter[str] = Counter()
        rows = conn.execution_options(yield_per=10_000).execute(
            sa.select(p.hashtags).where(p.hashtags != "[]")
        )
        for (tags,) in rows:
            hashtags.update(tag.lower() for tag in orjson.loads(tags))
    posts, authors, first, last, replies, reposts, quotes = totals
    return {
        "posts": posts,
        "authors": authors,
        "first": first.isoformat() + "Z" if first else None,
        "last": last.isoformat() + "Z" if last else None,
        "replies": replies,
        "reposts": reposts,
        "quotes": quotes,
        "platforms": {name: count for name, count in platforms},
        "languages": {name: count for name, count in languages},
        "hashtags": dict(hashtags.most_common(top)),
    }
