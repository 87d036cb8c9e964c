"""The top-scored leads (SPEC §6 report scores): the leads to call first.

Leads created in the period, not archived, best score first (ties: the newer lead first,
so the index on (score, id) read backwards serves the order); `limit`
rows (20 unless asked). The score is the stored one that `score` keeps up to date.
"""
from peewee import JOIN

from crmctl.storage.dialect import unindexed
from crmctl.storage.models import Agent, Company, Lead

DEFAULT_LIMIT = 20


def scores_report(scope, limit=None):
    """Rows {id, full_name, position, company, country, status, owner, score}."""
    if scope.is_empty:
        return []
    query = (Lead.select(Lead.id, Lead.full_name, Lead.position, Lead.status, Lead.score,
                         Company.name.alias("company"), Company.country, Agent.email.alias("owner"))
             .join(Company).switch(Lead).join(Agent, join_type=JOIN.LEFT_OUTER, on=(Lead.owner == Agent.id))
             .where(unindexed(Lead.archived_at).is_null(), scope.within(unindexed(Lead.created_at)))
             .order_by(Lead.score.desc(), Lead.id.desc()).limit(DEFAULT_LIMIT if limit is None else limit))
    if scope.agent_id is not None:
        query = query.where(Lead.owner == scope.agent_id)
    if scope.country is not None:
        query = query.where(Company.country == scope.country)
    return [{"id": f"L{row['id']}", "full_name": row["full_name"], "position": row["position"],
             "company": row["company"], "country": row["country"], "status": row["status"],
             "owner": row["owner"], "score": row["score"]} for row in query.dicts()]
