"""A lead's status (SPEC §5): one lead, a selection in bulk, and the story of its changes.

Any status may follow any other, the same one included; Follow Up and Event
need a date (stored in `Lead.follow_up_on`). Moving to a status that needs no
date clears a stale follow-up date unless `--on` gives a new one. An agent
changes the status of the leads it owns and of those in the pool (SPEC §3);
a bulk change is a manager's. Every change goes through the batched write path
with action "status", so `history` and `status --history` show who and when,
and a bulk change is one `BulkAction`.
"""
from crmctl.errors import BadInput
from crmctl.kinds.ids import fetch_record, typed_id
from crmctl.query.selection import select_records
from crmctl.records.archived import refuse_archived
from crmctl.records.batch import create_one, update_records
from crmctl.records.bulk import apply_bulk_change
from crmctl.records.companies import agent_id
from crmctl.rules.permissions import require
from crmctl.rules.values import free_text
from crmctl.dates import iso, parse_date
from crmctl.rules.vocabulary import lead_status_named, needs_date
from crmctl.storage.connection import write_transaction
from crmctl.storage.models import History, Lead, Note

STATUS_ACTION = "status"


def status_change(status, on=None):
    """{"status": …, "follow_up_on": …} for a typed status and date; exit 2 for an unknown status or a missing date."""
    status = lead_status_named(status)
    date = parse_date(on, "date (--on)") if on not in (None, "") else None
    if needs_date(status) and date is None:
        raise BadInput(f"status {status} needs a date: give --on YYYY-MM-DD")
    return {"status": status, "follow_up_on": date}


def change_status(actor, lead, status, on=None, note=None):
    """Set one lead's status (and date); `note` adds a Note on the lead. Returns (lead, changed field names)."""
    change = status_change(status, on)
    lead = lead if isinstance(lead, Lead) else fetch_record(lead, ["lead"])
    require(actor, "change status", lead=lead)
    refuse_archived(lead)
    text = free_text(note, "note (--note)") if note not in (None, "") else None
    if note not in (None, "") and text is None:
        raise BadInput("the note (--note) is blank")
    with write_transaction():
        changed = update_records([lead], actor, change, action=STATUS_ACTION).get(lead.id, [])
        if text is not None:
            create_one(Note, actor, lead=lead.id, text=text, author=agent_id(actor))
    return lead, changed


def planned_status_change(actor, status, on=None, where=(), search=None, segment=None, segment_name=None):
    """(Selection, change) of a bulk status change, checked before anyone is asked to confirm it."""
    require(actor, "bulk action")
    change = status_change(status, on)
    selection = select_records("leads", where, search, segment=segment, segment_name=segment_name)
    return selection, change


def apply_status_change(actor, selection, change):
    """Change the status of every lead of the selection in one transaction, recorded as one bulk action.

    The selection is read again inside the transaction, so what changes is what
    matches now. Returns the summary printed by `status --where`.
    """
    with write_transaction():
        leads = selection.records()
        description = dict(selection.description, status=change["status"],
                           follow_up_on=iso(change["follow_up_on"]))
        bulk, changed = apply_bulk_change(actor, STATUS_ACTION, description, leads, change)
    return {"bulk": bulk, "status": change["status"], "follow_up_on": iso(change["follow_up_on"]),
            "selected": len(leads), "changed": len(changed), "unchanged": len(leads) - len(changed)}


def status_history(lead):
    """Every status of a lead with who set it and when, oldest first: the status it was added with, then each change.

    Read from History in one query (the lead's creation, status and follow-up
    date rows, in the order written: a change's date row follows its status
    row); the date set together with a status is shown beside it, and a new
    date for the same status by `status` is a row of its own.
    """
    lead = lead if isinstance(lead, Lead) else fetch_record(lead, ["lead"])
    entity = typed_id("lead", lead.id)
    rows = list(History.select().where((History.entity == entity)
                                       & (History.field.in_(["status", "follow_up_on"]) | (History.action == "create")))
                .order_by(History.at, History.id))
    created = next((row for row in rows if row.action == "create" and row.field is None), None)
    changes = [row for row in rows if row.field in ("status", "follow_up_on")]
    first = next((row.old_value for row in changes if row.field == "status"), lead.status)
    story = [{"at": iso(created.at if created else lead.created_at), "agent": created.agent_email if created else None,
              "from": None, "to": first, "on": None, "how": "added", "bulk": None}]
    current = first
    for index, row in enumerate(changes):
        if row.field == "status":
            after = changes[index + 1] if index + 1 < len(changes) else None
            together = after is not None and after.field == "follow_up_on" and after.at == row.at
            story.append({"at": iso(row.at), "agent": row.agent_email, "from": row.old_value, "to": row.new_value,
                          "on": after.new_value if together else None, "how": row.action, "bulk": row.bulk})
            current = row.new_value
        elif row.action == STATUS_ACTION and not (index and changes[index - 1].field == "status"
                                                    and changes[index - 1].at == row.at):
            # the same status again with a new date (`status L34 "Follow Up" --on …` twice)
            story.append({"at": iso(row.at), "agent": row.agent_email, "from": current, "to": current,
                          "on": row.new_value, "how": row.action, "bulk": row.bulk})
    return story
