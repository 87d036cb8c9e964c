"""Deals by pipeline and stage: how many, and how much per currency (SPEC §6 report pipeline).

A deal counts in the period it was created in; archived deals are left out. Stages come in their
pipeline's order (the `pipelines` setting), stages no longer configured after them.
"""
from peewee import Case, fn

from crmctl.reports.distribution import number
from crmctl.storage.models import Company, Deal


def deals_query(scope):
    query = Deal.select().where(Deal.archived_at.is_null(), scope.within(Deal.created_at))
    if scope.agent_id is not None:
        query = query.where(Deal.owner == scope.agent_id)
    if scope.country is not None:
        query = query.join(Company).where(Company.country == scope.country)
    return query


def pipeline_report(scope, settings):
    """Rows {pipeline, stage, currency, deals, open, won, lost, amount}, one per pipeline, stage and currency."""
    if scope.is_empty:
        return []
    query = (deals_query(scope)
             .select(Deal.pipeline, Deal.stage, Deal.currency, fn.COUNT(Deal.id).alias("deals"),
                     fn.SUM(Deal.amount).alias("amount"),
                     fn.SUM(Case(None, ((Deal.status == "open", 1),), 0)).alias("open_deals"),
                     fn.SUM(Case(None, ((Deal.status == "won", 1),), 0)).alias("won"),
                     fn.SUM(Case(None, ((Deal.status == "lost", 1),), 0)).alias("lost"))
             .group_by(Deal.pipeline, Deal.stage, Deal.currency))
    rows = [{"pipeline": row["pipeline"], "stage": row["stage"], "currency": row["currency"],
             "deals": number(row["deals"]), "open": number(row["open_deals"]), "won": number(row["won"]),
             "lost": number(row["lost"]), "amount": money(row["amount"])} for row in query.dicts()]
    return sorted(rows, key=lambda row: stage_order(row, settings))


def stage_order(row, settings):
    pipelines = list(settings["pipelines"])
    pipeline_rank = pipelines.index(row["pipeline"]) if row["pipeline"] in pipelines else len(pipelines)
    stages = settings["pipelines"].get(row["pipeline"], [])
    stage_rank = stages.index(row["stage"]) if row["stage"] in stages else len(stages)
    return (pipeline_rank, row["pipeline"], stage_rank, row["stage"], row["currency"] or "")


def money(value):
    """An amount as a number with two decimals (None when no deal had one)."""
    return None if value is None else round(float(value), 2)
