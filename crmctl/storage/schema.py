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
from crmctl.storage.connection import MIGRATION_TABLE
from crmctl.storage.models import ALL_MODELS

# The version of the keys crmctl derives from names (`crmctl.rules.names.company_name_key`, the
# blocking keys of `crmctl.dedup.keys`): bump it when either gives other keys for a name. It is
# recorded as a row of the migration table, so one query checks both; `crmctl db upgrade`
# recomputes the stored keys (`crmctl.records.rekey`) and records it.
KEYS_VERSION = 5
KEYS_ROW_PREFIX = "keys-v"


def migrations_directory():
    return os.path.dirname(crmctl.migrations.__file__)


def migration_runner(database):
    # Imported here: a command on a current schema never needs the runner (about 30 ms of start-up).
    from playhouse.migrations import Runner

    return Runner(database, migrations_directory(), table_name=MIGRATION_TABLE)


def migration_names():
    """The numbered migrations this crmctl ships, by the names the runner records."""
    return {name[:-3] for name in os.listdir(migrations_directory()) if re.fullmatch(r"\d{4}_\w+\.py", name)}


def _recorded_names(database):
    try:
        cursor = database.execute_sql(f"SELECT name FROM {MIGRATION_TABLE}")
    except peewee.DatabaseError:  # no migration table yet: a new database
        return set()
    return {row[0] for row in cursor.fetchall()}


def _keys_row():
    return KEYS_ROW_PREFIX + str(KEYS_VERSION)


def rows_from_a_newer_crmctl(recorded, shipped=None):
    """The recorded rows this crmctl does not know: migrations it does not ship, keys newer than its own.

    A "keys-vN" row is not a migration: N above KEYS_VERSION means a newer
    crmctl's duplicate rules made the stored keys.
    """
    shipped = migration_names() if shipped is None else shipped
    newer = []
    for name in recorded:
        if name.startswith(KEYS_ROW_PREFIX):
            version = name[len(KEYS_ROW_PREFIX):]
            if not version.isdigit() or int(version) > KEYS_VERSION:
                newer.append(name)
        elif name not in shipped:
            newer.append(name)
    return sorted(newer)


def refuse_a_newer_schema(recorded):
    newer = rows_from_a_newer_crmctl(recorded)
    if newer:
        raise BadInput(f"the database was upgraded by a newer crmctl (it records {', '.join(newer)}, which this "
                       "crmctl does not know): upgrade crmctl to use it; `crmctl db status` still works")


def is_current(database):
    """True when exactly the shipped migrations and today's keys are recorded: one query, no migration runner."""
    return _records_exactly_this_crmctl(_recorded_names(database))


def _records_exactly_this_crmctl(recorded):
    shipped = migration_names()
    return (shipped | {_keys_row()}) <= recorded and not rows_from_a_newer_crmctl(recorded, shipped)


def keys_are_current(database):
    return _keys_row() in _recorded_names(database)


def record_keys_current(database):
    """Record that the stored keys are today's (after `crmctl.records.rekey` or on a new database)."""
    import datetime

    database.execute_sql(f"DELETE FROM {MIGRATION_TABLE} WHERE name LIKE {database.param}",
                         [KEYS_ROW_PREFIX + "%"])
    database.execute_sql(f"INSERT INTO {MIGRATION_TABLE} (name, applied) VALUES ({database.param}, {database.param})",
                         [KEYS_ROW_PREFIX + str(KEYS_VERSION), datetime.datetime.now(datetime.timezone.utc)
                          .replace(tzinfo=None)])


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
        """The newest migration this crmctl ships."""
        return max((m.idx for m in self.migrations if m.path), default=0)

    @property
    def newer(self):
        """Rows a newer crmctl recorded (see `rows_from_a_newer_crmctl`)."""
        return rows_from_a_newer_crmctl({m.name for m in self.applied})

    @property
    def is_current(self):
        return not self.pending and not self.newer


def schema_status(database):
    return SchemaStatus(migration_runner(database).status())


def upgrade_schema(database, recompute_keys=None):
    """Apply pending migrations in order, each in its own transaction; returns their names.

    Then, when the stored keys are older than KEYS_VERSION, `recompute_keys()`
    rebuilds them (`crmctl.records.rekey.recompute_company_keys`; live code, so
    not a migration) before they are recorded as current. A database without
    companies needs nothing recomputed.
    """
    with schema_lock(database):
        refuse_a_newer_schema(_recorded_names(database))
        applied = migration_runner(database).up()
        if not keys_are_current(database):
            has_companies = database.execute_sql("SELECT 1 FROM company LIMIT 1").fetchone() is not None
            if has_companies and recompute_keys is None:
                return applied
            if has_companies:
                recompute_keys()
            record_keys_current(database)
        return applied


def crmctl_tables_in(database):
    """The tables of crmctl's own that exist (other applications may share the database)."""
    ours = {MIGRATION_TABLE} | {model._meta.table_name for model in ALL_MODELS}
    return ours & set(database.get_tables())


def ensure_current_schema(database):
    """Create a brand-new database, or refuse to work on one whose schema is behind or ahead.

    A database a newer crmctl upgraded is refused (exit 2): this crmctl would
    write rows that the newer schema may not expect.

    A database on which no migration was ever applied is new: it is created
    under the schema lock, after checking again, because another process may be
    creating it at this very moment.
    """
    recorded = _recorded_names(database)
    if _records_exactly_this_crmctl(recorded):
        return
    refuse_a_newer_schema(recorded)
    with schema_lock(database):  # another process may be creating it right now
        status = schema_status(database)
        if not status.applied and not crmctl_tables_in(database) - {MIGRATION_TABLE}:
            migration_runner(database).up()
            record_keys_current(database)  # no company yet: nothing to recompute
            return
        if status.is_current and keys_are_current(database):
            return
    if status.is_current:
        raise BadInput("the stored name keys were made by an older crmctl's duplicate rules: "
                       "run `crmctl db upgrade` to recompute them")
    raise BadInput(
        f"the database schema is at version {status.version} and crmctl needs "
        f"version {status.latest}: run `crmctl db upgrade`"
    )
