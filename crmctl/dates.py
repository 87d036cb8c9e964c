"""Dates and times: stored as naive UTC, read from ISO 8601, shown in ISO 8601."""
import datetime

from crmctl.errors import BadInput


def utcnow():
    """Now in UTC, naive (how every datetime is stored), to the second."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None, microsecond=0)


def utctoday():
    return utcnow().date()


def parse_date(value, field="date"):
    """An ISO date (YYYY-MM-DD); also accepts a full ISO datetime and keeps its UTC date."""
    if isinstance(value, datetime.datetime):
        return to_utc(value).date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        pass
    try:
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(f"{field} {text!r} is not an ISO date (YYYY-MM-DD)")
    return utc_of(moment, field, text).date()


def parse_datetime(value, field="datetime"):
    """An ISO datetime; a bare date means midnight UTC; an offset is converted to UTC."""
    if isinstance(value, datetime.datetime):
        return to_utc(value)
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time())
    text = str(value).strip()
    try:
        parsed = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(f"{field} {text!r} is not an ISO date or datetime")
    return utc_of(parsed, field, text)


def utc_of(moment, field, text):
    """`to_utc` of a typed date-time; BadInput when its offset moves it off the calendar (years 1 to 9999)."""
    try:
        return to_utc(moment)
    except OverflowError:
        raise BadInput(f"{field} {text!r} falls outside the calendar (years 1 to 9999) once converted to UTC")


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
