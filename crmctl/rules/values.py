"""Field values as users type them, cleaned: one-line text, free text, whole numbers, column limits.

Every validator of every kind builds on these, so `add`, `edit` and `import`
read "1,200", "1200.0" (Excel) and " Acme  " the same way, and a value too long
for its column is bad input (exit 2) rather than a database error.
"""
from decimal import Decimal, InvalidOperation

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
        if len(compact.lstrip("-").lstrip("0")) > len(str(LARGEST_WHOLE_NUMBER)):
            raise BadInput(f"{field} {quoted(text)} is out of range (at most {LARGEST_WHOLE_NUMBER})")
        number = int(compact)
    if number < minimum:
        raise BadInput(f"{field} must be {minimum} or more, not {number}")
    if number > LARGEST_WHOLE_NUMBER:
        raise BadInput(f"{field} {number} is too large (at most {LARGEST_WHOLE_NUMBER})")
    return number


def money_amount(value, field="amount"):
    """A money amount of 0 or more, in cents, below a trillion: "1,250.5" -> 1250.50; None when blank."""
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise BadInput(f"{field} {value!r} is not a number")
    if not number.is_finite() or number < 0:
        raise BadInput(f"{field} {value!r} must be 0 or more")
    if number >= AMOUNT_LIMIT:
        raise BadInput(f"{field} {value!r} is too large (under {AMOUNT_LIMIT:,})")
    return number.quantize(Decimal("0.01"))


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
