"""The `crmctl` root command: global options, plugin discovery, the one error boundary.

Subcommands are plugins found through the `crmctl.plugins` entry points (see
`crmctl.cli.plugin_loading`). Every error a command raises is turned here, and only
here, into a one-line `crmctl: error: …` message and the exit code of SPEC §6;
`--debug` adds the traceback to an internal error and changes nothing else.
The global options (`--db`, `--as`, `--debug`, `--quiet`, `--wide`) may also
follow the command, where people type them (`crmctl add company … --as boss@x`).
"""
import contextlib
import functools
import os
import sys
import warnings

import click

from crmctl import __version__
from crmctl.cli.plugin_loading import PluginGroup

HELP_MAX_WIDTH = 80
# Modules whose warnings are no business of the person at the terminal: unidecode warns about lone
# surrogates (text that was not UTF-8), and the drivers' deprecation warnings are raised from Peewee's
# frames. `--debug` shows them.
LIBRARY_WARNING_MODULES = r"(unidecode|psycopg2|pymysql|peewee)(\.|$)"
# The global options that may also follow the command: (option, Session attribute, is a flag, metavar).
LATER_GLOBAL_OPTIONS = (
    ("--db", "requested_database_url", False, "URL"),
    ("--as", "acting_email", False, "EMAIL"),
    ("--debug", "debug", True, None),
    ("--quiet", "quiet", True, None),
    ("--wide", "wide", True, None),
)


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


def hide_library_warnings(ctx):
    """Library warnings stay off stderr until the command's context closes (an in-process caller gets its filters back)."""
    ctx.with_resource(warnings.catch_warnings())
    warnings.filterwarnings("ignore", module=LIBRARY_WARNING_MODULES)
    ctx.library_warnings_hidden = True


def silence_stdout(ctx):
    """--quiet: whatever a command prints on stdout goes nowhere; errors still reach stderr."""
    root = ctx.find_root()
    if getattr(root, "stdout_silenced", False):
        return
    root.stdout_silenced = True
    sink = root.with_resource(open(os.devnull, "w", encoding="utf-8"))
    root.with_resource(contextlib.redirect_stdout(sink))


def set_global_option(attribute, ctx, param, value):
    """A global option given after the command: it changes the Session the root command made."""
    if value is None or value is False:
        return
    session = ctx.obj
    setattr(session, attribute, value)
    if attribute == "debug" and getattr(ctx.find_root(), "library_warnings_hidden", False):
        warnings.filterwarnings("default", module=LIBRARY_WARNING_MODULES)  # until the root's context closes
    elif attribute == "quiet":
        silence_stdout(ctx)


def accept_global_options(command):
    """Give a command (and its subcommands) hidden copies of the global options it does not define itself."""
    if getattr(command, "accepts_global_options", False):
        return
    command.accepts_global_options = True
    taken = {name for param in command.params for name in param.opts + param.secondary_opts}
    for option, attribute, is_flag, metavar in LATER_GLOBAL_OPTIONS:
        if option not in taken:
            command.params.append(click.Option(
                [option, f"global_{attribute}"], is_flag=is_flag, metavar=metavar, hidden=True,
                expose_value=False, is_eager=True, callback=functools.partial(set_global_option, attribute),
            ))
    for subcommand in getattr(command, "commands", {}).values():
        accept_global_options(subcommand)


def debugging(ctx):
    return ctx.obj is not None and ctx.obj.debug


class RootGroup(PluginGroup):
    context_class = RootContext

    def main(self, args=None, *more, **options):
        """Every entry (the `crmctl` script, `python -m crmctl`) refuses arguments that are not UTF-8 text.

        Python hands such bytes over as lone surrogates, which no message could print.
        """
        arguments = sys.argv[1:] if args is None else list(args)
        for position, argument in enumerate(arguments, start=1):
            if isinstance(argument, str) and not argument.isascii():
                try:
                    argument.encode("utf-8")
                except UnicodeEncodeError:
                    report_error(f"argument {position} is not valid UTF-8 text: check the encoding of the "
                                 "terminal or of the script that runs crmctl", 2)
        return super().main(arguments, *more, **options)

    def get_command(self, ctx, name):
        command = super().get_command(ctx, name)
        if command is not None:
            accept_global_options(command)
        return command

    def invoke(self, ctx):
        # Imported here, not at the top: `crmctl --help` never invokes a command.
        from crmctl.errors import CrmError, ExitStatus

        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except CrmError as error:  # the user's doing: its line and its exit code, with or without --debug
            report_error(error.message, error.exit_status)
        except KeyboardInterrupt:
            click.echo("crmctl: interrupted", err=True)
            sys.exit(130)
        except Exception as error:
            import peewee

            if isinstance(error, peewee.IntegrityError):
                report_error(f"refused by the database: {error}", ExitStatus.REFUSED)
            if debugging(ctx):
                import traceback

                traceback.print_exc()
                report_error(f"internal error: {type(error).__name__}: {error}", ExitStatus.ERROR)
            report_error(
                f"internal error: {type(error).__name__}: {error} (run with --debug for details)",
                ExitStatus.ERROR,
            )


@click.group("crmctl", cls=RootGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "database_url",
    metavar="URL",
    help="Database URL: sqlite:///relative/path.db (three slashes), sqlite:////absolute/path.db (four), "
    "postgresql://USER@HOST:PORT/DB, mysql://USER@HOST/DB; "
    "default $CRMCTL_DATABASE_URL, then crm.db in the user's application directory.",
)
@click.option(
    "--as",
    "acting_email",
    metavar="EMAIL",
    envvar="CRMCTL_AGENT",
    help="The acting agent (default $CRMCTL_AGENT).",
)
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error (and library warnings).")
@click.option("--quiet", is_flag=True, help="Print nothing but errors (for cron).")
@click.option("--wide", is_flag=True, help="Show tables whole instead of fitting them to the terminal.")
@click.version_option(__version__, prog_name="crmctl")
@click.pass_context
def cli(ctx, database_url, acting_email, debug, quiet, wide):
    """crmctl: a command-line CRM for lead-generation and sales teams.

    The global options may also follow the command: crmctl add company ... --as EMAIL.
    """
    from crmctl.cli.session import Session  # not needed by --help, which exits before this runs

    session = Session(database_url, acting_email, debug, quiet, wide)
    ctx.obj = session
    ctx.call_on_close(session.close)
    if not debug:
        hide_library_warnings(ctx)
    if quiet:
        silence_stdout(ctx)


main = cli
