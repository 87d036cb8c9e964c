"""Read and change the configurable rules (admins only, once agents exist)."""
import json

import click

from crmctl.output import format_option, print_record
from crmctl.session import pass_session


@click.group()
def config():
    """Read and change the configurable rules."""


@config.command("get")
@click.argument("key")
@pass_session
def get_command(session, key):
    """Print one setting's value as JSON."""
    from crmctl.settings import get_setting

    session.open()
    click.echo(json.dumps(get_setting(key)))


@config.command("set")
@click.argument("key")
@click.argument("value")
@pass_session
def set_command(session, key, value):
    """Change a setting (VALUE as JSON for numbers, lists and objects)."""
    from crmctl.settings import set_setting

    session.open()
    click.echo(json.dumps(set_setting(session.actor, key, value)))


@config.command("list")
@format_option
@pass_session
def list_command(session, output_format):
    """Print every setting with its current value."""
    from crmctl.settings import all_settings

    session.open()
    print_record(all_settings(), output_format)
