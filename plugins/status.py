"""Change a lead's status (one lead, or in bulk with --where), or show its status history."""
# Core modules are imported inside the callback, so `crmctl status --help` loads no database code.
import click

from crmctl.cli.bulk import bulk_options, confirmed
from crmctl.cli.output import format_option, message, print_record, print_records
from crmctl.cli.session import pass_session


@click.command()
@click.argument("words", nargs=-1, metavar="[LEAD] STATUS")
@click.option("--on", metavar="DATE", help="The date Follow Up and Event need (the follow-up date).")
@click.option("--note", metavar="TEXT", help="Add this note to the lead.")
@bulk_options()
@click.option("--history", "show_history", is_flag=True, help="Show every status of LEAD with who and when.")
@format_option
@pass_session
def status(session, words, on, note, where, search, segment_name, yes, show_history, output_format):
    """Set the status of LEAD to STATUS, of every lead --where/--search picks, or show --history LEAD.

    \b
    Statuses: Sent Request, Connected, Interested, Not Interested, Ignoring,
    Follow Up (needs --on DATE), Event (needs --on DATE), Call.
    Examples:
      crmctl status L34 Connected
      crmctl status L34 "Follow Up" --on 2026-12-07 --note "Asked to call after the fair"
      crmctl status --where country=PL --where "status=Sent Request" Ignoring --yes
      crmctl status --history L34
    """
    bulk = bool(where or search or segment_name)
    if show_history:
        if bulk or on or note or len(words) != 1:
            raise click.UsageError("--history takes one LEAD and nothing else")
        from crmctl.lifecycle.status import status_history

        session.open()
        print_records(status_history(words[0]), output_format)
        return
    if bulk:
        if not words:
            raise click.UsageError("give the new STATUS")
        if note:
            raise click.UsageError("--note is for one lead, not a bulk change")
        bulk_status(session, " ".join(words), on, where, search, yes, output_format, segment_name)
        return
    if len(words) < 2:
        raise click.UsageError("give LEAD and STATUS (or --where FILTER STATUS for many leads)")
    from crmctl.kinds.shapes import record_dict
    from crmctl.lifecycle.status import change_status

    session.open()
    lead, changed = change_status(session.actor, words[0], " ".join(words[1:]), on=on, note=note)
    label = f"L{lead.id}"
    if changed:
        message(f"{label} is now {lead.status}" + (f" (on {lead.follow_up_on})" if lead.follow_up_on else ""))
    else:
        message(f"{label} was already {lead.status}" + (f" (on {lead.follow_up_on})" if lead.follow_up_on else ""))
    print_record(record_dict("lead", lead), output_format)


def bulk_status(session, new_status, on, where, search, yes, output_format, segment_name=None):
    """Count, confirm (a terminal asks; a script must say --yes), change in one transaction, report."""
    from crmctl.lifecycle.status import apply_status_change, planned_status_change

    session.open()
    segment = None
    if segment_name:
        from crmctl.query.segments import segment_definition

        segment = segment_definition(segment_name, "leads")
    selection, change = planned_status_change(session.actor, new_status, on=on, where=where, search=search,
                                              segment=segment, segment_name=segment_name)
    count = selection.count()
    noun = "lead" if count == 1 else "leads"
    plan = (f"{count} {noun} will be set to {change['status']}"
            + (f" (on {change['follow_up_on']})" if change["follow_up_on"] else ""))
    if not confirmed(count, noun, plan, f"Set {count} {noun} to {change['status']}?", yes):
        return
    summary = apply_status_change(session.actor, selection, change)
    message(f"{summary['changed']} changed, {summary['unchanged']} already {summary['status']}")
    print_record(summary, output_format)
