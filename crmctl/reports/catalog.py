"""The reports by name: what `report NAME` runs and the columns its table shows."""
from crmctl.reports.activity import activity_report, quota_report
from crmctl.reports.funnel import funnel_report
from crmctl.reports.pipeline import pipeline_report
from crmctl.reports.response_time import response_time_report
from crmctl.reports.review_backlog import review_backlog_report
from crmctl.reports.scores import scores_report
from crmctl.reports.velocity import velocity_report
from crmctl.reports.win_rate import win_rate_report
from crmctl.storage.dialect import prepare_for_reports


class Report:
    def __init__(self, name, columns, compute):
        self.name, self.columns, self.compute = name, columns, compute


REPORTS = {report.name: report for report in (
    Report("pipeline", ("pipeline", "stage", "currency", "deals", "open", "won", "lost", "amount"),
           lambda scope, settings, limit: pipeline_report(scope, settings)),
    Report("funnel", ("status", "count", "rate"), lambda scope, settings, limit: funnel_report(scope)),
    Report("activity", ("agent", "day", "companies", "leads", "communications", "status_changes"),
           lambda scope, settings, limit: activity_report(scope)),
    Report("quota", ("agent", "day", "companies", "target", "attainment"),
           lambda scope, settings, limit: quota_report(scope, settings)),
    Report("response-time", ("agent", "inbound_leads", "answered", "mean_hours", "median_hours", "p90_hours",
                             "breaches", "breach_rate"),
           lambda scope, settings, limit: response_time_report(scope, settings)),
    Report("win-rate", ("agent", "pipeline", "won", "lost", "win_rate"),
           lambda scope, settings, limit: win_rate_report(scope)),
    Report("velocity", ("measure", "pipeline", "stage", "deals", "mean_days", "median_days", "p90_days"),
           lambda scope, settings, limit: velocity_report(scope, settings)),
    Report("scores", ("id", "full_name", "position", "company", "country", "status", "owner", "score"),
           lambda scope, settings, limit: scores_report(scope, limit)),
    Report("review", ("country", "due", "oldest"),
           lambda scope, settings, limit: review_backlog_report(scope, settings)),
)}


def run_report(name, scope, settings, limit=None):
    """The rows of one report; `limit` caps the rows (the scores report's list length)."""
    prepare_for_reports()
    rows = REPORTS[name].compute(scope, settings, limit)
    return rows if limit is None or name == "scores" else rows[:limit]
