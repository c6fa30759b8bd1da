"""Bluesky post views (``app.bsky.feed.defs``) as the AppView API returns them (``--format bluesky``).

Reads ``postView`` items from ``app.bsky.feed.searchPosts`` (``{posts: [...]}``),
``feedViewPost`` items from author feeds and timelines (``{feed: [{post, reply,
reason}]}``; a ``#reasonRepost`` marks a repost) and ``app.bsky.feed.getPostThread``
(``{thread: {post, parent, replies}}``, walked up and down), in a file or one per line.

Ids are the posts' ``at://`` URIs; a reply's ``record.reply.parent.uri`` and
``root.uri`` give its parent and its conversation (a post that is not a reply is its
own conversation). Mentions, tags and links come from the record's facets. See
``docs/formats/bluesky.md``.
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
from hubbub.records import extract_hashtags, parse_count, parse_timestamp
from hubbub.sniff import Sample, has_keys

POST_COLLECTION = "app.bsky.feed.post"
REPOST_REASON = "app.bsky.feed.defs#reasonRepost"
MENTION = "app.bsky.richtext.facet#mention"
TAG = "app.bsky.richtext.facet#tag"
LINK = "app.bsky.richtext.facet#link"
#: a handle in text, for records without facets: ``@alice.bsky.social``
_HANDLE_MENTION = re.compile(
    r"(?<![\w@])@([a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9-]+)+)"
)
_ELLIPSES = ("...", "…")
#: how many DID → handle pairs a read remembers (memory stays flat on any input)
MAX_KNOWN_HANDLES = 100_000


def is_post_view(value: Any) -> bool:
    """Whether ``value`` looks like an ``app.bsky.feed.defs#postView``."""
    return (
        has_keys(value, "uri", "author", "record")
        and isinstance(value["uri"], str)
        and value["uri"].startswith("at://")
    )


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _did_of(uri: str) -> str | None:
    """The repository (author) DID of an ``at://did/collection/rkey`` URI."""
    if not uri.startswith("at://"):
        return None
    return uri[5:].split("/", 1)[0] or None


def _collection_of(uri: str) -> str | None:
    parts = uri[5:].split("/") if uri.startswith("at://") else []
    return parts[1] if len(parts) > 2 else None


def _handle(author: Any) -> str | None:
    """An author's handle, or its DID when the handle is missing or does not resolve."""
    if not isinstance(author, dict):
        return None
    handle = _str(author.get("handle"))
    if handle and handle != "handle.invalid":
        return handle
    return _str(author.get("did"))


def _collect_handles(value: Any, handles: dict[str, str]) -> None:
    """DID → handle for every profile view inside ``value``."""
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            did, handle = current.get("did"), current.get("handle")
            if isinstance(did, str) and isinstance(handle, str) and handle != "handle.invalid":
                handles.setdefault(did, handle)
            stack.extend(v for v in current.values() if isinstance(v, dict | list))
        elif isinstance(current, list):
            stack.extend(v for v in current if isinstance(v, dict | list))


class BlueskySource(NestedJsonSource):
    """Bluesky post views: searchPosts, author feeds and timelines, post threads."""

    name = "bluesky"
    description = "Bluesky post views: searchPosts, author feeds, getPostThread, one per line"
    item_prefixes = ("posts.item", "feed.item", "item", "")

    @classmethod
    def sniff(cls, sample: Sample) -> float:
        """A post view, a feed item holding one, or a thread response."""
        if sample.kind not in ("json", "jsonl"):
            return 0.0
        record = sample.first_record()
        if is_post_view(record) or (isinstance(record, dict) and is_post_view(record.get("post"))):
            return 0.9
        value = sample.value
        for key in ("posts", "feed"):  # a whole response on one line
            found = value.get(key) if isinstance(value, dict) else None
            first = found[0] if isinstance(found, list) and found else None
            if isinstance(first, dict) and (is_post_view(first) or is_post_view(first.get("post"))):
                return 0.9
        if isinstance(value, dict) and isinstance(value.get("thread"), dict):
            return 0.9 if is_post_view(value["thread"].get("post")) else 0.0
        if "thread" in sample.keys and '"at://' in sample.text:
            return 0.85
        return 0.0

    # ------------------------------------------------------------ containers

    def parse(self, item: Any, raw: str | None = None) -> Iterator[Post | Reject]:
        """A post view, feed item, thread, or a response holding them → posts."""
        # handles seen so far in this file name the DIDs of later mentions and parents
        handles: dict[str, str] = self.__dict__.setdefault("_handles", {})
        if len(handles) > MAX_KNOWN_HANDLES:
            handles.clear()
        _collect_handles(item, handles)
        seen: set[str] = set()
        if isinstance(item, list):
            for n, element in enumerate(item, 1):
                yield from self.guarded(
                    f"post {n}", element, lambda value: self._item(value, handles, seen)
                )
        elif isinstance(item, dict) and isinstance(item.get("posts"), list):
            for n, view in enumerate(item["posts"], 1):
                yield from self.guarded(
                    f"post {n}", view, lambda value: self._view(value, handles, seen)
                )
        elif isinstance(item, dict) and isinstance(item.get("feed"), list):
            for n, entry in enumerate(item["feed"], 1):
                yield from self.guarded(
                    f"post {n}", entry, lambda value: self._feed_entry(value, handles, seen)
                )
        elif isinstance(item, dict) and "thread" in item and "post" not in item:
            yield from self._thread(item["thread"], handles, seen)
        else:
            yield from self._item(item, handles, seen, raw=raw)

    def _item(
        self, item: Any, handles: dict[str, str], seen: set[str], raw: str | None = None
    ) -> Iterator[Post | Reject]:
        if is_post_view(item):
            yield from self._view(item, handles, seen, raw=raw)
        elif isinstance(item, dict) and ("replies" in item or "parent" in item):
            yield from self._thread(item, handles, seen)
        elif isinstance(item, dict) and "post" in item:
            yield from self._feed_entry(item, handles, seen)
        elif isinstance(item, dict) and (item.get("notFound") or item.get("blocked")):
            raise RecordError(f"post {item.get('uri') or '(no uri)'} is deleted or blocked")
        else:
            raise RecordError("not a Bluesky post view, feed item or thread")

    def _feed_entry(
        self, entry: Any, handles: dict[str, str], seen: set[str]
    ) -> Iterator[Post | Reject]:
        """A ``feedViewPost``: its reply context, the post, and a repost when reposted."""
        if not isinstance(entry, dict) or not isinstance(entry.get("post"), dict):
            raise RecordError("feed item has no post")
        post = entry["post"]
        if not is_post_view(post):
            raise RecordError("feed item's post is deleted or blocked")
        reply = entry.get("reply") if isinstance(entry.get("reply"), dict) else {}
        parent, root = reply.get("parent"), reply.get("root")
        for context in (root, parent):
            if is_post_view(context):
                yield from self._view(context, handles, seen)
        parent_author = _handle(parent.get("author")) if isinstance(parent, dict) else None
        yield from self._view(post, handles, seen, parent_author=parent_author)
        reason = entry.get("reason")
        if isinstance(reason, dict) and (
            reason.get("$type") == REPOST_REASON
            or ("$type" not in reason and isinstance(reason.get("by"), dict))
        ):
            yield self._repost(post, reason, handles)

    def _thread(
        self, thread: Any, handles: dict[str, str], seen: set[str]
    ) -> Iterator[Post | Reject]:
        """A ``threadViewPost``: its parents up to the root, the post, all replies below."""
        if not isinstance(thread, dict) or not is_post_view(thread.get("post")):
            raise RecordError("thread has no post (deleted or blocked)")
        ancestors: list[dict[str, Any]] = []
        parent = thread.get("parent")
        while isinstance(parent, dict) and is_post_view(parent.get("post")):
            ancestors.append(parent)
            parent = parent.get("parent")
        # (node, its parent node); parents are emitted before their replies
        order: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
        for index in range(len(ancestors) - 1, -1, -1):
            above = ancestors[index + 1] if index + 1 < len(ancestors) else None
            order.append((ancestors[index], above))
        stack: list[tuple[dict[str, Any], dict[str, Any] | None]] = [
            (thread, ancestors[0] if ancestors else None)
        ]
        while stack:
            node, above = stack.pop()
            order.append((node, above))
            replies = node.get("replies") if isinstance(node.get("replies"), list) else []
            for reply in reversed(replies):
                if isinstance(reply, dict) and is_post_view(reply.get("post")):
                    stack.append((reply, node))
        for n, (node, above) in enumerate(order, 1):
            parent_author = _handle(above["post"].get("author")) if above else None
            yield from self.guarded(
                f"post {n}",
                node["post"],
                lambda view, parent_author=parent_author: self._view(
                    view, handles, seen, parent_author=parent_author
                ),
            )

    # ------------------------------------------------------------ one post

    def _view(
        self,
        view: Any,
        handles: dict[str, str],
        seen: set[str],
        *,
        raw: str | None = None,
        parent_author: str | None = None,
    ) -> Iterator[Post]:
        """A post view → its post, preceded by the post it quotes when that is embedded."""
        if not is_post_view(view):
            if isinstance(view, dict) and (view.get("notFound") or view.get("blocked")):
                raise RecordError("post is deleted or blocked")
            raise RecordError("not a Bluesky post view")
        uri = view["uri"]
        if uri in seen:
            return
        seen.add(uri)
        quoted = _embedded_view(view)
        if quoted is not None and is_post_view(quoted) and quoted["uri"] not in seen:
            seen.add(quoted["uri"])
            yield self._post(quoted, handles, raw=None, parent_author=None)
        yield self._post(view, handles, raw=raw, parent_author=parent_author)

    def _post(
        self,
        view: dict[str, Any],
        handles: dict[str, str],
        *,
        raw: str | None,
        parent_author: str | None,
    ) -> Post:
        uri: str = view["uri"]
        record = view.get("record")
        if not isinstance(record, dict):
            raise RecordError("post view has no record")
        author = _handle(view.get("author"))
        if author is None:
            raise RecordError("post view has no author handle or did")
        text = record.get("text")
        if text is None:
            text = ""
        if not isinstance(text, str):
            raise RecordError(f"record.text must be a string, got {type(text).__name__}")
        text, mentions, hashtags = _apply_facets(text, record.get("facets"), handles)
        extra_tags = record.get("tags")
        if isinstance(extra_tags, list):
            hashtags = list(
                dict.fromkeys(
                    hashtags + [t.lstrip("#") for t in extra_tags if isinstance(t, str) and t]
                )
            )
        created_at = self._created_at(record.get("createdAt"), view.get("indexedAt"))

        reply = record.get("reply") if isinstance(record.get("reply"), dict) else {}
        reply_to_id = _ref_uri(reply.get("parent"))
        root_uri = _ref_uri(reply.get("root"))
        reply_to_author = None
        if reply_to_id is not None:
            reply_to_author = parent_author
            if reply_to_author is None:
                did = _did_of(reply_to_id)
                reply_to_author = handles.get(did) if did else None
        # a post that is no reply starts its own conversation
        conversation_id = uri if reply_to_id is None and root_uri is None else root_uri

        quote_of_id = quote_of_author = None
        quoted = _embedded_view(view)
        if quoted is not None:
            quote_of_id = _str(quoted.get("uri"))
            quote_of_author = _handle(quoted.get("author"))
        else:
            quote_of_id = _embedded_record_uri(record.get("embed"))
            if quote_of_id is not None:
                did = _did_of(quote_of_id)
                quote_of_author = handles.get(did) if did else None

        langs = record.get("langs")
        lang = langs[0] if isinstance(langs, list) and langs and isinstance(langs[0], str) else None
        author_view = view.get("author") if isinstance(view.get("author"), dict) else {}
        rkey = uri.rstrip("/").rsplit("/", 1)[-1]
        return Post(
            platform="bluesky",
            external_id=uri,
            author=author,
            text=text,
            created_at=created_at,
            source=self.key,
            url=f"https://bsky.app/profile/{author}/post/{rkey}"
            if _collection_of(uri) == POST_COLLECTION
            else None,
            author_name=_str(author_view.get("displayName")),
            author_followers=parse_count(author_view.get("followersCount"), "followersCount"),
            lang=lang.lower() if lang else None,
            reply_to_id=reply_to_id,
            reply_to_author=reply_to_author,
            conversation_id=conversation_id,
            quote_of_id=quote_of_id,
            quote_of_author=quote_of_author,
            mentions=mentions,
            hashtags=hashtags,
            likes=parse_count(view.get("likeCount"), "likeCount"),
            reposts=parse_count(view.get("repostCount"), "repostCount"),
            replies=parse_count(view.get("replyCount"), "replyCount"),
            raw=raw if raw is not None else dumps(view),
        )

    def _created_at(self, created: Any, indexed: Any) -> Any:
        """``record.createdAt``; ``indexedAt`` only when that is missing or invalid."""
        try:
            return parse_timestamp(created, now=self.now())
        except RecordError as error:
            if indexed is None:
                raise
            try:
                return parse_timestamp(indexed, now=self.now())
            except RecordError:
                raise error from None

    def _repost(
        self, post: dict[str, Any], reason: dict[str, Any], handles: dict[str, str]
    ) -> Post:
        """The repost a ``#reasonRepost`` stands for: by ``reason.by``, at ``reason.indexedAt``."""
        original = self._post(post, handles, raw=None, parent_author=None)
        by = reason.get("by")
        reposter = _handle(by)
        if reposter is None:
            raise RecordError("repost reason has no author")
        repost_uri = _str(reason.get("uri"))
        if repost_uri is None:  # older AppViews do not give the repost record's URI
            repost_uri = f"{original.external_id}#repost-by-{by.get('did') or reposter}"
        when = reason.get("indexedAt")
        return Post(
            platform="bluesky",
            external_id=repost_uri,
            author=reposter,
            text=original.text,
            created_at=parse_timestamp(when, now=self.now()) if when else original.created_at,
            source=self.key,
            author_name=_str(by.get("displayName")) if isinstance(by, dict) else None,
            lang=original.lang,
            repost_of_id=original.external_id,
            repost_of_author=original.author,
            mentions=original.mentions,
            hashtags=original.hashtags,
            raw=dumps({"post": post["uri"], "reason": reason}),
        )


def _ref_uri(ref: Any) -> str | None:
    """The URI of a ``com.atproto.repo.strongRef``."""
    return _str(ref.get("uri")) if isinstance(ref, dict) else None


def _embedded_view(view: dict[str, Any]) -> dict[str, Any] | None:
    """A quoted post's ``viewRecord`` from the view's embed, as a post view (or ``None``)."""
    embed = view.get("embed")
    if not isinstance(embed, dict):
        return None
    inner = embed.get("record")
    if isinstance(inner, dict) and "record" in inner and "uri" not in inner:
        inner = inner["record"]  # app.bsky.embed.recordWithMedia#view
    if not isinstance(inner, dict) or not isinstance(inner.get("uri"), str):
        return None
    if _collection_of(inner["uri"]) != POST_COLLECTION:
        return None  # an embedded feed, list or starter pack is not a quote
    if isinstance(inner.get("value"), dict) and isinstance(inner.get("author"), dict):
        return {**inner, "record": inner["value"]}
    # viewNotFound / viewBlocked / viewDetached: only the URI (and maybe the author)
    return {"uri": inner["uri"], "author": inner.get("author")}


def _embedded_record_uri(embed: Any) -> str | None:
    """The quoted post's URI from a record's own embed (``app.bsky.embed.record``)."""
    if not isinstance(embed, dict):
        return None
    inner = embed.get("record")
    if isinstance(inner, dict) and isinstance(inner.get("record"), dict):
        inner = inner["record"]  # app.bsky.embed.recordWithMedia
    uri = _ref_uri(inner)
    return uri if uri and _collection_of(uri) == POST_COLLECTION else None


def _apply_facets(
    text: str, facets: Any, handles: dict[str, str]
) -> tuple[str, list[str], list[str]]:
    """Text with shortened links expanded, and the mentions and tags the facets name.

    Facet indexes are UTF-8 byte offsets. A mention's DID becomes the handle known from
    the views in the same response, else the ``@handle`` the text shows there, else the
    DID. Without facets, mentions and tags are taken from the text.
    """
    if not isinstance(facets, list):
        mentions = list(dict.fromkeys(_HANDLE_MENTION.findall(text))) if "@" in text else []
        hashtags = extract_hashtags(text) if "#" in text else []
        return text, mentions, hashtags
    data = text.encode("utf-8")
    mentions: list[str] = []
    hashtags: list[str] = []
    replacements: list[tuple[int, int, bytes]] = []
    for facet in facets:
        if not isinstance(facet, dict):
            continue
        index = facet.get("index") if isinstance(facet.get("index"), dict) else {}
        start, end = index.get("byteStart"), index.get("byteEnd")
        span = None
        if isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(data):
            span = data[start:end].decode("utf-8", errors="replace")
        for feature in facet.get("features") or ():
            if not isinstance(feature, dict):
                continue
            kind = feature.get("$type")
            if kind == MENTION and isinstance(feature.get("did"), str):
                did = feature["did"]
                shown = span[1:] if span and span.startswith("@") and len(span) > 1 else None
                mentions.append(handles.get(did) or shown or did)
            elif kind == TAG and isinstance(feature.get("tag"), str) and feature["tag"]:
                hashtags.append(feature["tag"].lstrip("#"))
            elif kind == LINK and isinstance(feature.get("uri"), str) and span is not None:
                uri = feature["uri"]
                if _shortened(span, uri):
                    replacements.append((start, end, uri.encode("utf-8")))
    if replacements:
        for start, end, uri in sorted(replacements, reverse=True):
            data = data[:start] + uri + data[end:]
        text = data.decode("utf-8", errors="replace")
    return text, list(dict.fromkeys(mentions)), list(dict.fromkeys(hashtags))


def _shortened(shown: str, uri: str) -> bool:
    """Whether link text is a shortened display of ``uri`` (``example.com/pa...``)."""
    for ellipsis in _ELLIPSES:
        if shown.endswith(ellipsis):
            prefix = shown[: -len(ellipsis)]
            bare = uri.split("://", 1)[-1]
            return bool(prefix) and (
                uri.startswith(prefix)
                or bare.startswith(prefix)
                or bare.startswith("www." + prefix)
            )
    return False


@hookimpl
def register_sources(register):
    """Register the Bluesky file source."""
    register(BlueskySource)
