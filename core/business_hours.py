"""Business hours: a weekly schedule in a time zone, and the seconds inside it between instants.

A schedule is written as in ``hubbub.toml``::

    business_hours = "Mon-Fri 08:00-18:00 Europe/Amsterdam"
    business_hours = "Mon-Fri 08:00-12:00 13:00-17:30, Sat 10:00-14:00 Europe/Amsterdam"

Comma-separated parts, each a day or a day range (``Mon``, ``Mon-Fri``, ``Fri-Mon`` wraps
round the week; ``daily`` is ``Mon-Sun``) followed by one or more ``HH:MM-HH:MM`` ranges;
the last word is the IANA time zone (the ``default_timezone`` when left out). ``24:00``
ends a range at midnight; a range that ends before it starts (``22:00-06:00``) runs
overnight into the next day. Ranges that overlap are merged, so no second counts twice.

Times are wall-clock times in the schedule's zone, so a ``08:00`` opening is 08:00 in
winter and in summer: :meth:`BusinessHours.seconds_between` is right across weekends and
daylight-saving changes. A local time that a spring-forward change skips counts from
the moment the clocks jump (``02:30`` on that day behaves as ``03:30``); on a
fall-back night an ambiguous local time means its first occurrence.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hubbub.errors import ConfigError

__all__ = ["BusinessHours", "parse_business_hours"]

DAY_SECONDS = 86400
_DAY_NAMES = {
    "mon": 0,
    "monday": 0,
    "tue": 1,
    "tues": 1,
    "tuesday": 1,
    "wed": 2,
    "wednesday": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "thursday": 3,
    "fri": 4,
    "friday": 4,
    "sat": 5,
    "saturday": 5,
    "sun": 6,
    "sunday": 6,
}
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_TIME_RANGE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")

#: per weekday (Monday = 0), sorted disjoint (start, end) seconds after local midnight
Week = tuple[tuple[tuple[int, int], ...], ...]


class BusinessHours:
    """A weekly schedule of opening hours in one time zone.

    :param week: for each weekday (Monday first), sorted, disjoint ``(start, end)``
        pairs of seconds after local midnight, ``0 <= start < end <= 86400``.
    :param timezone: the IANA zone the times are in.
    :param text: the schedule as written, for display.
    """

    def __init__(self, week: Week, timezone: str, text: str = "") -> None:
        if len(week) != 7:
            raise ValueError("a week has 7 days")
        self.week = week
        self.timezone = timezone
        self.zone = ZoneInfo(timezone)
        self.text = text or self.describe()
        # business seconds of whole local days from _origin: _prefix[k] = days origin..origin+k-1
        self._origin: date | None = None
        self._prefix: list[float] = [0.0]

    def __repr__(self) -> str:
        return f"BusinessHours({self.text!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BusinessHours):
            return NotImplemented
        return self.week == other.week and self.timezone == other.timezone

    def __hash__(self) -> int:
        return hash((self.week, self.timezone))

    @property
    def weekly_seconds(self) -> int:
        """Open seconds in a week without a clock change."""
        return sum(end - start for day in self.week for start, end in day)

    def describe(self) -> str:
        """The schedule in the canonical written form (one part per weekday that is open)."""
        parts = []
        for weekday, ranges in enumerate(self.week):
            if ranges:
                times = " ".join(f"{_clock(start)}-{_clock(end)}" for start, end in ranges)
                parts.append(f"{_WEEKDAYS[weekday]} {times}")
        return ", ".join(parts) + f" {self.timezone}" if parts else f"closed {self.timezone}"

    # ------------------------------------------------------------ arithmetic

    def _local_epoch(self, day: date, seconds: int) -> float:
        """Epoch seconds of ``seconds`` after local midnight of ``day`` (86400 = next midnight)."""
        moment = datetime.combine(day, time()) + timedelta(seconds=seconds)
        return moment.replace(tzinfo=self.zone).timestamp()

    def _day_intervals(self, day: date) -> list[tuple[float, float]]:
        """The open intervals of a local day, as epoch seconds."""
        intervals = []
        for start, end in self.week[day.weekday()]:
            begin, finish = self._local_epoch(day, start), self._local_epoch(day, end)
            if finish > begin:  # a range inside a skipped (spring-forward) hour is empty
                intervals.append((begin, finish))
        return intervals

    def _day_seconds(self, day: date) -> float:
        return sum(finish - begin for begin, finish in self._day_intervals(day))

    def _seconds_before_day(self, day: date) -> float:
        """Open seconds from the cache origin up to local midnight of ``day`` (may be negative)."""
        if self._origin is None or day < self._origin:
            # (re)start the cache a little before the earliest day asked for
            keep = self._origin
            origin = day - timedelta(days=7)
            self._origin, self._prefix = origin, [0.0]
            if keep is not None:
                self._extend(keep)
        self._extend(day)
        return self._prefix[(day - self._origin).days]

    def _extend(self, day: date) -> None:
        assert self._origin is not None
        have = len(self._prefix) - 1
        need = (day - self._origin).days
        for offset in range(have, need):
            current = self._origin + timedelta(days=offset)
            self._prefix.append(self._prefix[-1] + self._day_seconds(current))

    def _open_seconds_until(self, epoch: float) -> float:
        """Open seconds from the cache origin to the instant ``epoch``."""
        day = datetime.fromtimestamp(epoch, self.zone).date()
        total = self._seconds_before_day(day)
        for begin, finish in self._day_intervals(day):
            if epoch > begin:
                total += min(epoch, finish) - begin
        return total

    def seconds_between(self, start: datetime, end: datetime) -> float:
        """Seconds inside business hours from ``start`` to ``end`` (0 when ``end <= start``).

        Naive datetimes are UTC (as the store keeps them); aware ones may be in any zone.
        """
        begin, finish = _epoch(start), _epoch(end)
        if finish <= begin:
            return 0.0
        # ``begin`` first: it may move the cache origin earlier, which ``finish`` then shares
        before = self._open_seconds_until(begin)
        return self._open_seconds_until(finish) - before

    def is_open(self, moment: datetime) -> bool:
        """Whether ``moment`` (naive = UTC) falls inside business hours."""
        epoch = _epoch(moment)
        day = datetime.fromtimestamp(epoch, self.zone).date()
        return any(begin <= epoch < finish for begin, finish in self._day_intervals(day))


def _epoch(moment: datetime) -> float:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def _parse_days(text: str, where: str) -> list[int]:
    lowered = text.lower()
    if lowered in ("daily", "everyday", "all"):
        return list(range(7))
    first, sep, last = lowered.partition("-")
    if first not in _DAY_NAMES or (sep and last not in _DAY_NAMES):
        raise ConfigError(
            f"{where}: {text!r} is not a day or day range (use e.g. Mon, Mon-Fri or daily)"
        )
    start = _DAY_NAMES[first]
    stop = _DAY_NAMES[last] if sep else start
    return [(start + offset) % 7 for offset in range((stop - start) % 7 + 1)]


def _parse_time_range(text: str, where: str) -> tuple[int, int]:
    match = _TIME_RANGE.match(text)
    if not match:
        raise ConfigError(f"{where}: {text!r} is not a time range (use e.g. 08:00-18:00)")
    h1, m1, h2, m2 = (int(group) for group in match.groups())
    if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2):
        raise ConfigError(f"{where}: {text!r} holds an impossible time (00:00 to 24:00)")
    start, end = h1 * 3600 + m1 * 60, h2 * 3600 + m2 * 60
    if start == end:
        raise ConfigError(f"{where}: {text!r} is empty (it starts when it ends)")
    return start, end


def _merge(ranges: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def parse_business_hours(
    text: str, *, default_timezone: str = "UTC", where: str = "business_hours"
) -> BusinessHours:
    """Parse a schedule such as ``"Mon-Fri 08:00-18:00, Sat 10:00-14:00 Europe/Amsterdam"``.

    :param default_timezone: the zone when the text names none.
    :param where: names the setting in error messages (e.g. ``brands.acme.business_hours``).
    :raises ConfigError: with a message naming ``where`` and the part that is wrong.
    """
    words = text.replace(",", " , ").split()
    if not words:
        raise ConfigError(f"{where}: empty (use e.g. 'Mon-Fri 08:00-18:00 Europe/Amsterdam')")
    timezone = default_timezone
    if not words[-1][0].isdigit() and words[-1] != ",":  # times start with a digit, zones don't
        timezone = words.pop()
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{where}: unknown time zone {timezone!r} (use an IANA name such as 'Europe/Amsterdam')"
        ) from None
    per_day: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    parts: list[list[str]] = [[]]
    for word in words:
        if word == ",":
            parts.append([])
        else:
            parts[-1].append(word)
    for part in parts:
        if not part:
            raise ConfigError(f"{where}: an empty part in {text!r}")
        days = _parse_days(part[0], where)
        if len(part) == 1:
            raise ConfigError(
                f"{where}: {part[0]!r} has no time range (use e.g. Mon-Fri 08:00-18:00)"
            )
        for time_text in part[1:]:
            start, end = _parse_time_range(time_text, where)
            for weekday in days:
                if end > start:
                    per_day[weekday].append((start, end))
                else:  # overnight: until midnight, then on into the next day
                    per_day[weekday].append((start, DAY_SECONDS))
                    if end:
                        per_day[(weekday + 1) % 7].append((0, end))
    week = tuple(_merge(ranges) for ranges in per_day)
    return BusinessHours(week, timezone, text.strip())
