"""The parts of `review run` that the database writes itself: review tasks and quarterly account reviews.

The first run over a million companies wants a review task for nearly every
one of them, and every client wants an account review each quarter. Planned
row by row, each task's values cross from the driver into Python and back
(about 18 of the first run's 22 s at 1,000,000 companies). Here each part is
one SELECT that makes every task's job_key and text from the company's row,
written by `crmctl.jobs.job_tasks.insert_selected_tasks` (INSERT ... SELECT,
skipping a key already taken, so a re-run or a racing run adds nothing
twice) and counted the same way by a dry run.

The rules are those of `crmctl.jobs.review` (which companies are due, the
day they fell due) and of `crmctl.jobs.review_run` (who gets the task: the
agents of the company's country ordered by id, the one at company id mod
their number), written as SQL.
"""
from peewee import SQL, Case, Value, fn

from crmctl.jobs.job_tasks import creator_of, typed
from crmctl.jobs.review import REVIEW_TASK_PREFIX, due_condition, last_reviewed
from crmctl.storage.dialect import date_text_after, joined_text, remainder
from crmctl.storage.models import Company, Task

ACCOUNT_REVIEW_PREFIX = "account-review:"


def assignee_of_company(agents_by_country):
    """The task's agent as SQL: by the company's country, the agent at (company id mod their number); else NULL."""
    if not agents_by_country:
        return SQL("NULL")
    return Case(Company.country, [
        (country, agent_ids[0] if len(agent_ids) == 1
         else Case(remainder(Company.id, len(agent_ids)), list(enumerate(agent_ids))))
        for country, agent_ids in sorted(agents_by_country.items())])


def company_tasks(run, actor, now, assignee, text, key):
    """A SELECT of one task per company row, in SELECTED_TASK_FIELDS order (add the WHERE)."""
    return Company.select(
        Company.id.alias("company_id"), Value("task").alias("kind"), typed(run.due_at, "timestamp").alias("due_at"),
        assignee.alias("assignee_id"), text.alias("text"), key.alias("job_key"),
        typed(creator_of(actor), "integer").alias("created_by_id"), typed(now, "timestamp").alias("created_at"))


def review_tasks(run, actor=None, now=None):
    """A task for each due company without an open review task, keyed by the day it fell due."""
    interval = run.settings["review_interval_days"]
    due_date = date_text_after(last_reviewed(), interval)
    open_review = Task.select(SQL("1")).where(
        (Task.company == Company.id) & Task.done_at.is_null() & Task.job_key.startswith(REVIEW_TASK_PREFIX))
    return company_tasks(
        run, actor, now, assignee_of_company(run.agents_by_country()),
        joined_text("Review C", Company.id, " ", Company.name, " (due since ", due_date,
                    "), then `crmctl review done C", Company.id, "`"),
        joined_text(f"{REVIEW_TASK_PREFIX}C", Company.id, ":", due_date),
    ).where(due_condition(run.today, interval) & ~fn.EXISTS(open_review))


def account_review_tasks(run, actor=None, now=None):
    """For each client, one account review a calendar quarter, for its owner or else in turn."""
    quarter = f"{run.today.year}-Q{(run.today.month - 1) // 3 + 1}"
    return company_tasks(
        run, actor, now, fn.COALESCE(Company.owner, assignee_of_company(run.agents_by_country())),
        joined_text("Quarterly account review of C", Company.id, " ", Company.name, f" ({quarter})"),
        joined_text(f"{ACCOUNT_REVIEW_PREFIX}C", Company.id, f":{quarter}"),
    ).where((Company.relationship == "client") & Company.archived_at.is_null())


# The parts, by their name in the run's summary: (their SELECT, the prefix of their keys).
SELECTED_PARTS = {"review_tasks": (review_tasks, REVIEW_TASK_PREFIX),
                  "account_review_tasks": (account_review_tasks, ACCOUNT_REVIEW_PREFIX)}
