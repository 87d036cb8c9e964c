"""Leads by current status and the conversion rates lead → deal → customer (SPEC §6 report funnel).

The leads counted are those created in the period (archived ones left out), whatever their status
is now. A lead "has a deal" when any deal names it; it is a customer once converted (`convert LEAD`
stamps `converted_at`). The three conversion rows: of all leads, the share with a deal; of the
leads with a deal, the share converted; of all leads, the share converted.
"""
from peewee import Case, fn

from crmctl.reports.distribution import number, percentage
from crmctl.rules.vocabulary import LEAD_STATUSES
from crmctl.storage.models import Company, Deal, Lead

LEADS = "all leads"
LEAD_TO_DEAL = "lead → deal"
DEAL_TO_CUSTOMER = "deal → customer"
LEAD_TO_CUSTOMER = "lead → customer"


def leads_query(scope):
    query = Lead.select().where(Lead.archived_at.is_null(), scope.within(Lead.created_at))
    if scope.agent_id is not None:
        query = query.where(Lead.owner == scope.agent_id)
    if scope.country is not None:
        query = query.join(Company).where(Company.country == scope.country)
    return query


def funnel_report(scope):
    """Rows {status, count, rate}: one per status (rate: share of all leads), then the conversions."""
    if scope.is_empty:
        return []
    by_status = {row["status"]: number(row["count"]) for row in
                 leads_query(scope).select(Lead.status, fn.COUNT(Lead.id).alias("count"))
                 .group_by(Lead.status).dicts()}
    with_deal = Deal.select(Deal.lead).where(Deal.lead.is_null(False))
    has_deal = Lead.id.in_(with_deal)
    converted = Lead.converted_at.is_null(False)
    totals = leads_query(scope).select(
        fn.COUNT(Lead.id).alias("leads"),
        fn.SUM(Case(None, ((has_deal, 1),), 0)).alias("with_deal"),
        fn.SUM(Case(None, ((has_deal & converted, 1),), 0)).alias("deal_customers"),
        fn.SUM(Case(None, ((converted, 1),), 0)).alias("customers"),
    ).dicts().get()
    leads = number(totals["leads"]) or 0
    if not leads:
        return []
    with_deals, deal_customers = number(totals["with_deal"]) or 0, number(totals["deal_customers"]) or 0
    customers = number(totals["customers"]) or 0
    statuses = list(LEAD_STATUSES) + sorted(set(by_status) - set(LEAD_STATUSES))
    rows = [{"status": status, "count": by_status.get(status, 0), "rate": percentage(by_status.get(status, 0), leads)}
            for status in statuses]
    rows += [
        {"status": LEADS, "count": leads, "rate": 100.0},
        {"status": LEAD_TO_DEAL, "count": with_deals, "rate": percentage(with_deals, leads)},
        {"status": DEAL_TO_CUSTOMER, "count": deal_customers, "rate": percentage(deal_customers, with_deals)},
        {"status": LEAD_TO_CUSTOMER, "count": customers, "rate": percentage(customers, leads)},
    ]
    return rows
