"""Searching stored posts with the query language, and marking what matched.

:func:`search` runs a query (text or parsed) with a time window, a sort order and a limit,
and returns :class:`Hit` objects; :func:`count_matches` counts. Highlights are character
spans of the post text computed here, in Python, for the few posts shown: the words,
phrases and prefixes of the query as the full-text index tokenizes them (case and
accents folded), and its ``#hashtags`` and ``@mentions`` as written in the text. They are
positions, never markup, so post text can be shown safely.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import orjson
import sqlalchemy as sa
from hubbub.errors import HubbubError
from hubbub.query import Query, Terms, compiler_for, parse_query
from hubbub.store import posts_table

if TYPE_CHECKING:
    from hubbub.store import Store
    from sqlalchemy.sql.elements import ColumnElement

__all__ = ["SORTS", "Hit", "count_matches", "highlight_spans", "search", "search_where"]

#: sort orders :func:`search` accepts
SORTS = ("newest", "oldest", "engagement", "relevance")

_COLUMNS = (
    "id",
    "external_id",
    "platform",
    "author",
    "created_at",
    "text",
    "url",
    "lang",
    "likes",
    "reposts",
    "replies",
    "hashtags",
    "mentions",
)


@dataclass
class Hit:
    """One matching post, with the spans of its text that the query matched."""

    post_id: int
    external_id: str
    platform: str
    author: str
    created_at: datetime
    text: str
    url: str | None = None
    lang: str | None = None
    likes: int | None = None
    reposts: int | None = None
    replies: int | None = None
    hashtags: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    #: ``(start, end)`` character offsets into ``text``, sorted and not overlapping
    highlights: list[tuple[int, int]] = field(default_factory=list)

    @property
    def engagement(self) -> int:
        """Likes plus reposts plus replies (missing counts are 0)."""
        return (self.likes or 0) + (self.reposts or 0) + (self.replies or 0)

    def as_row(self) -> dict[str, Any]:
        """A flat dict for JSON/CSV output (times ISO 8601 UTC with ``Z``)."""
        return {
            "id": self.external_id,
            "platform": self.platform,
            "author": self.author,
            "created_at": self.created_at.isoformat() + "Z",
            "text": self.text,
            "url": self.url,
            "lang": self.lang,
            "likes": self.likes,
            "reposts": self.reposts,
            "replies": self.replies,
            "hashtags": self.hashtags,
            "mentions": self.mentions,
        }


def _parsed(query: str | Query, timezone: str) -> Query:
    return query if isinstance(query, Query) else parse_query(query, timezone=timezone)


def search_where(
    store: Store,
    query: str | Query,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    timezone: str = "UTC",
) -> ColumnElement[bool]:
    """The SQL condition on ``posts`` for ``query`` within ``[since, until)`` (naive UTC).

    On PostgreSQL the search vectors of posts edited since are brought up to date first.
    """
    parsed = _parsed(query, timezone)
    store.refresh_search_vectors()
    conditions = [compiler_for(store.dialect).where(parsed.node)]
    if since is not None:
        conditions.append(posts_table.c.created_at >= _naive_utc(since))
    if until is not None:
        conditions.append(posts_table.c.created_at < _naive_utc(until))
    return sa.and_(*conditions)


def search(
    store: Store,
    query: str | Query,
    *,
    limit: int | None = 20,
    sort: str = "newest",
    since: datetime | None = None,
    until: datetime | None = None,
    timezone: str = "UTC",
    highlight: bool = True,
) -> list[Hit]:
    """The posts matching ``query``, sorted, at most ``limit`` of them.

    :param query: query text in the Lucene syntax (see ``docs/query-language.md``) or a
        parsed :class:`~hubbub.query.Query`.
    :param sort: ``newest`` (default), ``oldest``, ``engagement`` (likes + reposts +
        replies) or ``relevance`` (the index's rank of the query's words: BM25 on SQLite,
        ``ts_rank`` on PostgreSQL).
    :param since: only posts at or after this instant (naive UTC or aware).
    :param until: only posts before this instant.
    :param timezone: the zone in which dates in the query are read.
    :param highlight: compute :attr:`Hit.highlights`.
    :raises QueryError: when the query is malformed.
    """
    if sort not in SORTS:
        raise HubbubError(f"unknown sort {sort!r} (use {', '.join(SORTS)})")
    parsed = _parsed(query, timezone)
    p = posts_table.c
    where = search_where(store, parsed, since=since, until=until, timezone=timezone)
    keys, ranked = _sort_keys(store, parsed, sort)
    columns = [p[name] for name in _COLUMNS]
    if not limit:
        statement = sa.select(*columns).where(where)
        if ranked is not None:
            statement = statement.outerjoin(ranked, ranked.c.post_id == p.id)
        statement = statement.order_by(*(_order(key, descending) for key, descending in keys))
    else:
        # sort and cut narrow rows (id and sort keys) first, then read the wide columns of
        # the few posts left: the sorter then never carries the text of every match
        top = sa.select(
            p.id.label("post_id"), *(key.label(f"k{i}") for i, (key, _) in enumerate(keys))
        )
        top = top.where(where)
        if ranked is not None:
            top = top.outerjoin(ranked, ranked.c.post_id == p.id)
        top = top.order_by(*(_order(key, descending) for key, descending in keys)).limit(limit)
        chosen = top.subquery("top")
        statement = (
            sa.select(*columns)
            .join_from(posts_table, chosen, chosen.c.post_id == p.id)
            .order_by(
                *(_order(chosen.c[f"k{i}"], descending) for i, (_, descending) in enumerate(keys))
            )
        )
    with store.engine.connect() as conn:
        rows = conn.execute(statement).all()
    terms = parsed.highlight_terms() if highlight else []
    hits = []
    for row in rows:
        hit = Hit(
            post_id=row.id,
            external_id=row.external_id,
            platform=row.platform,
            author=row.author,
            created_at=row.created_at,
            text=row.text,
            url=row.url,
            lang=row.lang,
            likes=row.likes,
            reposts=row.reposts,
            replies=row.replies,
            hashtags=orjson.loads(row.hashtags),
            mentions=orjson.loads(row.mentions),
        )
        if terms:
            hit.highlights = highlight_spans(hit.text, terms)
        hits.append(hit)
    return hits


def _sort_keys(
    store: Store, parsed: Query, sort: str
) -> tuple[list[tuple[Any, bool]], sa.Subquery | None]:
    """The sort keys ``(expression, descending)`` of ``sort``, and the rank subquery it joins.

    ``relevance`` orders by the index's rank of the query's positive words (BM25 on
    SQLite, ``ts_rank`` on PostgreSQL; posts matched only through fields come last).
    """
    p = posts_table.c
    newest = [(p.created_at, True), (p.id, True)]
    if sort == "oldest":
        return [(p.created_at, False), (p.id, False)], None
    if sort == "engagement":
        engagement = (
            sa.func.coalesce(p.likes, 0)
            + sa.func.coalesce(p.reposts, 0)
            + sa.func.coalesce(p.replies, 0)
        )
        return [(engagement, True), *newest], None
    terms = parsed.highlight_terms()
    if sort != "relevance" or not terms:
        return newest, None
    key, descending, ranked = compiler_for(store.dialect).relevance(terms)
    return [(key, descending), *newest], ranked


def _order(key: Any, descending: bool) -> Any:
    return key.desc() if descending else key.asc()


def count_matches(
    store: Store,
    query: str | Query,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    timezone: str = "UTC",
) -> int:
    """How many posts match ``query`` within ``[since, until)``."""
    where = search_where(store, query, since=since, until=until, timezone=timezone)
    with store.engine.connect() as conn:
        return int(
            conn.execute(sa.select(sa.func.count()).select_from(posts_table).where(where)).scalar()
        )


def _naive_utc(moment: datetime) -> datetime:
    if moment.tzinfo is not None:
        return moment.astimezone(UTC).replace(tzinfo=None)
    return moment


# ---------------------------------------------------------------- highlighting

_WORD = re.compile(r"\w+")
_TAG = re.compile(r"(?<![\w#&])#(\w+)")
_MENTION = re.compile(r"(?<![\w@])@([\w.\-]*\w)")


def fold(text: str) -> str:
    """``text`` as the index compares it: accents removed, case folded."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def highlight_spans(text: str, terms: Sequence[Terms]) -> list[tuple[int, int]]:
    """Character spans of ``text`` that the query ``terms`` match (sorted, merged).

    Words and phrases are matched on the text's tokens the way the index tokenizes them;
    ``#tag`` and ``@handle`` terms mark the hashtag or mention as written in the text.
    """
    spans: list[tuple[int, int]] = []
    tokens = [(m.start(), m.end(), fold(m.group())) for m in _WORD.finditer(text)]
    for terms_leaf in terms:
        if terms_leaf.column == "text":
            spans.extend(_text_spans(tokens, terms_leaf))
        else:
            pattern = _TAG if terms_leaf.column == "hashtags" else _MENTION
            wanted = fold(terms_leaf.value)
            for match in pattern.finditer(text):
                found = fold(match.group(1))
                if found == wanted or (terms_leaf.prefix and found.startswith(wanted)):
                    spans.append((match.start(), match.end()))
    return _merge(spans)


def _text_spans(tokens: list[tuple[int, int, str]], terms: Terms) -> list[tuple[int, int]]:
    wanted = [fold(word) for word in _WORD.findall(terms.value)]
    if not wanted:
        return []
    found: list[tuple[int, int]] = []
    if terms.near is not None:  # mark each word of a NEAR group where it occurs
        for index, word in enumerate(wanted):
            last = index == len(wanted) - 1
            for start, end, token in tokens:
                if token == word or (terms.prefix and last and token.startswith(word)):
                    found.append((start, end))
        return found
    size = len(wanted)
    for index in range(len(tokens) - size + 1):
        window = tokens[index : index + size]
        if all(token == word for (_, _, token), word in zip(window[:-1], wanted[:-1], strict=True)):
            last = window[-1][2]
            if last == wanted[-1] or (terms.prefix and last.startswith(wanted[-1])):
                found.append((window[0][0], window[-1][1]))
    return found


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def local_time(moment: datetime, timezone: str) -> datetime:
    """A naive UTC time as a naive local time in ``timezone``."""
    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(timezone)).replace(tzinfo=None)
