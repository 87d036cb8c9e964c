"""Typed ids are never given twice on SQLite: the tables of typed records get AUTOINCREMENT.

Without AUTOINCREMENT SQLite gives a new row the largest id in the table plus
one, so after the newest company was merged away or deleted the next company
took its id: `show C2` showed a stranger and the old merge could no longer be
undone (SPEC §4: a merged-away or deleted record's id keeps pointing at its
story). With it, SQLite remembers the largest id ever given (`sqlite_sequence`)
and never goes below it. PostgreSQL sequences and MariaDB's AUTO_INCREMENT
(persistent since 10.2.4) never give an id twice: nothing to do there.

SQLite cannot change a primary key in place, so each table is rebuilt the way
its documentation prescribes (https://www.sqlite.org/lang_altertable.html,
"Making Other Kinds Of Table Schema Changes"): the same CREATE TABLE text with
AUTOINCREMENT under a new name, every row copied with its id, the old table
dropped, the new one renamed, and its indexes and triggers (the FTS5 name
search's, migration 0003) created again from their own text. The FTS5 table
keeps working: it names `company` and its rowids are the unchanged ids.
Foreign keys name tables, not their storage, so they hold as they were; the
runner turns their enforcement off during a SQLite migration (a DROP TABLE
with them on would delete every contact and alias by cascade), the migration
refuses to run if it is on, and it checks every reference (`PRAGMA
foreign_key_check`) before its transaction commits.

Each table's sequence starts at the largest id it ever gave that is still
known: the largest in the table, or a larger one named in History (every
typed record has a 'create' row there, and a merged-away one its 'merge' row),
so an id lost before this upgrade is not given again either. `contact` is
rebuilt too: a merge's journal names contact details by id.

Frozen here: the table names and typed-id letters of version 6; this file
imports nothing from crmctl.
"""
import re

from peewee import SqliteDatabase

# table -> the letter of its typed ids in History's `entity` (None: no typed id)
TABLES = {
    "company": "C",
    "lead": "L",
    "contact": None,
    "import_batch": "B",
    "submission": "S",
    "communication": "M",
    "deal": "D",
    "note": "N",
    "task": "T",
    "engagement_event": "E",
    "merge": "X",
}
ID_COLUMN = '"id" INTEGER NOT NULL PRIMARY KEY'
REBUILT_SUFFIX = "__rebuilt"


def up(migrator, db):
    if not isinstance(db, SqliteDatabase):
        return
    refuse_with_foreign_keys_on(db)
    broken_before = len(db.execute_sql("PRAGMA foreign_key_check").fetchall())
    for table, letter in TABLES.items():
        sql = table_sql(db, table)
        if "AUTOINCREMENT" in sql.upper():
            continue
        rebuild(db, table, sql.replace(ID_COLUMN, ID_COLUMN + " AUTOINCREMENT", 1))
        seed_sequence(db, table, letter)
    check_references(db, broken_before)


def down(migrator, db):
    if not isinstance(db, SqliteDatabase):
        return
    refuse_with_foreign_keys_on(db)
    broken_before = len(db.execute_sql("PRAGMA foreign_key_check").fetchall())
    for table in TABLES:
        sql = table_sql(db, table)
        if "AUTOINCREMENT" in sql.upper():
            rebuild(db, table, re.sub(r"\s+AUTOINCREMENT", "", sql, count=1, flags=re.IGNORECASE))
        db.execute_sql("DELETE FROM sqlite_sequence WHERE name = ?", [table])
    check_references(db, broken_before)


def refuse_with_foreign_keys_on(db):
    if db.execute_sql("PRAGMA foreign_keys").fetchone()[0]:
        raise RuntimeError("0006 rebuilds tables and must run with foreign keys off (as the migration runner runs "
                           "SQLite migrations): with them on, dropping a table would delete its dependents")


def table_sql(db, table):
    return db.execute_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]).fetchone()[0]


def rebuild(db, table, new_sql):
    """The table again, defined by `new_sql` (its CREATE TABLE text), with every row, index and trigger."""
    if ID_COLUMN not in new_sql and "AUTOINCREMENT" not in new_sql.upper():
        raise RuntimeError(f"0006 does not recognise the id column of {table}: {new_sql[:120]}")
    attached = [row[0] for row in db.execute_sql(
        "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger') AND sql IS NOT NULL "
        "ORDER BY type, name", [table])]
    rebuilt = table + REBUILT_SUFFIX
    create, count = re.subn(rf'^CREATE TABLE\s+(IF NOT EXISTS\s+)?"?{table}"?', f'CREATE TABLE "{rebuilt}"',
                            new_sql, count=1)
    if count != 1:
        raise RuntimeError(f"0006 does not recognise the definition of {table}: {new_sql[:120]}")
    db.execute_sql(create)
    db.execute_sql(f'INSERT INTO "{rebuilt}" SELECT * FROM "{table}"')
    db.execute_sql(f'DROP TABLE "{table}"')  # its indexes and triggers go with it
    db.execute_sql(f'ALTER TABLE "{rebuilt}" RENAME TO "{table}"')
    for sql in attached:
        db.execute_sql(sql)


def seed_sequence(db, table, letter):
    """sqlite_sequence starts at the largest id the table ever gave that anything still names."""
    largest = db.execute_sql(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"').fetchone()[0]
    if letter is not None:
        named = db.execute_sql(
            "SELECT COALESCE(MAX(CAST(SUBSTR(entity, 2) AS INTEGER)), 0) FROM history WHERE entity GLOB ?",
            [letter + "[0-9]*"]).fetchone()[0]
        largest = max(largest, named)
    db.execute_sql("DELETE FROM sqlite_sequence WHERE name IN (?, ?)", [table, table + REBUILT_SUFFIX])
    if largest:
        db.execute_sql("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", [table, largest])


def check_references(db, broken_before):
    """Roll the whole migration back if a rebuild broke a reference that held before it."""
    broken = db.execute_sql("PRAGMA foreign_key_check").fetchall()
    if len(broken) > broken_before:
        raise RuntimeError(f"0006 would break {len(broken) - broken_before} references, e.g. {broken[-1]}: "
                           "nothing was changed")
