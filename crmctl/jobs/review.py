"""The periodic review of companies (SPEC §5, playbook 000 "Updates"): which are due, and marking one done.

A company is reviewed at least every `review_interval_days` (90): it is due
once that many days have passed since its last review, or since it was added
when it was never reviewed. Clients, companies that are not relevant,
archived companies and companies with a lead at status Call are never due.
Dates are UTC dates: a company added on 1 January is due on 1 April.

`review done` is the playbook's routine in one transaction: the acting agent
joins the company's active agents, the LinkedIn account used joins its
accounts, its leads go back to Sent Request (a lead at Call keeps it: a call
that took place is not undone by a review), the note "Updated" is added and
the open review tasks that `review run` gave it are done; all in History.
"""
import datetime
import json

import peewee
from peewee import fn

from crmctl.errors import BadInput, Refused
from crmctl.kinds.ids import typed_id
from crmctl.records.archived import refuse_archived
from crmctl.records.batch import create_records, run_in_transaction, update_records
from crmctl.records.companies import agent_id, fetch_company
from crmctl.dates import utcnow
from crmctl.rules.permissions import get_agent, require
from crmctl.rules.values import clean_text
from crmctl.rules.vocabulary import NEW_LEAD_STATUS
from crmctl.storage.models import Company, Lead, Note, Task

CALL_STATUS = "Call"
NEVER_DUE = ("client", "not relevant")
REVIEW_NOTE = "Updated"
REVIEW_TASK_PREFIX = "review:"  # job_key of a review task: review:C12:2026-04-01 (the day it fell due)


def review_cutoff(today, interval_days):
    """Companies last reviewed (or added) before this moment are due on `today`."""
    return datetime.datetime.combine(today - datetime.timedelta(days=interval_days - 1), datetime.time())


def last_reviewed():
    """The moment a company's review clock started: its last review, or its creation."""
    return fn.COALESCE(Company.last_reviewed_at, Company.created_at)


def due_condition(today, interval_days):
    """The WHERE of a due company: old enough, not a client nor irrelevant nor archived, no lead at Call."""
    calling = (Lead.select(peewee.SQL("1"))
               .where((Lead.company == Company.id) & (Lead.status == CALL_STATUS) & Lead.archived_at.is_null()))
    return (Company.archived_at.is_null() & Company.relationship.not_in(NEVER_DUE)
            & (last_reviewed() < review_cutoff(today, interval_days)) & ~fn.EXISTS(calling))


def due_companies_query(today, interval_days, country=None, agent=None, columns=None):
    """One SELECT of the due companies, oldest review first (then by id).

    `agent` (an Agent) keeps the companies it owns or works on (its email in
    the company's active agents).
    """
    query = Company.select(*(columns or ())).where(due_condition(today, interval_days))
    if country is not None:
        query = query.where(Company.country == country)
    if agent is not None:
        listed = Company.active_agents.contains(json.dumps(agent.email))
        query = query.where((Company.owner == agent.id) | listed)
    return query.order_by(last_reviewed(), Company.id)


def due_on(last_reviewed_at, interval_days):
    """The date a company falls due: `interval_days` after the date of its last review (or creation)."""
    if isinstance(last_reviewed_at, str):  # SQLite hands COALESCE of two datetimes back as text
        last_reviewed_at = datetime.datetime.fromisoformat(last_reviewed_at)
    return last_reviewed_at.date() + datetime.timedelta(days=interval_days)


def due_companies(today, settings, country=None, agent=None, limit=None):
    """The due companies as model instances (`review due`); `agent` is an email."""
    from crmctl.rules.contacts import country_code

    if country not in (None, ""):
        country = country_code(country)
    else:
        country = None
    found_agent = get_agent(agent) if agent not in (None, "") else None
    query = due_companies_query(today, settings["review_interval_days"], country, found_agent)
    if limit is not None:
        query = query.limit(limit)
    return list(query)


# ---------------------------------------------------------------------------
# review done
# ---------------------------------------------------------------------------


def json_list(text):
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def with_item(items, item):
    """The list with `item` added at the end unless it is already there."""
    return items if item in items or item is None else items + [item]


def require_review(actor, company):
    """An agent reviews the companies of its own country (exit 3 otherwise, as for adding one); manager+ any."""
    require(actor, "review")
    if actor.single_user or actor.role != "agent":
        return
    home = actor.agent.country
    if company.country != home:
        raise Refused(f"{actor.email} reviews companies only in {home or 'its country (it has none yet)'}, "
                      f"not in {company.country or 'no country'}")


def linkedin_account_used(actor, name):
    """The account named, or the acting agent's only LinkedIn account when none is named."""
    if name not in (None, ""):
        return clean_text(name, "LinkedIn account (--linkedin-account)", Company.linkedin_accounts)
    if actor.agent is None:
        return None
    accounts = json_list(actor.agent.linkedin_accounts)
    return accounts[0] if len(accounts) == 1 else None


def review_done(actor, company, linkedin_account=None):
    """Stamp a company's review (see the module's docstring); returns (company, leads reset, note id)."""
    company = fetch_company(company)
    require_review(actor, company)
    refuse_archived(company)  # an archived company is out of the review (review due leaves it out) until restored
    account = linkedin_account_used(actor, linkedin_account)
    if account is not None and ("\n" in account or len(account) > 200):
        raise BadInput("LinkedIn account (--linkedin-account) must be one line of at most 200 characters")

    def write():
        fresh = Company.get_by_id(company.id)
        now = utcnow()
        changes = {"last_reviewed_at": now}
        agents = with_item(json_list(fresh.active_agents), actor.email)
        accounts = with_item(json_list(fresh.linkedin_accounts), account)
        if agents != json_list(fresh.active_agents):
            changes["active_agents"] = json.dumps(agents, ensure_ascii=False)
        if accounts != json_list(fresh.linkedin_accounts):
            changes["linkedin_accounts"] = json.dumps(accounts, ensure_ascii=False)
        update_records([fresh], actor, changes, action="review")
        leads = list(Lead.select().where((Lead.company == fresh.id) & Lead.archived_at.is_null()
                                         & (Lead.status != CALL_STATUS)
                                         & ((Lead.status != NEW_LEAD_STATUS) | Lead.inactive_at.is_null(False)))
                     .order_by(Lead.id))
        reset = update_records(leads, actor, {"status": NEW_LEAD_STATUS, "inactive_at": None}, action="review")
        (note_id,) = create_records(Note, actor, [{"company": fresh.id, "text": REVIEW_NOTE, "author": agent_id(actor),
                                                   "created_at": now}])
        open_tasks = list(Task.select().where((Task.company == fresh.id) & Task.done_at.is_null()
                                              & Task.job_key.startswith(f"{REVIEW_TASK_PREFIX}C{fresh.id}:")))
        update_records(open_tasks, actor, {"done_at": now}, action="review")
        return fresh, len(reset), note_id

    return run_in_transaction(write)


def note_label(note_id):
    return typed_id("note", note_id)
