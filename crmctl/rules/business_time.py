"""Business hours (SPEC §5, response times): when the clock of a response time runs.

A new inbound lead is answered within 1 business hour, an existing customer
within 4: an hour counts only on a business day between the opening and the
closing time, in the team's time zone (settings `business_hours`,
`business_days`, `business_timezone`). Stored times are naive UTC; this module
converts to the team's wall clock and back.
"""
import datetime
import math

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
UTC = datetime.timezone.utc


def parse_business_hours(text):
    """(opening, closing) times of "09:00-17:00"; ValueError saying what is wrong."""
    if not isinstance(text, str) or text.count("-") != 1:
        raise ValueError("not two times joined by '-'")
    times = []
    for part in text.split("-"):
        try:
            times.append(datetime.time.fromisoformat(part.strip()))
        except ValueError:
            raise ValueError(f"{part.strip()!r} is not a time like 09:00")
    if times[0] >= times[1]:
        raise ValueError("the opening time is not before the closing time")
    return tuple(times)


def parse_business_days(text):
    """The week days (0 = Monday) of "Mon-Fri" or "Mon,Tue,Thu"; ValueError saying what is wrong."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("no days")
    days = set()
    for part in text.split(","):
        ends = [end.strip().lower()[:3] for end in part.split("-")]
        if len(ends) > 2 or not all(end in WEEKDAYS for end in ends):
            raise ValueError(f"{part.strip()!r} is not a day or a range of days (Mon … Sun)")
        first, last = WEEKDAYS.index(ends[0]), WEEKDAYS.index(ends[-1])
        day = first
        while True:  # a range may wrap over the weekend: Sun-Thu
            days.add(day)
            if day == last:
                break
            day = (day + 1) % 7
    return frozenset(days)


def time_zone_named(name):
    """The tzinfo of an IANA time zone name; ValueError when there is no such zone."""
    if name in ("UTC", "utc", "Z"):
        return UTC
    try:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    except ImportError:  # pragma: no cover - Python 3.9 and older
        raise ValueError("time zones other than UTC need Python 3.9 or newer")
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"no time zone named {name!r}")


class BusinessClock:
    """Business hours of one team: add business hours to a moment, find a day's opening time."""

    def __init__(self, settings):
        self.opening, self.closing = parse_business_hours(settings["business_hours"])
        self.days = parse_business_days(settings["business_days"])
        self.zone = time_zone_named(settings["business_timezone"])

    def local(self, moment):
        return moment.replace(tzinfo=UTC).astimezone(self.zone).replace(tzinfo=None)

    def utc(self, wall_time):
        return wall_time.replace(tzinfo=self.zone).astimezone(UTC).replace(tzinfo=None)

    def opening_on(self, day):
        """The opening time of a date as stored (naive UTC), whether or not it is a business day."""
        return self.utc(datetime.datetime.combine(day, self.opening))

    def longest_span(self, hours):
        """The most calendar time `hours` business hours can take, from any start.

        Whole weeks of the week's business hours, and one week more for a start
        just after the week's last closing (which also covers a daylight-saving
        hour). What a job looks back over to meet every deadline of the last day.
        """
        day = datetime.date(2000, 1, 3)
        weekly = len(self.days) * (datetime.datetime.combine(day, self.closing)
                                   - datetime.datetime.combine(day, self.opening))
        return datetime.timedelta(weeks=math.ceil(datetime.timedelta(hours=hours) / weekly) + 1)

    def add_hours(self, start, hours):
        """The moment (naive UTC) when `hours` business hours have passed since `start` (naive UTC)."""
        left = datetime.timedelta(hours=hours)
        now = self.local(start)
        for _ in range(self.longest_span(hours).days + 1):  # business days exist: it ends within the span
            day_open = datetime.datetime.combine(now.date(), self.opening)
            day_close = datetime.datetime.combine(now.date(), self.closing)
            if now.weekday() in self.days and now < day_close:
                now = max(now, day_open)
                if day_close - now >= left:
                    return self.utc(now + left)
                left -= day_close - now
            now = datetime.datetime.combine(now.date() + datetime.timedelta(days=1), self.opening)
        raise ValueError(f"{hours} business hours are not over within {self.longest_span(hours).days} days")
