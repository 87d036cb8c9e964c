"""Locks that serialise the writers of one name block or one record, on every backend.

A unique index keeps exact duplicates out, but a likely duplicate is a judgement
(same normalised name, a close fuzzy match) that no index can make. Two
processes that check the same name at once would both find nothing and both
store it, so the writers of one block (e.g. `company:PL`, every company name in
Poland) take its lock inside their write transaction, before the duplicate
check reads anything, and hold it until the transaction ends: the second waits,
then reads the first one's company and is refused.

- PostgreSQL: `pg_advisory_xact_lock` on a stable 64-bit hash of the name,
  released by the transaction's commit or rollback.
- MariaDB/MySQL: `GET_LOCK('crmctl:<name>')`, which belongs to the session, not
  the transaction: `released_after_transaction` releases it once the outermost
  transaction has ended. Taken before the transaction's first read, because
  REPEATABLE READ fixes the snapshot at that read and a later lock would only
  let us wait for rows we cannot see.
- SQLite: nothing. `write_transaction` begins IMMEDIATE, which already admits
  one writer at a time and gives it a snapshot that sees every earlier commit.

Records a command rewrites (a merge's survivor and dropped records) are locked
and read with `locked_rows`: `SELECT … FOR UPDATE` one id at a time in
ascending order, so two merges of overlapping records queue instead of
deadlocking.
"""
import contextlib
from hashlib import blake2b

import peewee

from crmctl.errors import Refused
from crmctl.storage.connection import database_proxy

MYSQL_LOCK_PREFIX = "crmctl:"
MYSQL_LOCK_NAME_LIMIT = 64  # MariaDB's limit on a GET_LOCK name
MYSQL_LOCK_WAIT_SECONDS = 60


def advisory_lock_number(name):
    """A signed 64-bit number for a lock name, the same in every process and Python version."""
    return int.from_bytes(blake2b(name.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


def mysql_lock_name(name):
    """GET_LOCK's name for a lock: readable when short, a digest when longer than MariaDB allows."""
    text = MYSQL_LOCK_PREFIX + name
    if len(text) <= MYSQL_LOCK_NAME_LIMIT:
        return text
    return MYSQL_LOCK_PREFIX + blake2b(name.encode("utf-8"), digest_size=16).hexdigest()


def lock_names(names, database=None):
    """Take an exclusive lock on each name (sorted, so two writers never wait on each other in a cycle).

    Call it once per transaction with every name it needs, inside the write
    transaction and before the first read of what the names guard. On MariaDB the caller's transaction must run inside
    `released_after_transaction` (as `crmctl.records.batch.run_in_transaction`
    does). A lock not granted within a minute is refused (exit 3): another
    process is holding it far longer than any write takes.
    """
    database = database or database_proxy.obj
    wanted = sorted({name for name in names if name})
    if isinstance(database, peewee.PostgresqlDatabase):
        for name in wanted:
            database.execute_sql("SELECT pg_advisory_xact_lock(%s)", [advisory_lock_number(name)])
    elif isinstance(database, peewee.MySQLDatabase):
        held = _held_mysql_locks(database)
        for name in wanted:
            lock = mysql_lock_name(name)
            if lock in held:
                continue
            granted = database.execute_sql("SELECT GET_LOCK(%s, %s)", [lock, MYSQL_LOCK_WAIT_SECONDS]).fetchone()[0]
            if granted != 1:
                raise Refused(f"another crmctl has been writing {name} for over {MYSQL_LOCK_WAIT_SECONDS} seconds: "
                              "try again")
            held.add(lock)


def lock_company_names(countries, database=None):
    """Serialise the writers of company names in these countries until the transaction ends.

    A likely duplicate is the same or a close name in the same country, so a
    country is the block that two racing writers must not check at once.
    Adding, renaming or moving a company and giving one an alias all take it
    before their duplicate check reads anything.
    """
    lock_names([f"company:{country}" for country in countries], database)


def _held_mysql_locks(database):
    held = getattr(database, "_crmctl_named_locks", None)
    if held is None:
        held = database._crmctl_named_locks = set()
    return held


@contextlib.contextmanager
def released_after_transaction(database=None):
    """Around a write transaction: release the MariaDB named locks it took once it has committed or rolled back.

    A transaction nested in another (a savepoint) keeps them: the outer one
    still needs what they guard.
    """
    database = database or database_proxy.obj
    try:
        yield
    finally:
        held = getattr(database, "_crmctl_named_locks", None)
        if held and not database.in_transaction():
            try:
                for lock in sorted(held):
                    database.execute_sql("SELECT RELEASE_LOCK(%s)", [lock])
            except peewee.DatabaseError:
                pass  # the session is gone, and the server released its locks with it
            finally:
                held.clear()


def locked_rows(model, ids, database=None):
    """{id: record} of the rows of these ids, locked for the rest of the transaction in ascending id order.

    One `SELECT … FOR UPDATE` per id, so the locks are taken in that order
    whatever plan the server picks. An id without a row (a record merged away
    meanwhile) is left out. A locking read sees the latest committed row and,
    on MariaDB, does not fix the transaction's snapshot: reads after it see
    what the winner of a race left. On SQLite a plain read (see above).
    """
    database = database or database_proxy.obj
    locking = isinstance(database, (peewee.PostgresqlDatabase, peewee.MySQLDatabase))
    rows = {}
    for record_id in sorted(set(ids)):
        query = model.select().where(model.id == record_id)
        record = (query.for_update() if locking else query).first()
        if record is not None:
            rows[record_id] = record
    return rows
