"""Adding and editing companies with every rule of SPEC §5, for many rows at once.

`add company` is `add_companies(actor, [row])`; the importer passes thousands
of rows; `edit C12` is `edit_company`, which validates with the same
validators and checks duplicates with the same matcher. An exact duplicate
(website or LinkedIn key) is never stored; a likely one (same name in the same
country, or a close fuzzy match) only with `force`, which History records. The
unique indexes are the last word: a racing process that stored the same
company first turns our row into the same exit-3 refusal.
"""
import peewee

from crmctl.dedup.candidates import CompanyLookup, CompanyMatcher
from crmctl.dedup.decide import apply_duplicate_rules, decide, raise_stored_by_another_process, split_possible
from crmctl.dedup.keys import stored_keys
from crmctl.errors import BadInput
from crmctl.kinds.ids import fetch_record
from crmctl.kinds.registry import COMPANY
from crmctl.records.batch import (RowOutcome, attach_skipped, created_history, forced_history, insert_returning_ids,
                                  insert_rows, only_row, possible_history, refuse_duplicates, run_in_transaction,
                                  validated, write_history)
from crmctl.records.history import update_record
from crmctl.records.scoring import COMPANY_FIELDS_SCORED, rescore_company_leads
from crmctl.rules.contacts import country_code
from crmctl.rules.names import company_name_key
from crmctl.rules.permissions import require, require_home_country, working_agent
from crmctl.rules.settings import load_settings
from crmctl.rules.values import check_fits, clean_text, whole_number
from crmctl.rules.vocabulary import relationship_named
from crmctl.rules.web import linkedin_company_key, linkedin_page_url, website_key
from crmctl.storage.connection import write_transaction
from crmctl.storage.locks import lock_company_names, released_after_transaction
from crmctl.storage.models import Company, CompanyAlias, CompanyBlockingKey

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
COMPANY_FIELDS = tuple(OPTION_OF_FIELD)


def fetch_company(company):
    """A Company from a record, a typed id (C12) or a bare number."""
    if isinstance(company, Company):
        return company
    return fetch_record(company, ["company"])


def agent_id(actor):
    return actor.agent.id if actor is not None and actor.agent is not None else None


# ---------------------------------------------------------------------------
# Validation: raw values in, clean column values (keys included) out, nothing written
# ---------------------------------------------------------------------------


def company_values(name=None, website=None, linkedin_url=None, employee_count=None, industry=None,
                   subindustry=None, country=None, city=None):
    """Validated, normalised column values (keys included) for a company's given fields."""
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
    # Every row of a batch has the same columns, so one INSERT serves them all.
    values["name_key"] = company_name_key(values["name"]) if values["name"] is not None else None
    values["website_key"] = website_key(values["website"]) if values["website"] is not None else None
    values["linkedin_key"] = None
    if values["linkedin_url"] is not None:
        values["linkedin_key"] = linkedin_company_key(values["linkedin_url"])
        values["linkedin_url"] = linkedin_page_url(values["linkedin_key"])
    if values["country"] is not None:
        values["country"] = country_code(values["country"])
    check_fits(Company, values)
    return values


def check_required(values, fields, verb="add"):
    """BadInput naming every required field that is missing (the country always is required)."""
    missing = [f for f in dict.fromkeys(list(fields) + ["country"]) if values.get(f) is None]
    if missing:
        if verb != "add":
            raise BadInput(f"{missing[0]} is required for a company and cannot be cleared")
        named = ", ".join(f"{f} ({OPTION_OF_FIELD.get(f, f)})" for f in missing)
        raise BadInput(f"{named} {'is' if len(missing) == 1 else 'are'} required to add a company")


def lookup_of(values):
    return CompanyLookup(values.get("name_key"), values.get("website_key"), values.get("linkedin_key"),
                         values.get("country"))


def check_companies(rows, settings=None, matcher=None, actor=None, lock=False):
    """Validate rows and find their duplicates, writing nothing: exactly what `add_companies` checks.

    Each outcome holds the clean values and the candidates, or the error that
    rejects the row (bad input, the agent's country). With `lock` (inside a
    write transaction) the name block of each country of the batch is locked
    after validation, which reads nothing, and before the matcher reads: a
    racing process adding the same name waits, then finds ours.
    """
    settings = settings if settings is not None else load_settings()
    required = settings["required_company_fields"]

    def validate(row):
        values = company_values(**{name: row.get(name) for name in COMPANY_FIELDS})
        check_required(values, required)
        if actor is not None:
            require(actor, "add company", country=values["country"])
        return values

    outcomes = validated(rows, validate)
    pending = [o for o in outcomes if o.pending]
    if lock:
        lock_company_names(o.values["country"] for o in pending)
    matcher = matcher or CompanyMatcher(settings)
    for outcome, candidates in zip(pending, matcher.find([lookup_of(o.values) for o in pending])):
        outcome.candidates, outcome.possible = split_possible(candidates)
    return outcomes


# ---------------------------------------------------------------------------
# Add
# ---------------------------------------------------------------------------


def add_companies(actor, rows, force=False, batch=None, settings=None, on_duplicate="refuse"):
    """Store new companies after every rule of SPEC §5; one RowOutcome per row, in order.

    Rows are dicts of name, website, linkedin_url, employee_count, industry,
    subindustry, country, city. A row is refused for bad input (2), the
    agent's country or a duplicate (3); the others are written in chunks in
    one transaction with their history and blocking keys. With
    `on_duplicate="skip"` an exact duplicate is not refused: its outcome is
    "skip" and its `record_id` the company it duplicates.
    """
    require(actor, "add company")
    settings = settings if settings is not None else load_settings()

    def write():
        outcomes = check_companies(rows, settings, actor=actor, lock=True)
        refuse_duplicates("company", outcomes, decide, force=force, on_duplicate=on_duplicate)
        new = [o for o in outcomes if o.pending and o.action != "skip"]
        owner = agent_id(actor)
        ids = insert_returning_ids(Company, [dict(o.values, owner=owner, created_by=owner) for o in new])
        for outcome, record_id in zip(new, ids):
            outcome.record_id = record_id
        write_history(created_history("company", ids, actor, batch) + forced_history("company", new, actor, batch)
                      + possible_history("company", new, actor, batch))
        store_blocking_keys([(o.record_id, o.values["name_key"]) for o in new], new=True)
        attach_skipped(outcomes)
        return outcomes

    return run_in_transaction(write)


def add_company(actor, force=False, batch=None, **fields):
    """One company through `add_companies`: (the stored company, its possible duplicates), or its row's error."""
    outcome = only_row(add_companies(actor, [fields], force=force, batch=batch))
    return Company.get_by_id(outcome.record_id), outcome.possible


def store_blocking_keys(companies, new=False):
    """(company id, name key) pairs: the keys of each name and of the company's aliases replace what was stored.

    An alias counts as the company's name in every check (SPEC §4), so its
    keys are stored under the company's id beside those of the name; each
    (key, company) row once. A few statements per 500 companies; `new`
    companies (just inserted: no keys, no aliases yet) only insert.
    """
    name_keys = {}
    for company_id, name_key in companies:
        name_keys.setdefault(company_id, set()).add(name_key)
    ids = [] if new else list(name_keys)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        aliases = (CompanyAlias.select(CompanyAlias.company, CompanyAlias.name_key)
                   .where(CompanyAlias.company.in_(chunk)).tuples())
        for company_id, alias_key in aliases:
            name_keys[company_id].add(alias_key)
        CompanyBlockingKey.delete().where(CompanyBlockingKey.company.in_(chunk)).execute()
    rows = [(company_id, key) for company_id, keys in name_keys.items()
            for key in {key for name_key in keys for key in stored_keys(name_key)}]
    rows.sort(key=_by_key)  # in the order of the (key, company) index: each of its pages is written once
    insert_rows(CompanyBlockingKey, ("company", "key"), rows)


def _by_key(row):
    company_id, key = row
    return key, company_id


def refresh_blocking_keys(company_ids):
    """Recompute the stored keys of these companies from their stored names and aliases."""
    ids = sorted(set(company_ids))
    companies = []
    for start in range(0, len(ids), 500):
        companies.extend(Company.select(Company.id, Company.name_key).where(Company.id.in_(ids[start:start + 500]))
                         .tuples())
    store_blocking_keys(companies)


# ---------------------------------------------------------------------------
# Edit
# ---------------------------------------------------------------------------


def edit_company(actor, company, changes, force=False, settings=None):
    """Apply `edit C12 --set field=value` through the validators and duplicate rules of `add_companies`.

    `changes` maps field names (as a user types them) to text; an empty text
    clears an optional field. The changed company is validated whole, as `add`
    would, and matched against every other company.
    """
    require(actor, "edit company")
    require_home_country(actor, company.country, "edits companies only in", f"C{company.id}")
    settings = settings if settings is not None else load_settings()
    given = {field.stored_in: value for field, value in COMPANY.fields_to_edit(changes)}
    new = {}
    validated_values = company_values(**{f: v for f, v in given.items() if f in COMPANY_FIELDS})
    for field_name, value in given.items():
        if field_name == "relationship":
            new["relationship"] = relationship_named(value)
        elif field_name == "owner":
            new["owner"] = working_agent(value, "own companies").id if value else None
        else:
            new[field_name] = validated_values[field_name]
            if field_name in KEY_OF_FIELD:
                new[KEY_OF_FIELD[field_name]] = validated_values.get(KEY_OF_FIELD[field_name])
    merged = {name: getattr(company, name) for name in COMPANY_FIELDS + tuple(KEY_OF_FIELD.values())}
    merged.update(new)
    check_required(merged, [f for f in settings["required_company_fields"] if f in new] + ["country"], verb="edit")
    if "country" in new:
        require(actor, "add company", country=new["country"])
    if "owner" in new and new["owner"] != company.owner_id:
        require(actor, "allocate")
    lookup = CompanyLookup(
        merged["name_key"] if "name" in new or "country" in new else None,
        new.get("website_key") if new.get("website_key") != company.website_key else None,
        new.get("linkedin_key") if new.get("linkedin_key") != company.linkedin_key else None,
        merged["country"],
    )

    matcher = CompanyMatcher(settings)
    try:
        with released_after_transaction(), write_transaction():
            if "name" in new or "country" in new:
                lock_company_names([merged["country"]])
            refusing, _possible = split_possible(matcher.find([lookup], exclude_ids=[company.id])[0])
            forced = apply_duplicate_rules("company", refusing, force)
            changed = update_record(company, actor, new)
            if "name" in changed:
                store_blocking_keys([(company.id, company.name_key)])
            write_history(forced_history("company", [RowOutcome(0, action="forced" if forced else "update",
                                                                record_id=company.id, candidates=forced)], actor))
            if COMPANY_FIELDS_SCORED & set(changed):  # they move its leads' scores
                rescore_company_leads(actor, [company.id])
    except peewee.IntegrityError:
        raise_stored_by_another_process("company", matcher.find([lookup], exclude_ids=[company.id])[0])
    return company

