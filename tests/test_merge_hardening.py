"""Issue 9, points 2, 3 and 5: ids never given twice, unmerge keeps later edits, a merge shows its plan first.

Through the real CLI on SQLite, PostgreSQL and MariaDB; the upgrade of an
existing SQLite database (migration 0006) on SQLite alone.
"""
import json
import os
import pty
import re
import subprocess
import sys

import pytest

from crmctl.storage.connection import connect_database
from crmctl.storage.schema import migration_runner

from conftest import Crm, one_line


def add_company(crm, name, slug, country="PL", **options):
    args = ["add", "company", "--name", name, "--website", f"https://www.{slug}.com",
            "--linkedin", f"https://www.linkedin.com/company/{slug}", "--employees", "50",
            "--industry", "Robotics", "--country", country, "--force"]
    for option, value in options.items():
        args += [f"--{option}", value]
    return crm.json(*args)["id"]


def add_lead(crm, company_id, name, *details):
    return crm.json("add", "lead", "--company", company_id, "--name", name, "--position", "CTO", *details)["id"]


def merged_pair(crm):
    """C1 survives; C2 (the newest company) brings a city, a subindustry, a lead and a note."""
    keep = add_company(crm, "Acme Robotics", "acme")
    drop = add_company(crm, "Acme Robotic", "acme-robotic", city="Kraków", subindustry="Welding robots")
    lead = add_lead(crm, drop, "Ewa Nowak", "--email", "ewa@acme.com")
    crm.json("add", "note", drop, "--text", "Met at the fair")
    return keep, drop, lead


# --- point 2: an id is never given twice ----------------------------------------------


def test_the_id_of_a_merged_away_newest_company_is_never_given_again(crm):
    keep, drop, _ = merged_pair(crm)
    assert drop == "C2"
    crm.json("dedup", "merge", keep, drop)
    assert add_company(crm, "Zeta Systems", "zeta") == "C3"
    refused = crm("show", drop)
    assert refused.exit_code == 4
    assert one_line(refused) == "crmctl: error: C2 was merged into C1 by X1"
    crm.json("dedup", "unmerge", "X1")  # the old merge can still be undone: C2 is its own again
    assert crm.json("show", drop)["name"] == "Acme Robotic"


def test_the_id_of_a_merged_away_newest_lead_is_never_given_again(crm):
    acme = add_company(crm, "Acme", "acme")
    keep = add_lead(crm, acme, "Jan Nowak", "--email", "jan@acme.com")
    drop = add_lead(crm, acme, "Jan Nowak", "--email", "jan.nowak@gmail.com")
    crm.json("dedup", "merge", keep, drop)
    assert add_lead(crm, acme, "Ewa Nowak", "--email", "ewa@acme.com") == "L3"
    assert crm("show", drop).exit_code == 4


def build_version_5_database(url):
    """A SQLite database as crmctl 0005 left it: C1..C3 created, C3 merged away, so C3 is no row any more."""
    database = connect_database(url)
    migration_runner(database).up("0005_company_aliases")
    for number, name in ((1, "Acme Robotics"), (2, "Nordic Freight"), (3, "Acme Robotic")):
        database.execute_sql(
            "INSERT INTO company (id, name, name_key, website, website_key, linkedin_url, linkedin_key, "
            "employee_count, industry, country, relationship, active_agents, linkedin_accounts, created_at, "
            f"updated_at) VALUES ({number}, '{name}', '{name.lower()}', 'https://c{number}.pl', 'c{number}.pl', "
            f"'https://www.linkedin.com/company/c{number}/', 'company/c{number}', 10, 'Robotics', 'PL', 'prospect', "
            "'[]', '[]', '2026-01-05 10:00:00', '2026-01-05 10:00:00')")
        database.execute_sql("INSERT INTO history (at, entity, action) VALUES ('2026-01-05 10:00:00', ?, 'create')",
                             [f"C{number}"])
    database.execute_sql("INSERT INTO lead (company_id, full_name, status, score, created_at, updated_at) "
                         "VALUES (1, 'Jan Nowak', 'Sent Request', 0, '2026-01-05 10:00:00', '2026-01-05 10:00:00')")
    database.execute_sql("INSERT INTO contact (lead_id, source, value, match_key) "
                         "VALUES (1, 'email', 'jan@c1.pl', 'jan@c1.pl')")
    database.execute_sql("INSERT INTO company_alias (company_id, name, name_key, created_at) "
                         "VALUES (1, 'ACR', 'acr', '2026-01-05 10:00:00')")
    database.execute_sql("INSERT INTO history (at, entity, action, new_value) "
                         "VALUES ('2026-01-06 10:00:00', 'C3', 'merge', 'C1')")
    database.execute_sql("DELETE FROM company WHERE id = 3")
    schema = schema_objects(database)
    database.close()
    return schema


def schema_objects(database):
    """Every index and trigger by (type, name, table), and every foreign key of every table."""
    objects = set(database.execute_sql(
        "SELECT type, name, tbl_name FROM sqlite_master WHERE type IN ('index', 'trigger')").fetchall())
    tables = [row[0] for row in database.execute_sql("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        for key in database.execute_sql(f'PRAGMA foreign_key_list("{table}")').fetchall():
            objects.add(("foreign key", table, key[2], key[3], key[4], key[6]))  # table, from, to, on delete
    return objects


@pytest.mark.parametrize("backend", ["sqlite"])
def test_upgrading_an_existing_sqlite_database_makes_every_typed_id_permanent(fresh_db_url):
    before = build_version_5_database(fresh_db_url)
    crm = Crm(fresh_db_url)
    assert "0006_sqlite_autoincrement" in crm.json("db", "upgrade")["applied"]
    database = connect_database(fresh_db_url)
    for table in ("company", "lead", "contact", "import_batch", "submission", "communication", "deal", "note",
                  "task", "engagement_event", "merge"):
        sql = database.execute_sql("SELECT sql FROM sqlite_master WHERE name = ?", [table]).fetchone()[0]
        assert "AUTOINCREMENT" in sql, sql
    after = schema_objects(database)
    assert database.execute_sql("PRAGMA foreign_key_check").fetchall() == []
    database.close()
    assert before <= after  # every index, trigger and foreign key is there again
    assert add_company(crm, "Zeta Systems", "zeta") == "C4"  # C3 was merged away before the upgrade
    assert [c["id"] for c in crm.json("list", "companies", "--search", "robot")] == ["C1"]  # the FTS5 name search
    assert [c["id"] for c in crm.json("list", "companies", "--search", "zeta sys")] == ["C4"]
    shown = crm.json("show", "C1")
    assert [lead["emails"] for lead in shown["leads"]] == [["jan@c1.pl"]]
    assert [alias["name"] for alias in shown["aliases"]] == ["ACR"]
    assert crm.json("db", "status")["up_to_date"] is True


def test_the_autoincrement_migration_imports_nothing_from_crmctl():
    import pathlib

    import crmctl.migrations

    source = (pathlib.Path(crmctl.migrations.__file__).parent / "0006_sqlite_autoincrement.py").read_text()
    imports = [line for line in source.splitlines() if line.lstrip().startswith(("import ", "from "))]
    assert imports and not any("crmctl" in line for line in imports)


# --- point 3: unmerge keeps what changed since the merge --------------------------------


def test_unmerge_keeps_a_field_edited_since_the_merge_and_says_so(crm):
    keep, drop, _ = merged_pair(crm)
    crm.json("dedup", "merge", keep, drop)
    crm.json("edit", keep, "--set", "city=Gdańsk")
    result = crm("dedup", "unmerge", "X1", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["kept"] == ["city"]
    assert one_line(result) == "undid X1: C2 restored; kept as changed since the merge: city"
    survivor = crm.json("show", keep)
    assert survivor["city"] == "Gdańsk"  # the later edit stays
    assert survivor["subindustry"] is None  # what the merge filled and nobody touched goes back
    assert crm.json("show", drop)["city"] == "Kraków"


def test_unmerge_without_later_edits_keeps_nothing(crm):
    keep, drop, lead = merged_pair(crm)
    crm.json("dedup", "merge", keep, drop)
    undone = crm.json("dedup", "unmerge", "X1")
    assert undone["kept"] == []
    assert crm.json("show", keep)["city"] is None
    assert [lead_shown["id"] for lead_shown in crm.json("show", drop)["leads"]] == [lead]


def test_the_unmerge_table_lists_the_kept_fields(crm):
    keep, drop, _ = merged_pair(crm)
    crm.json("dedup", "merge", keep, drop)
    crm.json("edit", keep, "--set", "subindustry=Cobots", "--set", "city=Gdańsk")
    table = crm("dedup", "unmerge", "X1", "--format", "table")
    assert table.exit_code == 0, table.output
    assert [line.split(None, 1) for line in table.stdout.splitlines() if line.startswith("kept")] == [
        ["kept", "subindustry, city"]]


def test_a_record_moved_on_since_the_merge_stays_where_it_is(crm):
    keep, drop, lead = merged_pair(crm)
    third = add_company(crm, "Zeta Systems", "zeta")
    crm.json("dedup", "merge", keep, drop)
    crm.json("edit", lead, "--set", f"company={third}")
    undone = crm.json("dedup", "unmerge", "X1")
    assert undone["kept"] == [f"{lead} company"]
    assert crm.json("show", lead)["company_id"] == third
    assert [note["text"] for note in crm.json("show", drop)["notes"]] == ["Met at the fair"]


def test_an_alias_removed_since_the_merge_stays_removed(crm):
    keep, drop, _ = merged_pair(crm)
    crm.json("alias", "add", drop, "ACR")
    crm.json("dedup", "merge", keep, drop)
    assert sorted(a["name"] for a in crm.json("alias", "list", keep)) == ["ACR", "Acme Robotic"]
    crm.json("alias", "remove", keep, "ACR")
    undone = crm.json("dedup", "unmerge", "X1")
    assert undone["kept"] == ["alias 'ACR'"]
    assert crm.json("alias", "list", drop) == []
    assert crm.json("alias", "list", keep) == []  # the alias the merge made of C2's name went back too


# --- point 5: a merge shows its plan first ------------------------------------------------


def test_merge_dry_run_prints_what_would_move_and_be_filled_and_writes_nothing(crm):
    keep, drop, lead = merged_pair(crm)
    plan = crm.json("dedup", "merge", keep, drop, "--dry-run")
    assert plan == {
        "dry_run": True, "kind": "company", "survivor": keep, "dropped": [drop],
        "moves": {"lead": {"count": 1, "ids": [lead]}, "note": {"count": 1, "ids": ["N1"]}},
        "fills": {"city": "Kraków", "subindustry": "Welding robots"},
        "aliases": ["Acme Robotic"],
    }
    assert crm.json("show", drop)["leads"][0]["id"] == lead
    assert crm.json("show", keep)["city"] is None
    assert crm("show", "X1").exit_code == 4
    assert crm.json("dedup", "merge", keep, drop)["id"] == "X1"  # the plan was only a plan


def test_merge_dry_run_as_a_table_has_a_line_per_kind_that_moves_and_per_filled_field(crm):
    keep, drop, lead = merged_pair(crm)
    table = crm("dedup", "merge", keep, drop, "--dry-run", "--format", "table")
    assert table.exit_code == 0, table.output
    lines = dict(re.split(r"\s{2,}", line.strip(), maxsplit=1) for line in table.stdout.splitlines())
    assert lines["moves lead"] == f"1: {lead}" and lines["moves note"] == "1: N1"
    assert lines["fills city"] == "Kraków" and lines["fills subindustry"] == "Welding robots"
    assert lines["aliases added"] == "Acme Robotic"


def test_a_lead_merge_dry_run_names_the_contact_details_that_move_and_those_dropped(crm):
    acme = add_company(crm, "Acme", "acme")
    keep = add_lead(crm, acme, "Jan Nowak", "--email", "jan@acme.com", "--contact", "facebook=jan.nowak")
    drop = add_lead(crm, acme, "Jan Nowak", "--email", "jan.nowak@gmail.com", "--contact", "facebook=jan.nowak")
    plan = crm.json("dedup", "merge", keep, drop, "--dry-run")
    assert plan["contacts"] == {"moved": ["email jan.nowak@gmail.com"], "dropped": ["facebook jan.nowak"]}
    assert crm.json("show", drop)["emails"] == ["jan.nowak@gmail.com"]


def test_a_dry_run_of_a_record_merged_away_already_is_refused(crm):
    keep, drop, _ = merged_pair(crm)
    crm.json("dedup", "merge", keep, drop)
    refused = crm("dedup", "merge", keep, drop, "--dry-run")
    assert refused.exit_code == 3
    assert one_line(refused) == "crmctl: error: C2 was already merged into C1 by X1"


def test_a_script_is_never_asked_to_confirm(crm):
    keep, drop, _ = merged_pair(crm)
    result = crm("dedup", "merge", keep, drop, "--format", "json", input="n\n")
    assert result.exit_code == 0, result.output
    assert "?" not in result.stderr
    assert json.loads(result.stdout)["id"] == "X1"


def merge_on_a_terminal(url, *args, answer):
    """`crmctl dedup merge` with a terminal on stdin, as a person runs it; (exit code, stdout, stderr)."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "crmctl", "--db", url, "dedup", "merge", *args,
                                "--format", "json"], stdin=terminal, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    os.close(terminal)
    os.write(controller, answer.encode())
    stdout, stderr = process.communicate(timeout=60)
    os.close(controller)
    return process.returncode, stdout, stderr


def test_on_a_terminal_a_merge_shows_its_plan_and_a_no_merges_nothing(crm):
    keep, drop, lead = merged_pair(crm)
    code, stdout, stderr = merge_on_a_terminal(crm.url, keep, drop, answer="n\n")
    assert code == 0 and stdout == ""
    assert f"moves lead: 1: {lead}" in stderr and "fills city: Kraków" in stderr
    assert f"Merge {drop} into {keep}? [y/N]" in stderr
    assert stderr.strip().endswith("nothing merged")
    assert crm.json("show", drop)["name"] == "Acme Robotic"


def test_on_a_terminal_a_yes_merges(crm):
    keep, drop, _ = merged_pair(crm)
    code, stdout, stderr = merge_on_a_terminal(crm.url, keep, drop, answer="y\n")
    assert code == 0, stderr
    assert json.loads(stdout)["survivor"] == keep
    assert crm("show", drop).exit_code == 4


def test_on_a_terminal_yes_merges_without_asking(crm):
    keep, drop, _ = merged_pair(crm)
    code, stdout, stderr = merge_on_a_terminal(crm.url, keep, drop, "--yes", answer="")
    assert code == 0, stderr
    assert "?" not in stderr
    assert json.loads(stdout)["dropped"] == [drop]
