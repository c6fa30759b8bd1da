"""Topics: topic tags per post, tagging state per topic, and hashtags and mentions in the
full-text index.

``post_topics`` holds which posts match which topic; ``topic_state`` remembers, per
topic, the query text and language version it was tagged with and the last post id it
has seen, so tagging only looks at new posts and re-tags a topic whose query changed.

On SQLite the FTS5 table ``posts_fts`` is rebuilt with three columns, ``text``,
``hashtags`` and ``mentions`` (the latter two are the JSON lists in ``posts``, whose
elements tokenize as words), so ``#baggage`` and ``@SkyJet`` are index lookups that
combine with words in one ``MATCH``. ``_`` becomes a token character, as it is in
hashtags and handles: ``spam_bot`` is one token, and ``bag`` does not match ``bag_tag``.

On PostgreSQL, ``posts.search_vector`` (revision 0001) holds the text, hashtags and
mentions from the start, tokenized the same way: there is nothing to rebuild.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_DROP_FTS = [
    "DROP TRIGGER IF EXISTS posts_fts_delete",
    "DROP TRIGGER IF EXISTS posts_fts_update",
    "DROP TABLE IF EXISTS posts_fts",
]

FTS_SQLITE = [
    *_DROP_FTS,
    """CREATE VIRTUAL TABLE posts_fts USING fts5(
        text, hashtags, mentions, content='posts', content_rowid='id',
        tokenize="unicode61 remove_diacritics 2 tokenchars '_'")""",
    """CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN
        INSERT INTO posts_fts(posts_fts, rowid, text, hashtags, mentions)
        VALUES ('delete', old.id, old.text, old.hashtags, old.mentions); END""",
    """CREATE TRIGGER posts_fts_update AFTER UPDATE OF text, hashtags, mentions ON posts BEGIN
        INSERT INTO posts_fts(posts_fts, rowid, text, hashtags, mentions)
        VALUES ('delete', old.id, old.text, old.hashtags, old.mentions);
        INSERT INTO posts_fts(rowid, text, hashtags, mentions)
        VALUES (new.id, new.text, new.hashtags, new.mentions); END""",
    "INSERT INTO posts_fts(posts_fts) VALUES ('rebuild')",
]

# the index of revision 0001, for downgrading
FTS_SQLITE_0001 = [
    *_DROP_FTS,
    """CREATE VIRTUAL TABLE posts_fts USING fts5(
        text, content='posts', content_rowid='id', tokenize="unicode61 remove_diacritics 2")""",
    """CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN
        INSERT INTO posts_fts(posts_fts, rowid, text) VALUES ('delete', old.id, old.text); END""",
    """CREATE TRIGGER posts_fts_update AFTER UPDATE OF text ON posts BEGIN
        INSERT INTO posts_fts(posts_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO posts_fts(rowid, text) VALUES (new.id, new.text); END""",
    "INSERT INTO posts_fts(posts_fts) VALUES ('rebuild')",
]


def upgrade() -> None:
    op.create_table(
        "post_topics",
        sa.Column("topic", sa.String(), primary_key=True),
        sa.Column(
            "post_id",
            sa.Integer(),
            sa.ForeignKey("posts.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    op.create_index("ix_post_topics_post_id", "post_topics", ["post_id"])
    op.create_table(
        "topic_state",
        sa.Column("topic", sa.String(), primary_key=True),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("version", sa.String(), nullable=False),
        sa.Column("last_post_id", sa.Integer(), nullable=False),
        sa.Column("posts", sa.Integer(), nullable=False),
        sa.Column("tagged_at", sa.DateTime(), nullable=False),
    )
    if op.get_bind().dialect.name == "sqlite":
        for statement in FTS_SQLITE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in FTS_SQLITE_0001:
            op.execute(statement)
    op.drop_table("topic_state")
    op.drop_index("ix_post_topics_post_id", table_name="post_topics")
    op.drop_table("post_topics")
