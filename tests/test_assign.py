"""Allocation (SPEC §6 `assign`): --to an agent, or round-robin per country, fair across runs."""
import itertools

import pytest

from conftest import add_team, one_line
from test_races import Racers

BOSS, MIA, ANN, BOB, CAT, DORA = ("boss@example.com", "mia@example.com", "ann@example.com", "bob@example.com",
                                  "cat@example.com", "dora@example.com")
NUMBERS = itertools.count(1)


def company_args(name, slug, country):
    return ["add", "company", "--name", name, "--website", f"https://{slug}.example", "--linkedin",
            f"https://www.linkedin.com/company/{slug}", "--employees", "120", "--industry", "Robotics",
            "--country", country]


@pytest.fixture
def team(crm):
    """An admin and a manager; agents Ann, Bob and Cat in PL, Dora in DE; a company in PL, DE and FR."""
    add_team(crm, BOSS, MIA, [(ANN, "PL"), (BOB, "PL"), (CAT, "PL"), (DORA, "DE")])
    crm.json("config", "set", "max_leads_per_company", "100", acting=BOSS)
    for name, slug, country in (("Acme Robotics", "acme", "PL"), ("Berlin Robots", "berlin", "DE"),
                                ("Paris Robots", "paris", "FR")):
        crm.json(*company_args(name, slug, country), acting=BOSS)
    return crm


def add_leads(crm, count, company="C1"):
    return [crm.json("add", "lead", "--company", company, "--name", f"Person {next(NUMBERS)}",
                     "--position", "CTO", "--owner", "", acting=BOSS)["id"] for _ in range(count)]


def owners(crm, leads):
    return [crm.json("show", lead, acting=BOSS)["owner"] for lead in leads]


def test_a_manager_assigns_leads_to_an_agent(team):
    leads = add_leads(team, 2)
    summary = team.json("assign", *leads, "--to", ANN, acting=MIA)
    assert (summary["selected"], summary["changed"]) == (2, 2)
    assert [row["owner"] for row in summary["leads"]] == [ANN, ANN]
    assert owners(team, leads) == [ANN, ANN]
    rows = [row for row in team.json("history", leads[0], acting=MIA) if row["action"] == "assign"]
    assert [(row["field"], row["old_value"], row["new_value"], row["agent"]) for row in rows] == \
        [("owner", None, ANN, MIA)]


def test_history_of_a_reassignment_names_both_agents_by_email(team):
    (lead,) = add_leads(team, 1)
    team.json("assign", lead, "--to", ANN, acting=MIA)
    team.json("assign", lead, "--to", BOB, acting=MIA)
    rows = [row for row in team.json("history", lead, acting=MIA) if row["action"] == "assign"]
    assert [(row["old_value"], row["new_value"]) for row in rows] == [(None, ANN), (ANN, BOB)]


def test_an_agent_may_not_assign(team):
    (lead,) = add_leads(team, 1)
    result = team("assign", lead, "--to", ANN, acting=ANN)
    assert result.exit_code == 5
    assert owners(team, [lead]) == [None]


def test_assigning_to_a_deactivated_agent_is_refused_and_to_an_unknown_one_not_found(team):
    (lead,) = add_leads(team, 1)
    team.json("agent", "deactivate", BOB, acting=BOSS)
    refused = team("assign", lead, "--to", BOB, acting=MIA)
    assert refused.exit_code == 3
    assert one_line(refused) == f"crmctl: error: agent {BOB} is deactivated and cannot be given leads"
    missing = team("assign", lead, "--to", "nobody@example.com", acting=MIA)
    assert missing.exit_code == 4
    assert owners(team, [lead]) == [None]


def test_assign_needs_to_or_round_robin_but_not_both(team):
    (lead,) = add_leads(team, 1)
    assert team("assign", lead, acting=MIA).exit_code == 2
    assert team("assign", lead, "--to", ANN, "--round-robin", acting=MIA).exit_code == 2


def test_round_robin_takes_the_countrys_active_agents_in_turn_and_goes_on_in_the_next_run(team):
    leads = add_leads(team, 4)
    team.json("assign", *leads[:2], "--round-robin", acting=MIA)
    team.json("assign", *leads[2:], "--round-robin", acting=MIA)
    assert owners(team, leads) == [ANN, BOB, CAT, ANN]


def test_round_robin_skips_a_deactivated_agent_and_welcomes_a_new_one(team):
    leads = add_leads(team, 4)
    team.json("assign", leads[0], "--round-robin", acting=MIA)  # Ann
    team.json("agent", "deactivate", BOB, acting=BOSS)
    team.json("assign", leads[1], "--round-robin", acting=MIA)  # Cat
    team.json("agent", "add", "eve@example.com", "--name", "Eve", "--role", "agent", "--country", "PL", acting=BOSS)
    team.json("assign", *leads[2:], "--round-robin", acting=MIA)  # Eve, then Ann again
    assert owners(team, leads) == [ANN, CAT, "eve@example.com", ANN]


def test_round_robin_gives_each_lead_an_agent_of_its_own_companys_country(team):
    polish, german = add_leads(team, 1, "C1") + add_leads(team, 1, "C2")
    team.json("assign", polish, german, "--round-robin", acting=MIA)
    assert owners(team, [polish, german]) == [ANN, DORA]


def test_a_lead_whose_country_has_no_agent_is_left_as_it_was_and_reported(team):
    (french,) = add_leads(team, 1, "C3")
    (polish,) = add_leads(team, 1, "C1")
    result = team("assign", french, polish, "--round-robin", "--format", "json", acting=MIA)
    assert result.exit_code == 0
    assert f"{french}: country FR: no active agent works it, so it is left as it was" in result.stderr
    assert "1 left unassigned" in result.stderr
    assert owners(team, [french, polish]) == [None, ANN]


def test_explain_says_why_each_lead_went_where(team):
    leads = add_leads(team, 2)
    result = team("assign", *leads, "--round-robin", "--explain", "--format", "json", acting=MIA)
    assert result.exit_code == 0
    lines = result.stderr.splitlines()
    assert lines[0] == (f"{leads[0]} -> {ANN}: country PL: 3 active agent(s) ({ANN}, {BOB}, {CAT}); "
                        f"turn 1 of 3 goes to {ANN}")
    assert lines[1].startswith(f"{leads[1]} -> {BOB}: ") and "turn 2 of 3" in lines[1]


def test_bulk_assign_is_one_bulk_action_confirmed_with_yes(team):
    leads = add_leads(team, 3)
    (german,) = add_leads(team, 1, "C2")
    refused = team("assign", "--where", "country=PL", "--to", CAT, acting=MIA)
    assert refused.exit_code == 2
    assert "add --yes" in one_line(refused)
    summary = team.json("assign", "--where", "country=PL", "--where", "owner=", "--round-robin", "--yes",
                        acting=MIA)
    assert [row["owner"] for row in summary["leads"]] == [ANN, BOB, CAT]
    assert owners(team, leads + [german]) == [ANN, BOB, CAT, None]
    rows = [row for row in team.json("history", leads[1], acting=MIA) if row["action"] == "assign"]
    assert [row["bulk"] for row in rows] == [summary["bulk"]]


def test_two_round_robin_runs_at_once_never_hand_out_the_same_turn(team, tmp_path):
    rounds = 6
    leads = add_leads(team, 2 * rounds)
    commands = [[["--as", MIA, "assign", lead, "--round-robin", "--format", "json"] for lead in leads[racer::2]]
                for racer in range(2)]
    for outcomes in Racers(tmp_path / "racers", team.url, commands):
        assert [code for code, _, _ in outcomes] == [0, 0], outcomes
    given = owners(team, leads)
    assert sorted(given.count(agent) for agent in (ANN, BOB, CAT)) == [4, 4, 4], given
