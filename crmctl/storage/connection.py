"""Which database crmctl talks to and how it connects.

The URL comes from `--db`, then `CRMCTL_DATABASE_URL`, then a SQLite file in the
user's application directory. Models are bound to `database_proxy`, so the same
models serve SQLite, PostgreSQL and MySQL/MariaDB. This module knows no model:
the schema lives in `crmctl.storage.models` and `crmctl.storage.schema`.
"""
import os
import re
from urllib.parse import urlsplit, urlunsplit

import click
import peewee
from playhouse import db_url

from crmctl.errors import BadInput

database_proxy = peewee.DatabaseProxy()

URL_ENVIRONMENT_VARIABLE = "CRMCTL_DATABASE_URL"
DEFAULT_DATABASE_FILENAME = "crm.db"
SQLITE_BUSY_TIMEOUT_SECONDS = 30
SUPPORTED_SCHEMES = ("sqlite", "postgres", "postgresql", "mysql")
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
    except peewee.ImproperlyConfigured:  # what peewee raises at connect when the driver is not installed
        if scheme not in DRIVER_EXTRAS:
            raise
        driver, extra = DRIVER_EXTRAS[scheme]
        raise BadInput(f"{scheme}:// needs the {driver} driver: pip install 'crmctl[{extra}]'")
    except Exception as error:  # driver errors (psycopg2, pymysql) that peewee did not wrap
        reason = scrub_secrets(" ".join(str(error).split())) or type(error).__name__
        raise BadInput(f"cannot open database {mask_url(url)}: {reason}")
    database_proxy.initialize(database)
    return database


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
