"""Recompute lead scores (score [LEAD]) or explain one (score --explain LEAD)."""
# Core modules are imported inside the callback, so `crmctl score --help` loads no database code.
import sys

import click

from crmctl.cli.output import format_option, message, print_record, print_records
from crmctl.cli.session import pass_session


@click.command()
@click.argument("lead_id", metavar="[LEAD]", required=False)
@click.option("--explain", is_flag=True, help="Show each part of LEAD's score and its points (changes nothing).")
@format_option
@pass_session
def score(session, lead_id, explain, output_format):
    """Recompute the score of LEAD, or of every lead; --explain LEAD shows how it is made up.

    \b
    The model (SPEC §5) and its settings: score_weights, ideal_employee_range,
    ideal_industries, ideal_titles (`crmctl config list`). Scores follow every
    event and edit by themselves; run `crmctl score` after changing a setting.
    Examples:
      crmctl score L34
      crmctl score --explain L34
      crmctl score
    """
    if explain:
        if not lead_id:
            raise click.UsageError("--explain takes a LEAD")
        explain_lead(session, lead_id, output_format)
    elif lead_id:
        score_one(session, lead_id, output_format)
    else:
        score_all(session, output_format)


def explain_lead(session, lead_id, output_format):
    from crmctl.kinds.ids import fetch_record
    from crmctl.records.scoring import explain_score

    session.open()
    lead = fetch_record(lead_id, ["lead"])
    explained = dict({"id": f"L{lead.id}"}, **explain_score(lead))
    if output_format == "json":
        print_record(explained, output_format)
        return
    rows = explained["components"] + [{"group": group["group"], "signal": "(group total)", "points": group["points"],
                                       "range": f"0-{group['cap']}", "reason": ""} for group in explained["groups"]]
    print_records(rows, output_format, columns=["group", "signal", "points", "range", "reason"])
    stored = "" if explained["stored"] == explained["score"] else \
        f" (stored {explained['stored']}: `crmctl score {explained['id']}` updates it)"
    message(f"{explained['id']} scores {explained['score']} of 100{stored}")


def score_one(session, lead_id, output_format):
    from crmctl.kinds.ids import fetch_record
    from crmctl.kinds.shapes import record_dict
    from crmctl.records.scoring import rescore_leads
    from crmctl.rules.permissions import require
    from crmctl.storage.connection import write_transaction

    session.open()
    actor = session.actor
    require(actor, "add event")
    lead = fetch_record(lead_id, ["lead"])
    old = lead.score
    with write_transaction():
        rescore_leads(actor, [lead.id])
    lead = fetch_record(lead_id, ["lead"])
    message(f"L{lead.id} scores {lead.score}" + (f" (was {old})" if old != lead.score else " (unchanged)"))
    print_record(record_dict("lead", lead), output_format)


def score_all(session, output_format):
    from crmctl.records.scoring import lead_count, rescore_all
    from crmctl.rules.permissions import require

    session.open()
    actor = session.actor
    require(actor, "bulk action")
    if sys.stderr.isatty() and not session.quiet:
        with click.progressbar(length=lead_count(), label="Scoring leads", file=sys.stderr) as bar:
            summary = rescore_all(actor, progress=bar.update)
    else:
        summary = rescore_all(actor)
    message(f"{summary['leads']} leads scored, {summary['changed']} changed")
    print_record(summary, output_format)
