"""Initial schema: posts with a full-text index, annotations, runs, findings, source
cursors and rejects.

On SQLite the index is the FTS5 table ``posts_fts``. New posts are added to it by the
store, batch by batch, in the same transaction as the posts (a per-row insert trigger
made bulk ingest 3x slower); triggers keep the index right when a post is deleted or
its text changes.

On PostgreSQL it is the ``tsvector`` column ``posts.search_vector`` with a GIN index.
The store writes each post's vector with the post (:mod:`hubbub.fulltext` tokenizes
as FTS5 does, which PostgreSQL's own parser cannot), so the column is not in the models.
A trigger empties (NULLs) the vector of a post whose text, hashtags or mentions change,
so an edited word is never found again, and the store computes the new vector
(:meth:`hubbub.store.Store.refresh_search_vectors`) before it next searches.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

FTS_SQLITE = [
    """CREATE VIRTUAL TABLE posts_fts USING fts5(
        text, content='posts', content_rowid='id', tokenize="unicode61 remove_diacritics 2")""",
    """CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN
        INSERT INTO posts_fts(posts_fts, rowid, text) VALUES ('delete', old.id, old.text); END""",
    """CREATE TRIGGER posts_fts_update AFTER UPDATE OF text ON posts BEGIN
        INSERT INTO posts_fts(posts_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO posts_fts(rowid, text) VALUES (new.id, new.text); END""",
]

FTS_POSTGRESQL = [
    "ALTER TABLE posts ADD COLUMN search_vector tsvector",
    "CREATE INDEX ix_posts_search_vector ON posts USING gin (search_vector)",
    # posts whose vector is missing (edited, or inserted outside hubbub): the store finds
    # them through this (normally empty) index and computes their vectors
    "CREATE INDEX ix_posts_search_stale ON posts (id) WHERE search_vector IS NULL",
    """CREATE FUNCTION hubbub_posts_search_stale() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.search_vector IS NOT DISTINCT FROM OLD.search_vector THEN
            NEW.search_vector := NULL;
        END IF;
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER posts_search_stale BEFORE UPDATE OF text, hashtags, mentions ON posts
    FOR EACH ROW EXECUTE FUNCTION hubbub_posts_search_stale()""",
]


def upgrade() -> None:
    op.create_table(
        "posts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(), nullable=False),
        sa.Column("external_id", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("url", sa.String(), nullable=True),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("author_name", sa.String(), nullable=True),
        sa.Column("author_followers", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("reply_to_id", sa.String(), nullable=True),
        sa.Column("reply_to_author", sa.String(), nullable=True),
        sa.Column("conversation_id", sa.String(), nullable=True),
        sa.Column("repost_of_id", sa.String(), nullable=True),
        sa.Column("repost_of_author", sa.String(), nullable=True),
        sa.Column("quote_of_id", sa.String(), nullable=True),
        sa.Column("quote_of_author", sa.String(), nullable=True),
        sa.Column("mentions", sa.Text(), server_default="[]", nullable=False),
        sa.Column("hashtags", sa.Text(), server_default="[]", nullable=False),
        sa.Column("likes", sa.Integer(), nullable=True),
        sa.Column("reposts", sa.Integer(), nullable=True),
        sa.Column("replies", sa.Integer(), nullable=True),
        sa.Column("raw", sa.Text(), server_default="", nullable=False),
        sa.UniqueConstraint("platform", "external_id", name="uq_posts_platform_external_id"),
    )
    op.create_index("ix_posts_created_at", "posts", ["created_at"])
    op.create_index("ix_posts_author", "posts", ["author"])
    op.create_index("ix_posts_reply_to_id", "posts", ["reply_to_id"])
    op.create_index("ix_posts_conversation_id", "posts", ["conversation_id"])

    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("target", sa.String(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("summary", sa.Text(), server_default="{}", nullable=False),
    )
    op.create_table(
        "annotations",
        sa.Column(
            "post_id",
            sa.Integer(),
            sa.ForeignKey("posts.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("analyzer", sa.String(), primary_key=True),
        sa.Column("key", sa.String(), primary_key=True),
        sa.Column("version", sa.String(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
    )
    op.create_index("ix_annotations_analyzer_version", "annotations", ["analyzer", "version"])
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("runs.id", ondelete="CASCADE")),
        sa.Column("analyzer", sa.String(), nullable=False),
        sa.Column("scope", sa.String(), nullable=False),
        sa.Column("window_start", sa.DateTime(), nullable=True),
        sa.Column("window_end", sa.DateTime(), nullable=True),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("details", sa.Text(), server_default="{}", nullable=False),
    )
    op.create_index("ix_findings_analyzer_scope", "findings", ["analyzer", "scope"])
    op.create_table(
        "source_cursors",
        sa.Column("source", sa.String(), primary_key=True),
        sa.Column("cursor", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "rejects",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("position", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("record", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("source", "position", name="uq_rejects_source_position"),
    )
    if op.get_bind().dialect.name == "sqlite":
        for statement in FTS_SQLITE:
            op.execute(statement)
    elif op.get_bind().dialect.name == "postgresql":
        for statement in FTS_POSTGRESQL:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS posts_fts")
    elif op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS posts_search_stale ON posts")
        op.execute("DROP FUNCTION IF EXISTS hubbub_posts_search_stale()")
    for table in ("rejects", "source_cursors", "findings", "annotations", "runs", "posts"):
        op.drop_table(table)
