"""The 90-day review: companies due, marking one reviewed, and the daily cron job.

The rules live in crmctl.jobs (review, review_run); this module parses
options, calls them and prints.
"""
# Core modules are imported inside the callbacks, so `crmctl review --help` loads no database code.
import click

from crmctl.cli.output import TERMINAL_PAGE_ROWS, format_option, message, pages_on_terminal
from crmctl.cli.session import pass_session

DUE_COLUMNS = ("id", "name", "country", "relationship", "owner", "last_reviewed_at", "created_at")
SUMMARY_DETAILS = ("reminders", "breaches")  # lists a table leaves out (JSON shows them)


@click.group()
def review():
    """The 90-day review: companies due, marking one reviewed, and the daily cron job."""


@review.command("due")
@click.option("--today", metavar="DATE", help="Work as of this UTC date (default: today).")
@click.option("--country", metavar="CC", help="Only companies in this country.")
@click.option("--agent", metavar="EMAIL", help="Only companies this agent owns or works on (its active agents).")
@click.option("--limit", type=click.IntRange(min=0), help="At most this many companies.")
@click.option("--all", "show_all", is_flag=True,
              help=f"Every due company (a table on a terminal shows {TERMINAL_PAGE_ROWS} by default).")
@format_option
@pass_session
def review_due_command(session, today, country, agent, limit, show_all, output_format):
    """List the companies due for review, oldest review first.

    Due: last reviewed (or added, when never reviewed) at least
    review_interval_days ago (90); never clients, not relevant or archived
    companies, nor one with a lead at status Call.
    """
    from crmctl.cli.output import print_records
    from crmctl.dates import parse_date, utctoday
    from crmctl.jobs.review import due_companies
    from crmctl.kinds.registry import COMPANY
    from crmctl.kinds.shapes import records_dicts
    from crmctl.query.listing import checked_limit
    from crmctl.rules.settings import load_settings

    if show_all and limit is not None:
        raise click.UsageError("give --limit or --all, not both")
    day = parse_date(today, "--today") if today is not None else None
    session.open()
    paged = pages_on_terminal(output_format) and not show_all
    if paged and limit is None:
        limit = TERMINAL_PAGE_ROWS
    checked_limit(limit)
    fetch = limit + 1 if paged else limit
    companies = due_companies(day or utctoday(), load_settings(), country=country, agent=agent, limit=fetch)
    more = len(companies) - limit if paged and len(companies) > limit else 0
    rows = records_dicts("company", companies[:limit] if more else companies)
    columns = list(DUE_COLUMNS) if output_format == "table" else None
    print_records(rows, output_format, columns=columns, kind=COMPANY)
    if more:
        message("more companies are due: --limit N shows the first N, --all every one")


@review.command("done")
@click.argument("company_id", metavar="COMPANY")
@click.option("--linkedin-account", metavar="NAME",
              help="The LinkedIn account you used (default: your only one, when you have one).")
@format_option
@pass_session
def review_done_command(session, company_id, linkedin_account, output_format):
    """Mark a company reviewed: you join its active agents, its leads go back to Sent Request, note "Updated".

    In one transaction, all in history: the review is stamped, the acting
    agent and the LinkedIn account used are added to the company, its leads
    (but those at Call) are set back to Sent Request and active again, the note
    "Updated" is added and its open review tasks are done. An agent reviews
    companies of its own country; a manager or admin any.
    """
    from crmctl.cli.output import print_record
    from crmctl.jobs.review import note_label, review_done
    from crmctl.kinds.shapes import record_dict

    session.open()
    company, reset, note_id = review_done(session.actor, company_id, linkedin_account)
    print_record(record_dict("company", company), output_format)
    noun = "lead" if reset == 1 else "leads"
    message(f"C{company.id} reviewed: {reset} {noun} back to Sent Request, note {note_label(note_id)} \"Updated\"")


@review.command("run")
@click.option("--today", metavar="DATE",
              help="Run as of the end of this UTC date, or as of an ISO datetime (default: now).")
@click.option("--dry-run", is_flag=True, help="Print what it would do; write nothing.")
@format_option
@pass_session
def review_run_command(session, today, dry_run, output_format):
    """The daily cron job: review and follow-up tasks, inactive leads, reminders and response-time breaches.

    One idempotent pass: a re-run on the same day, or two runs at once,
    create no task twice. Prints a summary of what it did (with --format json
    also the ids of today's reminders and the breaches); --quiet prints
    nothing unless something failed. Writing needs a manager or an admin.
    """
    from crmctl.cli.output import print_record
    from crmctl.jobs.review_run import review_run
    from crmctl.rules.settings import load_settings

    session.open()
    summary = review_run(session.actor, load_settings(), today=today, dry_run=dry_run)
    if output_format != "json":
        summary = {key: value for key, value in summary.items() if key not in SUMMARY_DETAILS}
    print_record(summary, output_format)
