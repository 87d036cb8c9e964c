"""Reports on the pipeline, funnel, activity, quota, response time and more; the weekly page."""
# Core modules are imported inside the callbacks, so `crmctl report --help` loads no database code.
import functools

import click

from crmctl.cli.output import format_option, message, print_records
from crmctl.cli.session import pass_session

# Each report's one-line help; the figures themselves live in crmctl.reports.
REPORT_HELP = {
    "pipeline": "Deals by pipeline and stage: counts, and amounts per currency.",
    "funnel": "Leads by current status, and the conversion rates lead → deal → customer.",
    "activity": "Per agent and day: companies and leads added, communications, status changes.",
    "quota": "Per agent and day: companies added against the daily target.",
    "response-time": "First-response times of inbound leads (mean, median, 90th percentile) and breaches.",
    "win-rate": "Won / (won + lost) of the deals closed, per agent and pipeline.",
    "velocity": "Days from lead to close, and days spent in each stage.",
    "scores": "The top-scored leads.",
    "review": "The review backlog by country: companies due for review.",
}


@click.group()
def report():
    """Reports on the pipeline, funnel, activity, quota, response time and more; the weekly page.

    Without --since/--until a report covers everything up to and including today (UTC). An agent
    sees its own figures; managers and admins everyone's, or one agent's with --agent.
    """


def scope_options(function):
    function = click.option("--today", metavar="DATE",
                            help="Make the report as of this UTC date (default: today).")(function)
    function = click.option("--country", metavar="CC", help="Only this country (ISO alpha-2).")(function)
    function = click.option("--agent", metavar="EMAIL", help="Only this agent's figures.")(function)
    function = click.option("--until", metavar="DATE", help="Last day of the period (default: today, UTC).")(function)
    function = click.option("--since", metavar="DATE", help="First day of the period (default: the beginning).")(
        function)
    return function


def scope_for(session, since, until, agent, country, today=None):
    from crmctl.errors import quoted
    from crmctl.reports.scope import report_scope

    session.open()
    scope = report_scope(session.actor, since=since, until=until, agent=agent, country=country, today=today)
    if scope.unknown_agent is not None:
        message(f"no agent {quoted(scope.unknown_agent)}: nothing to report")
    return scope


def report_command(name):
    def run(session, since, until, agent, country, today, limit, output_format):
        from crmctl.reports.catalog import REPORTS, run_report
        from crmctl.rules.settings import load_settings

        scope = scope_for(session, since, until, agent, country, today)
        rows = run_report(name, scope, load_settings(), limit=limit)
        if not rows and output_format == "table":
            if scope.unknown_agent is None:
                message(f"no figures for the {name} report in this period")
            return
        print_records(rows, output_format, columns=list(REPORTS[name].columns))

    run = functools.update_wrapper(pass_session(run), run)
    run = format_option(run)
    run = click.option("--limit", type=click.IntRange(min=0),
                       help="At most this many rows (scores: 20 unless given).")(run)
    run = scope_options(run)
    return click.command(name, help=REPORT_HELP[name], short_help=REPORT_HELP[name])(run)


for report_name in REPORT_HELP:
    report.add_command(report_command(report_name))


@report.command("weekly")
@click.option("--week", metavar="YYYY-Www", help="ISO week, e.g. 2026-W48 (default: last week, Monday to Sunday).")
@click.option("--out", "out_path", required=True, metavar="FILE.html",
              help="The HTML file to write (-: standard output).")
@click.option("--agent", metavar="EMAIL", help="Only this agent's figures.")
@click.option("--country", metavar="CC", help="Only this country (ISO alpha-2).")
@click.option("--today", metavar="DATE", help="Make the page as of this UTC date (default: today).")
@pass_session
def weekly(session, week, out_path, agent, country, today):
    """Write the week's figures beside last week's as one self-contained HTML page."""
    from crmctl.reports.weekly import parse_week, weekly_figures
    from crmctl.reports.weekly_page import write_weekly_page
    from crmctl.rules.settings import load_settings

    scope = scope_for(session, None, None, agent, country, today)
    monday = parse_week(week, scope.today)
    if out_path != "-":
        from crmctl.files import file_to_replace

        file_to_replace(out_path)  # a path it cannot write is refused before the figures are worked out
    figures = weekly_figures(monday, scope, load_settings())
    if out_path == "-":  # as `task export -`: the page on stdout, for a pipe or a mail command
        from crmctl.reports.weekly_page import weekly_page_html

        click.echo(weekly_page_html(figures), nl=False)
        message(f"wrote the weekly page of {figures.week_label} to standard output")
        return
    write_weekly_page(out_path, figures)
    shown = str(out_path) if str(out_path).isprintable() else repr(str(out_path))  # one line, whatever its name
    message(f"wrote the weekly page of {figures.week_label} to {shown}")
