"""What real spreadsheet cells hold, cleaned into the values the rules take; and the guard that keeps an export's text inert.

A cell arrives as `crmctl.transfer.reading` gives it (str, int, float, bool,
date, datetime or None). Excel stores every number as a float, so 250 employees
arrive as 250.0 and a phone typed without its `+` as 48601234567.0; dates arrive
as date cells, as serial numbers or as text typed the European way (05.03.2026).
The rules (`crmctl.rules`) then judge the cleaned value: this module only reads
what the cell means, once, for every format.
"""
import datetime
import re
from decimal import Decimal

from crmctl.errors import BadInput, quoted

# A text cell starting with one of these is run as a formula by a spreadsheet (OWASP, "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
INERT_GUARD = "'"
_GUARDED_ON_IMPORT = FORMULA_PREFIXES + ("\n",)

EXCEL_ERRORS = frozenset(
    ("#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA")
)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_SEVERAL_SEPARATORS = re.compile(r"[;,\n|]+")
_EMAIL_SEPARATORS = re.compile(r"[;,\s|]+")
_DAY_FIRST = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_YEAR_FIRST = re.compile(r"^(\d{4})[./](\d{1,2})[./](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_EXCEL_TEXT_FORMULA = re.compile(r'^="(.*)"$')  # ="0601234567": how CSV writers keep Excel from eating leading zeros
# A printable text cell is its own clean text unless it starts with one of these (an export's guard, a ="..."
# wrapper, a spreadsheet error, a space) or holds two spaces in a row or ends in one. Printable rules out tabs,
# new lines, NBSP and the other Unicode spaces, and the zero-width characters of _INVISIBLE; "" starts with "".
_NOT_AS_IS_STARTS = (INERT_GUARD, "=", "#", " ", "")
_SERIAL_EPOCHS = {0: datetime.date(1899, 12, 30), 1: datetime.date(1904, 1, 1)}
_LAST_SERIAL = 2958465  # 9999-12-31 in the 1900 date system
_EXACT_FLOAT_INTEGERS = 2**53


def inert(value):
    """Text that a spreadsheet shows but never evaluates: a leading = + - @ tab or CR gets a single quote before it.

    The one rule for every export (CSV, .xls, .xlsx) and for `--format csv` listings; `uninert` undoes exactly it.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return INERT_GUARD + value
    return value


def uninert(value):
    """The text before `inert`: an exported `'+48 601 234 567` imports as `+48 601 234 567`; `'s-Hertogenbosch` stays.

    A guard before a line feed goes too: an .xlsx stores text as XML, which reads a written CR back as LF.
    """
    if (isinstance(value, str) and len(value) > 1 and value[0] == INERT_GUARD
            and value[1:].startswith(_GUARDED_ON_IMPORT)):
        return value[1:]
    return value


def is_blank(value):
    """An empty cell, or one of spaces only (non-breaking and zero-width spaces too)."""
    if value is None:
        return True
    if type(value) is str and value[:1].isalnum():  # most cells: a letter or digit first is never blank
        return False
    return isinstance(value, str) and not value.translate(_INVISIBLE).strip()


def is_blank_row(values):
    return all(is_blank(value) for value in values)


def number_text(value):
    """A number as its digits: 250.0 -> "250", 48601234567.0 -> "48601234567", never "4.86e+10"."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if value != value or value in (float("inf"), float("-inf")):
        raise BadInput(f"{value!r} is not a number")
    if value.is_integer() and abs(value) < _EXACT_FLOAT_INTEGERS:
        return str(int(value))
    text = format(Decimal(repr(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def text_of(value, field="value"):
    """One line of text, or None when blank: spaces (NBSP, zero-width) collapsed, numbers as their digits, dates in ISO.

    An exported cell's inert guard is removed; a spreadsheet error (#N/A, #REF!) is bad input naming `field`.
    """
    if value is None:
        return None
    if type(value) is str and value.isprintable() and value[:1] not in _NOT_AS_IS_STARTS and value[-1] != " " \
            and "  " not in value:
        return value  # most cells: nothing to unwrap, strip, collapse or refuse (see _NOT_AS_IS_STARTS)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        return number_text(value)
    text = " ".join(_unwrapped(str(value)).translate(_INVISIBLE).split())
    if not text:
        return None
    if text.upper() in EXCEL_ERRORS:
        raise BadInput(f"{field} holds the spreadsheet error {text} (a broken formula?)")
    return text


def whole_of(value, field="value"):
    """A whole number from 250, 250.0, "250", "1 200" or "1,200"; None when blank."""
    from crmctl.rules.values import whole_number

    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return whole_number(value, field)
    return whole_number(text_of(value, field), field)


def emails_of(value, field="value"):
    """The addresses in a cell, several separated by ; , | spaces or new lines."""
    text = text_of(value, field) if not isinstance(value, str) else _raw_text(value, field)
    if text is None:
        return []
    return [part for part in _EMAIL_SEPARATORS.split(text) if part]


def phones_of(value, field="value"):
    """The phone numbers in a cell: a number cell is one phone read as its digits (Excel drops the `+`);

    text may hold several, separated by ; , | or new lines (never by spaces, which sit inside numbers).
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not value.is_integer():
            raise BadInput(f"{field} {value!r} is not a phone number")
        return [number_text(value)]
    text = _raw_text(value, field)
    if text is None:
        return []
    parts = (" ".join(part.split()) for part in _SEVERAL_SEPARATORS.split(text))
    return [part for part in parts if part]


def _unwrapped(text):
    """Text without export's inert guard or a CSV writer's ="..." wrapper."""
    text = uninert(text)
    match = _EXCEL_TEXT_FORMULA.match(text.strip())
    return match.group(1) if match else text


def _raw_text(value, field):
    """Like `text_of` but keeping new lines, which separate several values in one cell."""
    if value is None or not isinstance(value, str):
        return text_of(value, field)
    text = _unwrapped(value).translate(_INVISIBLE).replace("\u00a0", " ").strip()
    if not text:
        return None
    if text.upper() in EXCEL_ERRORS:
        raise BadInput(f"{field} holds the spreadsheet error {text} (a broken formula?)")
    return text


def date_of(value, field="date", datemode=0):
    """A date from a date cell, a serial number (`datemode` 0: the 1900 system, 1: the 1904 system of old Mac files),

    ISO text (2026-03-05) or day-first text (05.03.2026, 05/03/2026, 5-3-2026); a time after it is dropped.
    Day-first because the playbooks' teams write dates that way; an American 03/05 is read as 3 May.
    Whatever its form, a date off crmctl's calendar (`crmctl.dates.on_calendar`) refuses the row.
    """
    from crmctl.dates import OffCalendar, on_calendar, parse_date

    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return on_calendar(value.date(), field)
    if isinstance(value, datetime.date):
        return on_calendar(value, field)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return on_calendar(serial_date(value, field, datemode), field, number_text(value))
    text = text_of(value, field)
    if text is None:
        return None
    for pattern, order in ((_DAY_FIRST, (3, 2, 1)), (_YEAR_FIRST, (1, 2, 3))):
        match = pattern.match(text)
        if match:
            year, month, day = (int(match.group(index)) for index in order)
            try:
                return on_calendar(datetime.date(year, month, day), field, text)
            except ValueError:
                raise BadInput(f"{field} {quoted(text)} is not a date on the calendar") from None
    try:
        return parse_date(text, field)
    except OffCalendar:
        raise
    except BadInput:
        raise BadInput(f"{field} {quoted(text)} is not a date (2026-03-05 or 05.03.2026)") from None


def serial_date(serial, field="date", datemode=0):
    """The date of a spreadsheet serial number; its fraction (the time of day) is dropped."""
    if serial != serial or not 1 <= serial <= _LAST_SERIAL:
        raise BadInput(f"{field} {number_text(serial) if serial == serial else serial!r} is not a date")
    days = int(serial)
    if datemode == 0 and days < 61:
        days += 1  # Excel counts a 29 February 1900 that never was; serials before it are one day short
    try:
        return _SERIAL_EPOCHS[datemode] + datetime.timedelta(days=days)
    except OverflowError:
        raise BadInput(f"{field} {number_text(serial)} is not a date") from None


CLEANERS = {"text": text_of, "whole": whole_of, "emails": emails_of, "phones": phones_of, "date": date_of}


def clean_cell(column, value, datemode=0):
    """A cell cleaned for its template column (`crmctl.transfer.template.COLUMNS`); BadInput names the column."""
    if column.kind == "date":
        return date_of(value, column.name, datemode)
    return CLEANERS[column.kind](value, column.name)


def clean_row(columns, values, datemode=0, header=None):
    """A row's cells cleaned by template column name, and the problems found: [(column name or None, message)].

    `columns` is `crmctl.transfer.headers.match_headers`'s answer. Columns under one
    merged header are gathered: several emails or phones make one list, text is joined
    with a space ("Anna" | "Nowak" -> "Anna Nowak"), and two numbers or dates are a
    problem. A value beyond the last header, or under an empty header cell (given
    `header`, the file's header row), is a problem too, never silently dropped.
    """
    from crmctl.transfer.headers import column_letter

    gathered = {}
    for column, value in zip(columns, values):
        if column is not None and not is_blank(value):
            gathered.setdefault(column, []).append(value)
    cleaned, problems = {}, []
    for column, raw_values in gathered.items():
        try:
            if column.kind in ("emails", "phones"):
                cleaned[column.name] = [item for raw in raw_values for item in clean_cell(column, raw, datemode)]
            elif len(raw_values) == 1:
                cleaned[column.name] = clean_cell(column, raw_values[0], datemode)
            elif column.kind == "text":
                cleaned[column.name] = " ".join(text_of(raw, column.name) for raw in raw_values)
            else:
                raise BadInput(f"{column.name} has {len(raw_values)} values under one merged header; give one")
        except BadInput as error:
            problems.append((column.name, error.message))
    unlabelled = [index for index, column in enumerate(columns)
                  if column is None and header is not None and index < len(header) and is_blank(header[index])]
    for index in unlabelled + list(range(len(columns), len(values))):
        if index < len(values) and not is_blank(values[index]):
            problems.append((None, f"column {column_letter(index)} holds {quoted(text_of(values[index]))} "
                                   f"but has no header"))
    return cleaned, problems
