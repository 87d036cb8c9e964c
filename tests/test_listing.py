"""Listings, show, edit and history (SPEC §6): filters, formats, typed ids, recorded changes."""
import csv
import datetime
import io
import json
import os
import pty
import subprocess
import sys

import pytest

from crmctl.storage.connection import connect_database
from crmctl.storage.schema import migration_runner

from conftest import Crm, one_line


def add_company(crm, name, slug, country="PL", employees=120, industry="Robotics", acting=None):
    return crm.json(
        "add", "company", "--name", name, "--website", f"https://www.{slug}.com",
        "--linkedin", f"https://www.linkedin.com/company/{slug}/", "--employees", employees,
        "--industry", industry, "--country", country, acting=acting,
    )


def add_lead(crm, company_id, name, email, connections=250, acting=None):
    return crm.json(
        "add", "lead", "--company", company_id, "--name", name, "--position", "CTO",
        "--email", email, "--connections", connections, acting=acting,
    )


@pytest.fixture
def sample(crm):
    """Three companies in two countries, with leads."""
    acme = add_company(crm, "Acme Robotics", "acme-robotics", "PL", 120, "Robotics")
    nordic = add_company(crm, "Nordic Freight", "nordic-freight", "SE", 800, "Logistics")
    vistula = add_company(crm, "Vistula Software", "vistula-software", "PL", 40, "Software")
    add_lead(crm, acme["id"], "Anna Nowak", "anna@acme-robotics.com")
    add_lead(crm, nordic["id"], "Erik Berg", "erik@nordic-freight.com")
    add_lead(crm, vistula["id"], "Piotr Zielinski", "piotr@vistula-software.com")
    return {"acme": acme, "nordic": nordic, "vistula": vistula}


def names(rows, field="name"):
    return sorted(row[field] for row in rows)


def test_where_equality_filters_companies_by_country(crm, sample):
    assert names(crm.json("list", "companies", "--where", "country=PL")) == ["Acme Robotics", "Vistula Software"]


def test_contains_is_case_insensitive(crm, sample):
    assert names(crm.json("list", "companies", "--where", "name~ROBOT")) == ["Acme Robotics"]


def test_numeric_comparisons_and_anded_filters(crm, sample):
    rows = crm.json("list", "companies", "--where", "employee_count>=100", "--where", "country!=SE")
    assert names(rows) == ["Acme Robotics"]


def test_in_takes_a_comma_separated_list(crm, sample):
    assert names(crm.json("list", "companies", "--where", "industry in Logistics,Software")) == [
        "Nordic Freight", "Vistula Software"]


def test_dates_compare_as_iso_dates(crm, sample):
    today = datetime.datetime.now(datetime.timezone.utc).date()
    tomorrow = today + datetime.timedelta(days=1)
    assert len(crm.json("list", "companies", "--where", f"created>={today}")) == 3
    assert len(crm.json("list", "companies", "--where", f"created<={today}")) == 3
    assert crm.json("list", "companies", "--where", f"created>={tomorrow}") == []


def test_a_typed_or_bare_id_both_filter_a_listing(crm, sample):
    lead_id = crm.json("list", "leads")[0]["id"]
    by_typed = crm.json("list", "leads", "--where", f"id={lead_id}")
    by_bare = crm.json("list", "leads", "--where", f"id={lead_id[1:]}")
    assert [r["id"] for r in by_typed] == [r["id"] for r in by_bare] == [lead_id]


def test_a_listing_of_leads_filters_on_its_company_fields(crm, sample):
    rows = crm.json("list", "leads", "--where", "country=PL", "--where", "industry=Software")
    assert names(rows, "full_name") == ["Piotr Zielinski"]
    assert names(crm.json("list", "leads", "--where", "company~nordic"), "full_name") == ["Erik Berg"]


def test_new_leads_filter_on_the_sent_request_status(crm, sample):
    assert len(crm.json("list", "leads", "--where", "status=Sent Request")) == 3
    assert crm.json("list", "leads", "--where", "status=Connected") == []


def test_search_finds_company_name_person_name_and_email(crm, sample):
    assert names(crm.json("list", "leads", "--search", "erik@"), "full_name") == ["Erik Berg"]
    assert names(crm.json("list", "leads", "--search", "nowak"), "full_name") == ["Anna Nowak"]
    assert names(crm.json("list", "leads", "--search", "vistula"), "full_name") == ["Piotr Zielinski"]
    assert names(crm.json("list", "companies", "--search", "freight")) == ["Nordic Freight"]


def test_sort_and_limit(crm, sample):
    rows = crm.json("list", "companies", "--sort", "-employee_count", "--limit", "2")
    assert [r["name"] for r in rows] == ["Nordic Freight", "Acme Robotics"]


def test_csv_output_has_a_header_and_one_row_per_record(crm, sample):
    result = crm("list", "companies", "--where", "country=PL", "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert sorted(r["name"] for r in rows) == ["Acme Robotics", "Vistula Software"]
    assert rows[0]["id"].startswith("C")


def test_table_output_shows_the_records(crm, sample):
    result = crm("list", "companies", "--format", "table")
    assert result.exit_code == 0
    assert "Nordic Freight" in result.stdout and "country" in result.stdout


def test_lead_json_has_company_emails_contacts_and_owner(crm, sample):
    lead = crm.json("list", "leads", "--where", "full_name=Anna Nowak")[0]
    assert lead["company_id"] == sample["acme"]["id"]
    assert lead["company"] == "Acme Robotics"
    assert lead["emails"] == ["anna@acme-robotics.com"]
    assert {"source": "email", "value": "anna@acme-robotics.com"} in lead["contacts"]
    assert lead["owner"] is None
    assert lead["status"] == "Sent Request"


@pytest.mark.parametrize("where", ["bogus=1", "name", "employee_count>=many", "created>=yesterday"])
def test_a_bad_filter_is_bad_input(crm, sample, where):
    result = crm("list", "companies", "--where", where)
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("kind, where, holds", [
    ("companies", "created~2026", "a date and time"), ("companies", "id~1", "a record id"),
    ("companies", "employees~5", "a whole number"), ("leads", "score~1", "a whole number"),
    ("deals", "amount~5", "an amount"), ("tasks", "due~2026", "a date and time")])
def test_a_part_of_a_text_is_sought_only_in_text_fields(crm, sample, kind, where, holds):
    result = crm("list", kind, "--where", where)
    assert result.exit_code == 2, result.output  # PostgreSQL had no text to fold: an internal error
    field = where.split("~")[0]
    assert one_line(result).endswith(f"~ finds a part of a text, and {field} is {holds}: "
                                     f"compare it with =, !=, <, <=, >, >= or in")


def test_filter_values_are_parameters_never_sql(crm, sample):
    hostile = "name=x' OR '1'='1"
    assert crm.json("list", "companies", "--where", hostile) == []
    assert crm.json("list", "companies", "--where", "name~%") == []
    assert len(crm.json("list", "companies", "--where", "name~'; DROP TABLE company; --")) == 0
    assert len(crm.json("list", "companies")) == 3


def test_show_prints_a_company_with_its_leads(crm, sample):
    shown = crm.json("show", sample["acme"]["id"])
    assert shown["name"] == "Acme Robotics"
    assert [lead["full_name"] for lead in shown["leads"]] == ["Anna Nowak"]


def test_show_prints_a_lead_with_its_contact_details(crm, sample):
    lead_id = crm.json("list", "leads", "--where", "full_name=Erik Berg")[0]["id"]
    shown = crm.json("show", lead_id)
    assert shown["emails"] == ["erik@nordic-freight.com"]
    assert shown["communications"] == [] and shown["submissions"] == []


def test_show_of_a_missing_record_exits_4_and_a_bad_id_exits_2(crm, sample):
    missing = crm("show", "C999")
    assert missing.exit_code == 4
    assert missing.stderr.strip() == "crmctl: error: C999 not found"
    assert crm("show", "Q1").exit_code == 2
    assert crm("show", "12").exit_code == 2


def test_edit_changes_a_field_and_history_records_who_when_old_and_new(crm, sample):
    company_id = sample["nordic"]["id"]
    edited = crm.json("edit", company_id, "--set", "employee_count=950", "--set", "city=Gothenburg")
    assert edited["employee_count"] == 950 and edited["city"] == "Gothenburg"
    history = crm.json("history", company_id)
    changes = {row["field"]: row for row in history if row["action"] == "update"}
    assert changes["employee_count"]["old_value"] == "800"
    assert changes["employee_count"]["new_value"] == "950"
    assert changes["city"]["old_value"] is None
    assert history[0]["action"] == "create"
    assert all(row["at"].endswith("Z") for row in history)


def test_history_names_the_acting_agent(crm):
    crm.json("agent", "add", "boss@example.com", "--name", "Boss", "--role", "admin", "--country", "PL")
    company = add_company(crm, "Acme Robotics", "acme-robotics", acting="boss@example.com")
    crm.json("edit", company["id"], "--set", "industry=Automation", acting="boss@example.com")
    update = [row for row in crm.json("history", company["id"]) if row["field"] == "industry"][0]
    assert update["agent"] == "boss@example.com"
    assert (update["old_value"], update["new_value"]) == ("Robotics", "Automation")


def test_edit_of_an_unknown_field_is_bad_input(crm, sample):
    result = crm("edit", sample["acme"]["id"], "--set", "favourite_colour=blue")
    assert result.exit_code == 2


def test_identity_keys_compare_exactly_on_every_database(crm, sample):
    """MariaDB's default collation would call /in/josé and /in/jose the same person."""
    first = crm.json("add", "lead", "--company", sample["acme"]["id"], "--name", "José Díaz", "--position", "CEO",
                     "--linkedin", "https://www.linkedin.com/in/josé-díaz/")
    second = crm.json("add", "lead", "--company", sample["nordic"]["id"], "--name", "Jose Diaz", "--position", "CFO",
                      "--linkedin", "https://www.linkedin.com/in/jose-diaz/")
    assert first["id"] != second["id"]


def test_history_shows_a_new_owner_by_email(crm):
    crm.json("agent", "add", "boss@example.com", "--name", "Boss", "--role", "admin", "--country", "PL")
    crm.json("agent", "add", "ann@example.com", "--name", "Ann", "--role", "agent", "--country", "PL",
             acting="boss@example.com")
    company = add_company(crm, "Acme Robotics", "acme-robotics", acting="boss@example.com")
    lead = add_lead(crm, company["id"], "Anna Nowak", "anna@acme-robotics.com", acting="boss@example.com")
    crm.json("edit", lead["id"], "--set", "owner=ann@example.com", acting="boss@example.com")
    change = [row for row in crm.json("history", lead["id"]) if row["field"] == "owner"][-1]
    assert change["old_value"] == "boss@example.com"
    assert change["new_value"] == "ann@example.com"


# --------------------------------------------------------------------------
# Filters that compare the stored, normalised value (through its index)
# --------------------------------------------------------------------------


def test_a_country_filter_is_normalised_like_the_stored_code(crm, sample):
    for value in ("pl", "PL", " Pl ", "Poland", "POL"):
        assert names(crm.json("list", "companies", "--where", f"country={value}")) == [
            "Acme Robotics", "Vistula Software"], value
    assert names(crm.json("list", "companies", "--where", "country in se,DEU")) == ["Nordic Freight"]
    assert names(crm.json("list", "companies", "--where", "country!=poland")) == ["Nordic Freight"]
    assert crm.json("list", "companies", "--where", "country=NZ") == []


def test_an_unknown_country_in_a_filter_is_bad_input(crm, sample):
    result = crm("list", "companies", "--where", "country=Narnia")
    assert result.exit_code == 2
    assert one_line(result) == "crmctl: error: --where country: country 'Narnia' is not a known country"


def test_a_status_filter_takes_the_status_in_any_case_and_spacing(crm, sample):
    assert len(crm.json("list", "leads", "--where", "status=sent-request")) == 3
    result = crm("list", "leads", "--where", "status=Sent Requested")
    assert result.exit_code == 2 and "unknown status" in one_line(result)


def test_a_website_filter_compares_the_website_key(crm, sample):
    for value in ("acme-robotics.com", "https://acme-robotics.com/about", "WWW.ACME-ROBOTICS.COM"):
        assert names(crm.json("list", "companies", "--where", f"website={value}")) == ["Acme Robotics"], value
    assert names(crm.json("list", "companies", "--where", "website~NORDIC")) == ["Nordic Freight"]


def test_a_listing_of_leads_filters_on_every_company_field_with_clashing_names_prefixed(crm, sample):
    assert names(crm.json("list", "leads", "--where", "company_name=Nordic Freight"), "full_name") == ["Erik Berg"]
    assert names(crm.json("list", "leads", "--where", "company=nordic freight"), "full_name") == ["Erik Berg"]
    assert names(crm.json("list", "leads", "--where", "company_website=vistula-software.com"),
                 "full_name") == ["Piotr Zielinski"]
    assert names(crm.json("list", "leads", "--where", "company_country=se"), "full_name") == ["Erik Berg"]
    assert names(crm.json("list", "leads", "--where", "employees>=100", "--sort", "company"), "full_name") == [
        "Anna Nowak", "Erik Berg"]
    assert crm.json("list", "leads", "--where", "company_owner=none", "--where", "name~anna")[0][
        "full_name"] == "Anna Nowak"


# --------------------------------------------------------------------------
# Search: the substring index for 3 characters or more, LIKE below that
# --------------------------------------------------------------------------

FRAGMENTS = ["obot", "ROBOTICS", "acme r", "ic", "c", "e", "or", "nordic freight", "ware", "zzz", "%", "_", '"',
             'a"b', "10%", "so"]


@pytest.mark.parametrize("fragment", FRAGMENTS)
def test_search_finds_what_a_case_insensitive_substring_finds(crm, sample, fragment):
    expected = sorted(n for n in ("Acme Robotics", "Nordic Freight", "Vistula Software")
                      if fragment.lower() in n.lower())
    assert names(crm.json("list", "companies", "--search", fragment)) == expected
    assert names(crm.json("list", "companies", "--where", f"name~{fragment}")) == expected


def test_search_of_leads_finds_company_name_fragments_long_and_short(crm, sample):
    assert names(crm.json("list", "leads", "--search", "FREIG"), "full_name") == ["Erik Berg"]
    assert names(crm.json("list", "leads", "--search", "ic"), "full_name") == ["Anna Nowak", "Erik Berg"]
    assert names(crm.json("list", "leads", "--search", "piotr@vist"), "full_name") == ["Piotr Zielinski"]


def test_search_follows_a_rename(crm, sample):
    crm.json("edit", sample["acme"]["id"], "--set", "name=Bolt Machines")
    assert crm.json("list", "companies", "--search", "robotics") == []
    assert names(crm.json("list", "companies", "--search", "machine")) == ["Bolt Machines"]
    assert names(crm.json("list", "leads", "--search", "bolt m"), "full_name") == ["Anna Nowak"]


def test_search_follows_an_insert_a_delete_and_a_restore(crm, sample):
    twin = crm.json("add", "company", "--name", "Acme Robotic", "--website", "https://acme-robotic.com",
                    "--linkedin", "https://www.linkedin.com/company/acme-robotic/", "--employees", 120,
                    "--industry", "Robotics", "--country", "PL", "--force")
    assert names(crm.json("list", "companies", "--search", "acme robot")) == ["Acme Robotic", "Acme Robotics"]
    merge = crm.json("dedup", "merge", sample["acme"]["id"], twin["id"])  # deletes the dropped company
    assert names(crm.json("list", "companies", "--search", "acme robot")) == ["Acme Robotics"]
    crm.json("dedup", "unmerge", merge["id"])  # inserts it again under its own id
    rows = crm.json("list", "companies", "--search", "acme robot")
    assert [row["id"] for row in rows] == [sample["acme"]["id"], twin["id"]]


def test_search_pages_in_id_order_both_ways(crm, sample):
    ids = [row["id"] for row in crm.json("list", "companies", "--search", "o")]
    assert [row["id"] for row in crm.json("list", "companies", "--search", "ord", "--sort", "-id")] == [
        sample["nordic"]["id"]]
    long_ids = [row["id"] for row in crm.json("list", "companies", "--search", "o", "--sort", "-id")]
    assert long_ids == list(reversed(ids))
    trigram_ids = [row["id"] for row in crm.json("list", "companies", "--search", "ics", "--limit", "1")]
    assert trigram_ids == [sample["acme"]["id"]]


# --------------------------------------------------------------------------
# Sorting and archived rows
# --------------------------------------------------------------------------


def set_company_columns(url, **values):
    from crmctl.storage.models import Company

    database = connect_database(url)
    try:
        Company.update(**values).execute()
    finally:
        database.close()


def test_sort_by_created_breaks_ties_on_id_in_the_same_direction(crm, sample):
    set_company_columns(crm.url, created_at=datetime.datetime(2026, 1, 5, 10, 0, 0))
    ids = [sample[key]["id"] for key in ("acme", "nordic", "vistula")]
    assert [row["id"] for row in crm.json("list", "companies", "--sort", "-created")] == list(reversed(ids))
    assert [row["id"] for row in crm.json("list", "companies", "--sort", "created")] == ids
    assert [row["id"] for row in crm.json("list", "companies")] == ids


def test_archived_companies_are_hidden_unless_a_filter_asks_for_them(crm, sample):
    set_company_columns(crm.url, archived_at=datetime.datetime(2026, 2, 1, 9, 0, 0))
    assert crm.json("list", "companies") == []
    assert crm.json("list", "companies", "--where", "country=PL") == []
    assert len(crm.json("list", "companies", "--where", "archived!=none")) == 3
    assert names(crm.json("list", "companies", "--where", "archived_at>=2026-02-01", "--search", "nordic")) == [
        "Nordic Freight"]


# --------------------------------------------------------------------------
# The indexes serve the listings (SQLite and PostgreSQL; MariaDB is not measured)
# --------------------------------------------------------------------------


def query_plan(url, where=(), search=None, sort=None):
    from crmctl.query.listing import build_query, listing_for

    database = connect_database(url)
    try:
        sql, params = build_query(listing_for("companies"), where, search, sort, limit=50).sql()
        if url.startswith("sqlite"):
            return " | ".join(row[-1] for row in database.execute_sql("EXPLAIN QUERY PLAN " + sql, params))
        with database.atomic():  # SET LOCAL: only the index paths, so the plan shows which index can serve
            database.execute_sql("SET LOCAL enable_seqscan = off")
            if search:
                database.execute_sql("SET LOCAL enable_indexscan = off")
            return " | ".join(row[0] for row in database.execute_sql("EXPLAIN " + sql, params))
    finally:
        database.close()


@pytest.mark.parametrize("where, search, sort, index", [
    (["country=pl"], None, None, "company_country_id"),
    ([], None, "-created", "company_created_at_id"),
    (["country=pl"], None, "-created", "company_country_created_at_id"),
    ([], "robot", None, "company name substring index"),
])
def test_listings_go_through_an_index(crm, backend, sample, where, search, sort, index):
    if backend == "mysql":
        pytest.skip("listing speed is measured on SQLite and PostgreSQL only")
    plan = query_plan(crm.url, where, search, sort)
    if search:  # SQLite names the FTS5 table by its alias in the plan
        index = "VIRTUAL TABLE" if backend == "sqlite" else "company_name_trgm"
    assert index in plan
    assert "SCAN company |" not in plan + " |" and "Seq Scan" not in plan
    if not (search and backend == "postgresql"):  # a bitmap scan's rows are sorted
        assert "TEMP B-TREE" not in plan and "Sort " not in plan


# --------------------------------------------------------------------------
# Migration 0003 on a database that already holds companies
# --------------------------------------------------------------------------

COMPANY_AT_VERSION_2 = (
    "INSERT INTO company (name, name_key, website, website_key, linkedin_url, linkedin_key, "
    "employee_count, industry, country, relationship, active_agents, linkedin_accounts, created_at, updated_at) "
    "VALUES ('{name}', '{key}', 'https://{slug}.pl', '{slug}.pl', "
    "'https://www.linkedin.com/company/{slug}/', 'company/{slug}', 120, 'Robotics', 'PL', "
    "'prospect', '[]', '[]', '2026-01-0{day} 10:00:00', '2026-01-05 10:00:00')"
)


def listing_indexes(database, url):
    if url.startswith("sqlite"):
        return {row[0] for row in database.execute_sql("SELECT name FROM sqlite_master WHERE name LIKE 'company%' "
                                                       "OR name LIKE 'lead%'")}
    if url.startswith("postgresql"):
        return {row[0] for row in database.execute_sql("SELECT indexname FROM pg_indexes")}
    return {row[2] for table in ("company", "lead") for row in database.execute_sql(f"SHOW INDEX FROM `{table}`")}


def test_the_listing_migration_builds_its_indexes_on_a_database_with_companies(fresh_db_url):
    database = connect_database(fresh_db_url)
    migration_runner(database).up("0002_company_blocking_keys")
    for day, name in enumerate(("Acme Robotics", "Nordic Freight", "Vistula Software"), start=1):
        slug = name.lower().replace(" ", "-")
        database.execute_sql(COMPANY_AT_VERSION_2.format(name=name, key=name.lower(), slug=slug, day=day))
    assert "company_country_id" not in listing_indexes(database, fresh_db_url)
    database.close()
    crm = Crm(fresh_db_url)
    assert "0003_listing_indexes" in crm.json("db", "upgrade")["applied"]
    database = connect_database(fresh_db_url)
    indexes = listing_indexes(database, fresh_db_url)
    database.close()
    assert {"company_country_id", "company_country_created_at_id", "company_created_at_id",
            "lead_created_at_id"} <= indexes
    assert not {"company_country", "company_created_at", "lead_created_at"} & indexes
    if fresh_db_url.startswith("sqlite"):
        assert {"company_name_fts", "company_name_fts_insert", "company_name_fts_update",
                "company_name_fts_delete"} <= indexes
    if fresh_db_url.startswith("postgresql"):
        assert "company_name_trgm" in indexes
    assert names(crm.json("list", "companies", "--search", "OBOTIC")) == ["Acme Robotics"]
    assert names(crm.json("list", "companies", "--search", "ic")) == ["Acme Robotics", "Nordic Freight"]
    assert [row["name"] for row in crm.json("list", "companies", "--sort", "-created")] == [
        "Vistula Software", "Nordic Freight", "Acme Robotics"]


def test_the_listing_migration_goes_down_and_up_again(fresh_db_url):
    database = connect_database(fresh_db_url)
    runner = migration_runner(database)
    runner.up("0003_listing_indexes")
    runner.down("0003_listing_indexes")
    indexes = listing_indexes(database, fresh_db_url)
    assert {"company_country", "company_created_at", "lead_created_at"} <= indexes
    assert not {"company_country_id", "company_country_created_at_id", "company_name_fts",
                "company_name_trgm"} & indexes
    runner.up("0003_listing_indexes")
    assert "company_country_id" in listing_indexes(database, fresh_db_url)
    database.close()


# --------------------------------------------------------------------------
# Paging (SPEC §6): one page of a table on a real terminal, every row otherwise
# --------------------------------------------------------------------------

CRMCTL = [sys.executable, "-m", "crmctl"]


@pytest.fixture
def sixty_companies(tmp_path):
    """A SQLite database of 60 companies (written in one batch: paging is about output, not backends)."""
    from crmctl.storage.models import Company
    from crmctl.storage.schema import upgrade_schema

    url = f"sqlite:///{tmp_path / 'paging.db'}"
    database = connect_database(url)
    upgrade_schema(database)
    Company.insert_many([
        {"name": f"Company {number:02}", "name_key": f"company {number:02}", "country": "PL"}
        for number in range(1, 61)
    ]).execute()
    database.close()
    return url


def run_on_terminal(arguments):
    """Run the real crmctl with its stdout on a pseudo-terminal: (stdout, stderr, exit code)."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(CRMCTL + arguments, stdin=follower, stdout=follower, stderr=subprocess.PIPE)
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the process closed the terminal
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    stderr = process.stderr.read()
    process.wait(timeout=60)
    return output.decode().replace("\r\n", "\n"), stderr.decode(), process.returncode


def table_ids(text):
    return [line.split()[0] for line in text.splitlines() if line[:1] == "C" and line.split()[0][1:].isdigit()]


def test_a_table_on_a_terminal_shows_fifty_rows_and_says_how_many_more_match(sixty_companies):
    stdout, stderr, code = run_on_terminal(["--db", sixty_companies, "list", "companies"])
    assert code == 0
    assert table_ids(stdout) == [f"C{number}" for number in range(1, 51)]
    assert stderr.strip() == "10 more records match: --limit N shows the first N, --all every one"


def test_limit_and_all_choose_the_rows_of_a_table_on_a_terminal(sixty_companies):
    stdout, stderr, _ = run_on_terminal(["--db", sixty_companies, "list", "companies", "--limit", "5",
                                         "--where", "name~company"])
    assert table_ids(stdout) == ["C1", "C2", "C3", "C4", "C5"]
    assert stderr.strip().startswith("55 more records match")
    stdout, stderr, _ = run_on_terminal(["--db", sixty_companies, "list", "companies", "--all"])
    assert len(table_ids(stdout)) == 60 and stderr == ""
    stdout, stderr, _ = run_on_terminal(["--db", sixty_companies, "list", "companies", "--sort", "-created",
                                         "--search", "company 5"])
    assert table_ids(stdout) == [f"C{number}" for number in range(59, 49, -1)] and stderr == ""


def test_json_and_csv_on_a_terminal_print_every_row(sixty_companies):
    stdout, stderr, _ = run_on_terminal(["--db", sixty_companies, "list", "companies", "--format", "json"])
    assert len(json.loads(stdout)) == 60 and stderr == ""
    stdout, _, _ = run_on_terminal(["--db", sixty_companies, "list", "companies", "--format", "csv"])
    assert len(stdout.strip().splitlines()) == 61


def test_piped_output_prints_every_row_unless_limited(sixty_companies):
    piped = subprocess.run(CRMCTL + ["--db", sixty_companies, "list", "companies", "--format", "table"],
                           capture_output=True, text=True)
    assert len(table_ids(piped.stdout)) == 60 and piped.stderr == ""
    assert len(json.loads(subprocess.run(CRMCTL + ["--db", sixty_companies, "list", "companies"],
                                         capture_output=True, text=True).stdout)) == 60
    limited = Crm(sixty_companies).json("list", "companies", "--limit", "7")
    assert [row["id"] for row in limited] == [f"C{number}" for number in range(1, 8)]


def test_the_count_of_more_records_stops_at_a_cap(sixty_companies, monkeypatch):
    from crmctl.query import listing

    monkeypatch.setattr(listing, "MORE_COUNT_CAP", 5)
    database = connect_database(sixty_companies)
    try:
        page = listing.list_page("companies", limit=50, count_more=True)
        exact = listing.list_page("companies", limit=57, count_more=True)
    finally:
        database.close()
    assert (len(page.rows), page.more, page.more_is_capped) == (50, 5, True)
    assert (len(exact.rows), exact.more, exact.more_is_capped) == (57, 3, False)


def test_limit_and_all_together_are_a_usage_error(sixty_companies):
    result = Crm(sixty_companies)("list", "companies", "--limit", "5", "--all")
    assert result.exit_code == 2
    assert "give --limit or --all, not both" in result.stderr
