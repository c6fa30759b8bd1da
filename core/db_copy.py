"""Copying a hubbub database to another one (``hubbub db copy --to URL``), e.g. SQLite to PostgreSQL.

Every table of the models is copied in batches, in foreign-key order, keeping ids (so
annotations, topic tags and findings still point at their posts), and each batch is one
transaction. Copying again is safe: posts already in the target are skipped and the other
rows are brought up to date, so an interrupted copy is finished by running it again, and
a copy made while the source kept growing is topped up the same way. Posts get the
target's full-text index (FTS5 rows on SQLite, ``search_vector`` on PostgreSQL); on
PostgreSQL the id sequences are moved past the copied ids afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from hubbub.errors import StoreError
from hubbub.models import SQLModel
from hubbub.store import Store, annotations_table, posts_table, safe_url

__all__ = ["TableCopy", "copy_database"]

#: rows per batch (one transaction each)
BATCH_ROWS = 5000


@dataclass
class TableCopy:
    """What copying did for one table."""

    table: str
    #: rows in the source
    source_rows: int
    #: rows in the target afterwards
    target_rows: int
    #: rows read from the source and written (new or brought up to date)
    written: int

    def as_row(self) -> dict[str, Any]:
        """A flat dict for output."""
        return {
            "table": self.table,
            "source_rows": self.source_rows,
            "target_rows": self.target_rows,
            "written": self.written,
        }


def _count(conn: sa.Connection, table: sa.Table) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() or 0)


def _batches(source: Store, table: sa.Table, after: Any = None) -> Iterator[list[dict[str, Any]]]:
    """The rows of ``table`` in primary-key order, in batches (keyset pagination on one key
    column, else offset pagination in key order)."""
    key = list(table.primary_key.columns)
    if len(key) == 1:
        last = after
        while True:
            query = sa.select(table).order_by(key[0]).limit(BATCH_ROWS)
            if last is not None:
                query = query.where(key[0] > last)
            with source.engine.connect() as conn:
                rows = [dict(row._mapping) for row in conn.execute(query)]
            if not rows:
                return
            yield rows
            last = rows[-1][key[0].name]
    offset = 0
    while True:
        query = sa.select(table).order_by(*key).limit(BATCH_ROWS).offset(offset)
        with source.engine.connect() as conn:
            rows = [dict(row._mapping) for row in conn.execute(query)]
        if not rows:
            return
        yield rows
        offset += len(rows)


def _check_same_posts(source: Store, target: Store) -> int | None:
    """The highest post id the target already holds, after checking it is the source's post.

    :raises StoreError: when the target holds other posts (it is not a copy of this source).
    """
    p = posts_table.c
    with target.engine.connect() as conn:
        newest = conn.execute(
            sa.select(p.id, p.platform, p.external_id).order_by(p.id.desc()).limit(1)
        ).first()
    if newest is None:
        return None
    with source.engine.connect() as conn:
        same = conn.execute(sa.select(p.platform, p.external_id).where(p.id == newest.id)).first()
    if same is None or tuple(same) != (newest.platform, newest.external_id):
        raise StoreError(
            f"{safe_url(target.engine.url.render_as_string())} already holds other posts: "
            "copy into an empty database (or into an earlier copy of this one)"
        )
    return int(newest.id)


def _write_posts(target: Store, rows: list[dict[str, Any]]) -> int:
    """Insert posts (with their ids) not in the target yet, and index them; returns how many."""
    with target.engine.begin() as conn:
        if target.dialect == "postgresql":
            from hubbub.pg_store import copy_post_rows

            return copy_post_rows(conn, rows)
        from sqlalchemy.dialects.sqlite import insert

        ids = [row["id"] for row in rows]
        known = set(
            conn.execute(sa.select(posts_table.c.id).where(posts_table.c.id.in_(ids))).scalars()
        )
        fresh = [row for row in rows if row["id"] not in known]
        if not fresh:
            return 0
        stored = conn.execute(insert(posts_table).on_conflict_do_nothing(), fresh).rowcount
        conn.execute(
            sa.text(
                "INSERT INTO posts_fts(rowid, text, hashtags, mentions) "
                "SELECT id, text, hashtags, mentions FROM posts WHERE id IN "
                f"({', '.join(str(int(row['id'])) for row in fresh)})"
            )
        )
        return int(stored)


def _upsert(target: Store, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows, replacing those with the same primary key."""
    if target.dialect == "postgresql" and table is annotations_table:
        from hubbub.pg_store import copy_annotations

        names = [column.name for column in table.columns]
        with target.engine.begin() as conn:
            copy_annotations(conn, [tuple(row[name] for name in names) for row in rows])
        return
    if target.dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table)
    key = [column.name for column in table.primary_key.columns]
    others = [column.name for column in table.columns if column.name not in key]
    if others:
        statement = statement.on_conflict_do_update(
            index_elements=key, set_={name: statement.excluded[name] for name in others}
        )
    else:
        statement = statement.on_conflict_do_nothing(index_elements=key)
    with target.engine.begin() as conn:
        conn.execute(statement, rows)


def _reset_sequences(target: Store) -> None:
    """Move PostgreSQL's id sequences past the copied ids (so new rows get fresh ids)."""
    if target.dialect != "postgresql":
        return
    with target.engine.begin() as conn:
        for table in SQLModel.metadata.sorted_tables:
            key = list(table.primary_key.columns)
            if len(key) != 1 or not isinstance(key[0].type, sa.Integer):
                continue
            if key[0].autoincrement is False or key[0].foreign_keys:
                continue
            sequence = conn.execute(
                sa.select(sa.func.pg_get_serial_sequence(table.name, key[0].name))
            ).scalar()
            if sequence:
                conn.execute(
                    sa.text(
                        f"SELECT setval(:sequence, coalesce(max({key[0].name}), 1), "
                        f"max({key[0].name}) IS NOT NULL) FROM {table.name}"
                    ),
                    {"sequence": sequence},
                )


def copy_database(
    source: Store,
    target: Store,
    *,
    progress: Callable[[str, int], None] | None = None,
) -> list[TableCopy]:
    """Copy every table of ``source`` into ``target`` (both migrated to the same schema).

    :param progress: called with ``(table, rows written so far)`` after each batch.
    :returns: one :class:`TableCopy` per table, in the order copied.
    :raises StoreError: when the schemas differ or the target holds other posts.
    """
    if source.schema_version() != target.schema_version():
        raise StoreError(
            f"the source is at schema {source.schema_version()!r} and the target at "
            f"{target.schema_version()!r}: run `hubbub db migrate` on both first"
        )
    newest_copied = _check_same_posts(source, target)
    results = []
    with source.engine.connect() as conn:
        present = set(sa.inspect(conn).get_table_names())
    for table in SQLModel.metadata.sorted_tables:
        if table.name not in present:
            continue
        written = 0
        if table is posts_table:
            # posts are never changed once stored: start after the last one copied
            for rows in _batches(source, table, after=newest_copied):
                written += _write_posts(target, rows)
                if progress:
                    progress(table.name, written)
        else:
            for rows in _batches(source, table):
                _upsert(target, table, rows)
                written += len(rows)
                if progress:
                    progress(table.name, written)
        with source.engine.connect() as conn:
            source_rows = _count(conn, table)
        with target.engine.connect() as conn:
            target_rows = _count(conn, table)
        results.append(TableCopy(table.name, source_rows, target_rows, written))
    _reset_sequences(target)
    return results
