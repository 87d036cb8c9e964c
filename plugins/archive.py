"""Archive records (archive ID… or --where) and bring them back (restore ID…)."""
# Core modules are imported inside the callbacks, so `crmctl archive --help` loads no database code.
import click

from crmctl.cli.bulk import bulk_options, confirmed
from crmctl.cli.output import format_option, message, print_record
from crmctl.cli.session import pass_session


@click.command()
@click.argument("record_ids", nargs=-1, metavar="[ID]...")
@click.option("--kind", "kind_plural", type=click.Choice(["leads", "companies", "deals"]),
              help="Bulk: what --where/--search/--segment pick (default: the segment's kind, else leads).")
@bulk_options("records", "list KIND")
@format_option
@pass_session
def archive(session, record_ids, kind_plural, where, search, segment_name, yes, output_format):
    """Archive companies, leads and deals: left out of listings (unless --archived), kept with their history.

    \b
    Archiving a company archives its leads with it; `restore C12` brings back
    the company and the leads archived with it. Managers archive anything, an
    agent only leads it owns.
    Examples:
      crmctl archive L34 D5
      crmctl archive C12
      crmctl archive --kind leads --where "status=Not Interested" --where created<2026-01-01 --yes
    """
    bulk = bool(where or search or segment_name)
    if bulk and record_ids:
        raise click.UsageError("give IDs or --where/--search/--segment, not both")
    if not bulk and not record_ids:
        raise click.UsageError("give the IDs to archive (C12 L34 D5), or --where/--search/--segment")
    session.open()
    if not bulk:
        from crmctl.lifecycle.archive import archive as archive_ids

        summary = archive_ids(session.actor, record_ids)
        told = ", ".join(summary["archived"]) or "nothing"
        message(f"archived {told}" + (f"; already archived: {', '.join(summary['already_archived'])}"
                                      if summary["already_archived"] else ""))
        print_record(summary, output_format)
        return
    archive_selection(session, kind_plural, where, search, segment_name, yes, output_format)


def archive_selection(session, kind_plural, where, search, segment_name, yes, output_format):
    """Count, confirm (a terminal asks; a script must say --yes), archive in one transaction, report."""
    from crmctl.lifecycle.archive import apply_archive, planned_archive
    from crmctl.query.segments import find_segment, segment_definition

    segment = None
    if segment_name:
        kind_plural = kind_plural or find_segment(segment_name).kind
        segment = segment_definition(segment_name, kind_plural)
    kind_plural = kind_plural or "leads"
    selection = planned_archive(session.actor, kind_plural, where, search, segment=segment, segment_name=segment_name)
    count = selection.count()
    noun = kind_plural if count != 1 else {"leads": "lead", "companies": "company", "deals": "deal"}[kind_plural]
    plan = f"{count} {noun} will be archived" + (" (with their leads)" if kind_plural == "companies" else "")
    if not confirmed(count, noun, plan, f"Archive {count} {noun}?", yes):
        return
    summary = apply_archive(session.actor, selection)
    message(f"{summary['archived']} archived as bulk action {summary['bulk']}")
    print_record(summary, output_format)


@click.command()
@click.argument("record_ids", nargs=-1, required=True, metavar="ID...")
@format_option
@pass_session
def restore(session, record_ids, output_format):
    """Bring archived companies, leads and deals back; a company brings back the leads archived with it."""
    from crmctl.lifecycle.archive import restore as restore_ids

    session.open()
    summary = restore_ids(session.actor, record_ids)
    told = ", ".join(summary["restored"]) or "nothing"
    message(f"restored {told}" + (f"; not archived: {', '.join(summary['not_archived'])}"
                                  if summary["not_archived"] else ""))
    print_record(summary, output_format)
