"""PostgreSQL fast paths of the store: bulk writes with ``COPY`` through a staging table.

``COPY`` cannot skip or update conflicting rows, so a batch that may hold known rows is
copied into a temporary staging table of the session and moved into the real table with
one ``INSERT … SELECT … ON CONFLICT`` (new posts are copied straight in, see
:func:`copy_posts`): known posts are skipped (``DO NOTHING``), a record
rejected again and an annotation computed again replace the old row (``DO UPDATE``),
the last one in the batch winning as on SQLite. Everything runs in the caller's
transaction, so a batch stays one transaction.

Each post's ``search_vector`` (see :mod:`hubbub.fulltext`) is computed here and copied
with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from hubbub.fulltext import search_vector
from hubbub.posts import POST_FIELDS, Post
from hubbub.store import post_values
from sqlalchemy.engine import Connection

__all__ = [
    "copy_annotations",
    "copy_post_rows",
    "copy_posts",
    "copy_rejects",
    "post_copy_row",
    "refresh_search_vectors",
]

_POST_TYPES = {
    "author_followers": "integer",
    "likes": "integer",
    "reposts": "integer",
    "replies": "integer",
    "created_at": "timestamp",
}
_POST_COLUMNS = ", ".join((*POST_FIELDS, "search_vector"))
_STAGE_POSTS = (
    "CREATE TEMP TABLE IF NOT EXISTS hubbub_stage_posts (ord serial, "
    + ", ".join(f"{name} {_POST_TYPES.get(name, 'text')}" for name in POST_FIELDS)
    + ", search_vector tsvector)"
)
_MOVE_POSTS = (
    f"INSERT INTO posts ({_POST_COLUMNS}) SELECT {_POST_COLUMNS} FROM hubbub_stage_posts "
    "ORDER BY ord ON CONFLICT (platform, external_id) DO NOTHING"
)

# a copy of another hubbub database keeps the post ids
_COPY_COLUMNS = "id, " + _POST_COLUMNS
_STAGE_COPIED_POSTS = (
    "CREATE TEMP TABLE IF NOT EXISTS hubbub_stage_copied_posts (ord serial, id integer, "
    + ", ".join(f"{name} {_POST_TYPES.get(name, 'text')}" for name in POST_FIELDS)
    + ", search_vector tsvector)"
)
_MOVE_COPIED_POSTS = (
    f"INSERT INTO posts ({_COPY_COLUMNS}) SELECT {_COPY_COLUMNS} FROM hubbub_stage_copied_posts "
    "ORDER BY ord ON CONFLICT DO NOTHING"
)

_REJECT_COLUMNS = "run_id, source, position, reason, record, created_at"
_STAGE_REJECTS = (
    "CREATE TEMP TABLE IF NOT EXISTS hubbub_stage_rejects (ord serial, run_id integer, "
    "source text, position text, reason text, record text, created_at timestamp)"
)
# the last copy of a (source, position) wins; rows are numbered in first-seen order
_MOVE_REJECTS = f"""
    INSERT INTO rejects ({_REJECT_COLUMNS})
    SELECT {_REJECT_COLUMNS} FROM (
        SELECT *, min(ord) OVER same AS first_seen,
               row_number() OVER (PARTITION BY source, position ORDER BY ord DESC) AS latest
        FROM hubbub_stage_rejects WINDOW same AS (PARTITION BY source, position)
    ) staged WHERE latest = 1 ORDER BY first_seen
    ON CONFLICT (source, position) DO UPDATE SET run_id = excluded.run_id,
        reason = excluded.reason, record = excluded.record, created_at = excluded.created_at
"""

_ANNOTATION_COLUMNS = "post_id, analyzer, key, version, value"
_STAGE_ANNOTATIONS = (
    "CREATE TEMP TABLE IF NOT EXISTS hubbub_stage_annotations (ord serial, post_id integer, "
    "analyzer text, key text, version text, value text)"
)
_MOVE_ANNOTATIONS = f"""
    INSERT INTO annotations ({_ANNOTATION_COLUMNS})
    SELECT {_ANNOTATION_COLUMNS} FROM (
        SELECT *, row_number() OVER (PARTITION BY post_id, analyzer, key ORDER BY ord DESC)
            AS latest
        FROM hubbub_stage_annotations
    ) staged WHERE latest = 1
    ON CONFLICT (post_id, analyzer, key) DO UPDATE SET version = excluded.version,
        value = excluded.value
"""


#: where the JSON text of mentions and hashtags stands in :func:`post_values`
MENTIONS_AT, HASHTAGS_AT = POST_FIELDS.index("mentions"), POST_FIELDS.index("hashtags")


def post_copy_row(post: Post) -> tuple[Any, ...]:
    """``post`` as a staging row: :data:`~hubbub.posts.POST_FIELDS`, then its search vector."""
    values = post_values(post, post.created_at)
    mentions, hashtags = values[MENTIONS_AT], values[HASHTAGS_AT]
    return (*values, search_vector(post.text, hashtags, mentions))


def _copy(
    conn: Connection,
    create: str,
    table: str,
    columns: str,
    rows: Iterable[Sequence[Any]],
    move: str,
) -> int:
    """Stage ``rows`` in ``table`` with COPY, run ``move``; returns its row count."""
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(create)
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(move)
        moved = cursor.rowcount
        cursor.execute(f"TRUNCATE {table}")
    finally:
        cursor.close()
    return moved


def copy_posts(conn: Connection, posts: Sequence[Post]) -> int:
    """Insert the posts not stored yet (with their search vectors); returns how many were new.

    A batch is first copied straight into ``posts`` (inside a savepoint): when none of
    its posts is known, as in a first import, that is all. A known post makes the copy
    fail on the unique constraint; the batch then goes through the staging table, and
    so do the batches after it until one has no known post again.
    """
    import psycopg

    rows = [post_copy_row(post) for post in posts]
    info = conn.connection.info
    if not info.get("hubbub_posts_conflict"):
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute("SAVEPOINT hubbub_copy_posts")
            try:
                with cursor.copy(f"COPY posts ({_POST_COLUMNS}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            except psycopg.errors.UniqueViolation:
                cursor.execute("ROLLBACK TO SAVEPOINT hubbub_copy_posts")
                info["hubbub_posts_conflict"] = True
            else:
                cursor.execute("RELEASE SAVEPOINT hubbub_copy_posts")
                return len(rows)
        finally:
            cursor.close()
    stored = _copy(conn, _STAGE_POSTS, "hubbub_stage_posts", _POST_COLUMNS, rows, _MOVE_POSTS)
    if stored == len(rows):
        info["hubbub_posts_conflict"] = False
    return stored


def copy_post_rows(conn: Connection, rows: Sequence[dict[str, Any]]) -> int:
    """Insert rows of another hubbub database's ``posts`` table, keeping their ids; posts
    already here (same id, or same platform and external id) are skipped. Returns how many
    were new."""

    def staged(row: dict[str, Any]) -> tuple[Any, ...]:
        vector = search_vector(row["text"], row["hashtags"], row["mentions"])
        return (row["id"], *(row[name] for name in POST_FIELDS), vector)

    return _copy(
        conn,
        _STAGE_COPIED_POSTS,
        "hubbub_stage_copied_posts",
        _COPY_COLUMNS,
        (staged(row) for row in rows),
        _MOVE_COPIED_POSTS,
    )


_STAGE_VECTORS = "CREATE TEMP TABLE IF NOT EXISTS hubbub_stage_vectors (id integer, v tsvector)"
_MOVE_VECTORS = (
    "UPDATE posts SET search_vector = staged.v FROM hubbub_stage_vectors staged "
    "WHERE posts.id = staged.id"
)


def refresh_search_vectors(conn: Connection, batch_size: int = 5000) -> int:
    """Compute the search vectors that are missing (posts edited, or stored outside hubbub).

    :returns: how many posts got one.
    """
    done = 0
    while True:
        rows = conn.exec_driver_sql(
            "SELECT id, text, hashtags, mentions FROM posts WHERE search_vector IS NULL "
            f"ORDER BY id LIMIT {int(batch_size)}"
        ).all()
        if not rows:
            return done
        done += _copy(
            conn,
            _STAGE_VECTORS,
            "hubbub_stage_vectors",
            "id, v",
            ((row.id, search_vector(row.text, row.hashtags, row.mentions)) for row in rows),
            _MOVE_VECTORS,
        )


def copy_rejects(conn: Connection, rows: Sequence[dict[str, Any]]) -> int:
    """Upsert reject rows (dicts with the ``rejects`` columns but ``id``); returns the count."""
    names = _REJECT_COLUMNS.split(", ")
    return _copy(
        conn,
        _STAGE_REJECTS,
        "hubbub_stage_rejects",
        _REJECT_COLUMNS,
        ([row[name] for name in names] for row in rows),
        _MOVE_REJECTS,
    )


def copy_annotations(conn: Connection, rows: Iterable[Sequence[Any]]) -> int:
    """Upsert ``(post_id, analyzer, key, version, value_json)`` rows; returns the count."""
    return _copy(
        conn,
        _STAGE_ANNOTATIONS,
        "hubbub_stage_annotations",
        _ANNOTATION_COLUMNS,
        rows,
        _MOVE_ANNOTATIONS,
    )
