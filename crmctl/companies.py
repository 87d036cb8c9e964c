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

from crmctl.errors import BadInput, DuplicateFound, Refused
from crmctl.history import create_record, record_event, update_record
from crmctl.ids import fetch_record
from crmctl.permissions import require

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


def clean_text(value, field, model_field=None):
    """A one-line text value with its whitespace collapsed; None when blank."""
    if value is None:
        return None
    text = " ".join(str(value).split())
    if not text:
        return None
    if "\x00" in text:
        raise BadInput(f"{field} contains a NUL character")
    limit = getattr(model_field, "max_length", None)
    if limit and len(text) > limit:
        raise BadInput(f"{field} is longer than {limit} characters")
    return text


def free_text(value, field):
    """Text as given, line breaks kept (notes, conversations, BANT); None when blank."""
    if value is None or not str(value).strip():
        return None
    if "\x00" in str(value):
        raise BadInput(f"{field} contains a NUL character")
    return str(value).strip()


def check_fits(model, values):
    """BadInput for a value longer than its column (keys included), instead of a database error."""
    for name, value in values.items():
        limit = getattr(model._meta.fields.get(name), "max_length", None)
        if limit and isinstance(value, str) and len(value) > limit:
            shown = name[:-4] if name.endswith("_key") else name
            raise BadInput(f"{shown} is too long (at most {limit} characters)")


def whole_number(value, field, minimum=0):
    """An integer from 1200, 1200.0 (Excel), "1,200" or "1 200"; None when blank."""
    if value is None or isinstance(value, bool):
        if isinstance(value, bool):
            raise BadInput(f"{field} {value!r} is not a whole number")
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")) or value != int(value):
            raise BadInput(f"{field} {value!r} is not a whole number")
        number = int(value)
    else:
        text = str(value).strip()
        if not text:
            return None
        compact = text.replace(",", "").replace(" ", "").replace("_", "").replace("\u00a0", "")
        if compact.endswith(".0"):
            compact = compact[:-2]
        if not compact.lstrip("-").isdigit() or not compact.isascii():
            raise BadInput(f"{field} {text!r} is not a whole number")
        number = int(compact)
    if number < minimum:
        raise BadInput(f"{field} must be {minimum} or more, not {number}")
    if number > 2**31 - 1:
        raise BadInput(f"{field} {number} is too large")
    return number


def duplicate_message(kind, candidates, force_allowed):
    """One line naming the rule and the best matching records."""
    shown = "; ".join(
        f"{c.id} {c.name} (score {c.score:g}: {', '.join(c.reasons) or 'similar'})" for c in candidates[:3]
    )
    more = f" and {len(candidates) - 3} more" if len(candidates) > 3 else ""
    if not force_allowed:
        return (
            f"duplicate {kind} refused: matches {shown}{more}; "
            "an exact duplicate is never stored, not even with --force"
        )
    return f"likely duplicate {kind} refused: resembles {shown}{more}; add --force to store it anyway"


def apply_duplicate_rules(kind, candidates, force):
    """Raise DuplicateFound unless storing is allowed; returns the candidates a force overrides.

    Exact duplicates are refused always; likely ones unless `force`.
    """
    if not candidates:
        return []
    exact = [c for c in candidates if c.exact]
    if exact:
        raise DuplicateFound(duplicate_message(kind, exact, force_allowed=False), list(candidates))
    if not force:
        raise DuplicateFound(duplicate_message(kind, candidates, force_allowed=True), candidates)
    return list(candidates)


def record_forced(entity, actor, forced, batch=None):
    """History of who stored a record although it looked like a duplicate, and of what."""
    if forced:
        record_event(entity, actor, "force", field="duplicate_of",
                     new_value=[c.id for c in forced], batch=batch)


def fetch_company(company):
    """A Company from a record, a typed id (C12) or a bare number."""
    from crmctl.models import Company

    if isinstance(company, Company):
        return company
    return fetch_record(company, ["company"])


def agent_id(actor):
    return actor.agent.id if actor is not None and actor.agent is not None else None


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------


def required_company_fields():
    from crmctl.settings import get_setting

    return list(get_setting("required_company_fields"))


def company_values(name=None, website=None, linkedin_url=None, employee_count=None, industry=None,
                   subindustry=None, country=None, city=None):
    """Validated, normalised column values (keys included) for a company's given fields."""
    from crmctl import normalize
    from crmctl.models import Company

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
        values["name_key"] = normalize.company_name_key(values["name"])
    if values["website"] is not None:
        values["website_key"] = normalize.website_key(values["website"])
    if values["linkedin_url"] is not None:
        values["linkedin_key"] = normalize.linkedin_company_key(values["linkedin_url"])
        values["linkedin_url"] = normalize.linkedin_url(values["linkedin_key"])
    if values["country"] is not None:
        values["country"] = normalize.country_code(values["country"])
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
    from crmctl import matching
    from crmctl.database import write_transaction
    from crmctl.ids import typed_id
    from crmctl.models import Company

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
            forced = apply_duplicate_rules("company", matching.company_candidates(**lookup), force)
            company = create_record(
                Company,
                actor,
                batch=batch,
                owner=agent_id(actor),
                created_by=agent_id(actor),
                **values,
            )
            matching.refresh_blocking_keys(company)
            record_forced(typed_id("company", company.id), actor, forced, batch=batch)
    except peewee.IntegrityError:
        raise_stored_by_another_process("company", matching.company_candidates(**lookup))
    return company


def raise_stored_by_another_process(kind, candidates):
    """A unique index refused our insert: name the record that won the race."""
    exact = [c for c in candidates if c.exact]
    if exact:
        raise DuplicateFound(duplicate_message(kind, exact, force_allowed=False), list(candidates))
    raise Refused(f"duplicate {kind} refused by the database: another record has the same website, "
                  "LinkedIn page, email or phone")


# ---------------------------------------------------------------------------
# Edit
# ---------------------------------------------------------------------------


def edit_company(actor, company, changes, force=False):
    """Apply `edit C12 --set field=value` changes through the rules of `add_company`.

    `changes` maps field names (as a user types them) to text; an empty text
    clears an optional field. Duplicate rules are re-run on what changed,
    leaving the company itself out.
    """
    from crmctl import matching
    from crmctl.agents import get_agent
    from crmctl.database import write_transaction
    from crmctl.ids import typed_id
    from crmctl.vocabulary import relationship_named

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
                candidates = matching.company_candidates(exclude_id=company.id, **lookup)
                forced = apply_duplicate_rules("company", candidates, force)
            changed = update_record(company, actor, new)
            if "name" in changed:
                matching.refresh_blocking_keys(company)
            record_forced(entity, actor, forced)
    except peewee.IntegrityError:
        raise_stored_by_another_process("company", matching.company_candidates(exclude_id=company.id, **lookup))
    return company

