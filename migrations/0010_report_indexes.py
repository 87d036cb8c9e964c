"""Indexes that let the reports aggregate a million leads in under 2 s (SPEC §7, issue 12).

On every backend:
- `communication (lead_id, direction, occurred_at)`: a lead's first outbound communication is one
  index seek (response-time), not a read of each of its communications;
- `lead (company_id, status)`: "the company has a lead at status Call" is answered from the index
  (the review backlog);
- `lead (status, converted_at, archived_at)`: the funnel counts leads by status from the index
  (archived_at last: SQLite's statistics would otherwise send every listing's `archived_at IS NULL`
  through it, in the wrong order);
- `lead (score, id)`: the top-scored leads are the index's last entries (scores);
- `deal_stage_change (deal_id, at, id)`: the next move of each deal (time in stage) without a sort.

On SQLite only, indexes on expressions, so the activity report's GROUP BY agent and day walks an
index instead of sorting every row: `company (created_by_id, DATE(created_at))`,
`lead (created_by_id, DATE(created_at))`, `communication (agent_id, DATE(occurred_at))` and
`history (field, agent_email, DATE(at))`, this one only over the rows of a changed field (`field
IS NOT NULL`, which a look-up of `field = 'status'` implies: a 'create' row costs it nothing).
PostgreSQL and MariaDB group by hashing and need none.

Frozen here: the index names and definitions as they are at version 10; this file imports nothing
from crmctl.
"""
from peewee import SqliteDatabase

INDEXES = (
    ("communication", ("lead_id", "direction", "occurred_at"), "communication_lead_id_direction_occurred_at"),
    ("lead", ("company_id", "status"), "lead_company_id_status"),
    ("lead", ("status", "converted_at", "archived_at"), "lead_status_converted_at_archived_at"),
    ("lead", ("score", "id"), "lead_score_id"),
    ("deal_stage_change", ("deal_id", "at", "id"), "deal_stage_change_deal_id_at_id"),
)

SQLITE_DAY_INDEXES = (
    ("company_created_by_id_day", "company", "created_by_id, DATE(created_at)"),
    ("lead_created_by_id_day", "lead", "created_by_id, DATE(created_at)"),
    ("communication_agent_id_day", "communication", "agent_id, DATE(occurred_at)"),
    ("history_field_agent_email_day", "history", "field, agent_email, DATE(at)) WHERE (field IS NOT NULL"),
)


def up(migrator, db):
    migrator.migrate(*(migrator.add_index(table, columns, False, name=name) for table, columns, name in INDEXES))
    if isinstance(db, SqliteDatabase):
        for name, table, expressions in SQLITE_DAY_INDEXES:
            db.execute_sql(f'CREATE INDEX "{name}" ON "{table}" ({expressions})')


def down(migrator, db):
    if isinstance(db, SqliteDatabase):
        for name, _table, _expressions in SQLITE_DAY_INDEXES:
            db.execute_sql(f'DROP INDEX IF EXISTS "{name}"')
    migrator.migrate(*(migrator.drop_index(table, name) for table, _columns, name in INDEXES))
