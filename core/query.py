"""The query language: Lucene syntax parsed with luqum, compiled to SQL over the full-text index.

One language serves ``hubbub search``, topics in ``hubbub.toml``, ``hubbub export --query``
and the TUI. See ``docs/query-language.md`` for the user's view. In short:

* words match case-insensitively as whole tokens of the post text (accents folded),
  ``"phrases"`` match consecutive tokens, ``refund*`` is a prefix;
* ``#baggage`` matches a post carrying that hashtag and ``@SkyJet`` a post mentioning that
  handle (any case), not the bare word;
* ``AND``, ``OR``, ``NOT`` / ``-term`` and parentheses; the default operator is AND;
* fields: ``author:``, ``lang:``, ``platform:``, ``sentiment:``, ``hashtag:``,
  ``mention:``, ``text:``, ``is:``, ``created:`` (dates and ranges, in the project's time
  zone) and the counts ``likes:``, ``reposts:``, ``replies:``, ``followers:``.

Parsing and compiling are two steps with a small tree between them (:class:`Terms`,
:class:`Equals`, :class:`Between`, :class:`And`, :class:`Or`, :class:`Not`,
:class:`MatchAll`). The tree knows nothing of SQL; a *dialect* compiler turns it into a
SQLAlchemy boolean expression over the ``posts`` table, putting every full-text part of
a boolean subtree into one index expression so the index does the boolean work:
:class:`SqliteCompiler` targets the FTS5 index ``posts_fts(text, hashtags, mentions)``
(one ``MATCH``), :class:`PostgresCompiler` the ``tsvector`` column ``search_vector``
(one ``@@``; see :mod:`hubbub.fulltext`). Both find the same posts.

luqum is imported when a query is first parsed, not with this module.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from hubbub.errors import HubbubError

if TYPE_CHECKING:
    from sqlalchemy.sql.elements import ColumnElement

__all__ = [
    "COMPILERS",
    "FIELDS",
    "QUERY_LANGUAGE_VERSION",
    "SENTIMENT_LABELS",
    "And",
    "Between",
    "Equals",
    "FullTextCompiler",
    "MatchAll",
    "Node",
    "Not",
    "Or",
    "PostgresCompiler",
    "Query",
    "QueryError",
    "SqliteCompiler",
    "Terms",
    "compile_query",
    "fts_string",
    "parse_query",
    "time_bounds",
]

#: bump when the same query text would match different posts (topics are then re-tagged)
QUERY_LANGUAGE_VERSION = "1"

#: the labels ``sentiment:`` accepts (``unanalysed``: no sentiment annotation yet)
SENTIMENT_LABELS = ("positive", "negative", "neutral", "unsupported", "unanalysed")

#: field name -> what it searches (shown in errors and docs)
FIELDS: dict[str, str] = {
    "text": "words and phrases in the post text only",
    "hashtag": "a hashtag (same as #tag)",
    "mention": "a mentioned handle (same as @handle)",
    "author": "the author's handle",
    "lang": "the language tag (lang:en also matches en-GB)",
    "platform": "the platform (twitter, mastodon, …)",
    "sentiment": "the sentiment label: " + ", ".join(SENTIMENT_LABELS),
    "is": "reply, repost or quote",
    "created": "the posting date or time, or a range of them, in the project's time zone",
    "likes": "the like count (a number or a range)",
    "reposts": "the repost count",
    "replies": "the reply count",
    "followers": "the author's follower count",
}
_ALIASES = {"tag": "hashtag", "date": "created", "user": "author", "from": "author"}
_COUNT_COLUMNS = {
    "likes": "likes",
    "reposts": "reposts",
    "replies": "replies",
    "followers": "author_followers",
}
_IS_VALUES = ("reply", "repost", "quote")


class QueryError(HubbubError):
    """A malformed or unsupported query; the message points at the position (1 = first character).

    :param position: 1-based character position of the problem in the query text.
    :param reason: what is wrong there, e.g. ``unexpected ')'``.
    """

    def __init__(self, position: int, reason: str) -> None:
        super().__init__(f"query error at position {position}: {reason}")
        self.position = position
        self.reason = reason


# ---------------------------------------------------------------- the tree


class Node:
    """A node of a parsed query (dialect-neutral)."""

    def walk(self) -> Iterator[tuple[Node, bool]]:
        """Every node below and including this one, with whether it sits under a NOT."""
        yield from _walk(self, False)


@dataclass(frozen=True)
class MatchAll(Node):
    """``*``: every post."""


@dataclass(frozen=True)
class Terms(Node):
    """Text the full-text index searches: a word, a phrase, a prefix or a proximity group.

    :param column: ``text``, ``hashtags`` (``#tag``) or ``mentions`` (``@handle``).
    :param value: the words as written; the index tokenizes them (several tokens are a phrase).
    :param prefix: the last token is a prefix (``refund*``).
    :param near: for ``"a b"~N``: the tokens must be within N tokens of each other.
    """

    column: str
    value: str
    prefix: bool = False
    near: int | None = None


@dataclass(frozen=True)
class Equals(Node):
    """A field equal to a value (case-insensitive), or starting with it when ``prefix``.

    Fields: ``author``, ``lang``, ``platform``, ``sentiment``, ``is``; ``value`` is lowercased,
    ``*`` alone means "has any value".
    """

    field: str
    value: str
    prefix: bool = False


@dataclass(frozen=True)
class Between(Node):
    """``low <= field < high`` (either bound may be ``None``): ``created`` or a count field.

    ``created`` bounds are naive UTC datetimes; count bounds are integers.
    """

    field: str
    low: Any = None
    high: Any = None


@dataclass(frozen=True)
class And(Node):
    """Every child matches."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or(Node):
    """At least one child matches."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not(Node):
    """The child does not match."""

    child: Node


def _walk(node: Node, negated: bool) -> Iterator[tuple[Node, bool]]:
    yield node, negated
    if isinstance(node, And | Or):
        for child in node.children:
            yield from _walk(child, negated)
    elif isinstance(node, Not):
        yield from _walk(node.child, not negated)


@dataclass(frozen=True)
class Query:
    """A parsed query: its text, its tree, and what the tree needs."""

    text: str
    node: Node

    @property
    def uses_annotations(self) -> bool:
        """Whether the query reads analysis results (``sentiment:``), which change after ingest."""
        return any(
            isinstance(node, Equals) and node.field == "sentiment" for node, _ in self.node.walk()
        )

    def highlight_terms(self) -> list[Terms]:
        """The full-text parts that a matching post may contain (those not under a NOT)."""
        return [
            node for node, negated in self.node.walk() if isinstance(node, Terms) and not negated
        ]


# ---------------------------------------------------------------- parsing

_LUQUM_SYNTAX = re.compile(r"unexpected\s+'(?P<token>.*)' at position (?P<pos>\d+)", re.S)
_LUQUM_ILLEGAL = re.compile(r"Illegal character '(?P<token>.*)' at position (?P<pos>\d+)", re.S)
_UNESCAPE = re.compile(r"\\(.)", re.S)
_DATE = re.compile(
    r"^(?P<y>\d{4})(?:-(?P<m>\d{1,2})(?:-(?P<d>\d{1,2})"
    r"(?:[T ](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?(?P<tz>Z|[+-]\d{2}:?\d{2})?)?)?)?$",
    re.I,
)


def _has_token(text: str) -> bool:
    """Whether the index would find a token in ``text`` (letters, digits or ``_``)."""
    return any(char.isalnum() or char == "_" for char in text)


def parse_query(text: str, *, timezone: str = "UTC") -> Query:
    """Parse ``text`` in the Lucene syntax into a :class:`Query`.

    :param timezone: the IANA zone in which dates without an offset are read
        (``created:2026-03-19`` is that whole day there).
    :raises QueryError: for a malformed or unsupported query, naming the position.
    """
    if not text or not text.strip():
        raise QueryError(1, "empty query (use * to match every post)")
    from luqum.exceptions import IllegalCharacterError, ParseSyntaxError
    from luqum.thread import parse

    try:
        tree = parse(text)
        return Query(text, _Converter(ZoneInfo(timezone)).convert(tree, None))
    except RecursionError:
        raise QueryError(1, "the query is nested too deeply") from None
    except ParseSyntaxError as error:
        raise _syntax_error(str(error), text) from None
    except IllegalCharacterError as error:
        match = _LUQUM_ILLEGAL.search(str(error))
        if match is None:  # pragma: no cover - luqum always names the position
            raise QueryError(1, str(error)) from None
        token, pos = match["token"], int(match["pos"])
        if token.startswith('"'):
            raise QueryError(pos + 1, "unclosed quote") from None
        if token.startswith("/"):
            raise QueryError(
                pos + 1, "unclosed regular expression (/…/ is not supported)"
            ) from None
        raise QueryError(pos + 1, f"unexpected {token[:1]!r}") from None


def _syntax_error(message: str, text: str) -> QueryError:
    match = _LUQUM_SYNTAX.search(message)
    if match is None:
        return QueryError(
            len(text.rstrip()) + 1,
            "unexpected end of query (a term or a closing parenthesis is missing)",
        )
    token, pos = match["token"], int(match["pos"])
    if token in ("AND", "OR"):
        return QueryError(pos + 1, f"unexpected {token!r} (it needs a term on each side)")
    return QueryError(pos + 1, f"unexpected {token!r}")


class _Converter:
    """luqum tree -> query tree, checking every construct (errors carry positions)."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone

    def convert(self, item: Any, field: str | None) -> Node:
        from luqum import tree as lt

        kind = type(item)
        if kind in (lt.AndOperation, lt.UnknownOperation):
            return _and([self.convert(operand, field) for operand in item.operands])
        if kind is lt.OrOperation:
            return _or([self.convert(operand, field) for operand in item.operands])
        if kind in (lt.Not, lt.Prohibit):
            child = self.convert(item.a, field)
            return child.child if isinstance(child, Not) else Not(child)
        if kind is lt.Plus:
            return self.convert(item.a, field)
        if kind in (lt.Group, lt.FieldGroup):
            return self.convert(item.expr, field)
        if kind is lt.Boost:  # ranking weight: no effect on which posts match
            return self.convert(item.expr, field)
        if kind is lt.SearchField:
            return self.search_field(item, field)
        if kind is lt.Word:
            return self.word(item, field)
        if kind is lt.Phrase:
            return self.phrase(item, field)
        if kind is lt.Proximity:
            return self.proximity(item, field)
        if kind is lt.Fuzzy:
            raise QueryError(_pos(item), "fuzzy matching (word~N) is not supported")
        if kind is lt.Regex:
            raise QueryError(_pos(item), "regular expressions (/…/) are not supported")
        if kind in (lt.Range, lt.From, lt.To):
            if field is None:
                raise QueryError(
                    _pos(item), "a range needs a field, e.g. created:[2026-03-01 TO 2026-03-07]"
                )
            return self.range(item, field)
        raise QueryError(
            _pos(item), f"unsupported construct {str(item).strip()!r}"
        )  # pragma: no cover

    # ------------------------------------------------ fields

    def search_field(self, item: Any, outer: str | None) -> Node:
        name = item.name.lower()
        name = _ALIASES.get(name, name)
        if outer is not None:
            raise QueryError(_pos(item), f"field {item.name!r} inside field {outer!r}")
        if name == "*" and str(item.expr).strip() == "*":
            return MatchAll()
        if name not in FIELDS:
            raise QueryError(
                _pos(item),
                f"unknown field {item.name!r} (fields: {', '.join(FIELDS)})",
            )
        return self.convert(item.expr, name)

    def word(self, item: Any, field: str | None) -> Node:
        raw = item.value
        value = _UNESCAPE.sub(r"\1", raw)
        position = _pos(item)
        if field is None:
            if raw == "*":
                return MatchAll()
            if value.startswith("#") and len(value) > 1:
                return self.tag("hashtags", value[1:], raw[1:], position)
            if value.startswith("@") and len(value) > 1:
                return self.tag("mentions", value[1:], raw[1:], position)
            return self.text_word(value, raw, position)
        if field == "text":
            return self.text_word(value, raw, position)
        if field == "hashtag":
            return self.tag("hashtags", value.removeprefix("#"), raw.removeprefix("#"), position)
        if field == "mention":
            return self.tag("mentions", value.removeprefix("@"), raw.removeprefix("@"), position)
        if field in ("created", *_COUNT_COLUMNS):
            if raw == "*":
                return Between(field)
            low, high = self.interval(field, value, position)
            return Between(field, low, high)
        return self.equals(field, value, raw, position)

    def text_word(self, value: str, raw: str, position: int) -> Terms:
        prefix = _check_wildcards(raw, position)
        if prefix:
            value = value[:-1]
        if not _has_token(value):
            raise QueryError(
                position,
                f"{raw!r} has no letters or digits to search for (operators are AND, OR, NOT)",
            )
        return Terms("text", value, prefix=prefix)

    def tag(self, column: str, value: str, raw: str, position: int) -> Terms:
        prefix = _check_wildcards(raw, position)
        if prefix:
            value = value[:-1]
        if not _has_token(value):
            what = "hashtag" if column == "hashtags" else "handle"
            raise QueryError(position, f"a {what} needs letters or digits")
        return Terms(column, value, prefix=prefix)

    def equals(self, field: str, value: str, raw: str, position: int) -> Equals:
        if field == "author":
            value = value.removeprefix("@")
        if raw == "*" and field in ("lang", "author", "platform"):
            return Equals(field, "*")
        prefix = _check_wildcards(raw, position)
        if prefix:
            if field not in ("author", "platform", "lang"):
                raise QueryError(position, f"{field}: does not take a wildcard")
            value = value[:-1]
        value = value.lower()
        if not value:
            raise QueryError(position, f"{field}: needs a value")
        if field == "sentiment":
            value = "unanalysed" if value == "unanalyzed" else value
            if value not in SENTIMENT_LABELS:
                raise QueryError(
                    position,
                    f"sentiment:{raw} is not a label (use {', '.join(SENTIMENT_LABELS)})",
                )
        if field == "is" and value not in _IS_VALUES:
            raise QueryError(position, f"is:{raw} is not known (use {', '.join(_IS_VALUES)})")
        return Equals(field, value, prefix=prefix)

    def phrase(self, item: Any, field: str | None) -> Node:
        position = _pos(item)
        value = _UNESCAPE.sub(r"\1", item.value[1:-1])
        if field is None or field == "text":
            prefix = value.rstrip().endswith("*")
            if prefix:
                value = value.rstrip()[:-1]
            if not _has_token(value):
                raise QueryError(position, f"{item.value} has no letters or digits to search for")
            return Terms("text", value, prefix=prefix)
        if field in ("hashtag", "mention"):
            column = "hashtags" if field == "hashtag" else "mentions"
            return self.tag(column, value.lstrip("#@"), value.lstrip("#@"), position)
        if field in ("created", *_COUNT_COLUMNS):
            low, high = self.interval(field, value, position)
            return Between(field, low, high)
        return self.equals(field, value, value.replace("*", "\\*"), position)

    def proximity(self, item: Any, field: str | None) -> Node:
        if field not in (None, "text"):
            raise QueryError(_pos(item), f"{field}: does not take a proximity search")
        terms = self.phrase(item.term, field)
        assert isinstance(terms, Terms)
        degree = int(item.degree) if item.degree is not None else 1
        return Terms("text", terms.value, prefix=terms.prefix, near=max(degree, 0))

    # ------------------------------------------------ ranges

    def range(self, item: Any, field: str) -> Node:
        from luqum import tree as lt

        if field not in ("created", *_COUNT_COLUMNS):
            raise QueryError(_pos(item), f"{field}: does not take a range")
        if isinstance(item, lt.Range):
            low = self.bound(field, item.low, lower=True, inclusive=item.include_low)
            high = self.bound(field, item.high, lower=False, inclusive=item.include_high)
        elif isinstance(item, lt.From):
            low, high = self.bound(field, item.a, lower=True, inclusive=item.include), None
        else:
            low, high = None, self.bound(field, item.a, lower=False, inclusive=item.include)
        if low is not None and high is not None and low >= high:
            return Or(())  # an empty range matches nothing
        return Between(field, low, high)

    def bound(self, field: str, item: Any, *, lower: bool, inclusive: bool) -> Any:
        raw = str(item.value)
        if raw == "*":
            return None
        value = _UNESCAPE.sub(r"\1", raw.strip('"'))
        start, end = self.interval(field, value, _pos(item))
        if lower:
            return start if inclusive else end
        return end if inclusive else start

    def interval(self, field: str, value: str, position: int) -> tuple[Any, Any]:
        """The half-open interval ``[start, end)`` that a single value denotes."""
        if field != "created":
            try:
                number = int(value.replace("_", ""))
            except ValueError:
                raise QueryError(
                    position, f"{field}: expects a whole number, got {value!r}"
                ) from None
            return number, number + 1
        return _date_interval(value, self.zone, position)


def _check_wildcards(raw: str, position: int) -> bool:
    """Whether ``raw`` ends in an unescaped ``*``; other wildcards are errors."""
    unescaped = _UNESCAPE.sub("", raw)
    prefix = raw.endswith("*") and not raw.endswith("\\*")
    inner = unescaped[:-1] if prefix else unescaped
    if "*" in inner or "?" in inner:
        raise QueryError(
            position, f"{raw!r}: only a trailing * is supported as a wildcard (refund*)"
        )
    return prefix


def _date_interval(value: str, zone: ZoneInfo, position: int) -> tuple[datetime, datetime]:
    match = _DATE.match(value.strip())
    if match is None:
        raise QueryError(
            position,
            f"created: expects a date such as 2026-03-19 or 2026-03-19T14:00, got {value!r}",
        )
    parts = match.groupdict()
    try:
        year = int(parts["y"])
        if parts["m"] is None:
            start, end = datetime(year, 1, 1), datetime(year + 1, 1, 1)
        elif parts["d"] is None:
            month = int(parts["m"])
            start = datetime(year, month, 1)
            end = datetime(year + (month == 12), month % 12 + 1, 1)
        elif parts["H"] is None:
            day = date(year, int(parts["m"]), int(parts["d"]))
            start = datetime(day.year, day.month, day.day)
            end = start + timedelta(days=1)
        else:
            start = datetime(
                year, int(parts["m"]), int(parts["d"]), int(parts["H"]), int(parts["M"]),
                int(parts["S"] or 0),
            )  # fmt: skip
            end = start + (timedelta(seconds=1) if parts["S"] else timedelta(minutes=1))
    except ValueError as error:
        raise QueryError(position, f"created: {value!r} is not a valid date ({error})") from None
    offset = parts["tz"]
    if offset:
        if offset.upper() == "Z":
            tzinfo: Any = UTC
        else:
            sign = -1 if offset[0] == "-" else 1
            digits = offset[1:].replace(":", "")
            tzinfo = _fixed(sign * (int(digits[:2]) * 60 + int(digits[2:])))
        return _to_utc(start, tzinfo), _to_utc(end, tzinfo)
    return _to_utc(start, zone), _to_utc(end, zone)


def time_bounds(
    since: str | None, until: str | None, *, timezone: str = "UTC", now: datetime | None = None
) -> tuple[datetime | None, datetime | None]:
    """``--since``/``--until`` as naive UTC bounds ``[low, high)``.

    A date is that whole day in ``timezone`` (``--until 2026-03-19`` includes the 19th); a
    time is that minute; a duration such as ``7d`` or ``12h`` counts back from ``now``.

    :raises HubbubError: for a value that is neither.
    """
    from hubbub.durations import parse_duration

    zone = ZoneInfo(timezone)
    current = now or datetime.now(UTC).replace(tzinfo=None)
    bounds: list[datetime | None] = []
    for option, value, index in (("--since", since, 0), ("--until", until, 1)):
        if value is None or not value.strip():
            bounds.append(None)
            continue
        if _DATE.match(value.strip()):
            try:
                bounds.append(_date_interval(value, zone, 1)[index])
            except QueryError as error:
                raise HubbubError(f"{option} {value!r}: {error.reason}") from None
            continue
        try:
            bounds.append(current - timedelta(seconds=parse_duration(value)))
        except ValueError:
            raise HubbubError(
                f"{option} {value!r}: expected a date (2026-03-19), a time (2026-03-19T14:00) "
                "or a duration back from now (7d, 12h)"
            ) from None
    return bounds[0], bounds[1]


def _fixed(minutes: int) -> Any:
    from datetime import timezone

    return timezone(timedelta(minutes=minutes))


def _to_utc(moment: datetime, zone: Any) -> datetime:
    return moment.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def _pos(item: Any) -> int:
    return (getattr(item, "pos", None) or 0) + 1


def _and(children: list[Node]) -> Node:
    flat: list[Node] = []
    for child in children:
        flat.extend(child.children if isinstance(child, And) else (child,))
    flat = [child for child in flat if not isinstance(child, MatchAll)] or [MatchAll()]
    return flat[0] if len(flat) == 1 else And(tuple(flat))


def _or(children: list[Node]) -> Node:
    flat: list[Node] = []
    for child in children:
        flat.extend(child.children if isinstance(child, Or) and child.children else (child,))
    if any(isinstance(child, MatchAll) for child in flat):
        return MatchAll()
    return flat[0] if len(flat) == 1 else Or(tuple(flat))


# ---------------------------------------------------------------- compiling


def fts_string(value: str) -> str:
    """``value`` as an FTS5 string (double quotes doubled): the index tokenizes it."""
    return '"' + value.replace('"', '""') + '"'


@dataclass
class _Fts:
    """A compiled subtree that is one full-text expression (positive)."""

    expression: str


@dataclass
class _Sql:
    """A compiled subtree that is a SQL boolean expression."""

    clause: ColumnElement[bool]


class FullTextCompiler(ABC):
    """Compiles a query tree to SQL over ``posts``; subclasses speak one database's index.

    Full-text parts of a subtree are merged into one index expression (AND, OR and
    binary NOT are index operators), so ``"lost bag" OR #baggage OR luggage`` is a single
    index lookup; other parts (fields, a NOT on its own) become SQL around it. A subclass
    says how one :class:`Terms` leaf is written (:meth:`terms_expression`), how the
    operators are spelled, how an expression becomes a condition (:meth:`match`) and how
    matches are ranked (:meth:`relevance`).
    """

    name: ClassVar[str] = ""
    #: the spelling of the index operators
    and_operator: ClassVar[str] = "AND"
    or_operator: ClassVar[str] = "OR"

    def __init__(self, posts: sa.Table | None = None, annotations: sa.Table | None = None) -> None:
        from hubbub.store import annotations_table, posts_table

        self.posts = posts if posts is not None else posts_table
        self.annotations = annotations if annotations is not None else annotations_table

    # ------------------------------------------------ public

    def where(self, node: Node) -> ColumnElement[bool]:
        """A boolean SQL expression over ``posts`` true exactly for the posts ``node`` matches."""
        return self._to_sql(self._compile(node))

    def fts_expression(self, node: Node) -> str | None:
        """The whole query as one index expression, or ``None`` when it needs SQL too."""
        compiled = self._compile(node)
        return compiled.expression if isinstance(compiled, _Fts) else None

    @abstractmethod
    def match(self, expression: str) -> ColumnElement[bool]:
        """The posts the index ``expression`` matches."""

    @abstractmethod
    def terms_expression(self, terms: Terms) -> str:
        """One :class:`Terms` leaf as an index expression."""

    @abstractmethod
    def relevance(self, terms: list[Terms]) -> tuple[Any, bool, sa.Subquery | None]:
        """How well a post matches ``terms``: ``(sort key, descending, subquery to outer-join)``.

        The subquery, when there is one, has ``post_id`` and is joined on ``posts.id``.
        """

    def and_not(self, positive: str, negative: str) -> str:
        """The index expression for *positive* without *negative*."""
        return f"({positive}) NOT ({negative})"

    def join(self, operator: str, expressions: list[str]) -> str:
        """``expressions`` joined by ``operator`` (each in parentheses when there are several)."""
        return _join(operator, expressions)

    # ------------------------------------------------ internals

    def _compile(self, node: Node) -> _Fts | _Sql:
        if isinstance(node, Terms):
            return _Fts(self.terms_expression(node))
        if isinstance(node, MatchAll):
            return _Sql(sa.true())
        if isinstance(node, Equals):
            return _Sql(self._equals(node))
        if isinstance(node, Between):
            return _Sql(self._between(node))
        if isinstance(node, Not):
            inner = self._compile(node.child)
            return _Sql(sa.not_(self._to_sql(inner)))
        if isinstance(node, Or):
            if not node.children:
                return _Sql(sa.false())
            parts = [self._compile(child) for child in node.children]
            fts = [part.expression for part in parts if isinstance(part, _Fts)]
            sql = [part.clause for part in parts if isinstance(part, _Sql)]
            if not sql:
                return _Fts(self.join(self.or_operator, fts))
            if fts:
                sql.insert(0, self.match(self.join(self.or_operator, fts)))
            return _Sql(sa.or_(*sql))
        if isinstance(node, And):
            positive: list[str] = []
            negative: list[str] = []
            sql = []
            for child in node.children:
                if isinstance(child, Not):
                    inner = self._compile(child.child)
                    if isinstance(inner, _Fts):
                        negative.append(inner.expression)
                        continue
                    sql.append(sa.not_(inner.clause))
                    continue
                part = self._compile(child)
                if isinstance(part, _Fts):
                    positive.append(part.expression)
                else:
                    sql.append(part.clause)
            if positive:
                expression = self.join(self.and_operator, positive)
                if negative:
                    expression = self.and_not(expression, self.join(self.or_operator, negative))
                if not sql:
                    return _Fts(expression)
                sql.insert(0, self.match(expression))
            elif negative:
                sql.append(sa.not_(self.match(self.join(self.or_operator, negative))))
            return _Sql(sa.and_(*sql))
        raise TypeError(f"cannot compile {node!r}")  # pragma: no cover

    def _to_sql(self, compiled: _Fts | _Sql) -> ColumnElement[bool]:
        if isinstance(compiled, _Fts):
            return self.match(compiled.expression)
        return compiled.clause

    def _equals(self, node: Equals) -> ColumnElement[bool]:
        posts = self.posts
        if node.field == "sentiment":
            label = self.annotations
            has_label = sa.exists().where(
                label.c.post_id == posts.c.id,
                label.c.analyzer == "sentiment",
                label.c.key == "label",
            )
            if node.value == "unanalysed":
                return sa.not_(has_label)
            return sa.exists().where(
                label.c.post_id == posts.c.id,
                label.c.analyzer == "sentiment",
                label.c.key == "label",
                label.c.value == f'"{node.value}"',
            )
        if node.field == "is":
            column = {"reply": "reply_to_id", "repost": "repost_of_id", "quote": "quote_of_id"}
            return posts.c[column[node.value]].is_not(None)
        column = sa.func.lower(sa.func.coalesce(posts.c[node.field], ""))
        if node.value == "*":
            return column != ""
        if node.prefix:
            return column.like(_like_escape(node.value) + "%", escape="\\")
        if node.field == "lang":
            return sa.or_(
                column == node.value, column.like(_like_escape(node.value) + "-%", escape="\\")
            )
        return column == node.value

    def _between(self, node: Between) -> ColumnElement[bool]:
        if node.field == "created":
            column: Any = self.posts.c.created_at
        else:
            column = sa.func.coalesce(self.posts.c[_COUNT_COLUMNS[node.field]], 0)
        conditions = []
        if node.low is not None:
            conditions.append(column >= node.low)
        if node.high is not None:
            conditions.append(column < node.high)
        return sa.and_(*conditions) if conditions else sa.true()


class SqliteCompiler(FullTextCompiler):
    """Compiles a query tree to SQL for SQLite, using the FTS5 table ``posts_fts``.

    ``"lost bag" OR #baggage OR luggage`` becomes one ``MATCH`` of
    ``(text : "lost bag") OR (hashtags : "baggage") OR (text : "luggage")``.
    """

    name: ClassVar[str] = "sqlite"
    #: the FTS5 table and its columns (``text``, ``hashtags``, ``mentions``)
    fts_table: ClassVar[str] = "posts_fts"

    def match(self, expression: str) -> ColumnElement[bool]:
        """``posts.id`` is among the rows the FTS5 ``expression`` matches."""
        fts = sa.table(self.fts_table, sa.column("rowid"))
        inner = sa.select(fts.c.rowid).where(sa.literal_column(self.fts_table).match(expression))
        return self.posts.c.id.in_(inner)

    def terms_expression(self, terms: Terms) -> str:
        """One :class:`Terms` leaf as an FTS5 expression with its column filter."""
        if terms.near is not None:
            words = re.findall(r"[\w]+", terms.value) or [terms.value]
            inner = " ".join(fts_string(word) for word in words)
            if terms.prefix:
                inner += " *"
            return f"{terms.column} : NEAR({inner}, {terms.near})"
        return f"{terms.column} : {fts_string(terms.value)}" + (" *" if terms.prefix else "")

    def relevance(self, terms: list[Terms]) -> tuple[Any, bool, sa.Subquery | None]:
        """FTS5's BM25 ``rank`` of the terms (negative, lower is better; no match sorts last)."""
        expression = " OR ".join(f"({self.terms_expression(t)})" for t in terms)
        fts = sa.table(self.fts_table, sa.column("rowid"), sa.column("rank"))
        ranked = (
            sa.select(fts.c.rowid.label("post_id"), fts.c.rank.label("rank"))
            .where(sa.literal_column(self.fts_table).match(expression))
            .subquery("ranked")
        )
        return sa.func.coalesce(ranked.c.rank, 0.0), False, ranked


class PostgresCompiler(FullTextCompiler):
    """Compiles a query tree to SQL for PostgreSQL, using the ``tsvector`` column ``search_vector``.

    The column (GIN-indexed) holds the hashtags (weight ``A``), mentions (``B``) and text
    (``D``) as :mod:`hubbub.fulltext` tokenizes them, the same tokens as SQLite's FTS5
    index, so ``"lost bag" OR #baggage OR luggage`` is one ``@@`` of the ``tsquery``
    ``('lost' <-> 'bag') | 'baggage':A | 'luggage':D``.
    """

    name: ClassVar[str] = "postgresql"
    and_operator: ClassVar[str] = "&"
    or_operator: ClassVar[str] = "|"
    #: the ``tsvector`` column of ``posts``
    vector_column: ClassVar[str] = "search_vector"

    def vector(self) -> ColumnElement[Any]:
        """The ``search_vector`` column of this compiler's ``posts`` table."""
        from sqlalchemy.dialects.postgresql import TSVECTOR

        return sa.literal_column(f"{self.posts.name}.{self.vector_column}", type_=TSVECTOR)

    def tsquery(self, expression: str) -> ColumnElement[Any]:
        """``expression`` as a bound ``tsquery`` (lexemes taken as written: no parsing)."""
        from sqlalchemy.dialects.postgresql import TSQUERY

        return sa.cast(sa.literal(expression, sa.Text), TSQUERY)

    def match(self, expression: str) -> ColumnElement[bool]:
        """``posts.search_vector @@ expression``."""
        return self.vector().op("@@", return_type=sa.Boolean)(self.tsquery(expression))

    def terms_expression(self, terms: Terms) -> str:
        """One :class:`Terms` leaf as ``tsquery`` text, its column given by the lexemes' weight."""
        from hubbub.fulltext import near_tsquery, terms_tsquery

        if terms.near is not None:
            return near_tsquery(terms.value, terms.near, prefix=terms.prefix)
        return terms_tsquery(terms.column, terms.value, prefix=terms.prefix)

    def and_not(self, positive: str, negative: str) -> str:
        """``positive & !negative`` in ``tsquery`` text."""
        return f"({positive}) & !({negative})"

    def relevance(self, terms: list[Terms]) -> tuple[Any, bool, sa.Subquery | None]:
        """``ts_rank`` of the terms, each part ranked on its own (higher is better; 0 last).

        Each part (text, hashtags, mentions) is ranked for the terms that search it, on
        that part alone (``ts_filter``), with the rank divided by 1 + log(length) so a
        word said twice in a short post ranks high, as BM25 ranks it on SQLite.
        """
        from hubbub.fulltext import WEIGHTS

        by_weight: dict[str, list[str]] = {}
        for leaf in terms:
            weight = "D" if leaf.near is not None else WEIGHTS[leaf.column]
            by_weight.setdefault(weight, []).append(f"({self.terms_expression(leaf)})")
        ranks = [
            sa.func.ts_rank(
                sa.func.ts_filter(
                    self.vector(), sa.literal_column(f"'{{{weight.lower()}}}'::\"char\"[]")
                ),
                self.tsquery(" | ".join(parts)),
                1,
                type_=sa.Float,
            )
            for weight, parts in sorted(by_weight.items())
        ]
        rank = ranks[0]
        for other in ranks[1:]:
            rank = rank + other
        return rank, True, None


def _join(operator: str, expressions: list[str]) -> str:
    if len(expressions) == 1:
        return expressions[0]
    return f" {operator} ".join(f"({expression})" for expression in expressions)


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


#: dialect name -> compiler class
COMPILERS: dict[str, type[FullTextCompiler]] = {
    "sqlite": SqliteCompiler,
    "postgresql": PostgresCompiler,
}


def compiler_for(dialect: str) -> FullTextCompiler:
    """The query compiler for a database dialect (``store.dialect``)."""
    try:
        return COMPILERS[dialect]()
    except KeyError:
        raise HubbubError(
            f"full-text search is not available on {dialect!r} (use SQLite or PostgreSQL)"
        ) from None


def compile_query(
    query: str | Query, *, dialect: str = "sqlite", timezone: str = "UTC"
) -> ColumnElement[bool]:
    """A SQL boolean expression over ``posts`` for ``query`` (text or parsed).

    :param dialect: the store's dialect (``store.dialect``).
    :param timezone: the zone for dates without an offset, when ``query`` is text.
    :raises QueryError: when the text is not a valid query.
    """
    parsed = query if isinstance(query, Query) else parse_query(query, timezone=timezone)
    return compiler_for(dialect).where(parsed.node)
