"""Adding and editing companies with every rule of SPEC §5 applied once, for every entry point.

`add company`, `edit C12`, the importer and any script call `add_company` and
`edit_company` with plain values. Both validate (exit 2 naming the field), check
the acting agent's role and country, and apply the duplicate rules: an exact
duplicate (website or LinkedIn key) is never stored; a likely one (same name in
the same country, or a close fuzzy match) only with `force`, which History
records. The unique indexes are the last word: a racing process that stored the
same company first turns our insert into the same exit-3 refusal.
"""
import peewee

from crmctl.dedup.decide import apply_duplicate_rules, raise_stored_by_another_process
from crmctl.errors import BadInput
from crmctl.records.history import create_record, record_event, update_record
from crmctl.kinds.ids import fetch_record
from crmctl.rules.permissions import require
from crmctl.rules.values import check_fits, clean_text, whole_number

# Edit names a user may give -> the company field they change.
EDITABLE_FIELDS = {
    "name": "name",
    "website": "website",
    "linkedin_url": "linkedin_url",
    "linkedin": "linkedin_url",
    "employee_count": "employee_count",
    "employees": "employee_count",
    "industry": "industry",
    "subindustry": "subindustry",
    "country": "country",
    "city": "city",
    "relationship": "relationship",
    "owner": "owner",
}
# The normalised key stored beside a field (duplicate checks, unique indexes).
KEY_OF_FIELD = {"name": "name_key", "website": "website_key", "linkedin_url": "linkedin_key"}
# How a required field is named in a message: the CLI option a user typed.
OPTION_OF_FIELD = {
    "name": "--name",
    "website": "--website",
    "linkedin_url": "--linkedin",
    "employee_count": "--employees",
    "industry": "--industry",
    "subindustry": "--subindustry",
    "country": "--country",
    "city": "--city",
}


# ---------------------------------------------------------------------------
# Values shared by companies and leads
# ---------------------------------------------------------------------------


def record_forced(entity, actor, forced, batch=None):
    """History of who stored a record although it looked like a duplicate, and of what."""
    if forced:
        record_event(entity, actor, "force", field="duplicate_of",
                     new_value=[c.id for c in forced], batch=batch)


def fetch_company(company):
    """A Company from a record, a typed id (C12) or a bare number."""
    from crmctl.storage.models import Company

    if isinstance(company, Company):
        return company
    return fetch_record(company, ["company"])


def agent_id(actor):
    return actor.agent.id if actor is not None and actor.agent is not None else None


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------


def required_company_fields():
    from crmctl.rules.settings import get_setting

    return list(get_setting("required_company_fields"))


def company_values(name=None, website=None, linkedin_url=None, employee_count=None, industry=None,
                   subindustry=None, country=None, city=None):
    """Validated, normalised column values (keys included) for a company's given fields."""
    from crmctl.rules.contacts import country_code
    from crmctl.rules.names import company_name_key
    from crmctl.rules.web import linkedin_company_key, linkedin_page_url, website_key
    from crmctl.storage.models import Company

    values = {
        "name": clean_text(name, "name", Company.name),
        "website": clean_text(website, "website", Company.website),
        "linkedin_url": clean_text(linkedin_url, "linkedin_url"),
        "employee_count": whole_number(employee_count, "employee_count", minimum=1),
        "industry": clean_text(industry, "industry", Company.industry),
        "subindustry": clean_text(subindustry, "subindustry", Company.subindustry),
        "country": clean_text(country, "country"),
        "city": clean_text(city, "city", Company.city),
    }
    if values["name"] is not None:
        values["name_key"] = company_name_key(values["name"])
    if values["website"] is not None:
        values["website_key"] = website_key(values["website"])
    if values["linkedin_url"] is not None:
        values["linkedin_key"] = linkedin_company_key(values["linkedin_url"])
        values["linkedin_url"] = linkedin_page_url(values["linkedin_key"])
    if values["country"] is not None:
        values["country"] = country_code(values["country"])
    check_fits(Company, values)
    return values


def check_required(values, fields):
    """BadInput naming every required field that is missing (the country always is required)."""
    missing = [f for f in dict.fromkeys(list(fields) + ["country"]) if values.get(f) is None]
    if missing:
        named = ", ".join(f"{f} ({OPTION_OF_FIELD.get(f, f)})" for f in missing)
        verb = "is" if len(missing) == 1 else "are"
        raise BadInput(f"{named} {verb} required to add a company")


# ---------------------------------------------------------------------------
# Add
# ---------------------------------------------------------------------------


def add_company(actor, name, website=None, linkedin_url=None, employee_count=None, industry=None,
                subindustry=None, country=None, city=None, force=False, batch=None):
    """Store a new company after every rule of SPEC §5; returns it.

    Raises BadInput (2) for missing or malformed fields, Refused (3) for the
    agent's country, DuplicateFound (3) for a duplicate, PermissionDenied (5).
    """
    from crmctl.dedup.candidates import company_candidates, refresh_blocking_keys
    from crmctl.storage.connection import write_transaction
    from crmctl.kinds.ids import typed_id
    from crmctl.storage.models import Company

    require(actor, "add company")
    values = company_values(name, website, linkedin_url, employee_count, industry, subindustry, country, city)
    check_required(values, required_company_fields())
    require(actor, "add company", country=values["country"])
    lookup = dict(
        name=values["name"],
        website_key=values.get("website_key"),
        linkedin_key=values.get("linkedin_key"),
        country=values["country"],
    )
    try:
        with write_transaction():
            forced = apply_duplicate_rules("company", company_candidates(**lookup), force)
            company = create_record(
                Company,
                actor,
                batch=batch,
                owner=agent_id(actor),
                created_by=agent_id(actor),
                **values,
            )
            refresh_blocking_keys(company)
            record_forced(typed_id("company", company.id), actor, forced, batch=batch)
    except peewee.IntegrityError:
        raise_stored_by_another_process("company", company_candidates(**lookup))
    return company


# ---------------------------------------------------------------------------
# Edit
# ---------------------------------------------------------------------------


def edit_company(actor, company, changes, force=False):
    """Apply `edit C12 --set field=value` changes through the rules of `add_company`.

    `changes` maps field names (as a user types them) to text; an empty text
    clears an optional field. Duplicate rules are re-run on what changed,
    leaving the company itself out.
    """
    from crmctl.dedup.candidates import company_candidates, refresh_blocking_keys
    from crmctl.rules.permissions import get_agent
    from crmctl.storage.connection import write_transaction
    from crmctl.kinds.ids import typed_id
    from crmctl.rules.vocabulary import relationship_named

    require(actor, "edit company")
    given = {}
    for name, value in changes.items():
        field = EDITABLE_FIELDS.get(name)
        if field is None:
            raise BadInput(
                f"unknown field {name!r} for a company (editable: {', '.join(sorted(EDITABLE_FIELDS))})"
            )
        given[field] = value
    new = {}
    validated = company_values(**{f: v for f, v in given.items() if f not in ("relationship", "owner")})
    for field in given:
        if field == "relationship":
            new["relationship"] = relationship_named(given["relationship"])
        elif field == "owner":
            new["owner"] = get_agent(given["owner"]).id if given["owner"] else None
        else:
            new[field] = validated[field]
            key_field = KEY_OF_FIELD.get(field)
            if key_field:
                new[key_field] = validated.get(key_field)
    required = required_company_fields() + ["country"]
    for field, value in new.items():
        if value is None and field in required:
            raise BadInput(f"{field} is required for a company and cannot be cleared")
    if "country" in new:
        require(actor, "add company", country=new["country"])
    if "owner" in new and new["owner"] != company.owner_id:
        require(actor, "allocate")

    lookup = {}
    if "name" in new or "country" in new:
        lookup["name"] = new.get("name", company.name)
        lookup["country"] = new.get("country", company.country)
    if new.get("website_key") and new["website_key"] != company.website_key:
        lookup["website_key"] = new["website_key"]
    if new.get("linkedin_key") and new["linkedin_key"] != company.linkedin_key:
        lookup["linkedin_key"] = new["linkedin_key"]
    entity = typed_id("company", company.id)
    try:
        with write_transaction():
            forced = []
            if lookup:
                candidates = company_candidates(exclude_id=company.id, **lookup)
                forced = apply_duplicate_rules("company", candidates, force)
            changed = update_record(company, actor, new)
            if "name" in changed:
                refresh_blocking_keys(company)
            record_forced(entity, actor, forced)
    except peewee.IntegrityError:
        raise_stored_by_another_process("company", company_candidates(exclude_id=company.id, **lookup))
    return company

