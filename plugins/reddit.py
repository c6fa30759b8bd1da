"""Reddit listings as the JSON API returns them (``--format reddit``).

Reads ``{kind: "Listing", data: {children: [...]}}`` of posts (``t3``) and comments
(``t1``), a comments page (a JSON array of two listings: the post, then its comment
tree, with each comment's ``replies`` listing walked), single things, and the bare
objects of Pushshift-style dumps (one submission or comment per line). ``kind:
"more"`` stubs and other kinds (accounts, subreddits) are skipped.

Ids are the fullname without its ``t1_``/``t3_`` prefix; a comment's ``parent_id``
gives its parent and ``link_id`` its conversation (the post); a post is its own
conversation. See ``docs/formats/reddit.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from hubbub import hookimpl
from hubbub.errors import RecordError
from hubbub.json_source import dumps
from hubbub.nested_json import NestedJsonSource
from hubbub.posts import Post, Reject
from hubbub.records import extract_hashtags, parse_count, parse_id, parse_timestamp
from hubbub.sniff import Sample, has_keys

#: ``u/name`` or ``/u/name`` in a post or comment (Reddit's way of mentioning)
_USER_MENTION = re.compile(r"(?<![\w/])/?u/([A-Za-z0-9_-]{3,20})\b")
_LISTING = re.compile(r'"kind"\s*:\s*"Listing"')
_THING = re.compile(r'"kind"\s*:\s*"t[13]"')
_FULLNAME = re.compile(r"^t\d_")
SITE = "https://www.reddit.com"


def _unescape(text: str) -> str:
    """Undo the API's escaping of ``&``, ``<`` and ``>`` (responses without ``raw_json=1``)."""
    if "&" not in text:
        return text
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _short_id(value: Any, field: str) -> str:
    """An id without its ``t1_``/``t3_`` prefix."""
    return _FULLNAME.sub("", parse_id(value, field))


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _is_bare_thing(value: Any) -> bool:
    """A Pushshift-style submission or comment object (no ``kind`` wrapper)."""
    return has_keys(value, "id", "author", "created_utc") and ("body" in value or "title" in value)


class RedditSource(NestedJsonSource):
    """Reddit API listings of posts and comments (with comment trees), and Pushshift dumps."""

    name = "reddit"
    description = "Reddit listings of posts (t3) and comments (t1), comment pages, Pushshift dumps"
    item_prefixes = ("item", "data.children.item", "")

    @classmethod
    def sniff(cls, sample: Sample) -> float:
        """A Listing, a ``t1``/``t3`` thing, or a Pushshift submission or comment."""
        if sample.kind not in ("json", "jsonl"):
            return 0.0
        for value in (sample.first_record(), sample.value):
            if isinstance(value, dict):
                if value.get("kind") in ("Listing", "t1", "t3") and isinstance(
                    value.get("data"), dict
                ):
                    return 0.9
                if _is_bare_thing(value) and "subreddit" in value:
                    return 0.85
        if set(sample.keys) == {"kind", "data"} and _LISTING.search(sample.text):
            return 0.9 if _THING.search(sample.text) else 0.0
        return 0.0

    # ------------------------------------------------------------ containers

    def parse(self, item: Any, raw: str | None = None) -> Iterator[Post | Reject]:
        """A listing, a comments page, a thing or a bare object → posts (comment trees walked)."""
        if isinstance(item, list):
            for element in item:
                yield from self._container(element, None)
        else:
            yield from self._container(item, raw)

    def _container(self, value: Any, raw: str | None) -> Iterator[Post | Reject]:
        if isinstance(value, dict) and value.get("kind") == "Listing":
            yield from self._listing(value)
        elif isinstance(value, dict) and "kind" in value and "data" in value:
            yield from self._tree(value, raw)
        elif _is_bare_thing(value):
            kind = "t1" if "body" in value else "t3"
            yield from self.guarded(
                f"{kind}_{value.get('id')}",
                value,
                lambda data: [self._post(kind, data, raw=raw, parent_author=None)],
            )
        else:
            raise RecordError("not a Reddit listing, thing or submission/comment object")

    def _listing(self, listing: dict[str, Any]) -> Iterator[Post | Reject]:
        data = listing.get("data")
        children = data.get("children") if isinstance(data, dict) else None
        if not isinstance(children, list):
            raise RecordError("listing has no data.children")
        for child in children:
            yield from self._tree(child, None)

    def _tree(self, thing: Any, raw: str | None) -> Iterator[Post | Reject]:
        """A thing and, for a comment, every reply under it (parents first)."""
        stack: list[tuple[Any, str | None]] = [(thing, None)]
        while stack:
            current, parent_author = stack.pop()
            if not isinstance(current, dict):
                yield Reject("child", f"expected a thing, got {type(current).__name__}")
                continue
            kind, data = current.get("kind"), current.get("data")
            if kind not in ("t1", "t3") or not isinstance(data, dict):
                continue  # "more" stubs, accounts, subreddits, awards
            label = f"{kind}_{data.get('id') or '?'}"
            item_raw = raw if current is thing else None
            results = self.guarded(
                label,
                data,
                lambda value, kind=kind, item_raw=item_raw, parent_author=parent_author: [
                    self._post(kind, value, raw=item_raw, parent_author=parent_author)
                ],
            )
            yield from results
            replies = data.get("replies")
            if isinstance(replies, dict):
                listing = replies.get("data")
                children = listing.get("children") if isinstance(listing, dict) else None
                if isinstance(children, list):
                    author = _str(data.get("author"))
                    stack.extend((child, author) for child in reversed(children))

    # ------------------------------------------------------------ one thing

    def _post(
        self, kind: str, data: dict[str, Any], *, raw: str | None, parent_author: str | None
    ) -> Post:
        if data.get("id") is None and data.get("name") is None:
            raise RecordError("thing has no id")
        external_id = _short_id(data.get("id") or data.get("name"), "id")
        author = _str(data.get("author"))
        if author is None:
            raise RecordError("thing has no author")
        subreddit = _str(data.get("subreddit"))
        if kind == "t3":
            title = _unescape(_str(data.get("title")) or "")
            selftext = _unescape(_str(data.get("selftext")) or "").strip()
            parts = [title, selftext]
            link = _str(data.get("url"))
            if link and not data.get("is_self") and "/comments/" not in link:
                parts.append(link)
            text = "\n\n".join(part for part in parts if part)
            reply_to_id = reply_to_author = None
            conversation_id = external_id
            replies = parse_count(data.get("num_comments"), "num_comments")
        else:
            body = data.get("body")
            if body is None:
                raise RecordError("comment has no body")
            if not isinstance(body, str):
                raise RecordError(f"body must be a string, got {type(body).__name__}")
            text = _unescape(body)
            parent = data.get("parent_id")
            reply_to_id = _short_id(parent, "parent_id") if parent else None
            link_id = data.get("link_id")
            conversation_id = _short_id(link_id, "link_id") if link_id else None
            reply_to_author = parent_author
            if (
                reply_to_author is None
                and isinstance(parent, str)
                and parent.startswith("t3_")
                and _str(data.get("link_author"))
            ):
                reply_to_author = data["link_author"]
            replies = None
        created = data.get("created_utc")
        if created is None:
            created = data.get("created")
        score = data.get("score")
        if score is None:
            score = data.get("ups")
        permalink = _str(data.get("permalink"))
        if permalink:
            url = permalink if permalink.startswith("http") else SITE + permalink
        elif kind == "t1" and subreddit and conversation_id:
            url = f"{SITE}/r/{subreddit}/comments/{conversation_id}/_/{external_id}/"
        elif kind == "t3" and subreddit:
            url = f"{SITE}/r/{subreddit}/comments/{external_id}/"
        else:
            url = None
        if raw is None or "replies" in data:
            trimmed = {key: value for key, value in data.items() if key != "replies"}
            raw = dumps({"kind": kind, "data": trimmed})
        return Post(
            platform="reddit",
            external_id=external_id,
            author=author,
            text=text,
            created_at=parse_timestamp(created, now=self.now()),
            source=self.key,
            url=url,
            reply_to_id=reply_to_id,
            reply_to_author=reply_to_author,
            conversation_id=conversation_id,
            mentions=list(dict.fromkeys(_USER_MENTION.findall(text))) if "u/" in text else [],
            hashtags=extract_hashtags(text) if "#" in text else [],
            likes=_score(score),
            replies=replies,
            raw=raw,
        )


def _score(value: Any) -> int | None:
    """A score as likes: Reddit scores can be negative, which count as none."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
        return 0
    return parse_count(value, "score")


@hookimpl
def register_sources(register):
    """Register the Reddit file source."""
    register(RedditSource)
