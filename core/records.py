"""Turning one native record (a JSON object or CSV row) into a :class:`Post`.

The native format is one post per JSON line or CSV row. Required: ``id``, ``text``,
``author``, ``created_at``. Every problem raises :class:`RecordError` with a reason the
rejects table shows; nothing here ever loses the input (the caller keeps the raw text).
"""

from __future__ import annotations

import re
import time
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

#: the oldest timestamp accepted: public social posts do not predate this
EARLIEST = datetime(1990, 1, 1)
#: how far in the future a timestamp may be (clock skew), beyond which it is rejected
FUTURE_SLACK = timedelta(days=1)
#: epoch numbers at or above this are milliseconds (1e11 seconds would be the year 5138)
EPOCH_MILLIS_FROM = 100_000_000_000

_FLOAT_ID = re.compile(r"^(\d+)\.0*$")
_MENTION = re.compile(r"(?<![\w@])@(\w{1,64}(?:@[\w.-]+\w)?)")
_HASHTAG = re.compile(r"(?<![\w#&])#(\w+)")


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
    """A naive UTC datetime from ISO 8601 (no offset means UTC) or epoch seconds/milliseconds.

    Dates that are not ISO 8601 fall back to Twitter's v1.1 form (``Tue Oct 31 22:10:47
    +0000 2017``) and RFC 2822 (``Tue, 31 Oct 2017 22:10:47 +0000``), tried only after
    the ISO parse fails, so the common case stays fast.
    """
    if value.__class__ is str and value[10:11] == "T":  # the common case: ISO 8601
        # a UTC suffix is cut before parsing: datetime.replace(tzinfo=None) costs ten
        # times the parse itself
        if value[-1:] == "Z":
            text = value[:-1]
        elif value[-6:] == "+00:00":
            text = value[:-6]
        else:
            text = value
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            pass  # the general path below explains what is wrong
        else:
            if parsed.tzinfo is not None:
                parsed = parsed.astimezone(UTC).replace(tzinfo=None)
            return _check_range(parsed, value, now)
    if isinstance(value, bool) or value is None or value == "":
        raise RecordError(f"created_at is missing or invalid: {value!r}")
    epoch: float | None = None
    if isinstance(value, int | float):
        epoch = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if "-" in text[1:] or ":" in text or "T" in text:
            try:
                parsed = datetime.fromisoformat(text)
            except ValueError:
                textual = _parse_textual_date(text)
                if textual is None:
                    raise RecordError(
                        f"created_at {value!r} is not an ISO 8601 date or epoch seconds"
                    ) from None
                parsed = textual
            if parsed.tzinfo is not None:
                parsed = parsed.astimezone(UTC).replace(tzinfo=None)
            return _check_range(parsed, value, now)
        try:
            epoch = float(text)
        except ValueError:
            textual = _parse_textual_date(text)
            if textual is None:
                raise RecordError(
                    f"created_at {value!r} is not an ISO 8601 date or epoch seconds"
                ) from None
            return _check_range(textual.astimezone(UTC).replace(tzinfo=None), value, now)
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


_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
#: Twitter v1.1's ``created_at``: ``Tue Oct 31 22:10:47 +0000 2017`` (English names, any locale)
_TWITTER_DATE = re.compile(
    r"^(?:mon|tue|wed|thu|fri|sat|sun) ([a-z]{3}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) "
    r"([+-])(\d{2})(\d{2}) (\d{4})$",
    re.IGNORECASE,
)


def _parse_textual_date(text: str) -> datetime | None:
    """An aware datetime from Twitter's v1.1 date form or RFC 2822, else ``None``."""
    match = _TWITTER_DATE.match(text)
    if match:
        month_name, day, hour, minute, second, sign, off_h, off_m, year = match.groups()
        month = _MONTHS.get(month_name.lower())
        if month is None:
            return None
        offset = timedelta(hours=int(off_h), minutes=int(off_m))
        try:
            local = datetime(int(year), month, int(day), int(hour), int(minute), int(second))
            utc = local - offset if sign == "+" else local + offset
        except (ValueError, OverflowError):
            return None
        return utc.replace(tzinfo=UTC)
    from email.utils import parsedate_to_datetime

    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _latest_accepted(now: datetime | None) -> datetime:
    """The latest timestamp accepted: a day after ``now`` (default: the clock, read once a minute)."""
    if now is not None:
        return now + FUTURE_SLACK
    global _clock_latest
    expires, latest = _clock_latest
    moment = time.monotonic()
    if moment >= expires:
        latest = datetime.now(UTC).replace(tzinfo=None) + FUTURE_SLACK
        _clock_latest = (moment + 60.0, latest)
    return latest


_clock_latest: tuple[float, datetime] = (0.0, EARLIEST)


def _check_range(parsed: datetime, original: Any, now: datetime | None) -> datetime:
    if parsed < EARLIEST or parsed > _latest_accepted(now):
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
    return list(dict.fromkeys(tag for tag in _HASHTAG.findall(text) if not tag.isdigit()))


def _holds_nul(value: Any) -> bool:
    """Whether a parsed value holds a NUL character anywhere (a JSON ``\\u0000`` escape)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def _optional_str(value: Any, field: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise RecordError(f"{field} must be a string, got {type(value).__name__}")


def _text(value: Any, field: str) -> str | None:
    # the common case (a non-empty string or nothing) without a function call
    if value is None or (value.__class__ is str and value):
        return value
    return _optional_str(value, field)


def _handle(value: Any, field: str) -> str | None:
    value = _text(value, field)
    return value.lstrip("@") if value else None


def _ref(value: Any, field: str) -> str | None:
    if value.__class__ is str and value.isdigit():  # the common case: already clean
        return value
    if value is None or value == "":
        return None
    return parse_id(value, field)


def _count(value: Any, field: str) -> int | None:
    if value is None or (value.__class__ is int and value >= 0):
        return value
    return parse_count(value, field)


def _lang(value: Any, field: str) -> str | None:
    value = _text(value, field)
    return value.lower() if value else None


#: optional native field -> (Post attribute, how its value is read); fields not here
#: (and unknown fields) stay only in the raw payload
_OPTIONAL_FIELDS: dict[str, Callable[[Any, str], Any]] = {
    "url": _text,
    "author_name": _text,
    "author_followers": _count,
    "lang": _lang,
    "reply_to_id": _ref,
    "reply_to_author": _handle,
    "conversation_id": _ref,
    "repost_of_id": _ref,
    "repost_of_author": _handle,
    "quote_of_id": _ref,
    "quote_of_author": _handle,
    "likes": _count,
    "reposts": _count,
    "replies": _count,
}


#: per key set of a record: (optional field, reader) pairs, and whether it holds
#: platform, mentions and hashtags
_Plan = tuple[tuple[tuple[str, Callable[[Any, str], Any]], ...], bool, bool, bool]
_plans: dict[tuple[str, ...], _Plan] = {}
#: key sets remembered at most (an input whose records each have other keys is rare)
_PLANS_KEPT = 256


def _plan(keys: tuple[str, ...]) -> _Plan:
    """How to read the optional fields of records with these keys (and remember it)."""
    if len(_plans) >= _PLANS_KEPT:
        _plans.clear()
    plan = _plans[keys] = (
        tuple((key, _OPTIONAL_FIELDS[key]) for key in keys if key in _OPTIONAL_FIELDS),
        "platform" in keys,
        "mentions" in keys,
        "hashtags" in keys,
    )
    return plan


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
    :param now: the current UTC time (pass it once per file: timestamps more than a day
        after it are rejected).
    """
    if record.__class__ is not dict and not isinstance(record, Mapping):
        raise RecordError(f"expected a JSON object, got {type(record).__name__}")
    if "\x00" in raw or ("\\u0000" in raw and _holds_nul(record)):
        raise RecordError("contains a NUL character")
    if field_map:
        record = {name: record.get(field_map.get(name, name)) for name in NATIVE_FIELDS}
    get = record.get
    external_id, text, author, created_at = get("id"), get("text"), get("author"), get("created_at")
    if external_id is None or text is None or author is None or created_at is None:
        missing = [name for name in REQUIRED_FIELDS if get(name) is None]
        plural = "s" if len(missing) > 1 else ""
        raise RecordError(f"missing required field{plural} {', '.join(missing)}")
    if text.__class__ is not str:
        raise RecordError(f"text must be a string, got {type(text).__name__}")
    if isinstance(author, int) and not isinstance(author, bool):
        author = str(author)
    if not isinstance(author, str) or not (author := author.strip().lstrip("@")):
        raise RecordError("author must be a non-empty string")
    post = Post(
        platform,
        external_id
        if external_id.__class__ is str and external_id.isdigit()
        else parse_id(external_id),
        author,
        text,
        parse_timestamp(created_at, now=now),
        source,
        raw=raw,
    )
    # only the optional fields the record holds are looked at: records of one input
    # mostly share their keys, so which they are is worked out once per key set
    keys = tuple(record)
    plan = _plans.get(keys)
    if plan is None:
        plan = _plan(keys)
    readers, has_platform, has_mentions, has_hashtags = plan
    for field, read in readers:
        value = record[field]
        if value is not None:
            setattr(post, field, read(value, field))
    if has_platform:
        post.platform = _text(record["platform"], "platform") or platform
    mentions = record["mentions"] if has_mentions else None
    hashtags = record["hashtags"] if has_hashtags else None
    post.platform = post.platform.lower()
    if mentions is not None and mentions != "":
        post.mentions = parse_list(mentions, "mentions", "@")
    elif "@" in text:
        post.mentions = extract_mentions(text)
    if hashtags is not None and hashtags != "":
        post.hashtags = parse_list(hashtags, "hashtags", "#")
    elif "#" in text:
        post.hashtags = extract_hashtags(text)
    return post
