"""Twitter/X files: API v2 (``twitter-v2``) and API v1.1 (``twitter-v1``).

``twitter-v2`` reads what twarc writes: response pages (``{data, includes, meta,
errors}``) one per line, a JSON array of pages, or one page document; and tweets one
per line as ``twarc2 flatten`` writes them (``author`` and referenced tweets inlined).
Authors come from ``includes.users``; ``referenced_tweets`` become the reply, quote and
repost fields; the tweets in ``includes.tweets`` are imported as posts of their own.

``twitter-v1`` reads classic v1.1 statuses: a search response (``{statuses,
search_metadata}``), a timeline (a JSON array), or one status per line as the
streaming API writes them (``delete``/``limit`` notices are skipped). Embedded
``retweeted_status`` and ``quoted_status`` are imported as posts of their own.

Both sources resume inside a multi-post item (a page, a status with its retweeted
original), so an interrupted import neither loses nor repeats a post; a line may be as
long as a page (twarc pages are hundreds of KiB), and the record size limit applies to
each tweet. docs/formats/twitter.md documents detection and every field mapping.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, ClassVar

import orjson
from hubbub import hookimpl
from hubbub.errors import RecordError
from hubbub.files import FileOptions
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
from hubbub.sniff import Sample

PLATFORM = "twitter"

#: Twitter's language tags that name no language (undetermined; only mentions,
#: cashtags, hashtags or media; too short). ``zxx`` (no linguistic content) is kept.
NO_LANGUAGE_TAGS = frozenset({"und", "qam", "qct", "qht", "qme", "qst"})

#: keys of the v1.1 streaming API's non-status messages (skipped, not rejected)
V1_NOTICES = frozenset(
    {
        "delete",
        "scrub_geo",
        "limit",
        "status_withheld",
        "user_withheld",
        "disconnect",
        "warning",
        "friends",
        "friends_str",
        "event",
        "direct_message",
        "control",
        "for_user",
    }
)

#: keys of the v2 compliance events that can appear where a tweet would (skipped)
V2_EVENTS = frozenset(
    {
        "delete",
        "withheld",
        "scrub_geo",
        "drop",
        "undrop",
        "user_delete",
        "user_undelete",
        "user_suspend",
        "user_unsuspend",
        "user_withheld",
        "user_protect",
        "user_unprotect",
        "user_profile_modification",
    }
)

#: keys only a v2 tweet has (a native record or a v1.1 status has none of them)
V2_TWEET_KEYS = frozenset(
    {
        "author_id",
        "edit_history_tweet_ids",
        "public_metrics",
        "referenced_tweets",
        "note_tweet",
        "reply_settings",
        "__twarc",
    }
)

#: a line may hold a whole response page (up to 500 tweets, a few MiB): lines up to
#: this size are read, and the record size limit applies to each tweet instead

_RETWEET_PREFIX = re.compile(r"RT @(\w+): ")
_STATUS_LINK = re.compile(r"(?:twitter|x)\.com/(\w+)/status/", re.IGNORECASE)
#: per-tweet problems that reject that tweet only, not its whole page
_TWEET_ERRORS = (RecordError, KeyError, TypeError, ValueError, AttributeError)


class TwitterOptions(FileOptions):
    """Options of the Twitter file sources."""

    #: replace each t.co link in the text with the address it stands for (from the entities)
    expand_links: bool = True


# ---------------------------------------------------------------- shared helpers


def _unescape(text: str) -> str:
    """Undo the only HTML escaping Twitter applies to tweet text (``&amp; &lt; &gt;``)."""
    if "&" not in text:
        return text
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _expand_links(text: str, links: Iterable[Any]) -> str:
    """``text`` with each entity's t.co ``url`` replaced by its ``expanded_url``."""
    for link in links:
        short = link.get("url")
        expanded = link.get("expanded_url")
        if short and expanded and short in text:
            text = text.replace(short, expanded)
    return text


def _lang(value: Any) -> str | None:
    """The platform's language tag, lower case; ``None`` for tags that name no language."""
    if not value or value.__class__ is not str:
        return None
    value = value.lower()
    return None if value in NO_LANGUAGE_TAGS else value


def _count(value: Any, field: str) -> int | None:
    if value is None or (value.__class__ is int and value >= 0):
        return value
    return parse_count(value, field)


def _id(value: Any, field: str) -> str | None:
    """An id as a string (``None`` stays ``None``); big integers stay exact."""
    if value is None or value == "":
        return None
    if value.__class__ is str and value.isdigit():
        return value
    return parse_id(value, field)


def _status_url(handle: str | None, post_id: str) -> str:
    """The tweet's address; without a known handle the handle-free form works too."""
    if handle:
        return f"https://x.com/{handle}/status/{post_id}"
    return f"https://x.com/i/web/status/{post_id}"


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(item for item in items if item))


def _check_size(raw: str, limit: int) -> None:
    """Reject a tweet whose raw payload is over the record size limit."""
    if len(raw) * 4 > limit and len(raw.encode()) > limit:
        raise RecordError(f"record over {limit} bytes")


class _TwitterSource(NestedJsonSource):
    """What both Twitter sources share: page-sized lines, resuming inside an item
    (from :class:`~hubbub.nested_json.NestedJsonSource`) and their options."""

    Options: ClassVar[type[TwitterOptions]] = TwitterOptions

    def _reject(self, where: str, error: Exception, record: Any) -> Reject:
        reason = (
            str(error)
            if isinstance(error, RecordError)
            else f"unexpected shape: {type(error).__name__}: {error}"
        )
        # relative to the item: the base puts the item's own position in front
        return Reject(where, reason, dumps(record)[:2000])

    @property
    def _limit(self) -> int:
        return self.options.max_record_bytes  # type: ignore[attr-defined]

    @property
    def _expand(self) -> bool:
        return self.options.expand_links  # type: ignore[attr-defined]


# ---------------------------------------------------------------- sniffing


def _sample_values(sample: Sample, limit: int = 50) -> list[Any]:
    """JSON values to recognise: the first value, the first item, the first lines."""
    values: list[Any] = []
    if isinstance(sample.value, dict):
        values.append(sample.value)
    if sample.kind == "jsonl":
        for line in sample.text.splitlines()[1:limit]:
            try:
                values.append(orjson.loads(line))
            except orjson.JSONDecodeError:
                continue
    first = sample.first_record()
    if isinstance(first, dict) and first is not sample.value:
        values.append(first)
    if isinstance(sample.value, list):
        values.extend(value for value in sample.value[:limit] if isinstance(value, dict))
    return values


def _sample_paths(sample: Sample) -> set[str]:
    """The ijson prefixes in a document sample too long to hold a complete item."""
    import io

    import ijson

    seen: set[str] = set()
    try:
        for prefix, _event, _value in ijson.parse(io.BytesIO(sample.text.encode())):
            seen.add(prefix)
    except ijson.JSONError:
        pass  # the sample ends mid-document
    return seen


def _is_v2_tweet(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and "id" in value
        and ("text" in value or "note_tweet" in value)
        and "user" not in value
        and "id_str" not in value
        and not V2_TWEET_KEYS.isdisjoint(value)
    )


def _is_v2_event(value: Any) -> bool:
    """A compliance event (``{"delete": {"tweet": …}}``): no tweet id of its own, an event key."""
    return isinstance(value, dict) and "id" not in value and not V2_EVENTS.isdisjoint(value)


def _is_v1_status(value: Any) -> bool:
    if not isinstance(value, dict):
        return False
    user = value.get("user")
    return (
        isinstance(user, dict)
        and ("screen_name" in user or "id_str" in user)
        and ("id_str" in value or "id" in value)
        and ("text" in value or "full_text" in value or "extended_tweet" in value)
    )


def _is_v1_notice(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and len(value) <= 2
        and any(key in V1_NOTICES and isinstance(value[key], dict) for key in value)
    )


def _v2_kind(value: Any) -> str | None:
    """``"v2"`` for a v2 page or tweet, ``"other"`` for another shape, ``None`` for no clue."""
    if not isinstance(value, dict):
        return "other"
    if "data" in value:
        data = value["data"]
        first = data[0] if isinstance(data, list) and data else data
        if _is_v2_tweet(first) or _is_v2_event(first):
            return "v2"
        if isinstance(data, list) and not data and ("meta" in value or "includes" in value):
            return "v2"
        return "other"
    if "errors" in value and "id" not in value:
        return None  # an errors-only page: look further
    return "v2" if _is_v2_tweet(value) else "other"


# ---------------------------------------------------------------- API v2


class TwitterV2Source(_TwitterSource):
    """Twitter/X API v2: twarc's response pages, or tweets one per line (``twarc2 flatten``)."""

    name = "twitter-v2"
    description = (
        "Twitter/X API v2: response pages as twarc writes them (data + includes), "
        "or tweets one per line as twarc2 flatten writes them"
    )
    item_prefixes: ClassVar[tuple[str, ...]] = ("item", "")

    @classmethod
    def sniff(cls, sample: Sample) -> float:
        """A v2 page (``data`` holding tweets with ``author_id``…) or a v2 tweet."""
        if sample.kind not in ("json", "jsonl"):
            return 0.0
        if "data" in sample.keys and ("includes" in sample.keys or _is_v2_tweet(sample.first_item)):
            return 0.9
        for value in _sample_values(sample):
            kind = _v2_kind(value)
            if kind is not None:
                return 0.9 if kind == "v2" else 0.0
        if sample.kind == "json" and sample.first_record() is None:
            paths = _sample_paths(sample)
            for base in ("item.data.item", "data.item"):
                if f"{base}.text" in paths and not V2_TWEET_KEYS.isdisjoint(
                    path.rsplit(".", 1)[-1] for path in paths if path.startswith(base + ".")
                ):
                    return 0.85
        return 0.0

    def parse(self, item: Any, raw: str | None = None) -> Iterator[Post | Reject]:
        """A page → its tweets and its included tweets; a (flattened) tweet → it and its references."""
        if isinstance(item, list):
            for index, entry in enumerate(item, 1):
                try:
                    yield from list(self._parse_value(entry, None))
                except _TWEET_ERRORS as error:
                    yield self._reject(f"item {index}", error, entry)
            return
        yield from self._parse_value(item, raw)

    def _parse_value(self, item: Any, raw: str | None) -> Iterator[Post | Reject]:
        if not isinstance(item, dict):
            raise RecordError(f"expected a v2 response page or tweet, got {type(item).__name__}")
        if "data" in item or "includes" in item or ("errors" in item and "id" not in item):
            yield from self._parse_page(item)
            return
        if _is_v2_event(item):
            return  # a compliance event, not a tweet
        yield self._tweet_post(item, {}, {}, raw)
        for ref in item.get("referenced_tweets") or ():
            if isinstance(ref, dict) and "text" in ref and "created_at" in ref:
                try:
                    yield self._tweet_post({k: v for k, v in ref.items() if k != "type"}, {}, {})
                except _TWEET_ERRORS:
                    continue  # a referenced tweet is context: one that is unusable is skipped

    def _parse_page(self, page: Mapping[str, Any]) -> Iterator[Post | Reject]:
        data = page.get("data")
        if data is None:
            tweets: list[Any] = []  # e.g. only `errors`: deleted tweets, suspended users
        elif isinstance(data, dict):
            tweets = [data]
        elif isinstance(data, list):
            tweets = data
        else:
            raise RecordError(
                f"data must be a list of tweets or a tweet, got {type(data).__name__}"
            )
        includes = page.get("includes") or {}
        users = {
            user["id"]: user
            for user in includes.get("users") or ()
            if isinstance(user, dict) and "id" in user
        }
        included = {
            tweet["id"]: tweet
            for tweet in includes.get("tweets") or ()
            if isinstance(tweet, dict) and "id" in tweet
        }
        rules = page.get("matching_rules")
        seen: set[Any] = set()
        for tweet in tweets:
            if not isinstance(tweet, dict):
                yield self._reject("tweet ?", RecordError("a tweet must be an object"), tweet)
                continue
            if _is_v2_event(tweet):
                continue  # a compliance event (stream), not a tweet
            seen.add(tweet.get("id"))
            try:
                yield self._tweet_post(tweet, users, included, rules=rules)
            except _TWEET_ERRORS as error:
                yield self._reject(f"tweet {tweet.get('id', '?')}", error, tweet)
        for tweet_id, tweet in included.items():
            if tweet_id in seen:
                continue
            try:
                yield self._tweet_post(tweet, users, included)
            except _TWEET_ERRORS:
                continue  # an included tweet is context: one that is unusable is skipped

    def _tweet_post(
        self,
        tweet: Mapping[str, Any],
        users: Mapping[str, Any],
        included: Mapping[str, Any],
        raw: str | None = None,
        rules: Any = None,
    ) -> Post:
        """One v2 tweet → a post, its author and references looked up in the page."""
        post_id = _id(tweet.get("id"), "id")
        if post_id is None:
            raise RecordError("tweet has no id")
        text, entities = _v2_text(tweet)
        if text is None:
            withheld = tweet.get("withheld")
            if withheld:
                countries = (
                    ", ".join((withheld or {}).get("country_codes") or ()) or "some countries"
                )
                raise RecordError(f"tweet {post_id} is withheld ({countries}) and has no text")
            raise RecordError(f"tweet {post_id} has no text")
        author_id = tweet.get("author_id")
        user = _v2_user(tweet, users)
        handle = (user.get("username") if user else None) or author_id
        if not handle:
            raise RecordError(f"tweet {post_id} has no author_id")
        handle = str(handle)
        known_handle = bool(user and user.get("username"))
        author_name = followers = None
        if user:
            author_name = user.get("name")
            followers = _count(
                (user.get("public_metrics") or {}).get("followers_count"), "followers"
            )
        reply_to_id = reply_to_author = quote_of_id = quote_of_author = None
        repost_of_id = repost_of_author = None
        replied = retweeted = None
        for ref in tweet.get("referenced_tweets") or ():
            ref_id = _id(ref.get("id"), "referenced_tweets.id")
            if ref_id is None:
                continue
            found = included.get(ref_id) or (ref if "text" in ref else None)
            kind = ref.get("type")
            if kind == "replied_to":
                reply_to_id, replied = ref_id, found
            elif kind == "quoted":
                quote_of_id, quote_of_author = ref_id, _v2_author(found, users)
            elif kind == "retweeted":
                repost_of_id, retweeted = ref_id, found
                repost_of_author = _v2_author(found, users)
        reply_user_id = tweet.get("in_reply_to_user_id")
        if reply_user_id is not None or reply_to_id is not None:
            reply_user = tweet.get("in_reply_to_user") or users.get(reply_user_id)
            reply_to_author = (
                (reply_user.get("username") if reply_user else None)
                or (str(reply_user_id) if reply_user_id is not None else None)
                or _v2_author(replied, users)
            )
        lead: str | None = None
        if repost_of_id is not None:
            match = _RETWEET_PREFIX.match(text)
            if match:
                lead = match.group(1)
                repost_of_author = repost_of_author or lead
                if retweeted is not None:  # v2 truncates a retweet's text: take the original's
                    original, original_entities = _v2_text(retweeted)
                    if original is not None:
                        text, entities = match.group(0) + original, original_entities
        text = _unescape(text)
        if entities is not None:
            mentions = _unique(
                [lead or ""] + [m.get("username") for m in entities.get("mentions") or ()]
            )
            hashtags = _unique(h.get("tag") for h in entities.get("hashtags") or ())
            if self._expand and entities.get("urls"):
                text = _expand_links(text, entities["urls"])
        else:
            mentions = extract_mentions(text) if "@" in text else []
            hashtags = extract_hashtags(text) if "#" in text else []
        metrics = tweet.get("public_metrics") or {}
        if raw is None:
            payload = dict(tweet)
            if user and "author" not in payload:
                payload["author"] = user
            if rules is not None:
                payload["matching_rules"] = rules
            raw = dumps(payload)
        _check_size(raw, self._limit)
        return Post(
            platform=PLATFORM,
            external_id=post_id,
            author=handle,
            text=text,
            created_at=parse_timestamp(tweet.get("created_at"), now=self._now),
            source=self.key,
            url=_status_url(handle if known_handle else None, post_id),
            author_name=author_name,
            author_followers=followers,
            lang=_lang(tweet.get("lang")),
            reply_to_id=reply_to_id,
            reply_to_author=reply_to_author,
            conversation_id=_id(tweet.get("conversation_id"), "conversation_id"),
            repost_of_id=repost_of_id,
            repost_of_author=repost_of_author,
            quote_of_id=quote_of_id,
            quote_of_author=quote_of_author,
            mentions=mentions,
            hashtags=hashtags,
            likes=_count(metrics.get("like_count"), "like_count"),
            # a retweet carries its original's retweet_count; the retweet itself has none
            reposts=(0 if metrics else None)
            if repost_of_id is not None
            else _count(metrics.get("retweet_count"), "retweet_count"),
            replies=_count(metrics.get("reply_count"), "reply_count"),
            raw=raw,
        )


def _v2_text(tweet: Mapping[str, Any]) -> tuple[str | None, Mapping[str, Any] | None]:
    """A v2 tweet's full text and the entities that go with it (a long post's ``note_tweet``)."""
    note = tweet.get("note_tweet")
    if isinstance(note, dict) and isinstance(note.get("text"), str):
        return note["text"], note.get("entities")
    text = tweet.get("text")
    if text is not None and text.__class__ is not str:
        raise RecordError(f"text must be a string, got {type(text).__name__}")
    return text, tweet.get("entities")


def _v2_user(tweet: Mapping[str, Any] | None, users: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """A tweet's author: inlined (``twarc2 flatten``) or from ``includes.users``."""
    if tweet is None:
        return None
    author = tweet.get("author")
    if isinstance(author, dict) and author:
        return author
    return users.get(tweet.get("author_id"))


def _v2_author(tweet: Mapping[str, Any] | None, users: Mapping[str, Any]) -> str | None:
    """The handle of a referenced tweet's author (its numeric id if the user is missing)."""
    if tweet is None:
        return None
    user = _v2_user(tweet, users)
    handle = (user.get("username") if user else None) or tweet.get("author_id")
    return str(handle) if handle else None


# ---------------------------------------------------------------- API v1.1


class TwitterV1Source(_TwitterSource):
    """Twitter API v1.1 statuses: search responses, timelines, streams (one status per line)."""

    name = "twitter-v1"
    description = (
        "Twitter API v1.1 statuses: a search response, a timeline array, "
        "or one status per line (streaming API)"
    )
    item_prefixes: ClassVar[tuple[str, ...]] = ("statuses.item", "item", "")

    @classmethod
    def sniff(cls, sample: Sample) -> float:
        """A search response, or statuses with a ``user`` object (stream notices count too)."""
        if sample.kind not in ("json", "jsonl"):
            return 0.0
        if "statuses" in sample.keys and (
            "search_metadata" in sample.keys or _is_v1_status(sample.first_item)
        ):
            return 0.95
        notices = False
        for value in _sample_values(sample):
            if isinstance(value, dict) and isinstance(value.get("statuses"), list):
                statuses = value["statuses"]
                if "search_metadata" in value or (statuses and _is_v1_status(statuses[0])):
                    return 0.95
            if _is_v1_status(value):
                return 0.9
            if _is_v1_notice(value):
                notices = True
                continue
            return 0.0
        if notices:
            return 0.85
        if sample.kind == "json" and sample.first_record() is None:
            paths = _sample_paths(sample)
            if "item.user.screen_name" in paths and "item.id_str" in paths:
                return 0.85
        return 0.0

    def parse(self, item: Any, raw: str | None = None) -> Iterator[Post | Reject]:
        """A status → it and the originals it embeds; a list or search response → each status."""
        if isinstance(item, dict) and isinstance(item.get("statuses"), list):
            item = item["statuses"]
        if isinstance(item, list):
            for index, status in enumerate(item, 1):
                try:
                    yield from list(self._parse_status(status, None))
                except _TWEET_ERRORS as error:
                    yield self._reject(f"status {index}", error, status)
            return
        yield from self._parse_status(item, raw)

    def _parse_status(self, status: Any, raw: str | None) -> Iterator[Post]:
        if not isinstance(status, dict):
            raise RecordError(f"expected a v1.1 status object, got {type(status).__name__}")
        if "text" not in status and "full_text" not in status and "extended_tweet" not in status:
            if not V1_NOTICES.isdisjoint(status):
                return  # a stream notice (delete, limit, …): not a post
            keys = ", ".join(sorted(status)[:8])
            raise RecordError(f"not a v1.1 status (no text); keys: {keys}")
        post = self._status_post(status, raw)
        yield post
        seen = {post.external_id}
        retweeted = status.get("retweeted_status")
        embedded = [retweeted, status.get("quoted_status")]
        if isinstance(retweeted, dict):
            embedded.append(retweeted.get("quoted_status"))
        for original in embedded:
            if not isinstance(original, dict):
                continue
            try:
                original_post = self._status_post(original, None)
            except _TWEET_ERRORS:
                continue  # an embedded original is context: one that is unusable is skipped
            if original_post.external_id not in seen:
                seen.add(original_post.external_id)
                yield original_post

    def _status_post(self, status: Mapping[str, Any], raw: str | None) -> Post:
        """One v1.1 status → a post."""
        post_id = _id(status.get("id_str") or status.get("id"), "id_str")
        if post_id is None:
            raise RecordError("status has no id_str")
        user = status.get("user")
        if not isinstance(user, dict):
            raise RecordError(f"status {post_id} has no user")
        screen_name = user.get("screen_name")
        handle = screen_name or _id(user.get("id_str") or user.get("id"), "user.id_str")
        if not handle:
            raise RecordError(f"status {post_id} has no user screen_name or id")
        text, entities, links = _v1_text(status)
        repost_of_id = repost_of_author = quote_of_id = quote_of_author = None
        lead: str | None = None
        retweeted = status.get("retweeted_status")
        if isinstance(retweeted, dict):
            repost_of_id = _id(
                retweeted.get("id_str") or retweeted.get("id"), "retweeted_status.id"
            )
            repost_of_author = (retweeted.get("user") or {}).get("screen_name")
            match = _RETWEET_PREFIX.match(text)
            if match:
                lead = match.group(1)
                repost_of_author = repost_of_author or lead
                # a retweet's own text is cut at 140 characters: take the original's
                text, entities, links = _v1_text(retweeted, prefix=match.group(0))
        else:
            quoted = status.get("quoted_status")
            quote_of_id = _id(
                status.get("quoted_status_id_str") or status.get("quoted_status_id"),
                "quoted_status_id_str",
            )
            if isinstance(quoted, dict):
                quote_of_id = quote_of_id or _id(quoted.get("id_str") or quoted.get("id"), "id")
                quote_of_author = (quoted.get("user") or {}).get("screen_name")
            if quote_of_id is not None and quote_of_author is None:
                permalink = (status.get("quoted_status_permalink") or {}).get("expanded") or ""
                match = _STATUS_LINK.search(permalink)
                quote_of_author = match.group(1) if match else None
        reply_to_id = _id(
            status.get("in_reply_to_status_id_str") or status.get("in_reply_to_status_id"),
            "in_reply_to_status_id_str",
        )
        reply_to_author = status.get("in_reply_to_screen_name") or None
        text = _unescape(text)
        if entities is not None:
            mentions = _unique(
                [lead or ""] + [m.get("screen_name") for m in entities.get("user_mentions") or ()]
            )
            hashtags = _unique(h.get("text") for h in entities.get("hashtags") or ())
            if self._expand and links:
                text = _expand_links(text, links)
        else:
            mentions = extract_mentions(text) if "@" in text else []
            hashtags = extract_hashtags(text) if "#" in text else []
        if raw is None:
            raw = dumps(status)
        _check_size(raw, self._limit)
        retweet_count = status.get("retweet_count")
        return Post(
            platform=PLATFORM,
            external_id=post_id,
            author=str(handle),
            text=text,
            created_at=parse_timestamp(
                status.get("created_at") or status.get("timestamp_ms"), now=self._now
            ),
            source=self.key,
            url=_status_url(screen_name, post_id),
            author_name=user.get("name") or None,
            author_followers=_count(user.get("followers_count"), "followers_count"),
            lang=_lang(status.get("lang")),
            reply_to_id=reply_to_id,
            reply_to_author=reply_to_author,
            # v1.1 names no conversation; a tweet that replies to nothing starts its own
            conversation_id=post_id if reply_to_id is None else None,
            repost_of_id=repost_of_id,
            repost_of_author=repost_of_author,
            quote_of_id=quote_of_id,
            quote_of_author=quote_of_author,
            mentions=mentions,
            hashtags=hashtags,
            likes=_count(status.get("favorite_count"), "favorite_count"),
            # a retweet carries its original's retweet_count; the retweet itself has none
            reposts=(0 if retweet_count is not None else None)
            if repost_of_id is not None
            else _count(retweet_count, "retweet_count"),
            replies=_count(status.get("reply_count"), "reply_count"),
            raw=raw,
        )


def _v1_text(
    status: Mapping[str, Any], prefix: str = ""
) -> tuple[str, Mapping[str, Any] | None, list[Any]]:
    """A status's full text, its entities and its links (t.co → expanded).

    ``extended_tweet.full_text`` (streams) and ``full_text`` (``tweet_mode=extended``)
    are preferred over the truncated ``text``; ``prefix`` is put before the text.
    """
    extended = status.get("extended_tweet")
    if isinstance(extended, dict) and isinstance(extended.get("full_text"), str):
        text, entities = extended["full_text"], extended.get("entities")
        media = (extended.get("extended_entities") or {}).get("media")
    else:
        text = status.get("full_text")
        if text is None:
            text = status.get("text")
        entities = status.get("entities")
        media = (status.get("extended_entities") or {}).get("media")
    if text.__class__ is not str:
        raise RecordError(f"status text must be a string, got {type(text).__name__}")
    links: list[Any] = []
    if isinstance(entities, dict):
        links.extend(entities.get("urls") or ())
        links.extend(media or entities.get("media") or ())
    return prefix + text, entities, links


@hookimpl
def register_sources(register: Any) -> None:
    """Register the Twitter/X v2 and v1.1 file sources."""
    register(TwitterV2Source)
    register(TwitterV1Source)
