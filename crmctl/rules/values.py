"""Field values as users type them, cleaned: one-line text, free text, numbers, column limits.

Every validator of every kind builds on these, so `add`, `edit`, `import` and
`--where` read "1,200", "1200.0" (Excel) and " Acme  " the same way, and a value
too long for its column is bad input (exit 2) rather than a database error.
"""
import math
import re
from decimal import Decimal

from crmctl.errors import BadInput, quoted
from crmctl.dates import parse_date, parse_datetime, utcnow
from crmctl.rules.permissions import working_agent
from crmctl.rules.vocabulary import task_kind_named

# Every integer column (ids, counts, connections) is 32 bits on PostgreSQL and MariaDB: a larger
# number is bad input on every backend, never a driver's overflow.
LARGEST_WHOLE_NUMBER = 2**31 - 1
# Amounts are DECIMAL(14, 2): below a trillion, in cents.
AMOUNT_LIMIT = Decimal(10) ** 12
# Long texts (notes, conversations, BANT): what every backend's column holds (MEDIUMTEXT on MariaDB,
# migration 0007), said the same way everywhere so a file that imports on one backend imports on all.
LONG_TEXT_LIMIT = 1024 * 1024  # characters
TEXT_FILE_LIMIT = 1024 * 1024  # bytes: "1 MB"


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
        raise BadInput(f"{field} is too long (at most {limit} characters)")
    return text


def free_text(value, field):
    """Text as given, line breaks kept (notes, conversations, BANT); None when blank."""
    if value is None or not str(value).strip():
        return None
    if "\x00" in str(value):
        raise BadInput(f"{field} contains a NUL character")
    text = str(value).strip()
    if len(text) > LONG_TEXT_LIMIT:
        raise BadInput(f"{field} is too long (at most 1 MB of text, {LONG_TEXT_LIMIT:,} characters)")
    return text


def check_fits(model, values):
    """BadInput for a value longer than its column (keys included) or holding a NUL, instead of a database error.

    The write path (`crmctl.records.batch`, `crmctl.records.history.update_record`)
    runs it on every row it stores, so the limits are the same on SQLite, which
    would store anything, as on PostgreSQL and MariaDB.
    """
    for name, value in values.items():
        if not isinstance(value, str):
            continue
        shown = name[:-4] if name.endswith("_key") else name
        if "\x00" in value:
            raise BadInput(f"{shown} contains a NUL character")
        limit = getattr(model._meta.fields.get(name), "max_length", None)
        if limit and len(value) > limit:
            raise BadInput(f"{shown} is too long (at most {limit} characters)")


def read_text_file(path, field, limit=TEXT_FILE_LIMIT):
    """The UTF-8 text of a file (`-` for stdin), read no further than `limit` bytes.

    A larger file, or one without end such as /dev/zero, is bad input after
    reading `limit` + 1 bytes, never read whole.
    """
    import sys

    try:
        if path == "-":
            data = sys.stdin.buffer.read(limit + 1)
        else:
            with open(path, "rb") as handle:
                data = handle.read(limit + 1)
    except OSError as error:
        raise BadInput(f"cannot read {field} {path}: {error.strerror or error}")
    if len(data) > limit:
        raise BadInput(f"{field} {path} is larger than {limit // (1024 * 1024)} MB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput(f"cannot read {field} {path}: not UTF-8 text")


# A number as typed or imported: a sign, digits, a decimal point. A comma (or a space, as Excel and
# many users group thousands) only ever separates thousands, in groups of three after a first group
# that does not start with 0: "1,500" is 1500, while "1,5", "12,34" and "0,500" are refused rather
# than read as 15, 1234 or 500 when the writer meant a decimal comma.
_NUMBER = re.compile(r"[-+]?(?:(?:[1-9]\d{0,2}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)", re.ASCII)
_GROUP_SPACES = str.maketrans({" ": ",", "_": ","})  # after whitespace (NBSP too) is collapsed to " "
CENTS = Decimal("0.01")


def number_of(value, field, what="a number"):
    """The Decimal a typed or imported number means, by the one rule for signs and separators; None when blank.

    A spreadsheet's float is read to its 15 significant digits, what the
    spreadsheet showed, so 0.1 + 0.2 is 0.3 and not 0.30000000000000004.
    """
    if isinstance(value, bool):
        raise BadInput(f"{field} {value!r} is not {what}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise BadInput(f"{field} {value!r} is not {what}")
        return Decimal(format(value, ".15g"))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise BadInput(f"{field} {value!r} is not {what}")
        return value
    text = " ".join(str(value).split()) if value is not None else ""
    if not text:
        return None
    compact = text.translate(_GROUP_SPACES)
    if not _NUMBER.fullmatch(compact):
        if "," in text:
            raise BadInput(f"{field} {quoted(text)} is not {what}: a comma only separates thousands, in groups "
                           f"of three (1,500); write a decimal with a point (1.5)")
        raise BadInput(f"{field} {quoted(text)} is not {what}")
    return Decimal(compact.replace(",", ""))


def whole_number(value, field, minimum=0):
    """An integer from 1200, 1200.0 (Excel), "1,200" or "1 200"; None when blank.

    A decimal part is taken only as Excel writes a whole number, ".0": "1.000"
    is refused, never read as 1 when a thousand was meant.
    """
    number = number_of(value, field, "a whole number")
    if number is None:
        return None
    shown = quoted(str(value).strip())
    if number != number.to_integral_value() or (isinstance(value, str) and number.as_tuple().exponent < -1):
        raise BadInput(f"{field} {shown} is not a whole number")
    if number > LARGEST_WHOLE_NUMBER:
        raise BadInput(f"{field} {shown} is too large (at most {LARGEST_WHOLE_NUMBER})")
    if number < minimum:
        raise BadInput(f"{field} must be {minimum} or more, not {shown}")
    return int(number)


def money_amount(value, field="amount"):
    """A money amount of 0 or more, in cents, below a trillion: "1,250.5" -> 1250.50; None when blank.

    More than two decimals is refused, not rounded: "0.001" is a typo, and
    "1.500" is more likely fifteen hundred than one and a half. What is stored
    is then exactly what was given, so the limit holds for the stored value.
    """
    number = number_of(value, field, "an amount")
    if number is None:
        return None
    shown = quoted(str(value).strip())
    if number < 0:
        raise BadInput(f"{field} {shown} must be 0 or more")
    if number.as_tuple().exponent < -2:
        raise BadInput(f"{field} {shown} has more than two decimals (amounts are kept in cents)")
    if number >= AMOUNT_LIMIT:
        raise BadInput(f"{field} {shown} is too large (under {AMOUNT_LIMIT:,})")
    return number.quantize(CENTS)


def currency_code(value, field="currency"):
    """An ISO 4217 code, upper-case; None when blank."""
    if value in (None, ""):
        return None
    import pycountry

    code = str(value).strip().upper()
    if len(code) != 3 or pycountry.currencies.get(alpha_3=code) is None:
        raise BadInput(f"{field} {value!r} is not an ISO 4217 code (like EUR, USD, PLN)")
    return code


# Converters for `edit --set field=value` of the kinds without a module of their own (deals, tasks,
# notes, communications, submissions): text in, stored value out, through the same validators as
# `add`. The kinds registry names one per editable field; an empty text clears an optional field.


def one_line(column=None, required=False):
    """A converter of one-line text, held to its column's length; `required` ones cannot be cleared."""
    def convert(value, field):
        return _present(clean_text(value, field, column), field, required)

    return convert


def long_text(required=False):
    """A converter of free text (line breaks kept, at most LONG_TEXT_LIMIT)."""
    def convert(value, field):
        return _present(free_text(value, field), field, required)

    return convert


def required(convert):
    """The converter, refusing to clear the field."""
    def checked(value, field):
        return _present(convert(value, field), field, True)

    return checked


def _present(value, field, is_required):
    if value is None and is_required:
        raise BadInput(f"{field} is required and cannot be cleared")
    return value


def to_amount(value, field):
    return money_amount(value, field)


def to_currency(value, field):
    return currency_code(value, field)


def to_task_kind(value, field):
    return task_kind_named(value)


def to_date(value, field):
    return parse_date(value, field) if value.strip() else None


def to_datetime(value, field):
    return parse_datetime(value, field) if value.strip() else None


def to_agent(value, field):
    if not value.strip():
        return None
    return working_agent(value.strip(), "be given tasks" if field == "assignee" else "own records").id


def to_done_at(value, field):
    answer = value.strip().lower()
    truthy = answer in ("1", "true", "yes", "done")
    if not truthy and answer not in ("", "0", "false", "no"):
        raise BadInput(f"{field} {value!r} is not true or false")
    return utcnow() if truthy else None
