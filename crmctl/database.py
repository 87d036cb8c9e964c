"""Which database crmctl talks to, how it connects, and how its schema is kept current.

The URL comes from `--db`, then `CRMCTL_DATABASE_URL`, then a SQLite file in the
user's application directory. Models are bound to `database_proxy`, so the same
models serve SQLite, PostgreSQL and MySQL/MariaDB. Schema changes are the
numbered files in `crmctl.migrations`, run by Peewee's own migration runner.
"""
import contextlib
import os
import re
from urllib.parse import urlsplit, urlunsplit

import click
import peewee
from playhouse import db_url
from playhouse.migrations import Runner

from crmctl.errors import BadInput

database_proxy = peewee.DatabaseProxy()

URL_ENVIRONMENT_VARIABLE = "CRMCTL_DATABASE_URL"
DEFAULT_DATABASE_FILENAME = "crm.db"
MIGRATION_TABLE = "crmctl_schema_migration"
SQLITE_BUSY_TIMEOUT_SECONDS = 30
SUPPORTED_SCHEMES = ("sqlite", "postgres", "postgresql", "mysql")

_secrets_to_mask = set()


def default_database_url():
    directory = click.get_app_dir("crmctl")
    return "sqlite:///" + os.path.join(directory, DEFAULT_DATABASE_FILENAME)


def resolve_database_url(cli_url=None):
    """`--db` beats the environment variable, which beats the default file."""
    return cli_url or os.environ.get(URL_ENVIRONMENT_VARIABLE) or default_database_url()


def mask_url(url):
    """The URL with its password replaced by ***, safe to print."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return re.sub(r"//([^:/@]*):[^@]*@", r"//\1:***@", url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    userinfo = f"{parts.username or ''}:***"
    return urlunsplit(parts._replace(netloc=f"{userinfo}@{netloc}"))


def scrub_secrets(text):
    """Remove every database password crmctl has seen from a message."""
    for secret in _secrets_to_mask:
        text = text.replace(secret, "***")
    return text


def connect_database(url):
    """Open the database a URL names and bind the models to it.

    A malformed URL, an unknown scheme or an unreachable server is bad input
    (exit 2) with the password masked.
    """
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError as error:
        raise BadInput(f"database URL {mask_url(url)} is malformed: {error}")
    if password:
        _secrets_to_mask.add(password)
    scheme = parts.scheme
    if scheme not in SUPPORTED_SCHEMES:
        raise BadInput(
            f"database URL {mask_url(url)} is not supported: use sqlite:///PATH, "
            "postgresql://USER@HOST:PORT/DB or mysql://USER@HOST/DB"
        )
    options = {}
    if scheme == "sqlite":
        path = parts.path[1:]
        if path and path != ":memory:":
            parent = os.path.dirname(os.path.abspath(path))
            try:
                os.makedirs(parent, exist_ok=True)
            except OSError as error:
                raise BadInput(f"cannot create the directory for {path}: {error.strerror}")
        options["pragmas"] = {
            "journal_mode": "wal",
            "foreign_keys": 1,
            "busy_timeout": SQLITE_BUSY_TIMEOUT_SECONDS * 1000,
        }
        options["timeout"] = SQLITE_BUSY_TIMEOUT_SECONDS
    elif scheme == "mysql":
        options["charset"] = "utf8mb4"
        options["connect_timeout"] = 10
    else:
        options["connect_timeout"] = 10
    try:
        settings = db_url.parse(url, unquote_password=True, unquote_user=True)
        if "passwd" in settings:  # peewee's old MySQL spelling; drivers now want password
            settings["password"] = settings.pop("passwd")
        if not settings.get("database"):
            raise BadInput(f"database URL {mask_url(url)} names no database")
        settings.update(options)
        database = db_url.schemes[scheme](**settings)
        database.connect()
    except BadInput:
        raise
    except Exception as error:  # driver errors (psycopg2, pymysql) that peewee did not wrap
        reason = scrub_secrets(" ".join(str(error).split())) or type(error).__name__
        raise BadInput(f"cannot open database {mask_url(url)}: {reason}")
    database_proxy.initialize(database)
    return database


def migrations_directory():
    import crmctl.migrations

    return os.path.dirname(crmctl.migrations.__file__)


def migration_runner(database):
    return Runner(database, migrations_directory(), table_name=MIGRATION_TABLE)


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
    from crmctl.models import ALL_MODELS

    ours = {MIGRATION_TABLE} | {model._meta.table_name for model in ALL_MODELS}
    return ours & set(database.get_tables())


def ensure_current_schema(database):
    """Create a brand-new database, or refuse to work on one whose schema is behind.

    A database on which no migration was ever applied is new: it is created
    under the schema lock, after checking again, because another process may be
    creating it at this very moment.
    """
    if schema_status(database).is_current:
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


def write_transaction():
    """A transaction for a command's writes: all or nothing.

    On SQLite it takes the write lock at BEGIN (IMMEDIATE), so two processes
    queue on the busy timeout instead of failing with "database is locked" when
    a read transaction tries to become a write one.
    """
    database = database_proxy.obj
    if isinstance(database, peewee.SqliteDatabase) and not database.in_transaction():
        return database.atomic("IMMEDIATE")
    return database_proxy.atomic()
