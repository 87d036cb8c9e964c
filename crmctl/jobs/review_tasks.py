"""The parts of `review run` that the database writes itself: reviews, follow-ups and account reviews.

The first run over a million companies wants a review task for nearly every
one of them, every lead in the cadence a follow-up and every client an
account review each quarter. Planned row by row, each task's values cross
from the driver into Python and back (about 18 of the first run's 22 s at
1,000,000 companies). Here each part is one SELECT that makes every task's
job_key and text from its row, written by
`crmctl.jobs.job_tasks.insert_selected_tasks` (INSERT ... SELECT, skipping a
key already taken, so a re-run or a racing run adds nothing twice) and
counted the same way by a dry run.

The rules are those of `crmctl.jobs.review` (which companies are due, the
day they fell due) and of `crmctl.jobs.review_run` (who gets a company's
task: the agents of its country ordered by id, the one at company id mod
their number; which step of the cadence a lead has reached), written as
SQL.
"""
import peewee
from peewee import SQL, Case, Table, Value, fn

from crmctl.jobs.job_tasks import creator_of, typed
from crmctl.jobs.review import REVIEW_TASK_PREFIX, due_condition, last_reviewed
from crmctl.storage.dialect import (backend, computed_once, date_text_after, days_since, joined_text, remainder,
                                    stamp_text)
from crmctl.storage.connection import database_proxy
from crmctl.storage.models import Communication, Company, Lead, Task

ACCOUNT_REVIEW_PREFIX = "account-review:"
FOLLOW_UP_PREFIX = "follow-up:"
LAST_STEP_NOTE = " (the last one before the lead is marked inactive)"
UNANSWERED_TABLE = "crmctl_unanswered_outreach"


def assignee_of_company(agents_by_country, company_id=Company.id, country=Company.country):
    """The task's agent as SQL: by the company's country, the agent at (company id mod their number); else NULL."""
    if not agents_by_country:
        return SQL("NULL")
    return Case(country, [
        (code, agent_ids[0] if len(agent_ids) == 1
         else Case(remainder(company_id, len(agent_ids)), list(enumerate(agent_ids))))
        for code, agent_ids in sorted(agents_by_country.items())])


def task_columns(run, actor, now, assignee, text, key, company=None, lead=None):
    """The columns of a SELECT of tasks, in SELECTED_TASK_FIELDS order and named as them."""
    def hung_on(column):
        return typed(None, "integer") if column is None else column
    return [hung_on(company).alias("company_id"), hung_on(lead).alias("lead_id"),
            typed(None, "integer").alias("deal_id"), Value("task").alias("kind"),
            typed(run.due_at, "timestamp").alias("due_at"), assignee.alias("assignee_id"), text.alias("text"),
            key.alias("job_key"), typed(creator_of(actor), "integer").alias("created_by_id"),
            typed(now, "timestamp").alias("created_at")]


def company_tasks(run, actor, now, assignee, text, key):
    """A SELECT of one task per company row (add the WHERE)."""
    return Company.select(*task_columns(run, actor, now, assignee, text, key, company=Company.id))


def review_tasks(run, actor=None, now=None):
    """A task for each due company without an open review task, keyed by the day it fell due."""
    interval = run.settings["review_interval_days"]
    open_review = Task.select(SQL("1")).where(
        (Task.company == Company.id) & Task.done_at.is_null() & Task.job_key.startswith(REVIEW_TASK_PREFIX))
    # The due day once per company: the task's text and key both name it.
    due = computed_once(
        Company.select(Company.id, Company.name, Company.country,
                       date_text_after(last_reviewed(), interval).alias("due_date"))
        .where(due_condition(run.today, interval) & ~fn.EXISTS(open_review))).alias("due")
    return Company.select(*task_columns(
        run, actor, now, assignee_of_company(run.agents_by_country(), due.c.id, due.c.country),
        joined_text("Review C", due.c.id, " ", due.c.name, " (due since ", due.c.due_date,
                    "), then `crmctl review done C", due.c.id, "`"),
        joined_text(f"{REVIEW_TASK_PREFIX}C", due.c.id, ":", due.c.due_date),
        company=due.c.id,
    )).from_(due)


def account_review_tasks(run, actor=None, now=None):
    """For each client, one account review a calendar quarter, for its owner or else in turn."""
    quarter = f"{run.today.year}-Q{(run.today.month - 1) // 3 + 1}"
    return company_tasks(
        run, actor, now, fn.COALESCE(Company.owner, assignee_of_company(run.agents_by_country())),
        joined_text("Quarterly account review of C", Company.id, " ", Company.name, f" ({quarter})"),
        joined_text(f"{ACCOUNT_REVIEW_PREFIX}C", Company.id, f":{quarter}"),
    ).where((Company.relationship == "client") & Company.archived_at.is_null())


def unanswered_outreach(run):
    """Per lead in the cadence, the first outbound communication that no inbound one has answered since.

    Counted from the company's last review when there was one (`review done`
    sets the leads back to Sent Request and a new outreach begins). A
    subquery of (lead_id, owner_id, since); in a writing run, the temporary
    table `keep_unanswered_outreach` filled with it.
    """
    if getattr(run, "unanswered_table", None) is not None:
        return run.unanswered_table.alias("unanswered")
    return unanswered_outreach_query(run).alias("unanswered")


def keep_unanswered_outreach(run):
    """Work the unanswered outreach out once for the run, into a temporary table its two readers share.

    The follow-ups and the leads past the cadence both start from it, and it
    is a grouped scan of every outbound communication (0.4 s at 1,000,000
    companies): a writing run keeps it instead of asking twice. Call inside
    the run's transaction; `drop_unanswered_outreach` at its end (a temporary
    table lasts as long as the connection, which a test or a script may keep).
    """
    database = database_proxy.obj
    drop_unanswered_outreach(run)  # one a failed run left on the connection (MariaDB keeps it past a rollback)
    sql, params = unanswered_outreach_query(run).sql()
    try:
        with database.atomic():  # a savepoint: a refused CREATE leaves the run's transaction usable
            database.execute_sql(f"CREATE TEMPORARY TABLE {UNANSWERED_TABLE} AS {sql}", params)
    except peewee.DatabaseError as error:
        if not refused_by_rights(error):  # a deadlock or a lost connection: the run's retry or error handles it
            raise
        run.unanswered_table = None  # a user without the right to make temporary tables: both ask the query
        return
    run.unanswered_table = Table(UNANSWERED_TABLE)  # its columns: lead_id, owner_id, since


def refused_by_rights(error):
    """The database refused for want of a privilege (PostgreSQL 42501; MySQL/MariaDB 1044, 1142)."""
    cause = error.__cause__ or error.__context__ or error
    code = getattr(cause, "pgcode", None) or (cause.args[0] if getattr(cause, "args", None) else None)
    return code in ("42501", 1044, 1142) or (error.args and error.args[0] in (1044, 1142))


def drop_unanswered_outreach(run):
    """Drop the run's temporary table (a rollback drops it on PostgreSQL and SQLite, not on MariaDB)."""
    temporary = "TEMPORARY " if backend() == "mysql" else ""
    database_proxy.obj.execute_sql(f"DROP {temporary}TABLE IF EXISTS {UNANSWERED_TABLE}")
    run.unanswered_table = None


def unanswered_outreach_query(run):
    answer = Communication.alias("answer")
    answered = answer.select(SQL("1")).where(
        (answer.lead == Communication.lead) & (answer.direction == "inbound")
        & (answer.occurred_at >= Communication.occurred_at))
    query = (Communication.select(Communication.lead.alias("lead_id"), Lead.owner.alias("owner_id"),
                                  fn.MIN(Communication.occurred_at).alias("since"))
             .join(Lead, on=(Communication.lead == Lead.id)).join(Company, on=(Lead.company == Company.id))
             .where((Communication.direction == "outbound") & (Communication.occurred_at <= run.moment)
                    & (Company.last_reviewed_at.is_null() | (Communication.occurred_at >= Company.last_reviewed_at))
                    & Lead.inactive_at.is_null() & ~fn.EXISTS(answered))
             .group_by(Communication.lead, Lead.owner))
    return run.eligible_leads(query)


def follow_up_tasks(run, actor=None, now=None):
    """A task for the latest step of the cadence a lead has reached (days since `since`), for its owner."""
    unanswered = unanswered_outreach(run)
    days, steps = days_since(unanswered.c.since, run.today), sorted(run.cadence)
    step = Case(None, [(days >= each, each) for each in reversed(steps)])
    note = Case(None, [(days >= steps[-1], LAST_STEP_NOTE)], "")
    return Lead.select(*task_columns(
        run, actor, now, unanswered.c.owner_id,
        joined_text("Follow up with L", unanswered.c.lead_id, ", day ", step, note, ": no answer since ",
                    date_text_after(unanswered.c.since, 0)),
        joined_text(f"{FOLLOW_UP_PREFIX}L", unanswered.c.lead_id, ":", stamp_text(unanswered.c.since), ":d", step),
        lead=unanswered.c.lead_id,
    )).from_(unanswered).where((days >= steps[0]) & (days <= steps[-1]))


def leads_past_the_cadence(run):
    """The leads whose unanswered outreach is older than the cadence's last step: to be marked inactive."""
    unanswered = unanswered_outreach(run)
    past = days_since(unanswered.c.since, run.today) > max(run.cadence)
    return Lead.select(unanswered.c.lead_id).from_(unanswered).where(past).order_by(unanswered.c.lead_id)


# The parts, by their name in the run's summary: (their SELECT, the prefix of their keys).
SELECTED_PARTS = {"review_tasks": (review_tasks, REVIEW_TASK_PREFIX),
                  "follow_up_tasks": (follow_up_tasks, FOLLOW_UP_PREFIX),
                  "account_review_tasks": (account_review_tasks, ACCOUNT_REVIEW_PREFIX)}
