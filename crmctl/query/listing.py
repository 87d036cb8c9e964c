"""Listings: `--where FIELD OP VALUE`, `--search`, `--sort`, `--limit` for every kind.

Each kind declares the fields a user may filter and sort on. A filter becomes a
Peewee expression whose value is a query parameter, never SQL text. A listing of
leads can filter on its company's fields too (country, industry, company name).
"""
import datetime
import re
from dataclasses import dataclass, field

from peewee import fn

from crmctl.rules.dates import parse_date, parse_datetime
from crmctl.errors import BadInput
from crmctl.kinds.ids import parse_typed_id

OPERATORS = ("<=", ">=", "!=", "=", "<", ">", "~", "in")
_WHERE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|!=|=|<|>|~|\s+in\s+)\s*(.*?)\s*$", re.S)
NULL_WORDS = {"", "none", "null"}


@dataclass
class Condition:
    field: str
    operator: str
    value: str


def parse_where(text):
    """Split `FIELD OP VALUE` (one argument) into a Condition."""
    match = _WHERE.match(text or "")
    if not match:
        raise BadInput(
            f"--where {text!r} is not FIELD OP VALUE (OP one of =, !=, <, <=, >, >=, ~, in)"
        )
    name, operator, value = match.groups()
    return Condition(name.lower(), operator.strip().lower(), value)


@dataclass
class FieldSpec:
    """A filterable field: how to reach its column and what type its values are."""

    expression: object
    value_type: str  # text, int, date, datetime, id:<kind>, agent
    nullable: bool = True


@dataclass
class ListingSpec:
    kind: str
    model: object
    fields: dict
    search: list = field(default_factory=list)
    default_sort: str = "id"
    base_query: object = None

    def query(self):
        return self.base_query() if self.base_query else self.model.select()


def convert_value(spec, name, raw):
    """A filter value typed like its field; bad values are exit 2 naming the field."""
    value_type = spec.value_type
    if value_type == "int":
        try:
            return int(raw)
        except ValueError:
            raise BadInput(f"--where {name}: {raw!r} is not a whole number")
    if value_type == "date":
        return parse_date(raw, f"--where {name}")
    if value_type == "datetime":
        return parse_datetime(raw, f"--where {name}")
    if value_type.startswith("id:"):
        return parse_typed_id(raw, [value_type[3:]])[1]
    return raw


def agent_ids(email):
    from crmctl.storage.models import Agent

    return Agent.select(Agent.id).where(Agent.email == email.strip().lower())


def is_date_only(raw):
    return re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw.strip()) is not None


def condition_expression(listing, condition):
    spec = listing.fields.get(condition.field)
    if spec is None:
        known = ", ".join(sorted(listing.fields))
        raise BadInput(f"--where: unknown field {condition.field!r} for {listing.kind} (fields: {known})")
    column, operator, raw = spec.expression, condition.operator, condition.value
    if operator == "in":
        items = [item.strip() for item in raw.split(",") if item.strip()]
        if not items:
            raise BadInput(f"--where {condition.field} in: give a comma-separated list")
        if spec.value_type == "agent":
            from crmctl.storage.models import Agent

            return column.in_(Agent.select(Agent.id).where(Agent.email.in_([i.lower() for i in items])))
        return column.in_([convert_value(spec, condition.field, item) for item in items])
    if operator == "~":
        if spec.value_type == "agent":
            from crmctl.storage.models import Agent

            return column.in_(Agent.select(Agent.id).where(fn.LOWER(Agent.email).contains(raw.lower())))
        return fn.LOWER(column).contains(raw.lower())
    if raw.strip().lower() in NULL_WORDS and operator in ("=", "!="):
        return column.is_null() if operator == "=" else column.is_null(False)
    if spec.value_type == "agent":
        if operator not in ("=", "!="):
            raise BadInput(f"--where {condition.field}: compare agents with = or !=")
        subquery = agent_ids(raw)
        return column.in_(subquery) if operator == "=" else (column.not_in(subquery) | column.is_null())
    value = convert_value(spec, condition.field, raw)
    if spec.value_type == "datetime" and is_date_only(raw):
        # A bare date on a timestamp means the whole UTC day.
        next_day = value + datetime.timedelta(days=1)
        return {
            "=": (column >= value) & (column < next_day),
            "!=": (column < value) | (column >= next_day),
            "<": column < value,
            "<=": column < next_day,
            ">": column >= next_day,
            ">=": column >= value,
        }[operator]
    if spec.value_type == "text":
        if operator == "=":
            return fn.LOWER(column) == str(value).lower()
        if operator == "!=":
            return (fn.LOWER(column) != str(value).lower()) | column.is_null()
    return {
        "=": column == value,
        "!=": column != value,
        "<": column < value,
        "<=": column <= value,
        ">": column > value,
        ">=": column >= value,
    }[operator]


def build_query(listing, where=(), search=None, sort=None, limit=None, include_archived=False):
    """The Peewee query for a listing; every user value is bound as a parameter."""
    query = listing.query()
    conditions = [parse_where(text) for text in where]
    for condition in conditions:
        query = query.where(condition_expression(listing, condition))
    archived = getattr(listing.model, "archived_at", None)
    if archived is not None and not include_archived and not any(c.field == "archived" for c in conditions):
        query = query.where(archived.is_null())
    if search:
        needle = search.strip().lower()
        clauses = [expression(needle) for expression in listing.search]
        if clauses:
            combined = clauses[0]
            for clause in clauses[1:]:
                combined = combined | clause
            query = query.where(combined)
    query = query.order_by(*sort_expressions(listing, sort))
    if limit is not None:
        if limit < 0:
            raise BadInput("--limit must be 0 or more")
        query = query.limit(limit)
    return query


def sort_expressions(listing, sort):
    if not sort:
        return [listing.model.id]
    expressions = []
    for item in sort.split(","):
        item = item.strip()
        descending = item.startswith("-")
        name = item.lstrip("-+").lower()
        spec = listing.fields.get(name)
        if spec is None:
            raise BadInput(f"--sort: unknown field {name!r} for {listing.kind}")
        expressions.append(spec.expression.desc() if descending else spec.expression.asc())
    expressions.append(listing.model.id)
    return expressions


def listing_for(kind_plural):
    specs = listing_specs()
    if kind_plural not in specs:
        raise BadInput(f"cannot list {kind_plural!r}: choose one of {', '.join(specs)}")
    return specs[kind_plural]


def listing_specs():
    from crmctl.storage.models import Company, Contact, Deal, Lead, Submission, Task

    def company_fields(company):
        return {
            "name": FieldSpec(company.name, "text"),
            "website": FieldSpec(company.website, "text"),
            "linkedin_url": FieldSpec(company.linkedin_url, "text"),
            "employee_count": FieldSpec(company.employee_count, "int"),
            "employees": FieldSpec(company.employee_count, "int"),
            "industry": FieldSpec(company.industry, "text"),
            "subindustry": FieldSpec(company.subindustry, "text"),
            "country": FieldSpec(company.country, "text"),
            "city": FieldSpec(company.city, "text"),
            "relationship": FieldSpec(company.relationship, "text"),
        }

    companies = company_fields(Company)
    companies.update(
        {
            "id": FieldSpec(Company.id, "id:company"),
            "owner": FieldSpec(Company.owner, "agent"),
            "created_by": FieldSpec(Company.created_by, "agent"),
            "created": FieldSpec(Company.created_at, "datetime"),
            "created_at": FieldSpec(Company.created_at, "datetime"),
            "last_reviewed_at": FieldSpec(Company.last_reviewed_at, "datetime"),
            "archived": FieldSpec(Company.archived_at, "datetime"),
        }
    )

    LeadCompany = Company.alias("lead_company")
    leads = {f"company_{name}" if name in ("name", "website", "linkedin_url", "owner") else name: spec
             for name, spec in company_fields(LeadCompany).items()}
    leads["company"] = FieldSpec(LeadCompany.name, "text")
    leads.update(
        {
            "id": FieldSpec(Lead.id, "id:lead"),
            "company_id": FieldSpec(Lead.company, "id:company"),
            "full_name": FieldSpec(Lead.full_name, "text"),
            "name": FieldSpec(Lead.full_name, "text"),
            "position": FieldSpec(Lead.position, "text"),
            "linkedin_url": FieldSpec(Lead.linkedin_url, "text"),
            "connections": FieldSpec(Lead.connections, "int"),
            "status": FieldSpec(Lead.status, "text"),
            "follow_up_on": FieldSpec(Lead.follow_up_on, "date"),
            "owner": FieldSpec(Lead.owner, "agent"),
            "score": FieldSpec(Lead.score, "int"),
            "created": FieldSpec(Lead.created_at, "datetime"),
            "created_at": FieldSpec(Lead.created_at, "datetime"),
            "converted_at": FieldSpec(Lead.converted_at, "datetime"),
            "inactive_at": FieldSpec(Lead.inactive_at, "datetime"),
            "archived": FieldSpec(Lead.archived_at, "datetime"),
        }
    )

    def lead_query():
        return Lead.select(Lead, LeadCompany).join(
            LeadCompany, on=(Lead.company == LeadCompany.id), attr="lead_company"
        )

    def email_matches(needle):
        return Lead.id.in_(
            Contact.select(Contact.lead).where(fn.LOWER(Contact.value).contains(needle))
        )

    deals = {
        "id": FieldSpec(Deal.id, "id:deal"),
        "name": FieldSpec(Deal.name, "text"),
        "company_id": FieldSpec(Deal.company, "id:company"),
        "lead_id": FieldSpec(Deal.lead, "id:lead"),
        "pipeline": FieldSpec(Deal.pipeline, "text"),
        "stage": FieldSpec(Deal.stage, "text"),
        "status": FieldSpec(Deal.status, "text"),
        "amount": FieldSpec(Deal.amount, "int"),
        "currency": FieldSpec(Deal.currency, "text"),
        "expected_close": FieldSpec(Deal.expected_close, "date"),
        "owner": FieldSpec(Deal.owner, "agent"),
        "created": FieldSpec(Deal.created_at, "datetime"),
        "created_at": FieldSpec(Deal.created_at, "datetime"),
        "closed_at": FieldSpec(Deal.closed_at, "datetime"),
        "archived": FieldSpec(Deal.archived_at, "datetime"),
    }
    tasks = {
        "id": FieldSpec(Task.id, "id:task"),
        "kind": FieldSpec(Task.kind, "text"),
        "due": FieldSpec(Task.due_at, "datetime"),
        "due_at": FieldSpec(Task.due_at, "datetime"),
        "assignee": FieldSpec(Task.assignee, "agent"),
        "text": FieldSpec(Task.text, "text"),
        "done_at": FieldSpec(Task.done_at, "datetime"),
        "company_id": FieldSpec(Task.company, "id:company"),
        "lead_id": FieldSpec(Task.lead, "id:lead"),
        "deal_id": FieldSpec(Task.deal, "id:deal"),
        "created": FieldSpec(Task.created_at, "datetime"),
        "created_at": FieldSpec(Task.created_at, "datetime"),
    }
    submissions = {
        "id": FieldSpec(Submission.id, "id:submission"),
        "lead_id": FieldSpec(Submission.lead, "id:lead"),
        "company_id": FieldSpec(Submission.company, "id:company"),
        "campaign": FieldSpec(Submission.campaign, "text"),
        "source": FieldSpec(Submission.source, "text"),
        "batch_id": FieldSpec(Submission.batch, "id:batch"),
        "received_at": FieldSpec(Submission.received_at, "datetime"),
        "created": FieldSpec(Submission.created_at, "datetime"),
        "created_at": FieldSpec(Submission.created_at, "datetime"),
    }
    return {
        "companies": ListingSpec(
            "company",
            Company,
            companies,
            search=[lambda needle: fn.LOWER(Company.name).contains(needle)],
        ),
        "leads": ListingSpec(
            "lead",
            Lead,
            leads,
            search=[
                lambda needle: fn.LOWER(Lead.full_name).contains(needle),
                lambda needle: fn.LOWER(LeadCompany.name).contains(needle),
                email_matches,
            ],
            base_query=lead_query,
        ),
        "deals": ListingSpec(
            "deal", Deal, deals, search=[lambda needle: fn.LOWER(Deal.name).contains(needle)]
        ),
        "tasks": ListingSpec(
            "task", Task, tasks, search=[lambda needle: fn.LOWER(Task.text).contains(needle)]
        ),
        "submissions": ListingSpec(
            "submission",
            Submission,
            submissions,
            search=[lambda needle: fn.LOWER(Submission.campaign).contains(needle)],
        ),
    }


def list_records(kind_plural, where=(), search=None, sort=None, limit=None):
    """The records of a listing as dicts, in the JSON shape of `crmctl.kinds.shapes`."""
    from crmctl.kinds.shapes import records_dicts

    listing = listing_for(kind_plural)
    return records_dicts(listing.kind, build_query(listing, where, search, sort, limit))
