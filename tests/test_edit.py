"""`edit C12|L34 --set field=value`: the rules of `add` re-run on what changed."""
import json

import pytest

BOSS = "boss@example.com"
ANN = "ann@example.com"
OLA = "ola@example.com"


def add_company(crm, name, slug, country="PL", acting=None):
    return crm.json(
        "add", "company", "--name", name, "--website", f"https://www.{slug}.pl",
        "--linkedin", f"https://www.linkedin.com/company/{slug}", "--employees", "120",
        "--industry", "Robotics", "--country", country, acting=acting,
    )["id"]


def add_lead(crm, company_id, name, email, acting=None):
    return crm.json("add", "lead", "--company", company_id, "--name", name, "--position", "CTO",
                    "--email", email, acting=acting)["id"]


def one_line(result):
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


@pytest.fixture
def two_companies(crm):
    return add_company(crm, "Acme Robotics", "acme-robotics"), add_company(crm, "Vistula Software", "vistula")


def test_editing_a_company_website_to_another_company_website_is_refused(crm, two_companies):
    acme, vistula = two_companies
    result = crm("edit", vistula, "--set", "website=http://acme-robotics.pl/", "--force")
    assert result.exit_code == 3
    assert acme in one_line(result)
    assert crm.json("show", vistula)["website"] == "https://www.vistula.pl"


def test_renaming_a_company_to_another_name_in_its_country_needs_force(crm, two_companies):
    acme, vistula = two_companies
    refused = crm("edit", vistula, "--set", "name=ACME Robotics Sp. z o.o.")
    assert refused.exit_code == 3
    assert "--force" in one_line(refused)
    renamed = crm.json("edit", vistula, "--set", "name=ACME Robotics Sp. z o.o.", "--force")
    assert renamed["name"] == "ACME Robotics Sp. z o.o."
    forced = [row for row in crm.json("history", vistula) if row["action"] == "force"]
    assert json.loads(forced[0]["new_value"]) == [acme]


def test_a_company_is_never_its_own_duplicate(crm, two_companies):
    acme, _ = two_companies
    edited = crm.json("edit", acme, "--set", "name=Acme Robotics S.A.", "--set", "website=acme-robotics.pl")
    assert edited["name"] == "Acme Robotics S.A."


def test_a_required_company_field_cannot_be_cleared(crm, two_companies):
    acme, _ = two_companies
    result = crm("edit", acme, "--set", "industry=")
    assert result.exit_code == 2
    assert "industry" in one_line(result)


def test_an_optional_company_field_can_be_cleared(crm, two_companies):
    acme, _ = two_companies
    crm.json("edit", acme, "--set", "city=Kraków")
    assert crm.json("edit", acme, "--set", "city=")["city"] is None


@pytest.mark.parametrize("assignment", ["linkedin=https://www.linkedin.com/in/anna", "employees=lots",
                                        "relationship=friend", "country=Narnia"])
def test_a_malformed_company_change_is_bad_input(crm, two_companies, assignment):
    acme, _ = two_companies
    assert crm("edit", acme, "--set", assignment).exit_code == 2


def test_a_company_relationship_takes_prospect_client_or_not_relevant(crm, two_companies):
    acme, _ = two_companies
    assert crm.json("edit", acme, "--set", "relationship=Not Relevant")["relationship"] == "not relevant"


def test_an_agent_may_not_move_a_company_out_of_its_country(crm):
    crm.json("agent", "add", BOSS, "--name", "Boss", "--role", "admin")
    crm.json("agent", "add", ANN, "--name", "Ann", "--role", "agent", "--country", "PL", acting=BOSS)
    acme = add_company(crm, "Acme Robotics", "acme-robotics", acting=ANN)
    result = crm("edit", acme, "--set", "country=DE", acting=ANN)
    assert result.exit_code == 3
    assert crm.json("show", acme)["country"] == "PL"


def test_a_lead_status_change_to_follow_up_needs_a_date(crm, two_companies):
    lead = add_lead(crm, two_companies[0], "Anna Nowak", "anna@acme-robotics.pl")
    result = crm("edit", lead, "--set", "status=Follow Up")
    assert result.exit_code == 2
    assert "follow_up_on" in one_line(result)
    edited = crm.json("edit", lead, "--set", "status=follow up", "--set", "follow_up_on=2026-04-01")
    assert (edited["status"], edited["follow_up_on"]) == ("Follow Up", "2026-04-01")
    assert crm.json("list", "leads", "--where", "status=Follow Up")[0]["id"] == lead


def test_an_unknown_lead_status_is_bad_input(crm, two_companies):
    lead = add_lead(crm, two_companies[0], "Anna Nowak", "anna@acme-robotics.pl")
    result = crm("edit", lead, "--set", "status=Maybe")
    assert result.exit_code == 2
    assert "Sent Request" in one_line(result)


def test_editing_a_lead_email_to_another_lead_email_is_refused(crm, two_companies):
    anna = add_lead(crm, two_companies[0], "Anna Nowak", "anna@acme-robotics.pl")
    jan = add_lead(crm, two_companies[0], "Jan Kowalski", "jan@acme-robotics.pl")
    result = crm("edit", jan, "--set", "emails=jan@acme-robotics.pl, Anna@Acme-Robotics.pl")
    assert result.exit_code == 3
    assert anna in one_line(result)
    assert crm.json("show", jan)["emails"] == ["jan@acme-robotics.pl"]


def test_editing_a_lead_emails_and_phones_replaces_them(crm, two_companies):
    anna = add_lead(crm, two_companies[0], "Anna Nowak", "anna@acme-robotics.pl")
    edited = crm.json("edit", anna, "--set", "emails=anna@acme-robotics.pl,anna@gmail.com",
                      "--set", "phones=601 234 567")
    assert edited["emails"] == ["anna@acme-robotics.pl", "anna@gmail.com"]
    assert edited["phones"] == ["+48601234567"]
    changes = [row for row in crm.json("history", anna) if row["field"] == "contacts" and row["action"] == "update"]
    assert len(changes) == 1


def test_a_lead_connections_below_the_minimum_are_refused(crm, two_companies):
    anna = add_lead(crm, two_companies[0], "Anna Nowak", "anna@acme-robotics.pl")
    assert crm("edit", anna, "--set", "connections=40").exit_code == 3
    assert crm.json("edit", anna, "--set", "connections=400")["connections"] == 400


def test_moving_a_lead_to_a_full_company_is_refused(crm, two_companies):
    acme, vistula = two_companies
    for number in range(5):
        add_lead(crm, vistula, f"Person {number}", f"p{number}@vistula.pl")
    anna = add_lead(crm, acme, "Anna Nowak", "anna@acme-robotics.pl")
    result = crm("edit", anna, "--set", f"company={vistula}")
    assert result.exit_code == 3
    assert "max_leads_per_company" in one_line(result)
    assert crm.json("show", anna)["company_id"] == acme


def test_a_lead_owner_is_set_by_agent_email(crm, two_companies):
    crm.json("agent", "add", BOSS, "--name", "Boss", "--role", "admin")
    crm.json("agent", "add", OLA, "--name", "Ola", "--role", "agent", "--country", "PL", acting=BOSS)
    anna = add_lead(crm, two_companies[0], "Anna Nowak", "anna@acme-robotics.pl", acting=BOSS)
    assert crm.json("edit", anna, "--set", f"owner={OLA}", acting=BOSS)["owner"] == OLA
    assert crm.json("edit", anna, "--set", "owner=", acting=BOSS)["owner"] is None


def test_an_agent_may_not_edit_another_agent_lead(crm, two_companies):
    crm.json("agent", "add", BOSS, "--name", "Boss", "--role", "admin")
    crm.json("agent", "add", ANN, "--name", "Ann", "--role", "agent", "--country", "PL", acting=BOSS)
    crm.json("agent", "add", OLA, "--name", "Ola", "--role", "agent", "--country", "PL", acting=BOSS)
    anna = add_lead(crm, two_companies[0], "Anna Nowak", "anna@acme-robotics.pl", acting=OLA)
    result = crm("edit", anna, "--set", "position=CEO", acting=ANN)
    assert result.exit_code == 5
    assert crm.json("edit", anna, "--set", "position=CEO", acting=OLA)["position"] == "CEO"


def test_an_unknown_lead_field_is_bad_input(crm, two_companies):
    anna = add_lead(crm, two_companies[0], "Anna Nowak", "anna@acme-robotics.pl")
    result = crm("edit", anna, "--set", "religion=any")
    assert result.exit_code == 2
    assert "unknown field" in one_line(result)
