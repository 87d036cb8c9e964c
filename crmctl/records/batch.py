"""The one write path: validate → find duplicates → decide → permissions → chunked write → history.

Every command that creates or changes companies and leads goes through the
functions of `crmctl.records.companies` and `crmctl.records.leads`, which work
on many rows at once and use the pieces here; one row is the smallest batch.
A batch reports one RowOutcome per row, in the order given, so `add` can raise
its row's error and `import` can report every rejected row with its reason.
"""
from dataclasses import dataclass, field

import peewee

from crmctl.errors import CrmError, DuplicateFound, Refused
from crmctl.kinds.registry import KIND_BY_MODEL, KINDS
from crmctl.kinds.ids import kind_for_model, typed_id
from crmctl.records.history import UNTRACKED_FIELDS, entity_label, field_value, history_text
from crmctl.dates import utcnow
from crmctl.rules.values import check_fits
from crmctl.storage.connection import database_proxy, write_transaction
from crmctl.storage.locks import released_after_transaction
from crmctl.storage.models import Agent, History

WRITE_CHUNK = 500


@dataclass
class RowOutcome:
    """What happened to one row of a batch."""

    index: int
    values: dict = None  # the clean column values, once validated
    action: str = None  # create, forced, refused, rejected, skip, update, merge
    record_id: int = None
    error: CrmError = None
    candidates: list = field(default_factory=list)
    possible: list = field(default_factory=list)  # reported, not refused (possible duplicates)

    def reject(self, error):
        self.action, self.error = ("refused" if isinstance(error, Refused) else "rejected"), error

    @property
    def pending(self):
        """Still to be decided or written: validated and not refused."""
        return self.error is None


def validated(rows, validate):
    """One RowOutcome per row, holding either its clean values or the error that rejects it."""
    outcomes = []
    for index, row in enumerate(rows):
        outcome = RowOutcome(index)
        try:
            outcome.values = validate(row)
        except CrmError as error:
            outcome.reject(error)
        outcomes.append(outcome)
    return outcomes


def only_row(outcomes):
    """The single row of a batch of one; its error, if any, is raised for the command to report."""
    (outcome,) = outcomes
    if outcome.error is not None:
        raise outcome.error
    return outcome


def run_in_transaction(write):
    """Run `write()` in one write transaction, once more if a racing process won a unique index meanwhile.

    The next run finds the other process's rows and refuses ours as duplicates
    with their ids; a deadlock (two inserts into one unique index on MySQL) is
    run again the same way; a third clash becomes a plain refusal. Named locks
    that `write()` took (`crmctl.storage.locks.lock_names`) are released once
    each attempt's transaction has ended.
    """
    for attempt in (1, 2, 3):
        try:
            with released_after_transaction(), write_transaction():
                return write()
        except (peewee.IntegrityError, peewee.OperationalError) as error:
            if not isinstance(error, peewee.IntegrityError) and not is_deadlock(error):
                raise
            if attempt == 3:
                raise Refused(f"refused by the database: {' '.join(str(error).split())}")


def is_deadlock(error):
    """MySQL/MariaDB (1213) and PostgreSQL (40P01) end one of two deadlocked transactions: run it again.

    Peewee raises its own class with the driver's arguments; the driver's
    exception, which holds PostgreSQL's code, is the one it was raised from.
    """
    code = error.args[0] if error.args else None
    driver_error = error.__cause__ or error.__context__
    return code == 1213 or getattr(driver_error, "pgcode", None) == "40P01"


def insert_rows(model, names, records, chunk=WRITE_CHUNK, returning=False):
    """INSERT rows of plain values (tuples in the order of `names`) as multi-row statements of `chunk` rows.

    The SQL of a full chunk is written once and reused: building it row by row
    through Peewee's query builder costs more than the database's own work.
    Values are given as the fields take them and converted by each field's
    `db_value`. With `returning`, the new ids come back in the order given
    (PostgreSQL and SQLite: RETURNING; ids of one statement grow in the order
    of its rows).
    """
    database = database_proxy.obj
    fields = [model._meta.fields[name] for name in names]
    converters = [field.db_value for field in fields]
    left, right = database.quote  # the backend's identifier quotes: "" or ``
    columns = ", ".join(f"{left}{field.column_name}{right}" for field in fields)
    one = "(" + ", ".join([database.param] * len(fields)) + ")"
    head = f"INSERT INTO {left}{model._meta.table_name}{right} ({columns}) VALUES "
    tail = f" RETURNING {left}{model._meta.primary_key.column_name}{right}" if returning else ""
    full = head + ", ".join([one] * chunk) + tail
    ids = []
    for start in range(0, len(records), chunk):
        part = records[start:start + chunk]
        sql = full if len(part) == chunk else head + ", ".join([one] * len(part)) + tail
        cursor = database.execute_sql(sql, [convert(value) for record in part
                                            for convert, value in zip(converters, record)])
        if returning:
            ids += sorted(row[0] for row in cursor.fetchall())
    return ids


def _row_values(model, rows):
    """(field names, value tuples) of rows given as dicts: each field a row leaves out takes its default."""
    given = set().union(*(row.keys() for row in rows))
    fields = [field for field in model._meta.sorted_fields
              if field.name in given or (field.default is not None and not field.primary_key)]

    def value(row, field):
        if field.name in row:
            return row[field.name]
        return field.default() if callable(field.default) else field.default

    return [field.name for field in fields], [tuple(value(row, field) for field in fields) for row in rows]


def insert_returning_ids(model, rows):
    """Insert rows (dicts) in chunks; returns their new ids in the order given."""
    database = database_proxy.obj
    if not database.returning_clause:  # MySQL proper has no RETURNING: one statement per row
        return [model.insert(row).execute() for row in rows]
    names, records = _row_values(model, rows)
    return insert_rows(model, names, records, returning=True)


def attach_skipped(outcomes):
    """A skipped row points at the record it duplicates: a stored one, or the earlier row's new record."""
    for outcome in outcomes:
        if outcome.action == "skip":
            first = outcome.candidates[0]
            outcome.record_id = int(first.id[1:]) if first.id else outcomes[first.row].record_id


def history_row(actor, entity, action, field=None, old=None, new=None, batch=None, merge=None, at=None, bulk=None):
    return {"at": at or utcnow(), "agent_email": actor.email if actor else None, "entity": entity,
            "action": action, "field": field, "old_value": old, "new_value": new, "batch": batch, "merge": merge,
            "bulk": bulk}


HISTORY_COLUMNS = ("at", "agent_email", "entity", "action", "field", "old_value", "new_value", "batch", "merge",
                   "bulk")


def write_history(rows):
    """Insert History rows (dicts as `history_row` makes them), many to a statement."""
    insert_rows(History, HISTORY_COLUMNS, [tuple(row.get(name) for name in HISTORY_COLUMNS) for row in rows])


def created_history(kind, ids, actor, batch=None):
    """One 'create' row per new record: its first values are the record itself."""
    letter, now = KINDS[kind].letter, utcnow()
    return [history_row(actor, f"{letter}{record_id}", "create", batch=batch, at=now) for record_id in ids]


def create_records(model, actor, rows, batch=None):
    """Insert records of any kind with their 'create' history; returns their ids in order.

    A text longer than its column or holding a NUL is bad input (exit 2) before anything is
    written, the same limit on every backend.
    """
    for row in rows:
        check_fits(model, row)
    ids = insert_returning_ids(model, rows)
    described = KIND_BY_MODEL.get(model)
    if described is not None:
        write_history(created_history(described.name, ids, actor, batch))
    else:  # agents have no typed id: History names them by email
        now = utcnow()
        write_history([history_row(actor, f"agent:{row['email']}", "create", batch=batch, at=now) for row in rows])
    return ids


def create_one(model, actor, **values):
    """One record through `create_records`, returned as a model instance."""
    return model.get_by_id(create_records(model, actor, [values])[0])


def forced_history(kind, outcomes, actor, batch=None):
    """Who stored a record although it looked like a duplicate, and of what."""
    letter = KINDS[kind].letter
    return [history_row(actor, f"{letter}{o.record_id}", "force", "duplicate_of",
                        new=history_text([c.id for c in o.candidates if c.id]), batch=batch)
            for o in outcomes if o.action == "forced"]


def possible_history(kind, outcomes, actor, batch=None):
    """The possible duplicates a new record was stored beside (SPEC §5: reported and stored), for review."""
    letter = KINDS[kind].letter
    return [history_row(actor, f"{letter}{o.record_id}", "possible", "possible_duplicate_of",
                        new=history_text([c.id for c in o.possible if c.id]), batch=batch)
            for o in outcomes if o.record_id and o.action != "skip" and any(c.id for c in o.possible)]


def refuse_duplicates(kind, outcomes, decide, **options):
    """Apply the duplicate policy to every pending row that has candidates."""
    for outcome in outcomes:
        if outcome.pending:
            try:
                outcome.action, outcome.candidates = decide(kind, outcome.candidates, **options)
            except DuplicateFound as error:
                outcome.reject(error)


def _agent_emails(model, records, changes_list):
    """(the model's agent fields, {agent id: email}) of every agent a change names or replaces, in one query,
    for History's texts."""
    agent_fields = {name for name, field in model._meta.fields.items()
                    if getattr(field, "rel_model", None) is Agent}
    changed = {name for change in changes_list for name in change if name in agent_fields}
    ids = {change[name] for change in changes_list for name in changed & change.keys()}
    ids |= {field_value(record, name) for record in records for name in changed}
    ids.discard(None)
    if not ids:
        return agent_fields, {}
    return agent_fields, dict(Agent.select(Agent.id, Agent.email).where(Agent.id.in_(sorted(ids))).tuples())


def update_records(records, actor, changes, action="update", batch=None, merge=None, bulk=None):
    """Apply changes to many records of one model at once and record every field that really changed.

    `changes` is one dict (field -> new value) for every record, or a list of
    dicts, one per record. Records whose stored values change the same way are
    updated by one UPDATE … WHERE id IN (…) per chunk, and History rows are
    inserted in chunks: a bulk status or an import's updates never run one
    query per record. Foreign keys are given as ids. Returns {record id:
    [changed field names]} for the records that changed.
    """
    if not records:
        return {}
    model = type(records[0])
    changes_list = changes if isinstance(changes, list) else [changes] * len(records)
    for change in {id(change): change for change in changes_list}.values():
        check_fits(model, change)
        for field_name in change:
            if field_name not in model._meta.fields:
                raise KeyError(field_name)
    agent_fields, agent_emails = _agent_emails(model, records, changes_list)

    def text_of(field_name, value):
        if value is not None and field_name in agent_fields:
            return agent_emails.get(value) or str(value)
        field = model._meta.fields[field_name]
        if value is not None and hasattr(field, "rel_model"):
            kind = kind_for_model(field.rel_model)
            if kind is not None:
                return typed_id(kind, value)
        return history_text(value)

    now = utcnow()
    groups, history_rows, changed = {}, [], {}
    for record, change in zip(records, changes_list):
        really = {}
        for field_name, new_value in change.items():
            old_value = field_value(record, field_name)
            setattr(record, field_name, new_value)
            stored_new = field_value(record, field_name)
            old_text, new_text = text_of(field_name, old_value), text_of(field_name, stored_new)
            if old_text == new_text:
                continue
            really[field_name] = stored_new
            if field_name not in UNTRACKED_FIELDS:
                history_rows.append({"at": now, "agent_email": actor.email if actor else None,
                                     "entity": entity_label(record), "action": action, "field": field_name,
                                     "old_value": old_text, "new_value": new_text, "batch": batch,
                                     "merge": merge, "bulk": bulk})
        if not really:
            continue
        if "updated_at" in model._meta.fields:
            really["updated_at"] = now
            record.updated_at = now
        changed[record.id] = [name for name in really if name != "updated_at"]
        key = tuple(sorted((name, history_text(value)) for name, value in really.items()))
        groups.setdefault(key, (really, []))[1].append(record.id)
    for values, ids in groups.values():
        update = {model._meta.fields[name]: value for name, value in values.items()}
        for start in range(0, len(ids), WRITE_CHUNK):
            model.update(update).where(model.id.in_(ids[start:start + WRITE_CHUNK])).execute()
    write_history(history_rows)
    return changed
