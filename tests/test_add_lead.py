"""`add lead` (SPEC §5, §6.1): status, contact details, the 5-lead limit, connections, duplicates."""
import json

import pytest
from conftest import one_line

BOSS = "boss@example.com"
ANN = "ann@example.com"
OLA = "ola@example.com"


@pytest.fixture
def company(crm):
    return crm.json(
        "add", "company", "--name", "Acme Robotics", "--website", "https://acme-robotics.pl",
        "--linkedin", "https://www.linkedin.com/company/acme-robotics", "--employees", "120",
        "--industry", "Robotics", "--country", "PL",
    )["id"]


def lead_args(company_id, name="Anna Nowak", *extra, position="CTO"):
    return ["add", "lead", "--company", company_id, "--name", name, "--position", position, *extra]


def with_agents(crm):
    crm.json("agent", "add", BOSS, "--name", "Boss", "--role", "admin")
    crm.json("agent", "add", ANN, "--name", "Ann", "--role", "agent", "--country", "PL", acting=BOSS)
    crm.json("agent", "add", OLA, "--name", "Ola", "--role", "agent", "--country", "PL", acting=BOSS)


def test_a_new_lead_has_status_sent_request_and_its_company(crm, company):
    lead = crm.json(*lead_args(company, "Anna Nowak", "--linkedin", "https://pl.linkedin.com/in/anna-nowak/",
                               "--connections", "350"))
    assert lead["id"] == "L1"
    assert lead["status"] == "Sent Request"
    assert (lead["company_id"], lead["company"]) == (company, "Acme Robotics")
    assert (lead["full_name"], lead["position"], lead["connections"]) == ("Anna Nowak", "CTO", 350)
    assert lead["linkedin_url"] == "https://www.linkedin.com/in/anna-nowak/"
    assert [l["full_name"] for l in crm.json("show", company)["leads"]] == ["Anna Nowak"]


def test_a_bare_company_number_is_accepted(crm, company):
    assert crm.json(*lead_args(company[1:]))["company_id"] == company


def test_an_unknown_company_is_not_found(crm, company):
    result = crm(*lead_args("C99"))
    assert result.exit_code == 4
    assert "C99 not found" in one_line(result)


def test_emails_and_phones_are_stored_normalised(crm, company):
    lead = crm.json(*lead_args(company, "Anna Nowak", "--email", " Anna@Acme-Robotics.PL ",
                               "--email", "anna.private@example.com", "--phone", "+48 601-234-567"))
    assert lead["emails"] == ["anna@acme-robotics.pl", "anna.private@example.com"]
    assert lead["phones"] == ["+48601234567"]


def test_a_phone_without_a_country_code_is_read_in_the_company_country(crm, company):
    lead = crm.json(*lead_args(company, "Anna Nowak", "--phone", "601 234 567"))
    assert lead["phones"] == ["+48601234567"]


def test_contact_options_take_source_value_pairs(crm, company):
    lead = crm.json(*lead_args(company, "Anna Nowak", "--contact", "Facebook=fb.com/anna.nowak",
                               "--contact", "email=anna@acme-robotics.pl", "--contact", "other=Signal: annan"))
    assert {"source": "facebook", "value": "fb.com/anna.nowak"} in lead["contacts"]
    assert {"source": "other", "value": "Signal: annan"} in lead["contacts"]
    assert lead["emails"] == ["anna@acme-robotics.pl"]


@pytest.mark.parametrize("contact", ["skype=anna", "no-equals-sign"])
def test_an_unknown_contact_source_or_a_malformed_pair_is_bad_input(crm, company, contact):
    result = crm(*lead_args(company, "Anna Nowak", "--contact", contact))
    assert result.exit_code == 2
    assert "contact" in one_line(result)


@pytest.mark.parametrize("field, value", [
    ("--email", "anna-at-acme"),
    ("--phone", "12"),
    ("--linkedin", "https://www.linkedin.com/company/acme-robotics"),
    ("--linkedin", "https://facebook.com/in/anna"),
    ("--connections", "lots"),
])
def test_a_malformed_contact_detail_is_bad_input(crm, company, field, value):
    result = crm(*lead_args(company, "Anna Nowak", field, value))
    assert result.exit_code == 2
    one_line(result)
    assert crm.json("list", "leads") == []


def test_sixth_lead_is_refused(crm, company):
    for number in range(5):
        crm.json(*lead_args(company, f"Person {number}", "--email", f"p{number}@acme-robotics.pl"))
    result = crm(*lead_args(company, "Person 6", "--email", "p6@acme-robotics.pl"))
    assert result.exit_code == 3
    assert "max_leads_per_company" in one_line(result)
    assert len(crm.json("show", company)["leads"]) == 5


def test_the_lead_limit_is_configurable(crm, company):
    assert crm("config", "set", "max_leads_per_company", "1").exit_code == 0
    crm.json(*lead_args(company, "Person 1"))
    assert crm(*lead_args(company, "Person 2")).exit_code == 3


def test_a_lead_with_fewer_than_100_connections_is_refused(crm, company):
    result = crm(*lead_args(company, "Anna Nowak", "--connections", "99"))
    assert result.exit_code == 3
    assert "100 LinkedIn connections" in one_line(result)
    assert crm.json("list", "leads") == []


def test_a_lead_with_exactly_100_connections_or_none_given_is_accepted(crm, company):
    assert crm.json(*lead_args(company, "Anna Nowak", "--connections", "100"))["connections"] == 100
    assert crm.json(*lead_args(company, "Jan Kowalski"))["connections"] is None


def test_a_lead_with_an_existing_email_is_a_duplicate(crm, company):
    crm.json(*lead_args(company, "Anna Nowak", "--email", "anna@acme-robotics.pl"))
    result = crm(*lead_args(company, "A. Nowak", "--email", "ANNA@acme-robotics.pl"), "--format", "json")
    assert result.exit_code == 3
    assert json.loads(result.stdout)["duplicates"][0]["id"] == "L1"
    assert "L1" in one_line(result)
    assert len(crm.json("list", "leads")) == 1


def test_an_address_pasted_with_mailto_or_a_display_name_is_the_same_email(crm, company):
    crm.json(*lead_args(company, "Ola Nowak", "--email", "mailto:Ola@acme-robotics.pl"))
    assert crm.json("show", "L1")["emails"] == ["ola@acme-robotics.pl"]
    result = crm(*lead_args(company, "O. Nowak", "--email", "Ola Nowak <ola@acme-robotics.pl>"))
    assert result.exit_code == 3
    assert "L1" in one_line(result)


def test_the_same_phone_written_differently_is_a_duplicate(crm, company):
    crm.json(*lead_args(company, "Anna Nowak", "--phone", "601 234 567"))
    result = crm(*lead_args(company, "Someone Else", "--phone", "0048601234567"))
    assert result.exit_code == 3
    assert "L1" in one_line(result)


def test_the_same_linkedin_profile_is_a_duplicate_even_with_force(crm, company):
    crm.json(*lead_args(company, "Anna Nowak", "--linkedin", "https://www.linkedin.com/in/anna-nowak"))
    result = crm(*lead_args(company, "Anna Nowak", "--linkedin", "linkedin.com/in/Anna-Nowak/?trk=x"), "--force")
    assert result.exit_code == 3
    assert "L1" in one_line(result)


def test_a_lead_is_owned_by_the_agent_who_adds_it(crm, company):
    with_agents(crm)
    lead = crm.json(*lead_args(company), acting=ANN)
    assert lead["owner"] == ANN


def test_an_agent_may_not_give_a_new_lead_to_another_agent(crm, company):
    with_agents(crm)
    result = crm(*lead_args(company, "Anna Nowak", "--owner", OLA), acting=ANN)
    assert result.exit_code == 5
    one_line(result)


def test_an_admin_gives_a_new_lead_to_an_agent_by_email(crm, company):
    with_agents(crm)
    assert crm.json(*lead_args(company, "Anna Nowak", "--owner", OLA), acting=BOSS)["owner"] == OLA


def test_an_unknown_owner_is_not_found(crm, company):
    result = crm(*lead_args(company, "Anna Nowak", "--owner", "ghost@example.com"))
    assert result.exit_code == 4
    one_line(result)


def test_adding_a_lead_is_recorded_in_history_with_its_contact_details(crm, company):
    crm.json(*lead_args(company, "Anna Nowak", "--email", "anna@acme-robotics.pl"))
    history = crm.json("history", "L1")
    assert history[0]["action"] == "create"
    contacts = [row for row in history if row["field"] == "contacts"]
    assert json.loads(contacts[0]["new_value"]) == [{"source": "email", "value": "anna@acme-robotics.pl"}]


def test_an_overlong_email_is_bad_input_not_a_database_error(crm, company):
    result = crm(*lead_args(company, "Anna Nowak", "--email", "a" * 250 + "@acme-robotics.pl"))
    assert result.exit_code == 2
    one_line(result)
