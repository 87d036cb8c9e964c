"""Show one record by its typed id, with what hangs on it."""
# Core modules are imported inside the callbacks, so `crmctl COMMAND --help` loads no database code.
import click

from crmctl.cli.output import format_option, print_record, print_records
from crmctl.cli.session import pass_session


@click.command()
@click.argument("record_id", metavar="ID")
@format_option
@pass_session
def show(session, record_id, output_format):
    """Show one record (C12, L34, D5, …) with its related records."""
    from crmctl.records.show import show_record

    session.open()
    shown = show_record(record_id)
    if output_format == "json":
        print_record(shown, output_format)
        return
    related = {key: value for key, value in shown.items() if isinstance(value, list) and value and isinstance(value[0], dict)}
    print_record({key: value for key, value in shown.items() if key not in related}, output_format)
    for key, rows in related.items():
        click.echo(f"\n{key}:")
        print_records(rows, output_format)
