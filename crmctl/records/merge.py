"""`dedup merge` and `dedup unmerge`: fold duplicate companies or leads into one survivor, and back.

A merge runs in one write transaction. It moves everything that hangs on the
dropped records (a company's leads, submissions, deals, notes and tasks; a
lead's submissions, communications, notes, tasks, deals, engagement events and
contact details) to the survivor, fills the survivor's empty fields from the
dropped records, keeps dropped companies' names and aliases as the survivor's
aliases (`crmctl.records.aliases`), writes a Merge row (X<n>) whose journal
holds all that is needed to undo it, and deletes the dropped records. Every
change goes through `crmctl.records.history` with action "merge" and the
merge's number, so `history` shows it and `fetch_record` can name the survivor
of a dropped id.

Decisions: the survivor keeps its own values (only empty fields are filled, the
first dropped record that has a value wins); a contact detail the survivor
already has is dropped, not duplicated; the 5-leads-per-company rule limits
adding, not merging, so a merged company may hold more than 5 leads. An unmerge
refuses (exit 3) when what it would restore has been taken since: a dropped
company's website or LinkedIn page or a dropped lead's email now used by
another record.
"""
import datetime
import decimal
import json

import peewee

from crmctl.errors import BadInput, Refused
from crmctl.kinds.ids import fetch_record, kind_of, typed_id
from crmctl.kinds.registry import KINDS
from crmctl.records.aliases import keep_dropped_names, restore_dropped_names
from crmctl.records.batch import create_one
from crmctl.records.history import record_event, update_record
from crmctl.dates import utcnow
from crmctl.rules.permissions import require
from crmctl.storage import models
from crmctl.storage.connection import write_transaction
from crmctl.storage.models import CompanyBlockingKey, Contact, Merge

MERGE_ACTION = "merge"
UNMERGE_ACTION = "unmerge"

EMPTY_VALUES = (None, "", "[]")


def _model(name):
    return getattr(models, name)


# ---------------------------------------------------------------------------
# Snapshots: a deleted record as JSON, and back
# ---------------------------------------------------------------------------


def snapshot(record):
    """Every column of a record as JSON-safe values (foreign keys as ids)."""
    data = {}
    for name in record._meta.fields:
        value = record.__data__.get(name)
        if isinstance(value, (datetime.date, datetime.datetime)):
            value = value.isoformat()
        elif isinstance(value, decimal.Decimal):
            value = str(value)
        data[name] = value
    return data


def restored_values(model, data):
    """The column values of a snapshot, converted back to the types the fields hold."""
    values = {}
    for name, value in data.items():
        field = model._meta.fields.get(name)
        if field is None:
            continue
        if value is not None:
            if isinstance(field, peewee.DateTimeField):
                value = datetime.datetime.fromisoformat(value)
            elif isinstance(field, peewee.DateField):
                value = datetime.date.fromisoformat(value)
            elif isinstance(field, peewee.DecimalField):
                value = decimal.Decimal(value)
        values[name] = value
    return values


def _json_value(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


# ---------------------------------------------------------------------------
# Merge
# ---------------------------------------------------------------------------


def records_to_merge(keep_text, drop_texts):
    """The survivor and the dropped records, all of one kind, each named once."""
    if not drop_texts:
        raise BadInput("give the records to drop: dedup merge KEEP DROP...")
    keep = fetch_record(keep_text, ["company", "lead"])
    kind = kind_of(keep)
    dropped = []
    seen = {keep.id}
    for text in drop_texts:
        record = fetch_record(text, [kind] if str(text).strip().isdigit() else ["company", "lead"])
        if kind_of(record) != kind:
            raise BadInput(f"{typed_id(kind_of(record), record.id)} is a {kind_of(record)}, "
                           f"but {typed_id(kind, keep.id)} is a {kind}: merge records of one kind")
        if record.id in seen:
            if record.id == keep.id:
                raise BadInput(f"{typed_id(kind, keep.id)} cannot be merged into itself")
            continue
        seen.add(record.id)
        dropped.append(record)
    return kind, keep, dropped


def merge_records(actor, keep_text, drop_texts):
    """Merge the dropped records into the survivor; returns the Merge row."""
    require(actor, "merge")
    with write_transaction():
        kind, keep, dropped = records_to_merge(keep_text, drop_texts)
        survivor_label = typed_id(kind, keep.id)
        dropped_labels = [typed_id(kind, record.id) for record in dropped]
        merge = create_one(Merge, actor, kind=kind,
            survivor=survivor_label,
            dropped=json.dumps(dropped_labels),
            created_by=actor.agent.id if actor.agent is not None else None,
        )
        journal = {"moved": [], "contacts_moved": [], "contacts_dropped": [], "dropped": [], "filled": {}}
        for record in dropped:
            _move_dependents(actor, merge, kind, record, keep, journal)
            if kind == "lead":
                _move_contacts(actor, merge, record, keep, journal)
        if kind == "company":
            keep_dropped_names(actor, merge.id, keep, dropped, journal)
        fills = {}
        for record in dropped:
            for name in KINDS[kind].fillable:
                if name in fills or keep.__data__.get(name) not in EMPTY_VALUES:
                    continue
                value = record.__data__.get(name)
                if value not in EMPTY_VALUES:
                    fills[name] = value
        for record in dropped:
            label = typed_id(kind, record.id)
            journal["dropped"].append({"id": record.id, "data": snapshot(record)})
            record_event(label, actor, MERGE_ACTION, field=None, old_value=label, new_value=survivor_label,
                         merge=merge.id)
            if kind == "company":
                CompanyBlockingKey.delete().where(CompanyBlockingKey.company == record.id).execute()
            else:
                Contact.delete().where(Contact.lead == record.id).execute()
            record.delete_instance()
        journal["filled"] = {name: _json_value(keep.__data__.get(name)) for name in fills}
        update_record(keep, actor, fills, action=MERGE_ACTION, merge=merge.id)
        merge.journal = json.dumps(journal)
        merge.save()
    return merge


def _move_dependents(actor, merge, kind, record, keep, journal):
    for model_name, field_name in KINDS[kind].dependents:
        model = _model(model_name)
        field = model._meta.fields[field_name]
        for dependent in model.select().where(field == record.id).order_by(model.id):
            journal["moved"].append([model_name, dependent.id, field_name, record.id])
            update_record(dependent, actor, {field_name: keep.id}, action=MERGE_ACTION, merge=merge.id)


def _move_contacts(actor, merge, record, keep, journal):
    """Contact details move to the survivor, except those it already has."""
    survivor_label = typed_id("lead", keep.id)
    held = {(c.source, c.match_key or c.value.strip().lower()) for c in Contact.select().where(Contact.lead == keep.id)}
    for contact in Contact.select().where(Contact.lead == record.id).order_by(Contact.id):
        identity = (contact.source, contact.match_key or contact.value.strip().lower())
        if identity in held:
            journal["contacts_dropped"].append(snapshot(contact))
            continue
        held.add(identity)
        journal["contacts_moved"].append([contact.id, record.id])
        Contact.update(lead=keep.id).where(Contact.id == contact.id).execute()
        record_event(survivor_label, actor, MERGE_ACTION, field="contact", old_value=None,
                     new_value=f"{contact.source} {contact.value}", merge=merge.id)


# ---------------------------------------------------------------------------
# Unmerge
# ---------------------------------------------------------------------------


def unmerge(actor, merge_text):
    """Undo a merge: restore the dropped records with their ids and give back what was theirs."""
    require(actor, "merge")
    with write_transaction():
        merge = fetch_record(merge_text, ["merge"])
        label = typed_id("merge", merge.id)
        if merge.undone_at is not None:
            raise Refused(f"{label} was already undone")
        kind = merge.kind
        model = _model("Company" if kind == "company" else "Lead")
        survivor_number = int(merge.survivor[1:])
        survivor = model.get_or_none(model.id == survivor_number)
        if survivor is None:
            try:
                fetch_record(merge.survivor)
            except Exception as error:  # NotFound names where the survivor went
                raise Refused(f"cannot undo {label}: {getattr(error, 'message', error)}")
        journal = json.loads(merge.journal or "{}")

        filled = journal.get("filled", {})
        if filled:
            update_record(survivor, actor, restored_values(model, filled), action=UNMERGE_ACTION, merge=merge.id)

        for entry in journal.get("dropped", []):
            values = restored_values(model, entry["data"])
            _check_restorable(kind, model, values, label)
            model.insert(**values).execute()
            record_event(typed_id(kind, entry["id"]), actor, UNMERGE_ACTION, field=None,
                         old_value=merge.survivor, new_value=typed_id(kind, entry["id"]), merge=merge.id)

        for model_name, record_id, field_name, original in journal.get("moved", []):
            dependent_model = _model(model_name)
            dependent = dependent_model.get_or_none(dependent_model.id == record_id)
            if dependent is None or dependent.__data__.get(field_name) != survivor_number:
                continue  # deleted or moved elsewhere since the merge
            update_record(dependent, actor, {field_name: original}, action=UNMERGE_ACTION, merge=merge.id)

        if kind == "lead":
            _restore_contacts(actor, merge, journal)
        else:
            restore_dropped_names(actor, merge.id, survivor_number,
                                  [entry["id"] for entry in journal.get("dropped", [])], journal)

        merge.undone_at = utcnow()
        merge.save()
        record_event(label, actor, UNMERGE_ACTION, field="undone_at", new_value=merge.undone_at, merge=merge.id)
    return merge


def _check_restorable(kind, model, values, label):
    if kind != "company":
        return
    for key_field, what in (("website_key", "website"), ("linkedin_key", "LinkedIn page")):
        key = values.get(key_field)
        if key is None:
            continue
        holder = model.get_or_none(getattr(model, key_field) == key)
        if holder is not None:
            raise Refused(f"cannot undo {label}: the {what} {key} of {typed_id(kind, values['id'])} "
                          f"now belongs to {typed_id(kind, holder.id)}")


def _restore_contacts(actor, merge, journal):
    for contact_id, original_lead in journal.get("contacts_moved", []):
        contact = Contact.get_or_none(Contact.id == contact_id)
        if contact is None:
            continue
        Contact.update(lead=original_lead).where(Contact.id == contact_id).execute()
        record_event(typed_id("lead", original_lead), actor, UNMERGE_ACTION, field="contact",
                     old_value=None, new_value=f"{contact.source} {contact.value}", merge=merge.id)
    for data in journal.get("contacts_dropped", []):
        values = restored_values(Contact, data)
        if values.get("match_key") and Contact.select().where(
            (Contact.source == values["source"]) & (Contact.match_key == values["match_key"])
        ).exists():
            # The survivor still holds this detail; the restored lead shares it only by value.
            values["match_key"] = None
        Contact.insert(**values).execute()
