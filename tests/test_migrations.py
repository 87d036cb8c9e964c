"""The versioned schema (SPEC §2): created on first use, upgraded with data intact."""
import subprocess
import sys

from crmctl.dedup.keys import stored_keys
from crmctl.storage.connection import connect_database
from crmctl.storage.schema import KEYS_VERSION, migration_runner

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
    assert upgraded["applied"][0] == "0002_company_blocking_keys"
    assert "0004_compact_blocking_keys" in upgraded["applied"]
    companies = crm.json("list", "companies")
    assert [(c["id"], c["name"], c["website"], c["country"], c["employee_count"]) for c in companies] == [
        ("C1", "Acme Robotics Sp. z o.o.", "https://acme-robotics.pl", "PL", 120)
    ]
    assert companies[0]["created_at"] == "2026-01-05T10:00:00Z"
    database = connect_database(fresh_db_url)
    keys = database.execute_sql("SELECT COUNT(*) FROM company_blocking_key WHERE company_id = 1").fetchone()[0]
    assert keys > 0


# Rows as version 2 stored them: compact forms and their one-letter deletions.
BLOCKING_KEYS_AT_VERSION_2 = ("d:acmerobotics", "d:cmerobotics", "d:acmerobotic", "o:acmerobotics")


def build_version_2_database(url):
    database = connect_database(url)
    migration_runner(database).up("0002_company_blocking_keys")
    database.execute_sql(COMPANY_AT_VERSION_1)
    for key in BLOCKING_KEYS_AT_VERSION_2:
        database.execute_sql(f"INSERT INTO company_blocking_key (company_id, {quoted(database, 'key')}) "
                             f"VALUES (1, '{key}')")
    database.close()


def quoted(database, identifier):
    opening, closing = database.quote
    return f"{opening}{identifier}{closing}"


def test_upgrading_a_version_2_database_rebuilds_its_blocking_keys_and_finds_a_typo(fresh_db_url):
    build_version_2_database(fresh_db_url)
    crm = Crm(fresh_db_url)
    crm.json("db", "upgrade")
    database = connect_database(fresh_db_url)
    stored = {row[0] for row in database.execute_sql(
        f"SELECT {quoted(database, 'key')} FROM company_blocking_key WHERE company_id = 1")}
    database.close()
    assert stored == set(stored_keys("acme robotics"))
    found = crm.json("dedup", "check", "--name", "Acme Robotcs", "--country", "PL")
    assert [c["id"] for c in found] == ["C1"]
    crm.json("add", "company", "--name", "Acme Robtics GmbH", "--website", "https://acme-robtics.de",
             "--linkedin", "https://www.linkedin.com/company/acme-robtics", "--employees", "10",
             "--industry", "Robotics", "--country", "PL", "--force")
    assert [c["id"] for c in crm.json("dedup", "check", "--name", "Acme Robotics", "--country", "PL")] == ["C1", "C2"]


TASKS_AT_VERSION_11 = (
    "INSERT INTO lead (company_id, full_name, status, score, created_at, updated_at) "
    "VALUES (1, 'Anna Nowak', 'Sent Request', 0, '2026-01-05 10:00:00', '2026-01-05 10:00:00')",
    "INSERT INTO deal (name, company_id, pipeline, stage, status, created_at) "
    "VALUES ('Robot arms', 1, 'sales', 'Prospecting', 'open', '2026-01-05 10:00:00')",
    "INSERT INTO task (company_id, kind, due_at, text, created_at) "
    "VALUES (1, 'task', '2026-02-01 09:00:00', 'Call the front desk', '2026-01-05 10:00:00')",
    "INSERT INTO task (lead_id, kind, due_at, text, created_at) "
    "VALUES (1, 'task', '2026-02-02 09:00:00', 'Send Anna the offer', '2026-01-05 10:00:00')",
    "INSERT INTO task (deal_id, kind, due_at, text, created_at) "
    "VALUES (1, 'task', '2026-02-03 09:00:00', 'Price the arms', '2026-01-05 10:00:00')",
)


def test_upgrading_a_version_11_database_keeps_each_task_on_its_company_lead_and_deal(fresh_db_url, backend):
    database = connect_database(fresh_db_url)
    migration_runner(database).up("0011_sparse_history_indexes")
    for statement in (COMPANY_AT_VERSION_1,) + TASKS_AT_VERSION_11:
        database.execute_sql(statement)
    database.close()
    crm = Crm(fresh_db_url)
    assert crm.json("db", "upgrade")["applied"] == ["0012_sparse_task_indexes"]
    assert [t["text"] for t in crm.json("show", "C1")["tasks"]] == ["Call the front desk", "Send Anna the offer"]
    assert [t["text"] for t in crm.json("show", "L1")["tasks"]] == ["Send Anna the offer"]
    assert [t["text"] for t in crm.json("show", "D1")["tasks"]] == ["Price the arms"]
    if backend == "sqlite":  # the company, lead, deal and creator indexes hold only the tasks that have one
        database = connect_database(fresh_db_url)
        definitions = dict(database.execute_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'task'").fetchall())
        database.close()
        for column in ("company_id", "lead_id", "deal_id", "created_by_id"):
            assert definitions[f"task_{column}"].endswith(f'WHERE "{column}" IS NOT NULL'), definitions


def test_the_blocking_key_migrations_import_nothing_from_crmctl():
    import pathlib

    import crmctl.migrations

    folder = pathlib.Path(crmctl.migrations.__file__).parent
    for name in ("0002_company_blocking_keys.py", "0004_compact_blocking_keys.py"):
        source = (folder / name).read_text()
        assert "crmctl" not in "".join(line for line in source.splitlines(True)
                                         if line.lstrip().startswith(("import ", "from ")))


def test_keys_an_older_crmctl_made_stop_every_command_until_db_upgrade_recomputes_them(fresh_db_url):
    crm = Crm(fresh_db_url)
    crm.json("add", "company", "--name", "Aktiebolaget Nordic Cargo Systems", "--website", "nordcargo.se",
             "--linkedin", "https://www.linkedin.com/company/nordcargo", "--employees", "80",
             "--industry", "Logistics", "--country", "SE")
    database = connect_database(fresh_db_url)  # as version 4's rules left it: the "Aktiebolaget" kept
    database.execute_sql("UPDATE company SET name_key = 'aktiebolaget nordic cargo systems'")
    database.execute_sql("DELETE FROM company_blocking_key")
    database.execute_sql(f"UPDATE crmctl_schema_migration SET name = 'keys-v4' WHERE name = 'keys-v{KEYS_VERSION}'")
    database.close()
    refused = crm("list", "companies")
    assert refused.exit_code == 2
    assert refused.stderr.strip() == ("crmctl: error: the stored name keys were made by an older crmctl's duplicate "
                                      "rules: run `crmctl db upgrade` to recompute them")
    upgraded = crm.json("db", "upgrade")
    assert upgraded["keys_recomputed"] is True and upgraded["keys_current"] is True
    database = connect_database(fresh_db_url)
    assert database.execute_sql("SELECT name_key FROM company").fetchone()[0] == "nordic cargo sys"
    database.close()
    found = crm.json("dedup", "check", "--name", "Nordic Cargo Systems AB", "--country", "SE")
    assert [(c["id"], c["band"]) for c in found] == [("C1", "likely")]
    assert crm.json("db", "upgrade")["keys_recomputed"] is False


def test_two_processes_starting_on_a_new_database_both_succeed(fresh_db_url):
    command = [sys.executable, "-m", "crmctl", "--db", fresh_db_url, "list", "companies", "--format", "json"]
    processes = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outcomes = [(p.wait(timeout=120), p.stderr.read()) for p in processes]
    assert [code for code, _ in outcomes] == [0, 0, 0], outcomes
    assert Crm(fresh_db_url).json("db", "status")["up_to_date"] is True


def test_the_migrated_schema_has_every_column_and_table_the_models_use(fresh_db_url):
    """A database built by the migrations alone holds every column the models read and write."""
    from crmctl.storage.models import ALL_MODELS

    crm = Crm(fresh_db_url)
    crm("db", "upgrade")
    database = connect_database(fresh_db_url)
    missing = []
    for model in ALL_MODELS:
        table = model._meta.table_name
        columns = {column.name for column in database.get_columns(table)}
        missing += [f"{table}.{field.column_name}" for field in model._meta.sorted_fields
                    if field.column_name not in columns]
    database.close()
    assert missing == []
