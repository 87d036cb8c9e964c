"""Keep the other names a company is known by, which count as its name in duplicate checks."""
# Core modules are imported inside the callbacks, so `crmctl COMMAND --help` loads no database code.
import click

from crmctl.cli.output import format_option, message, print_record, print_records
from crmctl.cli.session import pass_session


@click.group()
def alias():
    """Keep the other names a company is known by, which count as its name in duplicate checks."""


@alias.command("add")
@click.argument("company", metavar="COMPANY")
@click.argument("name", metavar="NAME")
@click.option("--force", is_flag=True,
              help="Keep an alias that is another company's name in the same country; History records it.")
@format_option
@pass_session
def add_alias_command(session, company, name, force, output_format):
    """Give COMPANY (C12) another NAME: an acronym, a short or a former name (managers)."""
    from crmctl.records.aliases import add_alias, alias_dict

    session.open()
    added = add_alias(session.actor, company, name, force=force)
    print_record(alias_dict(added.company_id, added.name, added.created_at, session.actor.email), output_format)


@alias.command("list")
@click.argument("company", metavar="[COMPANY]", required=False)
@format_option
@pass_session
def list_aliases_command(session, company, output_format):
    """List the aliases of COMPANY (C12), or of every company."""
    from crmctl.records.aliases import list_aliases

    session.open()
    print_records(list_aliases(company), output_format, columns=["company", "name", "created_at", "created_by"])


@alias.command("remove")
@click.argument("company", metavar="COMPANY")
@click.argument("name", metavar="NAME")
@format_option
@pass_session
def remove_alias_command(session, company, name, output_format):
    """Take the alias NAME from COMPANY (C12) (managers)."""
    from crmctl.records.aliases import alias_dict, remove_alias

    session.open()
    removed = remove_alias(session.actor, company, name)
    shown = alias_dict(removed.company_id, removed.name, removed.created_at,
                       removed.created_by.email if removed.created_by_id else None)
    message(f"removed the alias {removed.name!r} from {shown['company']}")
    print_record(shown, output_format)
