"""Where the data lives and how crmctl connects (SPEC §2)."""
import json
import os
import sqlite3
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from crmctl.cli import cli


def invoke(*args, env=None):
    return CliRunner().invoke(cli, list(args), env=env)


def test_first_command_creates_the_default_sqlite_file_in_the_app_directory(isolated_home):
    result = invoke("config", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    default_file = os.path.join(click.get_app_dir("crmctl"), "crm.db")
    assert default_file.startswith(str(isolated_home))
    assert os.path.exists(default_file)
    status = json.loads(invoke("db", "status", "--format", "json").stdout)
    assert status["up_to_date"] is True


def test_environment_variable_beats_the_default_and_db_option_beats_both(tmp_path):
    from_env = tmp_path / "env.db"
    from_option = tmp_path / "option.db"
    env = {"CRMCTL_DATABASE_URL": f"sqlite:///{from_env}"}
    assert invoke("config", "set", "daily_company_target", "7", env=env).exit_code == 0
    assert from_env.exists()
    assert invoke("--db", f"sqlite:///{from_option}", "config", "set", "daily_company_target", "9", env=env).exit_code == 0
    assert json.loads(invoke("config", "get", "daily_company_target", env=env).stdout) == 7
    assert json.loads(invoke("--db", f"sqlite:///{from_option}", "config", "get", "daily_company_target").stdout) == 9


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(tmp_path):
    path = tmp_path / "crm.db"
    assert invoke("--db", f"sqlite:///{path}", "config", "list").exit_code == 0
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    from crmctl.storage.connection import connect_database

    database = connect_database(f"sqlite:///{path}")
    assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert database.execute_sql("PRAGMA busy_timeout").fetchone()[0] >= 5000
    database.close()


def test_an_unsupported_url_is_bad_input():
    result = invoke("--db", "oracle://scott:tiger@host/db", "list", "companies")
    assert result.exit_code == 2
    assert "tiger" not in result.output
    assert result.output.count("\n") == 1


def test_an_unreachable_server_is_bad_input_and_the_password_is_never_printed():
    result = invoke("--db", "postgresql://postgres:S3cretPw@127.0.0.1:1/crm", "list", "companies")
    assert result.exit_code == 2
    assert "S3cretPw" not in result.output
    assert "postgres:***@127.0.0.1:1/crm" in result.output
    assert result.output.count("\n") == 1


@pytest.mark.parametrize("url", ["postgresql://postgres@127.0.0.1:1/crm?password=S3cretPw",
                                 "postgresql://postgres@127.0.0.1:1/crm?sslmode=disable&PASSWORD=S3cretPw",
                                 "mysql://root@127.0.0.1:1/crm?passwd=S3cretPw"])
def test_a_password_given_as_a_query_parameter_is_never_printed_either(url):
    for command in (["list", "companies"], ["db", "status"]):
        result = invoke("--db", url, *command)
        assert result.exit_code == 2
        assert "S3cretPw" not in result.output and "=***" in result.output
        assert result.output.count("\n") == 1


def test_a_wrong_mysql_password_is_masked_in_the_message():
    result = invoke("--db", "mysql://root:Hunter2pw@127.0.0.1:3306/test", "list", "companies")
    assert result.exit_code == 2
    assert "Hunter2pw" not in result.output


def test_db_status_never_prints_the_password():
    result = invoke("--db", "postgresql://postgres:TopSecret@127.0.0.1:1/crm", "db", "status")
    assert "TopSecret" not in result.output


def test_a_database_file_that_is_not_sqlite_is_bad_input(tmp_path):
    path = tmp_path / "not-a-db.db"
    path.write_bytes(b"this is not a database at all" * 100)
    result = invoke("--db", f"sqlite:///{path}", "list", "companies")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.output.count("\n") == 1


def test_the_module_entry_point_runs_the_same_command(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "crmctl", "--db", f"sqlite:///{tmp_path / 'm.db'}", "config", "get", "max_leads_per_company"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "5"


def environment_without_database_drivers(tmp_path):
    """A real environment in which the PostgreSQL and MySQL drivers cannot be imported.

    A directory first on PYTHONPATH holds a module of each driver's name that
    raises ImportError, as an uninstalled driver does.
    """
    hidden = tmp_path / "no-drivers"
    hidden.mkdir()
    for module in ("psycopg2", "psycopg2cffi", "psycopg", "pymysql", "MySQLdb"):
        (hidden / f"{module}.py").write_text(f'raise ImportError("No module named {module!r}")\n')
    env = dict(os.environ, PYTHONPATH=str(hidden) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env["HOME"] = str(tmp_path / "home")
    env["XDG_CONFIG_HOME"] = str(tmp_path / "home" / ".config")
    return env


@pytest.mark.parametrize(
    "url, message",
    [
        ("postgresql://postgres:Pw1secret@127.0.0.1:5432/crm",
         "crmctl: error: postgresql:// needs the PostgreSQL driver: pip install 'crmctl[postgresql]'"),
        ("postgres://postgres@127.0.0.1:5432/crm",
         "crmctl: error: postgres:// needs the PostgreSQL driver: pip install 'crmctl[postgresql]'"),
        ("mysql://root:Pw1secret@127.0.0.1:3306/crm",
         "crmctl: error: mysql:// needs the MySQL driver: pip install 'crmctl[mysql]'"),
    ],
)
def test_a_url_whose_driver_is_not_installed_names_the_extra_to_install(tmp_path, url, message):
    crmctl = os.path.join(os.path.dirname(sys.executable), "crmctl")
    result = subprocess.run([crmctl, "--db", url, "list", "companies"], capture_output=True, text=True,
                            env=environment_without_database_drivers(tmp_path), timeout=60)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [message]
