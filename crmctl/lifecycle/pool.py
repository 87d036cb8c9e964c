"""The lead pool (SPEC §4: a lead without an owner): listing it, putting leads in, claiming one.

A claim is one conditional UPDATE (`owner = me WHERE id = ? AND owner IS
NULL`) whose row count says who won: every backend lets exactly one of two
racing claims change the row (SQLite one writer at a time, PostgreSQL and
MariaDB re-check the condition on the row the winner committed), so the loser
learns it lost without any lock of ours and is refused (exit 3) naming who has
the lead. `--next` takes the oldest pool lead of the agent's country and moves
on to the next one when another agent was faster.
"""
from crmctl.errors import BadInput, NotFound, Refused
from crmctl.kinds.ids import fetch_record, typed_id
from crmctl.query.segments import segment_leads
from crmctl.query.selection import select_records
from crmctl.records.archived import refuse_archived
from crmctl.records.batch import history_row, update_records, write_history
from crmctl.records.bulk import start_bulk_action
from crmctl.dates import utcnow
from crmctl.rules.permissions import require
from crmctl.storage.connection import write_transaction
from crmctl.storage.models import Agent, Company, Lead

IN_POOL = "owner="  # `pool list` is `list leads --where owner=`: the leads nobody owns
POOL_PUT_ACTION = "pool put"
CLAIM_ACTION = "claim"
# How many pool leads `claim --next` tries, oldest first, before it reads the pool again.
NEXT_CANDIDATES = 20


def selected_leads(where=(), search=None, segment=None):
    """(query, description) of the leads `--where`/`--search`/`--segment` pick, as `list leads` would (bulk
    actions share `crmctl.query.selection`); at least one of them is needed (exit 2)."""
    if segment:
        return segment_leads(where, search, segment)
    chosen = select_records("leads", where, search)
    return chosen.query, chosen.description


def fetch_leads(leads):
    """Lead records for typed ids (L34 or 34), each once, in the order given; exit 4 naming a missing one."""
    found, seen = [], set()
    for lead in leads:
        record = lead if isinstance(lead, Lead) else fetch_record(lead, ["lead"])
        if record.id not in seen:
            seen.add(record.id)
            found.append(record)
    return found


# --------------------------------------------------------------------------
# Putting leads in the pool
# --------------------------------------------------------------------------


def put_in_pool(actor, leads):
    """`pool put LEAD…`: the leads lose their owner. An agent puts only its own (or pool) leads; managers any.

    Returns {"selected", "changed", "leads"}.
    """
    if not leads:
        raise BadInput("give the leads to put in the pool (LEAD…), or --where FILTER")
    records = fetch_leads(leads)
    for lead in records:
        require(actor, "edit lead", lead=lead)
    refuse_archived(*records)
    with write_transaction():
        records = list(Lead.select().where(Lead.id.in_([lead.id for lead in records])).order_by(Lead.id))
        changed = update_records(records, actor, {"owner": None}, action=POOL_PUT_ACTION)
    return pool_summary(records, changed)


def put_selection_in_pool(actor, query):
    """`pool put --where …`: every lead of the selection, in one transaction, recorded as one bulk action."""
    require(actor, "bulk action")
    leads_query, description = query
    with write_transaction():
        records = list(leads_query)
        bulk = start_bulk_action(actor, POOL_PUT_ACTION, description, len(records))
        changed = update_records(records, actor, {"owner": None}, action=POOL_PUT_ACTION, bulk=bulk)
    return dict(pool_summary(records, changed), bulk=bulk)


def pool_summary(records, changed):
    return {"selected": len(records), "changed": len(changed), "unchanged": len(records) - len(changed),
            "leads": [typed_id("lead", lead.id) for lead in records]}


# --------------------------------------------------------------------------
# Claiming
# --------------------------------------------------------------------------


def claimant(actor):
    """The agent a claim gives the lead to: the acting one (claims need agents)."""
    require(actor, "claim from pool")
    if actor.agent is None:
        raise Refused("no agent exists, so nobody can claim a lead: add one first (crmctl agent add)")
    return actor.agent


def try_claim(actor, agent, lead_id):
    """Make `agent` the owner if the lead is still in the pool; True when this claim won."""
    now = utcnow()
    with write_transaction():
        won = (Lead.update(owner=agent.id, updated_at=now)
               .where((Lead.id == lead_id) & Lead.owner.is_null() & Lead.archived_at.is_null())
               .execute()) == 1
        if won:
            write_history([history_row(actor, typed_id("lead", lead_id), CLAIM_ACTION, "owner", old=None,
                                       new=agent.email, at=now)])
    return won


def lost_claim(lead_id, agent):
    """Why a claim did not win: who has the lead now (read after the winner committed)."""
    label = typed_id("lead", lead_id)
    lead = Lead.get_or_none(Lead.id == lead_id)
    if lead is None:
        return NotFound(f"{label} not found")
    if lead.archived_at is not None:
        return Refused(f"{label} is archived: restore it before claiming it")
    if lead.owner_id == agent.id:
        return Refused(f"{label} is yours already")
    owner = Agent.get_or_none(Agent.id == lead.owner_id)
    return Refused(f"{label} is not in the pool: {owner.email if owner else 'another agent'} has it")


def claim_lead(actor, lead):
    """`pool claim LEAD`: exactly one of two racing agents wins; the other is refused (exit 3) naming who has it."""
    agent = claimant(actor)
    lead = fetch_record(lead, ["lead"]) if not isinstance(lead, Lead) else lead
    if not try_claim(actor, agent, lead.id):
        raise lost_claim(lead.id, agent)
    return Lead.get_by_id(lead.id)


def claim_next(actor):
    """`pool claim --next`: the oldest pool lead in the acting agent's country (its company's country).

    A manager or admin without a country takes the oldest in any country. A
    lead another agent claimed meanwhile is skipped for the next one. Nothing
    left in the pool is exit 4.
    """
    agent = claimant(actor)
    country = agent.country
    if not country and agent.role == "agent":
        raise Refused(f"{agent.email} has no country, so --next has no pool to take from "
                      f"(crmctl agent set {agent.email} --country CC)")
    while True:
        query = (Lead.select(Lead.id).join(Company, on=(Lead.company == Company.id))
                 .where(Lead.owner.is_null() & Lead.archived_at.is_null() & Company.archived_at.is_null()))
        if country:
            query = query.where(Company.country == country)
        candidates = [row.id for row in query.order_by(Lead.created_at, Lead.id).limit(NEXT_CANDIDATES)]
        if not candidates:
            where = f" in {country}" if country else ""
            raise NotFound(f"the pool has no lead{where} to claim")
        for lead_id in candidates:
            if try_claim(actor, agent, lead_id):
                return Lead.get_by_id(lead_id)

