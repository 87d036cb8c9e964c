"""The Peewee models: every record of SPEC §4, bound to the runtime-chosen database.

Uniqueness that the duplicate rules demand lives here as unique indexes on
normalised keys (`website_key`, `linkedin_key`, `Contact.match_key`), so the
database refuses a duplicate even when two processes race. Datetimes are naive
UTC; `crmctl.dates` converts them for display.
"""
import peewee
from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    DecimalField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from crmctl.dates import utcnow
from crmctl.storage.connection import database_proxy


# On SQLite, migration 0010 also indexes (agent, DATE(time)) of companies, leads, communications and
# status changes for the activity report: indexes on expressions, which Meta cannot hold.


class BaseModel(peewee.Model):
    class Meta:
        database = database_proxy
        legacy_table_names = False


class Agent(BaseModel):
    email = CharField(max_length=254, unique=True)
    name = CharField(max_length=200)
    role = CharField(max_length=16)
    country = CharField(max_length=2, null=True)
    linkedin_accounts = TextField(default="[]")
    active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "agent"


class Company(BaseModel):
    name = CharField(max_length=255)
    name_key = CharField(max_length=255, index=True)
    website = CharField(max_length=255, null=True)
    website_key = CharField(max_length=255, null=True, unique=True)
    linkedin_url = CharField(max_length=255, null=True)
    linkedin_key = CharField(max_length=255, null=True, unique=True)
    employee_count = IntegerField(null=True)
    industry = CharField(max_length=120, null=True)
    subindustry = CharField(max_length=120, null=True)
    country = CharField(max_length=2, null=True)  # ISO alpha-2, upper-case: filters compare it as stored
    city = CharField(max_length=120, null=True)
    relationship = CharField(max_length=16, default="prospect")
    owner = ForeignKeyField(Agent, null=True, backref="owned_companies")
    active_agents = TextField(default="[]")
    linkedin_accounts = TextField(default="[]")
    last_reviewed_at = DateTimeField(null=True)
    archived_at = DateTimeField(null=True)
    created_by = ForeignKeyField(Agent, null=True, backref="created_companies")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "company"
        # Listings (migration 0003): `--where country=` in id order or newest first, `--sort -created`
        # with its id tie-break. Beside them, not expressible here: the name's substring index
        # (SQLITE_NAME_SEARCH_TABLE on SQLite, POSTGRES_NAME_TRIGRAM_INDEX on PostgreSQL).
        indexes = ((("country", "id"), False), (("country", "created_at", "id"), False),
                   (("created_at", "id"), False))


# Company names' substring index (migrations 0003 and 0008), which `--search` uses for
# fragments of 3 characters or more: an FTS5 trigram table over the folded names
# (crmctl.storage.folding) kept in step by triggers on SQLite, a pg_trgm GIN index on
# crmctl_fold(name) on PostgreSQL.
SQLITE_NAME_SEARCH_TABLE = "company_name_fts"
POSTGRES_NAME_TRIGRAM_INDEX = "company_name_trgm"
TRIGRAM_LENGTH = 3


class Lead(BaseModel):
    company = ForeignKeyField(Company, backref="leads")
    full_name = CharField(max_length=200)
    position = CharField(max_length=200, null=True)
    linkedin_url = CharField(max_length=255, null=True)
    connections = IntegerField(null=True)
    status = CharField(max_length=32, default="Sent Request", index=True)
    follow_up_on = DateField(null=True)
    owner = ForeignKeyField(Agent, null=True, backref="owned_leads")
    budget = TextField(null=True)
    authority = TextField(null=True)
    need = TextField(null=True)
    timeline = TextField(null=True)
    score = IntegerField(default=0)
    inactive_at = DateTimeField(null=True)
    converted_at = DateTimeField(null=True)
    archived_at = DateTimeField(null=True)
    created_by = ForeignKeyField(Agent, null=True, backref="created_leads")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "lead"
        indexes = ((("created_at", "id"), False),  # `--sort -created` with its id tie-break (0003)
                   (("company", "status"), False), (("status", "converted_at", "archived_at"), False),
                   (("score", "id"), False))  # the reports (0010)


class Contact(BaseModel):
    """One (source, value) contact detail of a lead.

    `match_key` is the normalised value for the sources that identify a person
    (LinkedIn profile key, email, E.164 phone) and NULL for the others; the
    unique index on (source, match_key) is what makes a lead duplicate impossible.
    """

    lead = ForeignKeyField(Lead, backref="contacts", on_delete="CASCADE")
    source = CharField(max_length=16)
    value = CharField(max_length=255)
    match_key = CharField(max_length=255, null=True)

    class Meta:
        table_name = "contact"
        indexes = ((("source", "match_key"), True),)


class ImportBatch(BaseModel):
    file_name = CharField(max_length=255)
    sheet = CharField(max_length=120, null=True)
    campaign = CharField(max_length=200, null=True)
    source = CharField(max_length=200, null=True)
    summary = TextField(default="{}")
    created_by = ForeignKeyField(Agent, null=True)
    created_at = DateTimeField(default=utcnow)
    undone_at = DateTimeField(null=True)

    class Meta:
        table_name = "import_batch"


class Submission(BaseModel):
    lead = ForeignKeyField(Lead, backref="submissions")
    company = ForeignKeyField(Company, null=True, backref="submissions")
    campaign = CharField(max_length=200, null=True)
    source = CharField(max_length=200, null=True)
    batch = ForeignKeyField(ImportBatch, null=True, backref="submissions")
    data = TextField(default="{}")
    received_at = DateTimeField(default=utcnow)
    created_at = DateTimeField(default=utcnow, index=True)

    class Meta:
        table_name = "submission"


class Communication(BaseModel):
    lead = ForeignKeyField(Lead, backref="communications")
    agent = ForeignKeyField(Agent, null=True)
    occurred_at = DateTimeField(default=utcnow, index=True)
    type = CharField(max_length=32)
    channel = CharField(max_length=32)
    placement = CharField(max_length=200, null=True)
    notes = TextField(null=True)
    follow_up_on = DateField(null=True)
    direction = CharField(max_length=8, default="outbound")  # outbound: we wrote; inbound: they answered
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "communication"
        indexes = ((("lead", "direction", "occurred_at"), False),)  # first responses (0010)
        # The activity report's index by agent and time (0009, PostgreSQL and MariaDB) or by day
        # (0010, SQLite) is backend-specific: the migrations hold it, as for company and history.


class Deal(BaseModel):
    name = CharField(max_length=255)
    company = ForeignKeyField(Company, backref="deals")
    lead = ForeignKeyField(Lead, null=True, backref="deals")
    pipeline = CharField(max_length=64)
    stage = CharField(max_length=64)
    status = CharField(max_length=16, default="open", index=True)
    amount = DecimalField(max_digits=14, decimal_places=2, null=True)
    currency = CharField(max_length=3, null=True)
    expected_close = DateField(null=True)
    decision_criteria = TextField(null=True)
    competition = TextField(null=True)
    stakeholders = TextField(null=True)
    close_reason = TextField(null=True)
    closed_at = DateTimeField(null=True)
    contract_end = DateField(null=True)
    stage_entered_at = DateTimeField(null=True)
    touched_at = DateTimeField(null=True)
    owner = ForeignKeyField(Agent, null=True)
    archived_at = DateTimeField(null=True)
    created_by = ForeignKeyField(Agent, null=True)
    created_at = DateTimeField(default=utcnow, index=True)

    class Meta:
        table_name = "deal"


class Note(BaseModel):
    company = ForeignKeyField(Company, null=True, backref="notes")
    lead = ForeignKeyField(Lead, null=True, backref="notes")
    deal = ForeignKeyField(Deal, null=True, backref="notes")
    text = TextField()
    author = ForeignKeyField(Agent, null=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "note"


class Task(BaseModel):
    """A to-do; `job_key` is set by cron jobs so a re-run never creates it twice."""

    company = ForeignKeyField(Company, null=True, backref="tasks")
    lead = ForeignKeyField(Lead, null=True, backref="tasks")
    deal = ForeignKeyField(Deal, null=True, backref="tasks")
    kind = CharField(max_length=16)
    due_at = DateTimeField(index=True)
    assignee = ForeignKeyField(Agent, null=True, backref="tasks")
    text = TextField(null=True)
    done_at = DateTimeField(null=True)
    job_key = CharField(max_length=120, null=True, unique=True)
    created_by = ForeignKeyField(Agent, null=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "task"


class EngagementEvent(BaseModel):
    lead = ForeignKeyField(Lead, backref="events")
    kind = CharField(max_length=32)
    occurred_at = DateTimeField(default=utcnow)
    created_by = ForeignKeyField(Agent, null=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "engagement_event"


class Segment(BaseModel):
    name = CharField(max_length=120, unique=True)
    kind = CharField(max_length=16)
    definition = TextField(default="{}")
    created_by = ForeignKeyField(Agent, null=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "segment"


class Merge(BaseModel):
    """A `dedup merge`: the survivor, the dropped records and a journal to undo it."""

    kind = CharField(max_length=16)
    survivor = CharField(max_length=16)
    dropped = TextField(default="[]")
    journal = TextField(default="{}")
    created_by = ForeignKeyField(Agent, null=True)
    created_at = DateTimeField(default=utcnow)
    undone_at = DateTimeField(null=True)

    class Meta:
        table_name = "merge"


class History(BaseModel):
    """One changed field of one record: who, when, old and new value."""

    at = DateTimeField(default=utcnow, index=True)
    agent_email = CharField(max_length=254, null=True)
    entity = CharField(max_length=255, index=True)
    action = CharField(max_length=16)
    field = CharField(max_length=64, null=True)
    old_value = TextField(null=True)
    new_value = TextField(null=True)
    batch = IntegerField(null=True, index=True)
    merge = IntegerField(null=True, index=True)
    bulk = IntegerField(null=True, index=True)

    class Meta:
        table_name = "history"
        # Status changes per agent and time for the reports: migrations 0009 (PostgreSQL, MariaDB)
        # and 0010 (SQLite, by day).


class Setting(BaseModel):
    key = CharField(max_length=64, primary_key=True)
    value = TextField()

    class Meta:
        table_name = "setting"


ALL_MODELS = [
    Agent,
    Company,
    Lead,
    Contact,
    ImportBatch,
    Submission,
    Communication,
    Deal,
    Note,
    Task,
    EngagementEvent,
    Segment,
    Merge,
    History,
    Setting,
]


class CompanyBlockingKey(BaseModel):
    """Blocking index for fuzzy name matching (migration 0004 gave it this shape).

    Each company has a few short keys derived from its normalised name
    (`crmctl.dedup.keys.stored_keys`); a new name looks up its
    `crmctl.dedup.keys.probe_keys` and is compared only with the companies
    found, so the check never scans the whole table. The primary key
    (key, company) is the look-up index itself (on SQLite the table is
    WITHOUT ROWID); the index on company serves deletes and the cascade.
    """

    key = CharField(max_length=16)
    company = ForeignKeyField(Company, backref="blocking_keys", on_delete="CASCADE")

    class Meta:
        table_name = "company_blocking_key"
        primary_key = peewee.CompositeKey("key", "company")


ALL_MODELS.append(CompanyBlockingKey)


class CompanyAlias(BaseModel):
    """Another name a company is known by (SPEC §4): an acronym, a short or a former name.

    An alias counts as the company's name in every duplicate check, so its
    `name_key` (`crmctl.rules.names.company_name_key`, as for `Company.name_key`)
    is indexed for the matcher's look-ups and its blocking keys are stored in
    `company_blocking_key` under the company's id. A company holds a key once
    (unique (company, name_key), which also serves "the aliases of C12").
    Migration 0005 makes the id AUTOINCREMENT on SQLite: a removed alias's id
    is never given to another.
    """

    company = ForeignKeyField(Company, backref="aliases", on_delete="CASCADE", index=False)
    name = CharField(max_length=255)
    name_key = CharField(max_length=255, index=True)
    created_at = DateTimeField(default=utcnow)
    created_by = ForeignKeyField(Agent, null=True)

    class Meta:
        table_name = "company_alias"
        indexes = ((("company", "name_key"), True),)


ALL_MODELS.append(CompanyAlias)


class DealStageChange(BaseModel):
    """One move of a deal from a stage to another (migration 0009): time in stage and velocity."""

    deal = ForeignKeyField(Deal, backref="stage_changes", on_delete="CASCADE")
    from_stage = CharField(max_length=64, null=True)
    to_stage = CharField(max_length=64)
    at = DateTimeField(default=utcnow, index=True)
    agent_email = CharField(max_length=254, null=True)

    class Meta:
        table_name = "deal_stage_change"
        indexes = ((("deal", "at", "id"), False),)  # time in stage (0010)


class RoundRobin(BaseModel):
    """Per scope (a country), the agent that got the last record: round-robin fair across runs."""

    scope = CharField(max_length=64, primary_key=True)
    last_agent_id = IntegerField(null=True)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "round_robin"


class BulkAction(BaseModel):
    """A bulk status, assign, archive or pool put: its selection and count; History.bulk points here."""

    action = CharField(max_length=32)
    selection = TextField()
    count = IntegerField()
    agent_email = CharField(max_length=254, null=True)
    at = DateTimeField(default=utcnow, index=True)

    class Meta:
        table_name = "bulk_action"


ALL_MODELS.extend([DealStageChange, RoundRobin, BulkAction])
