"""Listings, show, edit and history (SPEC §6): filters, formats, typed ids, recorded changes."""
import csv
import datetime
import io
import json

import pytest


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
