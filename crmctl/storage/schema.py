"""The schema's version: which numbered migrations are applied, and creating or upgrading it safely.

Schema changes are the numbered files in `crmctl.migrations`, run by Peewee's
own migration runner, each in its own transaction, under a lock that
serialises processes starting at the same time.
"""
import contextlib
import os
import re

import peewee

import crmctl.migrations
from crmctl.errors import BadInput
from crmctl.storage.models import ALL_MODELS

MIGRATION_TABLE = "crmctl_schema_migration"


def migrations_directory():
    return os.path.dirname(crmctl.migrations.__file__)


def migration_runner(database):
    # Imported here: a command on a current schema never needs the runner (about 30 ms of start-up).
    from playhouse.migrations import Runner

    return Runner(database, migrations_directory(), table_name=MIGRATION_TABLE)


def migration_names():
    """The numbered migrations this crmctl ships, by the names the runner records."""
    return {name[:-3] for name in os.listdir(migrations_directory()) if re.fullmatch(r"\d{4}_\w+\.py", name)}


def is_current(database):
    """True when every shipped migration is recorded as applied: one query, no migration runner."""
    try:
        cursor = database.execute_sql(f"SELECT name FROM {MIGRATION_TABLE}")
    except peewee.DatabaseError:  # no migration table yet: a new database
        return False
    return migration_names() <= {row[0] for row in cursor.fetchall()}


@contextlib.contextmanager
def schema_lock(database):
    """Serialise schema upgrades between processes that start at the same time."""
    if isinstance(database, peewee.PostgresqlDatabase):
        database.execute_sql("SELECT pg_advisory_lock(727274)")
        try:
            yield
        finally:
            database.execute_sql("SELECT pg_advisory_unlock(727274)")
    elif isinstance(database, peewee.MySQLDatabase):
        database.execute_sql("SELECT GET_LOCK('crmctl_schema', 120)")
        try:
            yield
        finally:
            database.execute_sql("SELECT RELEASE_LOCK('crmctl_schema')")
    elif database.database not in ("", ":memory:"):
        import fcntl

        with open(database.database + ".schema-lock", "a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)
    else:
        yield


class SchemaStatus:
    """Applied and pending migrations; the version is the newest applied number."""

    def __init__(self, migrations):
        self.migrations = migrations
        self.applied = [m for m in migrations if m.applied]
        self.pending = [m for m in migrations if not m.applied and m.path]

    @property
    def version(self):
        return max((m.idx for m in self.applied), default=0)

    @property
    def latest(self):
        return max((m.idx for m in self.migrations), default=0)

    @property
    def is_current(self):
        return not self.pending


def schema_status(database):
    return SchemaStatus(migration_runner(database).status())


def upgrade_schema(database):
    """Apply pending migrations in order, each in its own transaction; returns their names."""
    with schema_lock(database):
        return migration_runner(database).up()


def crmctl_tables_in(database):
    """The tables of crmctl's own that exist (other applications may share the database)."""
    ours = {MIGRATION_TABLE} | {model._meta.table_name for model in ALL_MODELS}
    return ours & set(database.get_tables())


def ensure_current_schema(database):
    """Create a brand-new database, or refuse to work on one whose schema is behind.

    A database on which no migration was ever applied is new: it is created
    under the schema lock, after checking again, because another process may be
    creating it at this very moment.
    """
    if is_current(database):
        return
    with schema_lock(database):  # another process may be creating it right now
        status = schema_status(database)
        if status.is_current:
            return
        if not status.applied and not crmctl_tables_in(database) - {MIGRATION_TABLE}:
            migration_runner(database).up()
            return
    raise BadInput(
        f"the database schema is at version {status.version} and crmctl needs "
        f"version {status.latest}: run `crmctl db upgrade`"
    )
