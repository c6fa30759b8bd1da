"""The bundled analyses' report sections, contributed through the ``report_sections`` hook.

Exactly as a third-party corpus analyzer would: this plugin runs hubbub's analyses over
the report's scope and returns plain :class:`hubbub.report.Section` objects; reporters
never import an analysis. Sections, in order:

* ``overview`` — posts, authors, period, volume and sentiment over time, top spikes;
* ``topic-NAME`` — per topic: volume with spikes marked and their drivers, emerging
  terms, sentiment over time;
* ``share-of-voice`` — each brand's share of mentions, over time and for the period;
* ``influencers`` — per topic: who moves the conversation, why, and who follower
  counts miss;
* ``responsiveness`` — the brands' leaderboard, response-time distributions, response
  rate over time and the customers still waiting.

A section whose analysis fails says so in its notes; the other sections are still built.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from hubbub import hookimpl
from hubbub.report import Chart, Metric, ReportScope, Section, Series, Table

if TYPE_CHECKING:
    from hubbub.project import Project
    from hubbub.trends import Trends

#: rows of long tables shown in the report (the full data is a command away)
TOP_SPIKES = 10
WAITING_ROWS = 15
INFLUENCERS_PER_TOPIC = 10
FOLLOWER_PICKS = 5
EXAMPLE_CHARS = 160


@hookimpl
def report_sections(project: Project, scope: ReportScope) -> list[Section]:
    """The overview, topic, share-of-voice, influencer and responsiveness sections."""
    context = _Context(project, scope)
    sections: list[Section] = []
    builders: list[tuple[str, str, int, Callable[[], list[Section]]]] = [
        ("overview", "Overview", 0, context.overview),
        ("topics", "Topics", 100, context.topics),
        ("share-of-voice", "Share of voice", 200, context.share_of_voice),
        ("influencers", "Topic influencers", 300, context.influencers),
        ("responsiveness", "Responsiveness", 400, context.responsiveness),
    ]
    for section_id, title, order, build in builders:
        try:
            sections.extend(build())
        except Exception as error:  # one analysis failing must not take the report down
            sections.append(
                Section(
                    section_id,
                    title,
                    order=order,
                    notes=[f"This section could not be built: {type(error).__name__}: {error}"],
                )
            )
    return sections


class _Context:
    """The report's project and scope, with analyses shared between sections computed once."""

    def __init__(self, project: Project, scope: ReportScope) -> None:
        self.project = project
        self.scope = scope
        self._trends: Trends | None = None
        self._axis: list[str] | None = None

    # ------------------------------------------------------------ shared

    @property
    def trends(self) -> Trends:
        if self._trends is None:
            from hubbub.trends import compute_trends, load_options

            self._trends = compute_trends(
                self.project,
                options=load_options(self.project, window=self.scope.window),
                since=self.scope.since,
                until=self.scope.until,
                emerging=True,
            )
        return self._trends

    def axis(self) -> list[str]:
        """The window labels every chart over time uses (from the trends' windows)."""
        if self._axis is None:
            from hubbub.sentiment_summary import local_windows

            first, last = _first_last(self.project, self.scope.since, self.scope.until)
            self._axis = (
                []
                if first is None
                else [
                    label
                    for label, _start, _end in local_windows(
                        first, last, self.scope.window, self.scope.timezone
                    )
                ]
            )
        return self._axis

    def _along(self, values: dict[str, float | None]) -> list[float | None]:
        return [values.get(label) for label in self.axis()]

    # ------------------------------------------------------------ overview

    def overview(self) -> list[Section]:
        from hubbub.sentiment_summary import project_summary

        totals = _period_totals(self.project, self.scope.since, self.scope.until)
        section = Section(
            "overview",
            "Overview",
            order=0,
            intro=(
                f"{totals['posts']:,} posts by {totals['authors']:,} authors"
                + (f", {totals['first']} to {totals['last']} (UTC)." if totals["first"] else ".")
            ),
        )
        section.metrics = [
            Metric("Posts", f"{totals['posts']:,}"),
            Metric("Authors", f"{totals['authors']:,}"),
            Metric("Replies", f"{totals['replies']:,}"),
            Metric("Reposts", f"{totals['reposts']:,}"),
            Metric("Quotes", f"{totals['quotes']:,}"),
        ]
        if not totals["posts"]:
            section.notes.append("No posts in this time frame.")
            return [section]
        config, store = self.project.config, self.project.store
        overall = project_summary(
            config, store, by="overall", since=self.scope.since, until=self.scope.until
        )
        if overall:
            row = overall[0]
            section.metrics.append(
                Metric(
                    "Net sentiment",
                    _signed(row["net_sentiment"]),
                    "positive share − negative share of posts VADER scored",
                )
            )
        by_window = project_summary(
            config,
            store,
            by="overall",
            window=self.scope.window,
            since=self.scope.since,
            until=self.scope.until,
        )
        volume = {row["window"]: row["posts"] for row in by_window}
        spike_windows = sorted({row["window"] for row in self.trends.spike_rows()})
        section.charts.append(
            Chart(
                f"Posts per {self.scope.window}",
                self.axis(),
                [Series("posts", [volume.get(label, 0) for label in self.axis()])],
                kind="bar",
                x_label=self.scope.window,
                y_label="posts",
                marks=[label for label in spike_windows if label in volume],
            )
        )
        section.charts.append(_sentiment_chart("Sentiment over time", by_window, self))
        spikes = sorted(self.trends.spike_rows(), key=lambda row: -(row["z"] or 0))
        section.metrics.append(Metric("Spikes", f"{len(spikes):,}", "topics and brands"))
        section.tables.append(
            Table(
                "Top spikes",
                ["scope", "window", "volume", "baseline", "burst", "drivers"],
                [
                    {
                        "scope": row["scope"],
                        "window": row["window"],
                        "volume": row["volume"],
                        "baseline": row["baseline"],
                        "burst": row["burst"],
                        "drivers": ", ".join([*row["hashtags"][:2], *row["terms"][:3]]),
                    }
                    for row in spikes[:TOP_SPIKES]
                ],
                text_columns=["drivers"],
                total_rows=len(spikes),
            )
        )
        if not spikes:
            section.notes.append("No spikes: no window stood out from its trailing baseline.")
        return [section]

    # ------------------------------------------------------------ topics

    def topics(self) -> list[Section]:
        sections = []
        trends = self.trends
        by_topic = _topic_sentiment(self.project, self.scope)
        for position, name in enumerate(self.project.config.topics):
            label = f"topic:{name}"
            series = trends.volumes.get(label, [])
            rows = [row for row in trends.volume_rows() if row["scope"] == label]
            volume = {row["window"]: row["volume"] for row in rows}
            baseline = {row["window"]: row["baseline"] for row in rows}
            spikes = [row for row in trends.spike_rows() if row["scope"] == label]
            total = sum(item.volume for item in series)
            section = Section(
                f"topic-{name}",
                f"Topic: {name}",
                order=100 + position,
                intro=(
                    f"Query: {self.project.config.topics[name]} — {total:,} posts, "
                    f"{len(spikes)} spike{'s' if len(spikes) != 1 else ''}."
                ),
            )
            section.charts.append(
                Chart(
                    f"{name}: posts per {self.scope.window}",
                    self.axis(),
                    [
                        Series("posts", [volume.get(x, 0) for x in self.axis()]),
                        Series("baseline", self._along(baseline)),
                    ],
                    x_label=self.scope.window,
                    y_label="posts",
                    marks=[row["window"] for row in spikes],
                )
            )
            if spikes:
                section.tables.append(
                    Table(
                        "Spikes and what drove them",
                        [
                            "window",
                            "volume",
                            "baseline",
                            "burst",
                            "z",
                            "authors",
                            "hashtags",
                            "terms",
                            "example",
                        ],
                        [
                            {
                                **{key: row[key] for key in ("window", "volume", "baseline")},
                                "burst": row["burst"],
                                "z": row["z"],
                                "authors": ", ".join(row["authors"]),
                                "hashtags": ", ".join(row["hashtags"]),
                                "terms": ", ".join(row["terms"]),
                                "example": _clip(row["examples"][0]) if row["examples"] else "",
                            }
                            for row in spikes
                        ],
                        text_columns=["authors", "hashtags", "terms", "example"],
                    )
                )
            else:
                section.notes.append("No spikes in this time frame.")
            emerging = [row for row in trends.emerging_rows() if row["scope"] == label]
            if emerging:
                section.tables.append(
                    Table(
                        f"Emerging terms (latest {self.scope.window}: {emerging[0]['window']})",
                        ["term", "count", "baseline", "z"],
                        [
                            {key: row[key] for key in ("term", "count", "baseline", "z")}
                            for row in emerging
                        ],
                        text_columns=["term"],
                    )
                )
            sentiment = by_topic.get(name)
            if sentiment:
                section.charts.append(
                    _sentiment_chart(f"{name}: sentiment over time", sentiment, self)
                )
            sections.append(section)
        return sections

    # ------------------------------------------------------------ share of voice

    def share_of_voice(self) -> list[Section]:
        from hubbub.share_of_voice import compute_share_of_voice

        if not self.project.config.brands:
            return []
        since, until = self.scope.since, self.scope.until
        period = compute_share_of_voice(self.project, since=since, until=until)
        over_time = compute_share_of_voice(
            self.project, window=self.scope.window, since=since, until=until
        )
        section = Section(
            "share-of-voice",
            "Share of voice",
            order=200,
            intro=(
                "Each brand's mentions as a share of the mentions of all tracked brands "
                "(a post mentioning two brands counts for both)."
            ),
        )
        rows = period.rows()
        for row in rows:
            section.metrics.append(
                Metric(row["brand"], f"{row['share']:.1%}", f"{row['mentions']:,} mentions")
            )
        by_brand: dict[str, dict[str, float]] = defaultdict(dict)
        for row in over_time.rows():
            by_brand[row["brand"]][row["window"]] = row["share"]
        section.charts.append(
            Chart(
                f"Share of voice per {self.scope.window}",
                self.axis(),
                [Series(brand, self._along(values)) for brand, values in by_brand.items()],
                x_label=self.scope.window,
                y_label="share of mentions",
                percent=True,
            )
        )
        section.tables.append(
            Table(
                "Share of voice over the period",
                ["brand", "mentions", "share", "engagement", "positive", "neutral", "negative"],
                [
                    {
                        "brand": row["brand"],
                        "mentions": row["mentions"],
                        "share": f"{row['share']:.1%}",
                        "engagement": row["engagement"],
                        "positive": row["positive"],
                        "neutral": row["neutral"],
                        "negative": row["negative"],
                    }
                    for row in rows
                ],
            )
        )
        return [section]

    # ------------------------------------------------------------ influencers

    def influencers(self) -> list[Section]:
        from hubbub.influence import topic_influence

        topics = list(self.project.config.topics)
        if not topics:
            return []
        section = Section(
            "influencers",
            "Topic influencers",
            order=300,
            intro=(
                "Who moves each topic's conversation: personalised PageRank over who "
                "replies to, quotes, reposts and mentions whom — not follower counts. "
                "'Missed by followers' marks influencers a follower-count ranking of the "
                "same size would leave out."
            ),
        )
        for name in topics:
            result = topic_influence(
                self.project, topic=name, since=self.scope.since, until=self.scope.until
            )
            rows = result.rows()
            section.tables.append(
                Table(
                    f"{name}: top {len(rows):,} influencers",
                    [
                        "rank",
                        "handle",
                        "score",
                        "followers",
                        "engaged_by",
                        "why",
                        "missed_by_followers",
                        "top_post",
                    ],
                    [_influencer_row(row) for row in rows[:INFLUENCERS_PER_TOPIC]],
                    text_columns=["handle", "why", "top_post"],
                    total_rows=len(rows),
                )
            )
            missed = [row["handle"] for row in rows if row["missed_by_followers"]]
            if missed:
                section.notes.append(
                    f"{name}: follower counts miss {len(missed)} of the top {len(rows)}: "
                    + ", ".join(missed[:8])
                    + ("…" if len(missed) > 8 else "")
                )
            picks = result.follower_pick_rows(limit=FOLLOWER_PICKS)
            if picks:
                section.tables.append(
                    Table(
                        f"{name}: what a follower-count ranking would pick instead",
                        ["handle", "followers", "influence_rank", "engagers", "topic_posts"],
                        [
                            {
                                "handle": row["handle"],
                                "followers": row["followers"],
                                "influence_rank": row["rank"],
                                "engagers": row["engagers"],
                                "topic_posts": row["topic_posts"],
                            }
                            for row in picks
                        ],
                        text_columns=["handle"],
                        total_rows=len(result.pick_nodes),
                    )
                )
        return [section]

    # ------------------------------------------------------------ responsiveness

    def responsiveness(self) -> list[Section]:
        from hubbub.responsiveness import (
            analyze_responsiveness,
            by_window,
            distribution_rows,
            waiting_rows,
        )

        if not self.project.config.brands:
            return []
        since, until = self.scope.since, self.scope.until
        report = analyze_responsiveness(self.project, since=since, until=until)
        section = Section(
            "responsiveness",
            "Responsiveness",
            order=400,
            intro=(
                "How fast and how often each brand answers inbound customer posts, from "
                "public data: response rate, first-response times, share within the "
                "brand's target, and a 0–100 score."
            ),
        )
        rows = report.rows()
        section.tables.append(
            Table(
                "Leaderboard",
                [
                    "rank",
                    "brand",
                    "score",
                    "inbound",
                    "answered",
                    "response_rate",
                    "median",
                    "p90",
                    "within_target",
                    "reply_target",
                ],
                [
                    {
                        "rank": row["rank"],
                        "brand": row["brand"],
                        "score": row["score"],
                        "inbound": row["inbound"],
                        "answered": row["answered"],
                        "response_rate": _percent(row["response_rate"]),
                        "median": row["median"],
                        "p90": row["p90"],
                        "within_target": _percent(row["within_target_share"]),
                        "reply_target": row["reply_target"],
                    }
                    for row in rows
                ],
            )
        )
        distribution = distribution_rows(report)
        buckets = list(dict.fromkeys(row["bucket"] for row in distribution))
        shares: dict[str, dict[str, float]] = defaultdict(dict)
        for row in distribution:
            shares[row["brand"]][row["bucket"]] = row["share"]
        if buckets:
            section.charts.append(
                Chart(
                    "First-response time distribution",
                    [bucket.replace("_", " ") for bucket in buckets],
                    [
                        Series(brand, [values.get(bucket, 0.0) for bucket in buckets])
                        for brand, values in shares.items()
                    ],
                    kind="bar",
                    x_label="first response",
                    y_label="share of inbound posts",
                    percent=True,
                )
            )
        windowed = by_window(self.project, report, self.scope.window)  # no second read
        rates: dict[str, dict[str, float | None]] = defaultdict(dict)
        for figures in windowed.figures:
            if figures.window_start is None or not figures.inbound:
                continue
            label = figures.window_start.strftime("%Y-%m-%d")
            rates[figures.brand][label] = figures.response_rate
        if rates:
            section.charts.append(
                Chart(
                    f"Response rate per {self.scope.window}",
                    self.axis(),
                    [Series(brand, self._along(values)) for brand, values in rates.items()],
                    x_label=self.scope.window,
                    y_label="answered share",
                    percent=True,
                )
            )
        waiting = waiting_rows(self.project, report, limit=WAITING_ROWS)
        total_waiting = len(report.waiting())
        section.tables.append(
            Table(
                "Customers still waiting (oldest first)",
                ["brand", "author", "created_at", "waiting", "text"],
                [
                    {
                        "brand": row["brand"],
                        "author": row["author"],
                        "created_at": _minute(row["created_at"]),
                        "waiting": row["waiting"],
                        "text": _clip(row["text"] or ""),
                    }
                    for row in waiting
                ],
                text_columns=["author", "text"],
                total_rows=total_waiting,
            )
        )
        if not total_waiting:
            section.notes.append("Every inbound post in this time frame was answered.")
        return [section]


# ---------------------------------------------------------------- helpers


def _sentiment_chart(title: str, rows: list[dict[str, Any]], context: _Context) -> Chart:
    """Positive and negative shares of scored posts per window."""
    by_window = {row["window"]: row for row in rows}

    def share(key: str) -> list[float | None]:
        return [by_window[label][key] if label in by_window else None for label in context.axis()]

    return Chart(
        title,
        context.axis(),
        [Series("positive", share("positive_share")), Series("negative", share("negative_share"))],
        x_label=context.scope.window,
        y_label="share of scored posts",
        percent=True,
    )


def _conditions(since: datetime | None, until: datetime | None) -> list[Any]:
    from hubbub.store import posts_table

    conditions = []
    if since is not None:
        conditions.append(posts_table.c.created_at >= since)
    if until is not None:
        conditions.append(posts_table.c.created_at < until)
    return conditions


def _first_last(
    project: Project, since: datetime | None, until: datetime | None
) -> tuple[datetime | None, datetime | None]:
    """The oldest and newest post times in the time frame (naive UTC)."""
    import sqlalchemy as sa
    from hubbub.store import posts_table

    created = posts_table.c.created_at
    with project.store.engine.connect() as conn:
        first, last = conn.execute(
            sa.select(sa.func.min(created), sa.func.max(created)).where(*_conditions(since, until))
        ).one()
    return first, last


def _period_totals(
    project: Project, since: datetime | None, until: datetime | None
) -> dict[str, Any]:
    import sqlalchemy as sa
    from hubbub.store import posts_table

    p = posts_table.c
    conditions = _conditions(since, until)
    with project.store.engine.connect() as conn:
        row = conn.execute(
            sa.select(
                sa.func.count(),
                sa.func.count(sa.distinct(p.author)),
                sa.func.min(p.created_at),
                sa.func.max(p.created_at),
                sa.func.count(p.reply_to_id),
                sa.func.count(p.repost_of_id),
                sa.func.count(p.quote_of_id),
            ).where(*conditions)
        ).one()
    posts, authors, first, last, replies, reposts, quotes = row
    return {
        "posts": posts,
        "authors": authors,
        "first": first.strftime("%Y-%m-%d %H:%M") if first else None,
        "last": last.strftime("%Y-%m-%d %H:%M") if last else None,
        "replies": replies,
        "reposts": reposts,
        "quotes": quotes,
    }


def _topic_sentiment(project: Project, scope: ReportScope) -> dict[str, list[dict[str, Any]]]:
    """Per topic, the positive and negative shares of its scored posts per window.

    One :func:`hubbub.sentiment_summary.project_summary` for every topic (windows in the
    project's time zone): a query per topic joining posts to a table of windows cost
    three times as much.
    """
    from hubbub.sentiment_summary import project_summary

    if not project.config.topics:
        return {}
    rows = project_summary(
        project.config,
        project.store,
        by="topic",
        window=scope.window,
        since=scope.since,
        until=scope.until,
    )
    found: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if row["positive"] + row["neutral"] + row["negative"]:  # windows with scored posts
            found.setdefault(row["topic"], []).append(
                {
                    "window": row["window"],
                    "positive_share": row["positive_share"],
                    "negative_share": row["negative_share"],
                }
            )
    return found


def _influencer_row(row: dict[str, Any]) -> dict[str, Any]:
    kinds = [
        f"{row[key]} {name if row[key] == 1 else plural}"
        for key, name, plural in (
            ("replies_in", "reply", "replies"),
            ("quotes_in", "quote", "quotes"),
            ("reposts_in", "repost", "reposts"),
            ("mentions_in", "mention", "mentions"),
        )
        if row[key]
    ]
    engagers = row["top_engagers"][:3]
    why = ", ".join(kinds) or "active on the topic"
    if engagers:
        why += "; most from " + ", ".join(engagers)
    return {
        "rank": row["rank"],
        "handle": row["handle"],
        "score": round(row["score"], 4),
        "followers": row["followers"],
        "engaged_by": row["engagers"],
        "why": why,
        "missed_by_followers": row["missed_by_followers"],
        "top_post": _clip(row["top_post_text"] or ""),
    }


def _minute(iso: str | None) -> str:
    """``2026-03-02T00:22:16Z`` as ``2026-03-02 00:22 UTC``."""
    return f"{iso[:10]} {iso[11:16]} UTC" if iso else ""


def _clip(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXAMPLE_CHARS else flat[: EXAMPLE_CHARS - 1] + "…"


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


def _signed(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.1%}"
