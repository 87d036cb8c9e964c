"""List companies, leads, deals, tasks or submissions with filters."""
import click

from crmctl.cli.output import format_option, print_records
from crmctl.cli.session import pass_session

COLUMNS = {
    "companies": ["id", "name", "website", "country", "industry", "employee_count", "relationship", "owner"],
    "leads": ["id", "full_name", "position", "company", "status", "follow_up_on", "owner", "emails", "phones"],
    "deals": ["id", "name", "company_id", "pipeline", "stage", "status", "amount", "currency"],
    "tasks": ["id", "subject", "kind", "due_at", "assignee", "done", "text"],
    "submissions": ["id", "lead_id", "company_id", "campaign", "source", "batch_id", "received_at"],
}


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
@click.argument("kind", type=click.Choice(list(COLUMNS)))
@listing_options
@format_option
@pass_session
def list_records(session, kind, where, search, sort, limit, output_format):
    """List companies, leads, deals, tasks or submissions."""
    from crmctl.query.listing import list_records as find_records

    session.open()
    rows = find_records(kind, where=where, search=search, sort=sort, limit=limit)
    print_records(rows, output_format, columns=COLUMNS[kind] if output_format == "table" else None)
