"""Tasks that cron jobs create: each carries a deterministic `job_key`, so none is ever created twice.

A job names every task it wants by what it is for (`review:C12:2026-03-01`,
`follow-up:L34:20260302T101500:d3`); the unique index on `task.job_key` is
the last word. Tasks go in by multi-row INSERTs that skip a key already
stored (`ON CONFLICT (job_key) DO NOTHING` on SQLite and PostgreSQL, `INSERT
IGNORE` on MariaDB), so a re-run, or a second process racing this one, adds
nothing. The rows really inserted come back by RETURNING (SQLite 3.35+,
PostgreSQL, MariaDB 10.5+; elsewhere the stored keys are read first) and get
their History "create" row, as every record does.

Raw statements rather than Peewee's `insert_many`: building a hundred
thousand rows' Peewee expressions would cost more than the database's work.
A part whose tasks follow from one table's rows by a rule SQL can state (the
review of every due company, the quarterly review of every client) does not
plan them in Python at all: `insert_selected_tasks` has the database make
them by one INSERT ... SELECT, and their History rows by another.
"""
from collections import namedtuple

import peewee
from peewee import SQL, Case, Value, fn

from crmctl.storage.connection import database_proxy
from crmctl.storage.dialect import backend, joined_text
from crmctl.storage.models import History, Task

ROWS_PER_STATEMENT = 1000  # 10 values a row: within SQLite's 32,766 parameters
KEYS_PER_READ = 1000


class JobTask(namedtuple("JobTask", "key kind due_at text company lead deal assignee",
                         defaults=(None, None, None, None))):
    """A task a job wants: its job_key, kind, due time, text, what it hangs on (ids) and assignee (agent id)."""

    __slots__ = ()


def quoted(database, name):
    return database.quote[0] + name + database.quote[1]


def stored_value(database, value):
    """A datetime as Peewee stores it on SQLite (text); the servers' drivers take the object."""
    if isinstance(database, peewee.SqliteDatabase) and hasattr(value, "isoformat"):
        return str(value)
    return value


def stored_keys(keys):
    """The job keys among `keys` that a task already holds (one read per KEYS_PER_READ keys)."""
    keys, found = list(keys), set()
    for start in range(0, len(keys), KEYS_PER_READ):
        part = keys[start:start + KEYS_PER_READ]
        found.update(key for (key,) in Task.select(Task.job_key).where(Task.job_key.in_(part)).tuples())
    return found


def missing_tasks(tasks):
    """The tasks whose key no task holds yet: what a run would create (`--dry-run`)."""
    tasks = unique_tasks(tasks)
    stored = stored_keys(task.key for task in tasks)
    return [task for task in tasks if task.key not in stored]


def unique_tasks(tasks):
    """The first task of each key (two parts of a job naming the same task make it once)."""
    seen, kept = set(), []
    for task in tasks:
        if task.key not in seen:
            seen.add(task.key)
            kept.append(task)
    return kept


TASK_COLUMNS = ("company_id", "lead_id", "deal_id", "kind", "due_at", "assignee_id", "text", "job_key",
                "created_by_id", "created_at")


def insert_statement(database, table, columns, rows, ignore_key=None, returning=()):
    """A multi-row INSERT of `rows` rows; skipping rows whose `ignore_key` is taken; returning some columns."""
    mark = database.param
    row = "(" + ", ".join([mark] * len(columns)) + ")"
    names = ", ".join(quoted(database, column) for column in columns)
    mysql = isinstance(database, peewee.MySQLDatabase)
    verb = "INSERT IGNORE INTO" if ignore_key and mysql else "INSERT INTO"
    sql = f"{verb} {quoted(database, table)} ({names}) VALUES " + ", ".join([row] * rows)
    if ignore_key and not mysql:
        sql += f" ON CONFLICT ({quoted(database, ignore_key)}) DO NOTHING"
    if returning:
        sql += " RETURNING " + ", ".join(quoted(database, column) for column in returning)
    return sql


def insert_job_tasks(tasks, actor, now):
    """Insert the tasks whose key is not taken; returns {job_key: new task id} of those really inserted.

    Call inside the job's write transaction. Each inserted task gets its
    History "create" row. Two tasks of one key in `tasks`: the first is
    inserted, the second skipped like a stored one.
    """
    database = database_proxy.obj
    creator = actor.agent.id if actor is not None and actor.agent is not None else None
    stamp = stored_value(database, now)
    inserted, due_values, statements = {}, {}, {}
    returning = database.returning_clause
    for start in range(0, len(tasks), ROWS_PER_STATEMENT):
        part = tasks[start:start + ROWS_PER_STATEMENT]
        if not returning:  # MySQL proper: no RETURNING, so the stored keys are read first
            stored = stored_keys(task.key for task in part)
            part = [task for task in part if task.key not in stored]
            if not part:
                continue
        values = []
        for task in part:
            due_at = due_values.get(task.due_at)
            if due_at is None:  # a job's tasks share a few due times: each converted once
                due_at = due_values[task.due_at] = stored_value(database, task.due_at)
            values += [task.company, task.lead, task.deal, task.kind, due_at, task.assignee, task.text, task.key,
                       creator, stamp]
        sql = statements.get(len(part))
        if sql is None:
            sql = statements[len(part)] = insert_statement(database, Task._meta.table_name, TASK_COLUMNS, len(part),
                                                           "job_key", ("id", "job_key") if returning else ())
        if returning:
            inserted.update((key, task_id) for task_id, key in database.execute_sql(sql, values).fetchall())
        else:
            database.execute_sql(sql, values)
            keys = [task.key for task in part]
            inserted.update(Task.select(Task.job_key, Task.id).where(Task.job_key.in_(keys)).tuples())
    write_created_history(database, sorted(inserted.values()), actor, now)
    return inserted


def write_created_history(database, task_ids, actor, now):
    """One History "create" row per new task."""
    email = actor.email if actor is not None else None
    write_history_rows([(now, email, f"T{task_id}", "create", None, None, None) for task_id in task_ids])


HISTORY_COLUMNS = ("at", "agent_email", "entity", "action", "field", "old_value", "new_value")


def write_history_rows(rows):
    """History rows given as tuples of HISTORY_COLUMNS (`at` a datetime, the rest texts), in multi-row INSERTs."""
    database = database_proxy.obj
    moments, statements = {}, {}
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        part = rows[start:start + ROWS_PER_STATEMENT]
        values = []
        for row in part:
            at = moments.get(row[0])
            if at is None:
                at = moments[row[0]] = stored_value(database, row[0])
            values.append(at)
            values += row[1:]
        sql = statements.get(len(part))
        if sql is None:
            sql = statements[len(part)] = insert_statement(database, History._meta.table_name, HISTORY_COLUMNS,
                                                           len(part))
        database.execute_sql(sql, values)


# -- tasks the database makes from a SELECT ----------------------------------

SELECTED_TASK_FIELDS = (Task.company, Task.lead, Task.deal, Task.kind, Task.due_at, Task.assignee, Task.text,
                        Task.job_key, Task.created_by, Task.created_at)


def typed(value, column_type):
    """A parameter PostgreSQL reads as the column's type even when it is NULL (INSERT ... SELECT takes no hint)."""
    if backend() == "postgresql":
        return peewee.Cast(Value(value), column_type)
    return Value(stored_value(database_proxy.obj, value))


def creator_of(actor):
    return actor.agent.id if actor is not None and actor.agent is not None else None


def unassigned_count(assignee_column):
    return fn.COALESCE(fn.SUM(Case(None, [(assignee_column.is_null(), 1)], 0)), 0)


def insert_selected_tasks(select, key_prefix, actor, now):
    """Insert the tasks `select` names whose key is not taken; returns (tasks created, of them unassigned).

    `select` gives SELECTED_TASK_FIELDS' columns, named as their columns
    (company_id, lead_id, ..., created_at), every job_key starting with
    `key_prefix`. Call inside the job's write transaction, after its lock:
    the new tasks are told apart from the stored ones by their ids (above the
    largest before the insert) and their key, and each gets its History
    "create" row, in task id order.
    """
    before = Task.select(fn.MAX(Task.id)).scalar() or 0
    # as_rowcount: the rows inserted (a key already taken is skipped, not counted), and no RETURNING of
    # every new id (Peewee's default where the database has RETURNING)
    count = Task.insert_from(select, list(SELECTED_TASK_FIELDS)).on_conflict_ignore().as_rowcount().execute()
    created = (Task.id > before) & Task.job_key.startswith(key_prefix)
    unassigned = 0
    if count:
        # through the assignee index: a count of every new task read the 918,000 rows of a first run again
        unassigned = Task.select(fn.COUNT(Task.id)).where(created & Task.assignee.is_null()).scalar()
        email = actor.email if actor is not None else None
        History.insert_from(
            Task.select(typed(now, "timestamp"), Value(email), joined_text("T", Task.id), Value("create"))
            .where(created).order_by(Task.id),
            [History.at, History.agent_email, History.entity, History.action]).as_rowcount().execute()
    return count, int(unassigned)


def missing_selected_tasks(select):
    """(tasks `insert_selected_tasks` would create, of them unassigned): those whose key no task holds yet."""
    wanted = select.alias("wanted")
    taken = Task.select(SQL("1")).where(Task.job_key == wanted.c.job_key)
    count, unassigned = (Task.select(fn.COUNT(SQL("*")), unassigned_count(wanted.c.assignee_id)).from_(wanted)
                         .where(~fn.EXISTS(taken)).scalar(as_tuple=True))
    return count, int(unassigned)
