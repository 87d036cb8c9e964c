"""`show ID`: one record with what hangs on it (a company's leads, a lead's history of contact)."""
from crmctl.kinds.ids import fetch_record, kind_of
from crmctl.kinds.shapes import communication_record, company_record, contacts_by_lead, deal_record, lead_record, load_agents, note_record, record_dict, submission_record, task_record


def show_record(typed_id_text):
    """The record's dict plus lists of its related records, keyed by kind."""
    from crmctl.storage.models import Communication, Deal, Lead, Note, Submission, Task

    record = fetch_record(typed_id_text)
    kind = kind_of(record)
    agents = load_agents()
    if kind == "company":
        shown = company_record(record, agents)
        leads = list(Lead.select().where(Lead.company == record.id).order_by(Lead.id))
        contacts = contacts_by_lead([lead.id for lead in leads])
        shown["leads"] = [lead_record(l, record, contacts.get(l.id, []), agents) for l in leads]
        shown["deals"] = [deal_record(d, agents) for d in Deal.select().where(Deal.company == record.id).order_by(Deal.id)]
        shown["notes"] = [note_record(n, agents) for n in Note.select().where(Note.company == record.id).order_by(Note.id)]
        shown["tasks"] = [task_record(t, agents) for t in Task.select().where(Task.company == record.id).order_by(Task.id)]
        return shown
    if kind == "lead":
        shown = lead_record(record, agents_by_id=agents)
        shown["submissions"] = [
            submission_record(s) for s in Submission.select().where(Submission.lead == record.id).order_by(Submission.id)
        ]
        shown["communications"] = [
            communication_record(m, agents)
            for m in Communication.select().where(Communication.lead == record.id).order_by(Communication.occurred_at, Communication.id)
        ]
        shown["notes"] = [note_record(n, agents) for n in Note.select().where(Note.lead == record.id).order_by(Note.id)]
        shown["tasks"] = [task_record(t, agents) for t in Task.select().where(Task.lead == record.id).order_by(Task.id)]
        shown["deals"] = [deal_record(d, agents) for d in Deal.select().where(Deal.lead == record.id).order_by(Deal.id)]
        return shown
    if kind == "deal":
        shown = deal_record(record, agents)
        shown["notes"] = [note_record(n, agents) for n in Note.select().where(Note.deal == record.id).order_by(Note.id)]
        shown["tasks"] = [task_record(t, agents) for t in Task.select().where(Task.deal == record.id).order_by(Task.id)]
        return shown
    return record_dict(kind, record, agents)
