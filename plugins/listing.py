"""List companies, leads, deals, tasks or submissions with filters."""
# The kinds registry is imported at the top for the choice of kinds; the rest inside the callback.
import click

from crmctl.cli.output import (
    TERMINAL_PAGE_ROWS,
    format_option,
    more_records_note,
    pages_on_terminal,
    print_records,
)
from crmctl.cli.session import pass_session
from crmctl.kinds.registry import LISTED


def listing_options(function):
    """The filters every listing takes (also used by export and bulk actions)."""
    function = click.option(
        "--all", "show_all", is_flag=True,
        help=f"Every matching record (a table on a terminal shows {TERMINAL_PAGE_ROWS} by default).",
    )(function)
    function = click.option("--limit", type=click.IntRange(min=0), help="At most this many records.")(function)
    function = click.option("--sort", help="Field to sort by; -field for descending; comma-separated.")(function)
    function = click.option("--search", help="Text in the company name, person name or email.")(function)
    function = click.option(
        "--where", multiple=True, metavar="'FIELD OP VALUE'",
        help="Filter, e.g. country=PL, 'status=Sent Request', created>=2026-01-01, name~robot "
        "(OP: = != < <= > >= ~ in); repeat to AND.",
    )(function)
    return function


@click.command("list")
@click.argument("kind", type=click.Choice(list(LISTED)))
@listing_options
@click.option("--archived", is_flag=True, help="Archived companies, leads and deals too.")
@click.option("--segment", "segment_name", metavar="NAME", help="The filters of a saved segment (ANDed with the rest).")
@format_option
@pass_session
def list_records(session, kind, where, search, sort, limit, show_all, archived, segment_name, output_format):
    """List companies, leads, deals, tasks or submissions."""
    from crmctl.query.listing import list_page

    if show_all and limit is not None:
        raise click.UsageError("give --limit or --all, not both")
    session.open()
    paged = pages_on_terminal(output_format) and not show_all
    if paged and limit is None:
        limit = TERMINAL_PAGE_ROWS
    segment = None
    if segment_name:
        from crmctl.query.segments import segment_definition

        segment = segment_definition(segment_name, kind)
    page = list_page(kind, where=where, search=search, sort=sort, limit=limit, count_more=paged,
                     include_archived=archived, segment=segment)
    columns = list(LISTED[kind].list_columns) if output_format == "table" else None
    print_records(page.rows, output_format, columns=columns, kind=LISTED[kind])
    if page.more:
        more_records_note(page.more, at_least=page.more_is_capped)
