"""Tasks: mark them done, list what is due today, overdue or this week, export them to a calendar (.ics)."""
# Core modules are imported inside the callbacks, so `crmctl task --help` loads no database code.
import click

from crmctl.cli.output import (TERMINAL_PAGE_ROWS, format_option, message, more_records_note, pages_on_terminal,
                               print_record, print_records)
from crmctl.cli.session import pass_session
from crmctl.plugins.listing import listing_options

DUE_CHOICES = ("today", "overdue", "week")


@click.group()
def task():
    """Tasks: mark them done, list what is due, export them to a calendar (.ics)."""


@task.command("done")
@click.argument("task_ids", nargs=-1, required=True, metavar="ID...")
@format_option
@pass_session
def done_command(session, task_ids, output_format):
    """Mark tasks done (T9 or 9): by the assignee, the owner of the task's record, or a manager.

    A task that is done already stays as it was (exit 0, and a line says so).
    """
    from crmctl.kinds.shapes import records_dicts
    from crmctl.lifecycle.tasks import complete_tasks

    session.open()
    done_now, already = complete_tasks(session.actor, task_ids)
    for item in already:
        message(f"T{item.id} was already done ({item.done_at.isoformat()}Z)")
    if done_now:
        message(f"done: {', '.join(f'T{item.id}' for item in done_now)}")
    shown = records_dicts("task", sorted(done_now + already, key=lambda item: task_ids_order(task_ids, item.id)))
    if len(shown) == 1:
        print_record(shown[0], output_format)
    else:
        print_records(shown, output_format)


def task_ids_order(task_ids, number):
    for index, text in enumerate(task_ids):
        if "".join(character for character in text if character.isdigit()).lstrip("0") == str(number):
            return index
    return len(task_ids)


@task.command("list")
@click.option("--due", type=click.Choice(DUE_CHOICES), help="Open tasks due today, overdue, or this week "
              "(Monday to Sunday; your local days).")
@click.option("--mine", is_flag=True, help="Only the tasks assigned to you.")
@click.option("--include-done", is_flag=True, help="Done tasks too (by default only open ones).")
@listing_options
@format_option
@pass_session
def list_command(session, due, mine, include_done, where, search, sort, limit, show_all, output_format):
    """List open tasks, soonest due first; a table on a terminal shows due times in your local time."""
    from crmctl.kinds.registry import LISTED
    from crmctl.lifecycle.tasks import local_time_text, task_filters
    from crmctl.query.listing import list_page

    if show_all and limit is not None:
        raise click.UsageError("give --limit or --all, not both")
    session.open()
    actor = session.actor if mine else None
    filters = task_filters(due, mine, actor, open_only=not include_done and not names_done(where)) + list(where)
    paged = pages_on_terminal(output_format) and not show_all
    if paged and limit is None:
        limit = TERMINAL_PAGE_ROWS
    page = list_page("tasks", where=filters, search=search, sort=sort or "due_at", limit=limit, count_more=paged)
    rows = page.rows
    if output_format == "table":
        rows = [dict(row, due_at=local_time_text(row["due_at"]), done_at=local_time_text(row["done_at"]))
                for row in rows]
    columns = list(LISTED["tasks"].list_columns) if output_format == "table" else None
    print_records(rows, output_format, columns=columns, kind=LISTED["tasks"])
    if page.more:
        more_records_note(page.more, at_least=page.more_is_capped)


def names_done(where):
    """A --where on `done` or `done_at` decides for itself which tasks count."""
    return any(condition.strip().lower().startswith("done") for condition in where)


@task.command("export")
@click.argument("path", metavar="FILE.ics")
@click.option("--where", multiple=True, metavar="'FIELD OP VALUE'", help="Filter as `list tasks --where` (repeat to AND).")
@click.option("--search", help="Text in the task.")
@click.option("--due", type=click.Choice(DUE_CHOICES), help="Only open tasks due today, overdue or this week.")
@click.option("--mine", is_flag=True, help="Only the tasks assigned to you.")
@click.option("--include-done", is_flag=True, help="Done tasks too, marked done and without a reminder.")
@format_option
@pass_session
def export_command(session, path, where, search, due, mine, include_done, output_format):
    """Write tasks to an iCalendar file (FILE.ics, or - for stdout) for Google Calendar, Outlook or Apple Calendar.

    Each task is an event at its due time with a reminder 15 minutes before;
    exporting again and importing the new file updates the same events (stable UIDs).
    """
    from crmctl.lifecycle.calendar import export_tasks
    from crmctl.lifecycle.tasks import task_filters

    session.open()
    actor = session.actor if mine else None
    filters = task_filters(due, mine, actor, open_only=not include_done and not names_done(where)) + list(where)
    count, data = export_tasks(path, filters, search)
    if data is not None:
        click.echo(data.decode("utf-8"), nl=False)
        return
    message(f"{count} task{'' if count == 1 else 's'} written to {path}")
    print_record({"file": path, "tasks": count}, output_format)
