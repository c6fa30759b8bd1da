"""Named mapping presets for CSV exports that people commonly have.

A preset is a field map (native field -> the export's column) plus value rules that
repair what the export does to values. ``hubbub import --preset NAME`` applies one;
without it, the CSV source applies the preset whose ``signature`` columns the header
holds (and its sniffer scores such a file 0.8, so it is picked without ``--format``).
``--map`` still overrides a preset's mapping field by field. Each preset's columns are
documented in ``docs/formats/csv-presets.md``.

A plugin can add presets with :func:`register_preset`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from hubbub.errors import HubbubError, RecordError

#: a value rule: adjusts the mapped native record (``native``) in place, reading the
#: CSV row (``row``) as needed; raises :class:`RecordError` to reject the row
ValueRule = Callable[[dict[str, Any], Mapping[str, Any]], None]

_PLAIN_ID = re.compile(r"^\d+$")
_FLOAT_ID = re.compile(r"^(\d+)\.0*$")
_SCIENTIFIC = re.compile(r"^(\d+)(?:\.(\d*))?[eE]\+?(\d+)$")


@dataclass(frozen=True)
class CsvPreset:
    """A named field map plus value rules for one kind of CSV export."""

    name: str
    description: str
    #: native field -> column
    field_map: Mapping[str, str]
    #: columns whose presence in a header identifies the export
    signature: frozenset[str]
    #: the platform the export's posts come from
    platform: str = "native"
    rules: tuple[ValueRule, ...] = field(default_factory=tuple)

    def matches(self, header: Iterable[str]) -> bool:
        """Whether a CSV header is this export's."""
        return self.signature <= {name.strip() for name in header}

    def apply(self, native: dict[str, Any], row: Mapping[str, Any]) -> None:
        """Run the value rules on a mapped record."""
        for rule in self.rules:
            rule(native, row)


PRESETS: dict[str, CsvPreset] = {}


def register_preset(preset: CsvPreset) -> None:
    """Add a preset; its signature must not match another preset's header.

    :raises HubbubError: for a name that is taken.
    """
    if preset.name in PRESETS:
        raise HubbubError(f"CSV preset {preset.name!r} is already registered")
    PRESETS[preset.name] = preset


def get_preset(name: str) -> CsvPreset:
    """The preset called ``name``; a clear error listing the choices otherwise."""
    try:
        return PRESETS[name]
    except KeyError:
        choices = ", ".join(sorted(PRESETS))
        raise HubbubError(f"unknown CSV preset {name!r} (available: {choices})") from None


def preset_for_header(header: Iterable[str]) -> CsvPreset | None:
    """The one preset whose signature a header holds (the most specific if several do)."""
    columns = {name.strip() for name in header}
    found = [preset for preset in PRESETS.values() if preset.signature <= columns]
    if not found:
        return None
    return max(found, key=lambda preset: len(preset.signature))


# ---------------------------------------------------------------- value rules


def integer_id(value: Any, field_name: str) -> str | None:
    """An integer id as written by a spreadsheet or pandas, repaired but never rounded.

    ``119237`` and ``119237.0`` give ``"119237"``; scientific notation is accepted only
    when it still holds every digit (``1.19237E+05``); ``1.19237E+17`` lost digits to
    rounding and is rejected, as is anything else that is not a whole number.
    """
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    if _PLAIN_ID.match(text):
        return text
    match = _FLOAT_ID.match(text)
    if match:
        return match.group(1)
    match = _SCIENTIFIC.match(text)
    if match:
        whole, fraction, exponent = (
            match.group(1),
            (match.group(2) or "").rstrip("0"),
            match.group(3),
        )
        digits = len(whole.lstrip("0")) + len(fraction)
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is not None and number == number.to_integral_value():
            integer_digits = len(str(int(number)))
            if digits >= integer_digits:
                return str(int(number))
        raise RecordError(
            f"{field_name} {text!r} is in scientific notation and has lost digits "
            f"(exponent {exponent}); export ids as text"
        )
    raise RecordError(f"{field_name} {text!r} is not a whole-number id")


def integer_ids(*fields: str) -> ValueRule:
    """A rule repairing the integer ids in ``fields`` (see :func:`integer_id`)."""

    def rule(native: dict[str, Any], row: Mapping[str, Any]) -> None:
        for name in fields:
            if native.get(name) is not None:
                native[name] = integer_id(native[name], name)

    return rule


def _replies_from_response_ids(native: dict[str, Any], row: Mapping[str, Any]) -> None:
    """customer-support: the reply count is the number of ``response_tweet_id`` ids."""
    if native.get("replies") is None:
        responses = row.get("response_tweet_id")
        native["replies"] = (
            len([part for part in str(responses).split(",") if part.strip()]) if responses else 0
        )


def _unescape_newlines(native: dict[str, Any], row: Mapping[str, Any]) -> None:
    """twarc-csv writes newlines in text as a backslash and ``n``; put them back."""
    text = native.get("text")
    if isinstance(text, str) and "\\n" in text:
        native["text"] = text.replace("\\n", "\n")


def _tweet_url(native: dict[str, Any], row: Mapping[str, Any]) -> None:
    """A tweet's URL from its author and id, when the export has none."""
    if native.get("url") is None and native.get("author") and native.get("id"):
        native["url"] = f"https://twitter.com/{native['author']}/status/{native['id']}"


def _undetermined_language(native: dict[str, Any], row: Mapping[str, Any]) -> None:
    """Twitter's ``und`` (and ``zxx``, no linguistic content) name no language."""
    if native.get("lang") in ("und", "zxx", "qme", "qam", "qct", "qht", "qst"):
        native["lang"] = None


def _repost_counts(native: dict[str, Any], row: Mapping[str, Any]) -> None:
    """twarc-csv gives a retweet its original's metrics: they are not the retweet's own."""
    if native.get("repost_of_id") is not None:
        native["likes"] = native["reposts"] = native["replies"] = None


# ---------------------------------------------------------------- the presets

CUSTOMER_SUPPORT = CsvPreset(
    name="customer-support",
    description=(
        'the "Customer Support on Twitter" dataset (twcs.csv): tweet_id, author_id, inbound, '
        "created_at, text, response_tweet_id, in_response_to_tweet_id"
    ),
    field_map={
        "id": "tweet_id",
        "author": "author_id",
        "created_at": "created_at",
        "text": "text",
        "reply_to_id": "in_response_to_tweet_id",
    },
    signature=frozenset(
        {"tweet_id", "author_id", "inbound", "created_at", "text", "in_response_to_tweet_id"}
    ),
    platform="twitter",
    rules=(integer_ids("id", "reply_to_id"), _replies_from_response_ids),
)

TWARC_CSV = CsvPreset(
    name="twarc-csv",
    description="tweets flattened by twarc-csv (twarc2 csv): Twitter API v2 fields as columns",
    field_map={
        "id": "id",
        "text": "text",
        "author": "author.username",
        "created_at": "created_at",
        "author_name": "author.name",
        "author_followers": "author.public_metrics.followers_count",
        "lang": "lang",
        "reply_to_id": "referenced_tweets.replied_to.id",
        "reply_to_author": "in_reply_to_username",
        "conversation_id": "conversation_id",
        "repost_of_id": "referenced_tweets.retweeted.id",
        "repost_of_author": "retweeted_username",
        "quote_of_id": "referenced_tweets.quoted.id",
        "quote_of_author": "quoted_username",
        "mentions": "entities.mentions",
        "hashtags": "entities.hashtags",
        "likes": "public_metrics.like_count",
        "reposts": "public_metrics.retweet_count",
        "replies": "public_metrics.reply_count",
    },
    signature=frozenset(
        {"id", "conversation_id", "referenced_tweets.replied_to.id", "author.username", "text"}
    ),
    platform="twitter",
    rules=(
        integer_ids("id", "reply_to_id", "conversation_id", "repost_of_id", "quote_of_id"),
        _unescape_newlines,
        _undetermined_language,
        _repost_counts,
        _tweet_url,
    ),
)

register_preset(CUSTOMER_SUPPORT)
register_preset(TWARC_CSV)
