"""Saved filters: segment save|list|show|delete, used as list leads --segment NAME."""
# Core modules are imported inside the callbacks, so `crmctl segment --help` loads no database code.
import click

from crmctl.cli.output import format_option, message, print_record, print_records
from crmctl.cli.session import pass_session


@click.group()
def segment():
    """Saved filters: segment save|list|show|delete, used as list leads --segment NAME."""


@segment.command("save")
@click.argument("name")
@click.option("--kind", "kind_plural", type=click.Choice(["leads", "companies"]), default="leads", show_default=True,
              help="What the segment selects.")
@click.option("--where", multiple=True, metavar="'FIELD OP VALUE'",
              help="A filter, as `list KIND --where` takes it (repeat to AND).")
@click.option("--search", help="Text, as `list KIND --search` takes it.")
@click.option("--replace", is_flag=True, help="Overwrite a segment of this name.")
@format_option
@pass_session
def save_command(session, name, kind_plural, where, search, replace, output_format):
    """Save the filters of a listing under NAME.

    \b
    Examples:
      crmctl segment save hot-pl --where country=PL --where score>=60
      crmctl segment save big-robotics --kind companies --where industry=Robotics --where employees>=200
      crmctl list leads --segment hot-pl
    """
    from crmctl.query.segments import save_segment

    session.open()
    saved = save_segment(session.actor, name, kind_plural, where, search, replace=replace)
    message(f"segment {saved['name']} saved ({saved['kind']})")
    print_record(saved, output_format)


@segment.command("list")
@format_option
@pass_session
def list_command(session, output_format):
    """Every saved segment with its filters."""
    from crmctl.query.segments import list_segments

    session.open()
    print_records(list_segments(), output_format, columns=["name", "kind", "where", "search", "created_by"])


@segment.command("show")
@click.argument("name")
@format_option
@pass_session
def show_command(session, name, output_format):
    """One segment's filters and how many records it selects now."""
    from crmctl.query.segments import show_segment

    session.open()
    print_record(show_segment(name), output_format)


@segment.command("delete")
@click.argument("name")
@format_option
@pass_session
def delete_command(session, name, output_format):
    """Delete a saved segment (the records it selected are untouched)."""
    from crmctl.query.segments import delete_segment

    session.open()
    deleted = delete_segment(session.actor, name)
    message(f"segment {deleted['deleted']} deleted")
    print_record(deleted, output_format)
