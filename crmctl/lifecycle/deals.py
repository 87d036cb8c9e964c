"""A deal's way through its pipeline: opening, stage moves, closing, reopening, a customer's feedback.

Every stage a deal enters is written as a DealStageChange row (the first one,
from no stage, when it is opened) and stamped on the deal
(`stage_entered_at`, `touched_at`): the pipeline and velocity reports read
those rows instead of guessing from History. A stage named like Closed Won,
Finished or Won marks the deal won, one like Closed Lost or Lost lost
(`crmctl.rules.vocabulary.deal_status_for_stage`); a closed deal moves again
only after `reopen`. Each change is written under a row lock on the deal, so
two people moving one deal at once queue instead of losing a stage change.
"""
import datetime
import json

from crmctl.errors import BadInput, PermissionDenied, Refused
from crmctl.kinds.ids import fetch_record, typed_id
from crmctl.records.archived import refuse_archived
from crmctl.records.batch import create_one, history_row, write_history
from crmctl.records.companies import agent_id, fetch_company
from crmctl.records.configuration import set_setting
from crmctl.records.history import update_record
from crmctl.dates import iso, parse_date, utcnow
from crmctl.rules.permissions import require
from crmctl.rules.settings import load_settings, pipeline_stages_problem
from crmctl.rules.values import clean_text, currency_code, free_text, money_amount
from crmctl.rules.vocabulary import (LOST_STAGES, WON_STAGES, canonical, deal_status_for_stage, first_stage,
                                     loose_key, pipeline_named, stage_named)
from crmctl.storage.connection import write_transaction
from crmctl.storage.locks import locked_rows
from crmctl.storage.models import Deal, DealStageChange, Lead, Task

CLOSING_STATUSES = ("won", "lost", "abandoned")
FEEDBACK_KINDS = ("positive", "negative")
# The services pipeline's stage after which a customer's feedback is asked for (playbook 001, stage 6).
FEEDBACK_STAGE = "Service Completed"
# Fields `add deal` and `convert` take beside name, amount and currency (SPEC §4).
DETAIL_FIELDS = ("expected_close", "contract_end", "decision_criteria", "competition", "stakeholders")


class Pipeline:
    """One configured pipeline: its stages in order and which of them close a deal."""

    def __init__(self, name, stages):
        self.name, self.stages = name, list(stages)
        self.won_stages = [stage for stage in self.stages if deal_status_for_stage(stage) == "won"]
        self.lost_stages = [stage for stage in self.stages if deal_status_for_stage(stage) == "lost"]

    def as_dict(self):
        return {"name": self.name, "stages": self.stages, "won_stages": self.won_stages,
                "lost_stages": self.lost_stages}


def configured_pipelines(settings=None):
    """Every pipeline of the `pipelines` setting (the two built in unless an admin changed them), in order."""
    settings = settings or load_settings()
    return [Pipeline(name, stages) for name, stages in settings["pipelines"].items()]


def pipeline_of(name, settings=None):
    settings = settings or load_settings()
    name = pipeline_named(name, settings)
    return Pipeline(name, settings["pipelines"][name])


def add_pipeline(actor, name, stages):
    """A new pipeline (admins: it is configuration); refused when one of that name exists."""
    require(actor, "configure")
    name = clean_text(name, "pipeline name", Deal.pipeline, required="NAME")
    settings = load_settings()
    if any(loose_key(existing) == loose_key(name) for existing in settings["pipelines"]):
        raise Refused(f"pipeline {name} exists already (see `crmctl pipeline show {name}`)")
    stages = [clean_text(stage, "stage", Deal.stage) for stage in stages]
    stages = [stage for stage in stages if stage]
    if not stages:
        raise BadInput(f"pipeline {name} needs its stages in order (--stage NAME, repeated)")
    problem = pipeline_stages_problem(name, stages)
    if problem:
        raise BadInput(problem)
    pipelines = dict(settings["pipelines"], **{name: stages})
    set_setting(actor, "pipelines", json.dumps(pipelines))
    return Pipeline(name, stages)


# --------------------------------------------------------------------------
# Who may work on a deal
# --------------------------------------------------------------------------


def require_deal_worker(actor, deal, action):
    """The deal's owner (or an agent's deal nobody owns) or a manager and above; PermissionDenied otherwise."""
    require(actor, "add deal")
    if actor.single_user or actor.role != "agent":
        return
    if deal.owner_id not in (None, actor.agent.id):
        raise PermissionDenied(f"{actor.email} may not {action} {typed_id('deal', deal.id)}: "
                               "it belongs to another agent")


def fetch_deal(deal):
    """A deal to change (move, close, reopen, feedback): an archived one is refused until restored."""
    deal = deal if isinstance(deal, Deal) else fetch_record(deal, ["deal"])
    refuse_archived(deal)
    return deal


def locked_deal(deal_id):
    """The deal re-read under a row lock inside the write transaction (what a racing writer left)."""
    return locked_rows(Deal, [deal_id])[deal_id]


# --------------------------------------------------------------------------
# Opening
# --------------------------------------------------------------------------


def deal_details(expected_close=None, contract_end=None, decision_criteria=None, competition=None,
                 stakeholders=None):
    """The optional facts of a deal, validated like `edit D5 --set` validates them."""
    values = {}
    if expected_close not in (None, ""):
        values["expected_close"] = parse_date(expected_close, "expected close (--expected-close)")
    if contract_end not in (None, ""):
        values["contract_end"] = parse_date(contract_end, "contract end (--contract-end)")
    for field, value in (("decision_criteria", decision_criteria), ("competition", competition),
                         ("stakeholders", stakeholders)):
        text = free_text(value, field.replace("_", " "))
        if text is not None:
            values[field] = text
    return values


def close_reason(status, reason, closing):
    """The reason a deal is closed with, cleaned; a deal lost or abandoned needs one (what the win-rate report
    explains), however it closes: `deal close`, `deal move` to Closed Lost, `add deal --stage 'Closed Lost'`.
    `closing` names what closes it, for the refusal."""
    reason = free_text(reason, "reason (--reason)")
    if reason is None and status in ("lost", "abandoned"):
        raise BadInput(f"{closing} needs its reason (--reason TEXT)")
    return reason


def stage_change(deal, from_stage, to_stage, actor, at):
    DealStageChange.create(deal=deal.id, from_stage=from_stage, to_stage=to_stage, at=at,
                           agent_email=actor.email if actor else None)


def deal_values(actor, company, name, pipeline, lead=None, amount=None, currency=None, stage=None, settings=None,
                reason=None, **details):
    """The columns of a new deal, validated, nothing written (`open_deal` and `convert` share them)."""
    company = fetch_company(company)
    refuse_archived(company)
    name = clean_text(name, "deal name", Deal.name, required="--name")
    settings = settings or load_settings()
    pipeline = pipeline_named(pipeline, settings)
    stage = stage_named(pipeline, stage, settings) if stage not in (None, "") else first_stage(pipeline, settings)
    lead_id = None
    if lead not in (None, ""):
        lead = lead if isinstance(lead, Lead) else fetch_record(lead, ["lead"])
        refuse_archived(lead)
        if lead.company_id != company.id:
            raise BadInput(
                f"{typed_id('lead', lead.id)} works at {typed_id('company', lead.company_id)}, "
                f"not at {typed_id('company', company.id)}"
            )
        lead_id = lead.id
    status = deal_status_for_stage(stage)
    reason = close_reason(status, reason, f"a deal added at {stage} is {status}: it")
    now = utcnow()
    return dict(name=name, company=company.id, lead=lead_id, pipeline=pipeline, stage=stage, status=status,
                closed_at=now if status != "open" else None, close_reason=reason, amount=money_amount(amount),
                currency=currency_code(currency), owner=agent_id(actor), created_by=agent_id(actor),
                stage_entered_at=now, touched_at=now, created_at=now, **deal_details(**details))


def create_deal(actor, values):
    """Store a deal from `deal_values` with its first stage change; call inside the write transaction."""
    deal = create_one(Deal, actor, **values)
    stage_change(deal, None, deal.stage, actor, values["stage_entered_at"])
    return deal


def open_deal(actor, company, name, pipeline, lead=None, amount=None, currency=None, stage=None, reason=None,
              **details):
    """`add deal`: a deal at a company in a configured pipeline, at its first stage unless told otherwise (a
    closing stage closes it, with its `reason`)."""
    require(actor, "add deal")
    values = deal_values(actor, company, name, pipeline, lead=lead, amount=amount, currency=currency, stage=stage,
                         reason=reason, **details)
    with write_transaction():
        return create_deal(actor, values)


# --------------------------------------------------------------------------
# Moving, closing, reopening
# --------------------------------------------------------------------------


def closed_refusal(deal, verb):
    when = f" on {iso(deal.closed_at)[:10]}" if deal.closed_at else ""
    return Refused(f"{typed_id('deal', deal.id)} is {deal.status} (closed{when}): a closed deal does not {verb}; "
                   f"reopen it first (crmctl deal reopen {typed_id('deal', deal.id)})")


def enter_stage(actor, deal, stage, changes=None, now=None):
    """Put a locked deal in `stage`: its status follows the stage; stage change row and History written."""
    now = now or utcnow()
    status = deal_status_for_stage(stage)
    new = {"stage": stage, "status": status, "stage_entered_at": now, "touched_at": now}
    if status != "open":
        new["closed_at"] = now
    new.update(changes or {})
    from_stage = deal.stage
    update_record(deal, actor, new, action="move")
    stage_change(deal, from_stage, stage, actor, now)
    return deal


def move_deal(actor, deal, stage, reason=None):
    """`deal move D5 STAGE`: any stage of the deal's pipeline (case and spacing forgiven); a stage that closes
    the deal takes the `reason` it closes with (needed for Closed Lost).

    Returns (deal, moved): moved is False when the deal was at that stage already.
    """
    deal = fetch_deal(deal)
    require_deal_worker(actor, deal, "move")
    settings = load_settings()
    pipeline = pipeline_named(deal.pipeline, settings) if deal.pipeline in settings["pipelines"] else None
    if pipeline is None:
        raise Refused(f"{typed_id('deal', deal.id)} is in pipeline {deal.pipeline}, which is no longer configured")
    stage = stage_named(pipeline, stage, settings)
    status = deal_status_for_stage(stage)
    reason = close_reason(status, reason, f"moving a deal to {stage} closes it as {status}: it")
    with write_transaction():
        deal = locked_deal(deal.id)
        if deal.status != "open":
            raise closed_refusal(deal, "move")
        if deal.stage == stage:
            return deal, False
        return enter_stage(actor, deal, stage, {"close_reason": reason} if status != "open" else None), True


def close_deal(actor, deal, outcome, reason=None):
    """`deal close D5 won|lost|abandoned --reason`: won and lost deals go to their pipeline's closing stage.

    A reason is required for lost and abandoned (what the win-rate report
    explains); for won it is optional.
    """
    deal = fetch_deal(deal)
    outcome = canonical(outcome, CLOSING_STATUSES, "outcome")
    reason = close_reason(outcome, reason, f"closing a deal as {outcome}")
    require_deal_worker(actor, deal, "close")
    settings = load_settings()
    stages = settings["pipelines"].get(deal.pipeline, [])
    closing = {"won": WON_STAGES, "lost": LOST_STAGES}.get(outcome, ())
    closing_stage = next((stage for stage in stages if loose_key(stage) in {loose_key(s) for s in closing}), None)
    now = utcnow()
    with write_transaction():
        deal = locked_deal(deal.id)
        if deal.status != "open":
            raise closed_refusal(deal, "close again")
        changes = {"status": outcome, "closed_at": now, "close_reason": reason, "touched_at": now}
        if closing_stage is not None and closing_stage != deal.stage:
            return enter_stage(actor, deal, closing_stage, changes, now)
        update_record(deal, actor, changes, action="close")
        return deal


def reopen_deal(actor, deal, stage=None):
    """`deal reopen D5 [--stage STAGE]`: open again, at the stage it was closed from unless told otherwise."""
    deal = fetch_deal(deal)
    require_deal_worker(actor, deal, "reopen")
    settings = load_settings()
    stages = settings["pipelines"].get(deal.pipeline)
    if stages is None:
        raise Refused(f"{typed_id('deal', deal.id)} is in pipeline {deal.pipeline}, which is no longer configured")
    if stage not in (None, ""):
        stage = stage_named(deal.pipeline, stage, settings)
        if deal_status_for_stage(stage) != "open":
            raise BadInput(f"a reopened deal needs an open stage, not {stage}")
    now = utcnow()
    with write_transaction():
        deal = locked_deal(deal.id)
        if deal.status == "open":
            raise Refused(f"{typed_id('deal', deal.id)} is open already")
        if stage is None:
            stage = deal.stage if deal_status_for_stage(deal.stage) == "open" else last_open_stage(deal, stages)
        changes = {"status": "open", "closed_at": None, "close_reason": None, "touched_at": now}
        if stage != deal.stage:
            enter_stage(actor, deal, stage, changes, now)
        else:
            update_record(deal, actor, changes, action="reopen")
        return deal


def last_open_stage(deal, stages):
    """The open stage a deal was in before it closed, or its pipeline's first stage."""
    rows = (DealStageChange.select(DealStageChange.from_stage)
            .where(DealStageChange.deal == deal.id).order_by(DealStageChange.at.desc(), DealStageChange.id.desc()))
    for (from_stage,) in rows.tuples():
        if from_stage in stages and deal_status_for_stage(from_stage) == "open":
            return from_stage
    return next((stage for stage in stages if deal_status_for_stage(stage) == "open"), stages[0])


# --------------------------------------------------------------------------
# A customer's feedback (services pipeline)
# --------------------------------------------------------------------------


def give_feedback(actor, deal, feedback):
    """`deal feedback D5 positive|negative` once the service is completed (playbook 001, stage 6).

    positive: a task to ask the customer for a review, and the deal finished as
    won; negative: a call task for the deal's owner to address it, the deal
    staying where it is. Returns (deal, task).
    """
    deal = fetch_deal(deal)
    feedback = canonical(feedback, FEEDBACK_KINDS, "feedback")
    require_deal_worker(actor, deal, "record feedback on")
    stages = load_settings()["pipelines"].get(deal.pipeline, [])
    if not any(loose_key(stage) == loose_key(FEEDBACK_STAGE) for stage in stages):
        raise Refused(f"{typed_id('deal', deal.id)} is in pipeline {deal.pipeline}: feedback is asked for in a "
                      f"pipeline with a {FEEDBACK_STAGE} stage (services)")
    now = utcnow()
    with write_transaction():
        deal = locked_deal(deal.id)
        if deal.status != "open":  # moving it to Service Completed would be refused too: say what would work
            raise closed_refusal(deal, "take feedback")
        if loose_key(deal.stage) != loose_key(FEEDBACK_STAGE):
            raise Refused(f"{typed_id('deal', deal.id)} is at {deal.stage}: feedback comes after {FEEDBACK_STAGE} "
                          f"(crmctl deal move {typed_id('deal', deal.id)} '{FEEDBACK_STAGE}')")
        owner = deal.owner_id or agent_id(actor)
        customer = customer_name(deal)
        write_history([history_row(actor, typed_id("deal", deal.id), "feedback", "feedback", new=feedback, at=now)])
        if feedback == "positive":
            task = create_one(Task, actor, deal=deal.id, kind="email", due_at=now, assignee=owner,
                              text=f"Ask {customer} for a review: their feedback on {deal.name} was positive",
                              created_by=agent_id(actor))
            finished = next((stage for stage in stages if deal_status_for_stage(stage) == "won"
                             and stages.index(stage) > stages.index(deal.stage)), None)
            if finished is not None:
                enter_stage(actor, deal, finished, {"close_reason": "positive feedback"}, now)
            else:
                update_record(deal, actor, {"status": "won", "closed_at": now, "touched_at": now,
                                            "close_reason": "positive feedback"}, action="close")
        else:
            task = create_one(Task, actor, deal=deal.id, kind="call", due_at=now + datetime.timedelta(days=1),
                              assignee=owner,
                              text=f"Call {customer} about their negative feedback on {deal.name} and address it",
                              created_by=agent_id(actor))
            update_record(deal, actor, {"touched_at": now}, action="feedback")
        return deal, task


def customer_name(deal):
    if deal.lead_id is not None:
        lead = Lead.get_or_none(Lead.id == deal.lead_id)
        if lead is not None:
            return lead.full_name
    return deal.company.name
