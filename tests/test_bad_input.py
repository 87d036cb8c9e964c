"""Bad input gets exit 2, one line, nothing written (issue 9, points 6, 7, 9, 10, 11, 12 and 13).

Every test runs the real CLI and asserts the exit code, a single line on
stderr and that nothing was written. Points that concern a backend run on
SQLite, PostgreSQL and MariaDB; the parsing of arguments runs on SQLite.
"""
import json
import os
import sqlite3
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from crmctl.cli import cli
from crmctl.storage.connection import connect_database

from conftest import Crm, one_line

BOSS = "boss@example.com"
HUGE = "99999999999999999999999"  # 23 digits: more than any column holds
CRMCTL = [sys.executable, "-m", "crmctl"]


def refused(result, code=2):
    """The one stderr line of a command that must have exited with `code`."""
    assert result.exit_code == code, f"exit {result.exit_code}: {result.output}"
    return one_line(result)


def add_company(crm, name="Acme Robotics", slug="acme-robotics", country="PL"):
    return crm.json("add", "company", "--name", name, "--website", f"https://www.{slug}.pl",
                    "--linkedin", f"https://www.linkedin.com/company/{slug}", "--employees", "120",
                    "--industry", "Robotics", "--country", country, "--force")["id"]


@pytest.fixture
def sqlite_crm(tmp_path):
    """A crmctl on a SQLite file: for what does not depend on the backend (parsing arguments)."""
    return Crm(f"sqlite:///{tmp_path / 'crm.db'}")


@pytest.fixture
def records(crm):
    """One record of every editable kind, with a lead, a deal, a task, a note and a communication."""
    company = add_company(crm)
    lead = crm.json("add", "lead", "--company", company, "--name", "Anna Nowak", "--position", "CTO",
                    "--email", "anna@acme-robotics.pl")["id"]
    deal = crm.json("add", "deal", "--company", company, "--pipeline", "sales", "--name", "Pilot",
                    "--amount", "1000", "--currency", "EUR")["id"]
    task = crm.json("add", "task", lead, "--kind", "call", "--due", "2026-03-02T10:00:00Z")["id"]
    note = crm.json("add", "note", lead, "--text", "Met at the fair")["id"]
    comm = crm.json("add", "comm", lead, "--type", "Follow-up", "--channel", "Email", "--notes", "Hello")["id"]
    return {"company": company, "lead": lead, "deal": deal, "task": task, "note": note, "comm": comm}


def history_count(crm, record_id):
    return len(crm.json("history", record_id))


# --------------------------------------------------------------------------
# Point 6 (and the foreign SQLite file of point 9): what --db names
# --------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["sqlite:///", "", "sqlite://", "  "])
def test_a_database_url_without_a_path_is_bad_input_and_says_how_to_write_one(url, isolated_home):
    result = CliRunner().invoke(cli, ["--db", url, "config", "set", "daily_company_target", "7"])
    line = refused(result)
    assert "sqlite:///relative.db" in line and "sqlite:////absolute/path.db" in line
    assert not os.path.exists(os.path.join(click.get_app_dir("crmctl"), "crm.db"))  # no default file behind it


def test_a_file_that_is_not_a_sqlite_database_is_refused_and_left_alone(tmp_path):
    text_file = tmp_path / "notes.txt"
    text_file.write_bytes(b"not a database, just some notes\n")
    line = refused(Crm(f"sqlite:///{text_file}")("list", "companies"))
    assert "not a SQLite database" in line
    assert text_file.read_bytes() == b"not a database, just some notes\n"


def test_another_programs_sqlite_database_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "invoices.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE invoice (id INTEGER PRIMARY KEY, total REAL)")
    connection.commit()
    connection.close()
    before = path.read_bytes()
    for command in (["list", "companies"], ["db", "upgrade"]):
        line = refused(Crm(f"sqlite:///{path}")(*command))
        assert "invoice" in line and "not a crmctl database" in line
    assert path.read_bytes() == before


def test_an_empty_file_is_a_new_database(tmp_path):
    path = tmp_path / "empty.db"
    path.write_bytes(b"")
    assert Crm(f"sqlite:///{path}").json("list", "companies") == []


# --------------------------------------------------------------------------
# Point 7: a database that a newer crmctl upgraded
# --------------------------------------------------------------------------


@pytest.mark.parametrize("row", ["0099_from_a_newer_crmctl", "keys-v99"])
def test_a_database_upgraded_by_a_newer_crmctl_is_refused_by_every_command_but_db_status(fresh_db_url, row):
    crm = Crm(fresh_db_url)
    add_company(crm)
    database = connect_database(fresh_db_url)
    database.execute_sql(f"INSERT INTO crmctl_schema_migration (name, applied) VALUES ('{row}', '2030-01-01')")
    database.close()
    for command in (["list", "companies"], ["show", "C1"], ["db", "upgrade"],
                    ["add", "company", "--name", "Nordic Freight", "--website", "nordicfreight.se", "--linkedin",
                     "https://www.linkedin.com/company/nordic-freight", "--employees", "8", "--industry", "Logistics",
                     "--country", "SE"]):
        assert "upgraded by a newer crmctl" in refused(crm(*command)), command
    status = crm.json("db", "status")
    assert status["up_to_date"] is False
    database = connect_database(fresh_db_url)
    assert database.execute_sql("SELECT COUNT(*) FROM company").fetchone()[0] == 1
    assert database.execute_sql(f"SELECT COUNT(*) FROM crmctl_schema_migration WHERE name = '{row}'"
                                ).fetchone()[0] == 1
    database.close()
