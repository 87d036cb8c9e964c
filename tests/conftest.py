"""Test fixtures: every database-touching test runs on SQLite, PostgreSQL and MariaDB.

Each test run creates its own PostgreSQL and MariaDB databases (named with a
random suffix, dropped at the end) and empties their tables before every test;
each SQLite test gets a fresh file. An unreachable server skips its tests with
the reason, unless CRMCTL_REQUIRE_ALL_BACKENDS=1 (set by .ci/run), which turns
that skip into a failure so CI never skips a backend silently.
"""
import json
import os
import uuid

import pytest
from click.testing import CliRunner

from crmctl.cli import cli

BACKENDS = ["sqlite", "postgresql", "mysql"]
POSTGRES_SERVER = os.environ.get("CRMCTL_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
MYSQL_SERVER = os.environ.get("CRMCTL_TEST_MYSQL", "mysql://root@127.0.0.1:3306")
REQUIRE_ALL_BACKENDS = os.environ.get("CRMCTL_REQUIRE_ALL_BACKENDS") == "1"
RUN_ID = uuid.uuid4().hex[:10]


def unavailable(reason):
    if REQUIRE_ALL_BACKENDS:
        pytest.fail(f"backend required by CRMCTL_REQUIRE_ALL_BACKENDS but unavailable: {reason}")
    pytest.skip(reason)


class ServerBackend:
    """A PostgreSQL or MariaDB server on which this run creates its own databases."""

    def __init__(self, name):
        self.name = name
        self.created = []
        self.error = None

    def admin_connection(self):
        if self.name == "postgresql":
            import psycopg2

            connection = psycopg2.connect(
                host="127.0.0.1", port=5432, user="postgres", dbname="test", connect_timeout=5
            )
            connection.autocommit = True
            return connection
        import pymysql

        return pymysql.connect(host="127.0.0.1", port=3306, user="root", password="", autocommit=True,
                               connect_timeout=5)

    def create_database(self, label):
        database_name = f"crmctl_test_{RUN_ID}_{label}_{len(self.created)}"
        try:
            connection = self.admin_connection()
        except Exception as error:  # the server is not there
            unavailable(f"{self.name} server unreachable: {' '.join(str(error).split())}")
        with connection.cursor() as cursor:
            if self.name == "postgresql":
                cursor.execute(f'CREATE DATABASE "{database_name}"')
            else:
                cursor.execute(f"CREATE DATABASE `{database_name}` CHARACTER SET utf8mb4")
        connection.close()
        self.created.append(database_name)
        server = POSTGRES_SERVER if self.name == "postgresql" else MYSQL_SERVER
        return f"{server}/{database_name}"

    def drop_all(self):
        if not self.created:
            return
        try:
            connection = self.admin_connection()
        except Exception:
            return
        with connection.cursor() as cursor:
            for database_name in self.created:
                if self.name == "postgresql":
                    cursor.execute(f'DROP DATABASE IF EXISTS "{database_name}" WITH (FORCE)')
                else:
                    cursor.execute(f"DROP DATABASE IF EXISTS `{database_name}`")
        connection.close()


@pytest.fixture(scope="session")
def servers():
    found = {name: ServerBackend(name) for name in ("postgresql", "mysql")}
    yield found
    for server in found.values():
        server.drop_all()


@pytest.fixture(scope="session")
def shared_server_databases(servers):
    """One migrated database per server for this run, emptied before each test."""
    return {}


def empty_all_tables(url):
    """Empty the tables a test used and restart their ids (C1 again), leaving the untouched ones alone.

    Truncating every table costs 120-150 ms a test on this machine's servers;
    a test touches a few. A table counts as used when it holds a row or its
    id sequence (auto-increment counter) has moved.
    """
    from playhouse import db_url as peewee_urls

    from crmctl.storage.models import ALL_MODELS

    database = peewee_urls.connect(url)
    tables = [model._meta.table_name for model in ALL_MODELS]
    quote = '"' if url.startswith("postgresql") else "`"
    holding_rows = {name for (name,) in database.execute_sql(" UNION ALL ".join(
        f"SELECT '{table}' FROM (SELECT 1 AS one) AS probe WHERE EXISTS (SELECT 1 FROM {quote}{table}{quote})"
        for table in tables)).fetchall()}
    if url.startswith("postgresql"):
        moved = {name for (name,) in database.execute_sql(
            "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL")}
        # DELETE, not TRUNCATE: on a few small tables it skips TRUNCATE's new files, and with the
        # foreign-key triggers off (replica role) the order does not matter.
        with database.atomic():
            database.execute_sql("SET LOCAL session_replication_role = replica")
            for table in tables:
                if table in holding_rows:
                    database.execute_sql(f'DELETE FROM "{table}"')
                if f"{table}_id_seq" in moved:
                    database.execute_sql(f"ALTER SEQUENCE \"{table}_id_seq\" RESTART")
    else:
        moved = {name for (name,) in database.execute_sql(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() "
            "AND auto_increment > 1")}
        database.execute_sql("SET FOREIGN_KEY_CHECKS=0")
        for table in tables:
            if table in holding_rows:
                database.execute_sql(f"DELETE FROM `{table}`")
            if table in moved:
                database.execute_sql(f"ALTER TABLE `{table}` AUTO_INCREMENT = 1")
        database.execute_sql("SET FOREIGN_KEY_CHECKS=1")
    database.close()


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    """Point the user's application directory at the test's own folder."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.delenv("CRMCTL_DATABASE_URL", raising=False)
    monkeypatch.delenv("CRMCTL_AGENT", raising=False)
    return home


@pytest.fixture
def db_url(backend, tmp_path, servers, shared_server_databases):
    """A URL of an empty, current crmctl database on the test's backend."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'crm.db'}"
    url = shared_server_databases.get(backend)
    if url is None:
        url = servers[backend].create_database("shared")
        result = CliRunner().invoke(cli, ["--db", url, "db", "upgrade"])
        assert result.exit_code == 0, result.output
        shared_server_databases[backend] = url
    else:
        empty_all_tables(url)
    return url


@pytest.fixture
def fresh_db_url(backend, tmp_path, servers):
    """A URL of a brand-new database with no tables at all, on the test's backend."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'fresh.db'}"
    return servers[backend].create_database("fresh")


class Crm:
    """Runs the real `crmctl` root command against one database, as a user would."""

    def __init__(self, url):
        self.url = url
        self.runner = CliRunner()

    def __call__(self, *args, input=None, env=None, acting=None):
        arguments = ["--db", self.url]
        if acting:
            arguments += ["--as", acting]
        arguments += [str(a) for a in args]
        return self.runner.invoke(cli, arguments, input=input, env=env, catch_exceptions=False)

    def json(self, *args, **kwargs):
        """Run with --format json; assert success and return the parsed stdout."""
        result = self(*args, "--format", "json", **kwargs)
        assert result.exit_code == 0, f"exit {result.exit_code}: {result.output}"
        return json.loads(result.stdout)


@pytest.fixture
def crm(db_url):
    return Crm(db_url)


def one_line(result):
    """The single stderr line of a refused command (asserting there is one, and no traceback)."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def add_team(crm, boss, manager, agents):
    """An admin `boss` and a manager in PL, then each (email, country) of `agents` as an agent."""
    crm.json("agent", "add", boss, "--name", "Boss", "--role", "admin", "--country", "PL")
    crm.json("agent", "add", manager, "--name", "Mia", "--role", "manager", "--country", "PL", acting=boss)
    for email, country in agents:
        crm.json("agent", "add", email, "--name", email.split("@")[0], "--role", "agent", "--country", country,
                 acting=boss)
