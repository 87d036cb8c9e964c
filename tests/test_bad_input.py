"""Bad input gets exit 2, one line, nothing written (issue 9, points 6, 7, 9, 10, 11, 12 and 13).

Every test runs the real CLI and asserts the exit code, a single line on
stderr and that nothing was written. Points that concern a backend run on
SQLite, PostgreSQL and MariaDB; the parsing of arguments runs on SQLite.
"""
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


# --------------------------------------------------------------------------
# Point 9: numbers, dates, text and files that used to end in an internal error
# --------------------------------------------------------------------------


def test_a_number_too_large_for_any_column_is_bad_input_wherever_a_number_is_read(crm, records):
    for command in (["show", f"C{HUGE}"], ["history", f"L{HUGE}"], ["edit", f"D{HUGE}", "--set", "name=X"],
                    ["list", "companies", "--where", f"id={HUGE}"],
                    ["list", "companies", "--where", f"id=C{HUGE}"],
                    ["list", "companies", "--where", f"employees>={HUGE}"],
                    ["list", "deals", "--where", f"amount>{HUGE}{HUGE}"],
                    ["list", "companies", "--limit", HUGE],
                    ["add", "lead", "--company", f"C{HUGE}", "--name", "Ola", "--position", "CEO"],
                    ["add", "deal", "--company", records["company"], "--pipeline", "sales", "--name", "Big",
                     "--amount", HUGE],
                    ["edit", records["deal"], "--set", f"amount={HUGE}"],
                    ["edit", records["company"], "--set", f"employees={HUGE}"]):
        refused(crm(*command))
    assert crm.json("show", records["deal"])["amount"] == "1000.00"
    assert [d["id"] for d in crm.json("list", "deals")] == [records["deal"]]


@pytest.mark.parametrize("moment", ["9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+05:00"])
def test_a_date_time_whose_offset_leaves_the_calendar_is_bad_input(crm, records, moment):
    lead = records["lead"]
    for command in (["add", "task", lead, "--kind", "call", "--due", moment],
                    ["add", "comm", lead, "--type", "Follow-up", "--channel", "Email", "--on", moment],
                    ["edit", records["task"], "--set", f"due={moment}"],
                    ["list", "companies", "--where", f"created>={moment}"],
                    ["list", "leads", "--where", f"follow_up_on<{moment}"]):
        assert "calendar" in refused(crm(*command)), command
    assert [t["id"] for t in crm.json("list", "tasks")] == [records["task"]]
    assert [c["id"] for c in crm.json("show", lead)["communications"]] == [records["comm"]]


def test_a_nul_character_is_bad_input_on_every_backend(crm, records, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("first line\x00second line", encoding="utf-8")
    for command in (["add", "company", "--name", "Nul Industries", "--website", "nul-industries.pl",
                     "--linkedin", "https://www.linkedin.com/company/nul%00industries", "--employees", "5",
                     "--industry", "Robotics", "--country", "PL"],
                    ["add", "lead", "--company", records["company"], "--name", "Ola Nul", "--position", "CEO",
                     "--linkedin", "https://www.linkedin.com/in/ola%00nul"],
                    ["edit", records["lead"], "--set", "linkedin=https://www.linkedin.com/in/anna%00"],
                    ["add", "comm", records["lead"], "--type", "Follow-up", "--channel", "Email",
                     "--notes-file", str(notes)]):
        assert "NUL" in refused(crm(*command)), command
    assert [c["id"] for c in crm.json("list", "companies")] == [records["company"]]
    assert [lead["id"] for lead in crm.json("list", "leads")] == [records["lead"]]


def test_a_value_longer_than_its_column_is_bad_input_naming_the_same_limit_on_every_backend(crm, records):
    assert "at most 120 characters" in refused(crm("edit", records["company"], "--set", "city=" + "K" * 121))
    assert "at most 200 characters" in refused(crm("edit", records["lead"], "--set", "position=" + "P" * 201))
    assert "at most 255 characters" in refused(crm("edit", records["deal"], "--set", "name=" + "D" * 256))
    assert "at most 200 characters" in refused(crm("edit", records["comm"], "--set", "placement=" + "A" * 201))
    assert "at most 200 characters" in refused(crm("agent", "add", BOSS, "--name", "B" * 201, "--role", "admin"))
    assert "at most 255 characters" in refused(crm("add", "company", "--name", "N" * 256, "--website", "n.pl",
                                                   "--linkedin", "https://www.linkedin.com/company/n",
                                                   "--employees", "5", "--industry", "Robotics", "--country", "PL"))
    assert crm.json("show", records["company"])["city"] is None
    assert crm.json("show", records["deal"])["name"] == "Pilot"
    assert crm.json("agent", "list") == []


def test_a_conversation_of_100_kb_is_stored_whole_on_every_backend(crm, records, tmp_path):
    text = ("Dzień dobry, rozmawialiśmy o wdrożeniu. " * 2700)[:100_000]
    notes = tmp_path / "conversation.txt"
    notes.write_text(text, encoding="utf-8")
    comm = crm.json("add", "comm", records["lead"], "--type", "Follow-up", "--channel", "Email",
                    "--notes-file", str(notes))
    assert crm.json("show", comm["id"])["notes"] == text.strip()
    edited = crm.json("edit", records["note"], "--set", "text=" + text)
    assert edited["text"] == text.strip()


def test_a_notes_file_over_one_megabyte_or_without_end_is_bad_input_and_not_read_whole(crm, records, tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("x" * (1024 * 1024 + 1), encoding="utf-8")
    for source in (str(big), "/dev/zero"):
        line = refused(crm("add", "comm", records["lead"], "--type", "Follow-up", "--channel", "Email",
                           "--notes-file", source))
        assert "1 MB" in line
    assert [c["id"] for c in crm.json("show", records["lead"])["communications"]] == [records["comm"]]


def test_an_argument_that_is_not_utf8_is_bad_input(tmp_path):
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    process = subprocess.run(CRMCTL + ["--db", url, "add", "note", "C1", "--text", b"caf\xe9"],
                             capture_output=True, timeout=60)
    assert process.returncode == 2, process.stderr
    lines = process.stderr.decode("utf-8", "replace").strip().splitlines()
    assert len(lines) == 1 and "UTF-8" in lines[0], lines
    assert not (tmp_path / "crm.db").exists() or sqlite3.connect(tmp_path / "crm.db").execute(
        "SELECT COUNT(*) FROM note").fetchone()[0] == 0


# --------------------------------------------------------------------------
# Point 10: edit goes through the validators of add, field by field
# --------------------------------------------------------------------------

BAD_EDITS = {
    "company": ["name=", "website=not a url", "website=", "linkedin=https://www.linkedin.com/in/anna",
                "employees=lots", "employees=0", "industry=", "country=Narnia", "relationship=friend",
                "owner=ghost@example.com"],
    "lead": ["name=", "position=", "position=   ", "linkedin=https://example.com/anna", "connections=-5",
             "connections=many", "status=Sleeping", "status=", "status=Follow Up", "email=anna-at-acme", "phone=12",
             "follow_up_on=someday", "company=C999", "company=L1"],
    "deal": ["name=", "amount=NaN", "amount=-5", "amount=Infinity", "amount=1e400", "amount=lots",
             "currency=ZZZZZZ", "currency=ZZZ", "expected_close=soon", "owner=ghost@example.com"],
    "task": ["kind=banana", "kind=", "due=", "due=tomorrowish", "done=maybe", "assignee=ghost@example.com"],
    "note": ["text=", "text=   "],
    "comm": ["follow_up_on=soon", "placement=" + "x" * 201],
}


@pytest.mark.parametrize("kind", sorted(BAD_EDITS))
def test_edit_refuses_what_add_refuses_field_by_field_and_writes_nothing(crm, records, kind):
    record_id = records[kind]
    before = crm.json("show", record_id)
    history_before = history_count(crm, record_id)
    for assignment in BAD_EDITS[kind]:
        result = crm("edit", record_id, "--set", assignment)
        assert result.exit_code in (2, 4), f"{assignment}: exit {result.exit_code}: {result.output}"
        one_line(result)
    assert crm.json("show", record_id) == before
    assert history_count(crm, record_id) == history_before


def test_edit_stores_what_add_would_store(crm, records):
    deal = crm.json("edit", records["deal"], "--set", "currency=pln", "--set", "amount=1,250.5")
    assert (deal["currency"], deal["amount"]) == ("PLN", "1250.50")
    task = crm.json("edit", records["task"], "--set", "kind=Meeting", "--set", "due=2026-03-02T10:00:00+01:00")
    assert (task["kind"], task["due_at"]) == ("meeting", "2026-03-02T09:00:00Z")
    note = crm.json("edit", records["note"], "--set", "text=  Met twice  ")
    assert note["text"] == "Met twice"


# --------------------------------------------------------------------------
# Point 11: every setting has a type and a range
# --------------------------------------------------------------------------

BAD_SETTINGS = [
    ("likely_duplicate_min_score", "150"), ("likely_duplicate_min_score", "-1"),
    ("likely_duplicate_min_score", "70"),  # under possible_duplicate_min_score (75)
    ("possible_duplicate_min_score", "90"),  # over likely_duplicate_min_score (85)
    ("possible_duplicate_min_score", "true"), ("min_linkedin_connections", "-5"),
    ("max_leads_per_company", "0"), ("max_leads_per_company", "five"), ("max_leads_per_company", "2.5"),
    ("daily_company_target", "-1"), ("review_interval_days", "0"), ("follow_up_cadence_days", "[1, 3, "),
    ("follow_up_cadence_days", '["a", "b"]'), ("follow_up_cadence_days", "[3, 1]"),
    ("follow_up_cadence_days", "[]"), ("ideal_industries", "[1, 2]"), ("ideal_employee_range", "[1000, 50]"),
    ("ideal_employee_range", "[50]"), ("required_company_fields", '["name", "shoe_size"]'),
    ("score_weights", '{"company_size": [5]}'), ("score_weights", '{"company_size": "big"}'),
    ("pipelines", '{"sales": []}'), ("pipelines", '{"sales": "Prospecting"}'), ("pipelines", "[1]"),
    ("pipelines", '{"sales": ["Won", "Won"]}'), ("response_time_new_lead_hours", "null"),
]


def test_a_setting_out_of_its_type_or_range_is_bad_input_and_stays_unchanged(crm):
    before = crm.json("config", "list")
    for key, value in BAD_SETTINGS:
        line = refused(crm("config", "set", key, "--", value))
        assert key in line, line
    assert crm.json("config", "list") == before
    assert history_count_of_settings(crm) == 0


def history_count_of_settings(crm):
    database = connect_database(crm.url)
    try:
        return database.execute_sql(f"SELECT COUNT(*) FROM history WHERE entity LIKE {database.param}",
                                    ["config:%"]).fetchone()[0]
    finally:
        database.close()


def test_a_setting_within_its_range_is_stored(crm):
    assert crm.json("config", "set", "likely_duplicate_min_score", "90") == 90
    assert crm.json("config", "set", "follow_up_cadence_days", "1,2,5") == [1, 2, 5]
    assert crm.json("config", "set", "pipelines", '{"sales": ["New", "Won"], "services": ["New", "Finished"]}') == \
        {"sales": ["New", "Won"], "services": ["New", "Finished"]}


# --------------------------------------------------------------------------
# Point 12: filters with an unknown operator, value or field
# --------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["name<>Acme", "name==Acme", "employees=<5", "employees>=<5", "name=~acme",
                                   "name!Acme", "employees=>5"])
def test_an_unknown_filter_operator_is_bad_input_naming_the_valid_ones(sqlite_crm, where):
    add_company(sqlite_crm)
    line = refused(sqlite_crm("list", "companies", "--where", where))
    assert "=, !=, <, <=, >, >=, ~, in" in line


@pytest.mark.parametrize("kind, where, valid", [
    ("leads", "status=Sleeping", "Sent Request"),
    ("leads", "status in Connected,Sleeping", "Sent Request"),
    ("leads", "status!=Sleeping", "Sent Request"),
    ("deals", "status=closed", "abandoned"),
    ("deals", "status in open,closed", "abandoned"),
    ("companies", "relationship=friend", "not relevant"),
    ("companies", "relationship in client,friend", "not relevant"),
    ("leads", "company_relationship=friend", "not relevant"),
    ("tasks", "kind=banana", "meeting"),
    ("tasks", "kind in call,banana", "meeting"),
])
def test_an_unknown_status_or_relationship_in_a_filter_is_bad_input_naming_the_valid_values(sqlite_crm, kind,
                                                                                           where, valid):
    line = refused(sqlite_crm("list", kind, "--where", where))
    assert valid in line


@pytest.mark.parametrize("kind, where, nearest", [
    ("companies", "nmae=Acme", "name"), ("companies", "employes>5", "employees"),
    ("leads", "postion=CTO", "position"), ("deals", "ammount>5", "amount"),
])
def test_an_unknown_filter_field_is_bad_input_naming_the_nearest_field(sqlite_crm, kind, where, nearest):
    line = refused(sqlite_crm("list", kind, "--where", where))
    assert f"did you mean {nearest!r}" in line


def test_an_unknown_sort_or_edit_field_names_the_nearest_field_too(sqlite_crm):
    assert "did you mean 'created'" in refused(sqlite_crm("list", "companies", "--sort", "-craeted"))
    company = add_company(sqlite_crm)
    assert "did you mean 'industry'" in refused(sqlite_crm("edit", company, "--set", "industy=Energy"))
    assert sqlite_crm.json("show", company)["industry"] == "Robotics"


# --------------------------------------------------------------------------
# Point 13: case and accents fold the same way on every backend
# --------------------------------------------------------------------------


@pytest.fixture
def accented(crm):
    ids = {name: add_company(crm, name, slug) for name, slug in (
        ("Łódź Électricité", "lodz-electricite"), ("Ørsted Polska", "orsted-polska"),
        ("Škoda Straße", "skoda-strasse"), ("Acme Robotics", "acme-robotics"))}
    crm.json("add", "lead", "--company", ids["Łódź Électricité"], "--name", "Józef Żółć", "--position", "Dyrektor",
             "--email", "jozef@lodz.pl")
    return ids


def names(rows, field="name"):
    return sorted(row[field] for row in rows)


@pytest.mark.parametrize("needle, expected", [
    ("łódź", ["Łódź Électricité"]), ("ŁÓDŹ", ["Łódź Électricité"]), ("lodz", ["Łódź Électricité"]),
    ("ÉLÉ", ["Łódź Électricité"]), ("electricite", ["Łódź Électricité"]), ("orsted", ["Ørsted Polska"]),
    ("ØR", ["Ørsted Polska"]), ("skoda", ["Škoda Straße"]), ("STRAßE", ["Škoda Straße"]),
    ("é", ["Acme Robotics", "Łódź Électricité", "Ørsted Polska", "Škoda Straße"]), ("o", ["Acme Robotics", "Łódź Électricité", "Ørsted Polska", "Škoda Straße"]),
])
def test_search_and_contains_fold_case_and_accents_the_same_way_on_every_backend(crm, accented, needle,
                                                                                expected):
    assert names(crm.json("list", "companies", "--search", needle)) == sorted(expected)
    assert names(crm.json("list", "companies", "--where", f"name~{needle}")) == sorted(expected)


def test_a_listing_of_leads_folds_person_and_company_names(crm, accented):
    for needle in ("zolc", "ŻÓŁĆ", "józef", "LODZ"):
        assert names(crm.json("list", "leads", "--search", needle), "full_name") == ["Józef Żółć"], needle
    assert names(crm.json("list", "leads", "--where", "full_name~ZOŁC"), "full_name") == ["Józef Żółć"]
    assert names(crm.json("list", "leads", "--where", "company_name~électricité"), "full_name") == ["Józef Żółć"]


def test_search_follows_a_rename_to_an_accented_name(crm, accented):
    crm.json("edit", accented["Acme Robotics"], "--set", "name=Ñandú Robótica")
    assert names(crm.json("list", "companies", "--search", "nandu rob")) == ["Ñandú Robótica"]
    assert crm.json("list", "companies", "--search", "acme") == []


def test_the_python_fold_and_the_migrations_fold_are_the_same_table():
    import importlib.util

    import crmctl.migrations
    from crmctl.storage import folding

    path = os.path.join(os.path.dirname(crmctl.migrations.__file__), "0008_folded_search.py")
    spec = importlib.util.spec_from_file_location("folded_search", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert (migration.FOLD_FROM, migration.FOLD_TO) == (folding.FOLD_FROM, folding.FOLD_TO)
