"""Mastodon statuses as the API returns them (``--format mastodon``).

Reads Status entities from a timeline (a JSON array), one status per line, a search v2
response (``{accounts, statuses, hashtags}``) or a context response (``{ancestors,
descendants}``), in a file or one per line. ``content`` HTML becomes plain text (see
:mod:`hubbub.html_text`), mentions read ``@acct`` from the ``mentions`` entities
(``user@instance`` for remote accounts), a reblog becomes a repost of its inner status
(which is imported too), and a quote (Mastodon 4.4+) names the quoted status.

Conversation id: the thread's root when it is known, that is a status with no
``in_reply_to_id`` (its own id), a status whose reply chain reaches such a root in the
same response, or every status of a context response whose root is in it. A reply
whose root is not in the input gets none: ``in_reply_to_id`` names only the parent,
and taking it for the root would split one thread into many. See
``docs/formats/mastodon.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import orjson
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

#: the streaming API's event names
STREAM_EVENTS = frozenset(
    {
        "update",
        "status.update",
        "delete",
        "notification",
        "filters_changed",
        "conversation",
        "announcement",
        "announcement.reaction",
        "announcement.delete",
        "encrypted_message",
    }
)


def is_status(value: Any) -> bool:
    """Whether ``value`` looks like a Mastodon Status entity."""
    return (
        has_keys(value, "id", "created_at", "account")
        and ("content" in value or "text" in value)
        and ("uri" in value or "visibility" in value)
        and isinstance(value["account"], dict)
        and "acct" in value["account"]
    )


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


class MastodonSource(NestedJsonSource):
    """Mastodon API statuses: timelines, search v2 and context responses, JSON Lines."""

    name = "mastodon"
    description = "Mastodon API statuses: timelines, search v2, context, one status per line"
    item_prefixes = ("item", "statuses.item", "")

    @classmethod
    def sniff(cls, sample: Sample) -> float:
        """A Status entity, or a search v2 or context response."""
        if sample.kind not in ("json", "jsonl"):
            return 0.0
        keys = set(sample.keys) | (set(sample.value) if isinstance(sample.value, dict) else set())
        if {"ancestors", "descendants"} <= keys or {"accounts", "statuses", "hashtags"} <= keys:
            return 0.9
        first = sample.first_record()
        if is_status(first):
            return 0.9
        if has_keys(first, "id", "type", "created_at", "account") and has_keys(
            first["account"], "acct"
        ):
            return 0.85  # a notification
        if has_keys(first, "event", "payload") and first["event"] in STREAM_EVENTS:
            return 0.85
        # a search v2 response too big for the sample: only its first account was seen
        if sample.keys[:1] == ["accounts"] and has_keys(
            first, "acct", "username", "followers_count"
        ):
            return 0.8
        return 0.0

    # ------------------------------------------------------------ containers

    def parse(self, item: Any, raw: str | None = None) -> Iterable[Post | Reject]:
        """One status, a list of them, or a search v2 / context response → posts."""
        if (
            item.__class__ is dict
            and "content" in item
            and "account" in item
            and item.get("reblog") is None
            and item.get("quote") is None
        ):
            # the common case, one plain status, without the walk below
            return [self._post(item, raw=raw, conversation=None, authors=None)]
        return self._containers(item, raw)

    def _containers(self, item: Any, raw: str | None) -> Iterator[Post | Reject]:
        if isinstance(item, list):
            yield from self._statuses(item, "status")
        elif isinstance(item, dict) and ("ancestors" in item or "descendants" in item):
            yield from self._context(item)
        elif isinstance(item, dict) and "statuses" in item and "account" not in item:
            statuses = item["statuses"]
            if not isinstance(statuses, list):
                raise RecordError("statuses is not a list")
            yield from self._statuses(statuses, "status")
        elif isinstance(item, dict) and "event" in item and "payload" in item:
            yield from self._stream_event(item)
        elif isinstance(item, dict) and "type" in item and "account" in item:
            # a notification: a mention, reblog or favourite has a status, a follow none
            if isinstance(item.get("status"), dict):
                yield from self._status(item["status"])
        elif isinstance(item, dict) and ("account" in item or "content" in item):
            yield from self._status(item, raw=raw)
        else:
            raise RecordError("not a Mastodon status, search or context response")

    def _stream_event(self, event: dict[str, Any]) -> Iterator[Post | Reject]:
        """A streaming API event: an ``update`` or ``status.update`` holds a status."""
        if event["event"] not in ("update", "status.update"):
            return  # delete, notification, filters_changed, …: no new status
        payload = event["payload"]
        if isinstance(payload, str):
            try:
                payload = orjson.loads(payload)
            except orjson.JSONDecodeError:
                raise RecordError("stream event payload is not JSON") from None
        yield from self._status(payload)

    def _context(self, item: dict[str, Any]) -> Iterator[Post | Reject]:
        ancestors = item.get("ancestors") or []
        descendants = item.get("descendants") or []
        if not isinstance(ancestors, list) or not isinstance(descendants, list):
            raise RecordError("ancestors and descendants must be lists")
        root: str | None = None
        first = ancestors[0] if ancestors else None
        if isinstance(first, dict) and first.get("id") is not None:
            if first.get("in_reply_to_id") is None:
                root = parse_id(first["id"])
        elif descendants and isinstance(descendants[0], dict):
            # no ancestors: the status asked about is the root, and the first
            # descendant (they come in thread order) replies to it
            parent = descendants[0].get("in_reply_to_id")
            root = parse_id(parent, "in_reply_to_id") if parent is not None else None
        labelled = [("ancestor", n, s) for n, s in enumerate(ancestors, 1)]
        labelled += [("descendant", n, s) for n, s in enumerate(descendants, 1)]
        yield from self._statuses_labelled(labelled, root)

    def _statuses(self, statuses: list[Any], label: str) -> Iterator[Post | Reject]:
        yield from self._statuses_labelled(
            [(label, n, status) for n, status in enumerate(statuses, 1)], None
        )

    def _statuses_labelled(
        self, labelled: list[tuple[str, int, Any]], root: str | None
    ) -> Iterator[Post | Reject]:
        """Statuses of one response: reply authors and thread roots resolved among them."""
        authors: dict[str, str] = {}
        parents: dict[str, str | None] = {}
        for _label, _n, status in labelled:
            if isinstance(status, dict) and status.get("id") is not None:
                key = str(status["id"])
                account = status.get("account")
                if isinstance(account, dict) and isinstance(account.get("acct"), str):
                    authors[key] = account["acct"]
                parent = status.get("in_reply_to_id")
                parents[key] = str(parent) if parent is not None else None
        for label, n, status in labelled:
            conversation = root or _thread_root(status, parents)
            yield from self.guarded(
                f"{label} {n}",
                status,
                lambda value, conversation=conversation: self._status(
                    value, conversation=conversation, authors=authors
                ),
            )

    # ------------------------------------------------------------ one status

    def _status(
        self,
        status: Any,
        *,
        raw: str | None = None,
        conversation: str | None = None,
        authors: dict[str, str] | None = None,
    ) -> Iterator[Post]:
        """A status → its post; a reblog → the inner status's post, then the repost."""
        if not isinstance(status, dict):
            raise RecordError(f"expected a status object, got {type(status).__name__}")
        inner = status.get("reblog")
        if isinstance(inner, dict):
            original = self._post(inner, raw=None, conversation=None, authors=authors)
            quoted = self._quoted_status(inner)
            if quoted is not None:
                yield quoted
            yield original
            repost = self._post(status, raw=raw, conversation=None, authors=authors)
            repost.text = original.text
            repost.mentions = original.mentions
            repost.hashtags = original.hashtags
            repost.lang = repost.lang or original.lang
            repost.repost_of_id = original.external_id
            repost.repost_of_author = original.author
            repost.reply_to_id = repost.reply_to_author = repost.conversation_id = None
            yield repost
            return
        quoted = self._quoted_status(status)
        if quoted is not None:
            yield quoted
        yield self._post(status, raw=raw, conversation=conversation, authors=authors)

    def _quoted_status(self, status: dict[str, Any]) -> Post | None:
        """The post of a status quoted in full (Mastodon 4.4 ``quote.quoted_status``)."""
        quoted = _quote_status(status)
        if quoted is None:
            return None
        return self._post(quoted, raw=None, conversation=None, authors=None)

    def _post(
        self,
        status: dict[str, Any],
        *,
        raw: str | None,
        conversation: str | None,
        authors: dict[str, str] | None,
    ) -> Post:
        account = status.get("account")
        if not isinstance(account, dict):
            raise RecordError("status has no account")
        author = _text_or_none(account.get("acct")) or _text_or_none(account.get("username"))
        if author is None:
            raise RecordError("status account has no acct")
        if status.get("id") is None:
            raise RecordError("status has no id")
        status_id = status["id"]
        external_id = (
            status_id if status_id.__class__ is str and status_id.isdigit() else parse_id(status_id)
        )
        mentions_entities = status.get("mentions")
        entities = mentions_entities if isinstance(mentions_entities, list) else []
        by_url: dict[str, str] = {}
        by_username: dict[str, str] = {}
        by_id: dict[str, str] = {}
        mentions: list[str] = []
        for mention in entities:
            if isinstance(mention, dict) and isinstance(mention.get("acct"), str):
                acct = mention["acct"]
                mentions.append(acct)
                if mention.get("url"):
                    by_url[mention["url"]] = acct
                if mention.get("username"):
                    by_username.setdefault(str(mention["username"]).lower(), acct)
                if mention.get("id") is not None:
                    by_id[str(mention["id"])] = acct

        def link_text(href: str, visible: str, classes: frozenset[str]) -> str | None:
            if ("mention" in classes and "hashtag" not in classes) or href in by_url:
                acct = by_url.get(href) or by_username.get(visible.lstrip("@").lower())
                if acct is not None:
                    return "@" + acct
            return None

        content = status.get("content")
        if isinstance(content, str) and content:
            text = html_to_text(content, link_text=link_text if mentions else None)
        else:
            # a deleted-and-redrafted status's source, or a media-only post: no content
            text = _text_or_none(status.get("text")) or ""
        spoiler = _text_or_none(status.get("spoiler_text"))
        if spoiler:
            text = f"{spoiler.strip()}\n\n{text}" if text else spoiler.strip()

        if isinstance(mentions_entities, list):
            mentions = list(dict.fromkeys(mentions)) if len(mentions) > 1 else mentions
        else:
            mentions = extract_mentions(text) if "@" in text else []
        tags = status.get("tags")
        if isinstance(tags, list):
            hashtags = list(
                dict.fromkeys(
                    tag["name"] for tag in tags if isinstance(tag, dict) and tag.get("name")
                )
            )
        else:
            hashtags = extract_hashtags(text) if "#" in text else []

        reply_to = status.get("in_reply_to_id")
        reply_to_id = parse_id(reply_to, "in_reply_to_id") if reply_to is not None else None
        reply_to_author = None
        if reply_to_id is not None:
            account_id = status.get("in_reply_to_account_id")
            if account_id is not None:
                account_id = str(account_id)
                if account_id in by_id:
                    reply_to_author = by_id[account_id]
                elif account_id == str(account.get("id")):
                    reply_to_author = author
            if reply_to_author is None and authors:
                reply_to_author = authors.get(reply_to_id)
        if conversation is None and reply_to_id is None:
            conversation = external_id

        quote_of_id = quote_of_author = None
        quote = status.get("quote")
        if isinstance(quote, dict):
            quoted = _quote_status(status)
            if quoted is not None:
                quote_of_id = parse_id(quoted["id"], "quote id")
                quoted_account = quoted.get("account")
                if isinstance(quoted_account, dict):
                    quote_of_author = _text_or_none(quoted_account.get("acct"))
            elif quote.get("quoted_status_id") is not None:
                quote_of_id = parse_id(quote["quoted_status_id"], "quoted_status_id")

        language = _text_or_none(status.get("language"))
        return Post(
            platform="mastodon",
            external_id=external_id,
            author=author.lstrip("@"),
            text=text,
            created_at=parse_timestamp(status.get("created_at"), now=self.now()),
            source=self.key,
            url=_text_or_none(status.get("url")) or _text_or_none(status.get("uri")),
            author_name=_text_or_none(account.get("display_name")),
            author_followers=_count(account.get("followers_count"), "followers_count"),
            lang=language.lower() if language else None,
            reply_to_id=reply_to_id,
            reply_to_author=reply_to_author,
            conversation_id=conversation,
            quote_of_id=quote_of_id,
            quote_of_author=quote_of_author,
            mentions=mentions,
            hashtags=hashtags,
            likes=_count(status.get("favourites_count"), "favourites_count"),
            reposts=_count(status.get("reblogs_count"), "reblogs_count"),
            replies=_count(status.get("replies_count"), "replies_count"),
            raw=raw if raw is not None else dumps(status),
        )


def _count(value: Any, field: str) -> int | None:
    """A count; the common case (a non-negative int) without a call."""
    if value.__class__ is int and value >= 0:
        return value
    return parse_count(value, field)


def _quote_status(status: dict[str, Any]) -> dict[str, Any] | None:
    """The quoted status in full, if the status carries one (``quote.quoted_status``)."""
    quote = status.get("quote")
    if not isinstance(quote, dict):
        return None
    quoted = quote.get("quoted_status")
    if isinstance(quoted, dict) and quoted.get("id") is not None:
        return quoted
    if is_status(quote):  # older servers (Fedibird) put the status itself here
        return quote
    return None


def _thread_root(status: Any, parents: dict[str, str | None]) -> str | None:
    """The root of ``status``'s reply chain if the chain stays inside ``parents``."""
    if not isinstance(status, dict) or status.get("id") is None:
        return None
    current = str(status["id"])
    for _ in range(len(parents) + 1):
        if current not in parents:
            return None
        parent = parents[current]
        if parent is None:
            return current
        current = parent
    return None  # a cycle


@hookimpl
def register_sources(register):
    """Register the Mastodon file source."""
    register(MastodonSource)
