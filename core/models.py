"""The database tables, as SQLModel models.

Reading code may use these classes with a SQLModel session; bulk writes go through
SQLAlchemy Core on ``Model.__table__`` (per-object ORM inserts are far slower). Lists
and payloads are stored as JSON text so one schema serves SQLite and PostgreSQL.
Changing anything here needs a migration in ``hubbub/migrations/versions``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class PostRecord(SQLModel, table=True):
    """A stored post; (platform, external_id) is unique, so re-importing never duplicates."""

    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("platform", "external_id", name="uq_posts_platform_external_id"),
        Index("ix_posts_created_at", "created_at"),
        Index("ix_posts_author", "author"),
        Index("ix_posts_reply_to_id", "reply_to_id"),
        Index("ix_posts_conversation_id", "conversation_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    platform: str
    external_id: str
    source: str = ""
    url: str | None = None
    author: str
    author_name: str | None = None
    author_followers: int | None = None
    text: str = Field(sa_column=Column(Text, nullable=False))
    lang: str | None = None
    created_at: datetime = Field(sa_column=Column(DateTime, nullable=False))
    reply_to_id: str | None = None
    reply_to_author: str | None = None
    conversation_id: str | None = None
    repost_of_id: str | None = None
    repost_of_author: str | None = None
    quote_of_id: str | None = None
    quote_of_author: str | None = None
    mentions: str = Field(default="[]", sa_column=Column(Text, nullable=False, server_default="[]"))
    hashtags: str = Field(default="[]", sa_column=Column(Text, nullable=False, server_default="[]"))
    likes: int | None = None
    reposts: int | None = None
    replies: int | None = None
    raw: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class Annotation(SQLModel, table=True):
    """One value a post analyzer computed for a post (e.g. sentiment.compound)."""

    __tablename__ = "annotations"
    #: on SQLite the rows live in their primary key's B-tree (migration 0005)
    __table_args__ = {"sqlite_with_rowid": False}

    post_id: int = Field(
        sa_column=Column(Integer, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    )
    analyzer: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    version: str
    value: str = Field(sa_column=Column(Text, nullable=False))


class AnalyzerVersion(SQLModel, table=True):
    """A version of a post analyzer that has written annotations (a summary of them).

    It answers "are there results of another version?" without an index over every
    annotation row, which cost a fifth of an analysis run's writes. A row may outlive
    the annotations it stands for; readers confirm before relying on it.
    """

    __tablename__ = "analyzer_versions"

    analyzer: str = Field(primary_key=True)
    version: str = Field(primary_key=True)


class Run(SQLModel, table=True):
    """One import, ingest, analysis or report run, with its summary counts."""

    __tablename__ = "runs"

    id: int | None = Field(default=None, primary_key=True)
    kind: str
    target: str = ""
    started_at: datetime = Field(sa_column=Column(DateTime, nullable=False))
    finished_at: datetime | None = Field(default=None, sa_column=Column(DateTime))
    status: str = "running"
    summary: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))


class Finding(SQLModel, table=True):
    """A result of a corpus analyzer over a scope and window."""

    __tablename__ = "findings"
    __table_args__ = (Index("ix_findings_analyzer_scope", "analyzer", "scope"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("runs.id", ondelete="CASCADE"))
    )
    analyzer: str
    scope: str = ""
    window_start: datetime | None = Field(default=None, sa_column=Column(DateTime))
    window_end: datetime | None = Field(default=None, sa_column=Column(DateTime))
    subject: str = ""
    score: float | None = None
    details: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))


class SourceCursor(SQLModel, table=True):
    """Where a source stopped: resuming starts after it."""

    __tablename__ = "source_cursors"

    source: str = Field(primary_key=True)
    cursor: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(sa_column=Column(DateTime, nullable=False))


class RejectRecord(SQLModel, table=True):
    """An input record that could not be stored, with where it was and why."""

    __tablename__ = "rejects"
    __table_args__ = (UniqueConstraint("source", "position", name="uq_rejects_source_position"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int | None = None
    source: str
    position: str
    reason: str
    record: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    created_at: datetime = Field(sa_column=Column(DateTime, nullable=False))


class PostTopic(SQLModel, table=True):
    """A post matches a topic (a named query in ``hubbub.toml``); kept by :mod:`hubbub.topics`."""

    __tablename__ = "post_topics"
    __table_args__ = (Index("ix_post_topics_post_id", "post_id"),)

    topic: str = Field(primary_key=True)
    post_id: int = Field(
        sa_column=Column(Integer, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    )


class TopicState(SQLModel, table=True):
    """How far a topic is tagged: the query (and language version) used and the last post seen."""

    __tablename__ = "topic_state"

    topic: str = Field(primary_key=True)
    query: str = Field(sa_column=Column(Text, nullable=False))
    version: str
    last_post_id: int = 0
    posts: int = 0
    tagged_at: datetime = Field(sa_column=Column(DateTime, nullable=False))


class AlertRecord(SQLModel, table=True):
    """An alert a rule of ``[[alerts]]`` fired, with what triggered it; kept by :mod:`hubbub.alerts`.

    ``ended_at`` is set when the rule's condition is found false again for the subject,
    which closes the episode (a rule fires once per episode); ``delivery`` holds each
    notifier's outcome as JSON text.
    """

    __tablename__ = "alerts"
    __table_args__ = (
        Index("ix_alerts_rule_subject", "rule", "subject"),
        Index("ix_alerts_fired_at", "fired_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    rule: str
    kind: str
    subject: str
    fired_at: datetime = Field(sa_column=Column(DateTime, nullable=False))
    window_start: datetime | None = Field(default=None, sa_column=Column(DateTime))
    window_end: datetime | None = Field(default=None, sa_column=Column(DateTime))
    ended_at: datetime | None = Field(default=None, sa_column=Column(DateTime))
    message: str = Field(sa_column=Column(Text, nullable=False))
    details: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))
    example_post_ids: str = Field(
        default="[]", sa_column=Column(Text, nullable=False, server_default="[]")
    )
    delivery: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))
