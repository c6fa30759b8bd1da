"""Alerts: what an alert rule fired, stored in the ``alerts`` table.

An :class:`Alert` carries what triggered it: the rule and its kind, the subject (a
topic, a brand or a handle), the window it looked at, a one-line message, the figures
(``details``: count, ratio, z, threshold, …) and example posts. Times are naive UTC,
as everywhere in the store. ``hubbub watch`` saves each alert before its notifiers
run, so an alert is never lost to a failing notifier; each notifier's outcome is then
recorded on the row (``delivery``).

Episodes: a rule fires once when its condition becomes true for a subject. While the
condition stays true the alert's episode is *open* (``ended_at`` is empty); when the
condition is found false the episode is closed. Because the state is in the table, a
restarted watch neither repeats an alert nor forgets one (see :mod:`hubbub.alert_rules`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from hubbub.store import Store

__all__ = [
    "KINDS",
    "Alert",
    "close_episodes",
    "list_alerts",
    "open_episodes",
    "record_delivery",
    "save_alert",
]

#: the kinds of alert rule
KINDS = ("spike", "negative_share", "waiting_customer", "new_influencer")


@dataclass
class Alert:
    """One fired alert and what triggered it."""

    #: the rule's ``name`` in ``[[alerts]]``
    rule: str
    #: ``spike``, ``negative_share``, ``waiting_customer`` or ``new_influencer``
    kind: str
    #: the topic, brand or handle the alert is about
    subject: str
    #: when it fired (naive UTC)
    fired_at: datetime
    #: the window the rule looked at (naive UTC), when it has one
    window_start: datetime | None
    window_end: datetime | None
    #: one human line
    message: str
    #: the figures that triggered it (count, ratio, z, threshold, …), JSON-ready
    details: dict[str, Any]
    #: external ids of example posts
    example_post_ids: list[str]
    id: int | None = None
    #: notifier name -> ``"sent"`` or ``"failed: …"`` (filled as notifiers run)
    delivery: dict[str, str] = field(default_factory=dict)
    #: when the episode ended (the condition was found false again); ``None``: still open
    ended_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        """A flat, JSON-ready dict (times as ISO 8601 with ``Z``): what notifiers send."""
        return {
            "id": self.id,
            "rule": self.rule,
            "kind": self.kind,
            "subject": self.subject,
            "fired_at": _iso(self.fired_at),
            "window_start": _iso(self.window_start),
            "window_end": _iso(self.window_end),
            "message": self.message,
            "details": self.details,
            "example_post_ids": list(self.example_post_ids),
        }

    def row(self) -> dict[str, Any]:
        """One flat row for ``hubbub alerts`` (table, JSON, CSV)."""
        return {
            **self.as_dict(),
            "ended_at": _iso(self.ended_at),
            "delivery": dict(self.delivery),
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() + "Z" if moment is not None else None


def _table() -> Any:
    from hubbub.models import AlertRecord

    return AlertRecord.__table__


def _dumps(value: Any) -> str:
    return orjson.dumps(value, default=str).decode()


def _from_row(row: Any) -> Alert:
    return Alert(
        rule=row.rule,
        kind=row.kind,
        subject=row.subject,
        fired_at=row.fired_at,
        window_start=row.window_start,
        window_end=row.window_end,
        message=row.message,
        details=orjson.loads(row.details or "{}"),
        example_post_ids=[str(item) for item in orjson.loads(row.example_post_ids or "[]")],
        id=row.id,
        delivery=orjson.loads(row.delivery or "{}"),
        ended_at=row.ended_at,
    )


def save_alert(store: Store, alert: Alert) -> Alert:
    """Store ``alert`` and return it with its ``id`` set."""
    table = _table()
    with store.engine.begin() as conn:
        result = conn.execute(
            table.insert().values(
                rule=alert.rule,
                kind=alert.kind,
                subject=alert.subject,
                fired_at=alert.fired_at,
                window_start=alert.window_start,
                window_end=alert.window_end,
                ended_at=alert.ended_at,
                message=alert.message,
                details=_dumps(alert.details),
                example_post_ids=_dumps([str(item) for item in alert.example_post_ids]),
                delivery=_dumps(alert.delivery),
            )
        )
        alert.id = int(result.inserted_primary_key[0])
    return alert


def list_alerts(
    store: Store,
    *,
    since: datetime | None = None,
    rule: str | None = None,
    limit: int | None = 100,
) -> list[Alert]:
    """Stored alerts, newest first.

    :param since: only alerts fired at or after this naive UTC time.
    :param rule: only the alerts of this rule.
    :param limit: at most this many (``None`` or 0: all).
    """
    import sqlalchemy as sa

    table = _table()
    query = sa.select(table).order_by(table.c.fired_at.desc(), table.c.id.desc())
    if since is not None:
        query = query.where(table.c.fired_at >= since)
    if rule is not None:
        query = query.where(table.c.rule == rule)
    if limit:
        query = query.limit(limit)
    with store.engine.connect() as conn:
        return [_from_row(row) for row in conn.execute(query)]


def open_episodes(store: Store, rule: str) -> dict[str, Alert]:
    """Subject -> the latest alert of ``rule`` whose episode is still open."""
    import sqlalchemy as sa

    table = _table()
    query = (
        sa.select(table)
        .where(table.c.rule == rule, table.c.ended_at.is_(None))
        .order_by(table.c.fired_at, table.c.id)
    )
    with store.engine.connect() as conn:
        return {row.subject: _from_row(row) for row in conn.execute(query)}


def close_episodes(store: Store, rule: str, subjects: Sequence[str], ended_at: datetime) -> None:
    """Mark the open episodes of ``rule`` for ``subjects`` as ended at ``ended_at``."""
    import sqlalchemy as sa

    if not subjects:
        return
    table = _table()
    with store.engine.begin() as conn:
        conn.execute(
            sa.update(table)
            .where(
                table.c.rule == rule,
                table.c.ended_at.is_(None),
                table.c.subject.in_(list(subjects)),
            )
            .values(ended_at=ended_at)
        )


def record_delivery(store: Store, alert: Alert) -> None:
    """Write ``alert.delivery`` (each notifier's outcome) to its stored row."""
    import sqlalchemy as sa

    if alert.id is None:
        return
    table = _table()
    with store.engine.begin() as conn:
        conn.execute(
            sa.update(table).where(table.c.id == alert.id).values(delivery=_dumps(alert.delivery))
        )
