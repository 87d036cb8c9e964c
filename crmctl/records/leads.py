"""Adding and editing leads (people at companies) with every rule of SPEC §5 applied once.

A lead's identity is its LinkedIn profile, e-mails and E.164 phones, stored as
Contact rows whose (source, match_key) is unique, so the database itself
refuses a second lead with the same identity. A phone without a country code is
read in the company's country. Other contact details (Facebook, Instagram,
website, other) are kept as given and never used to match.
"""
import peewee

from crmctl.dedup.decide import apply_duplicate_rules, raise_stored_by_another_process
from crmctl.records.companies import agent_id, fetch_company, record_forced
from crmctl.rules.values import check_fits, clean_text, free_text, whole_number
from crmctl.errors import BadInput, Refused
from crmctl.records.history import create_record, record_event, update_record
from crmctl.rules.permissions import require
from crmctl.rules.vocabulary import NEW_LEAD_STATUS, contact_source_named, lead_status_named, needs_date


class _ActingAgent:
    def __repr__(self):
        return "ACTING_AGENT"


# `owner=ACTING_AGENT` (the default) gives a new lead to whoever adds it;
# `owner=None` puts it in the pool; an e-mail gives it to that agent.
ACTING_AGENT = _ActingAgent()

EDITABLE_FIELDS = {
    "full_name": "full_name",
    "name": "full_name",
    "position": "position",
    "linkedin_url": "linkedin_url",
    "linkedin": "linkedin_url",
    "connections": "connections",
    "status": "status",
    "follow_up_on": "follow_up_on",
    "owner": "owner",
    "budget": "budget",
    "authority": "authority",
    "need": "need",
    "timeline": "timeline",
    "company": "company",
    "company_id": "company",
    "emails": "emails",
    "email": "emails",
    "phones": "phones",
    "phone": "phones",
}


# ---------------------------------------------------------------------------
# Contact details
# ---------------------------------------------------------------------------


def contact_pair(text):
    """`SOURCE=VALUE` (the --contact option) as a (source, value) pair."""
    if isinstance(text, (tuple, list)):
        return tuple(text)
    source, equals, value = str(text).partition("=")
    if not equals or not source.strip():
        raise BadInput(f"contact {text!r} is not SOURCE=VALUE (like email=ann@example.com)")
    return source.strip(), value


def contact_entry(source, value, region):
    """(source, value to show, match key or None) for one contact detail."""
    from crmctl.rules.contacts import email_key, phone_key
    from crmctl.rules.web import linkedin_page_url, linkedin_profile_key
    from crmctl.storage.models import Contact

    source = contact_source_named(source)
    if source == "linkedin":
        key = linkedin_profile_key(value)
        entry = source, linkedin_page_url(key), key
    elif source == "email":
        key = email_key(value)
        entry = source, key, key
    elif source == "phone":
        key = phone_key(value, default_region=region)
        entry = source, key, key
    else:
        text = clean_text(value, f"{source} contact", Contact.value)
        if text is None:
            raise BadInput(f"{source} contact has no value")
        entry = source, text, None
    check_fits(Contact, {"value": entry[1], "match_key": entry[2]})
    return entry


def contact_entries(region, linkedin_url=None, emails=(), phones=(), contacts=()):
    """Every contact detail given, normalised, without repeats, identities first."""
    pairs = []
    if linkedin_url not in (None, ""):
        pairs.append(("linkedin", linkedin_url))
    pairs += [("email", e) for e in emails if e not in (None, "")]
    pairs += [("phone", p) for p in phones if p not in (None, "")]
    pairs += [contact_pair(c) for c in contacts]
    entries, seen = [], set()
    for source, value in pairs:
        entry = contact_entry(source, value, region)
        if (entry[0], entry[2] or entry[1]) in seen:
            continue
        seen.add((entry[0], entry[2] or entry[1]))
        entries.append(entry)
    profiles = [e for e in entries if e[0] == "linkedin"]
    if len(profiles) > 1:
        raise BadInput(f"a lead has one LinkedIn profile, not {len(profiles)} ({', '.join(e[1] for e in profiles)})")
    return entries


def identity_keys(entries):
    """The keyword arguments of lead_candidates for these entries."""
    linkedin = [e[2] for e in entries if e[0] == "linkedin"]
    return {
        "linkedin_key": linkedin[0] if linkedin else None,
        "email_keys": tuple(e[2] for e in entries if e[0] == "email"),
        "phone_keys": tuple(e[2] for e in entries if e[0] == "phone"),
    }


def store_contacts(lead, entries):
    from crmctl.storage.models import Contact

    if entries:
        Contact.insert_many(
            [{"lead": lead.id, "source": s, "value": v, "match_key": k} for s, v, k in entries]
        ).execute()


def contact_list(entries):
    return [{"source": s, "value": v} for s, v, _k in entries]


# ---------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------


def check_connections(connections):
    from crmctl.rules.settings import get_setting

    minimum = get_setting("min_linkedin_connections")
    if connections is not None and connections < minimum:
        raise Refused(
            f"a lead needs at least {minimum} LinkedIn connections, not {connections} "
            "(rule min_linkedin_connections)"
        )


def check_room_at(company, leaving_out=None):
    """Refuse a lead beyond the per-company limit; locks the company row where the database can."""
    from crmctl.storage.connection import database_proxy
    from crmctl.kinds.ids import typed_id
    from crmctl.storage.models import Company, Lead
    from crmctl.rules.settings import get_setting

    if not isinstance(database_proxy.obj, peewee.SqliteDatabase):
        list(Company.select(Company.id).where(Company.id == company.id).for_update())
    limit = get_setting("max_leads_per_company")
    query = Lead.select().where((Lead.company == company.id) & Lead.archived_at.is_null())
    if leaving_out is not None:
        query = query.where(Lead.id != leaving_out)
    if query.count() >= limit:
        raise Refused(
            f"{typed_id('company', company.id)} {company.name} already has {limit} leads, "
            f"the most a company may have (rule max_leads_per_company)"
        )


def check_company_open(company):
    from crmctl.kinds.ids import typed_id

    if company.archived_at is not None:
        raise Refused(f"{typed_id('company', company.id)} {company.name} is archived: restore it first")


def status_and_date(status, follow_up_on):
    """The canonical status and its date; Follow Up and Event need the date."""
    from crmctl.rules.dates import parse_date

    status = lead_status_named(status)
    date = parse_date(follow_up_on, "follow_up_on") if follow_up_on not in (None, "") else None
    if needs_date(status) and date is None:
        raise BadInput(f"status {status} needs a date (follow_up_on)")
    return status, date


def owner_id_for(actor, owner):
    """The Agent id a new or edited lead belongs to; giving it to someone else is allocation."""
    from crmctl.rules.permissions import get_agent

    if owner is ACTING_AGENT:
        return agent_id(actor)
    if owner in (None, ""):
        return None
    agent = get_agent(owner)
    if not agent.active:
        raise Refused(f"agent {agent.email} is deactivated and cannot own leads")
    if agent.id != agent_id(actor):
        require(actor, "allocate")
    return agent.id


# ---------------------------------------------------------------------------
# Add
# ---------------------------------------------------------------------------


def add_lead(actor, company, full_name, position=None, linkedin_url=None, connections=None, emails=(),
             phones=(), contacts=(), owner=ACTING_AGENT, force=False, status=None, follow_up_on=None,
             batch=None):
    """Store a new lead at `company` (a Company, C12 or 12) after every rule; returns it.

    `contacts` holds (source, value) pairs or `SOURCE=VALUE` texts. A new lead's
    status is Sent Request unless `status` says otherwise (imports carry one).
    """
    from crmctl.dedup.candidates import lead_candidates
    from crmctl.storage.connection import write_transaction
    from crmctl.kinds.ids import typed_id
    from crmctl.storage.models import Lead

    require(actor, "add lead")
    company = fetch_company(company)
    full_name = clean_text(full_name, "name", Lead.full_name)
    if full_name is None:
        raise BadInput("name is required to add a lead (--name)")
    position = clean_text(position, "position", Lead.position)
    connections = whole_number(connections, "connections")
    status, follow_up_date = status_and_date(status or NEW_LEAD_STATUS, follow_up_on)
    entries = contact_entries(company.country, linkedin_url, emails, phones, contacts)
    keys = identity_keys(entries)
    owner_id = owner_id_for(actor, owner)
    check_company_open(company)
    check_connections(connections)
    try:
        with write_transaction():
            check_room_at(company)
            forced = apply_duplicate_rules("lead", lead_candidates(**keys), force)
            lead = create_record(
                Lead,
                actor,
                batch=batch,
                company=company.id,
                full_name=full_name,
                position=position,
                linkedin_url=next((v for s, v, _k in entries if s == "linkedin"), None),
                connections=connections,
                status=status,
                follow_up_on=follow_up_date,
                owner=owner_id,
                created_by=agent_id(actor),
            )
            store_contacts(lead, entries)
            entity = typed_id("lead", lead.id)
            if entries:
                record_event(entity, actor, "create", field="contacts", new_value=contact_list(entries), batch=batch)
            record_forced(entity, actor, forced, batch=batch)
    except peewee.IntegrityError:
        raise_stored_by_another_process("lead", lead_candidates(**keys))
    return lead


# ---------------------------------------------------------------------------
# Edit
# ---------------------------------------------------------------------------


def split_list(text):
    return [item.strip() for item in str(text or "").split(",") if item.strip()]


def edit_lead(actor, lead, changes, force=False):
    """Apply `edit L34 --set field=value` changes through the rules of `add_lead`.

    `emails` and `phones` take comma-separated lists that replace the lead's
    own; `linkedin_url` replaces its profile; an empty value clears a field.
    """
    from crmctl.dedup.candidates import lead_candidates
    from crmctl.storage.connection import write_transaction
    from crmctl.kinds.ids import typed_id
    from crmctl.storage.models import Contact, Lead

    require(actor, "edit lead", lead=lead)
    given = {}
    for name, value in changes.items():
        field = EDITABLE_FIELDS.get(name)
        if field is None:
            raise BadInput(f"unknown field {name!r} for a lead (editable: {', '.join(sorted(EDITABLE_FIELDS))})")
        given[field] = value

    new = {}
    company = lead.company
    if "company" in given:
        company = fetch_company(given["company"])
        check_company_open(company)
        new["company"] = company.id
    if "full_name" in given:
        new["full_name"] = clean_text(given["full_name"], "name", Lead.full_name)
        if new["full_name"] is None:
            raise BadInput("a lead's name cannot be cleared")
    if "position" in given:
        new["position"] = clean_text(given["position"], "position", Lead.position)
    for text_field in ("budget", "authority", "need", "timeline"):
        if text_field in given:
            new[text_field] = free_text(given[text_field], text_field)
    if "connections" in given:
        new["connections"] = whole_number(given["connections"], "connections")
    if "status" in given or "follow_up_on" in given:
        require(actor, "change status", lead=lead)
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
        check_connections(new["connections"])
    entity = typed_id("lead", lead.id)
    keys = identity_keys(added)
    try:
        with write_transaction():
            if "company" in new and new["company"] != lead.company_id:
                check_room_at(company, leaving_out=lead.id)
            forced = []
            if added:
                forced = apply_duplicate_rules("lead", lead_candidates(exclude_id=lead.id, **keys), force)
            update_record(lead, actor, new)
            if replaced:
                sources = list(replaced)
                Contact.delete().where((Contact.lead == lead.id) & Contact.source.in_(sources)).execute()
                store_contacts(lead, [e for e in new_entries if e[0] in sources])
                if contact_list(old_entries) != contact_list(new_entries):
                    record_event(entity, actor, "update", field="contacts",
                                 old_value=contact_list(old_entries), new_value=contact_list(new_entries))
            record_forced(entity, actor, forced)
    except peewee.IntegrityError:
        raise_stored_by_another_process("lead", lead_candidates(exclude_id=lead.id, **keys))
    return lead
