"""`dedup unmerge`: undo a merge, giving the dropped records back their ids and what was theirs.

An unmerge undoes only what is still as the merge left it: a field, a moved
record or an alias changed since keeps its change, and the summary names it.
It refuses (exit 3) when what it would restore has been taken since: a dropped
company's website or LinkedIn page now used by another record. The merge
itself, and the journal this reads, are `crmctl.records.merge`'s.
"""

import json

from crmctl.errors import CrmError, Refused
from crmctl.kinds.ids import fetch_record, kind_for_model, parse_typed_id, typed_id
from crmctl.records.aliases import restore_dropped_names
from crmctl.records.batch import run_in_transaction
from crmctl.records.history import record_event, update_record
from crmctl.records.merge import EMPTY_VALUES, KEY_COLUMN_OF, KEY_COLUMNS, model_named, rescore_merged
from crmctl.records.snapshots import json_value, restored_values
from crmctl.dates import utcnow
from crmctl.rules.permissions import require
from crmctl.storage.locks import locked_rows
from crmctl.storage.models import Contact, Merge

UNMERGE_ACTION = "unmerge"


def unmerge(actor, merge_text):
    """Undo a merge: restore the dropped records with their ids and give back what was theirs; (merge, kept).

    Only what the merge changed and is still as the merge left it is undone. A
    survivor's field filled by the merge and changed since keeps its new value;
    a record moved by the merge and moved on since stays where it is; an alias
    the merge moved and that was removed since stays removed. `kept` names
    them ("city", "L5 company", "alias 'Acme R'") for the summary. The merge
    row is locked first and then the records it names, in ascending id order,
    so two unmerges of one merge, or an unmerge beside a merge of its
    survivor, queue and the second sees what the first did.
    """
    require(actor, "merge")
    _kind, number = parse_typed_id(merge_text, ["merge"])

    def write():
        merge = locked_rows(Merge, [number]).get(number) or fetch_record(typed_id("merge", number))
        label = typed_id("merge", merge.id)
        if merge.undone_at is not None:
            raise Refused(f"{label} was already undone")
        kind = merge.kind
        model = model_named("Company" if kind == "company" else "Lead")
        journal = json.loads(merge.journal or "{}")
        survivor_number = int(merge.survivor[1:])
        survivor = locked_rows(model, [survivor_number] + [entry["id"] for entry in journal.get("dropped", [])]
                               ).get(survivor_number)
        if survivor is None:
            try:
                fetch_record(merge.survivor)
            except CrmError as error:  # NotFound names where the survivor went
                raise Refused(f"cannot undo {label}: {error.message}")
        kept = _restore_filled(actor, merge, model, survivor, journal)

        for entry in journal.get("dropped", []):
            values = restored_values(model, entry["data"])
            _check_restorable(kind, model, values, label)
            model.insert(**values).execute()
            record_event(typed_id(kind, entry["id"]), actor, UNMERGE_ACTION, field=None,
                         old_value=merge.survivor, new_value=typed_id(kind, entry["id"]), merge=merge.id)

        for model_name, record_id, field_name, original in journal.get("moved", []):
            dependent_model = model_named(model_name)
            dependent = dependent_model.get_or_none(dependent_model.id == record_id)
            if dependent is None:
                continue  # deleted since the merge
            if dependent.__data__.get(field_name) != survivor_number:
                kept.append(f"{typed_id(kind_for_model(dependent_model), record_id)} {field_name}")
                continue
            update_record(dependent, actor, {field_name: original}, action=UNMERGE_ACTION, merge=merge.id)

        if kind == "lead":
            _restore_contacts(actor, merge, journal)
        else:
            kept += [f"alias {name!r}" for name in restore_dropped_names(
                actor, merge.id, survivor_number, [entry["id"] for entry in journal.get("dropped", [])], journal)]

        merge.undone_at = utcnow()
        merge.save()
        record_event(label, actor, UNMERGE_ACTION, field="undone_at", new_value=merge.undone_at, merge=merge.id)
        rescore_merged(actor, kind, [survivor_number] + [entry["id"] for entry in journal.get("dropped", [])])
        return merge, kept

    return run_in_transaction(write)


def _restore_filled(actor, merge, model, survivor, journal):
    """Empty again the survivor's fields the merge filled and nobody changed since; the others' names.

    A key column (website_key) follows its field (website). A journal written
    before `filled_with` was kept is read the way the merge filled: the first
    dropped record that had a value.
    """
    filled = journal.get("filled", {})
    filled_with = journal.get("filled_with")
    if filled_with is None:
        filled_with = {}
        for name in filled:
            values = [entry["data"].get(name) for entry in journal.get("dropped", [])]
            filled_with[name] = next((value for value in values if value not in EMPTY_VALUES), None)
    restore, kept = {}, []
    for name in filled:
        if name in KEY_COLUMNS:
            continue
        if json_value(survivor.__data__.get(name)) == filled_with.get(name):
            restore[name] = filled[name]
            if KEY_COLUMN_OF.get(name) in filled:
                restore[KEY_COLUMN_OF[name]] = filled[KEY_COLUMN_OF[name]]
        else:
            kept.append(name)
    if restore:
        update_record(survivor, actor, restored_values(model, restore), action=UNMERGE_ACTION, merge=merge.id)
    return kept


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
