"""The `crmctl` root command: global options, plugin discovery, the one error boundary.

Subcommands are plugins found through the `crmctl.plugins` entry points (see
`crmctl.cli.plugin_loading`). Every error a command raises is turned here, and only
here, into a one-line `crmctl: error: …` message and the exit code of SPEC §6.
"""
import os
import sys

import click

from crmctl import __version__
from crmctl.cli.plugin_loading import PluginGroup

HELP_MAX_WIDTH = 80


def report_error(message, exit_status):
    from crmctl.storage.connection import scrub_secrets

    one_line = " ".join(scrub_secrets(str(message)).split())
    click.echo(f"crmctl: error: {one_line}", err=True)
    sys.exit(int(exit_status))


def help_width():
    """The width Click would give help text, found without importing `shutil`.

    Click asks `shutil.get_terminal_size`, and `shutil` drags in bz2, lzma and
    zlib: a few milliseconds of every `crmctl --help`. Same rule: $COLUMNS, else
    the terminal on stdout, else 80; at most HELP_MAX_WIDTH, less a margin of 2,
    at least 50.
    """
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return max(min(columns or 80, HELP_MAX_WIDTH) - 2, 50)


class RootContext(click.Context):
    """The root context: it fixes the help width once, and every subcommand's context inherits it."""

    def __init__(self, *args, **kwargs):
        if kwargs.get("terminal_width") is None and click.formatting.FORCED_WIDTH is None:
            kwargs["terminal_width"] = help_width()
        super().__init__(*args, **kwargs)


class RootGroup(PluginGroup):
    context_class = RootContext

    def invoke(self, ctx):
        # Imported here, not at the top: `crmctl --help` never invokes a command.
        from crmctl.errors import CrmError, ExitStatus

        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except CrmError as error:
            if ctx.obj is not None and ctx.obj.debug:
                raise
            report_error(error.message, error.exit_status)
        except KeyboardInterrupt:
            click.echo("crmctl: interrupted", err=True)
            sys.exit(130)
        except Exception as error:
            if ctx.obj is not None and ctx.obj.debug:
                raise
            import peewee

            if isinstance(error, peewee.IntegrityError):
                report_error(f"refused by the database: {error}", ExitStatus.REFUSED)
            report_error(
                f"internal error: {type(error).__name__}: {error} (run with --debug for details)",
                ExitStatus.ERROR,
            )


@click.group("crmctl", cls=RootGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "database_url",
    metavar="URL",
    help="Database URL (sqlite:///PATH, postgresql://USER@HOST:PORT/DB, mysql://USER@HOST/DB); "
    "default $CRMCTL_DATABASE_URL, then crm.db in the user's application directory.",
)
@click.option(
    "--as",
    "acting_email",
    metavar="EMAIL",
    envvar="CRMCTL_AGENT",
    help="The acting agent (default $CRMCTL_AGENT).",
)
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error.")
@click.version_option(__version__, prog_name="crmctl")
@click.pass_context
def cli(ctx, database_url, acting_email, debug):
    """crmctl: a command-line CRM for lead-generation and sales teams."""
    from crmctl.cli.session import Session  # not needed by --help, which exits before this runs

    session = Session(database_url, acting_email, debug)
    ctx.obj = session
    ctx.call_on_close(session.close)


main = cli
