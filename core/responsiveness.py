"""Brand responsiveness: how fast, and how often, each tracked brand answers the public.

For each brand of ``hubbub.toml`` the *inbound* posts (customers addressing the brand)
are paired with the brand's *first reply* to each, and the pairs give the figures:
response rate, median / p90 / mean / fastest / slowest first-response time, the share
answered within the brand's ``reply_target``, a distribution, a weekday x hour view and
a 0-100 score. Every rule is documented in ``docs/methods/responsiveness.md``; in short:

* **Inbound** for brand B: a post not authored by any tracked brand's handle, not a
  repost, that @-mentions one of B's handles or replies to a post by one of them
  (``reply_to_author``, else the parent found through ``reply_to_id`` on the same
  platform). Handles compare case-insensitively. Naming the brand without an @ is not
  inbound. The time window selects inbound posts by their ``created_at``.
* **Answer**: the earliest post by one of B's handles, not a repost, on the same
  platform, timed at or after the inbound post, that either replies to it directly or
  is in the same conversation and addressed to its author (replies to them or
  @-mentions them). Replies may come after the window's end. A reply timed before the
  post (clock skew) is ignored.
* **Follow-ups** (inbound posts replying to one of B's posts) are inbound posts like any
  other, answered by B's next reply to them; they are also counted apart.
* **First-response time**: seconds from post to answer, or only the seconds inside the
  brand's ``business_hours`` when it has them.

Reading is bounded by what the figures need: one streamed query for the brands'
candidate inbound posts (filtered in SQL) and, per batch of them, indexed look-ups of
each brand's replies to those posts and conversations. The corpus is never loaded.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import orjson
import sqlalchemy as sa
from hubbub.business_hours import BusinessHours, parse_business_hours
from hubbub.errors import HubbubError
from hubbub.store import posts_table

if TYPE_CHECKING:
    from hubbub.project import Project
    from sqlalchemy.engine import Connection

__all__ = [
    "DISTRIBUTION_BUCKETS",
    "WINDOWS",
    "BrandFigures",
    "BrandSpec",
    "InboundPost",
    "ResponsivenessReport",
    "analyze_responsiveness",
    "brand_specs",
    "distribution_rows",
    "format_duration",
    "parse_instant",
    "percentile",
    "post_credit",
    "responsiveness_table",
    "slowest_rows",
    "waiting_rows",
    "weekday_hour_rows",
]

#: the calendar windows figures can be split into
WINDOWS = ("day", "week", "month")

#: the response-time distribution: (key, upper bound in seconds, exclusive)
DISTRIBUTION_BUCKETS: tuple[tuple[str, float], ...] = (
    ("under_5m", 300),
    ("5m_to_15m", 900),
    ("15m_to_1h", 3600),
    ("1h_to_4h", 4 * 3600),
    ("4h_to_1d", 86400),
    ("1d_to_3d", 3 * 86400),
    ("over_3d", math.inf),
)

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: inbound posts per batch (one streamed partition; replies are looked up per batch)
DEFAULT_BATCH = 2000
#: values per ``IN (...)`` list: well under every database's parameter limit
_IN_CHUNK = 500

_posts = posts_table
_parent = posts_table.alias("parent")


# ---------------------------------------------------------------------------------------
# Brands
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BrandSpec:
    """A tracked brand as responsiveness sees it."""

    name: str
    #: the brand's own accounts, as configured (compared lower-cased)
    handles: tuple[str, ...]
    reply_target: str
    reply_target_seconds: float
    business_hours: BusinessHours | None = None

    @property
    def lowered(self) -> tuple[str, ...]:
        """The handles, lower-cased."""
        return tuple(dict.fromkeys(handle.lower() for handle in self.handles))


def brand_specs(project: Project, names: Sequence[str] | None = None) -> list[BrandSpec]:
    """The project's brands (all, or those named, in config order), ready for analysis.

    :raises HubbubError: when no brands are configured or a name is unknown.
    :raises ConfigError: when a brand's ``business_hours`` cannot be parsed.
    """
    brands = project.config.brands
    if not brands:
        raise HubbubError(
            f"no brands in {project.config_path}; add a [brands.NAME] section with handles"
        )
    if names:
        unknown = [name for name in names if name not in brands]
        if unknown:
            raise HubbubError(f"unknown brand {unknown[0]!r} (configured: {', '.join(brands)})")
    wanted = list(dict.fromkeys(names)) if names else list(brands)
    specs = []
    for name in wanted:
        section = brands[name]
        hours = None
        if section.business_hours:
            hours = parse_business_hours(
                section.business_hours,
                default_timezone=project.config.project.timezone,
                where=f"{project.config_path}: brands.{name}.business_hours",
            )
        specs.append(
            BrandSpec(
                name=name,
                handles=tuple(section.handles),
                reply_target=section.reply_target,
                reply_target_seconds=section.reply_target_seconds,
                business_hours=hours,
            )
        )
    return specs


# ---------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class InboundPost:
    """One inbound post of a brand and, when answered, the brand's first reply to it."""

    brand: str
    post_id: int
    platform: str
    external_id: str
    author: str
    created_at: datetime
    #: it replies to one of the brand's own posts (a customer following up)
    follow_up: bool = False
    reply_post_id: int | None = None
    reply_external_id: str | None = None
    reply_author: str | None = None
    replied_at: datetime | None = None
    #: first-response time as counted: wall-clock seconds, or business seconds
    response_seconds: float | None = None
    #: wall-clock seconds from the post to the answer
    elapsed_seconds: float | None = None

    @property
    def answered(self) -> bool:
        """Whether the brand answered this post."""
        return self.replied_at is not None


@dataclass
class BrandFigures:
    """A brand's responsiveness over one window."""

    brand: str
    window_start: datetime | None
    window_end: datetime | None
    inbound: int
    answered: int
    follow_ups: int
    response_rate: float
    median_seconds: float | None
    p90_seconds: float | None
    mean_seconds: float | None
    fastest_seconds: float | None
    slowest_seconds: float | None
    within_target: int
    within_target_share: float | None
    reply_target: str
    reply_target_seconds: float
    business_hours: str | None
    score: float | None
    distribution: dict[str, int] = field(default_factory=dict)
    weekday_hour: list[dict[str, Any]] = field(default_factory=list)
    rank: int = 0

    def row(self) -> dict[str, Any]:
        """The figures as one flat row (snake_case keys; times in seconds and readable)."""
        return {
            "rank": self.rank,
            "brand": self.brand,
            "window_start": _iso(self.window_start),
            "window_end": _iso(self.window_end),
            "inbound": self.inbound,
            "answered": self.answered,
            "unanswered": self.inbound - self.answered,
            "follow_ups": self.follow_ups,
            "response_rate": self.response_rate,
            "median_seconds": self.median_seconds,
            "median": format_duration(self.median_seconds),
            "p90_seconds": self.p90_seconds,
            "p90": format_duration(self.p90_seconds),
            "mean_seconds": self.mean_seconds,
            "mean": format_duration(self.mean_seconds),
            "fastest_seconds": self.fastest_seconds,
            "fastest": format_duration(self.fastest_seconds),
            "slowest_seconds": self.slowest_seconds,
            "slowest": format_duration(self.slowest_seconds),
            "within_target": self.within_target,
            "within_target_share": self.within_target_share,
            "reply_target": self.reply_target,
            "reply_target_seconds": self.reply_target_seconds,
            "business_hours": self.business_hours,
            "score": self.score,
        }

    def details(self) -> dict[str, Any]:
        """Everything, for a finding: the row plus the distribution and weekday x hour view."""
        details = self.row()
        details.pop("rank")
        details["distribution"] = dict(self.distribution)
        details["weekday_hour"] = list(self.weekday_hour)
        return details


@dataclass
class ResponsivenessReport:
    """Figures per brand (and window), ranked, plus the paired posts behind them."""

    figures: list[BrandFigures]
    #: brand -> its inbound posts in the whole range, oldest first
    posts: dict[str, list[InboundPost]]
    since: datetime | None
    until: datetime | None
    window: str | None
    #: the moment waiting times are measured to: the newest stored post (or ``until``)
    as_of: datetime | None

    def rows(self) -> list[dict[str, Any]]:
        """The ranked figures as flat rows."""
        return [figures.row() for figures in self.figures]

    def waiting(self, brand: str | None = None) -> list[InboundPost]:
        """Unanswered inbound posts, oldest first (of one brand or all)."""
        chosen = [brand] if brand else list(self.posts)
        waiting = [
            post for name in chosen for post in self.posts.get(name, []) if not post.answered
        ]
        return sorted(waiting, key=lambda post: (post.created_at, post.post_id))

    def slowest(self, brand: str | None = None) -> list[InboundPost]:
        """Answered inbound posts, slowest first (of one brand or all)."""
        chosen = [brand] if brand else list(self.posts)
        answered = [post for name in chosen for post in self.posts.get(name, []) if post.answered]
        return sorted(answered, key=lambda post: (-(post.response_seconds or 0.0), post.post_id))


# ---------------------------------------------------------------------------------------
# Formulas
# ---------------------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The nearest-rank percentile: the smallest value with at least ``fraction`` of values <= it.

    ``values`` must be sorted. ``percentile(v, 0.9)`` is ``v[ceil(0.9 * n) - 1]``.
    """
    if not values:
        return None
    rank = max(1, math.ceil(round(fraction * len(values), 9)))
    return values[min(rank, len(values)) - 1]


def post_credit(response_seconds: float | None, target_seconds: float) -> float:
    """One inbound post's share of the score: 1 within target, ``target / time`` later, 0 unanswered."""
    if response_seconds is None:
        return 0.0
    if response_seconds <= target_seconds:
        return 1.0
    if target_seconds <= 0:
        return 0.0
    return target_seconds / response_seconds


def format_duration(seconds: float | None) -> str:
    """A readable duration: ``45s``, ``9m 29s``, ``2h 50m``, ``2d 6h`` (two largest units)."""
    if seconds is None:
        return ""
    remaining = round(seconds)
    if remaining < 60:
        return f"{remaining}s"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        amount, remaining = divmod(remaining, size)
        if amount or parts:
            parts.append((amount, unit))
        if len(parts) == 2:
            break
    if len(parts) == 2 and parts[1][0] == 0:
        parts.pop()
    return " ".join(f"{amount}{unit}" for amount, unit in parts)


def _figures(
    brand: BrandSpec,
    posts: Sequence[InboundPost],
    window_start: datetime | None,
    window_end: datetime | None,
    zone: ZoneInfo,
) -> BrandFigures:
    target = brand.reply_target_seconds
    times = sorted(post.response_seconds for post in posts if post.response_seconds is not None)
    inbound, answered = len(posts), len(times)
    within = sum(1 for seconds in times if seconds <= target)
    credit = sum(post_credit(seconds, target) for seconds in times)
    distribution = dict.fromkeys((key for key, _ in DISTRIBUTION_BUCKETS), 0)
    for seconds in times:
        for key, upper in DISTRIBUTION_BUCKETS:
            if seconds < upper:
                distribution[key] += 1
                break
    distribution["unanswered"] = inbound - answered
    cells: dict[tuple[int, int], list[InboundPost]] = defaultdict(list)
    for post in posts:
        local = post.created_at.replace(tzinfo=UTC).astimezone(zone)
        cells[(local.weekday(), local.hour)].append(post)
    weekday_hour = []
    for (weekday, hour), cell in sorted(cells.items()):
        cell_times = [p.response_seconds for p in cell if p.response_seconds is not None]
        weekday_hour.append(
            {
                "weekday": _WEEKDAYS[weekday],
                "hour": hour,
                "inbound": len(cell),
                "answered": len(cell_times),
                "median_seconds": float(statistics.median(cell_times)) if cell_times else None,
            }
        )
    return BrandFigures(
        brand=brand.name,
        window_start=window_start,
        window_end=window_end,
        inbound=inbound,
        answered=answered,
        follow_ups=sum(1 for post in posts if post.follow_up),
        response_rate=round(answered / inbound, 6) if inbound else 0.0,
        median_seconds=float(statistics.median(times)) if times else None,
        p90_seconds=percentile(times, 0.9),
        mean_seconds=round(statistics.fmean(times), 3) if times else None,
        fastest_seconds=times[0] if times else None,
        slowest_seconds=times[-1] if times else None,
        within_target=within,
        within_target_share=round(within / answered, 6) if answered else None,
        reply_target=brand.reply_target,
        reply_target_seconds=target,
        business_hours=brand.business_hours.text if brand.business_hours else None,
        score=round(100 * credit / inbound, 1) if inbound else None,
        distribution=distribution,
        weekday_hour=weekday_hour,
    )


# ---------------------------------------------------------------------------------------
# Reading the store
# ---------------------------------------------------------------------------------------


def _escape_like(text: str) -> str:
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def _parent_join() -> sa.FromClause:
    """Posts joined to their parent, only where ``reply_to_author`` is missing."""
    return _posts.outerjoin(
        _parent,
        sa.and_(
            _posts.c.reply_to_author.is_(None),
            _posts.c.reply_to_id.is_not(None),
            _parent.c.platform == _posts.c.platform,
            _parent.c.external_id == _posts.c.reply_to_id,
        ),
    )


def _replied_author() -> sa.ColumnElement[Any]:
    return sa.func.lower(sa.func.coalesce(_posts.c.reply_to_author, _parent.c.author))


def _inbound_query(
    brands: Sequence[BrandSpec],
    tracked: Sequence[str],
    since: datetime | None,
    until: datetime | None,
) -> sa.Select[Any]:
    """Candidate inbound posts of any of ``brands``; the Python side checks mentions exactly."""
    handles = list(dict.fromkeys(handle for brand in brands for handle in brand.lowered))
    mentions = [
        _posts.c.mentions.ilike(f'%"{_escape_like(handle)}"%', escape="/") for handle in handles
    ]
    replied_author = _replied_author()
    query = (
        sa.select(
            _posts.c.id,
            _posts.c.platform,
            _posts.c.external_id,
            _posts.c.author,
            _posts.c.created_at,
            _posts.c.conversation_id,
            _posts.c.mentions,
            replied_author.label("replied_author"),
        )
        .select_from(_parent_join())
        .where(
            _posts.c.repost_of_id.is_(None),
            sa.func.lower(_posts.c.author).not_in(list(tracked)),
            sa.or_(*mentions, replied_author.in_(handles)),
        )
    )
    if since is not None:
        query = query.where(_posts.c.created_at >= since)
    if until is not None:
        query = query.where(_posts.c.created_at < until)
    return query


@dataclass(slots=True)
class _Reply:
    post_id: int
    platform: str
    external_id: str
    author: str
    created_at: datetime
    reply_to_id: str | None
    conversation_id: str | None
    #: lower-cased authors it is addressed to: the replied-to author and the mentions
    addressed: frozenset[str]


def _brand_replies(
    conn: Connection, brand: BrandSpec, column: str, values: Iterable[str]
) -> list[_Reply]:
    """The brand's replies whose ``column`` (reply_to_id or conversation_id) is in ``values``."""
    values = sorted(set(values))
    found = []
    target = _posts.c[column]
    for start in range(0, len(values), _IN_CHUNK):
        chunk = values[start : start + _IN_CHUNK]
        query = (
            sa.select(
                _posts.c.id,
                _posts.c.platform,
                _posts.c.external_id,
                _posts.c.author,
                _posts.c.created_at,
                _posts.c.reply_to_id,
                _posts.c.conversation_id,
                _posts.c.mentions,
                _replied_author().label("replied_author"),
            )
            .select_from(_parent_join())
            .where(
                target.in_(chunk),
                sa.func.lower(_posts.c.author).in_(list(brand.lowered)),
                _posts.c.repost_of_id.is_(None),
            )
        )
        for row in conn.execute(query):
            addressed = {mention.lower() for mention in _load_list(row.mentions)}
            if row.replied_author:
                addressed.add(row.replied_author)
            found.append(
                _Reply(
                    row.id,
                    row.platform,
                    row.external_id,
                    row.author,
                    row.created_at,
                    row.reply_to_id,
                    row.conversation_id,
                    frozenset(addressed),
                )
            )
    return found


def _load_list(text: str | None) -> list[str]:
    if not text or text == "[]":
        return []
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return []
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _pair(
    post: InboundPost, conversation_id: str | None, candidates: list[_Reply]
) -> _Reply | None:
    """The brand's first reply to ``post`` among ``candidates`` (sorted by time, then id)."""
    customer = post.author.lower()
    for reply in candidates:
        if reply.platform != post.platform or reply.created_at < post.created_at:
            continue  # another platform's id space; or timed before the post (clock skew)
        if reply.reply_to_id == post.external_id:
            return reply
        if (
            conversation_id is not None
            and reply.conversation_id == conversation_id
            and customer in reply.addressed
        ):
            return reply
    return None


class _BrandReader:
    """Pairs one brand's inbound posts with its answers, batch by batch."""

    def __init__(self, conn: Connection, brand: BrandSpec) -> None:
        self.conn = conn
        self.brand = brand
        self.handles = frozenset(brand.lowered)
        self.inbound: list[InboundPost] = []
        # thread replies by (platform, conversation, addressed author), fetched once per
        # conversation and kept: a long thread costs each post only the replies to its author
        self.by_thread: dict[tuple[str, str, str], list[_Reply]] = defaultdict(list)
        self.fetched: set[str] = set()

    def add_batch(self, batch: list[tuple[InboundPost, str | None]]) -> None:
        """Pair a batch of the brand's inbound posts (with their conversation ids)."""
        brand, conn = self.brand, self.conn
        by_parent: dict[tuple[str, str], list[_Reply]] = defaultdict(list)
        parents = [post.external_id for post, _ in batch]
        for reply in _brand_replies(conn, brand, "reply_to_id", parents):
            if reply.reply_to_id is not None:
                by_parent[(reply.platform, reply.reply_to_id)].append(reply)
        new_conversations = {conv for _, conv in batch if conv is not None} - self.fetched
        self.fetched |= new_conversations
        for reply in _brand_replies(conn, brand, "conversation_id", new_conversations):
            if reply.conversation_id is not None:
                for addressed in reply.addressed:
                    self.by_thread[(reply.platform, reply.conversation_id, addressed)].append(reply)
        for post, conversation_id in batch:
            candidates = list(by_parent.get((post.platform, post.external_id), ()))
            if conversation_id is not None:
                seen = {reply.post_id for reply in candidates}
                key = (post.platform, conversation_id, post.author.lower())
                candidates += [r for r in self.by_thread.get(key, ()) if r.post_id not in seen]
            candidates.sort(key=lambda reply: (reply.created_at, reply.post_id))
            answer = _pair(post, conversation_id, candidates)
            if answer is not None:
                elapsed = (answer.created_at - post.created_at).total_seconds()
                post.reply_post_id = answer.post_id
                post.reply_external_id = answer.external_id
                post.reply_author = answer.author
                post.replied_at = answer.created_at
                post.elapsed_seconds = elapsed
                post.response_seconds = (
                    brand.business_hours.seconds_between(post.created_at, answer.created_at)
                    if brand.business_hours
                    else elapsed
                )
            self.inbound.append(post)


def _read_brands(
    conn: Connection,
    brands: Sequence[BrandSpec],
    tracked: Sequence[str],
    since: datetime | None,
    until: datetime | None,
    batch_size: int,
) -> dict[str, list[InboundPost]]:
    """Each brand's inbound posts in the range, paired with their answers, oldest first.

    One streamed scan reads the candidate inbound posts of all ``brands``; per batch and
    brand, indexed look-ups read that brand's replies to them.
    """
    readers = [_BrandReader(conn, brand) for brand in brands]
    result = conn.execution_options(yield_per=batch_size).execute(
        _inbound_query(brands, tracked, since, until)
    )
    for rows in result.partitions():
        batches: list[list[tuple[InboundPost, str | None]]] = [[] for _ in readers]
        for row in rows:
            mentions = {mention.lower() for mention in _load_list(row.mentions)}
            for reader, batch in zip(readers, batches, strict=True):
                follow_up = row.replied_author in reader.handles
                if not (follow_up or not mentions.isdisjoint(reader.handles)):
                    continue  # the SQL filter is a superset (LIKE on the JSON text)
                post = InboundPost(
                    reader.brand.name,
                    row.id,
                    row.platform,
                    row.external_id,
                    row.author,
                    row.created_at,
                    follow_up=follow_up,
                )
                batch.append((post, row.conversation_id))
        for reader, batch in zip(readers, batches, strict=True):
            if batch:
                reader.add_batch(batch)
    found = {}
    for reader in readers:
        reader.inbound.sort(key=lambda post: (post.created_at, post.post_id))
        found[reader.brand.name] = reader.inbound
    return found


# ---------------------------------------------------------------------------------------
# Windows and instants
# ---------------------------------------------------------------------------------------


def parse_instant(text: str, timezone: str = "UTC", *, end: bool = False) -> datetime:
    """A naive UTC datetime from an ISO date or date-time typed by a user.

    A date or time without an offset is in ``timezone``. A bare date as an ``end``
    means the end of that day (``--until 2024-05-31`` includes the 31st).

    :raises HubbubError: when ``text`` is not ISO 8601.
    """
    value = text.strip()
    zone = ZoneInfo(timezone)
    try:
        if len(value) == 10 and "T" not in value and " " not in value:
            day = date.fromisoformat(value)
            moment = datetime.combine(day + timedelta(days=1 if end else 0), time())
        else:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise HubbubError(
            f"{text!r} is not an ISO date or date-time (e.g. 2024-05-01 or 2024-05-01T09:00)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC).replace(tzinfo=None)


def _window_start(moment: datetime, window: str, zone: ZoneInfo) -> date:
    local = moment.replace(tzinfo=UTC).astimezone(zone).date()
    if window == "week":
        return local - timedelta(days=local.weekday())
    if window == "month":
        return local.replace(day=1)
    return local


def _next_window(start: date, window: str) -> date:
    if window == "week":
        return start + timedelta(days=7)
    if window == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(days=1)


def _utc(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat() + "Z"


def _rank(figures: list[BrandFigures]) -> list[BrandFigures]:
    def order(item: BrandFigures) -> tuple[Any, ...]:
        return (
            item.window_start or datetime.min,
            item.score is None,
            -(item.score or 0.0),
            -item.response_rate,
            item.brand,
        )

    figures.sort(key=order)
    rank, current = 0, object()
    for item in figures:
        if item.window_start != current:
            rank, current = 0, item.window_start
        rank += 1
        item.rank = rank
    return figures


# ---------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------


def analyze_responsiveness(
    project: Project,
    *,
    brands: Sequence[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    window: str | None = None,
    as_of: datetime | None = None,
    batch_size: int = DEFAULT_BATCH,
) -> ResponsivenessReport:
    """Responsiveness of the project's brands (all, or those named), ranked by score.

    :param since: inbound posts at or after this naive UTC instant (``None``: from the start).
    :param until: inbound posts before this naive UTC instant (``None``: to the end).
    :param window: ``"day"``, ``"week"`` or ``"month"`` for one row per brand per calendar
        window in the project's time zone (weeks start on Monday); ``None`` for one row per brand.
    :param as_of: when waiting times end (default: the newest stored post, capped at ``until``).
    :raises HubbubError: for no or unknown brands or an unknown window.
    """
    if window is not None and window not in WINDOWS:
        raise HubbubError(f"unknown window {window!r} (use {', '.join(WINDOWS)})")
    specs = brand_specs(project, brands)
    # every tracked brand's handles: their posts are never inbound for anyone
    tracked = sorted(
        {handle.lower() for section in project.config.brands.values() for handle in section.handles}
    )
    zone = ZoneInfo(project.config.project.timezone)
    store = project.store
    with store.engine.connect() as conn:
        posts = _read_brands(conn, specs, tracked, since, until, batch_size)
        if as_of is None:
            newest = conn.execute(sa.select(sa.func.max(_posts.c.created_at))).scalar()
            as_of = min(newest, until) if newest is not None and until is not None else newest
    figures = _aggregate(specs, posts, since, until, window, zone)
    return ResponsivenessReport(_rank(figures), posts, since, until, window, as_of)


def _aggregate(
    specs: Sequence[BrandSpec],
    posts: dict[str, list[InboundPost]],
    since: datetime | None,
    until: datetime | None,
    window: str | None,
    zone: ZoneInfo,
) -> list[BrandFigures]:
    """Each brand's figures from its paired inbound posts: one row, or one per window."""
    figures: list[BrandFigures] = []
    if window is None:
        for spec in specs:
            figures.append(_figures(spec, posts[spec.name], since, until, zone))
        return figures
    starts = [post.created_at for items in posts.values() for post in items]
    first = since if since is not None else min(starts, default=None)
    last = until - timedelta(microseconds=1) if until is not None else max(starts, default=None)
    if first is not None and last is not None and first <= last:
        current = _window_start(first, window, zone)
        stop = _window_start(last, window, zone)
        groups: dict[tuple[str, date], list[InboundPost]] = defaultdict(list)
        for name, items in posts.items():
            for post in items:
                groups[(name, _window_start(post.created_at, window, zone))].append(post)
        while current <= stop:
            following = _next_window(current, window)
            begin, end = _utc(current, zone), _utc(following, zone)
            for spec in specs:
                figures.append(
                    _figures(spec, groups.get((spec.name, current), []), begin, end, zone)
                )
            current = following
    return figures


def by_window(project: Project, report: ResponsivenessReport, window: str) -> ResponsivenessReport:
    """``report``'s brands again, one row per brand per ``window``, without reading the store.

    The same as :func:`analyze_responsiveness` with ``window`` for the same brands and
    time frame (the report's paired posts are regrouped), at a fraction of the cost.
    """
    if window not in WINDOWS:
        raise HubbubError(f"unknown window {window!r} (use {', '.join(WINDOWS)})")
    specs = brand_specs(project, list(report.posts))
    zone = ZoneInfo(project.config.project.timezone)
    figures = _aggregate(specs, report.posts, report.since, report.until, window, zone)
    return ResponsivenessReport(
        _rank(figures), report.posts, report.since, report.until, window, report.as_of
    )


def responsiveness_table(
    project: Project,
    *,
    brands: Sequence[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    window: str | None = None,
) -> list[dict[str, Any]]:
    """One flat row per brand (per window), ranked by score: what ``hubbub responsiveness`` prints."""
    report = analyze_responsiveness(project, brands=brands, since=since, until=until, window=window)
    return report.rows()


def _post_details(project: Project, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    ids = sorted(set(ids))
    found: dict[int, dict[str, Any]] = {}
    with project.store.engine.connect() as conn:
        for start in range(0, len(ids), _IN_CHUNK):
            chunk = ids[start : start + _IN_CHUNK]
            rows = conn.execute(
                sa.select(_posts.c.id, _posts.c.text, _posts.c.url).where(_posts.c.id.in_(chunk))
            )
            for row in rows:
                found[row.id] = {"text": row.text, "url": row.url}
    return found


def waiting_rows(
    project: Project, report: ResponsivenessReport, *, brand: str | None = None, limit: int = 20
) -> list[dict[str, Any]]:
    """The customers still waiting: unanswered inbound posts, oldest first, as flat rows."""
    posts = report.waiting(brand)[: limit or None]
    details = _post_details(project, (post.post_id for post in posts))
    rows = []
    for post in posts:
        waited = (
            max(0.0, (report.as_of - post.created_at).total_seconds())
            if report.as_of is not None
            else None
        )
        rows.append(
            {
                "brand": post.brand,
                "platform": post.platform,
                "post_id": post.external_id,
                "author": post.author,
                "created_at": _iso(post.created_at),
                "waiting_seconds": waited,
                "waiting": format_duration(waited),
                "follow_up": post.follow_up,
                "url": details.get(post.post_id, {}).get("url"),
                "text": details.get(post.post_id, {}).get("text"),
            }
        )
    return rows


def slowest_rows(
    project: Project, report: ResponsivenessReport, *, brand: str | None = None, limit: int = 20
) -> list[dict[str, Any]]:
    """The slowest answered inbound posts, slowest first, as flat rows."""
    posts = report.slowest(brand)[: limit or None]
    details = _post_details(project, (post.post_id for post in posts))
    return [
        {
            "brand": post.brand,
            "platform": post.platform,
            "post_id": post.external_id,
            "author": post.author,
            "created_at": _iso(post.created_at),
            "reply_id": post.reply_external_id,
            "reply_author": post.reply_author,
            "replied_at": _iso(post.replied_at),
            "response_seconds": post.response_seconds,
            "response": format_duration(post.response_seconds),
            "elapsed_seconds": post.elapsed_seconds,
            "follow_up": post.follow_up,
            "url": details.get(post.post_id, {}).get("url"),
            "text": details.get(post.post_id, {}).get("text"),
        }
        for post in posts
    ]


def distribution_rows(report: ResponsivenessReport) -> list[dict[str, Any]]:
    """One row per brand (per window) and response-time bucket, with its count and share."""
    rows = []
    for figures in report.figures:
        for bucket, count in figures.distribution.items():
            rows.append(
                {
                    "brand": figures.brand,
                    "window_start": _iso(figures.window_start),
                    "bucket": bucket,
                    "posts": count,
                    "share": round(count / figures.inbound, 6) if figures.inbound else 0.0,
                }
            )
    return rows


def weekday_hour_rows(report: ResponsivenessReport) -> list[dict[str, Any]]:
    """One row per brand (per window), weekday and hour that had inbound posts."""
    return [
        {
            "brand": figures.brand,
            "window_start": _iso(figures.window_start),
            **cell,
            "median": format_duration(cell["median_seconds"]),
            "response_rate": round(cell["answered"] / cell["inbound"], 6),
        }
        for figures in report.figures
        for cell in figures.weekday_hour
    ]
