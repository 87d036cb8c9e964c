"""The review backlog by country (SPEC §6 report review): how many companies are due, and since when.

"Due" as `review due` has it (SPEC §5, crmctl.jobs.review.due_condition): on the last day of the
period, the last review, or the creation of a company never reviewed, is older than
`review_interval_days` (90); clients, not-relevant and archived companies, and companies with a
(not archived) lead at status Call, are never due. `--agent` counts the companies the agent owns or
works on (its e-mail among their active agents); the period's start plays no part (a backlog is a
state, at the period's end).
"""
import datetime
import json

from peewee import fn

from crmctl.reports.distribution import number
from crmctl.storage.dialect import day_text
from crmctl.storage.models import Company, Lead


def due_companies(scope, settings):
    """The companies due for review at the end of the period (a Peewee query)."""
    cutoff = scope.end - datetime.timedelta(days=settings["review_interval_days"])
    with_call = Lead.select(Lead.id).where(Lead.company == Company.id, Lead.status == "Call",
                                           Lead.archived_at.is_null())
    query = Company.select().where(
        Company.archived_at.is_null(), Company.relationship.not_in(("client", "not relevant")),
        fn.COALESCE(Company.last_reviewed_at, Company.created_at) < cutoff, ~fn.EXISTS(with_call))
    if scope.agent_id is not None:  # the companies it owns or works on, as `review due --agent`
        query = query.where((Company.owner == scope.agent_id)
                            | Company.active_agents.contains(json.dumps(scope.agent_email)))
    if scope.country is not None:
        query = query.where(Company.country == scope.country)
    return query


def review_backlog_report(scope, settings):
    """Rows {country, due, oldest}: oldest is the earliest last review (or creation) among them."""
    if scope.is_empty:
        return []
    since = fn.MIN(fn.COALESCE(Company.last_reviewed_at, Company.created_at))
    query = (due_companies(scope, settings)
             .select(Company.country, fn.COUNT(Company.id).alias("due"), since.alias("oldest"))
             .group_by(Company.country))
    rows = [{"country": row["country"], "due": number(row["due"]), "oldest": day_text(row["oldest"])}
            for row in query.dicts()]
    return sorted(rows, key=lambda row: (-row["due"], row["country"] or ""))
