"""What every bulk action shares at the command line: how records are picked and how it is confirmed.

`status`, `assign`, `pool put` and `archive` pick their records the way a
listing does (--where, --search, a saved --segment) and go ahead only on
--yes or when a person at a terminal says so; a script without --yes is
refused (exit 2) before anything changes.
"""
import sys

import click

from crmctl.cli.output import message


def bulk_options(what="leads", listing="list leads"):
    """--where/--search/--segment/--yes, worded for the records a command changes."""
    def decorate(function):
        for option in reversed((
            click.option("--where", multiple=True, metavar="'FIELD OP VALUE'",
                         help=f"Bulk: every one of the {what} that matches, as `{listing} --where` (repeat to AND)."),
            click.option("--search", help=f"Bulk: the {what} `{listing} --search` finds."),
            click.option("--segment", "segment_name", metavar="NAME", help=f"Bulk: the {what} of a saved segment."),
            click.option("--yes", is_flag=True, help="Bulk: go ahead without asking (on a terminal it asks)."),
        )):
            function = option(function)
        return function
    return decorate


def confirmed(count, noun, plan, question, yes):
    """Whether a bulk action of `count` records goes ahead: --yes, or a person at a terminal said so.

    A script without --yes is refused (exit 2) with one line; otherwise
    `plan` ("3 leads will be put in the pool") is said on stderr, and a
    person who says no at the terminal is told nothing changed.
    """
    from crmctl.errors import BadInput

    if count and not yes and not sys.stdin.isatty():
        raise BadInput(f"not changing {count} {noun} without confirmation: add --yes")
    message(plan)
    if not count or yes:
        return True
    if click.confirm(question, err=True):
        return True
    message("nothing changed")
    return False
