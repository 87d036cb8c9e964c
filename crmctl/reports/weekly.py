"""The weekly page's figures: one ISO week (Monday to Sunday, UTC) beside the week before.

Each section reuses a report of this package over the two weeks, so the page and `report NAME
--since MONDAY --until SUNDAY` always agree; per-agent totals over the week add up the report's
per-day rows (a handful of rows, already aggregated by SQL).
"""
import datetime

from crmctl.dates import parse_week as monday_of_week, utctoday
from crmctl.reports.activity import ACTIVITY_COLUMNS, activity_report, quota_report
from crmctl.reports.distribution import percentage
from crmctl.reports.funnel import funnel_report
from crmctl.reports.pipeline import pipeline_report
from crmctl.reports.response_time import ALL_AGENTS, response_time_report
from crmctl.reports.review_backlog import review_backlog_report
from crmctl.reports.scope import ReportScope
from crmctl.storage.dialect import prepare_for_reports


def parse_week(text, today=None):
    """The Monday of the ISO week YYYY-Www (`crmctl.dates.parse_week`); without one, the Monday of last week."""
    if text is None:
        today = today or utctoday()
        return today - datetime.timedelta(days=today.weekday() + 7)
    return monday_of_week(text, "--week")


def week_label(monday):
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


class WeekFigures:
    """Every section of the page for one week."""

    def __init__(self, monday, scope, settings):
        self.monday = monday
        self.sunday = monday + datetime.timedelta(days=6)
        self.label = week_label(monday)
        week = ReportScope(since=monday, until=self.sunday, agent_id=scope.agent_id, agent_email=scope.agent_email,
                           country=scope.country,
                           # a past week is seen as of its Sunday; the week under way as of today
                           today=self.sunday if self.sunday < scope.today else scope.today if scope.today_given
                           else None,
                           unknown_agent=scope.unknown_agent)
        self.pipeline = pipeline_report(week, settings)
        self.funnel = funnel_report(week)
        self.activity = activity_per_agent(activity_report(week))
        self.quota = quota_per_agent(quota_report(week, settings))
        response = response_time_report(week, settings)
        self.response = next((row for row in response if row["agent"] == ALL_AGENTS), response[0] if response else None)
        self.response_per_agent = [row for row in response if row["agent"] != ALL_AGENTS]
        self.review = review_backlog_report(week, settings)


def activity_per_agent(rows):
    """{agent: {column: the week's total}} from the per-day rows."""
    totals = {}
    for row in rows:
        agent_totals = totals.setdefault(row["agent"], dict.fromkeys(ACTIVITY_COLUMNS, 0))
        for column in ACTIVITY_COLUMNS:
            agent_totals[column] += row[column]
    return totals


def quota_per_agent(rows):
    """{agent: {companies, target, attainment}}: the week's companies against the week's targets."""
    totals = {}
    for row in rows:
        agent_totals = totals.setdefault(row["agent"], {"companies": 0, "target": 0})
        agent_totals["companies"] += row["companies"]
        agent_totals["target"] += row["target"] if datetime.date.fromisoformat(row["day"]).weekday() < 5 else 0
    for agent_totals in totals.values():
        agent_totals["attainment"] = percentage(agent_totals["companies"], agent_totals["target"])
    return totals


class WeeklyFigures:
    def __init__(self, this_week, last_week, scope):
        self.this_week, self.last_week = this_week, last_week
        self.week_label = this_week.label
        self.agent_email = scope.agent_email or scope.unknown_agent
        self.country = scope.country


def weekly_figures(monday, scope, settings):
    """The week starting on `monday` and the week before, for the page."""
    prepare_for_reports()
    return WeeklyFigures(WeekFigures(monday, scope, settings),
                         WeekFigures(monday - datetime.timedelta(days=7), scope, settings), scope)
