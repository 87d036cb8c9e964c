"""The versioned schema (SPEC §2): created on first use, upgraded with data intact."""
import subprocess
import sys

from crmctl.storage.connection import connect_database
from crmctl.storage.schema import migration_runner

from conftest import Crm

COMPANY_AT_VERSION_1 = (
    "INSERT INTO company (name, name_key, website, website_key, linkedin_url, linkedin_key, "
    "employee_count, industry, country, relationship, active_agents, linkedin_accounts, created_at, updated_at) "
    "VALUES ('Acme Robotics Sp. z o.o.', 'acme robotics', 'https://acme-robotics.pl', 'acme-robotics.pl', "
    "'https://www.linkedin.com/company/acme-robotics/', 'company/acme-robotics', 120, 'Robotics', 'PL', "
    "'prospect', '[]', '[]', '2026-01-05 10:00:00', '2026-01-05 10:00:00')"
)


def build_version_1_database(url):
    database = connect_database(url)
    migration_runner(database).up("0001_initial")
    database.execute_sql(COMPANY_AT_VERSION_1)
    database.close()


def test_a_database_without_crmctl_tables_is_created_on_first_use(fresh_db_url):
    crm = Crm(fresh_db_url)
    assert crm.json("list", "companies") == []
    status = crm.json("db", "status")
    assert status["up_to_date"] is True
    assert status["version"] == status["latest"] >= 2


def test_db_upgrade_is_idempotent(fresh_db_url):
    crm = Crm(fresh_db_url)
    first = crm.json("db", "upgrade")
    second = crm.json("db", "upgrade")
    assert first["applied"][0] == "0001_initial"
    assert second["applied"] == []
    assert second["version"] == first["version"]


def test_an_older_schema_stops_every_other_command_and_writes_nothing(fresh_db_url):
    build_version_1_database(fresh_db_url)
    crm = Crm(fresh_db_url)
    listing = crm("list", "companies")
    assert listing.exit_code == 2
    assert "crmctl db upgrade" in listing.stderr
    assert len(listing.stderr.strip().splitlines()) == 1
    refused = crm("config", "set", "daily_company_target", "10")
    assert refused.exit_code == 2
    database = connect_database(fresh_db_url)
    assert database.execute_sql("SELECT COUNT(*) FROM setting").fetchone()[0] == 0
    assert crm.json("db", "status")["version"] == 1


def test_upgrading_a_version_1_database_keeps_its_data(fresh_db_url):
    build_version_1_database(fresh_db_url)
    crm = Crm(fresh_db_url)
    upgraded = crm.json("db", "upgrade")
    assert upgraded["applied"][0] == "0002_company_blocking_keys"  # then every later migration
    companies = crm.json("list", "companies")
    assert [(c["id"], c["name"], c["website"], c["country"], c["employee_count"]) for c in companies] == [
        ("C1", "Acme Robotics Sp. z o.o.", "https://acme-robotics.pl", "PL", 120)
    ]
    assert companies[0]["created_at"] == "2026-01-05T10:00:00Z"
    database = connect_database(fresh_db_url)
    keys = database.execute_sql("SELECT COUNT(*) FROM company_blocking_key WHERE company_id = 1").fetchone()[0]
    assert keys > 0


def test_two_processes_starting_on_a_new_database_both_succeed(fresh_db_url):
    command = [sys.executable, "-m", "crmctl", "--db", fresh_db_url, "list", "companies", "--format", "json"]
    processes = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outcomes = [(p.wait(timeout=120), p.stderr.read()) for p in processes]
    assert [code for code, _ in outcomes] == [0, 0, 0], outcomes
    assert Crm(fresh_db_url).json("db", "status")["up_to_date"] is True
