"""Records as plain dicts: the JSON, CSV and table shape of every kind (SPEC §6.1), read from the registry.

Field names are the snake_case names of SPEC §4; related records appear by
typed id (`company_id: "C12"`) and agents by email. A kind's fields, in the
order `crmctl.kinds.registry` lists them, are its shape; `derived` fields are
computed here.
"""
import json
from collections import defaultdict
from decimal import Decimal

from playhouse.shortcuts import chunked

from crmctl.kinds.registry import KINDS
from crmctl.dates import iso
from crmctl.storage.models import Agent, Company, Contact

CENTS = Decimal("0.01")


def agent_email(agent_id, agents_by_id):
    if agent_id is None:
        return None
    agent = agents_by_id.get(agent_id)
    return agent.email if agent else None


def agents_named_by(kind, records):
    """The agents that `records` of `kind` name (owner, author, ...), by id: no query when they name none."""
    stored_in = [field.stored_in for field in KINDS[kind].fields if field.shown and field.type == "agent"]
    ids = sorted({record.__data__.get(name) for record in records for name in stored_in} - {None})
    found = {}
    for chunk in chunked(ids, 500):
        found.update({agent.id: agent for agent in Agent.select().where(Agent.id.in_(chunk))})
    return found


def agent_record(agent):
    """Agents have no typed id: they are shown by email."""
    return {
        "email": agent.email,
        "name": agent.name,
        "role": agent.role,
        "country": agent.country,
        "linkedin_accounts": json.loads(agent.linkedin_accounts or "[]"),
        "active": bool(agent.active),
        "created_at": iso(agent.created_at),
    }


def contacts_by_lead(lead_ids):
    """Each lead's contact details, in the order they were added; one query per 500 leads."""
    found = defaultdict(list)
    for chunk in chunked(sorted(set(lead_ids)), 500):
        for contact in Contact.select().where(Contact.lead.in_(chunk)).order_by(Contact.id):
            found[contact.lead_id].append(contact)
    return found


def subject_of(data):
    """The typed id of what a note or task hangs on."""
    for kind in ("deal", "lead", "company"):
        if data.get(kind):
            return f"{KINDS[kind].letter}{data[kind]}"
    return None


def shown_value(field, value, agents_by_id):
    """A stored value as the JSON shape shows it."""
    kind = field.type
    if kind in ("date", "datetime"):
        return iso(value)
    if kind == "agent":
        return agent_email(value, agents_by_id)
    if kind == "json":
        return json.loads(value or ("{}" if field.name in ("data", "summary") else "[]"))
    if kind == "amount":  # two decimals on every backend (SQLite hands back 12000 for 12000.00)
        return str(Decimal(value).quantize(CENTS)) if value is not None else None
    if kind == "flag":
        return value is not None
    if kind.startswith("ref:"):
        return f"{KINDS[kind[4:]].letter}{value}" if value else None
    return value


def record_dict(kind, record, agents_by_id=None, company=None, contacts=None):
    """The shape of one record. A lead also needs its company and contact details (loaded when not given)."""
    described = KINDS[kind]
    agents_by_id = agents_by_id if agents_by_id is not None else agents_named_by(kind, [record])
    data = record.__data__
    if kind == "lead":
        if contacts is None:
            contacts = contacts_by_lead([record.id]).get(record.id, [])
        if company is None:
            company = Company.get_by_id(data["company"])
    shape = {}
    for field in described.fields:
        if not field.shown:
            continue
        if field.type == "id":
            shape[field.name] = f"{described.letter}{record.id}"
        elif field.type == "derived":
            shape[field.name] = derived_value(field.name, data, company, contacts)
        else:
            stored = data.get(field.stored_in) if isinstance(field.stored_in, str) else (  # a flag of several
                all(data.get(column) is not None for column in field.stored_in) or None)
            shape[field.name] = shown_value(field, stored, agents_by_id)
    return shape


def derived_value(name, data, company, contacts):
    if name == "company":
        return company.name
    if name == "emails":
        return [c.match_key for c in contacts if c.source == "email"]
    if name == "phones":
        return [c.match_key for c in contacts if c.source == "phone"]
    if name == "contacts":
        return [{"source": c.source, "value": c.value} for c in contacts]
    if name == "subject":
        return subject_of(data)
    raise KeyError(name)


def records_dicts(kind, records):
    """The shapes of many records of one kind with a bounded number of queries (listings, show)."""
    records = list(records)
    agents_by_id = agents_named_by(kind, records)
    if kind != "lead":
        return [record_dict(kind, record, agents_by_id) for record in records]
    contacts = contacts_by_lead([lead.id for lead in records])
    company_ids = {lead.__data__["company"] for lead in records}
    companies = {}
    for chunk in chunked(sorted(company_ids), 500):
        companies.update({c.id: c for c in Company.select(Company.id, Company.name).where(Company.id.in_(chunk))})
    return [record_dict("lead", lead, agents_by_id, companies[lead.__data__["company"]], contacts.get(lead.id, []))
            for lead in records]
