"""An archived record is read-only until it is restored (`crmctl restore`).

Archiving takes a record out of every listing and every job; changing it
meanwhile (a status, an owner, a stage, a conversion that makes its company a
client), or hanging new work on it (a deal, a task, a note, a communication,
an event), would act on something nobody sees. Each command that changes
records named by id (edit, status, assign, pool put, convert, deal
move/close/reopen/feedback) or adds a record to one (add deal, comm, note,
task, event) asks `refuse_archived` first. A bulk selection holds archived records only when
its filter asks for them (`--where archived!=none`), and then means it.
"""
from crmctl.errors import Refused
from crmctl.kinds.ids import kind_of, typed_id


def refuse_archived(*records):
    """Refused (exit 3, one line) when one of `records` is archived."""
    for record in records:
        if getattr(record, "archived_at", None) is not None:
            raise Refused(f"{typed_id(kind_of(record), record.id)} is archived: restore it first "
                          f"(crmctl restore {typed_id(kind_of(record), record.id)})")
