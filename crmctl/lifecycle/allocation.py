"""Who gets a lead: a manager's `assign --to AGENT`, or round-robin over the agents of the lead's country.

Round-robin is fair across runs, processes and commands (assign, import):
the agent who got the last lead of a country is kept in the `round_robin`
table (scope = the country code), and the next lead goes to the first active
agent of that country, in id order, after that one, wrapping round. An agent
added or deactivated between runs simply joins or leaves the circle. The
state is read and advanced inside the caller's write transaction under a
named lock per country (`crmctl.storage.locks`; SQLite's IMMEDIATE
transaction admits one writer anyway), so two runs at once never hand out the
same turn. The circle holds the active agents whose role is `agent`, the lead
generators: managers and admins are given leads only by name.
"""
from collections import namedtuple

import peewee

from crmctl.errors import BadInput
from crmctl.kinds.ids import typed_id
from crmctl.lifecycle.pool import fetch_leads
from crmctl.records.archived import refuse_archived
from crmctl.records.batch import run_in_transaction, update_records
from crmctl.records.bulk import start_bulk_action
from crmctl.dates import utcnow
from crmctl.rules.permissions import require, working_agent
from crmctl.storage.connection import database_proxy
from crmctl.storage.locks import lock_names
from crmctl.storage.models import Agent, Company, Lead, RoundRobin

ASSIGN_ACTION = "assign"
ROUND_ROBIN_ROLE = "agent"


class Turn(namedtuple("Turn", "country agent_id agent_email candidates position")):
    """Where round-robin sent one record: its country, the agent chosen (None when the country has no
    active agent), the agents it chose among (emails, in turn order) and the chosen one's place in them (0-based)."""

    __slots__ = ()

    def explanation(self):
        if self.agent_id is None:
            where = f"country {self.country}" if self.country else "a company without a country"
            return f"{where}: no active agent works it, so it is left as it was"
        return (f"country {self.country}: {len(self.candidates)} active agent(s) "
                f"({', '.join(self.candidates)}); turn {self.position + 1} of {len(self.candidates)} "
                f"goes to {self.agent_email}")


def round_robin_lock_name(country):
    return f"round-robin:{country}"


def circles(countries):
    """{country: [(agent id, email)] in id order}: the active lead generators of each country."""
    found = {country: [] for country in countries}
    if not countries:
        return found
    query = (Agent.select(Agent.id, Agent.email, Agent.country)
             .where(Agent.active & (Agent.role == ROUND_ROBIN_ROLE) & Agent.country.in_(list(countries)))
             .order_by(Agent.id))
    for agent_id, email, country in query.tuples():
        found[country].append((agent_id, email))
    return found


def locked_last_agents(countries):
    """{country: last agent id} read with a locking read, so a MariaDB snapshot taken earlier cannot hide a
    turn another run has just committed."""
    query = RoundRobin.select(RoundRobin.scope, RoundRobin.last_agent_id).where(RoundRobin.scope.in_(list(countries)))
    if not isinstance(database_proxy.obj, peewee.SqliteDatabase):
        query = query.for_update()
    return dict(query.tuples())


def round_robin_owners(countries):
    """One Turn per entry of `countries` (a country code or None, one per record, in order), advancing the state.

    Call it inside a write transaction, before that transaction reads what the
    turns decide (as `crmctl.records.batch.run_in_transaction` runs one on
    MariaDB, so the named locks are released at its end). The same country
    twice in the list gets two successive turns.
    """
    wanted = sorted({country for country in countries if country})
    lock_names([round_robin_lock_name(country) for country in wanted])
    teams = circles(wanted)
    last = locked_last_agents(wanted)
    turns = []
    for country in countries:
        team = teams.get(country) or []
        if not team:
            turns.append(Turn(country, None, None, [], None))
            continue
        previous = last.get(country)
        position = next((index for index, (agent_id, _) in enumerate(team)
                         if previous is not None and agent_id > previous), 0)
        agent_id, email = team[position]
        last[country] = agent_id
        turns.append(Turn(country, agent_id, email, [member[1] for member in team], position))
    save_last_agents({country: last[country] for country in wanted if teams.get(country)})
    return turns


def save_last_agents(last_by_country):
    """Store each country's last agent (rows are made once per country; the lock keeps that single)."""
    if not last_by_country:
        return
    now = utcnow()
    existing = set(RoundRobin.select(RoundRobin.scope).where(RoundRobin.scope.in_(list(last_by_country))).tuples())
    existing = {scope for (scope,) in existing}
    for country, agent_id in last_by_country.items():
        if country in existing:
            RoundRobin.update(last_agent_id=agent_id, updated_at=now).where(RoundRobin.scope == country).execute()
        else:
            RoundRobin.insert(scope=country, last_agent_id=agent_id, updated_at=now).execute()


def lead_countries(lead_ids):
    """{lead id: its company's country} in chunks of one query each."""
    countries = {}
    for start in range(0, len(lead_ids), 500):
        part = lead_ids[start:start + 500]
        countries.update(Lead.select(Lead.id, Company.country).join(Company, on=(Lead.company == Company.id))
                         .where(Lead.id.in_(part)).tuples())
    return countries


# --------------------------------------------------------------------------
# assign
# --------------------------------------------------------------------------


def assign_summary(records, changed, turns=None, bulk=None, agent_emails=None):
    """What `assign` prints: per lead its owner now, whether it changed, and with round-robin why."""
    emails = agent_emails or {}
    rows = []
    for index, lead in enumerate(records):
        row = {"lead": typed_id("lead", lead.id), "owner": emails.get(lead.owner_id), "changed": lead.id in changed,
               "assigned": True}
        if turns is not None:
            turn = turns[index]
            row.update(assigned=turn.agent_id is not None, country=turn.country, candidates=turn.candidates,
                       turn=None if turn.position is None else turn.position + 1, why=turn.explanation())
        rows.append(row)
    summary = {"selected": len(records), "changed": len(changed), "unchanged": len(records) - len(changed),
               "unassigned": sum(1 for row in rows if not row["assigned"]), "leads": rows}
    if bulk is not None:
        summary["bulk"] = bulk
    return summary


def assign_leads(actor, leads=(), to=None, round_robin=False, selection=None):
    """`assign LEAD… --to AGENT | --round-robin` (or a `--where` selection): a manager's allocation.

    `selection` is (query, description) of `crmctl.lifecycle.pool.selected_leads`;
    it is read inside the transaction and recorded as one bulk action. --to an
    unknown agent is exit 4, a deactivated one exit 3. With round-robin a lead
    whose country has no active agent keeps its owner and is reported
    (`unassigned` in the summary). Returns the summary `assign` prints.
    """
    if bool(to) == bool(round_robin):
        raise BadInput("give --to AGENT or --round-robin (one of them)")
    if selection is None and not leads:
        raise BadInput("give the leads to assign (LEAD…), or --where FILTER")
    require(actor, "allocate")
    if selection is not None:
        require(actor, "bulk action")
    target = working_agent(to, "be given leads") if to else None
    given = fetch_leads(leads) if selection is None else None
    if given:
        refuse_archived(*given)

    def write():
        if selection is not None:
            query, description = selection
            ids = [lead.id for lead in query.select(Lead.id)]
        else:
            ids = [lead.id for lead in given]
        countries = lead_countries(ids) if round_robin else {}
        turns = round_robin_owners([countries.get(lead_id) for lead_id in ids]) if round_robin else None
        records_by_id = {lead.id: lead for lead in Lead.select().where(Lead.id.in_(ids))} if ids else {}
        records = [records_by_id[lead_id] for lead_id in ids if lead_id in records_by_id]
        bulk = None
        if selection is not None:
            shown = dict(description, to=target.email) if target else dict(description, round_robin=True)
            bulk = start_bulk_action(actor, ASSIGN_ACTION, shown, len(records))
        if target is not None:
            changed = update_records(records, actor, {"owner": target.id}, action=ASSIGN_ACTION, bulk=bulk)
        else:
            moving = [(lead, turn) for lead, turn in zip(records, turns) if turn.agent_id is not None]
            changed = update_records([lead for lead, _ in moving], actor,
                                     [{"owner": turn.agent_id} for _, turn in moving],
                                     action=ASSIGN_ACTION, bulk=bulk)
        owners = {lead.owner_id for lead in records if lead.owner_id is not None}
        emails = dict(Agent.select(Agent.id, Agent.email).where(Agent.id.in_(list(owners))).tuples()) if owners else {}
        return assign_summary(records, changed, turns, bulk, emails)

    return run_in_transaction(write)
