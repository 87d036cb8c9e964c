"""Which database crmctl talks to and how it connects.

The URL comes from `--db`, then `CRMCTL_DATABASE_URL`, then a SQLite file in the
user's application directory. Models are bound to `database_proxy`, so the same
models serve SQLite, PostgreSQL and MySQL/MariaDB. This module knows no model:
the schema lives in `crmctl.storage.models` and `crmctl.storage.schema`.
"""
import os
import re
import sqlite3
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

import click
import peewee

from crmctl.errors import BadInput
from crmctl.files import special_kind
from crmctl.storage.drivers import load_driver

database_proxy = peewee.DatabaseProxy()

URL_ENVIRONMENT_VARIABLE = "CRMCTL_DATABASE_URL"
DEFAULT_DATABASE_FILENAME = "crm.db"
# How many slashes mean what: said in every message about a SQLite URL without a file.
SQLITE_URL_FORMS = ("sqlite:///relative.db (three slashes: a path from the current directory) or "
                    "sqlite:////absolute/path.db (four: an absolute path)")
URL_FORMS = f"{SQLITE_URL_FORMS}, postgresql://USER@HOST:PORT/DB or mysql://USER@HOST/DB"
# The table every crmctl database has from its first migration on (the migration runner's history,
# `crmctl.storage.schema`): a SQLite file with tables but without it belongs to another program.
MIGRATION_TABLE = "crmctl_schema_migration"
SQLITE_HEADER = b"SQLite format 3\x00"
SQLITE_BUSY_TIMEOUT_SECONDS = 30
# SQLite reads the file memory-mapped (up to 1 GiB): a look-up reads index pages in place instead of
# copying each through the 2 MB page cache with a system call (half of a duplicate check at 1M).
# Bulk transfers turn it off (`unmapped_for_bulk_work`).
SQLITE_MMAP_BYTES = 1 << 30
DATABASE_CLASSES = {
    "sqlite": peewee.SqliteDatabase,
    "postgres": peewee.PostgresqlDatabase,
    "postgresql": peewee.PostgresqlDatabase,
    "mysql": peewee.MySQLDatabase,
}
SUPPORTED_SCHEMES = tuple(DATABASE_CLASSES)
# The driver each server scheme needs, and the extra of setup.cfg that installs it.
DRIVER_EXTRAS = {
    "postgres": ("PostgreSQL", "postgresql"),
    "postgresql": ("PostgreSQL", "postgresql"),
    "mysql": ("MySQL", "mysql"),
}

_secrets_to_mask = set()


def default_database_url():
    directory = click.get_app_dir("crmctl")
    return "sqlite:///" + os.path.join(directory, DEFAULT_DATABASE_FILENAME)


def resolve_database_url(cli_url=None):
    """`--db` beats the environment variable, which beats the default file.

    A `--db` that was given is used even when empty (and refused by
    `connect_database`): it never falls back to the default file. An empty
    environment variable counts as unset, as shells write "unset" that way.
    """
    if cli_url is not None:
        return cli_url
    return os.environ.get(URL_ENVIRONMENT_VARIABLE) or default_database_url()


# A password given as a query parameter (`?password=…`, as drivers also take it) is masked like one in the URL.
_QUERY_PASSWORD = re.compile(r"((?:^|[?&;])(?:password|passwd|pass|pwd)=)[^&;#]*", re.I)


def mask_url(url):
    """The URL with its password (in its user part or as a query parameter) replaced by ***, safe to print."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return _QUERY_PASSWORD.sub(r"\1***", re.sub(r"//([^:/@]*):[^@]*@", r"//\1:***@", url))
    query = _QUERY_PASSWORD.sub(r"\1***", parts.query)
    if parts.password is None:  # rebuilt only when a password was masked: urlunsplit drops sqlite:///'s slashes
        return url if query == parts.query else url.replace(parts.query, query, 1)
    parts = parts._replace(query=query)
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

    A malformed or empty URL, an unknown scheme, a SQLite URL without a file,
    a file that is not a crmctl SQLite database or an unreachable server is
    bad input (exit 2) with the password masked.
    """
    if not url.strip():
        raise BadInput(f"the database URL is empty: give {URL_FORMS}")
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError as error:
        raise BadInput(f"database URL {mask_url(url)} is malformed: {error}")
    if password:
        _secrets_to_mask.add(password)
    for key, value in parse_qsl(parts.query, keep_blank_values=True):  # a driver's message may quote it too
        if key.lower() in ("password", "passwd", "pass", "pwd") and value:
            _secrets_to_mask.add(value)
    scheme = parts.scheme
    if scheme not in SUPPORTED_SCHEMES:
        raise BadInput(f"database URL {mask_url(url)} is not supported: use {URL_FORMS}")
    try:
        settings = connection_settings(parts)
    except ValueError as error:  # a port that is no number, a parameter that only looks like one
        raise BadInput(f"database URL {mask_url(url)} is malformed: {scrub_secrets(str(error))}")
    options = {}
    if scheme == "sqlite":
        path = settings["database"] = sqlite_file_of(url, settings)
        check_sqlite_file(path)
        parent = os.path.dirname(os.path.abspath(path))
        try:
            os.makedirs(parent, exist_ok=True)
        except OSError as error:
            raise BadInput(f"cannot create the directory for {path}: {error.strerror}")
        # journal_mode=wal writes to the file: it is set once the file is known to be crmctl's (below).
        options["pragmas"] = {"foreign_keys": 1, "busy_timeout": SQLITE_BUSY_TIMEOUT_SECONDS * 1000,
                              "mmap_size": SQLITE_MMAP_BYTES}
        options["timeout"] = SQLITE_BUSY_TIMEOUT_SECONDS
    elif scheme == "mysql":
        options["charset"] = "utf8mb4"
        options["connect_timeout"] = 10
    else:
        options["connect_timeout"] = 10
    try:
        if not settings.get("database"):
            raise BadInput(f"database URL {mask_url(url)} names no database")
        settings.update(options)
        if scheme != "sqlite":
            load_driver(scheme)
        database = DATABASE_CLASSES[scheme](**settings)
        if scheme == "sqlite":
            from crmctl.storage.folding import SQL_FUNCTION, fold  # imports this module: not at the top

            database.register_function(fold, SQL_FUNCTION, 1, deterministic=True)
        database.connect()
        if scheme == "sqlite":
            refuse_foreign_sqlite_tables(database, settings["database"])
            database.execute_sql("PRAGMA journal_mode=wal")
    except BadInput:
        raise
    except (ImportError, peewee.ImproperlyConfigured):  # the driver is not installed
        if scheme not in DRIVER_EXTRAS:
            raise
        driver, extra = DRIVER_EXTRAS[scheme]
        raise BadInput(f"{scheme}:// needs the {driver} driver: pip install 'crmctl[{extra}]'")
    except Exception as error:  # driver errors (psycopg2, pymysql) that peewee did not wrap
        reason = scrub_secrets(" ".join(str(error).split())) or type(error).__name__
        raise BadInput(f"cannot open database {mask_url(url)}: {reason}")
    database.returning_clause = supports_returning(database)
    database_proxy.initialize(database)
    return database


def sqlite_file_of(url, settings):
    """The file a SQLite URL's settings name (a `database=` parameter wins over the path).

    BadInput when they name none, or a database SQLite keeps in memory (`:memory:`,
    `file::memory:`, mode=memory) or in a temporary file (an empty name): a command
    there would succeed and keep nothing. Any other `file:` URI is refused too: SQLite
    reads it as a URI, so the checks of the file would look at another path than it opens.
    """
    path = "" if settings.get("database") is None else str(settings["database"])
    if not path.strip():
        raise BadInput(f"database URL {mask_url(url)} names no file: write {SQLITE_URL_FORMS}")
    uri = path.startswith("file:")
    if (path == ":memory:" or str(settings.get("mode", "")).lower() == "memory"
            or (uri and re.search(r":memory:|[?&](mode=memory|vfs=memdb)", path.lower()))):
        raise BadInput(f"database URL {mask_url(url)} names an in-memory database, which keeps nothing: "
                       f"write {SQLITE_URL_FORMS}")
    if uri:
        raise BadInput(f"database URL {mask_url(url)} is a SQLite file: URI, not a path: write {SQLITE_URL_FORMS}")
    return path


def check_sqlite_file(path):
    """BadInput for a file that is not a SQLite database; a missing or empty file is a new database.

    Read before SQLite opens it, so another program's file is never written to; a path that is
    a device, a named pipe or a folder is refused by what it is, without opening it.
    """
    try:
        kind = special_kind(path)
        if kind is not None:
            raise BadInput(f"{path} is {kind}, not a SQLite database file")
        with open(path, "rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return
    except OSError as error:
        raise BadInput(f"cannot read {path}: {error.strerror}")
    if header and header != SQLITE_HEADER:
        raise BadInput(f"{path} is not a SQLite database (it is some other kind of file)")


def refuse_foreign_sqlite_tables(database, path):
    """BadInput for a SQLite database of another program: tables, but not crmctl's migration table.

    One read of sqlite_master, before anything is written to the file.
    """
    tables = [row[0] for row in database.execute_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name")]
    if tables and MIGRATION_TABLE not in tables:
        database.close()
        shown = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
        raise BadInput(f"{path} is another program's SQLite database (tables: {shown}), not a crmctl database")


def connection_settings(parts):
    """The keyword arguments of a Peewee database for a split URL, as playhouse.db_url reads them.

    Written here rather than imported: playhouse.db_url imports every
    database class Peewee has (20 ms of every command).
    """
    settings = {"database": parts.path[1:]}
    if parts.username:
        settings["user"] = unquote(parts.username)
    if parts.password:
        settings["password"] = unquote(parts.password)
    if parts.hostname:
        settings["host"] = parts.hostname
    if parts.port:
        settings["port"] = parts.port
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        lowered = value.lower()
        settings[key] = {"true": True, "false": False, "null": None, "none": None}.get(
            lowered, int(value) if value.isdigit() else value)
    return settings


def supports_returning(database):
    """Whether INSERT … RETURNING works, so a batch learns its new ids in the same statement.

    PostgreSQL always; SQLite from 3.35; MariaDB from 10.5 (MySQL itself never).
    """
    if isinstance(database, peewee.PostgresqlDatabase):
        return True
    if isinstance(database, peewee.SqliteDatabase):
        return sqlite3.sqlite_version_info >= (3, 35, 0)
    version = database.execute_sql("SELECT VERSION()").fetchone()[0]
    if "mariadb" not in version.lower():
        return False
    major, minor = (int(part) for part in version.split("-")[0].split(".")[:2])
    return (major, minor) >= (10, 5)


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


def unmapped_for_bulk_work(database=None):
    """An import or an export reads SQLite through its page cache, not memory-mapped.

    Every page of a mapped file that a command touches counts in its resident
    memory: an import that checks 60,000 rows against a million companies
    touches most of a 1 GB file, and its peak would be the file's size rather
    than what it holds. Through the page cache its memory stays flat.
    """
    database = database or database_proxy.obj
    if isinstance(database, peewee.SqliteDatabase):
        database.execute_sql("PRAGMA mmap_size = 0")
