"""Adding and editing leads (people at companies) with every rule of SPEC §5, for many rows at once.

`add lead` is `add_leads(actor, [row])`; the importer passes thousands of rows.
Companies, owners, duplicates and the per-company limit are looked up for the
whole batch in a bounded number of queries. A lead's identity is its LinkedIn
profile, e-mails and E.164 phones (`crmctl.records.contacts`), unique in the
database, so two racing processes cannot both store the same person.
"""
import peewee

from crmctl.dedup.lead_candidates import LeadMatcher
from crmctl.dedup.decide import apply_duplicate_rules, decide, raise_stored_by_another_process
from crmctl.errors import BadInput, CrmError, NotFound, Refused
from crmctl.kinds.ids import missing_record_message, parse_typed_id, typed_id
from crmctl.kinds.registry import LEAD
from crmctl.records.batch import (RowOutcome, attach_skipped, created_history, forced_history, history_row, insert_returning_ids,
                                  only_row, refuse_duplicates, run_in_transaction, write_history)
from crmctl.records.companies import agent_id, fetch_company
from crmctl.records.contacts import contact_entries, contact_list, identities, store_contacts
from crmctl.records.history import history_text, update_record
from crmctl.dates import parse_date
from crmctl.rules.permissions import require, require_home_country, working_agent
from crmctl.records.scoring import first_score, rescore_leads
from crmctl.rules.settings import load_settings
from crmctl.rules.values import clean_text, free_text, one_line, whole_number
from crmctl.rules.vocabulary import LEAD_STATUSES, NEW_LEAD_STATUS, lead_status_named, needs_date
from crmctl.storage.connection import database_proxy, write_transaction
from crmctl.storage.models import Agent, Company, Contact, Lead


class _ActingAgent:
    def __repr__(self):
        return "ACTING_AGENT"


# `owner=ACTING_AGENT` (the default) gives a new lead to whoever adds it;
# `owner=None` puts it in the pool; an e-mail gives it to that agent.
ACTING_AGENT = _ActingAgent()

# ---------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------


def check_connections(connections, settings):
    minimum = settings["min_linkedin_connections"]
    if connections is not None and connections < minimum:
        raise Refused(
            f"a lead needs at least {minimum} LinkedIn connections, not {connections} "
            "(rule min_linkedin_connections)"
        )


def lock_companies(company_ids):
    """Lock the company rows where the database can, before anything else is read.

    Taken first in the transaction, the lock makes the lead counts that follow
    current (MySQL's snapshot starts at the first read) and holds them until the
    transaction ends, so two racing processes cannot both add a company's last lead.
    """
    company_ids = sorted(set(company_ids))
    if company_ids and not isinstance(database_proxy.obj, peewee.SqliteDatabase):
        list(Company.select(Company.id).where(Company.id.in_(company_ids)).order_by(Company.id).for_update())


def lead_counts(company_ids, leaving_out=None):
    """Leads per company, in one query."""
    company_ids = sorted(set(company_ids))
    if not company_ids:
        return {}
    query = (Lead.select(Lead.company, peewee.fn.COUNT(Lead.id))
             .where(Lead.company.in_(company_ids) & Lead.archived_at.is_null()).group_by(Lead.company))
    if leaving_out is not None:
        query = query.where(Lead.id != leaving_out)
    return dict(query.tuples())


def room_refusal(company, limit, holding=None):
    """The 5-lead limit's refusal; `holding` names the leads the company would hold, when that is known."""
    if holding is not None:
        return Refused(f"{typed_id('company', company.id)} {company.name} would hold {holding} leads, "
                       f"more than the {limit} a company may have (rule max_leads_per_company)")
    return Refused(f"{typed_id('company', company.id)} {company.name} already has {limit} leads, "
                   f"the most a company may have (rule max_leads_per_company)")


def check_room(company, arriving, settings, leaving_out=None):
    """Refused (3) when `arriving` more live leads would take `company` past the per-company limit.

    What moves leads onto a company (`edit --set company=`, a merge of
    companies) calls it inside its write transaction, after locking the
    company; `add_leads` counts a whole batch at once with the same refusal.
    """
    limit = settings["max_leads_per_company"]
    holding = lead_counts([company.id], leaving_out=leaving_out).get(company.id, 0) + arriving
    if arriving and holding > limit:
        raise room_refusal(company, limit, holding)


def check_company_open(company):
    if company.archived_at is not None:
        raise Refused(f"{typed_id('company', company.id)} {company.name} is archived: restore it first")


def status_and_date(status, follow_up_on):
    """The canonical status and its date; Follow Up and Event need the date."""
    status = lead_status_named(status)
    date = parse_date(follow_up_on, "follow_up_on") if follow_up_on not in (None, "") else None
    if needs_date(status) and date is None:
        raise BadInput(f"status {status} needs a date (follow_up_on)")
    return status, date


def owner_id_for(actor, owner, agents_by_email=None):
    """The Agent id a new or edited lead belongs to; giving it to someone else is allocation."""
    if owner is ACTING_AGENT:
        return agent_id(actor)
    if owner in (None, ""):
        return None
    agent = owner if agents_by_email is None else agents_by_email.get(str(owner).strip().lower())
    if agent is None:
        raise NotFound(f"agent {owner} not found")
    agent = working_agent(agent, "own leads")
    if agent.id != agent_id(actor):
        require(actor, "allocate")
    return agent.id


# ---------------------------------------------------------------------------
# Add
# ---------------------------------------------------------------------------


def companies_of(rows):
    """{row's company reference: Company or the error naming why it is missing}, in one query per 500."""
    wanted = {}
    for row in rows:
        reference = row.get("company")
        if isinstance(reference, Company):
            wanted[reference] = reference
            continue
        try:
            wanted[reference] = parse_typed_id(reference, ["company"])[1]
        except CrmError as error:
            wanted[reference] = error
    numbers = sorted({n for n in wanted.values() if isinstance(n, int)})
    found = {}
    for start in range(0, len(numbers), 500):
        found.update({c.id: c for c in Company.select().where(Company.id.in_(numbers[start:start + 500]))})
    resolved = {}
    for reference, number in wanted.items():
        if isinstance(number, int):
            resolved[reference] = found.get(number) or NotFound(missing_record_message(typed_id("company", number)))
        else:
            resolved[reference] = number
    return resolved


def agents_by_email(rows):
    emails = {str(row["owner"]).strip().lower() for row in rows
              if row.get("owner") not in (None, "", ACTING_AGENT)}
    return {agent.email: agent for agent in Agent.select().where(Agent.email.in_(sorted(emails)))} if emails else {}


def lead_values(actor, row, company, settings, owners):
    """Clean column values and contact entries of one new lead; raises the error that rejects the row."""
    if isinstance(company, CrmError):
        raise company
    full_name = clean_text(row.get("full_name"), "name", Lead.full_name)
    if full_name is None:
        raise BadInput("name is required to add a lead (--name)")
    connections = whole_number(row.get("connections"), "connections")
    status, follow_up_on = status_and_date(row.get("status") or NEW_LEAD_STATUS, row.get("follow_up_on"))
    entries = contact_entries(company.country, row.get("linkedin_url"), row.get("emails") or (),
                              row.get("phones") or (), row.get("contacts") or ())
    owner = owner_id_for(actor, row.get("owner", ACTING_AGENT), owners)
    check_company_open(company)
    check_connections(connections, settings)
    position = clean_text(row.get("position"), "position", Lead.position, required="--position")
    return {
        "company": company.id, "full_name": full_name,
        "position": position,
        "linkedin_url": next((v for s, v, _k in entries if s == "linkedin"), None),
        "connections": connections, "status": status, "follow_up_on": follow_up_on,
        "owner": owner, "created_by": agent_id(actor), "score": first_score(company, position, settings),
    }, entries


def add_leads(actor, rows, force=False, batch=None, settings=None, on_duplicate="refuse"):
    """Store new leads after every rule of SPEC §5; one RowOutcome per row, in order.

    Rows are dicts of company (a Company, C12 or 12), full_name, position,
    linkedin_url, connections, emails, phones, contacts ((source, value) pairs
    or SOURCE=VALUE texts), owner (ACTING_AGENT by default, None for the pool,
    or an e-mail), status and follow_up_on.
    """
    require(actor, "add lead")
    settings = settings if settings is not None else load_settings()
    rows = list(rows)
    companies = companies_of(rows)
    owners = agents_by_email(rows)

    def write():
        lock_companies(c.id for c in companies.values() if isinstance(c, Company))
        outcomes, entries = [], {}
        for index, row in enumerate(rows):
            outcome = RowOutcome(index)
            try:
                outcome.values, entries[index] = lead_values(actor, row, companies[row.get("company")], settings,
                                                             owners)
            except CrmError as error:
                outcome.reject(error)
            outcomes.append(outcome)
        pending = [o for o in outcomes if o.pending]
        matches = LeadMatcher().find([identities(entries[o.index]) for o in pending])
        for outcome, candidates in zip(pending, matches):
            outcome.candidates = candidates
        refuse_duplicates("lead", outcomes, decide, force=force, on_duplicate=on_duplicate)
        limit = settings["max_leads_per_company"]
        counts = lead_counts(o.values["company"] for o in outcomes if o.pending)
        for outcome in outcomes:
            if outcome.pending and outcome.action != "skip":
                company_id = outcome.values["company"]
                if counts.get(company_id, 0) >= limit:
                    outcome.reject(room_refusal(companies[rows[outcome.index].get("company")], limit))
                else:
                    counts[company_id] = counts.get(company_id, 0) + 1
        new = [o for o in outcomes if o.pending and o.action != "skip"]
        ids = insert_returning_ids(Lead, [o.values for o in new])
        for outcome, record_id in zip(new, ids):
            outcome.record_id = record_id
        store_contacts({o.record_id: entries[o.index] for o in new})
        history = created_history("lead", ids, actor, batch)
        history += [history_row(actor, f"{LEAD.letter}{o.record_id}", "create", "contacts",
                                new=history_text(contact_list(entries[o.index])), batch=batch)
                    for o in new if entries[o.index]]
        write_history(history + forced_history("lead", new, actor, batch))
        attach_skipped(outcomes)
        return outcomes

    return run_in_transaction(write)


def add_lead(actor, company, force=False, batch=None, **fields):
    """One lead through `add_leads`; returns it, or raises its row's error."""
    outcome = only_row(add_leads(actor, [dict(fields, company=company)], force=force, batch=batch))
    return Lead.get_by_id(outcome.record_id)


# ---------------------------------------------------------------------------
# Edit
# ---------------------------------------------------------------------------


def split_list(text):
    return [item.strip() for item in str(text or "").split(",") if item.strip()]


def edit_lead(actor, lead, changes, force=False):
    """Apply `edit L34 --set field=value` changes through the validators and duplicate rules of `add_leads`.

    `emails` and `phones` take comma-separated lists that replace the lead's
    own; `linkedin_url` replaces its profile; an empty value clears a field.
    """
    require(actor, "edit lead", lead=lead)
    settings = load_settings()
    given = {field.stored_in: value for field, value in LEAD.fields_to_edit(changes)}

    new = {}
    company = lead.company
    if "company" in given:
        company = fetch_company(given["company"])
        check_company_open(company)
        require_home_country(actor, company.country, "moves leads only to companies in", f"C{company.id}")
        new["company"] = company.id
    if "full_name" in given:
        new["full_name"] = clean_text(given["full_name"], "name", Lead.full_name)
        if new["full_name"] is None:
            raise BadInput("a lead's name cannot be cleared")
    if "position" in given:
        new["position"] = one_line(Lead.position, required=True)(given["position"], "position")
    for text_field in ("budget", "authority", "need", "timeline"):
        if text_field in given:
            new[text_field] = free_text(given[text_field], text_field)
    if "connections" in given:
        new["connections"] = whole_number(given["connections"], "connections")
    if "status" in given or "follow_up_on" in given:
        require(actor, "change status", lead=lead)
        if "status" in given and not given["status"].strip():
            raise BadInput("a lead's status cannot be cleared (one of: " + ", ".join(LEAD_STATUSES) + ")")
        status = given.get("status") or lead.status
        date = given["follow_up_on"] if "follow_up_on" in given else lead.follow_up_on
        new["status"], new["follow_up_on"] = status_and_date(status, date)
    if "owner" in given:
        owner_id = owner_id_for(actor, given["owner"] or None)
        if owner_id != lead.owner_id:
            require(actor, "allocate")
        new["owner"] = owner_id

    region = company.country
    old_entries = [(c.source, c.value, c.match_key) for c in Contact.select().where(Contact.lead == lead.id).order_by(Contact.id)]
    replaced = {}
    if "linkedin_url" in given:
        replaced["linkedin"] = contact_entries(region, linkedin_url=given["linkedin_url"] or None)
        new["linkedin_url"] = replaced["linkedin"][0][1] if replaced["linkedin"] else None
    if "emails" in given:
        replaced["email"] = contact_entries(region, emails=split_list(given["emails"]))
    if "phones" in given:
        replaced["phone"] = contact_entries(region, phones=split_list(given["phones"]))
    new_entries = [e for e in old_entries if e[0] not in replaced]
    for source in replaced:
        new_entries += replaced[source]
    old_keys = {(s, k) for s, _v, k in old_entries if k}
    added = [e for e in new_entries if e[2] and (e[0], e[2]) not in old_keys]

    if "connections" in new and new["connections"] != lead.connections:
        check_connections(new["connections"], settings)
    entity = typed_id("lead", lead.id)
    matcher = LeadMatcher()
    try:
        with write_transaction():
            if "company" in new and new["company"] != lead.company_id:
                lock_companies([company.id])
                check_room(company, 1, settings, leaving_out=lead.id)
            forced = []
            if added:
                forced = apply_duplicate_rules("lead", matcher.find([identities(added)], [lead.id])[0], force)
            update_record(lead, actor, new)
            history = []
            if replaced:
                sources = list(replaced)
                Contact.delete().where((Contact.lead == lead.id) & Contact.source.in_(sources)).execute()
                store_contacts({lead.id: [e for e in new_entries if e[0] in sources]})
                if contact_list(old_entries) != contact_list(new_entries):
                    history.append(history_row(actor, entity, "update", "contacts",
                                               old=history_text(contact_list(old_entries)),
                                               new=history_text(contact_list(new_entries))))
            outcome = RowOutcome(0, action="forced" if forced else "update", record_id=lead.id, candidates=forced)
            write_history(history + forced_history("lead", [outcome], actor))
            # A position or a company moves the score: the same transaction, and the record shown has it.
            lead.score = rescore_leads(actor, [lead.id]).get(lead.id, lead.score)
    except peewee.IntegrityError:
        raise_stored_by_another_process("lead", matcher.find([identities(added)], [lead.id])[0])
    return lead
