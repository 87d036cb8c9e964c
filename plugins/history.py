"""Every recorded change of one record (history ID), or of one bulk action (history --bulk N)."""
# Core modules are imported inside the callbacks, so `crmctl history --help` loads no database code.
import click

from crmctl.cli.output import format_option, message, print_records
from crmctl.cli.session import pass_session


@click.command()
@click.argument("record_id", metavar="[ID]", required=False)
@click.option("--bulk", "bulk_id", type=click.IntRange(min=1), metavar="N",
              help="Every change of bulk action N (the bulk column of a record's history names it).")
@format_option
@pass_session
def history(session, record_id, bulk_id, output_format):
    """Show the history of a record (C12, L34, …), or of a bulk action (--bulk N).

    \b
    Each row says who changed which field when, from what to what; a change
    made by a bulk status, assign, archive or pool put names its bulk action,
    one made by an import or a merge its batch (B7) or merge (X2). The
    history of B7 or X2 is every change that import or merge made.
    Examples:
      crmctl history L34
      crmctl history --bulk 7
    """
    from crmctl.dates import iso
    from crmctl.kinds.ids import typed_id
    from crmctl.records.history import history_of

    if (record_id is None) == (bulk_id is None):
        raise click.UsageError("give a record ID or --bulk N")
    session.open()
    if bulk_id is not None:
        rows = bulk_history(bulk_id)
    else:
        from crmctl.kinds.ids import parse_typed_id

        kind, number = parse_typed_id(record_id)
        rows = history_of(kind, number)
        if not rows:
            from crmctl.kinds.ids import fetch_record

            fetch_record(typed_id(kind, number))  # exit 4 when the record never existed
    print_records([
        {
            "at": iso(row.at),
            "agent": row.agent_email,
            "entity": row.entity,
            "action": row.action,
            "field": row.field,
            "old_value": row.old_value,
            "new_value": row.new_value,
            "bulk": row.bulk,
            "batch": typed_id("batch", row.batch) if row.batch else None,  # the import that wrote it
            "merge": typed_id("merge", row.merge) if row.merge else None,
        }
        for row in rows
    ], output_format)


def bulk_history(bulk_id):
    """The rows of bulk action N, after a line on stderr saying what it was."""
    from crmctl.dates import iso
    from crmctl.errors import NotFound
    from crmctl.storage.models import BulkAction, History

    action = BulkAction.get_or_none(BulkAction.id == bulk_id)
    if action is None:
        raise NotFound(f"bulk action {bulk_id} not found")
    message(f"bulk action {action.id}: {action.action} of {action.count} by {action.agent_email or 'nobody'} at "
            f"{iso(action.at)}, selection {action.selection}")
    return list(History.select().where(History.bulk == bulk_id).order_by(History.id))
