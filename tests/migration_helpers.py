"""Databases left at an older schema revision, as an older hubbub wrote them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import hubbub.migrations
import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig
from hubbub.store import Store


def database_at(url: str, revision: str, fill: Callable[[sa.Connection], None]) -> None:
    """Create the database at ``url`` migrated only to ``revision``, then ``fill`` it.

    Opening it with :meth:`Store.open` afterwards migrates it the rest of the way, as a
    newer hubbub would.
    """
    old = Store.open(url, migrate=False)
    config = AlembicConfig()
    config.set_main_option("script_location", str(Path(hubbub.migrations.__file__).parent))
    try:
        with old.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
            fill(conn)
    finally:
        old.close()


def insert_old_post(
    conn: sa.Connection, text: str = "hi", mentions: str = "[]", hashtags: str = "[]"
) -> None:
    """Store one post (twitter ``t1``, id 1) with raw SQL, as an older schema held it."""
    conn.execute(
        sa.text(
            "INSERT INTO posts (platform, external_id, source, author, text, created_at, "
            "mentions, hashtags, raw) VALUES ('twitter', 't1', 't', 'u', :text, "
            "'2026-03-01 00:00:00.000000', :mentions, :hashtags, '')"
        ),
        {"text": text, "mentions": mentions, "hashtags": hashtags},
    )
