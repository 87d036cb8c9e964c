"""Tasks in a working day: marking them done, and which are due today, overdue or this week.

A task is done by its assignee, by the owner of the record it hangs on (the
lead, company or deal), or by a manager or admin (SPEC §3 gives managers
everything an agent may do, anywhere). Marking a done task done again changes
nothing and says so (exit 0), so a script may repeat itself. "Today" and "this
week" are the user's local days (the zone of the machine or $TZ), as the due
times are shown on a terminal; times are stored and compared in UTC.
"""
import datetime

from crmctl.errors import BadInput, NotFound, PermissionDenied
from crmctl.kinds.ids import missing_record_message, parse_typed_id, typed_id
from crmctl.records.batch import update_records
from crmctl.dates import iso, utcnow
from crmctl.storage.connection import write_transaction
from crmctl.storage.models import Company, Deal, Lead, Task

DUE_WINDOWS = ("today", "overdue", "week")
MANAGING_ROLES = ("manager", "admin")


def fetch_tasks(texts):
    """The tasks named by typed ids (T9, or a bare 9), in the order given, read in one query; exit 4 for a missing one."""
    numbers = list(dict.fromkeys(parse_typed_id(text, ["task"])[1] for text in texts))
    if not numbers:
        raise BadInput("give one or more task ids (T9)")
    found = {task.id: task for task in Task.select().where(Task.id.in_(numbers))}
    for number in numbers:
        if number not in found:
            raise NotFound(missing_record_message(typed_id("task", number)))
    return [found[number] for number in numbers]


def owners_of_subjects(tasks):
    """{task id: the agent id owning the lead, company or deal it hangs on}: one query per kind of subject."""
    owners = {}
    for model, column in ((Lead, "lead_id"), (Company, "company_id"), (Deal, "deal_id")):
        ids = {getattr(task, column) for task in tasks} - {None}
        if not ids:
            continue
        owner_of = dict(model.select(model.id, model.owner).where(model.id.in_(sorted(ids))).tuples())
        for task in tasks:
            subject = getattr(task, column)
            if subject is not None and task.id not in owners:
                owners[task.id] = owner_of.get(subject)
    return owners


def check_may_complete(actor, tasks):
    """PermissionDenied (exit 5) naming the first task the actor may not mark done."""
    if actor.single_user or actor.role in MANAGING_ROLES:
        return
    owners = owners_of_subjects(tasks)
    me = actor.agent.id
    for task in tasks:
        if me not in (task.assignee_id, owners.get(task.id)):
            raise PermissionDenied(f"{actor.email} may not mark {typed_id('task', task.id)} done: it is neither "
                                   f"assigned to them nor on a record they own")


def complete_tasks(actor, texts):
    """Mark tasks done now; returns (tasks marked now, tasks that were done already), each in the order given."""
    tasks = fetch_tasks(texts)
    check_may_complete(actor, tasks)
    open_tasks = [task for task in tasks if task.done_at is None]
    with write_transaction():
        update_records(open_tasks, actor, {"done_at": utcnow()}, action="done")
    done_now = {task.id for task in open_tasks}
    return [task for task in tasks if task.id in done_now], [task for task in tasks if task.id not in done_now]


# --------------------------------------------------------------------------
# Due windows
# --------------------------------------------------------------------------


def local_midnight(moment_utc):
    """The start of the user's local day holding `moment_utc`, as naive UTC."""
    local = moment_utc.replace(tzinfo=datetime.timezone.utc).astimezone()
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start.astimezone(datetime.timezone.utc).replace(tzinfo=None)


def due_window(due, now=None):
    """(from, until) in naive UTC for `--due today|overdue|week`; either end may be None (open).

    A week is this calendar week, Monday to Sunday in the user's local days, as
    `report weekly` counts weeks: its tasks still open from Monday on are
    listed (they are overdue too), next Monday's are not.
    """
    now = now or utcnow()
    if due == "overdue":
        return None, now
    start = local_midnight(now)
    if due == "today":
        return start, local_midnight(start + datetime.timedelta(hours=36))
    if due == "week":
        # Local dates, stepped a day and a half at a time and cut at midnight, so a change of clocks is no trouble.
        weekday = (start + datetime.timedelta(hours=12)).replace(tzinfo=datetime.timezone.utc).astimezone().weekday()
        monday = local_midnight(start - datetime.timedelta(days=weekday) + datetime.timedelta(hours=12))
        return monday, local_midnight(monday + datetime.timedelta(days=7, hours=12))
    raise BadInput(f"--due {due!r}: one of {', '.join(DUE_WINDOWS)}")


def task_filters(due=None, mine=False, actor=None, now=None, open_only=True):
    """`--where` filters (as `list tasks` reads them) for a due window, the actor's own tasks and open tasks."""
    filters = []
    if open_only:
        filters.append("done=false")
    if due:
        start, until = due_window(due, now)
        if start is not None:
            filters.append(f"due_at>={iso(start)}")
        filters.append(f"due_at<{iso(until)}")
    if mine:
        if actor is None or actor.agent is None:
            raise BadInput("--mine needs an acting agent (--as EMAIL or CRMCTL_AGENT)")
        filters.append(f"assignee={actor.email}")
    return filters


def local_time_text(value):
    """A stored UTC time as the user's local time ("2026-12-01 10:00 +01:00"), for a table on a terminal."""
    if not value:
        return value
    moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone()
    offset = moment.strftime("%z")
    return moment.strftime("%Y-%m-%d %H:%M ") + f"{offset[:3]}:{offset[3:]}"
