"""Win rate of closed deals: won / (won + lost), per agent and pipeline (SPEC §6 report win-rate).

A deal counts in the period it was closed in (`closed_at`); abandoned deals are neither won nor lost
and are left out, as are open ones. The last row, agent and pipeline "(all)", is the whole team's.
"""
from peewee import Case, fn

from crmctl.reports.distribution import number, percentage
from crmctl.storage.models import Agent, Company, Deal

ALL = "(all)"


def closed_deals(scope):
    query = Deal.select().where(Deal.archived_at.is_null(), Deal.status.in_(("won", "lost")),
                                Deal.closed_at.is_null(False), scope.within(Deal.closed_at))
    if scope.agent_id is not None:
        query = query.where(Deal.owner == scope.agent_id)
    if scope.country is not None:
        query = query.join(Company).where(Company.country == scope.country)
    return query


def win_rate_report(scope):
    """Rows {agent, pipeline, won, lost, win_rate}."""
    if scope.is_empty:
        return []
    won = fn.SUM(Case(None, ((Deal.status == "won", 1),), 0))
    lost = fn.SUM(Case(None, ((Deal.status == "lost", 1),), 0))
    query = (closed_deals(scope).select(Deal.owner.alias("owner_id"), Deal.pipeline, won.alias("won"),
                                        lost.alias("lost"))
             .group_by(Deal.owner, Deal.pipeline))
    emails = {agent.id: agent.email for agent in Agent.select(Agent.id, Agent.email)}
    rows = [{"agent": emails.get(row["owner_id"]), "pipeline": row["pipeline"], "won": number(row["won"]),
             "lost": number(row["lost"])} for row in query.dicts()]
    if not rows:
        return []
    rows.sort(key=lambda row: (row["agent"] or "", row["pipeline"]))
    if len(rows) > 1:
        rows.append({"agent": ALL, "pipeline": ALL, "won": sum(row["won"] for row in rows),
                     "lost": sum(row["lost"] for row in rows)})
    for row in rows:
        row["win_rate"] = percentage(row["won"], row["won"] + row["lost"])
    return rows
