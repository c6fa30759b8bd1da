"""Sentiment summaries per brand (or overall) and per day or week, aggregated in SQL.

What ``hubbub sentiment``, reports and the UI show. Every number comes from one SQL
aggregate over ``posts`` joined to the sentiment annotations; no post is loaded into
Python. Per group:

* ``posts``: posts in the group; ``not_analysed``: those without a sentiment result yet;
* ``positive``, ``neutral``, ``negative``: posts VADER scored, by label; ``unsupported``:
  posts in a language the analyzer does not read; ``errors``: posts whose analysis failed;
* ``positive_share``, ``neutral_share``, ``negative_share``: shares of the *scored* posts
  (unsupported ones are left out, not counted as neutral); ``net_sentiment``:
  ``positive_share - negative_share``;
* ``mean_compound``: the mean VADER compound of the scored posts.

Windows are calendar days or weeks (starting Monday) in the project's time zone.
Brand mentions follow :mod:`hubbub.brands`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from hubbub.brands import BrandMatcher
from hubbub.errors import HubbubError
from hubbub.store import Store, annotations_table, posts_table

if TYPE_CHECKING:
    from hubbub.config import Config
    from hubbub.project import Project

GROUPINGS = ("brand", "overall", "topic")
WINDOWS = ("day", "week")
#: more windows than this is a mistake (a decade of days); ask for weeks or a period
MAX_WINDOWS = 5000
LABELS = ("positive", "neutral", "negative", "unsupported")

#: the columns of a summary row, in display order (``brand``/``window`` when grouped so)
COLUMNS = (
    "posts",
    "positive",
    "neutral",
    "negative",
    "unsupported",
    "errors",
    "not_analysed",
    "positive_share",
    "neutral_share",
    "negative_share",
    "net_sentiment",
    "mean_compound",
)


def _compound(value: sa.ColumnElement[Any], dialect: str) -> sa.ColumnElement[Any]:
    """The ``compound`` number inside a ``scores`` annotation's JSON text."""
    if dialect == "postgresql":
        return sa.cast(value, sa.JSON)["compound"].as_float()
    return sa.func.json_extract(value, "$.compound")


def local_windows(
    first: datetime, last: datetime, window: str, timezone: str
) -> list[tuple[str, datetime, datetime]]:
    """``(label, start, end)`` windows covering ``first``..``last`` (naive UTC), in ``timezone``.

    A label is the window's first local date (``YYYY-MM-DD``); weeks start on Monday.
    ``start`` and ``end`` are naive UTC, as the store keeps times.
    """
    zone = ZoneInfo(timezone)

    def local_date(moment: datetime) -> date:
        return moment.replace(tzinfo=UTC).astimezone(zone).date()

    def utc_midnight(day: date) -> datetime:
        return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC).replace(tzinfo=None)

    step = timedelta(days=7 if window == "week" else 1)
    day = local_date(first)
    if window == "week":
        day -= timedelta(days=day.weekday())
    end_day = local_date(last)
    windows = []
    while day <= end_day:
        following = day + step
        windows.append((day.isoformat(), utc_midnight(day), utc_midnight(following)))
        day = following
        if len(windows) > MAX_WINDOWS:
            raise HubbubError(
                f"more than {MAX_WINDOWS} {window}s between {first:%Y-%m-%d} and "
                f"{last:%Y-%m-%d}; use --window week or --since/--until"
            )
    return windows


def _period(store: Store, since: datetime | None, until: datetime | None) -> tuple[Any, Any]:
    p = posts_table.c
    query = sa.select(sa.func.min(p.created_at), sa.func.max(p.created_at))
    if since is not None:
        query = query.where(p.created_at >= since)
    if until is not None:
        query = query.where(p.created_at < until)
    with store.engine.connect() as conn:
        first, last = conn.execute(query).one()
    return first, last


def _shares(row: dict[str, Any]) -> dict[str, Any]:
    scored = row["positive"] + row["neutral"] + row["negative"]
    for label in ("positive", "neutral", "negative"):
        row[f"{label}_share"] = round(row[label] / scored, 4) if scored else None
    row["net_sentiment"] = (
        round(row["positive_share"] - row["negative_share"], 4) if scored else None
    )
    mean = row.pop("_mean")
    row["mean_compound"] = round(float(mean), 4) if mean is not None and scored else None
    return row


def sentiment_summary(
    store: Store,
    *,
    brands: BrandMatcher | None = None,
    by: str = "brand",
    window: str | None = None,
    timezone: str = "UTC",
    analyzer: str = "sentiment",
    since: datetime | None = None,
    until: datetime | None = None,
    topics: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """Sentiment counts, shares and mean compound per brand, topic (or overall) and window.

    :param store: the store.
    :param brands: the brands to group by (required for ``by="brand"``).
    :param by: ``brand`` (one group per brand mentioned, see :mod:`hubbub.brands`),
        ``topic`` (one group per topic, from the topic tags — tag them first, see
        :func:`hubbub.topics.ensure_tagged`) or ``overall`` (every post).
    :param topics: the topic names for ``by="topic"``.
    :param window: ``day`` or ``week`` for one row per window, or ``None`` for the period.
    :param timezone: the IANA zone windows are days or weeks in.
    :param analyzer: the analyzer whose ``label`` and ``scores`` are summarised (another
        sentiment analyzer that writes the same keys can be summarised the same way).
    :param since: only posts at or after this naive UTC time.
    :param until: only posts before this naive UTC time.
    :returns: flat rows: ``brand`` and/or ``window`` when grouped so, then :data:`COLUMNS`.
    """
    if by not in GROUPINGS:
        raise HubbubError(f"cannot group sentiment by {by!r} (choose brand, topic or overall)")
    if by == "topic" and not topics:
        raise HubbubError("no topics configured: add [topics] to hubbub.toml or use --by overall")
    if window is not None and window not in WINDOWS:
        raise HubbubError(f"unknown window {window!r} (choose day or week)")
    if by == "brand" and (brands is None or not brands.brands):
        raise HubbubError(
            "no brands configured: add [brands.NAME] to hubbub.toml or use --by overall"
        )
    dialect = store.dialect
    p = posts_table
    label = annotations_table.alias("label")
    scores = annotations_table.alias("scores")
    failed = annotations_table.alias("failed")

    def joined(key: str, alias: sa.sql.Alias) -> sa.ColumnElement[bool]:
        return sa.and_(alias.c.post_id == p.c.id, alias.c.analyzer == analyzer, alias.c.key == key)

    source: Any = (
        p.outerjoin(label, joined("label", label))
        .outerjoin(scores, joined("scores", scores))
        .outerjoin(failed, joined("error", failed))
    )
    group_columns: list[Any] = []
    windows_cte = None
    if window is not None:
        first, last = _period(store, since, until)
        if first is None:
            return []
        spans = local_windows(first, last, window, timezone)
        windows_cte = (
            sa.values(
                sa.column("label", sa.String),
                sa.column("start", sa.DateTime),
                sa.column("end", sa.DateTime),
                name="windows",
            )
            .data(spans)
            .cte("windows")
        )
        source = source.join(
            windows_cte,
            sa.and_(p.c.created_at >= windows_cte.c.start, p.c.created_at < windows_cte.c.end),
        )
        group_columns.append(windows_cte.c.label)

    def count_label(name: str) -> sa.ColumnElement[Any]:
        return sa.func.coalesce(sa.func.sum(sa.case((label.c.value == f'"{name}"', 1), else_=0)), 0)

    aggregates = [
        sa.func.count().label("posts"),
        *(count_label(name).label(name) for name in LABELS),
        sa.func.count(failed.c.post_id).label("errors"),
        sa.func.sum(
            sa.case((sa.and_(label.c.post_id.is_(None), failed.c.post_id.is_(None)), 1), else_=0)
        ).label("not_analysed"),
        sa.func.avg(_compound(scores.c.value, dialect)).label("_mean"),
    ]
    conditions: list[sa.ColumnElement[bool]] = []
    if since is not None:
        conditions.append(p.c.created_at >= since)
    if until is not None:
        conditions.append(p.c.created_at < until)

    def run(extra: Sequence[sa.ColumnElement[bool]]) -> list[dict[str, Any]]:
        query = sa.select(*group_columns, *aggregates).select_from(source)
        query = query.where(*conditions, *extra)
        if group_columns:
            query = query.group_by(*group_columns).order_by(*group_columns)
        with store.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        results = []
        for row in rows:
            values = dict(row)
            if not values["posts"]:
                continue
            if window is not None:
                values["window"] = values.pop("label")
            for name in ("not_analysed", *LABELS):
                values[name] = int(values[name] or 0)
            results.append(_shares(values))
        return results

    if by == "overall":
        return [_ordered(row, None, window) for row in run([])]
    if by == "topic":
        from hubbub.topics import topic_post_ids

        summary = []
        for name in topics or ():
            for row in run([p.c.id.in_(topic_post_ids(name))]):
                summary.append(_ordered(row, name, window, key="topic"))
        return summary
    assert brands is not None
    summary = []
    for name in brands.names:
        for row in run([brands.sql_condition(name, p, dialect=dialect)]):
            summary.append(_ordered(row, name, window))
    return summary


def _ordered(
    row: dict[str, Any], group: str | None, window: str | None, *, key: str = "brand"
) -> dict[str, Any]:
    ordered: dict[str, Any] = {}
    if group is not None:
        ordered[key] = group
    if window is not None:
        ordered["window"] = row["window"]
    ordered.update((name, row[name]) for name in COLUMNS)
    return ordered


def summary_columns(by: str, window: str | None) -> list[str]:
    """The column names of :func:`sentiment_summary` rows for a grouping and window."""
    group = [by] if by in ("brand", "topic") else []
    return [*group, *(["window"] if window else []), *COLUMNS]


def project_summary(
    config: Config,
    store: Store,
    *,
    by: str = "brand",
    window: str | None = None,
    project: Project | None = None,
    **options: Any,
) -> list[dict[str, Any]]:
    """:func:`sentiment_summary` with the project's brands, topics and time zone.

    For ``by="topic"`` pass ``project`` so the topic tags are brought up to date first.
    """
    if by == "topic" and project is not None:
        from hubbub.topics import ensure_tagged

        ensure_tagged(project)
    return sentiment_summary(
        store,
        brands=BrandMatcher.from_config(config),
        topics=list(config.topics),
        by=by,
        window=window,
        timezone=config.project.timezone,
        **options,
    )
