"""The normalised post every source produces, and a rejected record.

A :class:`Post` is plain data (a slotted dataclass, cheap to build in bulk); the store
turns it into a row. Ids are strings end to end: a platform id is never a number in
hubbub, so an id above 2**53 cannot be rounded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

POST_FIELDS = (
    "platform",
    "external_id",
    "source",
    "url",
    "author",
    "author_name",
    "author_followers",
    "text",
    "lang",
    "created_at",
    "reply_to_id",
    "reply_to_author",
    "conversation_id",
    "repost_of_id",
    "repost_of_author",
    "quote_of_id",
    "quote_of_author",
    "mentions",
    "hashtags",
    "likes",
    "reposts",
    "replies",
    "raw",
)


@dataclass(slots=True)
class Post:
    """One public post, normalised.

    ``created_at`` is a naive datetime in UTC. ``mentions`` and ``hashtags`` hold
    handles and tags without ``@``/``#``. ``raw`` is the record exactly as the source
    gave it (JSON text), so nothing of the original is ever lost.
    """

    platform: str
    external_id: str
    author: str
    text: str
    created_at: datetime
    source: str = ""
    url: str | None = None
    author_name: str | None = None
    author_followers: int | None = None
    lang: str | None = None
    reply_to_id: str | None = None
    reply_to_author: str | None = None
    conversation_id: str | None = None
    repost_of_id: str | None = None
    repost_of_author: str | None = None
    quote_of_id: str | None = None
    quote_of_author: str | None = None
    mentions: list[str] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)
    likes: int | None = None
    reposts: int | None = None
    replies: int | None = None
    raw: str = ""


@dataclass(slots=True)
class Reject:
    """A record a source could not turn into a post.

    :param position: where it was, e.g. ``line 12`` or ``row 7`` or ``byte 4096``.
    :param reason: why, in words a user understands.
    :param record: the offending input (truncated by the store).
    """

    position: str
    reason: str
    record: str = ""
