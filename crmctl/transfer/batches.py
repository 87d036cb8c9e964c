"""`import list` and `import undo BATCH`: what a batch did, read back from History, and taken back.

An import writes History rows carrying its batch id: a "create" per new
record and an "update" per changed field with the old value (the before-image).
Undo deletes the created records and writes the before-images back; a record
that something else changed after the batch is named and left alone unless --force.
"""
import datetime
import json

import peewee

from crmctl.dates import iso, utcnow
from crmctl.errors import Refused
from crmctl.kinds.ids import fetch_record
from crmctl.records.batch import history_row, run_in_transaction, write_history
from crmctl.rules.permissions import require
from crmctl.storage.models import (Agent, Communication, Company, CompanyAlias, CompanyBlockingKey, Contact, Deal,
                                   EngagementEvent, History, ImportBatch, Lead, Note, Submission, Task)

MODEL_OF_LETTER = {"C": Company, "L": Lead}
# Records that hang on a company or a lead: undo will not delete them silently.
DEPENDENTS = ((Communication, "lead"), (EngagementEvent, "lead"), (Note, "lead"), (Note, "company"),
              (Task, "lead"), (Task, "company"), (Deal, "lead"), (Deal, "company"))


def list_batches(actor):
    """Every batch, newest first: id, who, when, file, counts, and whether it was undone."""
    require(actor, "import")
    rows = []
    emails = dict(Agent.select(Agent.id, Agent.email).tuples())
    for batch in ImportBatch.select().order_by(ImportBatch.id.desc()):
        summary = json.loads(batch.summary or "{}")
        rows.append({"batch": batch.id, "by": emails.get(batch.created_by_id),
                     "at": iso(batch.created_at), "file": batch.file_name,
                     **{k: summary.get(k) for k in ("rows", "created", "updated", "merged", "skipped", "rejected")},
                     "undone_at": iso(batch.undone_at) if batch.undone_at else None})
    return rows


def undo_batch(actor, batch_text, force=False):
    """Delete what the batch created and restore what it updated; returns a summary of what was taken back."""
    require(actor, "import")

    def undo():
        # Read as every command reads an id (B7 or 7): a malformed, wrong-kind or too large id is bad input.
        batch = fetch_record(batch_text, ["batch"])
        if batch.undone_at is not None:
            raise Refused(f"import batch {batch.id} was already undone at {iso(batch.undone_at)}")
        own = list(History.select().where(History.batch == batch.id).order_by(History.id))
        created = list(dict.fromkeys(h.entity for h in own if h.action == "create" and h.entity[:1] in MODEL_OF_LETTER))
        updates = [h for h in own if h.action == "update" and h.entity[:1] in MODEL_OF_LETTER]
        touched = sorted(set(created) | {h.entity for h in updates})
        last = max((h.id for h in own), default=0)
        later = sorted({entity for (entity,) in chunked_select(
            lambda part: History.select(History.entity).where(History.entity.in_(part) & (History.id > last)
                                                              & ((History.batch != batch.id) | History.batch.is_null()))
            .tuples(), touched)})
        if later and not force:
            raise Refused(f"import batch {batch.id} cannot be undone: changed since by later work: "
                          f"{', '.join(later[:10])}{' …' if len(later) > 10 else ''}; add --force to undo anyway")
        company_ids = [int(e[1:]) for e in created if e[0] == "C"]
        lead_ids = [int(e[1:]) for e in created if e[0] == "L"]
        refuse_dependents(company_ids, lead_ids, batch.id)
        restored = restore_before_images(actor, batch.id, updates)
        delete_created(company_ids, lead_ids, batch.id)
        write_history([history_row(actor, entity, "undo", batch=batch.id) for entity in created])
        ImportBatch.update(undone_at=utcnow()).where(ImportBatch.id == batch.id).execute()
        return {"batch": batch.id, "deleted_companies": len(company_ids), "deleted_leads": len(lead_ids),
                "restored_fields": restored}

    return run_in_transaction(undo)


def chunked_select(query_of, values, size=500):
    for start in range(0, len(values), size):
        yield from query_of(values[start:start + size])


def refuse_dependents(company_ids, lead_ids, batch_id):
    """Leads added later to a company of the batch, or records hanging on its leads, are named, never deleted."""
    created_leads = set(lead_ids)
    found = [f"submission {submission_id} (batch {other})" for submission_id, other in chunked_select(
        lambda part: Submission.select(Submission.id, Submission.batch).where(
            Submission.lead.in_(part) & ((Submission.batch != batch_id) | Submission.batch.is_null())).tuples(),
        lead_ids)]
    for (lead_id,) in chunked_select(lambda part: Lead.select(Lead.id).where(Lead.company.in_(part)).tuples(),
                                     company_ids):
        if lead_id not in created_leads:
            found.append(f"L{lead_id}")
    for model, ref in DEPENDENTS:
        ids = lead_ids if ref == "lead" else company_ids
        column = getattr(model, ref)
        for (record_id,) in chunked_select(lambda part: model.select(model.id).where(column.in_(part)).tuples(), ids):
            found.append(f"{model.__name__.lower()} {record_id}")
    if found:
        raise Refused(f"cannot undo: records added since hang on what the batch created: "
                      f"{', '.join(found[:10])}{' …' if len(found) > 10 else ''}")


def restore_before_images(actor, batch_id, updates):
    """Each field the batch changed gets its first old value back (one update per record)."""
    first_old = {}
    for h in updates:
        first_old.setdefault(h.entity, {}).setdefault(h.field, h.old_value)
    count = 0
    for entity, fields in first_old.items():
        model = MODEL_OF_LETTER[entity[0]]
        record = model.get_or_none(model.id == int(entity[1:]))
        if record is None:
            continue
        values = {name: stored_value(model._meta.fields[name], text) for name, text in fields.items()}
        model.update(**values, updated_at=utcnow()).where(model.id == record.id).execute()
        write_history([history_row(actor, entity, "undo", name, old=None, new=text, batch=batch_id)
                       for name, text in fields.items()])
        count += len(values)
    return count


def stored_value(field, text):
    """A History text back in the column's type."""
    if text is None:
        return None
    if isinstance(field, peewee.IntegerField):
        return int(text)
    if isinstance(field, peewee.DateField):
        return datetime.date.fromisoformat(text[:10])
    return text


def delete_created(company_ids, lead_ids, batch_id):
    Submission.delete().where(Submission.batch == batch_id).execute()
    for part in (lead_ids[i:i + 500] for i in range(0, len(lead_ids), 500)):
        Contact.delete().where(Contact.lead.in_(part)).execute()
        Submission.delete().where(Submission.lead.in_(part)).execute()
        Lead.delete().where(Lead.id.in_(part)).execute()
    for part in (company_ids[i:i + 500] for i in range(0, len(company_ids), 500)):
        CompanyBlockingKey.delete().where(CompanyBlockingKey.company.in_(part)).execute()
        CompanyAlias.delete().where(CompanyAlias.company.in_(part)).execute()
        Submission.delete().where(Submission.company.in_(part)).execute()
        Company.delete().where(Company.id.in_(part)).execute()


def take_back_companies(company_ids, batch_id):
    """Companies batch `batch_id` created a moment ago, inside its transaction, for rows it then rejected: deleted
    with their keys and their History rows, as if never added (their ids are not used again)."""
    for part in (company_ids[i:i + 500] for i in range(0, len(company_ids), 500)):
        CompanyBlockingKey.delete().where(CompanyBlockingKey.company.in_(part)).execute()
        History.delete().where((History.batch == batch_id)
                               & History.entity.in_([f"C{company_id}" for company_id in part])).execute()
        Company.delete().where(Company.id.in_(part)).execute()
