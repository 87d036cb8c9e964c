"""`task export FILE.ics`: tasks as an iCalendar file (RFC 5545) that Google Calendar, Outlook and Apple Calendar import.

Each task is one VEVENT whose UID is its typed id (`T9@crmctl`), so importing
a later export updates the same events instead of adding copies; SEQUENCE
counts the task's recorded changes, which is what tells a calendar that the
later copy wins. The event starts at the due time (UTC), lasts
EVENT_MINUTES, names the record it hangs on by typed id and name, and carries
a reminder REMINDER_MINUTES before. A done task keeps its event, marked done
and without a reminder, so a re-export after `task done` updates it. The
file is written by the `icalendar` library, never by hand.
"""
import datetime

from peewee import fn
from playhouse.shortcuts import chunked

from crmctl.files import file_to_replace, replace_when_written
from crmctl.kinds.ids import typed_id
from crmctl.dates import utcnow
from crmctl.query.listing import build_query, listing_for
from crmctl.storage.models import Agent, Company, Deal, History, Lead

PRODUCT_ID = "-//crmctl//crmctl tasks//EN"
UID_DOMAIN = "crmctl"
EVENT_MINUTES = 30
REMINDER_MINUTES = 15


def task_uid(task_id):
    return f"{typed_id('task', task_id)}@{UID_DOMAIN}"


def as_utc(moment):
    return moment.replace(tzinfo=datetime.timezone.utc)


def subject_names(tasks):
    """{(kind, id): "L34 Anna Nowak (Acme Robotics)"} for the records the tasks hang on: one query per kind."""
    names = {}
    lead_ids = sorted({task.lead_id for task in tasks} - {None})
    for chunk in chunked(lead_ids, 500):
        query = (Lead.select(Lead.id, Lead.full_name, Company.name).join(Company, on=(Lead.company == Company.id))
                 .where(Lead.id.in_(chunk)))
        for lead_id, full_name, company_name in query.tuples():
            names[("lead", lead_id)] = f"{typed_id('lead', lead_id)} {full_name} ({company_name})"
    for kind, model, column in (("company", Company, "company_id"), ("deal", Deal, "deal_id")):
        ids = sorted({getattr(task, column) for task in tasks} - {None})
        for chunk in chunked(ids, 500):
            for record_id, name in model.select(model.id, model.name).where(model.id.in_(chunk)).tuples():
                names[(kind, record_id)] = f"{typed_id(kind, record_id)} {name}"
    return names


def subject_key(task):
    for kind, column in (("deal", "deal_id"), ("lead", "lead_id"), ("company", "company_id")):
        if getattr(task, column) is not None:
            return kind, getattr(task, column)
    return None


def change_counts(tasks):
    """{task id: (changes recorded since it was created, the last one's time)}: one grouped query per 500 tasks."""
    found = {}
    labels = {typed_id("task", task.id): task.id for task in tasks}
    for chunk in chunked(sorted(labels), 500):
        query = (History.select(History.entity, fn.COUNT(History.id), fn.MAX(History.at))
                 .where(History.entity.in_(chunk) & (History.action != "create")).group_by(History.entity))
        for entity, count, last in query.tuples():
            if isinstance(last, str):  # SQLite hands an aggregate's datetime back as text
                last = datetime.datetime.fromisoformat(last)
            found[labels[entity]] = (count, last)
    return found


def task_events(tasks, now=None):
    """The icalendar Calendar holding one VEVENT per task."""
    import icalendar  # only this command needs it

    tasks = list(tasks)
    now = now or utcnow()
    names = subject_names(tasks)
    changes = change_counts(tasks)
    assignees = dict(Agent.select(Agent.id, Agent.email)
                     .where(Agent.id.in_(sorted({t.assignee_id for t in tasks} - {None}) or [0])).tuples())
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "crmctl tasks")
    for task in tasks:
        subject = names.get(subject_key(task)) or ""
        words = [f"{task.kind.capitalize()}:", subject]
        if task.text:
            words.append("- " + " ".join(task.text.split())[:200])
        summary = " ".join(word for word in words if word)
        if task.done_at is not None:
            summary = "[done] " + summary
        count, last = changes.get(task.id, (0, None))
        event = icalendar.Event()
        event.add("uid", task_uid(task.id))
        event.add("dtstamp", as_utc(now))
        event.add("dtstart", as_utc(task.due_at))
        # A due time older crmctl let in at the calendar's very end (9999-12-31T23:59) ends where it starts.
        length = datetime.timedelta(minutes=EVENT_MINUTES)
        event.add("dtend", as_utc(task.due_at + length if task.due_at <= datetime.datetime.max - length
                                  else task.due_at))
        event.add("summary", summary)
        description = [f"crmctl {typed_id('task', task.id)} ({task.kind}) on {subject}".rstrip()]
        if task.assignee_id:
            description.append(f"Assignee: {assignees.get(task.assignee_id, '')}")
        if task.text:
            description.append(task.text)
        event.add("description", "\n".join(description))
        event.add("created", as_utc(task.created_at))
        event.add("last-modified", as_utc(max(filter(None, (last, task.created_at)))))
        event.add("sequence", count)
        event.add("categories", ["crmctl", task.kind])
        if task.done_at is None:
            alarm = icalendar.Alarm()
            alarm.add("uid", f"{typed_id('task', task.id)}-reminder@{UID_DOMAIN}")
            alarm.add("action", "DISPLAY")
            alarm.add("description", summary)
            alarm.add("trigger", datetime.timedelta(minutes=-REMINDER_MINUTES))
            event.add_component(alarm)
        calendar.add_component(event)
    return calendar


def export_tasks(path, filters=(), search=None):
    """Write the tasks `list tasks` would give for these filters to `path` (`-`: returned, not written).

    Returns (number of tasks, the file's bytes when `path` is `-`, else None).
    A path that cannot be written (a device, a fifo, a folder) is exit 2 and leaves no half-written file.
    """
    query = build_query(listing_for("tasks"), filters, search, sort="due_at")
    if path != "-":
        file_to_replace(path)
    tasks = list(query)
    data = task_events(tasks).to_ical()
    if path == "-":
        return len(tasks), data

    def write(temporary):
        with open(temporary, "wb") as handle:
            handle.write(data)

    replace_when_written(path, ".ics", write)
    return len(tasks), None
