"""Add one record (company, lead, comm, note, task, deal, event) with every rule applied.

The rules live in crmctl.records (companies, leads, activities); this
module parses options, calls them with plain values and prints the new record.
"""
# Core modules are imported inside the callbacks, so `crmctl COMMAND --help` loads no database code.
import click

from crmctl.cli.output import format_option, message, print_record, print_records
from crmctl.cli.session import pass_session


def print_duplicates(error, output_format):
    """Show the records a refused duplicate matches (stdout), before the one-line error (stderr)."""
    rows = [candidate.to_dict() for candidate in error.candidates]
    if output_format == "json":
        import json

        click.echo(json.dumps({"duplicates": rows}, ensure_ascii=False, indent=2))
    else:
        for row in rows:
            row["reasons"] = ", ".join(row.get("reasons") or [])
        print_records(rows, output_format)


def refusing_duplicates(output_format, create):
    """Run `create`; on a refused duplicate print the matches, then let the error through."""
    from crmctl.errors import DuplicateFound

    try:
        return create()
    except DuplicateFound as error:
        print_duplicates(error, output_format)
        raise


@click.group()
def add():
    """Add one record (company, lead, comm, note, task, deal, event) with every rule applied."""


@add.command("company")
@click.option("--name", help="The company's name (required).")
@click.option("--website", metavar="URL", help="Its website (required).")
@click.option("--linkedin", metavar="URL", help="Its LinkedIn /company/ page (required).")
@click.option("--employees", metavar="N", help="The whole company's headcount (required).")
@click.option("--industry", help="Its industry (required).")
@click.option("--subindustry")
@click.option("--country", metavar="CC", help="ISO 3166 country code or name (required).")
@click.option("--city")
@click.option("--force", is_flag=True, help="Store a likely (not exact) duplicate; History records who forced it.")
@format_option
@pass_session
def add_company_command(session, name, website, linkedin, employees, industry, subindustry, country, city,
                        force, output_format):
    """Add a company (refused if it duplicates one already in the CRM).

    Which fields are required is the setting required_company_fields (by
    default name, website, LinkedIn page, employees and industry); the country
    is always required.
    """
    from crmctl.records.companies import add_company
    from crmctl.kinds.shapes import record_dict

    session.open()
    company, possible = refusing_duplicates(output_format, lambda: add_company(
        session.actor, name=name, website=website, linkedin_url=linkedin, employee_count=employees,
        industry=industry, subindustry=subindustry, country=country, city=city, force=force,
    ))
    shape = record_dict("company", company)
    if output_format == "json":
        shape["possible_duplicates"] = [candidate.to_dict() for candidate in possible]
    print_record(shape, output_format)
    for candidate in possible:
        message(f"possible duplicate of {candidate.id} {candidate.name} (score {candidate.score:g}: "
                f"{', '.join(candidate.reasons)}); stored anyway")


@add.command("lead")
@click.option("--company", "company_id", required=True, metavar="ID", help="The company (C12 or 12).")
@click.option("--name", required=True, help="The person's full name.")
@click.option("--position", required=True, help="Their position at the company.")
@click.option("--linkedin", metavar="URL", help="Their LinkedIn /in/ profile.")
@click.option("--connections", metavar="N", help="Their LinkedIn connections.")
@click.option("--email", "emails", multiple=True, metavar="EMAIL", help="An e-mail address (repeatable).")
@click.option("--phone", "phones", multiple=True, metavar="PHONE",
              help="A phone number (repeatable); without a country code it is read in the company's country.")
@click.option("--contact", "contacts", multiple=True, metavar="SOURCE=VALUE",
              help="Another contact detail: linkedin, email, phone, facebook, instagram, website or other.")
@click.option("--owner", metavar="EMAIL", help="The agent who owns the lead (default: you).")
@click.option("--force", is_flag=True, help="Store a likely (not exact) duplicate; History records who forced it.")
@format_option
@pass_session
def add_lead_command(session, company_id, name, position, linkedin, connections, emails, phones, contacts,
                     owner, force, output_format):
    """Add a lead (a person) at a company; its status starts at Sent Request."""
    from crmctl.records.leads import ACTING_AGENT, add_lead
    from crmctl.kinds.shapes import record_dict

    session.open()
    lead = refusing_duplicates(output_format, lambda: add_lead(
        session.actor, company_id, full_name=name, position=position, linkedin_url=linkedin,
        connections=connections, emails=emails, phones=phones, contacts=contacts,
        owner=owner if owner is not None else ACTING_AGENT, force=force,
    ))
    print_record(record_dict("lead", lead), output_format)


@add.command("deal")
@click.option("--company", "company_id", required=True, metavar="ID", help="The company (C12 or 12).")
@click.option("--lead", "lead_id", metavar="ID", help="The lead at that company (L34 or 34).")
@click.option("--pipeline", required=True, metavar="NAME", help="A configured pipeline (sales, services, …).")
@click.option("--name", required=True, metavar="TEXT")
@click.option("--amount", metavar="N")
@click.option("--currency", metavar="CCY", help="ISO 4217 code, like EUR.")
@click.option("--stage", metavar="STAGE", help="A stage of the pipeline (default: its first).")
@click.option("--reason", metavar="TEXT", help="Why it is closed, at a closing stage (required for Closed Lost).")
@click.option("--expected-close", metavar="DATE")
@click.option("--contract-end", metavar="DATE", help="When the customer's contract ends.")
@click.option("--decision-criteria", metavar="TEXT")
@click.option("--competition", metavar="TEXT")
@click.option("--stakeholders", metavar="TEXT")
@format_option
@pass_session
def add_deal_command(session, company_id, lead_id, pipeline, name, amount, currency, stage, reason, expected_close,
                     contract_end, decision_criteria, competition, stakeholders, output_format):
    """Add a deal at a company in a pipeline."""
    from crmctl.lifecycle.deals import open_deal
    from crmctl.kinds.shapes import record_dict

    session.open()
    deal = open_deal(session.actor, company_id, name=name, pipeline=pipeline, lead=lead_id, amount=amount,
                    currency=currency, stage=stage, reason=reason, expected_close=expected_close,
                    contract_end=contract_end,
                    decision_criteria=decision_criteria, competition=competition, stakeholders=stakeholders)
    print_record(record_dict("deal", deal), output_format)


@add.command("comm")
@click.argument("lead_id", metavar="LEAD")
@click.option("--type", "comm_type", required=True, metavar="TYPE",
              help="Basic Correspondence, Follow-up, First Connection, Presentation or Event.")
@click.option("--channel", required=True, metavar="CHANNEL",
              help="LinkedIn, Email, Phone, Facebook, Instagram or other.")
@click.option("--placement", metavar="ACCOUNT", help="The account used.")
@click.option("--direction", type=click.Choice(["outbound", "inbound"], case_sensitive=False),
              help="outbound: you wrote (default); inbound: the lead answered.")
@click.option("--notes", metavar="TEXT", help="The whole conversation text.")
@click.option("--notes-file", metavar="FILE", help="Read the conversation text from FILE (- for stdin).")
@click.option("--on", metavar="DATE", help="When it happened (default: now).")
@click.option("--follow-up-on", metavar="DATE",
              help="A reminder date for the next conversation: you get a task due that day at 09:00 UTC.")
@format_option
@pass_session
def add_comm_command(session, lead_id, comm_type, channel, placement, direction, notes, notes_file, on,
                     follow_up_on, output_format):
    """Log a communication with a lead (any agent may log one on any lead)."""
    from crmctl.records.activities import add_communication
    from crmctl.errors import BadInput
    from crmctl.kinds.ids import typed_id_of
    from crmctl.kinds.shapes import record_dict

    if notes is not None and notes_file is not None:
        raise BadInput("give --notes or --notes-file, not both")
    if notes_file is not None:
        from crmctl.rules.values import read_text_file

        notes = read_text_file(notes_file, "--notes-file")
    session.open()
    communication = add_communication(session.actor, lead_id, type=comm_type, channel=channel,
                                      placement=placement, notes=notes, on=on, follow_up_on=follow_up_on,
                                      direction=direction)
    shape = record_dict("communication", communication)
    reminder = communication.follow_up_task
    if reminder is not None:
        shape["follow_up_task"] = typed_id_of(reminder)
        message(f"reminder {shape['follow_up_task']} due {reminder.due_at.isoformat()}Z")
    print_record(shape, output_format)


@add.command("note")
@click.argument("subject_id", metavar="ID")
@click.option("--text", required=True)
@format_option
@pass_session
def add_note_command(session, subject_id, text, output_format):
    """Add a note to a company, lead or deal."""
    from crmctl.records.activities import add_note
    from crmctl.kinds.shapes import record_dict

    session.open()
    print_record(record_dict("note", add_note(session.actor, subject_id, text)), output_format)


@add.command("task")
@click.argument("subject_id", metavar="ID")
@click.option("--kind", required=True, help="task, meeting, comment, call or email.")
@click.option("--due", required=True, metavar="DATETIME", help="ISO date or datetime (UTC unless an offset is given).")
@click.option("--assignee", metavar="EMAIL", help="The agent who does it (default: you).")
@click.option("--text")
@format_option
@pass_session
def add_task_command(session, subject_id, kind, due, assignee, text, output_format):
    """Add a task to a company, lead or deal."""
    from crmctl.records.activities import add_task
    from crmctl.kinds.shapes import record_dict

    session.open()
    task = add_task(session.actor, subject_id, kind=kind, due=due, assignee=assignee, text=text)
    print_record(record_dict("task", task), output_format)


@add.command("event")
@click.argument("lead_id", metavar="LEAD")
@click.option("--kind", required=True,
              help="website_visit, content_download, email_open, email_click, demo_request, pricing_enquiry, contact_form.")
@click.option("--on", metavar="DATE", help="When it happened (default: now).")
@format_option
@pass_session
def add_event_command(session, lead_id, kind, on, output_format):
    """Record an engagement event of a lead (counts towards its score)."""
    from crmctl.records.activities import add_event
    from crmctl.kinds.shapes import record_dict

    session.open()
    print_record(record_dict("event", add_event(session.actor, lead_id, kind=kind, on=on)), output_format)
