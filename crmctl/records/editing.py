"""`edit ID --set field=value`: change fields of any record through the same rules as `add`.

Companies and leads go through `crmctl.records.companies` and `crmctl.records.leads`, which
re-run validation and the duplicate rules on what changed; every other kind's
fields are converted by the validator the kinds registry names for each
(`Field.convert`, the validators `add` uses), all of them before anything is
written. Every change is recorded in History by `update_record`.
"""
from crmctl.errors import BadInput
from crmctl.kinds.ids import fetch_record, kind_of
from crmctl.kinds.registry import KINDS
from crmctl.records.archived import refuse_archived
from crmctl.records.companies import edit_company
from crmctl.records.history import update_record
from crmctl.records.leads import edit_lead
from crmctl.rules.permissions import require
from crmctl.storage.connection import write_transaction


def parse_assignments(assignments):
    """`field=value` pairs into a dict; an empty value clears the field."""
    changes = {}
    for assignment in assignments:
        if "=" not in assignment:
            raise BadInput(f"--set {assignment!r} is not field=value")
        name, value = assignment.split("=", 1)
        changes[name.strip().lower()] = value.strip()
    if not changes:
        raise BadInput("nothing to change: give --set field=value")
    return changes


def edit_record(actor, typed_id_text, assignments, force=False):
    """Apply `field=value` assignments to a record; returns (kind, record)."""
    record = fetch_record(typed_id_text)
    kind = kind_of(record)
    changes = parse_assignments(assignments)
    refuse_archived(record)
    if kind in ("company", "lead"):  # each rescores in its own transaction, after its locks (no read before them)
        edit = edit_company if kind == "company" else edit_lead
        return kind, edit(actor, record, changes, force=force)
    description = KINDS[kind]
    editable = description.editable_names()
    if not editable:
        raise BadInput(f"{typed_id_text} is a {kind}, which cannot be edited")
    require(actor, "edit any record", said=f"edit a {kind} (managers and admins do)")
    converted = {field.stored_in: field.convert(value, field.name) for field, value in description.fields_to_edit(changes)}
    with write_transaction():
        update_record(record, actor, converted)
    return kind, record
