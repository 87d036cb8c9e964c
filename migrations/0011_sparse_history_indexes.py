"""SQLite: History's batch and merge indexes hold only the rows that have one.

Most History rows belong to no import batch and no merge, yet each cost both
indexes an entry. As partial indexes (`WHERE batch IS NOT NULL`, `WHERE merge
IS NOT NULL`) they hold only the rows an `import undo` or `dedup unmerge`
looks up (a look-up by `batch = N` implies `batch IS NOT NULL`, so SQLite
uses them). PostgreSQL and MariaDB keep their plain indexes.

Frozen here: the index names and definitions as they are at version 11; this file imports nothing
from crmctl.
"""
from peewee import SqliteDatabase

COLUMNS = ("batch", "merge")


def up(migrator, db):
    if not isinstance(db, SqliteDatabase):
        return
    for column in COLUMNS:
        db.execute_sql(f'DROP INDEX IF EXISTS "history_{column}"')
        db.execute_sql(f'CREATE INDEX "history_{column}" ON "history" ("{column}") WHERE "{column}" IS NOT NULL')


def down(migrator, db):
    if not isinstance(db, SqliteDatabase):
        return
    for column in COLUMNS:
        db.execute_sql(f'DROP INDEX IF EXISTS "history_{column}"')
        db.execute_sql(f'CREATE INDEX "history_{column}" ON "history" ("{column}")')
