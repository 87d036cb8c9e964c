"""SQLite: a task's company, lead, deal and creator indexes hold only the tasks that have one.

A task hangs on a company, a lead or a deal, rarely on two, so each of those
columns is empty on most rows; and a task the cron job writes without an
agent behind it has no creator. Each empty cell still cost its index an
entry: the first review run over a million companies writes 918,000 tasks
on a company only, and their empty lead and deal entries were a tenth of
everything it wrote. As partial indexes (`WHERE ... IS NOT NULL`) they hold
only the rows a look-up can find (a look-up by `lead_id = N` or `IN (...)`
implies `lead_id IS NOT NULL`, so SQLite uses them, and so does its
foreign-key check). PostgreSQL and MariaDB keep their plain indexes.

Frozen here: the index names and definitions as they are at version 12; this file imports nothing
from crmctl.
"""
from peewee import SqliteDatabase

COLUMNS = ("company_id", "lead_id", "deal_id", "created_by_id")


def up(migrator, db):
    if not isinstance(db, SqliteDatabase):
        return
    for column in COLUMNS:
        db.execute_sql(f'DROP INDEX IF EXISTS "task_{column}"')
        db.execute_sql(f'CREATE INDEX "task_{column}" ON "task" ("{column}") WHERE "{column}" IS NOT NULL')


def down(migrator, db):
    if not isinstance(db, SqliteDatabase):
        return
    for column in COLUMNS:
        db.execute_sql(f'DROP INDEX IF EXISTS "task_{column}"')
        db.execute_sql(f'CREATE INDEX "task_{column}" ON "task" ("{column}")')
