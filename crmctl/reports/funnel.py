"""Leads by current status and the conversion rates lead → deal → customer (SPEC §6 report funnel).

The leads counted are those created in the period (archived ones left out), whatever their status
is now. A lead "has a deal" when any deal names it; it is a customer once converted (`convert LEAD`
stamps `converted_at`). The conversion rows: of all leads, the share with a deal; of the leads
with a deal, the share converted; of all leads, the share converted.
"""
from peewee import SQL, Case, fn

from crmctl.reports.distribution import number, percentage
from crmctl.rules.vocabulary import LEAD_STATUSES
from crmctl.storage.dialect import unindexed
from crmctl.storage.models import Company, Deal, Lead

LEADS = "all leads"
LEAD_TO_DEAL = "lead → deal"
DEAL_TO_CUSTOMER = "deal → customer"
LEAD_TO_CUSTOMER = "lead → customer"


def leads_query(scope):
    # Over a whole history the (status, converted_at, archived_at) index answers the count; a period
    # with a start is a range of the created_at index, which SQLite takes only if archived_at is kept
    # from pointing it at the other.
    archived_at = Lead.archived_at if scope.start is None else unindexed(Lead.archived_at)
    query = Lead.select().where(archived_at.is_null(), scope.within(Lead.created_at))
    if scope.agent_id is not None:
        query = query.where(Lead.owner == scope.agent_id)
    if scope.country is not None:
        query = query.join(Company).where(Company.country == scope.country)
    return query


def funnel_report(scope):
    """Rows {status, count, rate}: one per status (rate: share of all leads), then the conversions.

    Two GROUP BY status: over the leads (how many, how many converted; on the (status, converted_at,
    archived_at) index) and over the leads joined to their deals (how many have one, how many of
    those converted); the conversion rows add the few status rows up.
    """
    if scope.is_empty:
        return []
    converted = Lead.converted_at.is_null(False)
    leads_by_status = {row["status"]: (number(row["leads"]), number(row["customers"]) or 0) for row in
                       leads_query(scope).select(Lead.status, fn.COUNT(SQL("*")).alias("leads"),
                                                 fn.SUM(Case(None, ((converted, 1),), 0)).alias("customers"))
                       .group_by(Lead.status).dicts()}
    leads = sum(count for count, _ in leads_by_status.values())
    if not leads:
        return []
    with_deal = (leads_query(scope).join(Deal, on=(Deal.lead == Lead.id), src=Lead)
                 .select(fn.COUNT(fn.DISTINCT(Lead.id)).alias("with_deal"),
                         fn.COUNT(fn.DISTINCT(Case(None, ((converted, Lead.id),)))).alias("deal_customers"))
                 .dicts().get())
    with_deals, deal_customers = number(with_deal["with_deal"]) or 0, number(with_deal["deal_customers"]) or 0
    customers = sum(converted_count for _, converted_count in leads_by_status.values())
    statuses = list(LEAD_STATUSES) + sorted(set(leads_by_status) - set(LEAD_STATUSES))
    rows = [{"status": status, "count": leads_by_status.get(status, (0, 0))[0],
             "rate": percentage(leads_by_status.get(status, (0, 0))[0], leads)} for status in statuses]
    rows += [
        {"status": LEADS, "count": leads, "rate": 100.0},
        {"status": LEAD_TO_DEAL, "count": with_deals, "rate": percentage(with_deals, leads)},
        {"status": DEAL_TO_CUSTOMER, "count": deal_customers, "rate": percentage(deal_customers, with_deals)},
        {"status": LEAD_TO_CUSTOMER, "count": customers, "rate": percentage(customers, leads)},
    ]
    return rows
