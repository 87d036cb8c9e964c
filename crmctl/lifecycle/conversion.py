"""Converting a lead to a customer (SPEC §6 `convert`, playbook 002 "Convert to Customer").

The company becomes a client and the lead is stamped converted; with any of
the deal options a deal is opened for what the customer bought, as won (SPEC:
"optionally a won deal"): it goes straight to its pipeline's won stage (Closed
Won, Finished), so the win-rate and velocity reports count it. A lead is
converted once: the stamp is set by a conditional UPDATE (`converted_at IS
NULL`), so of two conversions racing, one wins and the other is refused (exit 3).
"""
from crmctl.errors import PermissionDenied, Refused
from crmctl.kinds.ids import fetch_record, typed_id
from crmctl.lifecycle.deals import create_deal, deal_values
from crmctl.records.archived import refuse_archived
from crmctl.records.batch import history_row, update_records, write_history
from crmctl.dates import iso, utcnow
from crmctl.rules.permissions import require
from crmctl.rules.settings import load_settings
from crmctl.rules.vocabulary import deal_status_for_stage, pipeline_named
from crmctl.storage.connection import write_transaction
from crmctl.storage.models import Company, Lead

CONVERT_ACTION = "convert"
DEFAULT_PIPELINE = "sales"


def require_converter(actor, lead):
    """The lead's owner, or a manager and above (an agent converts no pool lead nor another agent's)."""
    require(actor, "edit lead", lead=lead)
    if not actor.single_user and actor.role == "agent" and lead.owner_id != actor.agent.id:
        raise PermissionDenied(f"{actor.email} may convert only its own leads: {typed_id('lead', lead.id)} is in "
                               "the pool (claim it first)")


def already_converted(lead):
    return Refused(f"{typed_id('lead', lead.id)} was converted on {iso(lead.converted_at)[:10]}: "
                   "a lead is converted once")


def won_stage(pipeline, settings):
    stages = settings["pipelines"][pipeline]
    return next((stage for stage in stages if deal_status_for_stage(stage) == "won"), None)


def convert_lead(actor, lead, deal_name=None, amount=None, currency=None, pipeline=None):
    """Make the lead's company a client and stamp the lead; open a won deal when any deal option is given.

    Returns (lead, company, deal or None).
    """
    lead = lead if isinstance(lead, Lead) else fetch_record(lead, ["lead"])
    require_converter(actor, lead)
    refuse_archived(lead, lead.company)
    if lead.converted_at is not None:
        raise already_converted(lead)
    values = None
    if any(value not in (None, "") for value in (deal_name, amount, currency, pipeline)):
        require(actor, "add deal")
        settings = load_settings()
        pipeline = pipeline_named(pipeline or DEFAULT_PIPELINE, settings)
        stage = won_stage(pipeline, settings)
        if stage is None:
            raise Refused(f"pipeline {pipeline} has no won stage (a stage named Closed Won, Finished or Won), "
                          "so it cannot hold a converted customer's deal")
        company = Company.get_by_id(lead.company_id)
        values = deal_values(actor, company, deal_name or company.name, pipeline, lead=lead, amount=amount,
                             currency=currency, stage=stage, settings=settings)
        values["close_reason"] = f"converted {typed_id('lead', lead.id)}"
        if lead.owner_id is not None:  # the customer's deal belongs to the agent who won it, whoever converts
            values["owner"] = lead.owner_id
    now = utcnow()
    with write_transaction():
        stamped = (Lead.update(converted_at=now, updated_at=now)
                   .where((Lead.id == lead.id) & Lead.converted_at.is_null()).execute())
        if stamped != 1:
            raise already_converted(Lead.get_by_id(lead.id))
        write_history([history_row(actor, typed_id("lead", lead.id), CONVERT_ACTION, "converted_at",
                                   new=iso(now), at=now)])
        company = Company.get_by_id(lead.company_id)
        update_records([company], actor, {"relationship": "client"}, action=CONVERT_ACTION)
        deal = create_deal(actor, values) if values is not None else None
    return Lead.get_by_id(lead.id), company, deal
