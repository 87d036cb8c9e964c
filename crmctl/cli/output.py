"""Printing records: one `--format` option and one way to print each shape.

Data goes to stdout; messages go to stderr. On a terminal the default format is
a table; when stdout is a pipe or a file the default is JSON, which scripts can
read without asking for it. A table on a terminal shows one page of a listing
(SPEC §6) and says on stderr how many more records match; piped output and JSON
or CSV print every record unless `--limit` is given.
"""
import csv
import functools
import io
import json
import sys

import click

FORMATS = ("table", "json", "csv")
TERMINAL_PAGE_ROWS = 50
# A CSV cell that starts with one of these would be run as a formula by a spreadsheet.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


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


def inert_csv_cell(value):
    """A CSV cell that a spreadsheet will not evaluate."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def cell_text(value):
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(cell_text(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}={cell_text(item)}" for key, item in value.items())
    return str(value)


def print_records(rows, output_format, columns=None):
    """A listing: a JSON array, CSV with a header row, or a table."""
    rows = list(rows)
    if output_format == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, default=str, indent=2))
        return
    if columns is None:
        columns = list(rows[0].keys()) if rows else []
    if output_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([inert_csv_cell(cell_text(row.get(column))) for column in columns])
        click.echo(buffer.getvalue(), nl=False)
        return
    from tabulate import tabulate

    if not rows:
        click.echo("(no records)", err=True)
        return
    table = [[cell_text(row.get(column)) for column in columns] for row in rows]
    click.echo(tabulate(table, headers=columns))


def print_record(record, output_format):
    """One record or summary: a JSON object, a one-row CSV, or field/value lines."""
    if output_format == "json":
        click.echo(json.dumps(record, ensure_ascii=False, default=str, indent=2))
        return
    if output_format == "csv":
        print_records([record], "csv", columns=list(record.keys()))
        return
    from tabulate import tabulate

    table = [[key, cell_text(value)] for key, value in record.items()]
    click.echo(tabulate(table, tablefmt="plain"))


def message(text):
    """A one-line message for the person at the terminal (stderr, never mixed with data)."""
    click.echo(text, err=True)
