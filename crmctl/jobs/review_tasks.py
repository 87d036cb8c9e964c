"""The review part of `review run`: the due companies' tasks, written by the database in one INSERT ... SELECT.

The first run over a million companies wants a task for nearly every one of
them. Planned row by row, each task's values cross from the driver into
Python and back (about 18 of the run's 22 s at 1,000,000 companies). As one
statement the database makes each task's job_key and text from the
company's row and skips a key already taken (INSERT OR IGNORE, ON CONFLICT
DO NOTHING, INSERT IGNORE), so a re-run or a racing run still adds nothing
twice; the History "create" rows follow from the new task ids by a second
INSERT ... SELECT. A dry run counts the same SELECT's tasks whose key is not
taken yet, so both print the same numbers.

The rules are those of `crmctl.jobs.review` (which companies are due, the
day they fell due) and of `ReviewRun.turn` (who gets the task: the agents of
the company's country ordered by id, the one at company id mod their
number), written as SQL.
"""
import peewee
from peewee import SQL, Case, Value, fn

from crmctl.jobs.job_tasks import stored_value
from crmctl.jobs.review import REVIEW_TASK_PREFIX, due_condition, last_reviewed
from crmctl.storage.connection import database_proxy
from crmctl.storage.dialect import date_text_after, joined_text, remainder
from crmctl.storage.models import Company, History, Task

TASK_FIELDS = (Task.company, Task.kind, Task.due_at, Task.assignee, Task.text, Task.job_key, Task.created_by,
               Task.created_at)


def assignee_of_company(agents_by_country):
    """The task's agent as SQL: by the company's country, the agent at (company id mod their number); else NULL."""
    if not agents_by_country:
        return SQL("NULL")
    return Case(Company.country, [
        (country, agent_ids[0] if len(agent_ids) == 1
         else Case(remainder(Company.id, len(agent_ids)), list(enumerate(agent_ids))))
        for country, agent_ids in sorted(agents_by_country.items())])


def typed(value, column_type):
    """A parameter PostgreSQL reads as the column's type even when it is NULL (INSERT ... SELECT takes no hint)."""
    if isinstance(database_proxy.obj, peewee.PostgresqlDatabase):
        return peewee.Cast(Value(value), column_type)
    return Value(stored_value(database_proxy.obj, value))


def wanted_review_tasks(run, creator=None, now=None):
    """The SELECT of the tasks `run` wants: one per due company without an open review task, in TASK_FIELDS order."""
    interval = run.settings["review_interval_days"]
    due_date = date_text_after(last_reviewed(), interval)
    open_review = Task.select(SQL("1")).where(
        (Task.company == Company.id) & Task.done_at.is_null() & Task.job_key.startswith(REVIEW_TASK_PREFIX))
    return Company.select(
        Company.id.alias("company_id"), Value("task").alias("kind"), typed(run.due_at, "timestamp").alias("due_at"),
        assignee_of_company(run.agents_by_country()).alias("assignee_id"),
        joined_text("Review C", Company.id, " ", Company.name, " (due since ", due_date,
                    "), then `crmctl review done C", Company.id, "`").alias("text"),
        joined_text(f"{REVIEW_TASK_PREFIX}C", Company.id, ":", due_date).alias("job_key"),
        typed(creator, "integer").alias("created_by_id"), typed(now, "timestamp").alias("created_at"),
    ).where(due_condition(run.today, interval) & ~fn.EXISTS(open_review))


def unassigned_count(assignee_column):
    return fn.COALESCE(fn.SUM(Case(None, [(assignee_column.is_null(), 1)], 0)), 0)


def insert_review_tasks(run, actor, now):
    """Write the review tasks not stored yet and their History rows; returns (tasks created, of them unassigned).

    Call inside the run's write transaction, after its lock: the new tasks
    are told apart from the stored ones by their ids (above the largest id
    before the insert) and their key.
    """
    before = Task.select(fn.MAX(Task.id)).scalar() or 0
    creator = actor.agent.id if actor is not None and actor.agent is not None else None
    Task.insert_from(wanted_review_tasks(run, creator, now), list(TASK_FIELDS)).on_conflict_ignore().execute()
    created = (Task.id > before) & Task.job_key.startswith(REVIEW_TASK_PREFIX)
    count, unassigned = Task.select(fn.COUNT(Task.id), unassigned_count(Task.assignee)).where(created).scalar(
        as_tuple=True)
    if count:
        email = actor.email if actor is not None else None
        History.insert_from(
            Task.select(typed(now, "timestamp"), Value(email), joined_text("T", Task.id), Value("create"))
            .where(created).order_by(Task.id),
            [History.at, History.agent_email, History.entity, History.action]).execute()
    return count, int(unassigned)


def missing_review_tasks(run):
    """(tasks a run would create, of them unassigned): the wanted tasks whose key no task holds yet (`--dry-run`)."""
    wanted = wanted_review_tasks(run).alias("wanted")
    taken = Task.select(SQL("1")).where(Task.job_key == wanted.c.job_key)
    count, unassigned = (Task.select(fn.COUNT(SQL("*")), unassigned_count(wanted.c.assignee_id)).from_(wanted)
                         .where(~fn.EXISTS(taken)).scalar(as_tuple=True))
    return count, int(unassigned)
