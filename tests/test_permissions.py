"""An agent works in one country (SPEC §3, §5), and required text is never blank (SPEC §6: exit 2)."""
from playhouse import db_url as peewee_urls

from conftest import one_line

BOSS = "boss@example.com"
ANNA = "anna@example.com"


def company_args(name="Acme Robotics", website="acme-robotics.pl", country="PL"):
    return ["add", "company", "--name", name, "--website", website,
            "--linkedin", f"https://www.linkedin.com/company/{website.split('.')[0]}",
            "--employees", "120", "--industry", "Robotics", "--country", country]


def agent_emails(crm):
    return [agent["email"] for agent in crm.json("agent", "list")]


def forget_country(url, email):
    """What a database from before the rule holds: an agent stored without a country."""
    database = peewee_urls.connect(url)
    try:
        database.execute_sql(f"UPDATE agent SET country = NULL WHERE email = {database.param}", (email,))
    finally:
        database.close()


def test_an_agent_without_a_country_is_refused_at_creation(crm):
    crm.json("agent", "add", BOSS, "--name", "Boss", "--role", "admin")
    result = crm("agent", "add", ANNA, "--name", "Anna", "--role", "agent", acting=BOSS)
    assert result.exit_code == 2
    assert "--country" in one_line(result)
    assert agent_emails(crm) == [BOSS]


def test_a_manager_made_an_agent_needs_a_country(crm):
    crm.json("agent", "add", BOSS, "--name", "Boss", "--role", "admin")
    crm.json("agent", "add", "mia@example.com", "--name", "Mia", "--role", "manager", acting=BOSS)
    result = crm("agent", "set", "mia@example.com", "--role", "agent", acting=BOSS)
    assert result.exit_code == 2
    assert "--country" in one_line(result)
    assert crm.json("agent", "list")[1]["role"] == "manager"
    changed = crm.json("agent", "set", "mia@example.com", "--role", "agent", "--country", "SE", acting=BOSS)
    assert (changed["role"], changed["country"]) == ("agent", "SE")


def test_an_agent_stored_without_a_country_may_not_add_or_move_companies_until_one_is_set(crm):
    crm.json("agent", "add", BOSS, "--name", "Boss", "--role", "admin")
    crm.json("agent", "add", ANNA, "--name", "Anna", "--role", "agent", "--country", "PL", acting=BOSS)
    crm.json(*company_args(name="Nordvik", website="nordvik.de", country="DE"), acting=BOSS)
    forget_country(crm.url, ANNA)

    refused = crm(*company_args(), acting=ANNA)
    assert refused.exit_code == 3
    assert "has no country" in one_line(refused) and "agent set" in one_line(refused)
    moved = crm("edit", "C1", "--set", "country=PL", acting=ANNA)
    assert moved.exit_code == 3
    assert "has no country" in one_line(moved)
    assert crm.json("show", "C1")["country"] == "DE"
    assert crm.json("list", "companies", "--where", "country=PL") == []

    crm.json("agent", "set", ANNA, "--country", "PL", acting=BOSS)
    assert crm.json(*company_args(), acting=ANNA)["country"] == "PL"
    elsewhere = crm("edit", "C2", "--set", "country=FR", acting=ANNA)
    assert elsewhere.exit_code == 3
    assert "PL" in one_line(elsewhere)
    # A company of another country is not hers to edit, not even to bring it into hers: a manager moves it.
    taken = crm("edit", "C1", "--set", "country=PL", acting=ANNA)
    assert taken.exit_code == 3
    assert one_line(taken) == f"crmctl: error: {ANNA} edits companies only in PL, not C1 in DE"
    assert crm.json("edit", "C1", "--set", "country=PL", acting=BOSS)["country"] == "PL"
    assert crm.json("edit", "C1", "--set", "city=Kraków", acting=ANNA)["city"] == "Kraków"


def test_an_agent_edits_companies_of_its_country_and_moves_leads_only_to_them(crm):
    crm.json("agent", "add", BOSS, "--name", "Boss", "--role", "admin")
    crm.json("agent", "add", ANNA, "--name", "Anna", "--role", "agent", "--country", "PL", acting=BOSS)
    crm.json(*company_args(), acting=ANNA)
    crm.json(*company_args(name="Nordvik", website="nordvik.de", country="DE"), acting=BOSS)
    lead = crm.json("add", "lead", "--company", "C1", "--name", "Jan Nowak", "--position", "CEO",
                    "--email", "jan@example.pl", acting=ANNA)["id"]
    refused = crm("edit", "C2", "--set", "city=Berlin", acting=ANNA)
    assert refused.exit_code == 3
    assert one_line(refused) == f"crmctl: error: {ANNA} edits companies only in PL, not C2 in DE"
    moved = crm("edit", lead, "--set", "company=C2", acting=ANNA)
    assert moved.exit_code == 3
    assert one_line(moved) == f"crmctl: error: {ANNA} moves leads only to companies in PL, not C2 in DE"
    assert crm.json("show", "C2")["city"] != "Berlin" and crm.json("show", lead)["company_id"] == "C1"


def test_an_agent_refused_an_edit_is_told_which_kind_of_record_it_may_not_edit(crm):
    crm.json("agent", "add", BOSS, "--name", "Boss", "--role", "admin")
    crm.json("agent", "add", ANNA, "--name", "Anna", "--role", "agent", "--country", "PL", acting=BOSS)
    crm.json(*company_args(), acting=ANNA)
    assert crm.json("edit", "C1", "--set", "city=Gdańsk", acting=ANNA)["city"] == "Gdańsk"
    deal = crm.json("add", "deal", "--company", "C1", "--pipeline", "sales", "--name", "Fleet", acting=ANNA)["id"]
    refused = crm("edit", deal, "--set", "amount=100", acting=ANNA)
    assert refused.exit_code == 5
    assert one_line(refused) == f"crmctl: error: {ANNA} (agent) may not edit a deal (managers and admins do)"
    assert crm.json("show", deal)["amount"] is None


BLANK = "   "


def test_blank_required_text_is_bad_input_everywhere(crm):
    crm.json("agent", "add", BOSS, "--name", "Boss", "--role", "admin")
    crm.json(*company_args(), acting=BOSS)
    attempts = [
        ("agent", "add", ANNA, "--name", BLANK, "--role", "agent", "--country", "PL"),
        ("agent", "set", BOSS, "--name", BLANK),
        ("add", "company", *company_args(name=BLANK, website="blank.pl")[2:]),
        ("add", "lead", "--company", "C1", "--name", BLANK, "--position", "CTO"),
        ("add", "lead", "--company", "C1", "--name", "Anna Nowak", "--position", BLANK),
        ("add", "deal", "--company", "C1", "--pipeline", "sales", "--name", BLANK),
        ("add", "note", "C1", "--text", BLANK),
        ("alias", "add", "C1", BLANK),
    ]
    for attempt in attempts:
        result = crm(*attempt, acting=BOSS)
        assert result.exit_code == 2, (attempt, result.output)
        one_line(result)
    assert crm.json("agent", "list")[0]["name"] == "Boss"
    assert crm.json("list", "leads") == []
    assert [company["name"] for company in crm.json("list", "companies")] == ["Acme Robotics"]
