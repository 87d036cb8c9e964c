"""Move deals through their pipeline: move, close, reopen, a customer's feedback, list."""
# Core modules are imported inside the callbacks, so `crmctl deal --help` loads no database code.
import click

from crmctl.cli.output import (TERMINAL_PAGE_ROWS, format_option, message, more_records_note, pages_on_terminal,
                               print_record, print_records)
from crmctl.cli.session import pass_session
from crmctl.plugins.listing import listing_options


@click.group()
def deal():
    """Move deals through their pipeline: move, close, reopen, feedback, list."""


def print_deal(record, output_format):
    from crmctl.kinds.shapes import record_dict

    print_record(record_dict("deal", record), output_format)


@deal.command("move")
@click.argument("deal_id", metavar="DEAL")
@click.argument("stage", nargs=-1, required=True, metavar="STAGE")
@format_option
@pass_session
def move_command(session, deal_id, stage, output_format):
    """Move DEAL to STAGE of its pipeline (case and spacing forgiven).

    Closed Won and Finished mark the deal won, Closed Lost lost; a closed deal
    moves again only after `deal reopen`.

    \b
    Example:
      crmctl deal move D5 negotiation
    """
    from crmctl.lifecycle.deals import move_deal

    session.open()
    record, moved = move_deal(session.actor, deal_id, " ".join(stage))
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
@pass_session
def list_command(session, where, search, sort, limit, show_all, output_format):
    """List deals (the same as `list deals`): --where stage=…, --where pipeline=…, status, amount, …"""
    from crmctl.kinds.registry import KINDS
    from crmctl.query.listing import list_page

    if show_all and limit is not None:
        raise click.UsageError("give --limit or --all, not both")
    session.open()
    paged = pages_on_terminal(output_format) and not show_all
    if paged and limit is None:
        limit = TERMINAL_PAGE_ROWS
    page = list_page("deals", where=where, search=search, sort=sort, limit=limit, count_more=paged)
    kind = KINDS["deal"]
    print_records(page.rows, output_format, columns=list(kind.list_columns) if output_format == "table" else None,
                  kind=kind)
    if page.more:
        more_records_note(page.more, at_least=page.more_is_capped)
