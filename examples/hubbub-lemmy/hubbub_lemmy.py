"""Example hubbub plugin: Lemmy API JSON as a file source (``hubbub import --format lemmy``).

Lemmy is a federated link aggregator that hubbub does not bundle. This source reads what
its HTTP API (v3) answers, saved to a file or one response per line:

- ``GET /api/v3/post/list`` → ``{"posts": [post_view, ...]}``
- ``GET /api/v3/comment/list`` → ``{"comments": [comment_view, ...]}``
- ``GET /api/v3/post`` → ``{"post_view": ..., "community_view": ..., ...}``
- ``GET /api/v3/comment`` → ``{"comment_view": ...}``
- a bare ``post_view`` or ``comment_view`` per line.

A post's text is its title and body; a comment replies to its parent comment (the
second-to-last id of its ``path``, ``0.<parent>.<self>``) or, at the top, to the post,
and belongs to the post's conversation. Handles are ``name@instance`` (from the
creator's ``actor_id``), so the same name on two instances are two authors.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

from hubbub import Post, Reject, hookimpl
from hubbub.errors import RecordError
from hubbub.json_source import dumps
from hubbub.nested_json import NestedJsonSource
from hubbub.records import (
    extract_hashtags,
    extract_mentions,
    parse_count,
    parse_id,
    parse_timestamp,
)
from hubbub.sniff import Sample

PLATFORM = "lemmy"


def is_post_view(value: Any) -> bool:
    """A Lemmy ``PostView``: ``post`` and ``creator``, no ``comment``."""
    return (
        isinstance(value, dict)
        and isinstance(value.get("post"), dict)
        and isinstance(value.get("creator"), dict)
        and "comment" not in value
    )


def is_comment_view(value: Any) -> bool:
    """A Lemmy ``CommentView``: ``comment``, ``creator`` and ``post``."""
    return (
        isinstance(value, dict)
        and isinstance(value.get("comment"), dict)
        and isinstance(value.get("creator"), dict)
    )


def handle(person: dict[str, Any]) -> str:
    """``name@instance`` for a Lemmy person (``actor_id`` gives the instance)."""
    name = person.get("name")
    if not isinstance(name, str) or not name:
        raise RecordError("creator has no name")
    host = urlparse(str(person.get("actor_id") or "")).hostname
    return f"{name}@{host}" if host else name


class LemmySource(NestedJsonSource):
    """Lemmy posts and comments from API v3 responses."""

    name = "lemmy"
    description = "Lemmy API v3 JSON: post and comment lists, single posts and comments"
    item_prefixes = ("posts.item", "comments.item", "item", "")

    @classmethod
    def sniff(cls, sample: Sample) -> float:
        """A post or comment list response, or a post/comment view."""
        if sample.kind not in ("json", "jsonl"):
            return 0.0
        record = sample.first_record()
        value = sample.value
        if isinstance(value, dict) and (
            is_post_view(value.get("post_view")) or is_comment_view(value.get("comment_view"))
        ):
            return 0.9
        if is_post_view(record) or is_comment_view(record):
            return 0.9
        return 0.0

    def parse(self, item: Any, raw: str | None = None) -> Iterator[Post | Reject]:
        """One response or view (or a list of them) → posts."""
        if isinstance(item, list):
            for n, element in enumerate(item, 1):
                yield from self.guarded(f"item {n}", element, self._view)
            return
        if isinstance(item, dict):
            for key in ("posts", "comments"):
                if isinstance(item.get(key), list):
                    for n, view in enumerate(item[key], 1):
                        yield from self.guarded(f"{key[:-1]} {n}", view, self._view)
                    return
            for key in ("post_view", "comment_view"):
                if isinstance(item.get(key), dict):
                    yield from self._view(item[key])
                    return
        yield from self._view(item, raw)

    def _view(self, view: Any, raw: str | None = None) -> Iterator[Post]:
        if is_comment_view(view):
            yield self._comment(view, raw)
        elif is_post_view(view):
            yield self._post(view, raw)
        else:
            raise RecordError("not a Lemmy post_view or comment_view")

    def _post(self, view: dict[str, Any], raw: str | None) -> Post:
        post = view["post"]
        post_id = parse_id(post.get("id"))
        title = post.get("name") or ""
        body = post.get("body") or ""
        text = "\n\n".join(part for part in (title, body) if part)
        counts = view.get("counts") or {}
        return self._build(
            external_id=f"post:{post_id}",
            view=view,
            text=text,
            created=post.get("published"),
            url=post.get("ap_id") or post.get("url"),
            conversation_id=f"post:{post_id}",
            reply_to_id=None,
            likes=counts.get("upvotes", counts.get("score")),
            replies=counts.get("comments"),
            raw=raw,
        )

    def _comment(self, view: dict[str, Any], raw: str | None) -> Post:
        comment = view["comment"]
        comment_id = parse_id(comment.get("id"))
        post_id = parse_id(comment.get("post_id") or (view.get("post") or {}).get("id"))
        path = [part for part in str(comment.get("path") or "").split(".") if part]
        parent = path[-2] if len(path) >= 3 else None
        counts = view.get("counts") or {}
        return self._build(
            external_id=f"comment:{comment_id}",
            view=view,
            text=comment.get("content") or "",
            created=comment.get("published"),
            url=comment.get("ap_id"),
            conversation_id=f"post:{post_id}",
            reply_to_id=f"comment:{parent}" if parent else f"post:{post_id}",
            likes=counts.get("upvotes", counts.get("score")),
            replies=counts.get("child_count"),
            raw=raw,
        )

    def _build(
        self,
        *,
        external_id: str,
        view: dict[str, Any],
        text: str,
        created: Any,
        url: Any,
        conversation_id: str,
        reply_to_id: str | None,
        likes: Any,
        replies: Any,
        raw: str | None,
    ) -> Post:
        if not text.strip():
            raise RecordError("no text")
        if created is None:
            raise RecordError("missing published")
        creator = view["creator"]
        return Post(
            platform=PLATFORM,
            external_id=external_id,
            author=handle(creator),
            author_name=creator.get("display_name") or None,
            text=text,
            created_at=parse_timestamp(created, now=self.now()),
            source=self.key,
            url=url if isinstance(url, str) else None,
            conversation_id=conversation_id,
            reply_to_id=reply_to_id,
            mentions=extract_mentions(text),
            hashtags=extract_hashtags(text),
            likes=parse_count(likes, "upvotes"),
            replies=parse_count(replies, "comments"),
            raw=raw if raw is not None else dumps(view),
        )


@hookimpl
def register_sources(register: Any) -> None:
    """Register the ``lemmy`` file source."""
    register(LemmySource)
