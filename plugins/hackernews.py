"""Hacker News items from the Algolia API (``--format hackernews``).

Reads search responses (``/api/v1/search``: ``{hits: [...]}``), item trees
(``/api/v1/items/:id``: ``{id, ..., children: [...]}``, walked to every depth), single
hits or items one per line, and the official Firebase API's items (``{id, by, time,
type, ...}``). Story titles, links and texts and comment texts (HTML) become plain
text (see :mod:`hubbub.html_text`). A comment replies to ``parent_id`` in the
conversation of its ``story_id``; a story is its own conversation. See
``docs/formats/hackernews.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from hubbub import hookimpl
from hubbub.errors import RecordError
from hubbub.html_text import html_to_text
from hubbub.json_source import dumps
from hubbub.nested_json import NestedJsonSource
from hubbub.posts import Post, Reject
from hubbub.records import (
    extract_hashtags,
    extract_mentions,
    parse_count,
    parse_id,
    parse_timestamp,
)
from hubbub.sniff import Sample, has_keys

ITEM_URL = "https://news.ycombinator.com/item?id="
#: the author and text of an item that was deleted (the thread keeps its place)
DELETED = "[deleted]"
_STORY_TYPES = ("story", "job", "poll")
_URL = re.compile(r"\bhttps?://\S+")


def is_hit(value: Any) -> bool:
    """An Algolia search hit."""
    return has_keys(value, "objectID", "created_at_i") or has_keys(value, "objectID", "_tags")


def is_tree_item(value: Any) -> bool:
    """An item of the Algolia items API (``/api/v1/items/:id``)."""
    return has_keys(value, "id", "type", "children") and (
        "created_at_i" in value or "story_id" in value or "parent_id" in value
    )


def is_firebase_item(value: Any) -> bool:
    """An item of the official Firebase API (``/v0/item/:id.json``)."""
    return has_keys(value, "id", "type", "time") and ("by" in value or "deleted" in value)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


class HackerNewsSource(NestedJsonSource):
    """Hacker News stories and comments: Algolia search hits and item trees, Firebase items."""

    name = "hackernews"
    description = "Hacker News: Algolia search responses and item trees, Firebase items"
    item_prefixes = ("hits.item", "item", "")

    @classmethod
    def sniff(cls, sample: Sample) -> float:
        """An Algolia search response, hit or item tree, or a Firebase item."""
        if sample.kind not in ("json", "jsonl"):
            return 0.0
        keys = set(sample.keys) | (set(sample.value) if isinstance(sample.value, dict) else set())
        if "hits" in keys and keys & {"nbHits", "hitsPerPage", "processingTimeMS", "query"}:
            return 0.9
        if {"id", "type", "children"} <= keys and keys & {"created_at_i", "story_id"}:
            return 0.9
        record = sample.first_record()
        if is_hit(record) or is_tree_item(record):
            return 0.9
        if is_firebase_item(record):
            return 0.85
        return 0.0

    # ------------------------------------------------------------ containers

    def parse(self, item: Any, raw: str | None = None) -> Iterator[Post | Reject]:
        """A search response, hit, item tree or Firebase item (or a list of them) → posts."""
        if isinstance(item, list):
            for n, element in enumerate(item, 1):
                yield from self.guarded(f"hit {n}", element, self._one)
        elif isinstance(item, dict) and isinstance(item.get("hits"), list):
            for n, hit in enumerate(item["hits"], 1):
                yield from self.guarded(f"hit {n}", hit, self._one)
        elif is_tree_item(item):
            yield from self._tree(item, raw)
        else:
            yield from self._one(item, raw)

    def _one(self, value: Any, raw: str | None = None) -> Iterator[Post | Reject]:
        if is_hit(value):
            yield self._hit(value, raw)
        elif is_tree_item(value):
            yield from self._tree(value, raw)
        elif is_firebase_item(value):
            yield self._firebase(value, raw)
        else:
            raise RecordError("not a Hacker News search hit or item")

    def _tree(self, root: dict[str, Any], raw: str | None) -> Iterator[Post | Reject]:
        """An item and every comment under it, parents first (depth-first)."""
        # a story counts all its comments (as Hacker News shows), a comment its direct replies
        total = _count_comments(root) if root.get("type") in _STORY_TYPES else None
        stack: list[tuple[Any, dict[str, Any] | None]] = [(root, None)]
        while stack:
            node, parent = stack.pop()
            if not isinstance(node, dict):
                continue
            children = node.get("children") if isinstance(node.get("children"), list) else []
            item_raw = raw if node is root and not children else None
            yield from self.guarded(
                f"id {node.get('id', '?')}",
                node,
                lambda value, parent=parent, item_raw=item_raw: [
                    self._tree_item(value, parent, item_raw, total if value is root else None)
                ],
            )
            stack.extend((child, node) for child in reversed(children))

    # ------------------------------------------------------------ one item

    def _hit(self, hit: dict[str, Any], raw: str | None) -> Post:
        tags = hit.get("_tags") if isinstance(hit.get("_tags"), list) else []
        is_comment = "comment" in tags or (
            hit.get("comment_text") is not None and not _str(hit.get("title"))
        )
        created = hit.get("created_at_i")
        if created is None:
            created = hit.get("created_at")
        return self._build(
            item_id=hit.get("objectID"),
            author=hit.get("author"),
            created=created,
            is_comment=is_comment,
            title=hit.get("title"),
            link=hit.get("url"),
            body=hit.get("comment_text") if is_comment else hit.get("story_text"),
            parent_id=hit.get("parent_id"),
            story_id=hit.get("story_id"),
            parent_author=None,
            points=hit.get("points"),
            comments=hit.get("num_comments"),
            raw=raw if raw is not None else dumps(hit),
        )

    def _tree_item(
        self,
        node: dict[str, Any],
        parent: dict[str, Any] | None,
        raw: str | None,
        comments: int | None,
    ) -> Post:
        created = node.get("created_at_i")
        if created is None:
            created = node.get("created_at")
        children = node.get("children") if isinstance(node.get("children"), list) else []
        if raw is None:
            raw = dumps(
                {
                    **{key: value for key, value in node.items() if key != "children"},
                    "children": [c.get("id") for c in children if isinstance(c, dict)],
                }
            )
        return self._build(
            item_id=node.get("id"),
            author=node.get("author"),
            created=created,
            is_comment=node.get("type") not in _STORY_TYPES,
            title=node.get("title"),
            link=node.get("url"),
            body=node.get("text"),
            parent_id=node.get("parent_id"),
            story_id=node.get("story_id"),
            parent_author=_str(parent.get("author")) if parent else None,
            points=node.get("points"),
            comments=comments if comments is not None else len(children),
            raw=raw,
        )

    def _firebase(self, item: dict[str, Any], raw: str | None) -> Post:
        kids = item.get("kids") if isinstance(item.get("kids"), list) else None
        is_story = item.get("type") in _STORY_TYPES
        return self._build(
            item_id=item.get("id"),
            author=item.get("by") if not item.get("deleted") else None,
            created=item.get("time"),
            is_comment=not is_story,
            title=item.get("title"),
            link=item.get("url"),
            body=item.get("text"),
            parent_id=item.get("parent") if not is_story else None,
            story_id=None,
            parent_author=None,
            points=item.get("score"),
            comments=item.get("descendants") if is_story else (len(kids) if kids else None),
            raw=raw if raw is not None else dumps(item),
        )

    def _build(
        self,
        *,
        item_id: Any,
        author: Any,
        created: Any,
        is_comment: bool,
        title: Any,
        link: Any,
        body: Any,
        parent_id: Any,
        story_id: Any,
        parent_author: str | None,
        points: Any,
        comments: Any,
        raw: str,
    ) -> Post:
        if item_id is None:
            raise RecordError("item has no id")
        external_id = parse_id(item_id)
        handle = _str(author)
        deleted = handle is None
        parts: list[str] = []
        if is_comment:
            text = html_to_text(body) if isinstance(body, str) else ""
        else:
            parts = [_str(title) or "", html_to_text(body) if isinstance(body, str) else ""]
            parts.append(_str(link) or "")
            text = "\n\n".join(part for part in parts if part)
        if deleted:
            handle, text = DELETED, text or DELETED
        # mentions and tags from what people wrote, not from inside links
        words = "" if deleted else _URL.sub(" ", text if is_comment else "\n".join(parts[:2]))
        reply_to_id = parse_id(parent_id, "parent_id") if parent_id is not None else None
        if is_comment:
            conversation_id = parse_id(story_id, "story_id") if story_id is not None else None
        else:
            reply_to_id = None
            conversation_id = external_id
        return Post(
            platform="hackernews",
            external_id=external_id,
            author=handle,
            text=text,
            created_at=parse_timestamp(created, now=self.now()),
            source=self.key,
            url=ITEM_URL + external_id,
            reply_to_id=reply_to_id,
            reply_to_author=parent_author if reply_to_id is not None else None,
            conversation_id=conversation_id,
            mentions=extract_mentions(words) if "@" in words else [],
            hashtags=extract_hashtags(words) if "#" in words else [],
            likes=parse_count(points, "points"),
            replies=parse_count(comments, "num_comments"),
            raw=raw,
        )


def _count_comments(root: dict[str, Any]) -> int:
    """Comments under ``root`` at every depth, deleted ones (no author) left out."""
    count = 0
    stack = list(root.get("children") or ())
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            count += node.get("author") is not None
            stack.extend(node.get("children") or ())
    return count


@hookimpl
def register_sources(register):
    """Register the Hacker News file source."""
    register(HackerNewsSource)
