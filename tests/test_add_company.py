"""`add company` (SPEC §5, §6.1): required fields, LinkedIn pages, countries, duplicates."""
import json

import pytest
from conftest import one_line

BOSS = "boss@example.com"
ANN = "ann@example.com"


def company_args(name="Acme Robotics Sp. z o.o.", website="https://www.acme-robotics.pl",
                 linkedin="https://pl.linkedin.com/company/acme-robotics", employees="120",
                 industry="Robotics", country="PL"):
    args = ["add", "company"]
    for option, value in (("--name", name), ("--website", website), ("--linkedin", linkedin),
                          ("--employees", employees), ("--industry", industry), ("--country", country)):
        if value is not None:
            args += [option, value]
    return args


def with_agents(crm):
    crm.json("agent", "add", BOSS, "--name", "Boss", "--role", "admin")
    crm.json("agent", "add", ANN, "--name", "Ann", "--role", "agent", "--country", "PL", acting=BOSS)


def test_a_company_is_added_with_every_required_field(crm):
    company = crm.json(*company_args(), "--subindustry", "Industrial robots", "--city", "Kraków")
    assert company["id"] == "C1"
    assert company["name"] == "Acme Robotics Sp. z o.o."
    assert company["website"] == "https://www.acme-robotics.pl"
    assert company["linkedin_url"] == "https://www.linkedin.com/company/acme-robotics/"
    assert company["employee_count"] == 120
    assert (company["industry"], company["subindustry"]) == ("Robotics", "Industrial robots")
    assert (company["country"], company["city"]) == ("PL", "Kraków")
    assert company["relationship"] == "prospect"
    shown = crm.json("show", "C1")
    assert shown["name"] == "Acme Robotics Sp. z o.o." and shown["leads"] == []
    assert [c["id"] for c in crm.json("list", "companies")] == ["C1"]


def test_the_country_may_be_given_by_name(crm):
    assert crm.json(*company_args(country="Poland"))["country"] == "PL"


@pytest.mark.parametrize("missing, field", [
    ("name", "name"), ("website", "website"), ("linkedin", "linkedin_url"),
    ("employees", "employee_count"), ("industry", "industry"), ("country", "country"),
])
def test_a_missing_required_field_is_bad_input_naming_the_field(crm, missing, field):
    result = crm(*company_args(**{missing: None}))
    assert result.exit_code == 2
    assert field in one_line(result)
    assert crm.json("list", "companies") == []


def test_a_blank_required_field_counts_as_missing(crm):
    result = crm(*company_args(industry="   "))
    assert result.exit_code == 2
    assert "industry (--industry) is required" in one_line(result)


def test_every_missing_required_field_is_named_at_once(crm):
    result = crm("add", "company", "--name", "Acme Robotics", "--country", "PL")
    assert result.exit_code == 2
    assert one_line(result).endswith(
        "website (--website), linkedin_url (--linkedin), employee_count (--employees), "
        "industry (--industry) are required to add a company")


def test_an_admin_can_make_a_field_optional(crm):
    assert crm("config", "set", "required_company_fields", '["name", "website", "linkedin_url", "industry"]').exit_code == 0
    company = crm.json(*company_args(employees=None))
    assert company["employee_count"] is None


@pytest.mark.parametrize("linkedin", [
    "https://www.linkedin.com/in/anna-nowak",
    "https://www.google.com/search?q=acme+linkedin",
    "linkedin.com/feed/",
    "Acme Robotics on LinkedIn",
])
def test_a_linkedin_link_that_is_not_a_company_page_is_bad_input(crm, linkedin):
    result = crm(*company_args(linkedin=linkedin))
    assert result.exit_code == 2
    assert "LinkedIn" in one_line(result)


@pytest.mark.parametrize("website", ["not a website", "ftp://acme.pl", "anna@acme.pl"])
def test_a_malformed_website_is_bad_input(crm, website):
    result = crm(*company_args(website=website))
    assert result.exit_code == 2
    assert "website" in one_line(result)


@pytest.mark.parametrize("employees", ["many", "12.5", "-3", "0"])
def test_the_employee_count_must_be_a_positive_whole_number(crm, employees):
    result = crm(*company_args(employees=employees))
    assert result.exit_code == 2
    assert "employee_count" in one_line(result)


def test_an_employee_count_with_thousands_separators_is_read(crm):
    assert crm.json(*company_args(employees="1,200"))["employee_count"] == 1200


def test_an_unknown_country_is_bad_input(crm):
    result = crm(*company_args(country="Atlantis"))
    assert result.exit_code == 2
    assert "country" in one_line(result)


def test_the_same_website_in_another_form_is_an_exact_duplicate(crm):
    crm.json(*company_args())
    result = crm(*company_args(name="Totally Different", website="http://acme-robotics.pl/about?x=1",
                               linkedin="https://www.linkedin.com/company/other-page"))
    assert result.exit_code == 3
    assert "C1" in one_line(result)
    assert len(crm.json("list", "companies")) == 1


def test_the_same_linkedin_page_is_an_exact_duplicate(crm):
    crm.json(*company_args())
    result = crm(*company_args(name="Another Name", website="https://another.pl",
                               linkedin="https://www.linkedin.com/company/acme-robotics/about/"))
    assert result.exit_code == 3
    assert "C1" in one_line(result)


def test_an_exact_duplicate_is_refused_even_with_force(crm):
    crm.json(*company_args())
    result = crm(*company_args(name="Another Name"), "--force")
    assert result.exit_code == 3
    assert "even with --force" in one_line(result)
    assert len(crm.json("list", "companies")) == 1


def test_a_refused_duplicate_prints_the_matches_as_json_on_stdout(crm):
    crm.json(*company_args())
    result = crm(*company_args(), "--format", "json")
    assert result.exit_code == 3
    duplicates = json.loads(result.stdout)["duplicates"]
    assert duplicates[0]["id"] == "C1"
    assert duplicates[0]["name"] == "Acme Robotics Sp. z o.o."
    assert duplicates[0]["score"] > 0 and duplicates[0]["reasons"]
    assert one_line(result).startswith("crmctl: error: duplicate company refused")


def test_the_same_name_in_the_same_country_is_a_likely_duplicate_refused_without_force(crm):
    crm.json(*company_args())
    result = crm(*company_args(name="ACME Robotics S.A.", website="https://acme-robotics.com",
                               linkedin="https://www.linkedin.com/company/acme-robotics-sa"))
    assert result.exit_code == 3
    assert "--force" in one_line(result) and "C1" in one_line(result)
    assert len(crm.json("list", "companies")) == 1


def test_a_forced_likely_duplicate_is_stored_and_history_records_who_forced_it(crm):
    with_agents(crm)
    crm.json(*company_args(), acting=ANN)
    forced = crm.json(*company_args(name="Acme Robotics", website="https://acme-robotics.com",
                                    linkedin="https://www.linkedin.com/company/acme-robotics-sa"), "--force",
                      acting=ANN)
    assert forced["id"] == "C2"
    history = crm.json("history", "C2")
    force_rows = [row for row in history if row["action"] == "force"]
    assert len(force_rows) == 1
    assert force_rows[0]["field"] == "duplicate_of"
    assert json.loads(force_rows[0]["new_value"]) == ["C1"]
    assert force_rows[0]["agent"] == ANN
    assert len(crm.json("list", "companies")) == 2


def test_an_agent_adds_companies_only_in_its_assigned_country(crm):
    with_agents(crm)
    result = crm(*company_args(country="AT"), acting=ANN)
    assert result.exit_code == 3
    assert "only in PL" in one_line(result)
    assert crm.json(*company_args(), acting=ANN)["created_by"] == ANN


def test_a_manager_adds_companies_in_any_country(crm):
    with_agents(crm)
    crm.json("agent", "add", "mia@example.com", "--name", "Mia", "--role", "manager", "--country", "PL",
             acting=BOSS)
    assert crm.json(*company_args(country="AT"), acting="mia@example.com")["country"] == "AT"


def test_without_an_acting_agent_once_agents_exist_adding_is_refused(crm):
    with_agents(crm)
    result = crm(*company_args())
    assert result.exit_code == 5
    one_line(result)


def test_the_table_format_prints_field_value_lines(crm):
    result = crm(*company_args(), "--format", "table")
    assert result.exit_code == 0
    assert "Acme Robotics Sp. z o.o." in result.stdout and "C1" in result.stdout


@pytest.mark.parametrize("name", ["A" * 256, "Acme\x00Robotics"])
def test_a_name_too_long_or_with_a_nul_character_is_bad_input(crm, name):
    result = crm(*company_args(name=name))
    assert result.exit_code == 2
    assert "name" in one_line(result)
