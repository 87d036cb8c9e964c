"""`dedup merge`: fold duplicate companies or leads into one survivor (`crmctl.records.unmerge` undoes it).

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

`merge_plan` works out what a merge would do without writing: `--dry-run`
prints it and the merge itself carries it out, so the preview and the merge
cannot disagree. A merge locks its records in ascending id order before it
reads them (`crmctl.storage.locks.locked_rows`): of two merges naming one
record, one wins and the other is refused (exit 3) naming the merge that took it.

`check_merge_rules` refuses (exit 3), on the merge and its preview alike, what
a merge may not do to the data already in the CRM: keep an archived survivor
(the live records merged into it would vanish from every listing, and a lead of
an archived company cannot even be restored alone), or give a company more
leads than max_leads_per_company allows (the rule `add lead` and `edit --set
company=` apply: `crmctl.records.leads.check_room`).

Decisions: the survivor keeps its own values (only empty fields are filled, the
first dropped record that has a value wins); a contact detail the survivor
already has is dropped, not duplicated; archived leads that move do not count
against the lead limit (they do not count on `add lead` either).
"""
import json

from crmctl.errors import BadInput, NotFound, Refused
from crmctl.kinds.ids import fetch_record, kind_for_model, parse_typed_id, typed_id
from crmctl.kinds.registry import KINDS
from crmctl.records.aliases import keep_dropped_names, names_kept_by_merge
from crmctl.records.batch import create_one, run_in_transaction
from crmctl.records.history import field_history_text, record_event, update_record
from crmctl.records.leads import check_room
from crmctl.records.scoring import rescore_company_leads, rescore_leads
from crmctl.records.snapshots import json_value, snapshot
from crmctl.rules.permissions import require
from crmctl.rules.settings import load_settings
from crmctl.storage import models
from crmctl.storage.locks import locked_rows
from crmctl.storage.models import CompanyBlockingKey, Contact, Merge

MERGE_ACTION = "merge"

EMPTY_VALUES = (None, "", "[]")
# A filled field's normalised key column, which follows it (filled, kept or emptied with it).
KEY_COLUMN_OF = {"website": "website_key", "linkedin_url": "linkedin_key"}
KEY_COLUMNS = set(KEY_COLUMN_OF.values())


def model_named(name):
    return getattr(models, name)


# ---------------------------------------------------------------------------
# Which records: typed ids read without the database, records read under their locks
# ---------------------------------------------------------------------------


def merge_targets(keep_text, drop_texts):
    """(kind, survivor number, dropped numbers) from the typed ids, each named once; nothing is read."""
    if not drop_texts:
        raise BadInput("give the records to drop: dedup merge KEEP DROP...")
    kind, keep_number = parse_typed_id(keep_text, ["company", "lead"])
    dropped = []
    for text in drop_texts:
        drop_kind, number = parse_typed_id(text, [kind] if str(text).strip().isdigit() else ["company", "lead"])
        if drop_kind != kind:
            raise BadInput(f"{typed_id(drop_kind, number)} is a {drop_kind}, "
                           f"but {typed_id(kind, keep_number)} is a {kind}: merge records of one kind")
        if number == keep_number:
            raise BadInput(f"{typed_id(kind, keep_number)} cannot be merged into itself")
        if number not in dropped:
            dropped.append(number)
    return kind, keep_number, dropped


def present_record(kind, number, locked):
    """A locked record; one merged away meanwhile is refused (3) naming its survivor, one never stored is 4."""
    record = locked.get(number)
    if record is not None:
        return record
    label = typed_id(kind, number)
    try:
        return fetch_record(label)
    except NotFound as error:
        merged = f"{label} was merged into "
        if error.message.startswith(merged):
            raise Refused(f"{label} was already merged into {error.message[len(merged):]}")
        raise


def records_to_merge(keep_text, drop_texts):
    """The survivor and the dropped records, all of one kind, each named once, locked in ascending id order.

    Locking before reading is what makes two merges of the same records queue
    (`crmctl.storage.locks.locked_rows`): the second reads what the first left
    and is refused when a record it names was merged away meanwhile.
    """
    kind, keep_number, drop_numbers = merge_targets(keep_text, drop_texts)
    locked = locked_rows(KINDS[kind].model, [keep_number] + drop_numbers)
    keep = present_record(kind, keep_number, locked)
    return kind, keep, [present_record(kind, number, locked) for number in drop_numbers]


# ---------------------------------------------------------------------------
# The plan: what a merge would do, computed without writing (--dry-run shows it)
# ---------------------------------------------------------------------------


def merge_plan(kind, keep, dropped):
    """What merging `dropped` into `keep` moves, fills and keeps, writing nothing.

    `moved`: (model name, foreign key, dependent record, dropped id) of each
    record that hangs on a dropped one; `fills`: the survivor's empty fields
    and the value each gets (the first dropped record that has one); for
    companies `aliases` (names added, aliases moved, aliases gone, as
    `crmctl.records.aliases.names_kept_by_merge` says); for leads
    `contacts` (moved, dropped as already held by the survivor).
    """
    moved = []
    for record in dropped:
        for model_name, field_name in KINDS[kind].dependents:
            model = model_named(model_name)
            for dependent in model.select().where(model._meta.fields[field_name] == record.id).order_by(model.id):
                moved.append((model_name, field_name, dependent, record.id))
    fills = {}
    for record in dropped:
        for name in KINDS[kind].fillable:
            value = record.__data__.get(name)
            if name not in fills and keep.__data__.get(name) in EMPTY_VALUES and value not in EMPTY_VALUES:
                fills[name] = value
    plan = {"kind": kind, "keep": keep, "dropped": dropped, "moved": moved, "fills": fills}
    check_merge_rules(plan)
    if kind == "company":
        plan["aliases"] = names_kept_by_merge(keep, dropped)
    else:
        plan["contacts"] = contacts_to_move(keep, dropped)
    return plan


def check_merge_rules(plan):
    """Refused (3): an archived survivor, or a company given more leads than the per-company limit."""
    kind, keep = plan["kind"], plan["keep"]
    if keep.archived_at is not None:
        live = [typed_id(kind, record.id) for record in plan["dropped"] if record.archived_at is None]
        instead = f", or merge into the live record ({live[0]})" if live else ""
        raise Refused(f"{typed_id(kind, keep.id)} is archived: restore it first{instead}")
    if kind == "company":
        arriving = sum(1 for model_name, _field, dependent, _from in plan["moved"]
                       if model_name == "Lead" and dependent.archived_at is None)
        check_room(keep, arriving, load_settings())


def contacts_to_move(keep, dropped):
    """(moved, dropped) contact details of the dropped leads: those the survivor already has are dropped."""
    held = {(c.source, c.match_key or c.value.strip().lower()) for c in Contact.select().where(Contact.lead == keep.id)}
    moving, dropping = [], []
    for record in dropped:
        for contact in Contact.select().where(Contact.lead == record.id).order_by(Contact.id):
            identity = (contact.source, contact.match_key or contact.value.strip().lower())
            (dropping if identity in held else moving).append(contact)
            held.add(identity)
    return moving, dropping


def plan_summary(plan):
    """A plan as `dedup merge --dry-run` prints it: per kind the records that would move, the fills, the names."""
    kind, keep = plan["kind"], plan["keep"]
    moves = {}
    for model_name, _field, dependent, _from in plan["moved"]:
        moved_kind = kind_for_model(model_named(model_name))
        moves.setdefault(moved_kind, []).append(typed_id(moved_kind, dependent.id))
    summary = {
        "dry_run": True,
        "kind": kind,
        "survivor": typed_id(kind, keep.id),
        "dropped": [typed_id(kind, record.id) for record in plan["dropped"]],
        "moves": {moved_kind: {"count": len(ids), "ids": ids} for moved_kind, ids in moves.items()},
        "fills": {name: field_history_text(keep, name, value) for name, value in plan["fills"].items()
                  if name not in KEY_COLUMNS},
    }
    if kind == "company":
        added, moved_aliases, _gone = plan["aliases"]
        summary["aliases"] = [name for name, _key in added] + [alias.name for alias in moved_aliases]
    else:
        moving, dropping = plan["contacts"]
        summary["contacts"] = {"moved": [f"{c.source} {c.value}" for c in moving],
                               "dropped": [f"{c.source} {c.value}" for c in dropping]}
    return summary


def plan_table(summary):
    """A plan summary as field/value lines for a terminal: one line per kind that moves and per filled field."""
    lines = {"survivor": summary["survivor"], "dropped": summary["dropped"]}
    for moved_kind, moved in summary["moves"].items():
        lines[f"moves {moved_kind}"] = f"{moved['count']}: {', '.join(moved['ids'])}"
    if not summary["moves"]:
        lines["moves"] = "nothing"
    for name, value in summary["fills"].items():
        lines[f"fills {name}"] = value
    if not summary["fills"]:
        lines["fills"] = "nothing"
    if "aliases" in summary:
        lines["aliases added"] = summary["aliases"] or "none"
    else:
        lines["contacts moved"] = summary["contacts"]["moved"] or "none"
        lines["contacts dropped"] = summary["contacts"]["dropped"] or "none"
    return lines


def preview_merge(actor, keep_text, drop_texts):
    """`dedup merge --dry-run`: the plan's summary; nothing is written, nothing is locked."""
    require(actor, "merge")
    kind, keep_number, drop_numbers = merge_targets(keep_text, drop_texts)
    keep = present_record(kind, keep_number, {})
    return plan_summary(merge_plan(kind, keep, [present_record(kind, number, {}) for number in drop_numbers]))


# ---------------------------------------------------------------------------
# Merge
# ---------------------------------------------------------------------------


def merge_records(actor, keep_text, drop_texts):
    """Merge the dropped records into the survivor; returns the Merge row.

    The records are locked first, in ascending id order, and read under the
    locks, so of two merges naming the same record one wins and the other is
    refused (exit 3) once it sees what the first did; a deadlock elsewhere is
    retried (`run_in_transaction`), never an internal error.
    """
    require(actor, "merge")
    merge_targets(keep_text, drop_texts)  # bad input is reported before anything is read

    def write():
        kind, keep, dropped = records_to_merge(keep_text, drop_texts)
        merge = apply_plan(actor, merge_plan(kind, keep, dropped))
        rescore_merged(actor, kind, [keep.id])  # moved events and leads, filled fields: scores in this transaction
        return merge

    return run_in_transaction(write)


def rescore_merged(actor, kind, ids):
    """Scores follow what a merge or an unmerge moved (`crmctl.records.scoring`)."""
    (rescore_leads if kind == "lead" else rescore_company_leads)(actor, ids)


def apply_plan(actor, plan):
    kind, keep, dropped = plan["kind"], plan["keep"], plan["dropped"]
    survivor_label = typed_id(kind, keep.id)
    merge = create_one(Merge, actor, kind=kind, survivor=survivor_label,
                       dropped=json.dumps([typed_id(kind, record.id) for record in dropped]),
                       created_by=actor.agent.id if actor.agent is not None else None)
    journal = {"moved": [], "contacts_moved": [], "contacts_dropped": [], "dropped": [], "filled": {},
               "filled_with": {}}
    for model_name, field_name, dependent, original in plan["moved"]:
        journal["moved"].append([model_name, dependent.id, field_name, original])
        update_record(dependent, actor, {field_name: keep.id}, action=MERGE_ACTION, merge=merge.id)
    if kind == "lead":
        _move_contacts(actor, merge, keep, plan["contacts"], journal)
    else:
        keep_dropped_names(actor, merge.id, keep, dropped, journal)
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
    fills = plan["fills"]
    journal["filled"] = {name: json_value(keep.__data__.get(name)) for name in fills}
    journal["filled_with"] = {name: json_value(value) for name, value in fills.items()}
    update_record(keep, actor, fills, action=MERGE_ACTION, merge=merge.id)
    merge.journal = json.dumps(journal)
    merge.save()
    return merge


def _move_contacts(actor, merge, keep, contacts, journal):
    """Contact details move to the survivor, except those it already has."""
    survivor_label = typed_id("lead", keep.id)
    moving, dropping = contacts
    journal["contacts_dropped"] = [snapshot(contact) for contact in dropping]
    for contact in moving:
        journal["contacts_moved"].append([contact.id, contact.lead_id])
        Contact.update(lead=keep.id).where(Contact.id == contact.id).execute()
        record_event(survivor_label, actor, MERGE_ACTION, field="contact", old_value=None,
                     new_value=f"{contact.source} {contact.value}", merge=merge.id)
