"""A file's header row matched to the template's columns, as people really write headers.

"E-MAIL", "e-mail address", "Adres e-mail" and "Email" all fill Email: case,
spacing, punctuation and accents are ignored and each column knows its
synonyms (`crmctl.transfer.template`). `--map "Header=Template Column"` says what
matching cannot guess, and `--map "Header="` leaves a column out. An unknown
header is refused with the nearest template column, so the fix is one option away.
"""
import re

from crmctl.errors import BadInput, quoted
from crmctl.transfer.template import COLUMNS, COLUMNS_BY_NAME, GENERIC_SYNONYMS, LEAD

# Columns that hold several values: two headers may fill them ("Email", "Email 2"; "Mobile", "Work Phone").
SEVERAL_VALUES_KINDS = ("emails", "phones")
# A text column a merged header may span: a person's name in two cells (first name | last name).
MERGEABLE_TEXT = ("Lead Name",)
_NOT_ALPHANUMERIC = re.compile(r"[^0-9a-z]+")
_TRAILING_NUMBER = re.compile(r"\d+$")


def header_key(text):
    """The form headers are compared in: no accents, case, spaces or punctuation ("E-Mail Adresse" -> "emailadresse")."""
    from unidecode import unidecode

    return _NOT_ALPHANUMERIC.sub("", unidecode(str(text)).lower())


def _build_keys():
    keys = {}
    for column in COLUMNS:
        for name in (column.name, *column.synonyms):
            keys.setdefault(header_key(name), column)
    generic = {header_key(name): tuple(COLUMNS_BY_NAME[target] for target in targets)
               for name, targets in GENERIC_SYNONYMS.items()}
    return keys, generic


COLUMN_KEYS, GENERIC_KEYS = _build_keys()
# The columns a rejects workbook adds after the file's own (`import run --rejects`): left out when it is
# imported again, once its rows are fixed.
REJECTS_COLUMNS = ("Row", "Reason")
REJECTS_KEYS = frozenset(header_key(name) for name in REJECTS_COLUMNS)


def column_letter(index):
    """A 0-based column index as the spreadsheet names it: 0 -> A, 27 -> AB."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def template_column_named(text):
    """The template column that `text` names (its name or a synonym, loosely); BadInput with the nearest one otherwise."""
    key = header_key(text)
    column = COLUMN_KEYS.get(key)
    if column is None and key in GENERIC_KEYS:
        column = GENERIC_KEYS[key][0]
    if column is None:
        raise BadInput(f"unknown template column {quoted(text)}; nearest: {nearest_column(text)} "
                       f"(the columns: {', '.join(column.name for column in COLUMNS)})")
    return column


def nearest_column(text):
    """The template column whose name or synonym is closest to `text` (rapidfuzz), for an error message."""
    from rapidfuzz import fuzz, process

    choices = {key: column.name for key, column in COLUMN_KEYS.items()}
    for key, columns in GENERIC_KEYS.items():
        choices.setdefault(key, columns[0].name)
    key = header_key(text) or str(text)
    best = process.extractOne(key, list(choices), scorer=fuzz.WRatio)
    return choices[best[0]] if best else COLUMNS[0].name


def parse_mapping(entries):
    """`--map` entries ("Header=Template Column", or "Header=" to leave a column out) as {header key: column or None}."""
    if entries is None:
        return {}
    if isinstance(entries, dict):
        entries = [f"{header}={target or ''}" for header, target in entries.items()]
    mapping = {}
    for entry in entries:
        header, separator, target = str(entry).partition("=")
        if not separator or not header.strip():
            raise BadInput(f"--map {quoted(entry)} is not HEADER=TEMPLATE COLUMN (or HEADER= to leave it out)")
        mapping[header_key(header)] = template_column_named(target) if target.strip() else None
    return mapping


def match_headers(headers, mapping=None, ignore_unknown=False):
    """For each header (by index) the template column it fills, or None for a column left out.

    An empty header cell right of Email, Phone or Lead Name continues it, as a
    merged header cell leaves it ("Phone" over two columns fills Phone from both;
    "Lead Name" over first and last name joins them); any other empty header
    cell is None (`cells.clean_row` reports data under it). Two headers may fill Email or Phone; two
    for any other column are refused, as is an unknown header (unless
    `ignore_unknown`) and a row that names no template column at all (not a header row).
    """
    mapping = parse_mapping(mapping)
    texts = ["" if header is None else " ".join(str(header).split()) for header in headers]
    keys = [header_key(text) for text in texts]
    _check_mapped_headers_exist(mapping, keys, texts)
    matched = [None] * len(texts)
    generic = []
    unknown = []
    for index, key in enumerate(keys):
        if not key:
            continue
        if key in mapping:
            matched[index] = mapping[key]
        elif key in COLUMN_KEYS:
            matched[index] = COLUMN_KEYS[key]
        elif key in GENERIC_KEYS:
            generic.append(index)
        elif _numbered_several(key):
            matched[index] = _numbered_several(key)
        elif key not in REJECTS_KEYS:
            unknown.append(index)
    _resolve_generic(generic, keys, matched)
    named = [index for index, column in enumerate(matched) if column is not None]
    if not named and not generic:
        shown = ", ".join(quoted(text) for text in texts if text)[:200]
        raise BadInput(f"the first row is not a header row: none of its cells names a template column "
                       f"(it reads {shown or 'nothing'}; run `crmctl import template FILE.xls` for the columns)")
    if unknown and not ignore_unknown:
        index = unknown[0]
        more = f" (and {len(unknown) - 1} more unknown)" if len(unknown) > 1 else ""
        nearest = nearest_column(texts[index])
        raise BadInput(f"unknown header {quoted(texts[index])} in column {column_letter(index)}; nearest template "
                       f"column: {nearest}{more}; use --map \"{texts[index]}={nearest}\", or --ignore-unknown")
    _check_one_header_per_column(matched, texts)
    _continue_merged_headers(keys, matched)
    return matched


def _numbered_several(key):
    """"Email 2", "Telefon 3": a numbered header of a column that holds several values."""
    stripped = _TRAILING_NUMBER.sub("", key)
    if stripped == key:
        return None
    column = COLUMN_KEYS.get(stripped)
    return column if column is not None and column.kind in SEVERAL_VALUES_KINDS else None


def _check_mapped_headers_exist(mapping, keys, texts):
    present = set(keys)
    for key in mapping:
        if key not in present:
            shown = ", ".join(quoted(text) for text in texts if text)
            raise BadInput(f"--map names a header the file does not have: {key!r} (its headers: {shown})")


def _resolve_generic(generic, keys, matched):
    """"Name" and "LinkedIn URL" fill the lead's column in a file about people, the company's otherwise."""
    has_lead_columns = any(column is not None and column.entity == LEAD for column in matched)
    for index in generic:
        candidates = GENERIC_KEYS[keys[index]]
        taken = {column for column in matched if column is not None}
        ordered = candidates if has_lead_columns else tuple(reversed(candidates))
        free = [column for column in ordered if column not in taken]
        matched[index] = free[0] if free else ordered[0]


def _check_one_header_per_column(matched, texts):
    first = {}
    for index, column in enumerate(matched):
        if column is None or column.kind in SEVERAL_VALUES_KINDS:
            continue
        if column in first:
            other = first[column]
            raise BadInput(
                f"headers {quoted(texts[other])} (column {column_letter(other)}) and {quoted(texts[index])} "
                f"(column {column_letter(index)}) both fill {column.name}; say which with "
                f"--map \"{texts[index]}=\" (leaves it out) or --map \"{texts[index]}=OTHER COLUMN\""
            )
        first[column] = index


def _continue_merged_headers(keys, matched):
    """Only where a merged header is the likely story: names split in two, several emails or phones.

    Elsewhere an unlabelled column stays unmatched, so its data is reported rather than glued onto City or Source.
    """
    previous = None
    for index, key in enumerate(keys):
        if key:
            previous = matched[index]
        elif previous is not None and (previous.kind in SEVERAL_VALUES_KINDS or previous.name in MERGEABLE_TEXT):
            matched[index] = previous
