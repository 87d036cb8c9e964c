"""The lead pool: list the leads nobody owns, put leads in, claim one (atomic: two agents, one winner)."""
# Core modules are imported inside the callbacks, so `crmctl pool --help` loads no database code.
import click

from crmctl.cli.bulk import bulk_options, confirmed
from crmctl.cli.output import format_option, message, print_record
from crmctl.cli.session import pass_session
from crmctl.plugins.listing import list_records, listing_options


@click.group()
def pool():
    """The lead pool: leads without an owner, waiting for an agent to claim them."""


@pool.command("list")
@listing_options
@format_option
@click.pass_context
def list_command(ctx, where, search, sort, limit, show_all, output_format):
    """List the leads in the pool (the filters of `list leads`)."""
    from crmctl.lifecycle.pool import IN_POOL

    ctx.invoke(list_records, kind="leads", where=(IN_POOL, *where), search=search, sort=sort, limit=limit,
               show_all=show_all, output_format=output_format)


@pool.command("put")
@click.argument("leads", nargs=-1, metavar="[LEAD]...")
@bulk_options()
@format_option
@pass_session
def put_command(session, leads, where, search, segment_name, yes, output_format):
    """Put leads in the pool: they lose their owner (an agent: its own leads; a manager: any, or --where).

    \b
    Examples:
      crmctl pool put L34 L35
      crmctl pool put --where country=DE --where "status=Not Interested" --yes
    """
    from crmctl.lifecycle.pool import put_in_pool, put_selection_in_pool, selected_leads
    from crmctl.rules.permissions import require

    session.open()
    if where or search or segment_name:
        if leads:
            raise click.UsageError("give LEAD… or --where/--search/--segment, not both")
        require(session.actor, "bulk action")
        selection = selected_leads(where, search, segment_name)
        count = selection[0].order_by().count()
        noun = "lead" if count == 1 else "leads"
        if not confirmed(count, noun, f"{count} {noun} will be put in the pool", f"Put {count} {noun} in the pool?",
                         yes):
            return
        summary = put_selection_in_pool(session.actor, selection)
    else:
        summary = put_in_pool(session.actor, leads)
    message(f"{summary['changed']} put in the pool, {summary['unchanged']} there already")
    print_record(summary, output_format)


@pool.command("claim")
@click.argument("lead", required=False, metavar="[LEAD]")
@click.option("--next", "take_next", is_flag=True, help="The oldest lead in the pool in your country.")
@format_option
@pass_session
def claim_command(session, lead, take_next, output_format):
    """Claim a lead from the pool: you become its owner. Another agent's claim that came first is exit 3."""
    from crmctl.kinds.shapes import record_dict
    from crmctl.lifecycle.pool import claim_lead, claim_next

    if bool(lead) == bool(take_next):
        raise click.UsageError("give LEAD or --next (one of them)")
    session.open()
    claimed = claim_next(session.actor) if take_next else claim_lead(session.actor, lead)
    message(f"L{claimed.id} is yours")
    print_record(record_dict("lead", claimed), output_format)
