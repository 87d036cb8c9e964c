"""List companies, leads, deals, tasks or submissions with filters."""
import click

from crmctl.kinds.registry import LISTED
from crmctl.cli.output import format_option, print_records
from crmctl.cli.session import pass_session

def listing_options(function):
    """The filters every listing takes (also used by export and bulk actions)."""
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
@format_option
@pass_session
def list_records(session, kind, where, search, sort, limit, output_format):
    """List companies, leads, deals, tasks or submissions."""
    from crmctl.query.listing import list_records as find_records

    session.open()
    rows = find_records(kind, where=where, search=search, sort=sort, limit=limit)
    columns = list(LISTED[kind].list_columns) if output_format == "table" else None
    print_records(rows, output_format, columns=columns)
