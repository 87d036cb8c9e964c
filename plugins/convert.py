"""Convert a lead to a customer: its company becomes a client, optionally with a won deal."""
# Core modules are imported inside the callback, so `crmctl convert --help` loads no database code.
import click

from crmctl.cli.output import format_option, message, print_record
from crmctl.cli.session import pass_session


@click.command()
@click.argument("lead", metavar="LEAD")
@click.option("--deal-name", metavar="TEXT", help="Open a won deal of this name (default: the company's name).")
@click.option("--amount", metavar="N", help="The won deal's amount.")
@click.option("--currency", metavar="CCY", help="The won deal's currency (ISO 4217, like EUR).")
@click.option("--pipeline", metavar="NAME", help="The won deal's pipeline (default: sales).")
@format_option
@pass_session
def convert(session, lead, deal_name, amount, currency, pipeline, output_format):
    """Convert LEAD to a customer (its owner, or a manager); a lead is converted once.

    The company's relationship becomes client and the lead is stamped
    converted. Any of --deal-name, --amount, --currency, --pipeline also opens
    a deal, won, at its pipeline's won stage.

    \b
    Example:
      crmctl convert L34 --deal-name "Fleet pilot" --amount 12000 --currency EUR
    """
    from crmctl.kinds.shapes import record_dict
    from crmctl.lifecycle.conversion import convert_lead

    session.open()
    converted, company, deal = convert_lead(session.actor, lead, deal_name=deal_name, amount=amount,
                                            currency=currency, pipeline=pipeline)
    message(f"L{converted.id} converted: C{company.id} {company.name} is a client"
            + (f"; D{deal.id} {deal.name} won" if deal is not None else ""))
    shape = record_dict("lead", converted)
    shape["relationship"] = company.relationship
    shape["deal"] = record_dict("deal", deal) if deal is not None else None
    print_record(shape, output_format)
