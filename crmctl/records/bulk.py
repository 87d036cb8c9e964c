"""Bulk actions: one change applied to a selection of records, recorded as one action.

A bulk status, assign, archive or pool put (`--where`/`--segment`) stores one
`BulkAction` row (what, on which selection, how many, who, when); every History
row it writes points at it (`History.bulk`), so `history` can show the action
as one and each record's history still shows its own change.
"""
import json

from crmctl.dates import utcnow
from crmctl.records.batch import update_records
from crmctl.storage.models import BulkAction


def start_bulk_action(actor, action, selection, count):
    """Record a bulk action about to run; returns its id for History.bulk."""
    text = selection if isinstance(selection, str) else json.dumps(selection, ensure_ascii=False, sort_keys=True)
    return BulkAction.create(action=action, selection=text, count=count,
                             agent_email=actor.email if actor else None, at=utcnow()).id


def apply_bulk_change(actor, action, selection, records, changes):
    """Apply `changes` to every record of the selection in one batched update, as one bulk action.

    Call inside the command's write transaction. Returns (bulk action id,
    {record id: changed fields}).
    """
    bulk = start_bulk_action(actor, action, selection, len(records))
    return bulk, update_records(records, actor, changes, action=action, bulk=bulk)
