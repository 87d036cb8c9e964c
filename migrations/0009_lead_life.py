"""What the lead's life and the cron jobs need (issues 11 and 12), in one schema step.

- `deal`: `contract_end` (renewal tasks), `stage_entered_at` (time in stage, the
  services pipeline's 30 days) and `touched_at` (the last manual change).
- `deal_stage_change`: one row per move of a deal between stages, so reports
  compute time in each stage and velocity by SQL aggregation.
- `communication.direction`: outbound (we wrote) or inbound (they answered);
  the follow-up cadence stops at an answer.
- `round_robin`: per scope (an assignment's country), the agent that got the
  last record, so round-robin is fair across runs and processes.
- `bulk_action` and `history.bulk`: a bulk status, assign, archive or pool put
  is one action that `history` shows, with its selection and count.
- Indexes for the reports on PostgreSQL and MariaDB: companies by creator
  and time, communications by agent and time, history by field and time.
  SQLite has them by day instead (migration 0010's expression indexes), and
  the same columns twice would cost every company and History row bytes for
  nothing.

On MySQL/MariaDB the new long texts are MEDIUMTEXT, as migration 0007 made the others.

Frozen here: the tables as they are at version 9; this file imports nothing from crmctl.
"""
from peewee import (AutoField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, Model,
                    MySQLDatabase, SqliteDatabase, TextField)
from playhouse.sqlite_ext import AutoIncrementField


REPORT_INDEXES = (("company", ("created_by_id", "created_at")), ("communication", ("agent_id", "occurred_at")),
                  ("history", ("field", "at")))


def up(migrator, db):
    class Deal(Model):
        class Meta:
            database = db
            table_name = "deal"

    class DealStageChange(Model):
        id = AutoIncrementField() if isinstance(db, SqliteDatabase) else AutoField()
        deal = ForeignKeyField(Deal, on_delete="CASCADE")
        from_stage = CharField(max_length=64, null=True)
        to_stage = CharField(max_length=64)
        at = DateTimeField(index=True)
        agent_email = CharField(max_length=254, null=True)

        class Meta:
            database = db
            table_name = "deal_stage_change"

    class RoundRobin(Model):
        scope = CharField(max_length=64, primary_key=True)
        last_agent_id = IntegerField(null=True)
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "round_robin"

    class BulkAction(Model):
        id = AutoIncrementField() if isinstance(db, SqliteDatabase) else AutoField()
        action = CharField(max_length=32)
        selection = TextField()
        count = IntegerField()
        agent_email = CharField(max_length=254, null=True)
        at = DateTimeField(index=True)

        class Meta:
            database = db
            table_name = "bulk_action"

    db.create_tables([DealStageChange, RoundRobin, BulkAction])
    migrator.migrate(
        migrator.add_column("deal", "contract_end", DateField(null=True)),
        migrator.add_column("deal", "stage_entered_at", DateTimeField(null=True)),
        migrator.add_column("deal", "touched_at", DateTimeField(null=True)),
        migrator.add_column("communication", "direction", CharField(max_length=8, default="outbound")),
        migrator.add_column("history", "bulk", IntegerField(null=True)),
    )
    # Few History rows belong to a bulk action: on SQLite the index holds only those (a look-up by
    # bulk = N implies bulk IS NOT NULL, so SQLite uses it), elsewhere a plain index.
    partial = " WHERE bulk IS NOT NULL" if isinstance(db, SqliteDatabase) else ""
    left, right = db.quote
    db.execute_sql(f"CREATE INDEX {left}history_bulk{right} ON {left}history{right} ({left}bulk{right}){partial}")
    if not isinstance(db, SqliteDatabase):
        migrator.migrate(*(migrator.add_index(table, columns, False) for table, columns in REPORT_INDEXES))
    if isinstance(db, MySQLDatabase):
        db.execute_sql("ALTER TABLE `bulk_action` MODIFY `selection` MEDIUMTEXT NOT NULL")


def down(migrator, db):
    if not isinstance(db, SqliteDatabase):
        migrator.migrate(*(migrator.drop_index(table, f"{table}_{'_'.join(columns)}")
                           for table, columns in REPORT_INDEXES))
    migrator.migrate(
        migrator.drop_index("history", "history_bulk"),
        migrator.drop_column("history", "bulk"),
        migrator.drop_column("communication", "direction"),
        migrator.drop_column("deal", "touched_at"),
        migrator.drop_column("deal", "stage_entered_at"),
        migrator.drop_column("deal", "contract_end"),
        migrator.drop_table("bulk_action"),
        migrator.drop_table("round_robin"),
        migrator.drop_table("deal_stage_change"),
    )
