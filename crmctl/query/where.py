"""`--where FIELD OP VALUE`: the parser, filter values typed like their field, and the SQL condition.

A condition becomes a Peewee expression whose value is a query parameter, never
SQL text (SPEC §8). Text equality compares the stored form when the field says
how values are normalised (a country code, a status, a website's key), so the
column's index answers it; otherwise it compares case-insensitively. `~` folds
case and accents the same way on every backend (`crmctl.storage.folding`).
"""
import datetime
import re
from collections import namedtuple

from peewee import fn

from crmctl.errors import BadInput
from crmctl.kinds.ids import parse_typed_id
from crmctl.dates import parse_date, parse_datetime
from crmctl.rules.values import AMOUNT_LIMIT, LARGEST_WHOLE_NUMBER, number_of, whole_number
from crmctl.storage.folding import contains_folded, fold
from crmctl.storage.models import Agent

OPERATORS = ("=", "!=", "<", "<=", ">", ">=", "~", "in")
OPERATORS_NAMED = ", ".join(OPERATORS)
_FIELD = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)")
# An operator is the whole run of these characters after the field: "<>", "==" or ">=<" is one
# unknown operator, never "<" or "=" followed by a value that starts with the rest.
_SYMBOLS = re.compile(r"\s*([=<>!~]+)")
_IN = re.compile(r"\s+in\s+", re.I)
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
NULL_WORDS = {"", "none", "null"}
FLAG_WORDS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


# What a field that is no text holds, as a refused `~` names it.
VALUE_TYPES_NAMED = {"int": "a whole number", "amount": "an amount", "date": "a date", "datetime": "a date and time",
                     "id": "a record id"}


# A named tuple, not a dataclass: a dataclass costs start-up time on every command that lists.
Condition = namedtuple("Condition", "field operator value")


def parse_where(text):
    """Split `FIELD OP VALUE` (one argument) into a Condition; an operator crmctl does not know is exit 2."""
    text = text or ""
    field = _FIELD.match(text)
    symbols = _SYMBOLS.match(text, field.end()) if field else None
    word = _IN.match(text, field.end()) if field and not symbols else None
    if symbols:
        operator, value = symbols.group(1), text[symbols.end():]
        if operator not in OPERATORS:
            raise BadInput(f"--where {text!r}: unknown operator {operator!r} (the operators are {OPERATORS_NAMED})")
    elif word:
        operator, value = "in", text[word.end():]
    else:
        raise BadInput(f"--where {text!r} is not FIELD OP VALUE (OP one of {OPERATORS_NAMED})")
    return Condition(field.group(1).lower(), operator, value.strip())


class Filterable(namedtuple("Filterable", "name expression value_type normalise key_expression through "
                                         "archive_marker", defaults=(None, None, None, False))):
    """A field a listing filters and sorts on, as a user names it.

    `value_type`: text, int, amount, date, datetime, agent or id:<kind>.
    `normalise` and `key_expression` come from the registry's Field (see
    `crmctl.kinds.registry.Field`); `through` names the ref field whose record
    must be joined to reach `expression` (a lead listing's company);
    `archive_marker` is the listed kind's own archived_at: filtering on it
    shows archived rows.
    """

    __slots__ = ()


def convert_value(spec, raw):
    """A filter value typed like its field; a bad value, or one out of its column's range, is exit 2 naming the field."""
    value_type = spec.value_type
    if value_type == "int":
        number = whole_number(raw, f"--where {spec.name}:", minimum=-LARGEST_WHOLE_NUMBER - 1)
        if number is None:
            raise BadInput(f"--where {spec.name}: give a whole number")
        return number
    if value_type == "amount":
        number = number_of(raw, f"--where {spec.name}:", "an amount")
        if number is None:
            raise BadInput(f"--where {spec.name}: give an amount")
        if abs(number) >= AMOUNT_LIMIT:
            raise BadInput(f"--where {spec.name}: {raw!r} is out of range (amounts are under {AMOUNT_LIMIT:,})")
        return number
    if value_type == "date":
        return parse_date(raw, f"--where {spec.name}", bounded=False)  # compared only: any date will do
    if value_type == "datetime":
        return parse_datetime(raw, f"--where {spec.name}", bounded=False)
    if value_type.startswith("id:"):
        return parse_typed_id(raw, [value_type[3:]])[1]
    return raw


def stored_form(spec, raw):
    """A text value normalised the way the stored one was ("pl" -> "PL"); exit 2 if it cannot be."""
    try:
        return spec.normalise(raw)
    except BadInput as error:
        raise BadInput(f"--where {spec.name}: {error.message}")


def agent_ids(where_email):
    return Agent.select(Agent.id).where(where_email(Agent.email))


def list_items(spec, raw):
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if not items:
        raise BadInput(f"--where {spec.name} in: give a comma-separated list")
    return items


def condition_expression(spec, condition):
    """The SQL condition for one parsed `--where` on the field `spec`."""
    column, operator, raw = spec.expression, condition.operator, condition.value
    if spec.value_type == "agent":
        return agent_condition(spec, operator, raw)
    if spec.value_type == "flag":
        return flag_condition(spec, operator, raw)
    if operator == "~":
        if spec.value_type != "text":
            raise BadInput(f"--where {spec.name}~: ~ finds a part of a text, and {spec.name} is "
                           f"{VALUE_TYPES_NAMED.get(spec.value_type.split(':')[0], 'no text')}: "
                           f"compare it with =, !=, <, <=, >, >= or in")
        return contains_folded(column, fold(raw))
    if spec.normalise is not None and operator in ("=", "!=", "in"):
        return normalised_condition(spec, operator, raw)
    if operator == "in":
        return column.in_([convert_value(spec, item) for item in list_items(spec, raw)])
    if raw.strip().lower() in NULL_WORDS and operator in ("=", "!="):
        return column.is_null() if operator == "=" else column.is_null(False)
    value = convert_value(spec, raw)
    if spec.value_type == "datetime" and _DATE_ONLY.fullmatch(raw.strip()):
        return whole_day(column, operator, value)
    if spec.value_type == "text":
        if operator == "=":
            return fn.LOWER(column) == str(value).lower()
        if operator == "!=":
            return (fn.LOWER(column) != str(value).lower()) | column.is_null()
    return compare(column, operator, value)


def normalised_condition(spec, operator, raw):
    """=, != and `in` on the stored form, in the normalised key's column when the field has one."""
    column = spec.key_expression if spec.key_expression is not None else spec.expression
    if operator == "in":
        return column.in_([stored_form(spec, item) for item in list_items(spec, raw)])
    if raw.strip().lower() in NULL_WORDS:
        return column.is_null() if operator == "=" else column.is_null(False)
    value = stored_form(spec, raw)
    return column == value if operator == "=" else (column != value) | column.is_null()


def agent_condition(spec, operator, raw):
    """Agents are named by email: =, != and `in` compare addresses, ~ a part of one."""
    column = spec.expression
    if operator == "in":
        emails = [item.lower() for item in list_items(spec, raw)]
        return column.in_(agent_ids(lambda email: email.in_(emails)))
    if operator == "~":
        return column.in_(agent_ids(lambda email: contains_folded(email, fold(raw))))
    if raw.strip().lower() in NULL_WORDS and operator in ("=", "!="):
        return column.is_null() if operator == "=" else column.is_null(False)
    if operator not in ("=", "!="):
        raise BadInput(f"--where {spec.name}: compare agents with = or !=")
    subquery = agent_ids(lambda email: email == raw.strip().lower())
    return column.in_(subquery) if operator == "=" else (column.not_in(subquery) | column.is_null())


def flag_condition(spec, operator, raw):
    """A flag (`done=false`) is true when its column holds a value: compared with = or != to true or false."""
    answer = raw.strip().lower()
    if answer not in FLAG_WORDS or operator not in ("=", "!="):
        raise BadInput(f"--where {spec.name}: compare with = or != to true or false")
    holds = FLAG_WORDS[answer] == (operator == "=")
    return spec.expression.is_null(not holds)


def whole_day(column, operator, day_start):
    """A bare date on a timestamp means the whole UTC day (the last day of the calendar included)."""
    try:
        next_day = day_start + datetime.timedelta(days=1)
    except OverflowError:
        next_day = datetime.datetime.max
    return {
        "=": (column >= day_start) & (column < next_day),
        "!=": (column < day_start) | (column >= next_day),
        "<": column < day_start,
        "<=": column < next_day,
        ">": column >= next_day,
        ">=": column >= day_start,
    }[operator]


def compare(column, operator, value):
    return {
        "=": column == value,
        "!=": column != value,
        "<": column < value,
        "<=": column <= value,
        ">": column > value,
        ">=": column >= value,
    }[operator]
