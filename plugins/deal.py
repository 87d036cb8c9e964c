"""Move deals through their pipeline: move, close, reopen, a customer's feedback, list."""
# Core modules are imported inside the callbacks, so `crmctl deal --help` loads no database code.
import click

from crmctl.cli.output import format_option, message, print_record
from crmctl.cli.session import pass_session
from crmctl.plugins.listing import list_records, listing_options


@click.group()
def deal():
    """Move deals through their pipeline: move, close, reopen, feedback, list."""


def print_deal(record, output_format):
    from crmctl.kinds.shapes import record_dict

    print_record(record_dict("deal", record), output_format)


@deal.command("move")
@click.argument("deal_id", metavar="DEAL")
@click.argument("stage", nargs=-1, required=True, metavar="STAGE")
@click.option("--reason", metavar="TEXT", help="Why it closes (required for Closed Lost).")
@format_option
@pass_session
def move_command(session, deal_id, stage, reason, output_format):
    """Move DEAL to STAGE of its pipeline (case and spacing forgiven).

    Closed Won and Finished mark the deal won, Closed Lost lost (with its
    --reason); a closed deal moves again only after `deal reopen`.

    \b
    Example:
      crmctl deal move D5 negotiation
    """
    from crmctl.lifecycle.deals import move_deal

    session.open()
    record, moved = move_deal(session.actor, deal_id, " ".join(stage), reason)
    status = "" if record.status == "open" else f" ({record.status})"
    message(f"D{record.id} is {'now' if moved else 'already'} at {record.stage}{status}")
    print_deal(record, output_format)


@deal.command("close")
@click.argument("deal_id", metavar="DEAL")
@click.argument("outcome", type=click.Choice(["won", "lost", "abandoned"], case_sensitive=False))
@click.option("--reason", metavar="TEXT", help="Why (required for lost and abandoned).")
@format_option
@pass_session
def close_command(session, deal_id, outcome, reason, output_format):
    """Close DEAL as won, lost or abandoned (won and lost go to the pipeline's closing stage)."""
    from crmctl.lifecycle.deals import close_deal

    session.open()
    record = close_deal(session.actor, deal_id, outcome, reason)
    message(f"D{record.id} is {record.status} at {record.stage}")
    print_deal(record, output_format)


@deal.command("reopen")
@click.argument("deal_id", metavar="DEAL")
@click.option("--stage", metavar="STAGE", help="The open stage to reopen it at (default: where it was).")
@format_option
@pass_session
def reopen_command(session, deal_id, stage, output_format):
    """Reopen a closed DEAL, at the open stage it was in before it closed unless --stage says otherwise."""
    from crmctl.lifecycle.deals import reopen_deal

    session.open()
    record = reopen_deal(session.actor, deal_id, stage)
    message(f"D{record.id} is open again at {record.stage}")
    print_deal(record, output_format)


@deal.command("feedback")
@click.argument("deal_id", metavar="DEAL")
@click.argument("feedback", type=click.Choice(["positive", "negative"], case_sensitive=False))
@format_option
@pass_session
def feedback_command(session, deal_id, feedback, output_format):
    """Record a customer's feedback on a services DEAL at Service Completed.

    positive: a task to ask for a review, and the deal finished as won;
    negative: a call task for the deal's owner to address it.
    """
    from crmctl.kinds.shapes import record_dict
    from crmctl.lifecycle.deals import give_feedback

    session.open()
    record, task = give_feedback(session.actor, deal_id, feedback)
    message(f"D{record.id} is {record.status} at {record.stage}; T{task.id} for {task.assignee.email if task.assignee else 'nobody'}: "
            f"{task.text}")
    shape = record_dict("deal", record)
    shape["task"] = record_dict("task", task)
    print_record(shape, output_format)


@deal.command("list")
@listing_options
@format_option
@click.pass_context
def list_command(ctx, where, search, sort, limit, show_all, output_format):
    """List deals, as `list deals` does: --where stage=…, --where pipeline=…, status, amount, …"""
    ctx.invoke(list_records, kind="deals", where=where, search=search, sort=sort, limit=limit, show_all=show_all,
               output_format=output_format)
