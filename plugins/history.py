"""Every recorded change of one record: who, when, field, old and new value."""
# Core modules are imported inside the callbacks, so `crmctl COMMAND --help` loads no database code.
import click

from crmctl.cli.output import format_option, print_records
from crmctl.cli.session import pass_session


@click.command()
@click.argument("record_id", metavar="ID")
@format_option
@pass_session
def history(session, record_id, output_format):
    """Show the history of a record (C12, L34, …)."""
    from crmctl.dates import iso
    from crmctl.records.history import history_of
    from crmctl.kinds.ids import parse_typed_id, typed_id

    session.open()
    kind, number = parse_typed_id(record_id)
    entity = typed_id(kind, number)
    rows = [
        {
            "at": iso(row.at),
            "agent": row.agent_email,
            "entity": row.entity,
            "action": row.action,
            "field": row.field,
            "old_value": row.old_value,
            "new_value": row.new_value,
        }
        for row in history_of(entity)
    ]
    if not rows:
        from crmctl.kinds.ids import fetch_record

        fetch_record(entity)  # exit 4 when the record never existed
    print_records(rows, output_format)
