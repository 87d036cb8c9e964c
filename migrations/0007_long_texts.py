"""Long texts hold what they hold on every backend: MEDIUMTEXT (and LONGTEXT) on MySQL/MariaDB.

MariaDB's TEXT stops at 64 KB, where SQLite and PostgreSQL store any length, so
a 100 KB conversation crashed there and a file that imported on one backend was
refused on another. crmctl caps free text at 1 MB of characters (up to 4 MB of
utf8mb4): every TEXT column of crmctl's tables becomes MEDIUMTEXT (16 MB), and
the merge journal, which holds whole records, LONGTEXT. Each column keeps its
character set, collation and NULL / NOT NULL, read from information_schema.
SQLite and PostgreSQL: nothing to do.

`down` turns them back into TEXT, which fails on a value longer than 64 KB
rather than cutting it (MariaDB's strict mode).

Frozen here: the tables as they are at version 7; this file imports nothing from crmctl.
"""
from peewee import MySQLDatabase

TABLES = ("agent", "company", "lead", "contact", "import_batch", "submission", "communication", "deal", "note",
          "task", "engagement_event", "segment", "merge", "history", "setting", "company_blocking_key",
          "company_alias")
LONGTEXT_COLUMNS = {("merge", "journal")}


def text_columns(db, data_type):
    """{table: [(column, character set, collation, nullable)]} of crmctl's columns of one type."""
    rows = db.execute_sql(
        "SELECT TABLE_NAME, COLUMN_NAME, CHARACTER_SET_NAME, COLLATION_NAME, IS_NULLABLE "
        "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND DATA_TYPE = %s "
        "ORDER BY TABLE_NAME, ORDINAL_POSITION", (data_type,)).fetchall()
    columns = {}
    for table, column, charset, collation, nullable in rows:
        if table in TABLES:
            columns.setdefault(table, []).append((column, charset, collation, nullable == "YES"))
    return columns


def modify(db, table, columns, type_of):
    clauses = [f"MODIFY `{column}` {type_of(table, column)} CHARACTER SET {charset} COLLATE {collation} "
               f"{'NULL' if nullable else 'NOT NULL'}"
               for column, charset, collation, nullable in columns]
    db.execute_sql(f"ALTER TABLE `{table}` " + ", ".join(clauses))


def up(migrator, db):
    if not isinstance(db, MySQLDatabase):
        return
    for table, columns in text_columns(db, "text").items():
        modify(db, table, columns,
               lambda table, column: "LONGTEXT" if (table, column) in LONGTEXT_COLUMNS else "MEDIUMTEXT")


def down(migrator, db):
    if not isinstance(db, MySQLDatabase):
        return
    for data_type in ("mediumtext", "longtext"):
        for table, columns in text_columns(db, data_type).items():
            modify(db, table, columns, lambda table, column: "TEXT")
