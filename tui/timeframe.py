"""The time frame every screen follows: the last 24 hours, 7 or 30 days of the data, or a custom range.

Preset frames end at the newest stored post, not at the wall clock, so a screen shows the
same numbers for the same data whenever it is opened (and snapshots stay stable).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

#: preset key -> (label, length); ``all`` is the whole period
PRESETS: dict[str, tuple[str, timedelta | None]] = {
    "24h": ("last 24 h", timedelta(hours=24)),
    "7d": ("last 7 days", timedelta(days=7)),
    "30d": ("last 30 days", timedelta(days=30)),
    "all": ("all time", None),
}
#: the order ``t`` cycles through
CYCLE: tuple[str, ...] = ("24h", "7d", "30d", "all")


@dataclass(frozen=True)
class TimeFrame:
    """A half-open range ``[since, until)`` of naive UTC times (``None``: unbounded)."""

    key: str
    since: datetime | None = None
    until: datetime | None = None

    @property
    def label(self) -> str:
        """What the header shows, e.g. ``last 7 days`` or ``2026-03-01 – 2026-03-05``."""
        if self.key in PRESETS:
            return PRESETS[self.key][0]
        start = self.since.strftime("%Y-%m-%d %H:%M") if self.since else "start"
        end = self.until.strftime("%Y-%m-%d %H:%M") if self.until else "end"
        return f"{start} – {end}"

    @property
    def days(self) -> float | None:
        """The frame's length in days (``None`` when unbounded)."""
        if self.since is None or self.until is None:
            return None
        return (self.until - self.since).total_seconds() / 86400

    def trend_window(self) -> str:
        """The trend window that suits the frame: hours for two days or less, else days."""
        days = self.days
        return "hour" if days is not None and days <= 2 else "day"


def preset(key: str, newest: datetime | None) -> TimeFrame:
    """The preset frame ``key`` ending just after ``newest`` (the data's newest post).

    :raises KeyError: for an unknown preset.
    """
    _label, length = PRESETS[key]
    if length is None or newest is None:
        return TimeFrame(key)
    until = newest + timedelta(seconds=1)
    return TimeFrame(key, until - length, until)


def custom(since: datetime | None, until: datetime | None) -> TimeFrame:
    """A custom frame; ``since`` must be before ``until``.

    :raises ValueError: when the range is empty.
    """
    if since is not None and until is not None and since >= until:
        raise ValueError("the start must be before the end")
    return TimeFrame("custom", since, until)


def next_preset(key: str) -> str:
    """The preset after ``key`` in :data:`CYCLE` (a custom frame goes back to the first)."""
    if key not in CYCLE:
        return CYCLE[0]
    return CYCLE[(CYCLE.index(key) + 1) % len(CYCLE)]
