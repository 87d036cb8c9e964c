"""The one description of each record kind: model, typed-id letter, fields, columns, what hangs on it.

Listing, show, edit, merge, history and export read this table, so adding a
field to leads touches the model, a migration and this file. A Field is one
user-visible field in its JSON shape (SPEC §6.1 snake_case names): the column
that stores it, its type (how it is shown, filtered and converted), the other
names users type for it, and whether `edit --set` may change it.

Types: text, int, amount (Decimal shown as text), date, datetime, bool, json
(a JSON text column shown parsed), agent (a foreign key shown as the agent's
email), ref:KIND (a foreign key shown as a typed id), id (the record's own
typed id), flag (true when its column holds a value: a task's `done` is its
done_at; filtered as `done=true|false`; with several columns, when every one
does: a lead is `qualified` when its four BANT fields are set), derived
(computed by `crmctl.kinds.shapes`, not stored in one column).
"""
from crmctl.errors import BadInput
from crmctl.rules.contacts import country_code
from crmctl.rules.values import (long_text, one_line, required, to_agent, to_amount, to_currency, to_date,
                                 to_datetime, to_done_at, to_task_kind)
from crmctl.rules.settings import load_settings
from crmctl.rules.vocabulary import (canonical, deal_status_named, lead_status_named, pipeline_named,
                                     relationship_named, task_kind_named)
from crmctl.rules.web import linkedin_company_key, website_key
from crmctl.storage import models


class Field:
    """One field of a kind. Field and Kind are plain classes, not dataclasses: building a dataclass
    costs about 2 ms of every command's start-up, and every command reads this table."""

    __slots__ = ("name", "type", "column", "aliases", "editable", "convert", "filterable", "shown", "via",
                 "normalise", "key_column")

    def __init__(self, name, type="text", column=None, aliases=(), editable=False, convert=None, filterable=True,
                 shown=True, via=None, normalise=None, key_column=None):
        self.name, self.type, self.column, self.aliases = name, type, column, aliases
        self.editable = editable
        # text -> stored value for `edit --set`, through the validator `add` uses (crmctl.rules.values); kinds
        # with a module of their own (companies, leads) validate there, with their duplicate rules.
        self.convert = convert
        self.filterable = filterable
        self.shown = shown  # False: a field to filter on that the shape leaves out
        # Listings: a derived field's value where it is stored, "company.name" (the record a foreign
        # key of this one names) or "contact.value" (any of the records whose foreign key names this one).
        self.via = via
        # Listings: typed value -> the form that is stored (country_code: "pl" -> "PL"), so `=`, `!=` and
        # `in` compare the stored value through its index instead of LOWER(column); compared in
        # `key_column` (a stored normalised key with its own index) when the field has one.
        self.normalise = normalise
        self.key_column = key_column

    def __repr__(self):
        return f"Field({self.name!r}, {self.type!r})"

    @property
    def stored_in(self):
        return self.column or self.name


class Kind:
    def __init__(self, name, letter, model, fields, plural=None, list_columns=(), search=(), dependents=(),
                 fillable=(), archivable=False, filters_through=()):
        self.name, self.letter, self.model, self.fields = name, letter, model, fields
        self.plural = plural  # the word of `list KIND`; None when a kind is not listed
        self.list_columns = list_columns  # the columns of a listing shown as a table
        self.search = search  # fields `--search` looks in
        self.dependents = dependents  # (model name, foreign key) of records that hang on one of this kind
        self.fillable = fillable  # columns a merge fills on the survivor when they are empty
        self.archivable = archivable
        self.filters_through = filters_through  # ref fields whose record's fields a listing filters on too

    def __repr__(self):
        return f"Kind({self.name!r})"

    def field(self, name, editable=False):
        """The Field a user means by `name` (its own name or an alias), or None; among editable ones if asked."""
        return self._by_name(editable).get(name)

    def _by_name(self, editable=False):
        names = {}
        for item in self.fields:
            if editable and not item.editable:
                continue
            names[item.name] = item
        for item in self.fields:
            if not editable or item.editable:
                for alias in item.aliases:
                    names.setdefault(alias, item)
        return names

    def fields_to_edit(self, changes):
        """(Field, value) for each `--set name=value`; BadInput naming the editable fields for an unknown one."""
        found = []
        for name, value in changes.items():
            field = self.field(name, editable=True)
            if field is None:
                import difflib  # only on this error's path

                close = difflib.get_close_matches(name, self.editable_names(), n=1, cutoff=0.6)
                nearest = f": did you mean {close[0]!r}?" if close else ""
                raise BadInput(f"unknown field {name!r} for a {self.name}{nearest} "
                               f"(editable: {', '.join(self.editable_names())})")
            found.append((field, value))
        return found

    def editable_names(self):
        return sorted(self._by_name(editable=True))


def _created():
    return (Field("created_at", "datetime", aliases=("created",)),)


COMPANY = Kind(
    "company", "C", models.Company,
    fields=(
        Field("id", "id"),
        Field("name", editable=True),
        Field("website", editable=True, normalise=website_key, key_column="website_key"),
        Field("linkedin_url", aliases=("linkedin",), editable=True, normalise=linkedin_company_key,
              key_column="linkedin_key"),
        Field("employee_count", "int", aliases=("employees",), editable=True),
        Field("industry", editable=True),
        Field("subindustry", editable=True),
        Field("country", editable=True, normalise=country_code),
        Field("city", editable=True),
        Field("relationship", editable=True, normalise=relationship_named),
        Field("owner", "agent", editable=True),
        Field("active_agents", "json", filterable=False),
        Field("linkedin_accounts", "json", filterable=False),
        Field("last_reviewed_at", "datetime"),
        Field("archived_at", "datetime", aliases=("archived",)),
        Field("created_by", "agent"),
    ) + _created(),
    plural="companies",
    list_columns=("id", "name", "website", "country", "industry", "employee_count", "relationship", "owner"),
    search=("name",),
    dependents=(("Lead", "company"), ("Submission", "company"), ("Deal", "company"), ("Note", "company"),
                ("Task", "company")),
    fillable=("website", "website_key", "linkedin_url", "linkedin_key", "employee_count", "industry",
              "subindustry", "country", "city", "owner", "active_agents", "linkedin_accounts", "last_reviewed_at"),
    archivable=True,
)

LEAD = Kind(
    "lead", "L", models.Lead,
    fields=(
        Field("id", "id"),
        Field("company_id", "ref:company", column="company", aliases=("company",), editable=True),
        Field("company", "derived", via="company.name"),
        Field("full_name", aliases=("name",), editable=True),
        Field("position", editable=True),
        Field("linkedin_url", aliases=("linkedin",), editable=True),
        Field("connections", "int", editable=True),
        Field("status", editable=True, normalise=lead_status_named),
        Field("follow_up_on", "date", editable=True),
        Field("owner", "agent", editable=True),
        Field("emails", "derived", aliases=("email",), editable=True, filterable=False),
        Field("phones", "derived", aliases=("phone",), editable=True, filterable=False),
        Field("contacts", "derived", filterable=False, via="contact.value"),
        Field("budget", editable=True),
        Field("authority", editable=True),
        Field("need", editable=True),
        Field("timeline", editable=True),
        Field("qualified", "flag", column=("budget", "authority", "need", "timeline")),  # BANT: all four set
        Field("score", "int"),
        Field("inactive_at", "datetime"),
        Field("converted_at", "datetime"),
        Field("archived_at", "datetime", aliases=("archived",)),
        Field("created_by", "agent"),
    ) + _created(),
    plural="leads",
    list_columns=("id", "full_name", "position", "company", "status", "follow_up_on", "owner", "emails", "phones"),
    search=("full_name", "company", "contacts"),
    filters_through=("company_id",),
    dependents=(("Submission", "lead"), ("Communication", "lead"), ("Note", "lead"), ("Task", "lead"),
                ("Deal", "lead"), ("EngagementEvent", "lead")),
    fillable=("position", "linkedin_url", "connections", "follow_up_on", "owner", "budget", "authority", "need",
              "timeline"),
    archivable=True,
)

def configured_pipeline_named(value):
    """A pipeline of the configuration, as a deal filter names it (a typo is exit 2, not an empty listing)."""
    return pipeline_named(value, load_settings())


def configured_stage_named(value):
    """A stage of any configured pipeline, as a deal filter names it (one filter may span pipelines)."""
    stages = dict.fromkeys(stage for stages in load_settings()["pipelines"].values() for stage in stages)
    return canonical(value, tuple(stages), "stage")


DEAL = Kind(
    "deal", "D", models.Deal,
    fields=(
        Field("id", "id"),
        Field("name", editable=True, convert=one_line(models.Deal.name, required=True)),
        Field("company_id", "ref:company", column="company"),
        Field("lead_id", "ref:lead", column="lead"),
        Field("pipeline", normalise=configured_pipeline_named),
        Field("stage", normalise=configured_stage_named),
        Field("status", normalise=deal_status_named),
        Field("amount", "amount", editable=True, convert=to_amount),
        Field("currency", editable=True, convert=to_currency),
        Field("expected_close", "date", editable=True, convert=to_date),
        Field("decision_criteria", editable=True, convert=long_text(), filterable=False),
        Field("competition", editable=True, convert=long_text(), filterable=False),
        Field("stakeholders", editable=True, convert=long_text(), filterable=False),
        Field("contract_end", "date", editable=True, convert=to_date),
        Field("close_reason", filterable=False),
        Field("closed_at", "datetime"),
        Field("stage_entered_at", "datetime"),
        Field("touched_at", "datetime"),
        Field("owner", "agent", editable=True, convert=to_agent),
        Field("archived_at", "datetime", aliases=("archived",)),
    ) + _created(),
    plural="deals",
    list_columns=("id", "name", "company_id", "pipeline", "stage", "status", "amount", "currency"),
    search=("name",),
    dependents=(("Note", "deal"), ("Task", "deal")),
    archivable=True,
)

TASK = Kind(
    "task", "T", models.Task,
    fields=(
        Field("id", "id"),
        Field("subject", "derived", filterable=False),
        Field("kind", editable=True, convert=to_task_kind, normalise=task_kind_named),
        Field("due_at", "datetime", aliases=("due",), editable=True, convert=required(to_datetime)),
        Field("assignee", "agent", editable=True, convert=to_agent),
        Field("text", editable=True, convert=long_text()),
        Field("done", "flag", column="done_at", editable=True, convert=to_done_at),
        Field("done_at", "datetime"),
        Field("company_id", "ref:company", column="company", shown=False),
        Field("lead_id", "ref:lead", column="lead", shown=False),
        Field("deal_id", "ref:deal", column="deal", shown=False),
        Field("created_at", "datetime", aliases=("created",)),
    ),
    plural="tasks",
    list_columns=("id", "subject", "kind", "due_at", "assignee", "done", "text"),
    search=("text",),
)

NOTE = Kind(
    "note", "N", models.Note,
    fields=(
        Field("id", "id"),
        Field("subject", "derived", filterable=False),
        Field("text", editable=True, convert=long_text(required=True)),
        Field("author", "agent"),
        Field("company_id", "ref:company", column="company", shown=False),
        Field("lead_id", "ref:lead", column="lead", shown=False),
        Field("deal_id", "ref:deal", column="deal", shown=False),
    ) + _created(),
)

COMMUNICATION = Kind(
    "communication", "M", models.Communication,
    fields=(
        Field("id", "id"),
        Field("lead_id", "ref:lead", column="lead"),
        Field("occurred_at", "datetime"),
        Field("type"),
        Field("channel"),
        Field("placement", editable=True, convert=one_line(models.Communication.placement)),
        Field("notes", editable=True, convert=long_text()),
        Field("follow_up_on", "date", editable=True, convert=to_date),
        Field("direction"),
        Field("agent", "agent"),
    ),
)

SUBMISSION = Kind(
    "submission", "S", models.Submission,
    fields=(
        Field("id", "id"),
        Field("lead_id", "ref:lead", column="lead"),
        Field("company_id", "ref:company", column="company"),
        Field("campaign", editable=True, convert=one_line(models.Submission.campaign)),
        Field("source", editable=True, convert=one_line(models.Submission.source)),
        Field("batch_id", "ref:batch", column="batch"),
        Field("received_at", "datetime"),
        Field("data", "json", filterable=False),
        Field("created_at", "datetime", aliases=("created",), shown=False),
    ),
    plural="submissions",
    list_columns=("id", "lead_id", "company_id", "campaign", "source", "batch_id", "received_at"),
    search=("campaign",),
)

EVENT = Kind(
    "event", "E", models.EngagementEvent,
    fields=(
        Field("id", "id"),
        Field("lead_id", "ref:lead", column="lead"),
        Field("kind"),
        Field("occurred_at", "datetime"),
    ),
)

BATCH = Kind(
    "batch", "B", models.ImportBatch,
    fields=(
        Field("id", "id"),
        Field("file_name"),
        Field("sheet"),
        Field("campaign"),
        Field("source"),
        Field("summary", "json", filterable=False),
        Field("created_by", "agent"),
        Field("created_at", "datetime"),
        Field("undone_at", "datetime"),
    ),
)

MERGE = Kind(
    "merge", "X", models.Merge,
    fields=(
        Field("id", "id"),
        Field("kind"),
        Field("survivor"),
        Field("dropped", "json", filterable=False),
        Field("created_by", "agent"),
        Field("created_at", "datetime"),
        Field("undone_at", "datetime"),
    ),
)

KINDS = {kind.name: kind for kind in (COMPANY, LEAD, DEAL, TASK, SUBMISSION, COMMUNICATION, NOTE, BATCH, MERGE,
                                      EVENT)}
KIND_BY_LETTER = {kind.letter: kind for kind in KINDS.values()}
KIND_BY_MODEL = {kind.model: kind for kind in KINDS.values()}
LISTED = {kind.plural: kind for kind in KINDS.values() if kind.plural}
