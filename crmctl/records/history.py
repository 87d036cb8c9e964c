"""The one mechanism that records every change of every field into History.

Every write path (add, edit, import, status, merge, …) creates and changes
records through `crmctl.records.batch.create_records` and `update_record`, which store the change and
one History row per field: who, when, entity, field, old value, new value.
"""
import datetime
import decimal
import json

from crmctl.kinds.ids import kind_for_model, typed_id, typed_id_of
from crmctl.dates import iso, utcnow
from crmctl.rules.values import check_fits
from crmctl.storage.models import Agent, History

# Columns that are bookkeeping, not facts a user changes.
UNTRACKED_FIELDS = {"id", "updated_at", "created_at", "name_key", "website_key", "linkedin_key"}


def history_text(value):
    """How a value is written into History: ISO dates, ids of related records, JSON lists."""
    if value is None:
        return None
    if isinstance(value, (datetime.date, datetime.datetime)):
        return iso(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def entity_label(record):
    """How History names a record: its typed id, or `agent:EMAIL` for an agent."""
    if isinstance(record, Agent):
        return f"agent:{record.email}"
    return typed_id_of(record)


def field_history_text(record, field_name, value):
    """History text of a field's value: a related record as its typed id, an agent as its email."""
    field = record._meta.fields[field_name]
    if value is not None and hasattr(field, "rel_model"):
        if field.rel_model is Agent:
            agent = Agent.get_or_none(Agent.id == value)
            return agent.email if agent else str(value)
        kind = kind_for_model(field.rel_model)
        if kind is not None:
            return typed_id(kind, value)
    return history_text(value)


def field_value(record, field_name):
    """The stored value of a field; a foreign key as its id, without a query."""
    field = record._meta.fields[field_name]
    return record.__data__.get(field.name)


def update_record(record, actor, changes, action="update", batch=None, merge=None, bulk=None):
    """Apply `changes` (field -> new value) and record each field that really changed.

    Returns the list of changed field names; nothing is written when nothing changed. A text
    longer than its column or holding a NUL is bad input here, before anything is written,
    whichever command changed it.
    """
    check_fits(type(record), changes)
    changed_rows = []
    now = utcnow()
    for field_name, new_value in changes.items():
        if field_name not in record._meta.fields:
            raise KeyError(field_name)
        old_value = field_value(record, field_name)
        setattr(record, field_name, new_value)
        stored_new = field_value(record, field_name)
        old_text = field_history_text(record, field_name, old_value)
        new_text = field_history_text(record, field_name, stored_new)
        if old_text == new_text:
            continue
        if field_name not in UNTRACKED_FIELDS:
            changed_rows.append(
                {
                    "at": now,
                    "agent_email": actor.email if actor else None,
                    "entity": entity_label(record),
                    "action": action,
                    "field": field_name,
                    "old_value": old_text,
                    "new_value": new_text,
                    "batch": batch,
                    "merge": merge,
                    "bulk": bulk,
                }
            )
    if not changed_rows:
        return []
    if "updated_at" in record._meta.fields:
        record.updated_at = now
    record.save()
    History.insert_many(changed_rows).execute()
    return [row["field"] for row in changed_rows]


def record_event(entity, actor, action, field=None, old_value=None, new_value=None, batch=None, merge=None,
                 bulk=None):
    """A History row for something that is not a field change (a forced duplicate, a merge)."""
    History.create(
        bulk=bulk,
        at=utcnow(),
        agent_email=actor.email if actor else None,
        entity=entity,
        action=action,
        field=field,
        old_value=history_text(old_value),
        new_value=history_text(new_value),
        batch=batch,
        merge=merge,
    )


# An import batch's or a merge's story is every row it wrote, on whichever records: History's own columns.
_WRITERS = {"batch": History.batch, "merge": History.merge}


def history_of(kind, number):
    """The History rows of one record (C12), oldest first; of an import batch (B7) or a merge (X2), every
    row it wrote too, on the records it created and changed."""
    condition = History.entity == typed_id(kind, number)
    if kind in _WRITERS:
        condition |= _WRITERS[kind] == number
    return list(History.select().where(condition).order_by(History.at, History.id))
