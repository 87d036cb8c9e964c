"""Dates and times: stored as naive UTC, read from ISO 8601 within crmctl's calendar, shown in ISO 8601."""
import datetime
import re

from crmctl.errors import BadInput

# crmctl's calendar: every date it reads lies here (see `on_calendar`).
FIRST_DAY = datetime.date(1900, 1, 1)
LAST_DAY = datetime.date(2999, 12, 31)
CALENDAR_RANGE = f"{FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}"
WEEK_PATTERN = re.compile(r"^(\d{4})-?W(\d{2})$", re.IGNORECASE)


class OffCalendar(BadInput):
    """A real date outside FIRST_DAY to LAST_DAY: a reader trying other forms of a date keeps this message."""


def utcnow():
    """Now in UTC, naive (how every datetime is stored), to the second."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None, microsecond=0)


def utctoday():
    return utcnow().date()


def on_calendar(value, field, text=None):
    """The date or datetime itself when its day lies from FIRST_DAY to LAST_DAY; OffCalendar (exit 2) otherwise.

    Python's calendar ends at the years 1 and 9999, and crmctl adds days (a setting's, up to 3650),
    weeks and business hours to the dates it reads and takes them away: on a date of these years
    that arithmetic always stays inside Python's calendar, where at its ends it crashed. A CRM
    needs no other dates; 1900-01-01 is also day 1 of Excel's dates.
    """
    day = value.date() if isinstance(value, datetime.datetime) else value
    if not FIRST_DAY <= day <= LAST_DAY:
        shown = text if text is not None else value.isoformat()
        raise OffCalendar(f"{field} {shown!r} is outside crmctl's calendar ({CALENDAR_RANGE}, UTC)")
    return value


def parse_date(value, field="date", bounded=True):
    """An ISO date (YYYY-MM-DD) on crmctl's calendar; also accepts a full ISO datetime and keeps its UTC date.

    Typed text is held to the calendar; a date or datetime object (a stored value read back,
    or a spreadsheet cell, which `crmctl.transfer.cells` bounds itself) is taken as it is.
    `bounded=False` takes typed text off the calendar too: a `--where` value only compares.
    """
    if isinstance(value, datetime.datetime):
        return utc_of(value, field, value.isoformat()).date()
    if isinstance(value, datetime.date):
        return value
    bound = on_calendar if bounded else (lambda day, _field, _text=None: day)
    text = str(value).strip()
    try:
        return bound(datetime.date.fromisoformat(text), field, text)
    except ValueError:
        pass
    try:
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(f"{field} {text!r} is not an ISO date (YYYY-MM-DD)")
    return bound(utc_of(moment, field, text).date(), field, text)


def parse_datetime(value, field="datetime", bounded=True):
    """An ISO datetime on crmctl's calendar; a bare date means midnight UTC; an offset is converted to UTC.

    As `parse_date`: typed text is held to the calendar unless `bounded=False`; objects are taken.
    """
    if isinstance(value, datetime.datetime):
        return utc_of(value, field, value.isoformat())
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time())
    text = str(value).strip()
    try:
        parsed = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(f"{field} {text!r} is not an ISO date or datetime")
    moment = utc_of(parsed, field, text)
    return on_calendar(moment, field, text) if bounded else moment


def parse_week(text, field="--week"):
    """The Monday of an ISO week written YYYY-Www; the ISO years 1900 to 2999, whose weeks (1900-01-01 to
    2999-12-29) all lie on crmctl's calendar."""
    found = WEEK_PATTERN.match(str(text).strip())
    if found is None:
        raise BadInput(f"{field} {text!r} is not an ISO week like 2026-W48")
    year, week = int(found.group(1)), int(found.group(2))
    if not FIRST_DAY.year <= year <= LAST_DAY.year:
        raise BadInput(f"{field} {text!r} is outside crmctl's calendar (weeks {FIRST_DAY.year}-W01 to "
                       f"{LAST_DAY.year}-W52)")
    try:
        return datetime.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise BadInput(f"{field} {text!r} is not a week of that year")


def utc_of(moment, field, text):
    """`to_utc` of a typed date-time; BadInput when its offset moves it off Python's calendar."""
    try:
        return to_utc(moment)
    except OverflowError:
        raise OffCalendar(f"{field} {text!r} is outside crmctl's calendar ({CALENDAR_RANGE}, UTC)")


def to_utc(moment):
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)


def iso(value):
    """ISO 8601 text for a stored date or datetime (datetimes marked UTC with Z)."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.replace(microsecond=0).isoformat() + "Z"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return value
    return str(value)
