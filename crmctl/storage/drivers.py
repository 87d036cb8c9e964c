"""Database drivers are imported when crmctl connects to their database, not when Peewee is imported.

Peewee imports psycopg2, psycopg and pymysql at its own import when they are
installed: about 50 ms of every command on a machine that has the
`postgresql` and `mysql` extras, even one that only ever opens a SQLite file.
`defer_drivers()` (called once by `crmctl/__init__.py`, before anything can
import Peewee) puts a finder on `sys.meta_path` that makes those imports
fail while, and only while, Peewee's own module runs; Peewee then records
"no driver". `load_driver(scheme)` imports the one driver a URL needs and
hands it to Peewee exactly as Peewee's import would have. A program that
imported Peewee before crmctl keeps Peewee's own behaviour.

psycopg2 imports Python's `ssl` module (about 10 ms) only so that OpenSSL's
thread locks are set up by Python before libpq; when `ssl` cannot be
imported it leaves them to libpq, its documented fallback. OpenSSL 1.1 and
later (3 in psycopg2's wheels and in Debian) set up their own locks, so
`load_driver` refuses that one import while psycopg2's module runs.
"""
import sys
from contextlib import contextmanager

# The names Peewee tries to import at its top level.
DEFERRED = frozenset({"psycopg2", "psycopg", "psycopg2cffi", "pymysql", "MySQLdb"})


class _PeeweeWithoutDrivers:
    """A meta-path finder that refuses the driver imports made from inside Peewee's module."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".", 1)[0] in DEFERRED and _peewee_is_importing():
            raise ImportError(f"{fullname} is imported when crmctl connects to its database")
        return None


class _RefusedImport:
    """A meta-path finder that refuses one module while it is on `sys.meta_path`."""

    def __init__(self, name):
        self.name = name

    def find_spec(self, fullname, path=None, target=None):
        if fullname == self.name:
            raise ImportError(f"{fullname} is left out of crmctl's start-up")
        return None


@contextmanager
def _refused(name):
    if name in sys.modules:  # already imported by the program: nothing to save
        yield
        return
    finder = _RefusedImport(name)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)


def _peewee_is_importing():
    module = sys.modules.get("peewee")
    spec = getattr(module, "__spec__", None)
    return bool(spec is not None and getattr(spec, "_initializing", False))


def defer_drivers():
    if "peewee" not in sys.modules and not any(isinstance(f, _PeeweeWithoutDrivers) for f in sys.meta_path):
        sys.meta_path.insert(0, _PeeweeWithoutDrivers())


def load_driver(scheme):
    """Give Peewee the driver of a postgresql:// or mysql:// URL; ImportError when it is not installed."""
    import peewee

    if scheme in ("postgres", "postgresql") and peewee.psycopg2 is None:
        with _refused("ssl"):
            import psycopg2
            from psycopg2 import extensions

        peewee.psycopg2, peewee.pg_extensions, peewee.Json_pg2 = psycopg2, extensions, _psycopg2_json
        # Peewee's adapter reads the driver's transaction states in its class body, at its import.
        adapter = peewee.Psycopg2Adapter
        adapter.txn_idle, adapter.txn_inerror, adapter.txn_unknown = (
            extensions.TRANSACTION_STATUS_IDLE, extensions.TRANSACTION_STATUS_INERROR,
            extensions.TRANSACTION_STATUS_UNKNOWN)
    elif scheme == "mysql" and peewee.mysql is None:
        import pymysql

        peewee.mysql = pymysql


def _psycopg2_json(value, dumps=None):
    """psycopg2's Json wrapper, for Peewee's JSON fields, imported when first used.

    psycopg2.extras costs a few ms of every PostgreSQL command, and crmctl
    stores JSON as text and no UUID columns (Peewee's import would also have
    called its register_uuid), so nothing else needs it.
    """
    from psycopg2.extras import Json

    return Json(value, dumps)
