"""First-response times of inbound leads, and the breaches of the response-time rule (SPEC §5).

An inbound lead is one created from a submission (a form or an imported row). Its first response is
its first outbound communication logged at or after its creation; the time is measured from the
lead's creation. The rule gives a new lead `response_time_new_lead_hours` (1) and a lead at a client company (an existing customer)
`response_time_customer_hours` (4). A breach is a first response later than that, or none yet when
that much time has passed by the end of the period.

The hours are plain hours (a weekend counts): an approximation of business hours, which crmctl
does not hold yet. Leads counted: those created in the period, owned by the agent asked for.
"""
import datetime

from peewee import Case, fn

from crmctl.reports.distribution import distributions, percentage, rounded
from crmctl.storage.dialect import seconds_between
from crmctl.storage.models import Agent, Communication, Company, Lead, Submission

ALL_AGENTS = "(all)"


def breached_sql(settings):
    """SQL text: 1 when a measured lead's first response came late, or an unanswered one is overdue."""
    customer_hours, new_lead_hours = (int(settings["response_time_customer_hours"]),
                                      int(settings["response_time_new_lead_hours"]))
    return (f"CASE WHEN measure IS NOT NULL THEN CASE WHEN measure > "
            f"CASE WHEN customer = 1 THEN {customer_hours} ELSE {new_lead_hours} END THEN 1 ELSE 0 END "
            f"WHEN customer = 1 THEN overdue_customer ELSE overdue_new_lead END")


def measured_leads(scope, settings):
    """Per inbound lead: hours to its first response (NULL: none yet), whether it is a customer's, and
    whether, unanswered, it would be overdue as a new lead and as a customer's (created before the end
    of the period less the hours allowed: comparisons of stored times, no date arithmetic per row)."""
    first_response = (Communication.select(fn.MIN(Communication.occurred_at))
                      .where(Communication.lead == Lead.id, Communication.direction == "outbound",
                             Communication.occurred_at >= Lead.created_at))
    # An id looked up among the clients' (a small set) costs less than reading each lead's company.
    is_customer = Lead.company.in_(Company.select(Company.id).where(Company.relationship == "client"))
    reference = scope.reference_time

    def overdue(hours):
        return Case(None, ((Lead.created_at < reference - datetime.timedelta(hours=hours), 1),), 0)

    columns = [(seconds_between(first_response, Lead.created_at) / 3600.0).alias("measure"),
               Case(None, ((is_customer, 1),), 0).alias("customer"),
               overdue(settings["response_time_new_lead_hours"]).alias("overdue_new_lead"),
               overdue(settings["response_time_customer_hours"]).alias("overdue_customer"),
               Lead.owner.alias("group_agent")]
    query = (Lead.select(*columns)
             .where(Lead.archived_at.is_null(), scope.within(Lead.created_at),
                    Lead.id.in_(Submission.select(Submission.lead))))
    if scope.agent_id is not None:
        query = query.where(Lead.owner == scope.agent_id)
    if scope.country is not None:
        query = query.where(Lead.company.in_(Company.select(Company.id).where(Company.country == scope.country)))
    return query


def response_time_report(scope, settings):
    """Rows {agent, inbound_leads, answered, mean_hours, median_hours, p90_hours, breaches, breach_rate}.

    One row per owning agent (null: leads in the pool), then the whole team's row (agent "(all)")
    when more than one agent is shown.
    """
    if scope.is_empty:
        return []
    figures = distributions(measured_leads(scope, settings), ("group_agent",),
                            sums={"breaches": breached_sql(settings)}, with_total=True)
    overall = figures.pop((), None)
    if not figures:
        return []
    emails = {agent.id: agent.email for agent in Agent.select(Agent.id, Agent.email)}
    rows = sorted((response_row(emails.get(agent_id), found) for (agent_id,), found in figures.items()),
                  key=lambda row: row["agent"] or "")
    if len(rows) > 1:
        rows.append(response_row(ALL_AGENTS, overall))
    return rows


def response_row(agent, figures):
    return {"agent": agent, "inbound_leads": figures["total"], "answered": figures["measured"],
            "mean_hours": rounded(figures["mean"], 2), "median_hours": rounded(figures["median"], 2),
            "p90_hours": rounded(figures["p90"], 2), "breaches": int(figures["breaches"] or 0),
            "breach_rate": percentage(figures["breaches"] or 0, figures["total"])}
