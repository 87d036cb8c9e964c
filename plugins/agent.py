"""Add, list, change and deactivate agents (admins only, once agents exist)."""
# Core modules are imported inside the callbacks, so `crmctl COMMAND --help` loads no database code.
import click

from crmctl.cli.output import format_option, message, print_record, print_records
from crmctl.cli.session import pass_session


def agent_options(required):
    def decorate(function):
        function = click.option("--linkedin-account", "linkedin_accounts", multiple=True,
                                help="A LinkedIn account the agent works from (repeatable).")(function)
        function = click.option("--country", help="Assigned country (ISO 3166 alpha-2).")(function)
        function = click.option("--role", type=click.Choice(["agent", "manager", "admin"]),
                                required=required, help="What the agent may do.")(function)
        function = click.option("--name", required=required, help="The agent's full name.")(function)
        return function

    return decorate


@click.group()
def agent():
    """Add, list, change and deactivate agents."""


@agent.command("add")
@click.argument("email")
@agent_options(required=True)
@format_option
@pass_session
def add_agent_command(session, email, name, role, country, linkedin_accounts, output_format):
    """Add an agent (the first agent must be an admin)."""
    from crmctl.records.agents import add_agent
    from crmctl.kinds.shapes import agent_record

    session.open()
    created = add_agent(session.actor, email, name, role, country, linkedin_accounts)
    print_record(agent_record(created), output_format)


@agent.command("list")
@format_option
@pass_session
def list_agents_command(session, output_format):
    """List every agent."""
    from crmctl.records.agents import list_agents
    from crmctl.kinds.shapes import agent_record

    session.open()
    print_records([agent_record(a) for a in list_agents()], output_format)


@agent.command("set")
@click.argument("email")
@agent_options(required=False)
@format_option
@pass_session
def set_agent_command(session, email, name, role, country, linkedin_accounts, output_format):
    """Change the options given (same options as `agent add`)."""
    from crmctl.records.agents import set_agent
    from crmctl.kinds.shapes import agent_record

    session.open()
    changed = set_agent(
        session.actor, email, name=name, role=role, country=country,
        linkedin_accounts=linkedin_accounts or None,
    )
    print_record(agent_record(changed), output_format)


@agent.command("deactivate")
@click.argument("email")
@format_option
@pass_session
def deactivate_agent_command(session, email, output_format):
    """Deactivate an agent: it can no longer act, its records stay."""
    from crmctl.records.agents import set_agent
    from crmctl.kinds.shapes import agent_record

    session.open()
    changed = set_agent(session.actor, email, active=False)
    message(f"deactivated {changed.email}")
    print_record(agent_record(changed), output_format)
