"""Share of voice: each brand's part of all tracked brands' mentions, per window.

A post *mentions* brand B by the rule of :mod:`hubbub.brands` (not authored by a B
handle; @-mentions a B handle or names a B keyword as a whole word; reposts count). For
each window (hour, day or week in the project's time zone, or the whole period):

* by mentions: ``share(B) = mentions(B) / Σ_b mentions(b)``; a post naming two brands
  counts once for each;
* by engagement: each mentioning post weighs ``likes + reposts + replies`` (a missing
  count is 0): ``share(B) = engagement(B) / Σ_b engagement(b)``;
* split by sentiment: the same sums per sentiment label of the post (``positive``,
  ``negative``, ``neutral``, ``unsupported``, ``unanalysed`` when not analysed yet), and
  ``share_L(B) = value_L(B) / Σ_b value_L(b)``, the brand's share of label L's voice.

On SQLite the full-text index first narrows the corpus to posts that may mention a brand
(``mentions : "handle"`` or ``text : "keyword"``, a superset of the rule), then the rule
itself decides, in Python, through :class:`hubbub.brands.BrandMatcher`. Elsewhere the
rule's SQL form (:meth:`~hubbub.brands.BrandMatcher.sql_condition`) narrows instead.
``docs/methods/share-of-voice.md`` gives the formulas.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import orjson
import sqlalchemy as sa
from hubbub.errors import HubbubError
from hubbub.store import annotations_table, posts_table

if TYPE_CHECKING:
    from hubbub.brands import BrandMatcher
    from hubbub.project import Project
    from hubbub.store import Store
    from hubbub.trends import ScopePost

__all__ = [
    "SENTIMENTS",
    "WEIGHTINGS",
    "BrandShare",
    "ShareOfVoice",
    "brand_mention_posts",
    "compute_share_of_voice",
    "mentioning_posts",
    "share_of_voice",
]

#: sentiment labels in the split (``unanalysed``: no sentiment annotation yet)
SENTIMENTS = ("positive", "negative", "neutral", "unsupported", "unanalysed")
#: what a mention weighs
WEIGHTINGS = ("mentions", "engagement")
#: the label of the whole-period window
WHOLE_PERIOD = "all"


@dataclass
class BrandShare:
    """One brand in one window."""

    window: str
    brand: str
    mentions: int = 0
    engagement: int = 0
    #: the share by the chosen weighting (0.0 when no brand has any voice in the window)
    share: float = 0.0
    #: label -> the brand's mentions (or engagement) with that sentiment
    sentiment: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SENTIMENTS, 0))
    #: label -> the brand's share of that label's voice across brands
    sentiment_share: dict[str, float] = field(
        default_factory=lambda: dict.fromkeys(SENTIMENTS, 0.0)
    )


@dataclass
class ShareOfVoice:
    """Share of voice per window and brand."""

    by: str
    window: str | None
    timezone: str
    shares: list[BrandShare] = field(default_factory=list)

    def rows(self) -> list[dict[str, Any]]:
        """Flat rows: window, brand, mentions, engagement, share, then each label's value and share."""
        rows = []
        for item in self.shares:
            row: dict[str, Any] = {
                "window": item.window,
                "brand": item.brand,
                "mentions": item.mentions,
                "engagement": item.engagement,
                "share": round(item.share, 6),
            }
            row.update(item.sentiment)
            row.update(
                {f"{label}_share": round(item.sentiment_share[label], 6) for label in SENTIMENTS}
            )
            rows.append(row)
        return rows

    def totals(self) -> dict[str, float]:
        """``{brand: share}`` of the first window (the whole period when ``window`` is None)."""
        first = self.shares[0].window if self.shares else None
        return {item.brand: item.share for item in self.shares if item.window == first}


# ---------------------------------------------------------------- finding mentions


def _prefilter(store: Store, matcher: BrandMatcher) -> Any:
    """A SQL condition true for every post that may mention a brand (a superset of the rule)."""
    if store.dialect in ("sqlite", "postgresql"):
        from hubbub.query import Terms, compiler_for

        compiler = compiler_for(store.dialect)
        parts = []
        for brand in matcher.brands:
            parts += [
                compiler.terms_expression(Terms("mentions", handle))
                for handle in sorted(brand.handles)
            ]
            for keyword in brand.keywords:
                if not any(char.isalnum() or char == "_" for char in keyword):
                    return sa.true()  # the index cannot find it: look at every post
                parts.append(compiler.terms_expression(Terms("text", keyword.strip())))
        if not parts:
            return sa.false()
        return compiler.match(compiler.join(compiler.or_operator, parts))
    return sa.or_(*(matcher.sql_condition(name, dialect=store.dialect) for name in matcher.names))


def mentioning_posts(
    store: Store,
    brands: Mapping[str, Any],
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    topic: str | None = None,
) -> list[tuple[ScopePost, list[str], str]]:
    """Posts that mention at least one brand: ``(post, brand names, sentiment label)``.

    :param brands: brand name -> config section (``Config.brands``).
    :param since: only posts at or after this instant (naive UTC).
    :param until: only posts before this instant.
    :param topic: only posts tagged with this topic (tags must be up to date).
    """
    from hubbub.brands import BrandMatcher
    from hubbub.trends import ScopePost

    matcher = BrandMatcher(brands)
    if not matcher.brands:
        return []
    p = posts_table.c
    label = annotations_table.alias("sentiment_label")
    statement = (
        sa.select(
            p.id,
            p.external_id,
            p.author,
            p.created_at,
            p.text,
            p.hashtags,
            p.mentions,
            p.likes,
            p.reposts,
            p.replies,
            p.repost_of_id,
            p.url,
            label.c.value.label("sentiment"),
        )
        .select_from(
            posts_table.outerjoin(
                label,
                sa.and_(
                    label.c.post_id == p.id,
                    label.c.analyzer == "sentiment",
                    label.c.key == "label",
                ),
            )
        )
        .where(_prefilter(store, matcher))
        .order_by(p.id)
    )
    if since is not None:
        statement = statement.where(p.created_at >= since)
    if until is not None:
        statement = statement.where(p.created_at < until)
    if topic is not None:
        from hubbub.topics import topic_post_ids

        statement = statement.where(p.id.in_(topic_post_ids(topic)))
    found = []
    with store.engine.connect() as conn:
        for row in conn.execute(statement):
            names = matcher.mentioned(row.author, row.mentions, row.text)
            if not names:
                continue
            post = ScopePost(
                row.id,
                row.external_id,
                row.author,
                row.created_at,
                row.text,
                orjson.loads(row.hashtags),
                row.likes,
                row.reposts,
                row.replies,
                row.repost_of_id,
                row.url,
            )
            sentiment = orjson.loads(row.sentiment) if row.sentiment else "unanalysed"
            found.append((post, names, sentiment if sentiment in SENTIMENTS else "unanalysed"))
    return found


def brand_mention_posts(
    store: Store,
    brands: Mapping[str, Any],
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    only: Sequence[str] | None = None,
) -> dict[str, list[ScopePost]]:
    """Brand name -> the posts mentioning it (for trends per brand)."""
    wanted = {name: brands[name] for name in (only or brands)}
    by_brand: dict[str, list[ScopePost]] = {name: [] for name in wanted}
    for post, names, _sentiment in mentioning_posts(store, wanted, since=since, until=until):
        for name in names:
            by_brand[name].append(post)
    return by_brand


# ---------------------------------------------------------------- shares


def share_of_voice(
    store: Store,
    brands: Mapping[str, Any],
    *,
    timezone: str = "UTC",
    window: str | None = None,
    by: str = "mentions",
    since: datetime | None = None,
    until: datetime | None = None,
    topic: str | None = None,
) -> ShareOfVoice:
    """Share of voice of ``brands`` per window (or over the whole period when ``window`` is None).

    :param window: ``hour``, ``day``, ``week`` (Monday) in ``timezone``, or ``None``.
    :param by: ``mentions`` or ``engagement`` (likes + reposts + replies of mentioning posts).
    """
    from hubbub.trends import WINDOWS, window_floor, window_label, window_step

    if by not in WEIGHTINGS:
        raise HubbubError(f"unknown weighting {by!r} (use {', '.join(WEIGHTINGS)})")
    if window is not None and window not in WINDOWS:
        raise HubbubError(f"unknown window {window!r} (use {', '.join(WINDOWS)})")
    zone = ZoneInfo(timezone)
    result = ShareOfVoice(by, window, timezone)
    names = list(brands)
    cells: dict[tuple[str, str], BrandShare] = {}
    starts: set[datetime] = set()

    def cell(label: str, brand: str) -> BrandShare:
        key = (label, brand)
        if key not in cells:
            cells[key] = BrandShare(label, brand)
        return cells[key]

    for post, mentioned, sentiment in mentioning_posts(
        store, brands, since=since, until=until, topic=topic
    ):
        if window is None:
            label = WHOLE_PERIOD
        else:
            local = post.created_at.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)
            start = window_floor(local, window)
            starts.add(start)
            label = window_label(start, window)
        weight = post.engagement
        for brand in mentioned:
            item = cell(label, brand)
            item.mentions += 1
            item.engagement += weight
            item.sentiment[sentiment] += 1 if by == "mentions" else weight
    if window is None:
        labels = [WHOLE_PERIOD]
    else:
        labels = []
        if starts:
            start, last = min(starts), max(starts)
            while start <= last:
                labels.append(window_label(start, window))
                start = window_step(start, window)
    for label in labels:
        row = [cell(label, brand) for brand in names]
        total = sum(_value(item, by) for item in row)
        label_totals = {s: sum(item.sentiment[s] for item in row) for s in SENTIMENTS}
        for item in row:
            item.share = _value(item, by) / total if total else 0.0
            item.sentiment_share = {
                s: item.sentiment[s] / label_totals[s] if label_totals[s] else 0.0
                for s in SENTIMENTS
            }
        result.shares.extend(row)
    return result


def _value(item: BrandShare, by: str) -> int:
    return item.mentions if by == "mentions" else item.engagement


def compute_share_of_voice(
    project: Project,
    *,
    window: str | None = None,
    by: str = "mentions",
    since: datetime | None = None,
    until: datetime | None = None,
    topic: str | None = None,
) -> ShareOfVoice:
    """:func:`share_of_voice` for a project's brands, in its time zone (topic tags refreshed)."""
    config = project.config
    if topic is not None:
        from hubbub.topics import ensure_tagged

        ensure_tagged(project, only=[topic])
    return share_of_voice(
        project.store,
        config.brands,
        timezone=config.project.timezone,
        window=window,
        by=by,
        since=since,
        until=until,
        topic=topic,
    )
