"""Give leads to an agent (--to), or round-robin over the active agents of each lead's country."""
# Core modules are imported inside the callback, so `crmctl assign --help` loads no database code.
import click

from crmctl.cli.bulk import bulk_options, confirmed
from crmctl.cli.output import format_option, message, print_record, print_records
from crmctl.cli.session import pass_session


@click.command()
@click.argument("leads", nargs=-1, metavar="[LEAD]...")
@click.option("--to", "to", metavar="AGENT", help="The agent (email) who gets the leads.")
@click.option("--round-robin", is_flag=True,
              help="Each lead to the next active agent of its company's country, fair across runs.")
@click.option("--explain", is_flag=True, help="Say why each lead went where (country, candidates, turn).")
@bulk_options()
@format_option
@pass_session
def assign(session, leads, to, round_robin, explain, where, search, segment_name, yes, output_format):
    """Assign leads to --to AGENT or --round-robin (managers and admins).

    Round-robin takes the active agents (role agent) of each lead's company's
    country in id order, continuing after the one who got that country's last
    lead in any earlier run. A lead whose country has no active agent keeps its
    owner and is reported on stderr (exit 0).

    \b
    Examples:
      crmctl assign L34 L35 --to anna@example.com
      crmctl assign --where country=PL --where owner= --round-robin --explain --yes
    """
    from crmctl.lifecycle.allocation import assign_leads
    from crmctl.lifecycle.pool import selected_leads
    from crmctl.rules.permissions import require

    if bool(to) == bool(round_robin):
        raise click.UsageError("give --to AGENT or --round-robin (one of them)")
    session.open()
    selection = None
    if where or search or segment_name:
        if leads:
            raise click.UsageError("give LEAD… or --where/--search/--segment, not both")
        require(session.actor, "allocate")
        require(session.actor, "bulk action")
        selection = selected_leads(where, search, segment_name)
        count = selection[0].order_by().count()
        noun = "lead" if count == 1 else "leads"
        how = f"to {to}" if to else "round-robin"
        if not confirmed(count, noun, f"{count} {noun} will be assigned {how}", f"Assign {count} {noun} {how}?", yes):
            return
    summary = assign_leads(session.actor, leads, to=to, round_robin=round_robin, selection=selection)
    for row in summary["leads"]:
        if not row["assigned"]:
            message(f"{row['lead']}: {row['why']}")
        elif explain:
            message(f"{row['lead']} -> {row['owner']}: {row.get('why', 'named with --to')}")
    unassigned = f", {summary['unassigned']} left unassigned" if summary["unassigned"] else ""
    message(f"{summary['changed']} assigned, {summary['unchanged'] - summary['unassigned']} had that owner already"
            f"{unassigned}")
    if not explain:
        for row in summary["leads"]:
            for key in ("why", "candidates", "turn"):
                row.pop(key, None)
    if output_format == "json":
        print_record(summary, output_format)
    else:
        print_records(summary["leads"], output_format)
