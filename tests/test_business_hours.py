"""Business hours: parsing schedules and counting the seconds inside them across weekends,
time zones and daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hubbub.business_hours import parse_business_hours
from hubbub.errors import ConfigError

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NEW_YORK = ZoneInfo("America/New_York")
HOUR = 3600


def local(zone: ZoneInfo, *args: int) -> datetime:
    """A naive UTC datetime (as the store keeps them) for a wall-clock time in ``zone``."""
    return datetime(*args, tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def test_parse_one_range() -> None:
    hours = parse_business_hours("Mon-Fri 08:00-18:00 Europe/Amsterdam")
    assert hours.timezone == "Europe/Amsterdam"
    assert hours.week[:5] == (((8 * HOUR, 18 * HOUR),),) * 5
    assert hours.week[5:] == ((), ())
    assert hours.weekly_seconds == 50 * HOUR
    assert hours.text == "Mon-Fri 08:00-18:00 Europe/Amsterdam"


def test_parse_several_ranges_days_and_breaks() -> None:
    hours = parse_business_hours(
        "Mon-Fri 08:00-12:00 13:00-17:30, Sat 10:00-14:00, sunday 11:00-12:00 Europe/Amsterdam"
    )
    assert hours.week[0] == ((8 * HOUR, 12 * HOUR), (13 * HOUR, 17 * HOUR + 1800))
    assert hours.week[5] == ((10 * HOUR, 14 * HOUR),)
    assert hours.week[6] == ((11 * HOUR, 12 * HOUR),)
    assert hours.weekly_seconds == 5 * 8.5 * HOUR + 4 * HOUR + HOUR


def test_parse_wrapping_days_overnight_and_overlaps() -> None:
    # Fri-Mon wraps round the weekend; 22:00-02:00 runs into the next day
    hours = parse_business_hours("Fri-Mon 22:00-02:00 UTC")
    assert [bool(day) for day in hours.week] == [True, True, False, False, True, True, True]
    assert hours.week[1] == ((0, 2 * HOUR),)  # Tuesday: only Monday night's tail
    assert hours.week[4] == ((22 * HOUR, 24 * HOUR),)  # Friday: only the evening
    assert hours.weekly_seconds == 4 * 4 * HOUR
    merged = parse_business_hours("Mon 08:00-12:00, Mon 11:00-14:00, Mon 14:00-15:00 UTC")
    assert merged.week[0] == ((8 * HOUR, 15 * HOUR),)


def test_time_zone_defaults() -> None:
    assert parse_business_hours("daily 00:00-24:00").timezone == "UTC"
    hours = parse_business_hours("Mon-Fri 09:00-17:00", default_timezone="America/New_York")
    assert hours.timezone == "America/New_York"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "empty"),
        ("Mon-Fri 08:00-18:00 Mars/Olympus", "unknown time zone 'Mars/Olympus'"),
        ("Mon-Fry 08:00-18:00 UTC", "'Mon-Fry' is not a day"),
        ("Mon-Fri 8-18 UTC", "'8-18' is not a time range"),
        ("Mon-Fri 08:00-25:00 UTC", "impossible time"),
        ("Mon-Fri 09:00-09:00 UTC", "is empty"),
        ("Mon-Fri UTC", "has no time range"),
        ("Mon 08:00-12:00, , Tue 08:00-12:00 UTC", "empty part"),
    ],
)
def test_bad_schedules_name_the_setting_and_the_problem(text: str, problem: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_business_hours(text, where="brands.acme.business_hours")
    assert str(error.value).startswith("brands.acme.business_hours: ")
    assert problem in str(error.value)


def test_inside_one_day() -> None:
    hours = parse_business_hours("Mon-Fri 08:00-18:00 Europe/Amsterdam")
    # Tuesday 2024-01-09: 07:00-09:30 holds 1.5 open hours, 17:00-19:00 one
    assert hours.seconds_between(
        local(AMSTERDAM, 2024, 1, 9, 7), local(AMSTERDAM, 2024, 1, 9, 9, 30)
    ) == pytest.approx(1.5 * HOUR)
    assert hours.seconds_between(
        local(AMSTERDAM, 2024, 1, 9, 17), local(AMSTERDAM, 2024, 1, 9, 19)
    ) == pytest.approx(HOUR)
    # entirely outside: after closing until before opening
    assert (
        hours.seconds_between(local(AMSTERDAM, 2024, 1, 9, 19), local(AMSTERDAM, 2024, 1, 10, 7))
        == 0
    )


def test_friday_evening_to_monday_morning_counts_twenty_minutes() -> None:
    hours = parse_business_hours("Mon-Fri 08:00-18:00 Europe/Amsterdam")
    friday = local(AMSTERDAM, 2024, 1, 12, 17, 50)
    monday = local(AMSTERDAM, 2024, 1, 15, 8, 10)
    assert hours.seconds_between(friday, monday) == 20 * 60
    # the wall clock says 62h20m
    assert (monday - friday).total_seconds() == 62 * HOUR + 20 * 60


def test_weekend_across_the_spring_forward_change() -> None:
    # Europe/Amsterdam moves from UTC+1 to UTC+2 on Sunday 2024-03-31 at 02:00
    hours = parse_business_hours("Mon-Fri 08:00-18:00 Europe/Amsterdam")
    friday = local(AMSTERDAM, 2024, 3, 29, 17, 50)  # 16:50 UTC
    monday = local(AMSTERDAM, 2024, 4, 1, 8, 10)  # 06:10 UTC
    assert friday == datetime(2024, 3, 29, 16, 50)
    assert monday == datetime(2024, 4, 1, 6, 10)
    assert hours.seconds_between(friday, monday) == 20 * 60
    # 07:00 UTC on Monday is 09:00 in Amsterdam: an hour after opening (not at opening)
    assert hours.seconds_between(friday, datetime(2024, 4, 1, 7, 0)) == 10 * 60 + 60 * 60


def test_a_day_open_all_day_lasts_23_or_25_hours_on_change_days() -> None:
    sundays = parse_business_hours("Sun 00:00-24:00 Europe/Amsterdam")
    spring = sundays.seconds_between(
        local(AMSTERDAM, 2024, 3, 30, 12), local(AMSTERDAM, 2024, 4, 1)
    )
    autumn = sundays.seconds_between(local(AMSTERDAM, 2024, 10, 26), local(AMSTERDAM, 2024, 10, 28))
    assert spring == 23 * HOUR
    assert autumn == 25 * HOUR
    # a range inside the skipped hour is empty that night
    skipped = parse_business_hours("Sun 02:00-03:00 Europe/Amsterdam")
    assert skipped.seconds_between(datetime(2024, 3, 30), datetime(2024, 4, 1)) == 0
    assert skipped.seconds_between(datetime(2024, 3, 23), datetime(2024, 3, 25)) == HOUR


def test_time_zones_change_clocks_on_different_dates() -> None:
    # 2024-03-11 (a Monday): New York is already on summer time (UTC-4), Amsterdam not yet
    ny = parse_business_hours("Mon-Fri 09:00-17:00 America/New_York")
    ams = parse_business_hours("Mon-Fri 09:00-17:00 Europe/Amsterdam")
    start, end = datetime(2024, 3, 11, 12, 0), datetime(2024, 3, 11, 14, 0)  # UTC
    # New York: 08:00-10:00 local -> one open hour; a UTC-5 reading would count none
    assert ny.seconds_between(start, end) == HOUR
    # Amsterdam: 13:00-15:00 local -> two open hours
    assert ams.seconds_between(start, end) == 2 * HOUR
    # the week before, New York was on UTC-5: 07:00-09:00 local, nothing open
    assert ny.seconds_between(start - timedelta(days=7), end - timedelta(days=7)) == 0


def test_long_spans_are_whole_weeks_of_open_time() -> None:
    hours = parse_business_hours("Mon-Fri 08:00-18:00, Sat 10:00-14:00 Europe/Amsterdam")
    start = local(AMSTERDAM, 2023, 1, 2)  # a Monday at midnight
    # 52 weeks from a Monday midnight: every clock change is inside, none touches 08:00-18:00
    assert hours.seconds_between(start, local(AMSTERDAM, 2024, 1, 1)) == 52 * 54 * HOUR
    # asking for an earlier span afterwards gives the same answer as a fresh schedule
    earlier = (local(AMSTERDAM, 2020, 6, 1), local(AMSTERDAM, 2020, 6, 8))
    fresh = parse_business_hours("Mon-Fri 08:00-18:00, Sat 10:00-14:00 Europe/Amsterdam")
    assert hours.seconds_between(*earlier) == fresh.seconds_between(*earlier) == 54 * HOUR


def test_order_awareness_and_open_moments() -> None:
    hours = parse_business_hours("Mon-Fri 08:00-18:00 Europe/Amsterdam")
    start = datetime(2024, 1, 9, 8, 0, tzinfo=AMSTERDAM)
    end = datetime(2024, 1, 9, 11, 0, tzinfo=ZoneInfo("Europe/London"))  # 12:00 Amsterdam
    assert hours.seconds_between(start, end) == 4 * HOUR
    assert hours.seconds_between(end, start) == 0
    assert hours.is_open(local(AMSTERDAM, 2024, 1, 9, 8))
    assert not hours.is_open(local(AMSTERDAM, 2024, 1, 9, 18))
    assert not hours.is_open(local(AMSTERDAM, 2024, 1, 13, 12))  # Saturday
