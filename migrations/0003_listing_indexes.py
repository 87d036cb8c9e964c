"""Indexes that serve listings at a million companies (SPEC §7), on every backend.

- `--where country=XX` compares the stored ISO code (no LOWER()), so (country, id)
  answers the filter and the default order by id together, and (country,
  created_at, id) the filter with `--sort -created` ("my country, newest first").
- `--sort -created` orders by (created_at, id) in one direction, served by one
  index on companies and on leads.
- `--search` on company names uses a substring index:
  SQLite: `company_name_fts`, an FTS5 table with the trigram tokenizer whose
  content is `company.name` (external content, rowid = company.id), kept in step
  by three triggers and filled here from the companies already stored.
  PostgreSQL: a GIN pg_trgm index on lower(name). The extension is created if
  it is missing; when the server refuses (pg_trgm not installed, or a role that
  may not create extensions), the migration still succeeds without that index
  and `--search` scans with LIKE, as before, with the same results.
  MariaDB: nothing: `--search` stays a LIKE scan.

Frozen here: the index names and definitions as they were at version 3; this
file imports nothing from crmctl.
"""
from peewee import PostgresqlDatabase, SqliteDatabase

# (table, index name at version 2, columns at version 2, index name at version 3, columns at version 3)
BTREE_INDEXES = (
    ("company", "company_country", ("country",), "company_country_id", ("country", "id")),
    ("company", None, None, "company_country_created_at_id", ("country", "created_at", "id")),
    ("company", "company_created_at", ("created_at",), "company_created_at_id", ("created_at", "id")),
    ("lead", "lead_created_at", ("created_at",), "lead_created_at_id", ("created_at", "id")),
)

SQLITE_SEARCH = (
    "CREATE VIRTUAL TABLE company_name_fts USING fts5("
    "name, content='company', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER company_name_fts_insert AFTER INSERT ON company BEGIN "
    "INSERT INTO company_name_fts (rowid, name) VALUES (new.id, new.name); END",
    "CREATE TRIGGER company_name_fts_delete AFTER DELETE ON company BEGIN "
    "INSERT INTO company_name_fts (company_name_fts, rowid, name) VALUES ('delete', old.id, old.name); END",
    "CREATE TRIGGER company_name_fts_update AFTER UPDATE OF name ON company BEGIN "
    "INSERT INTO company_name_fts (company_name_fts, rowid, name) VALUES ('delete', old.id, old.name); "
    "INSERT INTO company_name_fts (rowid, name) VALUES (new.id, new.name); END",
    "INSERT INTO company_name_fts (company_name_fts) VALUES ('rebuild')",
)
SQLITE_SEARCH_DOWN = (
    "DROP TRIGGER IF EXISTS company_name_fts_insert",
    "DROP TRIGGER IF EXISTS company_name_fts_delete",
    "DROP TRIGGER IF EXISTS company_name_fts_update",
    "DROP TABLE IF EXISTS company_name_fts",
)
POSTGRES_TRIGRAM_INDEX = "company_name_trgm"


def up(migrator, db):
    for table, old_name, _old_columns, new_name, new_columns in BTREE_INDEXES:
        if old_name:
            migrator.migrate(migrator.drop_index(table, old_name))
        migrator.migrate(migrator.add_index(table, new_columns, name=new_name))
    if isinstance(db, SqliteDatabase):
        for statement in SQLITE_SEARCH:
            db.execute_sql(statement)
    elif isinstance(db, PostgresqlDatabase):
        create_trigram_index(db)


def create_trigram_index(db):
    """The pg_trgm index, or nothing when the server will not create the extension."""
    available = db.execute_sql("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'").fetchone()
    if not available:
        return
    try:
        with db.atomic():  # a savepoint: a refusal must not abort the migration's transaction
            db.execute_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:  # noqa: BLE001 - psycopg2's InsufficientPrivilege and kin: search falls back to LIKE
        return
    db.execute_sql(
        f"CREATE INDEX {POSTGRES_TRIGRAM_INDEX} ON company USING gin (lower(name) gin_trgm_ops)"
    )


def down(migrator, db):
    if isinstance(db, SqliteDatabase):
        for statement in SQLITE_SEARCH_DOWN:
            db.execute_sql(statement)
    elif isinstance(db, PostgresqlDatabase):
        # The extension stays: other schemas in the database may use it.
        db.execute_sql(f"DROP INDEX IF EXISTS {POSTGRES_TRIGRAM_INDEX}")
    for table, old_name, old_columns, new_name, _new_columns in BTREE_INDEXES:
        migrator.migrate(migrator.drop_index(table, new_name))
        if old_name:
            migrator.migrate(migrator.add_index(table, old_columns, name=old_name))

