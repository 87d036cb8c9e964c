"""`show ID`: one record with what hangs on it; a company's or a lead's is its card.

What hangs on a record is its kind's `dependents` in the registry, the same
list a merge moves, so `show` and `dedup merge` cannot disagree. A company or
a lead is shown as the card a lead generator works from (playbook 003's
record card): after its fields, its leads with status and owner (a company),
its open deals, its open tasks, and a timeline of the latest communications,
notes, status changes and tasks across all its leads, newest first
(TIMELINE_LENGTH entries unless every one is asked for). Each section is one
query (a few for the timeline: one per kind of entry), never one per item.
The timeline's key is `activity`: a lead's `timeline` is its BANT field.
"""
from crmctl.dates import iso
from crmctl.kinds.ids import fetch_record, kind_of, typed_id
from crmctl.kinds.registry import KIND_BY_MODEL, KINDS
from crmctl.kinds.shapes import records_dicts
from crmctl.records.aliases import list_aliases
from crmctl.storage import models
from crmctl.storage.models import Agent, Communication, Deal, History, Lead, Note, Submission, Task

TIMELINE_LENGTH = 20
NOTE_WIDTH = 100  # characters of a note or conversation a timeline line shows
TIMELINE_KEYS = ("at", "what", "id", "lead_id", "agent", "text")


def show_record(typed_id_text, everything=False):
    """The record's dict plus what hangs on it; for a company or a lead, its card (see the module's docstring)."""
    record = fetch_record(typed_id_text)
    kind = kind_of(record)
    if kind == "company":
        return company_card(record, everything)
    if kind == "lead":
        return lead_card(record, everything)
    shown = records_dicts(kind, [record])[0]
    for model_name, foreign_key in KINDS[kind].dependents:
        model = getattr(models, model_name)
        dependent_kind = KIND_BY_MODEL[model].name
        order = [model.occurred_at, model.id] if hasattr(model, "occurred_at") else [model.id]
        query = model.select().where(getattr(model, foreign_key) == record.id).order_by(*order)
        shown[f"{dependent_kind}s"] = records_dicts(dependent_kind, query)
    return shown


def company_card(company, everything=False):
    """A company's fields, aliases, leads, submissions, deals (open ones unless `everything`), its own notes,
    the open tasks on it and its leads, and the timeline across its leads."""
    shown = records_dicts("company", [company])[0]
    shown["aliases"] = list_aliases(company)
    leads = list(Lead.select().where(Lead.company == company.id).order_by(Lead.id))
    lead_ids = [lead.id for lead in leads]
    shown["leads"] = records_dicts("lead", leads)
    shown["submissions"] = records_dicts("submission", Submission.select().where(Submission.company == company.id)
                                         .order_by(Submission.id))
    shown["deals"] = deals_of(Deal.company == company.id, everything)
    shown["notes"] = records_dicts("note", Note.select().where(Note.company == company.id).order_by(Note.id))
    on_company = Task.company == company.id
    if lead_ids:
        on_company |= Task.lead.in_(lead_ids)
    shown["tasks"] = open_tasks(on_company)
    shown["activity"] = timeline(lead_ids, company_id=company.id, everything=everything)
    return shown


def lead_card(lead, everything=False):
    """A lead's fields (its contact details among them), submissions, communications, notes, tasks, deals and
    engagement events as `show` has always listed them, its status changes, and its timeline."""
    shown = records_dicts("lead", [lead])[0]
    for model_name, foreign_key in KINDS["lead"].dependents:
        model = getattr(models, model_name)
        dependent_kind = KIND_BY_MODEL[model].name
        order = [model.occurred_at, model.id] if hasattr(model, "occurred_at") else [model.id]
        query = model.select().where(getattr(model, foreign_key) == lead.id).order_by(*order)
        shown[f"{dependent_kind}s"] = records_dicts(dependent_kind, query)
    if not everything:
        shown["deals"] = [deal for deal in shown["deals"] if deal["status"] == "open"]
    shown["status_changes"] = status_changes([lead.id], everything=True)
    shown["activity"] = timeline([lead.id], everything=everything)
    return shown


def deals_of(condition, everything):
    query = Deal.select().where(condition)
    if not everything:
        query = query.where(Deal.status == "open")
    return records_dicts("deal", query.order_by(Deal.id))


def open_tasks(condition):
    return records_dicts("task", Task.select().where(condition & Task.done_at.is_null())
                         .order_by(Task.due_at, Task.id))


# --------------------------------------------------------------------------
# The timeline
# --------------------------------------------------------------------------


def short(text):
    flat = " ".join((text or "").split())
    return flat if len(flat) <= NOTE_WIDTH else flat[:NOTE_WIDTH - 1] + "…"


def newest(query, column, limit):
    query = query.order_by(column.desc(), query.model.id.desc())
    return query if limit is None else query.limit(limit)


def status_changes(lead_ids, everything=False):
    """The status changes of these leads, newest first: one query on History's indexed entity."""
    if not lead_ids:
        return []
    entities = [typed_id("lead", lead_id) for lead_id in lead_ids]
    query = History.select().where(History.entity.in_(entities) & (History.field == "status"))
    return [{"at": iso(row.at), "what": "status", "id": row.entity, "lead_id": row.entity, "agent": row.agent_email,
             "text": f"{row.old_value} → {row.new_value}", "from": row.old_value, "to": row.new_value}
            for row in newest(query, History.at, None if everything else TIMELINE_LENGTH)]


def timeline(lead_ids, company_id=None, everything=False):
    """Communications, notes, status changes and tasks of the leads (and of the company), newest first.

    Each kind of entry is one query for its newest TIMELINE_LENGTH; the merge
    keeps the newest TIMELINE_LENGTH of them all (every entry with `everything`).
    """
    limit = None if everything else TIMELINE_LENGTH
    entries = []
    if lead_ids:
        for comm in newest(Communication.select().where(Communication.lead.in_(lead_ids)), Communication.occurred_at,
                           limit):
            entries.append({"at": comm.occurred_at, "what": "communication", "id": typed_id("communication", comm.id),
                            "lead_id": typed_id("lead", comm.lead_id), "agent": comm.agent_id,
                            "text": f"{comm.type} on {comm.channel} ({comm.direction})"
                                    + (f": {short(comm.notes)}" if comm.notes else "")})
    on_records = []
    if lead_ids:
        on_records.append(("lead", lead_ids))
    if company_id is not None:
        on_records.append(("company", [company_id]))
    if on_records:
        note_condition = task_condition = None
        for column, ids in on_records:
            note_part, task_part = getattr(Note, column).in_(ids), getattr(Task, column).in_(ids)
            note_condition = note_part if note_condition is None else note_condition | note_part
            task_condition = task_part if task_condition is None else task_condition | task_part
        for note in newest(Note.select().where(note_condition), Note.created_at, limit):
            entries.append({"at": note.created_at, "what": "note", "id": typed_id("note", note.id),
                            "lead_id": typed_id("lead", note.lead_id) if note.lead_id else None,
                            "agent": note.author_id, "text": short(note.text)})
        for task in newest(Task.select().where(task_condition), Task.created_at, limit):
            state = "done" if task.done_at is not None else f"due {iso(task.due_at)}"
            entries.append({"at": task.created_at, "what": "task", "id": typed_id("task", task.id),
                            "lead_id": typed_id("lead", task.lead_id) if task.lead_id else None,
                            "agent": task.assignee_id,
                            "text": f"{task.kind} ({state})" + (f": {short(task.text)}" if task.text else "")})
    emails = agent_emails({entry["agent"] for entry in entries} - {None})
    for entry in entries:
        entry["agent"] = emails.get(entry["agent"])
        entry["at"] = iso(entry["at"])
    entries += [{key: change[key] for key in TIMELINE_KEYS} for change in status_changes(lead_ids, everything)]
    entries.sort(key=lambda entry: (entry["at"], int(entry["id"][1:])), reverse=True)
    return entries if everything else entries[:TIMELINE_LENGTH]


def agent_emails(agent_ids):
    if not agent_ids:
        return {}
    return dict(Agent.select(Agent.id, Agent.email).where(Agent.id.in_(sorted(agent_ids))).tuples())
