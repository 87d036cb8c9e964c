"""`import template|example|run|list|undo` and `export`: thin commands over crmctl.transfer."""
# Core modules are imported inside the callbacks, so `crmctl import --help` loads no database code.
import time

import click

from crmctl.cli.output import format_option, message, print_record, print_records
from crmctl.cli.session import pass_session


class ProgressLine:
    """One line on stderr, drawn again in place: rows read, then a bar of the rows done out of the total, rows/s.

    Only on a terminal: under cron, piped, or with --quiet there is no line at all (see `progress_line`).
    """

    WIDTH = 30

    def __init__(self, done_words):
        self.done_words, self.stage, self.started, self.drawn = done_words, None, 0.0, False

    def __call__(self, stage, done, total):
        now = time.monotonic()
        if stage != self.stage:
            self.stage, self.started = stage, now
        rate = f", {done / (now - self.started):,.0f} rows/s" if now - self.started > 0.05 else ""
        if total:
            filled = min(self.WIDTH, self.WIDTH * done // total)
            text = (f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {100 * done // total:3d}%  "
                    f"{done:,}/{total:,} rows {self.done_words}{rate}")
        else:
            text = f"{done:,} rows {stage}{rate}"
        click.echo(f"\r{text}\x1b[K", err=True, nl=False)
        self.drawn = True

    def close(self):
        if self.drawn:
            click.echo("", err=True)


def progress_line(session, done_words):
    """A ProgressLine when stderr is a terminal and the command is not --quiet; otherwise None (nothing shown)."""
    import sys

    if session.quiet or not sys.stderr.isatty():
        return None
    return ProgressLine(done_words)


@click.group("import")
def import_group():
    """Import leads from .xls, .xlsx or .csv files, list the batches, undo one."""


@import_group.command("template")
@click.argument("path", metavar="FILE.xls")
@pass_session
def template_command(session, path):
    """Write the template workbook: the header row, two example rows, the columns explained."""
    from crmctl.transfer.template import write_template

    write_template(path)
    message(f"wrote {path}")


@import_group.command("example")
@click.argument("path", metavar="FILE.xls")
@pass_session
def example_command(session, path):
    """Write the shipped example workbook (30 leads) to FILE.xls, ready for `import run`."""
    import os
    import shutil

    import crmctl.transfer

    from crmctl.errors import BadInput
    from crmctl.files import replace_when_written, require_file_name

    if not require_file_name(path).lower().endswith(".xls"):
        raise BadInput(f"the example is an .xls workbook: name it FILE.xls, not {path}")
    example = os.path.join(os.path.dirname(crmctl.transfer.__file__), "example_leads.xls")
    replace_when_written(path, ".xls", lambda temporary: shutil.copyfile(example, temporary))
    message(f"wrote {path}")


@import_group.command("run")
@click.argument("path", metavar="FILE")
@click.option("--sheet", metavar="NAME", help="The sheet to read (default: the first visible one).")
@click.option("--map", "mapping", multiple=True, metavar="'HEADER=TEMPLATE COLUMN'",
              help="Read a header as a template column; 'HEADER=' leaves it out. Repeatable.")
@click.option("--ignore-unknown", is_flag=True, help="Leave out headers that name no template column.")
@click.option("--on-duplicate", type=click.Choice(["skip", "update", "merge"]), default="skip", show_default=True,
              help="A row matching a stored record: attach it (skip), overwrite the record's fields (update) "
                   "or fill only its empty fields (merge).")
@click.option("--force", is_flag=True, help="Store companies that are only likely duplicates by name.")
@click.option("--dry-run", is_flag=True, help="Run every check and print the summary; write nothing.")
@click.option("--campaign", help="The campaign of rows that name none.")
@click.option("--source", help="The source of rows that name none.")
@click.option("--assign-to", metavar="AGENT", help="Give every new lead to this agent.")
@click.option("--round-robin", is_flag=True, help="Give new leads in turn to the active agents of each country.")
@click.option("--rejects", metavar="FILE.xls", help="Write the refused rows with Row and Reason columns.")
@format_option
@pass_session
def run_command(session, path, sheet, mapping, ignore_unknown, on_duplicate, force, dry_run, campaign, source,
                assign_to, round_robin, rejects, output_format):
    """Import FILE (.xls, .xlsx or .csv) as one batch: all of it or nothing; exit 6 if rows were rejected."""
    from crmctl.transfer.importing import RowsRejected, import_file

    session.open()
    progress = progress_line(session, "checked and written")
    try:
        summary, rows, rejects_problem = import_file(
            session.actor, path, sheet=sheet, mapping=mapping, ignore_unknown=ignore_unknown,
            on_duplicate=on_duplicate, force=force, dry_run=dry_run, campaign=campaign, source=source,
            assign_to=assign_to, round_robin=round_robin, rejects=rejects, progress=progress)
    finally:
        if progress is not None:
            progress.close()
    print_record(summary, output_format)
    rejected = [row for row in rows if row.outcome == "rejected"]
    if rejects_problem and not rejected:  # the batch landed whole; only the (empty) rejects file is missing
        click.echo(f"crmctl: error: nothing was rejected, but {rejects} was not written: {rejects_problem}", err=True)
    if rejected:
        first = rejected[0]
        where = (f"; not written to {rejects}: {rejects_problem}" if rejects_problem
                 else f"; all in {rejects}" if rejects else "; --rejects FILE.xls writes them all")
        raise RowsRejected(f"{len(rejected)} row{'s' if len(rejected) > 1 else ''} rejected; first, row "
                           f"{first.number}: {first.reason}{where}")


@import_group.command("list")
@format_option
@pass_session
def list_command(session, output_format):
    """The import batches: who, when, which file, what each did."""
    from crmctl.transfer.batches import list_batches

    session.open()
    print_records(list_batches(session.actor), output_format)


@import_group.command("undo")
@click.argument("batch", metavar="BATCH")
@click.option("--force", is_flag=True, help="Undo even though later changes touched the batch's records.")
@format_option
@pass_session
def undo_command(session, batch, force, output_format):
    """Delete what batch BATCH created and restore the fields it updated."""
    from crmctl.transfer.batches import undo_batch

    session.open()
    print_record(undo_batch(session.actor, batch, force=force), output_format)


@click.command("export")
@click.argument("path", metavar="FILE.xls|FILE.xlsx|FILE.csv")
@click.option("--where", multiple=True, metavar="'FIELD OP VALUE'", help="Filter as in list; repeat to AND.")
@click.option("--search", help="Text in the company name, person name or email.")
@click.option("--companies", is_flag=True, help="Export companies alone (their columns of the template).")
@pass_session
def export(session, path, where, search, companies):
    """Export leads with their company's columns (or --companies) in the import template's layout."""
    from crmctl.transfer.exporting import export_file

    session.open()
    progress = progress_line(session, "exported")
    try:
        count = export_file(session.actor, path, where=where, search=search, companies=companies, progress=progress)
    finally:
        if progress is not None:
            progress.close()
    message(f"exported {count} {'companies' if companies else 'leads'} to {path}")
