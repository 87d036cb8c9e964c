"""Field values as users type them, cleaned: one-line text, free text, whole numbers, column limits.

Every validator of every kind builds on these, so `add`, `edit` and `import`
read "1,200", "1200.0" (Excel) and " Acme  " the same way, and a value too long
for its column is bad input (exit 2) rather than a database error.
"""
from decimal import Decimal, InvalidOperation

from crmctl.errors import BadInput
from crmctl.dates import parse_date, parse_datetime, utcnow
from crmctl.rules.permissions import working_agent


def clean_text(value, field, model_field=None, required=None):
    """A one-line text value with its whitespace collapsed; None when blank.

    `required` (the option that gives the value, e.g. "--position") makes blank
    text missing: bad input (exit 2), so "   " never stands in for a value.
    """
    if value is None and not required:
        return None
    text = " ".join(str(value).split()) if value is not None else ""
    if not text:
        if required:
            blank = "" if value is None else ": blank text does not count"
            raise BadInput(f"{field} is required ({required}){blank}")
        return None
    if "\x00" in text:
        raise BadInput(f"{field} contains a NUL character")
    limit = getattr(model_field, "max_length", None)
    if limit and len(text) > limit:
        raise BadInput(f"{field} is longer than {limit} characters")
    return text


def free_text(value, field):
    """Text as given, line breaks kept (notes, conversations, BANT); None when blank."""
    if value is None or not str(value).strip():
        return None
    if "\x00" in str(value):
        raise BadInput(f"{field} contains a NUL character")
    return str(value).strip()


def check_fits(model, values):
    """BadInput for a value longer than its column (keys included), instead of a database error."""
    for name, value in values.items():
        limit = getattr(model._meta.fields.get(name), "max_length", None)
        if limit and isinstance(value, str) and len(value) > limit:
            shown = name[:-4] if name.endswith("_key") else name
            raise BadInput(f"{shown} is too long (at most {limit} characters)")


def whole_number(value, field, minimum=0):
    """An integer from 1200, 1200.0 (Excel), "1,200" or "1 200"; None when blank."""
    if value is None or isinstance(value, bool):
        if isinstance(value, bool):
            raise BadInput(f"{field} {value!r} is not a whole number")
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")) or value != int(value):
            raise BadInput(f"{field} {value!r} is not a whole number")
        number = int(value)
    else:
        text = str(value).strip()
        if not text:
            return None
        compact = text.replace(",", "").replace(" ", "").replace("_", "").replace("\u00a0", "")
        if compact.endswith(".0"):
            compact = compact[:-2]
        if not compact.lstrip("-").isdigit() or not compact.isascii():
            raise BadInput(f"{field} {text!r} is not a whole number")
        number = int(compact)
    if number < minimum:
        raise BadInput(f"{field} must be {minimum} or more, not {number}")
    if number > 2**31 - 1:
        raise BadInput(f"{field} {number} is too large")
    return number


# Converters for `edit --set field=value` on kinds without a validator of their own
# (deals, tasks, notes, communications, submissions): text in, stored value out.


def to_text(value, field):
    return value or None


def to_amount(value, field):
    if value == "":
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        raise BadInput(f"{field} {value!r} is not a number")


def to_date(value, field):
    return parse_date(value, field) if value else None


def to_datetime(value, field):
    return parse_datetime(value, field) if value else None


def to_agent(value, field):
    if not value:
        return None
    return working_agent(value, "be given tasks" if field == "assignee" else "own records").id


def to_done_at(value, field):
    truthy = value.lower() in ("1", "true", "yes", "done")
    if not truthy and value.lower() not in ("", "0", "false", "no"):
        raise BadInput(f"{field} {value!r} is not true or false")
    return utcnow() if truthy else None
