"""Per agent and day: companies and leads added, communications logged, status changes; and the daily quota.

Each count is one GROUP BY (agent, UTC day) over its table; the rows are merged by key. A status
change is a History row with field 'status' (its author is the row's agent e-mail). `--country`
limits these reports to the agents assigned to that country (the team of a country); records added
in single-user mode, with no agent, count under agent null.

The quota report sets each agent's companies per day against the daily target (setting
`daily_company_target`, 50): every weekday of the period from the day the agent was created (and,
without `--since`, from the first company any agent added), plus any other day the agent added
companies, so a day with nothing added shows as 0 %. Days after today have no target yet.
"""
import datetime

from peewee import SQL, fn

from crmctl.reports.distribution import percentage
from crmctl.storage.connection import database_proxy
from crmctl.storage.dialect import day_of, day_text
from crmctl.storage.models import Agent, Communication, Company, History, Lead

ACTIVITY_COLUMNS = ("companies", "leads", "communications", "status_changes")


def agents_in_scope(scope):
    """{agent id: agent} of the agents the report is about."""
    query = Agent.select()
    if scope.agent_id is not None:
        query = query.where(Agent.id == scope.agent_id)
    if scope.country is not None:
        query = query.where(Agent.country == scope.country)
    return {agent.id: agent for agent in query}


def raw_rows(query):
    """The query's rows as the driver returns them: thousands of (agent, day, count) need no model conversion."""
    return database_proxy.obj.execute_sql(*query.sql()).fetchall()


def counts_per_agent_and_day(model, agent_column, time_column, scope, stamped=True):
    """{(agent id, day): count} of one table's rows in the period.

    The period is compared on the day itself, the expression grouped by, so on SQLite the whole query
    walks one index on (agent, DATE(time)) (migration 0010).
    """
    day = day_of(time_column)
    query = (model.select(agent_column.alias("agent_id"), day.alias("day"), fn.COUNT(SQL("*")).alias("count"))
             .where(scope.within_days(day, stamped)).group_by(agent_column, day))
    if scope.agent_id is not None:
        query = query.where(agent_column == scope.agent_id)
    elif scope.country is not None:
        query = query.where(agent_column.in_(Agent.select(Agent.id).where(Agent.country == scope.country)))
    return {(agent_id, day_text(day)): int(count) for agent_id, day, count in raw_rows(query)}


def status_changes_per_agent_and_day(scope):
    """{(agent id, day): count} of History rows on 'status' (grouped by author e-mail, then matched to agents)."""
    day = day_of(History.at)
    query = (History.select(History.agent_email, day.alias("day"), fn.COUNT(SQL("*")).alias("count"))
             .where(History.field == "status", History.agent_email.is_null(False), scope.within_days(day))
             .group_by(History.field, History.agent_email, day))
    agents = Agent.select(Agent.id, Agent.email)
    if scope.agent_id is not None:
        agents = agents.where(Agent.id == scope.agent_id)
    elif scope.country is not None:
        agents = agents.where(Agent.country == scope.country)
    ids = {agent.email: agent.id for agent in agents}
    if scope.agent_id is not None:
        query = query.where(History.agent_email == scope.agent_email)
    counts = {}
    for email, day, count in raw_rows(query):
        if email in ids:
            key = (ids[email], day_text(day))
            counts[key] = counts.get(key, 0) + int(count)
    return counts


def activity_report(scope):
    """Rows {agent, day, companies, leads, communications, status_changes}, by agent e-mail then day."""
    if scope.is_empty:
        return []
    counted = {
        "companies": counts_per_agent_and_day(Company, Company.created_by, Company.created_at, scope),
        "leads": counts_per_agent_and_day(Lead, Lead.created_by, Lead.created_at, scope),
        "communications": counts_per_agent_and_day(Communication, Communication.agent,
                                                   Communication.occurred_at, scope, stamped=False),
        "status_changes": status_changes_per_agent_and_day(scope),
    }
    emails = {agent.id: agent.email for agent in Agent.select(Agent.id, Agent.email)}
    keys = set().union(*counted.values())
    rows = [{"agent": emails.get(agent_id), "day": day,
             **{column: counted[column].get((agent_id, day), 0) for column in ACTIVITY_COLUMNS}}
            for agent_id, day in keys]
    return sorted(rows, key=lambda row: (row["agent"] or "", row["day"]))


def first_company_day(scope):
    first = Company.select(fn.MIN(Company.created_at)).where(Company.created_at < scope.end).scalar()
    if first is None:
        return None
    return datetime.date.fromisoformat(day_text(first))


def quota_report(scope, settings):
    """Rows {agent, day, companies, target, attainment} (attainment: companies / target in %)."""
    if scope.is_empty:
        return []
    target = settings["daily_company_target"]
    added = counts_per_agent_and_day(Company, Company.created_by, Company.created_at, scope)
    agents = agents_in_scope(scope)
    start = scope.since or first_company_day(scope)
    rows = {}
    if start is not None:
        for agent in agents.values():
            if agent.role != "agent" and not any(agent_id == agent.id for agent_id, _ in added):
                continue  # managers and admins have no daily target unless they add companies
            day, last_day = max(start, agent.created_at.date()), min(scope.until, scope.today)
            while day <= last_day:  # days still to come have no target yet
                if day.weekday() < 5:
                    rows[(agent.id, day.isoformat())] = 0
                day += datetime.timedelta(days=1)
    for key, count in added.items():
        if key[0] is None or key[0] in agents:
            rows[key] = count
    emails = {agent.id: agent.email for agent in agents.values()}
    result = [{"agent": emails.get(agent_id), "day": day, "companies": count, "target": target,
               "attainment": percentage(count, target)} for (agent_id, day), count in rows.items()]
    return sorted(result, key=lambda row: (row["agent"] or "", row["day"]))
