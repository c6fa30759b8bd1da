"""Writing stored posts back out as native JSONL, with their annotations.

What ``hubbub export`` writes, ``hubbub import`` reads: the round trip keeps every
native field (ids stay strings; times are ISO 8601 UTC).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

import orjson
from hubbub.records import NATIVE_FIELDS, REQUIRED_FIELDS
from hubbub.store import Store

#: the optional native fields written when set (lists are always written)
_OPTIONAL = tuple(
    name
    for name in NATIVE_FIELDS
    if name not in (*REQUIRED_FIELDS, "platform", "mentions", "hashtags")
)


def native_record(row: Any, annotations: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """The native-format dict of a stored post row (optional fields only when set)."""
    record: dict[str, Any] = {
        "id": row.external_id,
        "platform": row.platform,
        "author": row.author,
        "created_at": row.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        if not row.created_at.microsecond
        else row.created_at.isoformat() + "Z",
        "text": row.text,
    }
    for name in _OPTIONAL:
        value = getattr(row, name)
        if value is not None:
            record[name] = value
    record["mentions"] = orjson.loads(row.mentions)
    record["hashtags"] = orjson.loads(row.hashtags)
    if annotations:
        record["annotations"] = annotations
    return record


def iter_native(
    store: Store, *, batch_size: int = 5000, where: Any = None
) -> Iterator[dict[str, Any]]:
    """Every stored post (or those ``where`` selects) as a native record, in storage order.

    :param where: a SQL condition on ``posts``, e.g. :func:`hubbub.search.search_where`.
    """
    batches = store.iter_posts(batch_size) if where is None else _matching(store, where, batch_size)
    for rows in batches:
        annotations = store.annotations_for([row.id for row in rows])
        for row in rows:
            yield native_record(row, annotations.get(row.id))


def _matching(store: Store, where: Any, batch_size: int) -> Iterator[list[Any]]:
    """The posts ``where`` selects, in id order, as batches (keyset pagination)."""
    import sqlalchemy as sa
    from hubbub.store import posts_table

    last_id = 0
    while True:
        with store.engine.connect() as conn:
            rows = conn.execute(
                sa.select(posts_table)
                .where(posts_table.c.id > last_id, where)
                .order_by(posts_table.c.id)
                .limit(batch_size)
            ).all()
        if not rows:
            return
        yield rows
        last_id = rows[-1].id


def write_jsonl(
    store: Store,
    stream: BinaryIO,
    *,
    where: Any = None,
    transform: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> int:
    """Write every post (or those ``where`` selects) as one JSON line; returns how many.

    :param transform: applied to each record before it is written, e.g.
        :meth:`hubbub.privacy.Pseudonymizer.record`.
    """
    count = 0
    for record in iter_native(store, where=where):
        if transform is not None:
            record = transform(record)
        stream.write(orjson.dumps(record) + b"\n")
        count += 1
    return count
