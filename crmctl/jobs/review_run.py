"""`review run`, the daily cron job: one idempotent pass that creates what is due and lists what slipped.

Each part reads what it needs in one or two SQL queries (never one per
record) and names the tasks it wants by a deterministic job_key
(`crmctl.jobs.job_tasks`), so a re-run on the same day, or a second process
started at the same moment, creates nothing twice:

- review tasks for the due companies (`crmctl.jobs.review`), each given to an
  active agent of the company's country: the agents ordered by id, a company
  to the agent at (company id mod their number), so the work spreads evenly
  and the same company goes to the same agent on every run; the database
  writes these itself, by one INSERT ... SELECT (`crmctl.jobs.review_tasks`);
- the follow-up cadence (`follow_up_cadence_days`, 1, 3, 7, 14): counted from
  the first outbound communication that no inbound one has answered since
  (and, when the company was reviewed, since its review: `review done` sets
  the leads back to Sent Request and a new outreach begins), a task for the
  latest step reached (written by the database too); after the last step the
  lead is marked inactive, and an inactive lead gets a re-engagement task every
  `reengagement_interval_days` (30) until it answers;
- for clients, a renewal task `renewal_notice_days` (90) before a deal's
  contract end and an account review task each calendar quarter (for the
  company's owner, else in turn as above; written by the database too);
- the services pipeline (playbook 001): a deal in New Leads gets the cadence
  from the day it entered the stage, one in Follow Up With only once
  `services_manual_touch_days` (30) have passed without a manual touch, Stop
  Automation/Nurture nothing; a deal in Service Completed a feedback-request
  task; a meeting due tomorrow an appointment-reminder task. A reply (an
  inbound communication of the deal's lead) stops a deal's cadence;
- it lists, without writing, the reminders due today (Follow Up and Event
  dates, communications' follow-up dates, people's own open tasks) and the
  response-time breaches whose deadline passed in the 24 hours before the
  run: a new inbound lead (its first submission) not answered by an outbound
  communication within `response_time_new_lead_hours` business hours, an
  existing customer (a client's submission or inbound communication) within
  `response_time_customer_hours`.

The writing run takes the lock `job:review-run` at the start of its one
transaction and reads everything after it, so a second run waits and then
finds the first one's work done; the unique job_key stays the last word.
"""
import datetime
from collections import namedtuple

import peewee
from peewee import fn

from crmctl.dates import iso, parse_date, parse_datetime, utcnow
from crmctl.errors import BadInput
from crmctl.jobs.job_tasks import (JobTask, insert_job_tasks, insert_selected_tasks, missing_selected_tasks,
                                   missing_tasks, write_history_rows)
from crmctl.jobs.review_tasks import (SELECTED_PARTS, drop_unanswered_outreach, keep_unanswered_outreach,
                                     leads_past_the_cadence)
from crmctl.records.batch import run_in_transaction
from crmctl.rules.business_time import BusinessClock
from crmctl.rules.permissions import require
from crmctl.storage.connection import database_proxy
from crmctl.storage.dialect import reading_without_row_locks
from crmctl.storage.locks import lock_names
from crmctl.storage.models import Agent, Communication, Company, Deal, Lead, Submission, Task

RUN_LOCK = "job:review-run"
INACTIVE_CHUNK = 1000
HISTORY_ACTION = "review run"
DAY = datetime.timedelta(days=1)
# Leads whose status already says what comes next get no automatic follow-up.
NO_CADENCE_STATUSES = ("Not Interested", "Call", "Event", "Follow Up")
SERVICES = "services"
NEW_LEADS, FOLLOW_UP_WITH, SERVICE_COMPLETED = "New Leads", "Follow Up With", "Service Completed"
# The task lists of a run, in the order of its summary.
TASK_PARTS = ("review_tasks", "follow_up_tasks", "reengagement_tasks", "renewal_tasks", "account_review_tasks",
              "deal_follow_up_tasks", "feedback_tasks", "appointment_reminders")
PLANNED_PARTS = tuple(part for part in TASK_PARTS if part not in SELECTED_PARTS)

Breach = namedtuple("Breach", "lead kind since deadline first_response")


def run_moment(today_text=None):
    """(today, moment) of a run: now; or a given date, as of its end (23:59:59 UTC); or a given datetime."""
    if today_text is None:
        moment = utcnow()
        return moment.date(), moment
    text = str(today_text).strip()
    if len(text) <= 10:
        today = parse_date(text, "--today")
        return today, datetime.datetime.combine(today, datetime.time(23, 59, 59))
    moment = parse_datetime(text, "--today")
    return moment.date(), moment


def as_datetime(value):
    """SQLite hands MIN/COALESCE of datetimes back as text."""
    if value is None or isinstance(value, datetime.datetime):
        return value
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time())
    return datetime.datetime.fromisoformat(str(value))


def stamp(moment):
    return moment.strftime("%Y%m%dT%H%M%S")


def rows_of(query):
    """A query's rows as the driver hands them over: a million rows skip Peewee's conversion of each value."""
    return database_proxy.obj.execute_sql(*query.sql())


def latest_step(days, steps):
    """The last cadence step reached after `days` days, or None before the first."""
    reached = [step for step in steps if step <= days]
    return reached[-1] if reached else None


class ReviewRun:
    """What one run does as of `today` (`moment` for response times): planned by reads, then written."""

    def __init__(self, settings, today, moment, actor):
        self.settings, self.today, self.moment, self.actor = settings, today, moment, actor
        self.clock = BusinessClock(settings)
        self.due_at = self.clock.opening_on(today)
        self.cadence = list(settings["follow_up_cadence_days"])
        self.tasks = {part: [] for part in PLANNED_PARTS}
        self.inactive = []
        self._agents = None
        self.unanswered_table = None  # a writing run's temporary table (crmctl.jobs.review_tasks)

    # -- who gets the work ---------------------------------------------------

    def agents_by_country(self):
        """Active agents of each country, ordered by id (one query)."""
        if self._agents is None:
            self._agents = {}
            query = (Agent.select(Agent.id, Agent.country).where(Agent.active & Agent.country.is_null(False))
                     .order_by(Agent.id).tuples())
            for agent_id, country in query:
                self._agents.setdefault(country, []).append(agent_id)
        return self._agents

    # -- the parts -----------------------------------------------------------

    def eligible_leads(self, query):
        return query.where(Lead.archived_at.is_null() & Lead.converted_at.is_null()
                           & Lead.status.not_in(NO_CADENCE_STATUSES) & Company.archived_at.is_null()
                           & (Company.relationship != "not relevant"))

    def plan_inactive(self):
        """The leads past the cadence's last step without an answer (their follow-ups: `review_tasks`)."""
        self.inactive = [lead_id for (lead_id,) in rows_of(leads_past_the_cadence(self))]

    def plan_reengagement(self):
        """An inactive lead that has not answered since: a task every `reengagement_interval_days`."""
        interval = self.settings["reengagement_interval_days"]
        answered = Communication.select(peewee.SQL("1")).where(
            (Communication.lead == Lead.id) & (Communication.direction == "inbound")
            & (Communication.occurred_at >= Lead.inactive_at))
        query = (Lead.select(Lead.id, Lead.owner, Lead.inactive_at).join(Company, on=(Lead.company == Company.id))
                 .where(Lead.inactive_at.is_null(False) & (Lead.inactive_at <= self.moment) & ~fn.EXISTS(answered)))
        for lead_id, owner, inactive_at in rows_of(self.eligible_leads(query)):
            inactive_at = as_datetime(inactive_at)
            cycle = (self.today - inactive_at.date()).days // interval
            if cycle >= 1:
                self.tasks["reengagement_tasks"].append(JobTask(
                    f"re-engage:L{lead_id}:{stamp(inactive_at)}:{cycle}", "task", self.due_at,
                    f"Re-engage L{lead_id}: inactive since {inactive_at.date().isoformat()}",
                    lead=lead_id, assignee=owner))

    def plan_renewals(self):
        """For clients, a renewal task ahead of a contract's end (their account reviews: `review_tasks`)."""
        notice = self.settings["renewal_notice_days"]
        deals = (Deal.select(Deal.id, Deal.name, Deal.contract_end, fn.COALESCE(Deal.owner, Company.owner))
                 .join(Company, on=(Deal.company == Company.id))
                 .where((Company.relationship == "client") & Company.archived_at.is_null()
                        & Deal.archived_at.is_null() & Deal.status.in_(("open", "won"))
                        & (Deal.contract_end >= self.today)
                        & (Deal.contract_end <= self.today + datetime.timedelta(days=notice))))
        for deal_id, name, contract_end, owner in rows_of(deals):
            contract_end = parse_date(contract_end)
            self.tasks["renewal_tasks"].append(JobTask(
                f"renewal:D{deal_id}:{contract_end.isoformat()}", "task", self.due_at,
                f"Start the renewal of D{deal_id} {name}: its contract ends on {contract_end.isoformat()}",
                deal=deal_id, assignee=owner))

    def plan_services(self):
        """The services pipeline's automation (see the module's docstring)."""
        delay = self.settings["services_manual_touch_days"]
        entered = fn.COALESCE(Deal.stage_entered_at, Deal.created_at)
        touched = fn.COALESCE(Deal.touched_at, Deal.stage_entered_at, Deal.created_at)
        replied = Communication.select(peewee.SQL("1")).where(
            (Communication.lead == Deal.lead) & (Communication.direction == "inbound")
            & (Communication.occurred_at >= entered))
        deals = (Deal.select(Deal.id, Deal.stage, Deal.owner, entered, touched, ~fn.EXISTS(replied))
                 .where((Deal.pipeline == SERVICES) & (Deal.status == "open") & Deal.archived_at.is_null()
                        & Deal.stage.in_((NEW_LEADS, FOLLOW_UP_WITH, SERVICE_COMPLETED))))
        for deal_id, stage, owner, entered_at, touched_at, unanswered in rows_of(deals):
            entered_at, touched_at = as_datetime(entered_at), as_datetime(touched_at)
            if stage == SERVICE_COMPLETED:
                self.tasks["feedback_tasks"].append(JobTask(
                    f"feedback:D{deal_id}:{stamp(entered_at)}", "task", self.due_at,
                    f"Ask D{deal_id}'s customer how the service went, then "
                    f"`crmctl deal feedback D{deal_id} positive|negative`", deal=deal_id, assignee=owner))
                continue
            if not unanswered:
                continue
            anchor, waited = (entered_at, 0) if stage == NEW_LEADS else (touched_at, delay)
            step = latest_step((self.today - anchor.date()).days - waited, self.cadence)
            if step is not None:
                self.tasks["deal_follow_up_tasks"].append(JobTask(
                    f"deal-follow-up:D{deal_id}:{stamp(anchor)}+{waited}:d{step}", "task", self.due_at,
                    f"Follow up on D{deal_id} ({stage}), day {step}", deal=deal_id, assignee=owner))
        tomorrow = datetime.datetime.combine(self.today + DAY, datetime.time())
        meetings = (Task.select(Task.id, Task.due_at, Task.assignee, Task.company, Task.lead, Task.deal)
                    .where((Task.kind == "meeting") & Task.done_at.is_null() & (Task.due_at >= tomorrow)
                           & (Task.due_at < tomorrow + DAY)))
        for task_id, due_at, assignee, company, lead, deal in rows_of(meetings):
            due_at = as_datetime(due_at)
            self.tasks["appointment_reminders"].append(JobTask(
                f"appointment-reminder:T{task_id}:{stamp(due_at)}", "task", self.due_at,
                f"Send the appointment reminder for the meeting T{task_id} at {iso(due_at)}",
                company=company, lead=lead, deal=deal, assignee=assignee))

    # -- what is only listed -------------------------------------------------

    def reminders(self):
        """Ids of what falls due today: Follow Up/Event dates, communications' follow-ups, people's own tasks."""
        start = datetime.datetime.combine(self.today, datetime.time())
        leads = (Lead.select(Lead.id).where((Lead.follow_up_on == self.today) & Lead.status.in_(("Follow Up", "Event"))
                                            & Lead.archived_at.is_null()).order_by(Lead.id).tuples())
        communications = (Communication.select(Communication.id).where(Communication.follow_up_on == self.today)
                          .order_by(Communication.id).tuples())
        tasks = (Task.select(Task.id).where((Task.due_at >= start) & (Task.due_at < start + DAY)
                                            & Task.done_at.is_null() & Task.job_key.is_null())
                 .order_by(Task.id).tuples())
        return {"leads": [f"L{i}" for (i,) in leads], "communications": [f"M{i}" for (i,) in communications],
                "tasks": [f"T{i}" for (i,) in tasks]}

    def breaches(self):
        """Response times whose deadline passed in the 24 hours before the run unmet (see the module)."""
        hours = {"customer": self.settings["response_time_customer_hours"],
                 "new lead": self.settings["response_time_new_lead_hours"]}
        # A start further back than the longest span of business hours has a deadline before the last day.
        since = self.moment - DAY - max(self.clock.longest_span(limit) for limit in hours.values())

        def first_response(start):
            return (Communication.select(fn.MIN(Communication.occurred_at))
                    .where((Communication.lead == Lead.id) & (Communication.direction == "outbound")
                           & (Communication.occurred_at >= start)))

        earlier = Submission.alias("earlier")
        first_submission = ~fn.EXISTS(earlier.select(peewee.SQL("1")).where(
            (earlier.lead == Submission.lead) & (earlier.id < Submission.id)))
        client = Company.relationship == "client"
        submissions = (Submission.select(Lead.id, client, Submission.created_at, first_response(Submission.created_at))
                       .join(Lead, on=(Submission.lead == Lead.id)).join(Company, on=(Lead.company == Company.id))
                       .where((Submission.created_at >= since) & (Submission.created_at <= self.moment)
                              & Lead.archived_at.is_null() & (client | first_submission)).tuples())
        answer = Communication.alias("answer")
        answer_response = (answer.select(fn.MIN(answer.occurred_at))
                           .where((answer.lead == Communication.lead) & (answer.direction == "outbound")
                                  & (answer.occurred_at >= Communication.occurred_at)))
        inbound = (Communication.select(Communication.lead, peewee.SQL("1"), Communication.occurred_at,
                                        answer_response)
                   .join(Lead, on=(Communication.lead == Lead.id)).join(Company, on=(Lead.company == Company.id))
                   .where((Communication.direction == "inbound") & (Communication.occurred_at >= since)
                          & (Communication.occurred_at <= self.moment) & client & Lead.archived_at.is_null())
                   .tuples())
        found = []
        for lead_id, is_client, start, response in list(submissions) + list(inbound):
            kind = "customer" if is_client else "new lead"
            start, response = as_datetime(start), as_datetime(response)
            deadline = self.clock.add_hours(start, hours[kind])
            if self.moment - DAY < deadline <= self.moment and (response is None or response > deadline):
                found.append(Breach(f"L{lead_id}", kind, iso(start), iso(deadline), iso(response)))
        return sorted(found, key=lambda breach: (breach.deadline, breach.lead))

    # -- the run -------------------------------------------------------------

    def plan(self):
        """The tasks of the parts planned here; the database makes the others (`crmctl.jobs.review_tasks`)."""
        self.plan_inactive()
        self.plan_reengagement()
        self.plan_renewals()
        self.plan_services()

    def summary(self, selected, created, marked_inactive, reminders, breaches, dry_run):
        """The summary object: counts of what was (or would be) done, then what is listed.

        `selected`: (tasks, of them unassigned) of the parts the database
        makes; `created`: the tasks of the parts planned here.
        """
        result = {"today": self.today.isoformat(), "dry_run": dry_run}
        for part in TASK_PARTS:
            result[part] = selected[part][0] if part in selected else len(created[part])
            if part == "review_tasks":
                result["review_tasks_unassigned"] = selected[part][1]
        result["marked_inactive"] = marked_inactive
        result["reminders_follow_up_dates"] = len(reminders["leads"])
        result["reminders_communication_follow_ups"] = len(reminders["communications"])
        result["reminders_tasks_due"] = len(reminders["tasks"])
        result["response_time_breaches"] = len(breaches)
        result["reminders"] = reminders
        result["breaches"] = [breach._asdict() for breach in breaches]
        return result

    def dry_run(self):
        self.plan()
        created = {part: missing_tasks(tasks) for part, tasks in self.tasks.items()}
        selected = {part: missing_selected_tasks(tasks(self)) for part, (tasks, _prefix) in SELECTED_PARTS.items()}
        return self.summary(selected, created, len(self.inactive), self.reminders(), self.breaches(), True)

    def write(self):
        """Plan and write in one transaction, after the run's lock: a racing run waits and finds it done."""
        lock_names([RUN_LOCK])
        reminders = self.reminders()  # before this run's tasks: people's own tasks only anyway
        now = utcnow()
        keep_unanswered_outreach(self)  # read by the follow-ups and by the leads past the cadence
        selected = {part: insert_selected_tasks(tasks(self, self.actor, now), prefix, self.actor, now)
                    for part, (tasks, prefix) in SELECTED_PARTS.items()}
        self.plan()
        # Dropped once read, not in a `finally`: after a deadlock PostgreSQL refuses every statement until the
        # rollback (which drops the table itself), and the retry must see the deadlock, not that refusal.
        drop_unanswered_outreach(self)
        inserted = insert_job_tasks([task for part in PLANNED_PARTS for task in self.tasks[part]], self.actor, now)
        created = {part: [task for task in tasks if task.key in inserted] for part, tasks in self.tasks.items()}
        marked = mark_inactive(self.inactive, self.actor, self.moment)
        return self.summary(selected, created, marked, reminders, self.breaches(), False)


def mark_inactive(lead_ids, actor, moment):
    """Stamp inactive_at on these leads (those still active): an UPDATE and the History rows per chunk.

    What `update_records` would write for them, without reading every lead's
    row: only inactive_at changes, from nothing to `moment`.
    """
    marked, now, email = 0, utcnow(), actor.email if actor is not None else None
    for start in range(0, len(lead_ids), INACTIVE_CHUNK):
        chunk = lead_ids[start:start + INACTIVE_CHUNK]
        still = [lead_id for (lead_id,) in rows_of(Lead.select(Lead.id).where(
            Lead.id.in_(chunk) & Lead.inactive_at.is_null()))]
        if not still:
            continue
        Lead.update({Lead.inactive_at: moment, Lead.updated_at: now}).where(Lead.id.in_(still)).execute()
        write_history_rows([(now, email, f"L{lead_id}", HISTORY_ACTION, "inactive_at", None, iso(moment))
                            for lead_id in still])
        marked += len(still)
    return marked


def review_run(actor, settings, today=None, dry_run=False):
    """Run the job once as of `today` (text, see `run_moment`); returns its summary (see ReviewRun.summary).

    Writing needs a manager or an admin (it hands out work); a dry run only
    reads, which any agent may.
    """
    if not dry_run:
        require(actor, "allocate")
    day, moment = run_moment(today)
    try:
        BusinessClock(settings)
    except ValueError as error:
        raise BadInput(f"the business hours settings cannot be used: {error}")
    if dry_run:
        return ReviewRun(settings, day, moment, actor).dry_run()
    reading_without_row_locks()  # its INSERT ... SELECTs read every company: people keep editing meanwhile
    return run_in_transaction(lambda: ReviewRun(settings, day, moment, actor).write())
