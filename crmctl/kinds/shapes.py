"""Records as plain dicts: the JSON, CSV and table shape of every kind (SPEC §6.1).

Field names are the snake_case names of SPEC §4; related records appear by
typed id (`company_id: "C12"`) and agents by email.
"""
import json
from collections import defaultdict

from crmctl.rules.dates import iso
from crmctl.kinds.ids import typed_id


def agent_email(agent_id, agents_by_id):
    if agent_id is None:
        return None
    agent = agents_by_id.get(agent_id)
    return agent.email if agent else None


def load_agents():
    from crmctl.storage.models import Agent

    return {agent.id: agent for agent in Agent.select()}


def agent_record(agent):
    return {
        "email": agent.email,
        "name": agent.name,
        "role": agent.role,
        "country": agent.country,
        "linkedin_accounts": json.loads(agent.linkedin_accounts or "[]"),
        "active": bool(agent.active),
        "created_at": iso(agent.created_at),
    }


def company_record(company, agents_by_id=None):
    agents_by_id = agents_by_id if agents_by_id is not None else load_agents()
    data = company.__data__
    return {
        "id": typed_id("company", company.id),
        "name": company.name,
        "website": company.website,
        "linkedin_url": company.linkedin_url,
        "employee_count": company.employee_count,
        "industry": company.industry,
        "subindustry": company.subindustry,
        "country": company.country,
        "city": company.city,
        "relationship": company.relationship,
        "owner": agent_email(data.get("owner"), agents_by_id),
        "active_agents": json.loads(company.active_agents or "[]"),
        "linkedin_accounts": json.loads(company.linkedin_accounts or "[]"),
        "last_reviewed_at": iso(company.last_reviewed_at),
        "archived_at": iso(company.archived_at),
        "created_by": agent_email(data.get("created_by"), agents_by_id),
        "created_at": iso(company.created_at),
    }


def contacts_by_lead(lead_ids):
    from crmctl.storage.models import Contact
    from playhouse.shortcuts import chunked

    found = defaultdict(list)
    for chunk in chunked(sorted(set(lead_ids)), 500):
        for contact in Contact.select().where(Contact.lead.in_(chunk)).order_by(Contact.id):
            found[contact.lead_id].append(contact)
    return found


def lead_record(lead, company=None, contacts=None, agents_by_id=None):
    agents_by_id = agents_by_id if agents_by_id is not None else load_agents()
    if contacts is None:
        contacts = contacts_by_lead([lead.id]).get(lead.id, [])
    company = company if company is not None else lead.company
    data = lead.__data__
    return {
        "id": typed_id("lead", lead.id),
        "company_id": typed_id("company", data["company"]),
        "company": company.name,
        "full_name": lead.full_name,
        "position": lead.position,
        "linkedin_url": lead.linkedin_url,
        "connections": lead.connections,
        "status": lead.status,
        "follow_up_on": iso(lead.follow_up_on),
        "owner": agent_email(data.get("owner"), agents_by_id),
        "emails": [c.match_key for c in contacts if c.source == "email"],
        "phones": [c.match_key for c in contacts if c.source == "phone"],
        "contacts": [{"source": c.source, "value": c.value} for c in contacts],
        "budget": lead.budget,
        "authority": lead.authority,
        "need": lead.need,
        "timeline": lead.timeline,
        "score": lead.score,
        "inactive_at": iso(lead.inactive_at),
        "converted_at": iso(lead.converted_at),
        "archived_at": iso(lead.archived_at),
        "created_by": agent_email(data.get("created_by"), agents_by_id),
        "created_at": iso(lead.created_at),
    }


def deal_record(deal, agents_by_id=None):
    agents_by_id = agents_by_id if agents_by_id is not None else load_agents()
    data = deal.__data__
    return {
        "id": typed_id("deal", deal.id),
        "name": deal.name,
        "company_id": typed_id("company", data["company"]),
        "lead_id": typed_id("lead", data["lead"]) if data.get("lead") else None,
        "pipeline": deal.pipeline,
        "stage": deal.stage,
        "status": deal.status,
        "amount": str(deal.amount) if deal.amount is not None else None,
        "currency": deal.currency,
        "expected_close": iso(deal.expected_close),
        "decision_criteria": deal.decision_criteria,
        "competition": deal.competition,
        "stakeholders": deal.stakeholders,
        "close_reason": deal.close_reason,
        "closed_at": iso(deal.closed_at),
        "owner": agent_email(data.get("owner"), agents_by_id),
        "archived_at": iso(deal.archived_at),
        "created_at": iso(deal.created_at),
    }


def subject_of(record):
    """The typed id of what a note or task hangs on."""
    data = record.__data__
    for kind in ("deal", "lead", "company"):
        if data.get(kind):
            return typed_id(kind, data[kind])
    return None


def task_record(task, agents_by_id=None):
    agents_by_id = agents_by_id if agents_by_id is not None else load_agents()
    return {
        "id": typed_id("task", task.id),
        "subject": subject_of(task),
        "kind": task.kind,
        "due_at": iso(task.due_at),
        "assignee": agent_email(task.__data__.get("assignee"), agents_by_id),
        "text": task.text,
        "done": task.done_at is not None,
        "done_at": iso(task.done_at),
        "created_at": iso(task.created_at),
    }


def note_record(note, agents_by_id=None):
    agents_by_id = agents_by_id if agents_by_id is not None else load_agents()
    return {
        "id": typed_id("note", note.id),
        "subject": subject_of(note),
        "text": note.text,
        "author": agent_email(note.__data__.get("author"), agents_by_id),
        "created_at": iso(note.created_at),
    }


def communication_record(communication, agents_by_id=None):
    agents_by_id = agents_by_id if agents_by_id is not None else load_agents()
    return {
        "id": typed_id("communication", communication.id),
        "lead_id": typed_id("lead", communication.__data__["lead"]),
        "occurred_at": iso(communication.occurred_at),
        "type": communication.type,
        "channel": communication.channel,
        "placement": communication.placement,
        "notes": communication.notes,
        "follow_up_on": iso(communication.follow_up_on),
        "agent": agent_email(communication.__data__.get("agent"), agents_by_id),
    }


def submission_record(submission, agents_by_id=None):
    data = submission.__data__
    return {
        "id": typed_id("submission", submission.id),
        "lead_id": typed_id("lead", data["lead"]),
        "company_id": typed_id("company", data["company"]) if data.get("company") else None,
        "campaign": submission.campaign,
        "source": submission.source,
        "batch_id": typed_id("batch", data["batch"]) if data.get("batch") else None,
        "received_at": iso(submission.received_at),
        "data": json.loads(submission.data or "{}"),
    }


def event_record(event, agents_by_id=None):
    return {
        "id": typed_id("event", event.id),
        "lead_id": typed_id("lead", event.__data__["lead"]),
        "kind": event.kind,
        "occurred_at": iso(event.occurred_at),
    }


def batch_record(batch, agents_by_id=None):
    agents_by_id = agents_by_id if agents_by_id is not None else load_agents()
    return {
        "id": typed_id("batch", batch.id),
        "file_name": batch.file_name,
        "sheet": batch.sheet,
        "campaign": batch.campaign,
        "source": batch.source,
        "summary": json.loads(batch.summary or "{}"),
        "created_by": agent_email(batch.__data__.get("created_by"), agents_by_id),
        "created_at": iso(batch.created_at),
        "undone_at": iso(batch.undone_at),
    }


def merge_record(merge, agents_by_id=None):
    agents_by_id = agents_by_id if agents_by_id is not None else load_agents()
    return {
        "id": typed_id("merge", merge.id),
        "kind": merge.kind,
        "survivor": merge.survivor,
        "dropped": json.loads(merge.dropped or "[]"),
        "created_by": agent_email(merge.__data__.get("created_by"), agents_by_id),
        "created_at": iso(merge.created_at),
        "undone_at": iso(merge.undone_at),
    }


RECORD_BUILDERS = {
    "company": company_record,
    "lead": lead_record,
    "deal": deal_record,
    "task": task_record,
    "note": note_record,
    "communication": communication_record,
    "submission": submission_record,
    "event": event_record,
    "batch": batch_record,
    "merge": merge_record,
}


def record_dict(kind, record, agents_by_id=None):
    return RECORD_BUILDERS[kind](record, agents_by_id=agents_by_id)
