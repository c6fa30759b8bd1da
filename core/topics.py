"""Topics: named queries from ``hubbub.toml``, and the incremental tagging of posts with them.

``[topics]`` maps a name to a query in the query language (``docs/query-language.md``).
:func:`tag_topics` records in ``post_topics`` which posts match each topic, and in
``topic_state`` the query it used and the last post id it saw. The next run looks only at
posts stored since, so topic views (trends, share of voice per topic, the TUI) read the
tags instead of running full-text queries over the whole corpus.

A topic is re-tagged from scratch when its query text changes, when the query language
version or the project's time zone changes (dates in a query depend on it), and on every
run when its query reads analysis results (``sentiment:``), which change as posts are
analysed. A topic removed from ``hubbub.toml`` loses its tags.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from hubbub.errors import ConfigError
from hubbub.models import PostTopic, TopicState
from hubbub.query import QUERY_LANGUAGE_VERSION, QueryError, compiler_for, parse_query
from hubbub.store import posts_table, utcnow

if TYPE_CHECKING:
    from hubbub.project import Project
    from hubbub.store import Store

__all__ = [
    "TagResult",
    "ensure_tagged",
    "post_topics_table",
    "tag_topics",
    "topic_post_ids",
    "topic_rows",
    "topic_state_table",
]

post_topics_table: sa.Table = PostTopic.__table__  # type: ignore[assignment]
topic_state_table: sa.Table = TopicState.__table__  # type: ignore[assignment]


@dataclass
class TagResult:
    """What tagging did for one topic."""

    topic: str
    #: posts tagged with the topic after the run
    posts: int
    #: posts newly tagged in this run
    added: int
    #: posts looked at in this run (all of them when re-tagged)
    scanned: int
    #: whether the topic was tagged from scratch
    retagged: bool


def _insert(store: Store, table: sa.Table) -> Any:
    """The dialect's ``INSERT`` (it has ``ON CONFLICT``)."""
    if store.dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def _version(timezone: str) -> str:
    return f"{QUERY_LANGUAGE_VERSION}|{timezone}"


def tag_topics(
    store: Store,
    topics: Mapping[str, str],
    *,
    timezone: str = "UTC",
    only: Sequence[str] | None = None,
    prune: bool = True,
) -> dict[str, TagResult]:
    """Tag posts stored since the last run with each topic (re-tagging changed topics).

    :param topics: topic name -> query text, as in ``hubbub.toml``'s ``[topics]``.
    :param timezone: the project's time zone (dates in queries are read in it).
    :param only: tag just these topics (names must be in ``topics``).
    :param prune: drop the tags of topics that are no longer in ``topics``.
    :raises ConfigError: when a topic's query is malformed (naming the topic).
    """
    names = list(only) if only is not None else list(topics)
    for name in names:
        if name not in topics:
            raise ConfigError(f"unknown topic {name!r} (topics: {', '.join(topics) or 'none'})")
    parsed = {}
    for name in names:
        try:
            parsed[name] = parse_query(topics[name], timezone=timezone)
        except QueryError as error:
            raise ConfigError(f"hubbub.toml: topics.{name}: {error}") from None
    compiler = compiler_for(store.dialect)
    version = _version(timezone)
    tags, state, p = post_topics_table, topic_state_table, posts_table.c
    results: dict[str, TagResult] = {}
    with store.engine.begin() as conn:
        if prune:
            gone = [
                row.topic
                for row in conn.execute(sa.select(state.c.topic))
                if row.topic not in topics
            ]
            if gone:
                conn.execute(sa.delete(tags).where(tags.c.topic.in_(gone)))
                conn.execute(sa.delete(state).where(state.c.topic.in_(gone)))
        newest = conn.execute(sa.select(sa.func.coalesce(sa.func.max(p.id), 0))).scalar() or 0
        for name in names:
            query = parsed[name]
            known = conn.execute(sa.select(state).where(state.c.topic == name)).first()
            retag = (
                known is None
                or known.query != topics[name]
                or known.version != version
                or query.uses_annotations
            )
            last = 0 if retag else known.last_post_id
            if retag:
                conn.execute(sa.delete(tags).where(tags.c.topic == name))
            scanned = conn.execute(
                sa.select(sa.func.count())
                .select_from(posts_table)
                .where(p.id > last, p.id <= newest)
            ).scalar()
            count_tags = sa.select(sa.func.count()).select_from(tags).where(tags.c.topic == name)
            before = conn.execute(count_tags).scalar() or 0 if scanned else 0
            if scanned:
                select = sa.select(sa.literal(name), p.id).where(
                    p.id > last, p.id <= newest, compiler.where(query.node)
                )
                insert = _insert(store, tags).from_select(["topic", "post_id"], select)
                # not the INSERT's rowcount: SQLAlchemy reports -1 for it on PostgreSQL
                conn.execute(insert.on_conflict_do_nothing())
            total = conn.execute(count_tags).scalar() or 0
            added = total - before if scanned else 0
            values: dict[str, Any] = {
                "query": topics[name],
                "version": version,
                "last_post_id": newest,
                "posts": total,
                "tagged_at": utcnow(),
            }
            upsert = _insert(store, state).values(topic=name, **values)
            conn.execute(upsert.on_conflict_do_update(index_elements=["topic"], set_=values))
            results[name] = TagResult(name, int(total), int(added), int(scanned or 0), retag)
    return results


def ensure_tagged(project: Project, only: Sequence[str] | None = None) -> dict[str, TagResult]:
    """Bring the project's topic tags up to date (cheap when nothing is new)."""
    return tag_topics(
        project.store,
        project.config.topics,
        timezone=project.config.project.timezone,
        only=only,
    )


def topic_post_ids(topic: str) -> sa.Select[Any]:
    """``SELECT post_id`` of the posts tagged with ``topic`` (for ``posts.id IN (…)``)."""
    return sa.select(post_topics_table.c.post_id).where(post_topics_table.c.topic == topic)


def topic_rows(store: Store, topics: Mapping[str, str]) -> list[dict[str, Any]]:
    """One row per configured topic: name, query, tagged post count and when it was tagged."""
    state = topic_state_table
    with store.engine.connect() as conn:
        known = {row.topic: row for row in conn.execute(sa.select(state))}
        newest = conn.execute(
            sa.select(sa.func.coalesce(sa.func.max(posts_table.c.id), 0))
        ).scalar()
    rows = []
    for name, query in topics.items():
        row = known.get(name)
        current = row is not None and row.query == query and row.last_post_id >= (newest or 0)
        rows.append(
            {
                "topic": name,
                "query": query,
                "posts": row.posts if row is not None and row.query == query else None,
                "tagged_at": row.tagged_at.isoformat() + "Z" if row is not None else None,
                "up_to_date": current,
            }
        )
    return rows
