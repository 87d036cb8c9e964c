"""Printing records: one `--format` option and one way to print each shape.

Data goes to stdout; messages go to stderr. On a terminal the default format is
a table; when stdout is a pipe or a file the default is JSON, which scripts can
read without asking for it. A table on a terminal shows one page of a listing
(SPEC §6) and says on stderr how many more records match; piped output and JSON
or CSV print every record unless `--limit` is given.

On a terminal a listing is fitted to the terminal's width (long cells cut with
"…"; `--wide` shows them whole) and a single record's long values are wrapped;
output longer than the screen goes through $PAGER (`less` by default). Neither
happens when stdout is a pipe or a file, so scripts and cron see every
character. `--quiet` silences stdout at the root (crmctl.cli.root) and
`message` here.
"""
import csv
import functools
import io
import json
import os
import sys

import click

from crmctl.cli.session import current_session

FORMATS = ("table", "json", "csv")
TERMINAL_PAGE_ROWS = 50
# A CSV cell that starts with one of these would be run as a formula by a spreadsheet.
COLUMN_GAP = "  "
NARROWEST_COLUMN = 4  # a cut column keeps at least this much ("Ac…")
HEADER_KEEPS = 7  # a header longer than this is cut before the data under it is
ELLIPSIS = "…"


def format_option(function):
    """Adds `--format table|json|csv` to a command that prints records."""

    @click.option(
        "--format",
        "output_format",
        type=click.Choice(FORMATS),
        default=None,
        help="Output format (default: table on a terminal, JSON otherwise).",
    )
    @functools.wraps(function)
    def wrapper(*args, output_format=None, **kwargs):
        if output_format is None:
            output_format = "table" if stdout_is_terminal() else "json"
        return function(*args, output_format=output_format, **kwargs)

    return wrapper


def stdout_is_terminal():
    return sys.stdout.isatty()


def pages_on_terminal(output_format):
    """A table on a terminal shows one page at a time; everything else prints every record."""
    return output_format == "table" and stdout_is_terminal()


def more_records_note(count, at_least=False):
    """The stderr line under a page of a listing that has more records."""
    noun = "record matches" if count == 1 and not at_least else "records match"
    message(f"{count:,}{'+' if at_least else ''} more {noun}: --limit N shows the first N, --all every one")


def cell_text(value):
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(cell_text(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}={cell_text(item)}" for key, item in value.items())
    return str(value)


def print_records(rows, output_format, columns=None, kind=None):
    """A listing: a JSON array, CSV with a header row, or a table.

    `kind` (a `crmctl.kinds.registry.Kind`) names the columns when there is no
    row to take them from, so a CSV of nothing still has its header.
    """
    rows = list(rows)
    if output_format == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, default=str, indent=2))
        return
    if output_format == "csv":
        if columns is None:
            if rows:
                columns = list(rows[0].keys())
            else:
                columns = [field.name for field in kind.fields if field.shown] if kind is not None else []
        from crmctl.transfer.cells import inert  # the one rule for a cell a spreadsheet must not evaluate

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([inert(cell_text(row.get(column))) for column in columns])
        click.echo(buffer.getvalue(), nl=False)
        return
    if not rows:
        click.echo("(no records)", err=True)
        return
    emit(table_text(table_columns(rows, columns), rows, terminal_columns()))


def print_record(record, output_format):
    """One record or summary: a JSON object, a one-row CSV, or field/value lines."""
    if output_format == "json":
        click.echo(json.dumps(record, ensure_ascii=False, default=str, indent=2))
        return
    if output_format == "csv":
        print_records([record], "csv", columns=list(record.keys()))
        return
    emit(record_text(record, terminal_columns()))


def message(text):
    """A one-line message for the person at the terminal (stderr, never mixed with data); none under --quiet."""
    session = current_session()
    if session is not None and session.quiet:
        return
    click.echo(text, err=True)


# ---------------------------------------------------------------------------
# Tables: fitted to the terminal
# ---------------------------------------------------------------------------


def table_columns(rows, columns=None):
    """The columns of a table: those asked for; for records of one kind (typed ids), the columns `list KIND`
    shows (what hangs on a record in `show`); otherwise every key. JSON and CSV always have every field."""
    if columns is not None:
        return list(columns)
    keys = list(rows[0].keys())
    typed_id = rows[0].get("id")
    if isinstance(typed_id, str) and typed_id[:1].isalpha() and typed_id[1:].isdigit():
        from crmctl.kinds.registry import KINDS

        for kind in KINDS.values():
            if kind.letter == typed_id[0] and kind.list_columns and set(kind.list_columns) <= set(keys):
                return list(kind.list_columns)
    return keys


def table_text(columns, rows, width=None):
    """A listing as aligned columns under a header and a rule; at most `width` characters a line when given.

    When the columns do not fit, the widest give way first; a long header
    counts for only HEADER_KEEPS characters then, so a column of short values
    under a long name ("employee_count") does not hold width the data needs.
    """
    header = list(columns)
    cells = [[one_line_cell(row.get(column)) for column in columns] for row in rows]
    numeric = [all(is_number(row.get(column)) for row in rows if row.get(column) is not None) for column in columns]
    data = [max([0] + [display_width(line[i]) for line in cells]) for i in range(len(header))]
    whole = [max(data[i], display_width(header[i])) for i in range(len(header))]
    widths = whole
    available = width - len(COLUMN_GAP) * (len(header) - 1) if width else None
    if available is not None and sum(whole) > available:
        needed = [max(data[i], min(display_width(header[i]), HEADER_KEEPS)) for i in range(len(header))]
        widths = fitted_widths(needed, available, whole)
        header = [cut(text, widths[i]) for i, text in enumerate(header)]
        cells = [[cut(text, widths[i]) for i, text in enumerate(line)] for line in cells]
    lines = [aligned(header, widths, [False] * len(header)), COLUMN_GAP.join("-" * w for w in widths)]
    lines += [aligned(line, widths, numeric) for line in cells]
    return "\n".join(lines) + "\n"


def record_text(record, width=None):
    """Field/value lines; a long value is wrapped under itself to fit `width` when given."""
    keys = [terminal_safe(str(key)) for key in record]
    key_width = max((display_width(key) for key in keys), default=0)
    value_width = width - key_width - len(COLUMN_GAP) if width else None
    if value_width is not None and value_width < 20:
        value_width = None  # too narrow to wrap into: let the terminal fold it
    lines = []
    for key, value in zip(keys, record.values()):
        value_lines = [terminal_safe(line) for line in cell_text(value).split("\n")]
        if value_width:
            import textwrap

            value_lines = [part for line in value_lines
                           for part in (textwrap.wrap(line, value_width) if display_width(line) > value_width
                                        else [line])]
        for index, line in enumerate(value_lines or [""]):
            label = key if index == 0 else ""
            lines.append((label + " " * (key_width - display_width(label)) + COLUMN_GAP + line).rstrip())
    return "\n".join(lines) + "\n"


def fitted_widths(needed, available, wanted):
    """Column widths that add up to at most `available`: the widest columns give way first.

    Each column gets what it `needed` under a common cap; what the cap leaves
    goes, a character at a time, to the columns still short of what they `wanted`.
    """
    widths = list(needed)
    if sum(needed) > available:
        low, high = 1, max(needed)
        while low < high:  # the largest cap under which the columns fit
            middle = (low + high + 1) // 2
            if sum(min(width, middle) for width in needed) <= available:
                low = middle
            else:
                high = middle - 1
        widths = [min(width, max(low, NARROWEST_COLUMN)) for width in needed]
    spare = available - sum(widths)
    while spare > 0:
        short = [index for index, width in enumerate(widths) if width < wanted[index]]
        if not short:
            break
        for index in short[:spare]:
            widths[index] += 1
        spare -= min(len(short), spare)
    return widths


def aligned(cells, widths, right):
    padded = []
    for text, width, to_right in zip(cells, widths, right):
        padding = " " * (width - display_width(text))
        padded.append(padding + text if to_right else text + padding)
    return COLUMN_GAP.join(padded).rstrip()


def one_line_cell(value):
    return terminal_safe(" ".join(cell_text(value).split()) if value is not None else "")


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def terminal_safe(text):
    """Text without control characters, which would move the cursor or recolour the terminal."""
    if text.isprintable():
        return text
    return "".join(character if character.isprintable() else " " if character == "\t" else "\ufffd"
                   for character in text)


def character_width(character):
    import unicodedata

    if unicodedata.combining(character):
        return 0
    return 2 if unicodedata.east_asian_width(character) in ("W", "F") else 1


def display_width(text):
    """Columns the text takes on a terminal: wide (CJK) characters take two, combining marks none."""
    if text.isascii():
        return len(text)
    return sum(character_width(character) for character in text)


def cut(text, width):
    """The text in at most `width` columns, ending in "…" when it had to be cut."""
    if display_width(text) <= width:
        return text
    kept, used = [], 0
    for character in text:
        taken = character_width(character)
        if used + taken > width - 1:
            break
        kept.append(character)
        used += taken
    return "".join(kept) + ELLIPSIS


# ---------------------------------------------------------------------------
# The terminal: its size and the pager
# ---------------------------------------------------------------------------


def terminal_size():
    """(columns, lines) of the terminal stdout writes to, each None when it reports 0; None when stdout is no terminal.

    The terminal is asked, not $COLUMNS/$LINES: readline exports those once and
    they go stale when the window is resized.
    """
    if not stdout_is_terminal():
        return None
    try:
        size = os.get_terminal_size(sys.stdout.fileno())
    except (AttributeError, ValueError, OSError, io.UnsupportedOperation):
        return (None, None)
    return (size.columns or None, size.lines or None)


def terminal_columns():
    """The width to fit tables to: the terminal's, or None (a pipe, a file, `--wide`)."""
    session = current_session()
    if session is not None and session.wide:
        return None
    size = terminal_size()
    return size[0] if size else None


def emit(text):
    """Data on stdout; through $PAGER when stdout is a terminal and the text is longer than its screen."""
    size = terminal_size()
    if size and size[1] and text.count("\n") >= size[1] and os.environ.get("TERM") != "dumb":
        if through_pager(text):
            return
    click.echo(text, nl=False)


def through_pager(text):
    """Show text through $PAGER (default `less`, with LESS=FRX unless set); False when there is no pager to use."""
    command = os.environ.get("PAGER", "less").strip()
    if not command or command == "cat":
        return False
    import subprocess

    sys.stdout.flush()
    environment = dict(os.environ)
    environment.setdefault("LESS", "FRX")
    try:
        pager = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, env=environment)
    except OSError:
        return False
    try:
        pager.stdin.write(text.encode(getattr(sys.stdout, "encoding", None) or "utf-8", "replace"))
    except BrokenPipeError:  # the reader quit before the end
        pass
    finally:
        try:
            pager.stdin.close()
        except BrokenPipeError:
            pass
    while True:
        try:
            status = pager.wait()
            break
        except KeyboardInterrupt:  # Ctrl-C belongs to the pager while it runs
            continue
    return status != 127  # the shell found no such pager: print it here instead
