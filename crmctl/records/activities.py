"""What happens around leads and companies: communications, notes, tasks, deals, engagement events.

Each `add_*` takes plain values (typed ids, texts, ISO dates), validates them
against the vocabulary (exit 2 naming the field), checks the acting agent's role
and stores the record through the one History mechanism.
"""
import datetime

from crmctl.errors import BadInput
from crmctl.kinds.ids import fetch_record, kind_of, typed_id
from crmctl.records.archived import refuse_archived
from crmctl.records.batch import create_one
from crmctl.records.companies import agent_id
from crmctl.records.scoring import rescored_after_event
from crmctl.dates import parse_date, parse_datetime, utcnow
from crmctl.rules.permissions import require, working_agent
from crmctl.rules.settings import load_settings
from crmctl.rules.values import clean_text, free_text
from crmctl.rules.vocabulary import (communication_channel_named, communication_direction_named,
                                     communication_type_named, event_kind_named, task_kind_named)
from crmctl.storage.connection import write_transaction
from crmctl.storage.models import Communication, EngagementEvent, Lead, Note, Task

# A communication's follow-up reminder is due at this hour (UTC) of its date.
FOLLOW_UP_HOUR = 9

# What a note or a task can hang on.
SUBJECT_KINDS = ["company", "lead", "deal"]


def fetch_lead(lead):
    """The lead a communication or an event is logged on; an archived one is refused until restored."""
    lead = lead if isinstance(lead, Lead) else fetch_record(lead, ["lead"])
    refuse_archived(lead)
    return lead


def subject_columns(subject):
    """{"company": id} / {"lead": id} / {"deal": id} for a typed id such as C12, L34 or D5; an archived record
    takes no new note or task until restored (work on it would hang on something no listing shows)."""
    record = fetch_record(subject, SUBJECT_KINDS)
    refuse_archived(record)
    return {kind_of(record): record.id}


def optional_datetime(value, field):
    return parse_datetime(value, field) if value not in (None, "") else None


def optional_date(value, field):
    return parse_date(value, field) if value not in (None, "") else None


def required_text(value, field, option):
    text = free_text(value, field)
    if text is None:
        raise BadInput(f"{field} is required ({option})")
    return text


def add_communication(actor, lead, type, channel, placement=None, notes=None, on=None, follow_up_on=None,
                      direction=None):
    """Log one conversation with a lead; `notes` is the whole conversation text.

    `direction` is outbound (we wrote, the default) or inbound (the lead
    answered). Any agent logs communications on any lead (SPEC §3 lists it
    without the ownership condition it puts on status changes): a lead in the
    pool or a colleague's may write to whoever it knows, and the record of what
    was said must be complete. `follow_up_on` also gives the author a reminder
    task on the lead, due that day at FOLLOW_UP_HOUR UTC, returned as the
    communication's `follow_up_task` (None without a date).
    """
    require(actor, "log communication")
    lead = fetch_lead(lead)
    reminder_on = optional_date(follow_up_on, "follow_up_on")
    values = {
        "lead": lead.id,
        "agent": agent_id(actor),
        "type": communication_type_named(type),
        "channel": communication_channel_named(channel),
        "placement": clean_text(placement, "placement", Communication.placement),
        "notes": free_text(notes, "notes"),
        "occurred_at": optional_datetime(on, "date (--on)") or utcnow(),
        "follow_up_on": reminder_on,
        "direction": communication_direction_named(direction) if direction not in (None, "") else "outbound",
    }
    with write_transaction():
        communication = create_one(Communication, actor, **values)
        communication.follow_up_task = None
        if reminder_on is not None:
            communication.follow_up_task = create_one(Task, actor, lead=lead.id, kind="task",
                              due_at=datetime.datetime.combine(reminder_on, datetime.time(FOLLOW_UP_HOUR)),
                              assignee=agent_id(actor), created_by=agent_id(actor),
                              text=f"Follow up with {lead.full_name} ({values['type']} on {values['channel']}, "
                                   f"{typed_id('communication', communication.id)})")
        return communication


def add_note(actor, subject, text):
    """A remark on a company, lead or deal."""
    require(actor, "add note")
    columns = subject_columns(subject)
    text = required_text(text, "note text", "--text")
    with write_transaction():
        return create_one(Note, actor, text=text, author=agent_id(actor), **columns)


def add_task(actor, subject, kind, due, assignee=None, text=None):
    """A to-do on a company, lead or deal; assigned to the acting agent unless told otherwise (by a manager)."""
    require(actor, "add task")
    columns = subject_columns(subject)
    kind = task_kind_named(kind)
    if due in (None, ""):
        raise BadInput("due date and time is required (--due)")
    due_at = parse_datetime(due, "due (--due)")
    assignee_id = agent_id(actor)
    if assignee not in (None, ""):
        given = working_agent(assignee, "be given tasks").id
        if given != assignee_id:  # giving work to someone else is allocation (SPEC §3: managers)
            require(actor, "allocate")
        assignee_id = given
    with write_transaction():
        return create_one(Task, actor, kind=kind, due_at=due_at, assignee=assignee_id,
            text=free_text(text, "task text"), created_by=agent_id(actor), **columns,
        )


def add_event(actor, lead, kind, on=None):
    """An engagement event (a website visit, a demo request, …) that scoring counts."""
    require(actor, "add event")
    lead = fetch_lead(lead)
    kind = event_kind_named(kind, load_settings())
    occurred_at = optional_datetime(on, "date (--on)") or utcnow()

    with write_transaction():
        return rescored_after_event(actor, create_one(EngagementEvent, actor, lead=lead.id, kind=kind,
                                                      occurred_at=occurred_at, created_by=agent_id(actor)))
