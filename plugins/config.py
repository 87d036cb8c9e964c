"""Read and change the configurable rules (admins only, once agents exist)."""
# Core modules are imported inside the callbacks, so `crmctl COMMAND --help` loads no database code.
import json

import click

from crmctl.cli.output import format_option, print_record
from crmctl.cli.session import pass_session


@click.group()
def config():
    """Read and change the configurable rules."""


def print_setting(key, value, output_format):
    if output_format == "json":
        click.echo(json.dumps(value))
    else:
        print_record({key: value}, output_format)


@config.command("get")
@click.argument("key")
@format_option
@pass_session
def get_command(session, key, output_format):
    """Print one setting's value (as JSON with --format json)."""
    from crmctl.rules.settings import get_setting

    session.open()
    print_setting(key, get_setting(key), output_format)


@config.command("set")
@click.argument("key")
@click.argument("value")
@format_option
@pass_session
def set_command(session, key, value, output_format):
    """Change a setting (VALUE as JSON for numbers, lists and objects)."""
    from crmctl.records.configuration import set_setting

    session.open()
    print_setting(key, set_setting(session.actor, key, value), output_format)


@config.command("list")
@format_option
@pass_session
def list_command(session, output_format):
    """Print every setting with its current value."""
    from crmctl.rules.settings import load_settings

    session.open()
    print_record(load_settings(), output_format)
