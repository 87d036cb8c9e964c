"""Show one record by its typed id, with what hangs on it."""
# Core modules are imported inside the callbacks, so `crmctl COMMAND --help` loads no database code.
import click

from crmctl.cli.output import format_option, message, print_record, print_records
from crmctl.cli.session import pass_session

# A card on a terminal shows these sections (JSON and CSV have every one): the timeline
# already holds a lead's communications, notes and status changes.
CARD_SECTIONS = {
    "company": ("aliases", "leads", "deals", "tasks", "activity"),
    "lead": ("contacts", "submissions", "deals", "tasks", "activity"),
}
CARD_KEYS = {"aliases", "leads", "submissions", "communications", "notes", "tasks", "deals", "events",
             "status_changes", "activity"}
TIMELINE_COLUMNS = ["at", "what", "id", "lead_id", "agent", "text"]


@click.command()
@click.argument("record_id", metavar="ID")
@click.option("--all", "everything", is_flag=True,
              help="The whole timeline and every deal (a card shows the latest 20 entries and open deals).")
@format_option
@pass_session
def show(session, record_id, everything, output_format):
    """Show one record (C12, L34, D5, …) with its related records.

    A company or a lead is shown as its card: its leads (status, owner), open
    deals, open tasks and a timeline of the latest communications, notes,
    status changes and tasks, newest first.
    """
    from crmctl.records.show import show_record

    session.open()
    shown = show_record(record_id, everything=everything)
    if shown.get("archived_at"):  # archived records are shown all the same; the user is told
        message(f"{shown['id']} is archived since {shown['archived_at']}: `crmctl restore {shown['id']}` brings it back")
    if output_format == "json":
        print_record(shown, output_format)
        return
    related = [key for key, value in shown.items() if isinstance(value, list) and value and isinstance(value[0], dict)]
    card = CARD_SECTIONS.get({"C": "company", "L": "lead"}.get(str(shown.get("id", ""))[:1]))
    sections = [key for key in card if key in related] if card else related
    print_record({key: value for key, value in shown.items() if key not in related and key not in CARD_KEYS},
                 output_format)
    for key in sections:
        click.echo(f"\n{key}:")
        print_records(shown[key], output_format, columns=TIMELINE_COLUMNS if key == "activity" else None)
