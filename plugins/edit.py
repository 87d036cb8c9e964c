"""Change fields of a record: edit ID --set field=value."""
# Core modules are imported inside the callbacks, so `crmctl COMMAND --help` loads no database code.
import click

from crmctl.cli.output import format_option, print_record
from crmctl.cli.session import pass_session


@click.command()
@click.argument("record_id", metavar="ID")
@click.option("--set", "assignments", multiple=True, metavar="FIELD=VALUE", required=True,
              help="A field and its new value (repeatable); an empty value clears it.")
@click.option("--force", is_flag=True, help="Keep a change that makes a likely (not exact) duplicate.")
@format_option
@pass_session
def edit(session, record_id, assignments, force, output_format):
    """Change fields of a record; the same rules as `add` apply."""
    from crmctl.records.editing import edit_record
    from crmctl.kinds.shapes import record_dict

    session.open()
    kind, record = edit_record(session.actor, record_id, assignments, force=force)
    print_record(record_dict(kind, record), output_format)
