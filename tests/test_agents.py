"""Agents, the acting agent and the role matrix (SPEC §3)."""

from conftest import one_line


def test_single_user_mode_allows_everything_while_no_agent_exists(crm):
    assert crm("config", "set", "daily_company_target", "40").exit_code == 0
    assert crm.json("config", "list")["daily_company_target"] == 40


def test_first_agent_must_be_an_admin(crm):
    result = crm("agent", "add", "ann@example.com", "--name", "Ann", "--role", "agent", "--country", "PL")
    assert result.exit_code == 3
    assert "first agent must be an admin" in result.stderr


def test_once_agents_exist_a_writing_command_needs_an_acting_agent(crm):
    crm.json("agent", "add", "boss@example.com", "--name", "Boss", "--role", "admin")
    result = crm("config", "set", "daily_company_target", "40")
    assert result.exit_code == 5
    assert "--as" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unknown_and_deactivated_agents_are_refused(crm):
    crm.json("agent", "add", "boss@example.com", "--name", "Boss", "--role", "admin")
    crm.json("agent", "add", "ann@example.com", "--name", "Ann", "--role", "manager", acting="boss@example.com")
    assert crm("config", "set", "daily_company_target", "40", acting="nobody@example.com").exit_code == 5
    crm.json("agent", "deactivate", "ann@example.com", acting="boss@example.com")
    result = crm("agent", "list", "--format", "json", acting="ann@example.com")
    assert result.exit_code == 0  # reading needs no acting agent
    refused = crm("config", "set", "daily_company_target", "40", acting="ann@example.com")
    assert refused.exit_code == 5
    assert "deactivated" in refused.stderr


def test_only_admins_manage_agents_and_configuration(crm):
    crm.json("agent", "add", "boss@example.com", "--name", "Boss", "--role", "admin")
    crm.json("agent", "add", "mia@example.com", "--name", "Mia", "--role", "manager", acting="boss@example.com")
    result = crm("agent", "add", "x@example.com", "--name", "X", "--role", "agent", acting="mia@example.com")
    assert result.exit_code == 5
    assert crm("config", "set", "daily_company_target", "10", acting="mia@example.com").exit_code == 5
    assert crm("config", "set", "daily_company_target", "10", acting="boss@example.com").exit_code == 0


def test_agent_set_changes_only_what_it_is_given(crm):
    crm.json("agent", "add", "boss@example.com", "--name", "Boss", "--role", "admin", "--country", "PL",
             "--linkedin-account", "boss-li")
    changed = crm.json("agent", "set", "boss@example.com", "--country", "de", acting="boss@example.com")
    assert changed["country"] == "DE"
    assert changed["name"] == "Boss"
    assert changed["linkedin_accounts"] == ["boss-li"]


def test_a_blank_linkedin_account_is_bad_input_and_a_repeated_one_is_kept_once(crm):
    crm.json("agent", "add", "boss@example.com", "--name", "Boss", "--role", "admin",
             "--linkedin-account", " Boss  LI ", "--linkedin-account", "Boss LI", "--linkedin-account", "Łukasz")
    assert crm.json("agent", "list")[0]["linkedin_accounts"] == ["Boss LI", "Łukasz"]
    for command in (["agent", "set", "boss@example.com"], ["agent", "add", "mia@example.com", "--name", "Mia",
                                                            "--role", "manager"]):
        refused = crm(*command, "--linkedin-account", "   ", acting="boss@example.com")
        assert refused.exit_code == 2
        assert one_line(refused) == ("crmctl: error: LinkedIn account is required (--linkedin-account NAME): "
                                     "blank text does not count")
    assert [(a["email"], a["linkedin_accounts"]) for a in crm.json("agent", "list")] == [
        ("boss@example.com", ["Boss LI", "Łukasz"])]


def test_the_last_active_admin_cannot_be_deactivated(crm):
    crm.json("agent", "add", "boss@example.com", "--name", "Boss", "--role", "admin")
    result = crm("agent", "deactivate", "boss@example.com", acting="boss@example.com")
    assert result.exit_code == 3
    assert "last active admin" in result.stderr


def test_an_unknown_role_is_bad_input(crm):
    result = crm("agent", "add", "boss@example.com", "--name", "Boss", "--role", "king")
    assert result.exit_code == 2


def test_a_deactivated_agent_is_given_no_company_lead_deal_or_task(crm):
    boss = "boss@example.com"
    crm.json("agent", "add", boss, "--name", "Boss", "--role", "admin")
    crm.json("agent", "add", "gone@example.com", "--name", "Gone", "--role", "agent", "--country", "PL", acting=boss)
    crm.json("agent", "deactivate", "gone@example.com", acting=boss)
    crm.json("add", "company", "--name", "Acme", "--website", "acme.pl", "--linkedin",
             "https://www.linkedin.com/company/acme", "--employees", "5", "--industry", "Tools", "--country", "PL",
             acting=boss)
    crm.json("add", "lead", "--company", "C1", "--name", "Ann", "--position", "CTO", acting=boss)
    crm.json("add", "deal", "--company", "C1", "--pipeline", "sales", "--name", "Pilot", acting=boss)
    crm.json("add", "task", "C1", "--kind", "call", "--due", "2026-12-01", acting=boss)
    for attempt in (("edit", "C1", "--set", "owner=gone@example.com"),
                    ("edit", "L1", "--set", "owner=gone@example.com"),
                    ("edit", "D1", "--set", "owner=gone@example.com"),
                    ("edit", "T1", "--set", "assignee=gone@example.com"),
                    ("add", "task", "C1", "--kind", "call", "--due", "2026-12-01", "--assignee", "gone@example.com"),
                    ("add", "lead", "--company", "C1", "--name", "Bob", "--position", "CEO",
                     "--owner", "gone@example.com")):
        result = crm(*attempt, acting=boss)
        assert result.exit_code == 3, (attempt, result.output)
        assert "gone@example.com is deactivated" in result.stderr
