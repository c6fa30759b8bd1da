"""Writing post-analyzer results fast: one transaction per batch, rows as tuples.

:meth:`hubbub.store.Store.write_annotations` takes dicts and encodes values itself;
an analysis run writes hundreds of thousands of rows whose values the workers have
already encoded as JSON, so this path hands tuples straight to the driver's
``executemany`` on SQLite (about twice as fast), copies them on PostgreSQL
(:func:`hubbub.pg_store.copy_annotations`) and uses a Core upsert elsewhere.
The rows of a re-analysed post replace all of its older rows from that analyzer, so
a key that a newer version no longer writes does not linger.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from hubbub.store import Store, analyzer_versions_table, annotations_table
from sqlalchemy.engine import Connection

#: one annotation row: (post_id, analyzer, key, version, value as JSON text)
AnnotationRow = tuple[int, str, str, str, str]

_COLUMNS = ("post_id", "analyzer", "key", "version", "value")
_SQLITE_UPSERT = (
    "INSERT INTO annotations (post_id, analyzer, key, version, value) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (post_id, analyzer, key) DO UPDATE SET version = excluded.version, "
    "value = excluded.value"
)
_SQLITE_DELETE = "DELETE FROM annotations WHERE analyzer = ? AND post_id = ?"


def replace_annotations(
    target: Store | Connection,
    analyzer: str,
    rows: Sequence[AnnotationRow],
    *,
    stale_post_ids: Sequence[int] = (),
    note_version: bool = True,
) -> None:
    """Store ``rows`` in one transaction, first removing ``analyzer``'s rows of ``stale_post_ids``.

    :param target: the store, or a connection of it with no transaction open (a run that
        reads and writes through one connection keeps SQLite's page cache warm).
    :param analyzer: the analyzer the rows belong to.
    :param rows: ``(post_id, analyzer, key, version, value_json)`` tuples.
    :param stale_post_ids: posts that hold rows from an older run of ``analyzer``.
    :param note_version: note the rows' ``(analyzer, version)`` pairs in
        ``analyzer_versions`` (a caller that did so earlier in the run may skip it).
    """
    if not rows and not stale_post_ids:
        return
    if isinstance(target, Store):
        with target.engine.connect() as conn:
            replace_annotations(
                conn, analyzer, rows, stale_post_ids=stale_post_ids, note_version=note_version
            )
        return
    conn = target
    with conn.begin():
        if rows and note_version:
            record_versions(conn, {(row[1], row[3]) for row in rows})
        if conn.dialect.name == "sqlite":
            if stale_post_ids:
                conn.exec_driver_sql(
                    _SQLITE_DELETE, [(analyzer, post_id) for post_id in stale_post_ids]
                )
            if rows:
                conn.exec_driver_sql(_SQLITE_UPSERT, list(rows))
            return
        table = annotations_table
        if stale_post_ids:
            conn.execute(
                sa.delete(table).where(
                    table.c.analyzer == analyzer, table.c.post_id.in_(list(stale_post_ids))
                )
            )
        if rows and conn.dialect.name == "postgresql":
            from hubbub.pg_store import copy_annotations

            copy_annotations(conn, rows)
        elif rows:
            from sqlalchemy.dialects.postgresql import insert

            statement = insert(table)
            statement = statement.on_conflict_do_update(
                index_elements=["post_id", "analyzer", "key"],
                set_={"version": statement.excluded.version, "value": statement.excluded.value},
            )
            conn.execute(statement, [dict(zip(_COLUMNS, row, strict=True)) for row in rows])


def record_versions(conn: Connection, pairs: Iterable[tuple[str, str]]) -> None:
    """Note that annotations of these ``(analyzer, version)`` pairs are stored.

    Called in the transaction that writes them; see
    :class:`hubbub.models.AnalyzerVersion`.
    """
    values = [{"analyzer": analyzer, "version": version} for analyzer, version in pairs]
    if not values:
        return
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    conn.execute(insert(analyzer_versions_table).on_conflict_do_nothing(), values)
