"""Alert rules: the ``[[alerts]]`` tables of ``hubbub.toml``, and evaluating them at a moment.

Four rule types (formulas and examples in ``docs/watch.md``):

* ``spike`` — a topic's volume in the last ``window`` against the ``baseline_windows``
  windows of the same length before it: at least ``min_count`` posts, burst ratio
  ``count / max(mean, 1) >= burst_ratio`` and z-score
  ``(count - mean) / max(sd, sqrt(mean), 1) >= z`` (the rule of
  :func:`hubbub.trends.detect_spikes`). Windows slide with ``now``; baseline windows
  from before the first stored post are unknown, not zero, and with fewer than
  ``min_baseline_windows`` known ones the rule does not judge.
* ``negative_share`` — of a brand's posts in the last ``window`` that sentiment scored
  (:func:`hubbub.sentiment_summary.sentiment_summary`), at least ``min_count``, the
  negative share is at least ``threshold``.
* ``waiting_customer`` — an inbound post to a brand from the last ``window``, not
  answered, older than the brand's ``reply_target`` (or the rule's ``target``), by the
  pairing of :mod:`hubbub.responsiveness`. One subject per waiting customer (handle).
* ``new_influencer`` — an author in a topic's influencer set over the last ``window``
  (:func:`hubbub.influence.topic_influence`) who was not in the set over the
  ``baseline`` period before it. One subject per new author.

**Episodes.** Evaluating a rule gives the subjects whose condition is true now. A true
subject without an open episode fires (an alert is saved, which opens its episode); a
true subject with an open episode fires again only once ``cooldown`` has passed since
its last alert; an open episode whose subject is no longer true is closed. The
episodes live in the ``alerts`` table (:func:`hubbub.alerts.open_episodes`), so a
restart neither repeats nor forgets them.

This module's top level imports only light modules: :mod:`hubbub.config` calls
:func:`check_config` while loading ``hubbub.toml``.
"""

from __future__ import annotations

import math
from abc import abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from hubbub.durations import parse_duration
from hubbub.errors import ConfigError
from hubbub.kinds import Options, format_validation_error
from pydantic import Field, ValidationError, field_validator

if TYPE_CHECKING:
    from hubbub.alerts import Alert
    from hubbub.config import Config
    from hubbub.project import Project

__all__ = [
    "RULE_TYPES",
    "AlertRule",
    "NegativeShareRule",
    "NewInfluencerRule",
    "NotifierConfig",
    "SpikeRule",
    "WaitingCustomerRule",
    "check_config",
    "evaluate_rules",
    "parse_notifiers",
    "parse_rules",
]

#: examples attached to an alert
EXAMPLES = 3


def _check_duration(value: str) -> str:
    try:
        seconds = parse_duration(value)
    except ValueError:
        raise ValueError("expected a duration such as '15m', '2h' or '1d'") from None
    if seconds <= 0:
        raise ValueError("expected a duration longer than zero")
    return value


class AlertRule(Options):
    """What every rule has: a name, a type, a cooldown and the notifiers to tell."""

    name: str = Field(min_length=1)
    type: str
    #: an open episode fires again (a reminder) once this long has passed since its alert
    cooldown: str = "6h"
    #: names of ``[[notifiers]]`` to send the alert to (empty: every notifier)
    notify: list[str] = Field(default_factory=list)
    #: the length of the window the rule looks at
    window: str = "1h"

    kind: ClassVar[str] = ""

    _durations = field_validator("cooldown", "window")(_check_duration)

    @property
    def window_delta(self) -> timedelta:
        """``window`` as a timedelta."""
        return timedelta(seconds=parse_duration(self.window))

    @property
    def cooldown_delta(self) -> timedelta:
        """``cooldown`` as a timedelta."""
        return timedelta(seconds=parse_duration(self.cooldown))

    @abstractmethod
    def check(self, project: Project, now: datetime) -> dict[str, Alert]:
        """Subject -> an (unsaved) alert, for each subject whose condition holds at ``now``."""


class SpikeRule(AlertRule):
    """``type = "spike"``: a topic's volume bursts against its trailing baseline."""

    type: Literal["spike"]
    topic: str
    baseline_windows: int = Field(24, gt=0)
    min_baseline_windows: int = Field(3, gt=0)
    min_count: int = Field(10, ge=1)
    burst_ratio: float = Field(3.0, gt=0)
    z: float = 3.0

    kind: ClassVar[str] = "spike"

    def check(self, project: Project, now: datetime) -> dict[str, Alert]:
        """The topic, when its last window is a spike."""
        return _check_spike(self, project, now)


class NegativeShareRule(AlertRule):
    """``type = "negative_share"``: too large a share of a brand's posts is negative."""

    type: Literal["negative_share"]
    brand: str
    threshold: float = Field(0.5, gt=0, le=1)
    min_count: int = Field(10, ge=1)
    #: the sentiment analyzer whose labels count
    analyzer: str = "sentiment"

    kind: ClassVar[str] = "negative_share"

    def check(self, project: Project, now: datetime) -> dict[str, Alert]:
        """The brand, when its negative share in the window is at least the threshold."""
        return _check_negative_share(self, project, now)


class WaitingCustomerRule(AlertRule):
    """``type = "waiting_customer"``: a customer has waited longer than the brand's target."""

    type: Literal["waiting_customer"]
    brand: str
    window: str = "1d"
    #: how long is too long (default: the brand's ``reply_target``)
    target: str | None = None

    kind: ClassVar[str] = "waiting_customer"

    @field_validator("target")
    @classmethod
    def _target(cls, value: str | None) -> str | None:
        return _check_duration(value) if value is not None else None

    def check(self, project: Project, now: datetime) -> dict[str, Alert]:
        """One subject per customer handle with an unanswered post older than the target."""
        return _check_waiting(self, project, now)


class NewInfluencerRule(AlertRule):
    """``type = "new_influencer"``: an author enters a topic's influencer set."""

    type: Literal["new_influencer"]
    topic: str
    window: str = "1d"
    #: the period before the window whose influencer set counts as known
    baseline: str = "7d"
    #: the size of the set (default: the influence analyzer's ``share``/``top``)
    top: int | None = Field(None, gt=0)
    #: a new influencer was engaged with by at least this many distinct authors
    min_engagers: int = Field(2, ge=1)

    kind: ClassVar[str] = "new_influencer"

    _baseline = field_validator("baseline")(_check_duration)

    def check(self, project: Project, now: datetime) -> dict[str, Alert]:
        """One subject per author in the window's set and not in the baseline's."""
        return _check_new_influencer(self, project, now)


#: ``type`` -> its rule model
RULE_TYPES: dict[str, type[AlertRule]] = {
    "spike": SpikeRule,
    "negative_share": NegativeShareRule,
    "waiting_customer": WaitingCustomerRule,
    "new_influencer": NewInfluencerRule,
}


@dataclass
class NotifierConfig:
    """One ``[[notifiers]]`` table: its name, type and the type's own options."""

    name: str
    type: str
    options: dict[str, Any]
    #: where it is in the file, for error messages
    where: str


# ---------------------------------------------------------------- parsing


def _label(index: int, table: Any) -> str:
    name = table.get("name") if isinstance(table, dict) else None
    return f"[{index}] ({name})" if isinstance(name, str) and name else f"[{index}]"


def parse_notifiers(raw: Sequence[Any], where: str = "hubbub.toml") -> list[NotifierConfig]:
    """The ``[[notifiers]]`` tables: each needs a unique ``name`` and a ``type``.

    The type's own options are validated when the notifier is built (its plugin must be
    loaded), by :func:`hubbub.watch.build_notifiers`.
    """
    found: list[NotifierConfig] = []
    for index, table in enumerate(raw):
        place = f"{where}: notifiers{_label(index, table)}"
        if not isinstance(table, dict):
            raise ConfigError(f"{place}: expected a table ([[notifiers]])")
        name, kind = table.get("name"), table.get("type")
        if not isinstance(name, str) or not name:
            raise ConfigError(f"{place}: name: a notifier needs a name (a string)")
        if not isinstance(kind, str) or not kind:
            raise ConfigError(f"{place}: type: a notifier needs a type such as 'webhook'")
        if any(item.name == name for item in found):
            raise ConfigError(f"{place}: name: another notifier is named {name!r}")
        options = {key: value for key, value in table.items() if key not in ("name", "type")}
        found.append(NotifierConfig(name, kind, options, place))
    return found


def parse_rules(
    raw: Sequence[Any],
    where: str = "hubbub.toml",
    *,
    topics: Mapping[str, Any] | None = None,
    brands: Mapping[str, Any] | None = None,
    notifiers: Sequence[str] | None = None,
) -> list[AlertRule]:
    """Validate the ``[[alerts]]`` tables; errors name the table and the key.

    :param raw: the tables as read from TOML.
    :param where: the file, for messages.
    :param topics: configured topics (a rule's ``topic`` must be one), when known.
    :param brands: configured brands (a rule's ``brand`` must be one), when known.
    :param notifiers: configured notifier names (``notify`` must name them), when known.
    :raises ConfigError: naming ``alerts[INDEX] (NAME)`` and the key.
    """
    rules: list[AlertRule] = []
    for index, table in enumerate(raw):
        place = f"{where}: alerts{_label(index, table)}"
        if not isinstance(table, dict):
            raise ConfigError(f"{place}: expected a table ([[alerts]])")
        kind = table.get("type")
        model = RULE_TYPES.get(kind) if isinstance(kind, str) else None
        if model is None:
            choices = ", ".join(RULE_TYPES)
            shown = f" (got {kind!r})" if kind is not None else ""
            raise ConfigError(f"{place}: type: expected one of {choices}{shown}")
        try:
            rule = model.model_validate(table)
        except ValidationError as error:
            raise ConfigError(format_validation_error(error, place)) from None
        if any(other.name == rule.name for other in rules):
            raise ConfigError(f"{place}: name: another alert rule is named {rule.name!r}")
        topic = getattr(rule, "topic", None)
        if topic is not None and topics is not None and topic not in topics:
            known = ", ".join(topics) or "none"
            raise ConfigError(f"{place}: topic: unknown topic {topic!r} (topics: {known})")
        brand = getattr(rule, "brand", None)
        if brand is not None and brands is not None and brand not in brands:
            known = ", ".join(brands) or "none"
            raise ConfigError(f"{place}: brand: unknown brand {brand!r} (brands: {known})")
        if notifiers is not None:
            for name in rule.notify:
                if name not in notifiers:
                    known = ", ".join(notifiers) or "none"
                    raise ConfigError(
                        f"{place}: notify: no notifier named {name!r} (notifiers: {known})"
                    )
        rules.append(rule)
    return rules


def check_config(config: Config, where: str = "hubbub.toml") -> list[AlertRule]:
    """Validate the ``[[alerts]]`` and ``[[notifiers]]`` of ``config`` against each other.

    :returns: the parsed rules.
    :raises ConfigError: naming the table and key at fault.
    """
    notifiers = parse_notifiers(config.notifiers, where)
    return parse_rules(
        config.alerts,
        where,
        topics=config.topics,
        brands=config.brands,
        notifiers=[item.name for item in notifiers],
    )


# ---------------------------------------------------------------- evaluating


def evaluate_rules(
    project: Project,
    rules: Sequence[AlertRule],
    now: datetime,
    *,
    on_error: Callable[[AlertRule, Exception], None] | None = None,
) -> list[Alert]:
    """Evaluate ``rules`` at ``now`` (naive UTC) with episode semantics; save what fires.

    :param on_error: called with a rule that raised and its exception (the other rules
        still run); without it the exception propagates.
    :returns: the alerts fired (saved, with ids), in rule order.
    """
    from hubbub.alerts import close_episodes, open_episodes, save_alert

    store = project.store
    fired: list[Alert] = []
    for rule in rules:
        try:
            true_now = rule.check(project, now)
        except Exception as error:
            if on_error is None:
                raise
            on_error(rule, error)
            continue
        episodes = open_episodes(store, rule.name)
        ended = [subject for subject in episodes if subject not in true_now]
        close_episodes(store, rule.name, ended, now)
        for subject, alert in true_now.items():
            previous = episodes.get(subject)
            if previous is not None and now - previous.fired_at < rule.cooldown_delta:
                continue
            if previous is not None:
                alert.details["reminder"] = True
            fired.append(save_alert(store, alert))
    return fired


def _alert(rule: AlertRule, subject: str, now: datetime, **fields: Any) -> Alert:
    from hubbub.alerts import Alert

    return Alert(rule=rule.name, kind=rule.kind, subject=subject, fired_at=now, **fields)


def _example_rows(project: Project, condition: Any, low: datetime, high: datetime) -> list[Any]:
    """The newest posts in ``[low, high)`` matching ``condition`` (a SQL condition)."""
    import sqlalchemy as sa
    from hubbub.store import posts_table

    p = posts_table.c
    query = (
        sa.select(p.id, p.external_id, p.author, p.text, p.url, p.created_at)
        .where(condition, p.created_at >= low, p.created_at < high)
        .order_by(p.created_at.desc(), p.id.desc())
        .limit(EXAMPLES)
    )
    with project.store.engine.connect() as conn:
        return list(conn.execute(query))


def _examples(rows: Sequence[Any]) -> tuple[list[str], list[dict[str, Any]]]:
    ids = [str(row.external_id) for row in rows]
    shown = [
        {
            "id": str(row.external_id),
            "author": row.author,
            "text": row.text[:280],
            "url": row.url,
            "created_at": row.created_at.isoformat() + "Z",
        }
        for row in rows
    ]
    return ids, shown


def _check_spike(rule: SpikeRule, project: Project, now: datetime) -> dict[str, Alert]:
    import sqlalchemy as sa
    from hubbub.store import posts_table
    from hubbub.topics import ensure_tagged, topic_post_ids
    from hubbub.trends import detect_spikes

    ensure_tagged(project, only=[rule.topic])
    p = posts_table.c
    width = rule.window_delta
    low = now - width * (rule.baseline_windows + 1)
    in_topic = p.id.in_(topic_post_ids(rule.topic))
    with project.store.engine.connect() as conn:
        first = conn.execute(sa.select(sa.func.min(p.created_at))).scalar()
        times = conn.execute(
            sa.select(p.created_at).where(in_topic, p.created_at >= low, p.created_at < now)
        ).scalars()
        counts = [0] * (rule.baseline_windows + 1)
        for moment in times:  # window i is [low + i * width, low + (i + 1) * width)
            counts[min(int((moment - low) / width), rule.baseline_windows)] += 1
    if first is None:
        return {}
    # a baseline window that began before the first stored post is unknown, not quiet
    known = [
        counts[index]
        for index in range(rule.baseline_windows)
        if now - width * (rule.baseline_windows + 1 - index) >= first
    ]
    count = counts[-1]
    mean, burst, z, spike = detect_spikes(
        [*known, count],
        baseline_windows=rule.baseline_windows,
        min_baseline_windows=rule.min_baseline_windows,
        min_burst=rule.burst_ratio,
        min_z=rule.z,
        min_volume=rule.min_count,
    )[-1]
    if not spike or mean is None or burst is None or z is None:
        return {}
    start = now - width
    ids, shown = _examples(_example_rows(project, in_topic, start, now))
    message = (
        f"Spike on topic {rule.topic}: {count} posts in the last {rule.window}, "
        f"{burst:.1f}x the baseline mean of {mean:.1f} (z = {z:.1f})"
    )
    details = {
        "topic": rule.topic,
        "window": rule.window,
        "count": count,
        "baseline_mean": round(mean, 4),
        "baseline_windows": len(known),
        "ratio": round(burst, 4),
        "z": round(z, 4),
        "min_count": rule.min_count,
        "burst_ratio": rule.burst_ratio,
        "z_threshold": rule.z,
        "examples": shown,
    }
    return {
        rule.topic: _alert(
            rule,
            rule.topic,
            now,
            window_start=start,
            window_end=now,
            message=message,
            details=details,
            example_post_ids=ids,
        )
    }


def _check_negative_share(
    rule: NegativeShareRule, project: Project, now: datetime
) -> dict[str, Alert]:
    import sqlalchemy as sa
    from hubbub.brands import BrandMatcher
    from hubbub.sentiment_summary import sentiment_summary
    from hubbub.store import annotations_table, posts_table

    start = now - rule.window_delta
    matcher = BrandMatcher.from_config(project.config)
    if rule.brand not in matcher.names:
        return {}
    rows = sentiment_summary(
        project.store,
        brands=BrandMatcher({rule.brand: project.config.brands[rule.brand]}),
        by="brand",
        analyzer=rule.analyzer,
        since=start,
        until=now,
    )
    row = next((item for item in rows if item.get("brand") == rule.brand), None)
    if row is None:
        return {}
    scored = row["positive"] + row["neutral"] + row["negative"]
    share = row["negative_share"]
    if scored < rule.min_count or share is None or share < rule.threshold:
        return {}
    a = annotations_table.c
    negative = sa.exists(
        sa.select(sa.literal(1)).where(
            a.post_id == posts_table.c.id,
            a.analyzer == rule.analyzer,
            a.key == "label",
            a.value == '"negative"',
        )
    )
    condition = sa.and_(
        negative, matcher.sql_condition(rule.brand, posts_table, dialect=project.store.dialect)
    )
    ids, shown = _examples(_example_rows(project, condition, start, now))
    message = (
        f"Negative sentiment on {rule.brand}: {share:.0%} of {scored} scored posts in the "
        f"last {rule.window} (threshold {rule.threshold:.0%})"
    )
    details = {
        "brand": rule.brand,
        "window": rule.window,
        "count": scored,
        "negative": row["negative"],
        "ratio": share,
        "threshold": rule.threshold,
        "min_count": rule.min_count,
        "examples": shown,
    }
    return {
        rule.brand: _alert(
            rule,
            rule.brand,
            now,
            window_start=start,
            window_end=now,
            message=message,
            details=details,
            example_post_ids=ids,
        )
    }


def _check_waiting(rule: WaitingCustomerRule, project: Project, now: datetime) -> dict[str, Alert]:
    from hubbub.responsiveness import analyze_responsiveness, format_duration, waiting_rows

    section = project.config.brands[rule.brand]
    target = parse_duration(rule.target) if rule.target else section.reply_target_seconds
    start = now - rule.window_delta
    report = analyze_responsiveness(project, brands=[rule.brand], since=start, until=now, as_of=now)
    waiting: dict[str, list[dict[str, Any]]] = {}
    for row in waiting_rows(project, report, brand=rule.brand, limit=0):  # oldest first
        if (row["waiting_seconds"] or 0) > target:
            waiting.setdefault(row["author"], []).append(row)
    alerts: dict[str, Alert] = {}
    for author, rows in waiting.items():
        waited = rows[0]["waiting_seconds"]
        shown = [
            {
                "id": str(row["post_id"]),
                "author": author,
                "text": (row["text"] or "")[:280],
                "url": row["url"],
                "created_at": row["created_at"],
            }
            for row in rows[:EXAMPLES]
        ]
        message = (
            f"@{author} has waited {format_duration(waited)} for {rule.brand} "
            f"(target {format_duration(target)}; {len(rows)} unanswered post"
            f"{'s' if len(rows) != 1 else ''})"
        )
        details = {
            "brand": rule.brand,
            "author": author,
            "count": len(rows),
            "waiting_seconds": round(waited, 3),
            "target_seconds": target,
            "ratio": round(waited / target, 4) if target else None,
            "examples": shown,
        }
        alerts[author] = _alert(
            rule,
            author,
            now,
            window_start=start,
            window_end=now,
            message=message,
            details=details,
            example_post_ids=[item["id"] for item in shown],
        )
    return alerts


def _check_new_influencer(
    rule: NewInfluencerRule, project: Project, now: datetime
) -> dict[str, Alert]:
    from hubbub.influence import topic_influence

    start = now - rule.window_delta
    baseline_start = start - timedelta(seconds=parse_duration(rule.baseline))
    overrides: dict[str, Any] = {"top": rule.top} if rule.top else {}
    before = topic_influence(
        project, topic=rule.topic, since=baseline_start, until=start, **overrides
    )
    if before.graph.nodes == 0:
        return {}  # nothing known before the window: every author would look new
    current = topic_influence(project, topic=rule.topic, since=start, until=now, **overrides)
    known = {influencer.handle.lower() for influencer in before.influencers}
    alerts: dict[str, Alert] = {}
    for influencer in current.influencers:
        if influencer.handle.lower() in known or influencer.engagers < rule.min_engagers:
            continue
        posts = influencer.posts[:EXAMPLES]
        engagers = [handle for handle, _weight in influencer.top_engagers]
        message = (
            f"New influencer on topic {rule.topic}: @{influencer.handle} is #{influencer.rank} "
            f"in the last {rule.window} ({influencer.engagers} authors engaged), not in the set "
            f"of the {rule.baseline} before"
        )
        details = {
            "topic": rule.topic,
            "handle": influencer.handle,
            "rank": influencer.rank,
            "score": _finite(influencer.score),
            "count": influencer.engagers,
            "engagers": engagers,
            "in_edges": dict(influencer.in_edges),
            "set_size": len(current.influencers),
            "baseline_set": sorted(known),
            "examples": [post.as_dict() for post in posts],
        }
        alerts[influencer.handle] = _alert(
            rule,
            influencer.handle,
            now,
            window_start=start,
            window_end=now,
            message=message,
            details=details,
            example_post_ids=[str(post.external_id) for post in posts],
        )
    return alerts


def _finite(value: float) -> float | None:
    return round(float(value), 6) if math.isfinite(value) else None
