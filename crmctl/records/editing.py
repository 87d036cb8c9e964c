"""`edit ID --set field=value`: change fields of any record through the same rules as `add`.

Companies and leads go through `crmctl.records.companies` and `crmctl.records.leads`, which
re-run validation and the duplicate rules on what changed; the other kinds are
converted here. Every change is recorded in History by `update_record`.
"""
from decimal import Decimal, InvalidOperation

from crmctl.rules.dates import parse_date, parse_datetime
from crmctl.errors import BadInput
from crmctl.records.history import update_record
from crmctl.kinds.ids import fetch_record, kind_of
from crmctl.rules.permissions import require


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


def to_text(value, field):
    return value or None


def to_int(value, field):
    if value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise BadInput(f"{field} {value!r} is not a whole number")


def to_amount(value, field):
    if value == "":
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        raise BadInput(f"{field} {value!r} is not a number")


def to_date(value, field):
    return parse_date(value, field) if value else None


def to_datetime(value, field):
    return parse_datetime(value, field) if value else None


def to_agent(value, field):
    if not value:
        return None
    from crmctl.records.agents import get_agent

    return get_agent(value).id


def to_bool_done(value, field):
    from crmctl.rules.dates import utcnow

    truthy = value.lower() in ("1", "true", "yes", "done")
    if not truthy and value.lower() not in ("", "0", "false", "no"):
        raise BadInput(f"{field} {value!r} is not true or false")
    return utcnow() if truthy else None


EDITABLE = {
    "deal": {
        "name": ("name", to_text),
        "amount": ("amount", to_amount),
        "currency": ("currency", to_text),
        "expected_close": ("expected_close", to_date),
        "decision_criteria": ("decision_criteria", to_text),
        "competition": ("competition", to_text),
        "stakeholders": ("stakeholders", to_text),
        "owner": ("owner", to_agent),
    },
    "task": {
        "kind": ("kind", to_text),
        "due_at": ("due_at", to_datetime),
        "due": ("due_at", to_datetime),
        "text": ("text", to_text),
        "assignee": ("assignee", to_agent),
        "done": ("done_at", to_bool_done),
    },
    "note": {"text": ("text", to_text)},
    "communication": {
        "placement": ("placement", to_text),
        "notes": ("notes", to_text),
        "follow_up_on": ("follow_up_on", to_date),
    },
    "submission": {"campaign": ("campaign", to_text), "source": ("source", to_text)},
}


def edit_record(actor, typed_id_text, assignments, force=False):
    """Apply `field=value` assignments to a record; returns (kind, record)."""
    record = fetch_record(typed_id_text)
    kind = kind_of(record)
    changes = parse_assignments(assignments)
    if kind == "company":
        from crmctl.records.companies import edit_company

        return kind, edit_company(actor, record, changes, force=force)
    if kind == "lead":
        from crmctl.records.leads import edit_lead

        return kind, edit_lead(actor, record, changes, force=force)
    editable = EDITABLE.get(kind)
    if editable is None:
        raise BadInput(f"{typed_id_text} is a {kind}, which cannot be edited")
    require(actor, "edit any record")
    converted = {}
    for name, value in changes.items():
        if name not in editable:
            raise BadInput(f"unknown field {name!r} for a {kind} (editable: {', '.join(sorted(editable))})")
        column, convert = editable[name]
        converted[column] = convert(value, name)
    from crmctl.storage.connection import write_transaction

    with write_transaction():
        update_record(record, actor, converted)
    return kind, record
