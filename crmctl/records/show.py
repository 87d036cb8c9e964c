"""`show ID`: one record with what hangs on it (a company's leads, deals and aliases, a lead's conversations, …).

What hangs on a record is its kind's `dependents` in the registry, the same
list a merge moves, so `show` and `dedup merge` cannot disagree.
"""
from crmctl.kinds.ids import fetch_record, kind_of
from crmctl.kinds.registry import KIND_BY_MODEL, KINDS
from crmctl.kinds.shapes import records_dicts
from crmctl.records.aliases import list_aliases
from crmctl.storage import models


def show_record(typed_id_text):
    """The record's dict plus, for each kind that hangs on it, the list of those records."""
    record = fetch_record(typed_id_text)
    kind = kind_of(record)
    shown = records_dicts(kind, [record])[0]
    for model_name, foreign_key in KINDS[kind].dependents:
        model = getattr(models, model_name)
        dependent_kind = KIND_BY_MODEL[model].name
        order = [model.occurred_at, model.id] if hasattr(model, "occurred_at") else [model.id]
        query = model.select().where(getattr(model, foreign_key) == record.id).order_by(*order)
        shown[f"{dependent_kind}s"] = records_dicts(dependent_kind, query)
    if kind == "company":
        shown["aliases"] = list_aliases(record)
    return shown
