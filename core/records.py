"""Turning one native record (a JSON object or CSV row) into a :class:`Post`.

The native format is one post per JSON line or CSV row. Required: ``id``, ``text``,
``author``, ``created_at``. Every problem raises :class:`RecordError` with a reason the
rejects table shows; nothing here ever loses the input (the caller keeps the raw text).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from hubbub.errors import RecordError
from hubbub.posts import Post

NATIVE_FIELDS = (
    "id",
    "text",
    "author",
    "created_at",
    "platform",
    "url",
    "author_name",
    "author_followers",
    "lang",
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
)
REQUIRED_FIELDS = ("id", "text", "author", "created_at")
_ID_FIELDS = ("reply_to_id", "conversation_id", "repost_of_id", "quote_of_id")
_HANDLE_FIELDS = ("reply_to_author", "repost_of_author", "quote_of_author")
_COUNT_FIELDS = ("author_followers", "likes", "reposts", "replies")

#: the oldest timestamp accepted: public social posts do not predate this
EARLIEST = datetime(1990, 1, 1)
#: how far in the future a timestamp may be (clock skew), beyond which it is rejected
FUTURE_SLACK = timedelta(days=1)
#: epoch numbers at or above this are milliseconds (1e11 seconds would be the year 5138)
EPOCH_MILLIS_FROM = 100_000_000_000

_FLOAT_ID = re.compile(r"^(\d+)\.0*$")
_MENTION = re.compile(r"(?<![\w@])@(\w{1,64}(?:@[\w.-]+\w)?)")
_HASHTAG = re.compile(r"(?<![\w#&])#(\w*[^\W\d_]\w*)")


def parse_id(value: Any, field: str = "id") -> str:
    """An id as a string; integer-valued floats (``119237.0``) are repaired, never rounded."""
    if isinstance(value, str):
        value = value.strip()
        if not value:
            raise RecordError(f"{field} is empty")
        match = _FLOAT_ID.match(value)
        return match.group(1) if match else value
    if isinstance(value, bool):
        raise RecordError(f"{field} must be a string or integer, got {value!r}")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) <= 2**53:
            return str(int(value))
        raise RecordError(
            f"{field} {value!r} is a float: its exact value is lost; quote ids as strings"
        )
    raise RecordError(f"{field} must be a string or integer, got {type(value).__name__}")


def parse_timestamp(value: Any, *, now: datetime | None = None) -> datetime:
    """A naive UTC datetime from ISO 8601 (no offset means UTC) or epoch seconds/milliseconds."""
    if isinstance(value, bool) or value is None or value == "":
        raise RecordError(f"created_at is missing or invalid: {value!r}")
    epoch: float | None = None
    if isinstance(value, int | float):
        epoch = float(value)
    elif isinstance(value, str):
        text = value.strip()
        try:
            epoch = float(text)
        except ValueError:
            epoch = None
        if epoch is None:
            try:
                parsed = datetime.fromisoformat(text)
            except ValueError:
                raise RecordError(
                    f"created_at {value!r} is not an ISO 8601 date or epoch seconds"
                ) from None
            if parsed.tzinfo is not None:
                parsed = parsed.astimezone(UTC).replace(tzinfo=None)
            return _check_range(parsed, value, now)
    else:
        raise RecordError(f"created_at must be a date string or number, got {type(value).__name__}")
    if epoch != epoch or epoch in (float("inf"), float("-inf")):
        raise RecordError(f"created_at {value!r} is not a number")
    if abs(epoch) >= EPOCH_MILLIS_FROM:
        epoch /= 1000.0
    try:
        parsed = datetime(1970, 1, 1) + timedelta(seconds=epoch)
    except OverflowError:
        raise RecordError(f"created_at {value!r} is out of range") from None
    return _check_range(parsed, value, now)


def _check_range(parsed: datetime, original: Any, now: datetime | None) -> datetime:
    latest = (now or datetime.now(UTC).replace(tzinfo=None)) + FUTURE_SLACK
    if parsed < EARLIEST or parsed > latest:
        raise RecordError(
            f"created_at {original!r} is out of range ({EARLIEST:%Y-%m-%d} to a day from now)"
        )
    return parsed


def parse_count(value: Any, field: str) -> int | None:
    """A non-negative whole number (or ``None``); numeric strings such as ``"12"`` are accepted."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise RecordError(f"{field} must be a whole number, got {value!r}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", "").replace("_", "")
        match = _FLOAT_ID.match(text)
        if match:
            text = match.group(1)
        if not text.isdigit():
            raise RecordError(f"{field} must be a whole number, got {value!r}")
        number = int(text)
    else:
        raise RecordError(f"{field} must be a whole number, got {value!r}")
    if number < 0:
        raise RecordError(f"{field} must not be negative, got {value!r}")
    return number


def parse_list(value: Any, field: str, prefix: str) -> list[str] | None:
    """A list of handles or tags without their prefix; a string is split on spaces or commas.

    A string that looks like a JSON list (``'["a", "b"]'``, as CSV exports write it) is
    read as one.
    """
    if value is None or value == "":
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = orjson.loads(text)
            except orjson.JSONDecodeError:
                raise RecordError(f"{field} is not a valid JSON list: {text[:80]!r}") from None
        else:
            value = text.replace(",", " ").split()
    if not isinstance(value, list):
        raise RecordError(f"{field} must be a list, got {type(value).__name__}")
    items = []
    for item in value:
        if not isinstance(item, str):
            raise RecordError(f"{field} must hold strings, got {item!r}")
        item = item.strip().lstrip(prefix)
        if item:
            items.append(item)
    return items


def extract_mentions(text: str) -> list[str]:
    """``@handles`` in ``text`` (Mastodon's ``@user@instance`` kept whole), in order, once each."""
    return list(dict.fromkeys(_MENTION.findall(text)))


def extract_hashtags(text: str) -> list[str]:
    """``#hashtags`` in ``text`` as written, in order, once each (``#1`` is not a tag)."""
    return list(dict.fromkeys(_HASHTAG.findall(text)))


def _optional_str(value: Any, field: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise RecordError(f"{field} must be a string, got {type(value).__name__}")


def post_from_record(
    record: Mapping[str, Any],
    *,
    raw: str,
    source: str,
    platform: str = "native",
    field_map: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> Post:
    """Build a :class:`Post` from a native record; raise :class:`RecordError` if it is unusable.

    :param raw: the record's original text, stored as the raw payload.
    :param field_map: native field -> the column that holds it in this input.
    """
    if not isinstance(record, Mapping):
        raise RecordError(f"expected a JSON object, got {type(record).__name__}")
    get: Callable[[str], Any]
    if field_map:

        def get(name: str) -> Any:
            return record.get(field_map.get(name, name))
    else:
        get = record.get
    missing = [name for name in REQUIRED_FIELDS if get(name) is None]
    if missing:
        raise RecordError(
            "missing required field" + ("s " if len(missing) > 1 else " ") + ", ".join(missing)
        )
    if "\x00" in raw:
        raise RecordError("contains a NUL character")
    text = get("text")
    if not isinstance(text, str):
        raise RecordError(f"text must be a string, got {type(text).__name__}")
    author = get("author")
    if isinstance(author, int) and not isinstance(author, bool):
        author = str(author)
    if not isinstance(author, str) or not author.strip().lstrip("@"):
        raise RecordError("author must be a non-empty string")
    mentions = parse_list(get("mentions"), "mentions", "@")
    hashtags = parse_list(get("hashtags"), "hashtags", "#")
    lang = _optional_str(get("lang"), "lang")
    post = Post(
        platform=(_optional_str(get("platform"), "platform") or platform).lower(),
        external_id=parse_id(get("id")),
        author=author.strip().lstrip("@"),
        text=text,
        created_at=parse_timestamp(get("created_at"), now=now),
        source=source,
        url=_optional_str(get("url"), "url"),
        author_name=_optional_str(get("author_name"), "author_name"),
        lang=lang.lower() if lang else None,
        mentions=mentions if mentions is not None else extract_mentions(text),
        hashtags=hashtags if hashtags is not None else extract_hashtags(text),
        raw=raw,
    )
    for name in _ID_FIELDS:
        value = get(name)
        if value is not None and value != "":
            setattr(post, name, parse_id(value, name))
    for name in _HANDLE_FIELDS:
        value = _optional_str(get(name), name)
        if value:
            setattr(post, name, value.lstrip("@"))
    for name in _COUNT_FIELDS:
        setattr(post, name, parse_count(get(name), name))
    return post
