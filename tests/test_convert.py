"""Conversion to customer (SPEC §6 `convert`): the company a client, the lead stamped, optionally a won deal."""
import pytest

from conftest import add_team, one_line

BOSS, MIA, ANN, BOB = "boss@example.com", "mia@example.com", "ann@example.com", "bob@example.com"


@pytest.fixture
def team(crm):
    add_team(crm, BOSS, MIA, [(ANN, "PL"), (BOB, "PL")])
    crm.json("add", "company", "--name", "Acme Robotics", "--website", "https://acme.example", "--linkedin",
             "https://www.linkedin.com/company/acme", "--employees", "120", "--industry", "Robotics",
             "--country", "PL", acting=BOSS)
    return crm


def add_lead(crm, owner=ANN, name="Anna Nowak"):
    return crm.json("add", "lead", "--company", "C1", "--name", name, "--position", "CTO", "--owner", owner,
                    acting=BOSS)["id"]


def test_converting_makes_the_company_a_client_and_stamps_the_lead(team):
    lead = add_lead(team)
    converted = team.json("convert", lead, acting=ANN)
    assert converted["id"] == lead
    assert converted["converted_at"]
    assert converted["relationship"] == "client"
    assert converted["deal"] is None
    assert team.json("show", "C1", acting=ANN)["relationship"] == "client"
    assert team.json("list", "deals", acting=ANN) == []
    history = team.json("history", "C1", acting=ANN)
    assert [(row["action"], row["old_value"], row["new_value"]) for row in history if row["field"] == "relationship"] \
        == [("convert", "prospect", "client")]


def test_a_deal_option_opens_a_won_deal_at_the_pipelines_won_stage(team):
    lead = add_lead(team)
    deal = team.json("convert", lead, "--deal-name", "Fleet pilot", "--amount", "12000", "--currency", "eur",
                     acting=ANN)["deal"]
    assert (deal["name"], deal["pipeline"], deal["stage"], deal["status"]) == ("Fleet pilot", "sales", "Closed Won",
                                                                              "won")
    assert (deal["amount"], deal["currency"], deal["lead_id"], deal["owner"]) == ("12000.00", "EUR", lead, ANN)
    assert deal["closed_at"] and deal["stage_entered_at"]
    assert [d["id"] for d in team.json("list", "deals", "--where", "status=won", acting=ANN)] == [deal["id"]]


def test_a_services_deal_opened_at_conversion_is_finished(team):
    lead = add_lead(team)
    deal = team.json("convert", lead, "--pipeline", "services", acting=ANN)["deal"]
    assert (deal["name"], deal["stage"], deal["status"]) == ("Acme Robotics", "Finished", "won")


def test_a_manager_converting_an_agents_lead_leaves_the_won_deal_with_the_agent(team):
    lead = add_lead(team)
    deal = team.json("convert", lead, "--amount", "900", acting=MIA)["deal"]
    assert (deal["owner"], deal["status"]) == (ANN, "won")


def test_converting_twice_is_refused(team):
    lead = add_lead(team)
    team.json("convert", lead, acting=ANN)
    result = team("convert", lead, "--amount", "100", acting=MIA)
    assert result.exit_code == 3
    assert one_line(result).startswith(f"crmctl: error: {lead} was converted on ")
    assert team.json("list", "deals", acting=ANN) == []


def test_only_the_owner_or_a_manager_converts(team):
    bobs, pooled, annas = add_lead(team, BOB, "Jan Kowalski"), add_lead(team, "", "Ewa Lis"), add_lead(team)
    assert team("convert", bobs, acting=ANN).exit_code == 5
    pool_result = team("convert", pooled, acting=ANN)
    assert pool_result.exit_code == 5
    assert "claim it first" in one_line(pool_result)
    assert team.json("show", "C1", acting=ANN)["relationship"] == "prospect"
    assert team.json("convert", bobs, acting=MIA)["converted_at"]
    assert team.json("convert", annas, acting=ANN)["converted_at"]


def test_a_bad_deal_option_is_bad_input_and_nothing_is_converted(team):
    lead = add_lead(team)
    for extra in (["--pipeline", "nope"], ["--amount", "lots"], ["--currency", "EURO"]):
        assert team("convert", lead, *extra, acting=ANN).exit_code == 2
    assert team.json("show", lead, acting=ANN)["converted_at"] is None


def test_a_pipeline_without_a_won_stage_cannot_hold_a_converted_deal(team):
    team.json("pipeline", "add", "intake", "--stage", "New", "--stage", "Sorted", acting=BOSS)
    lead = add_lead(team)
    result = team("convert", lead, "--pipeline", "intake", acting=ANN)
    assert result.exit_code == 3
    assert "has no won stage" in one_line(result)


def test_an_unknown_lead_is_not_found(team):
    assert team("convert", "L42", acting=MIA).exit_code == 4


def test_two_conversions_of_one_lead_at_once_have_one_winner(team, tmp_path):
    from test_races import Racers, assert_one_clean_line

    team.json("config", "set", "max_leads_per_company", "100", acting=BOSS)
    leads = [add_lead(team, ANN, f"Raced Person {number}") for number in range(5)]
    commands = [[["--as", actor, "convert", lead, "--amount", "100", "--format", "json"] for lead in leads]
                for actor in (ANN, MIA)]
    for number, outcomes in enumerate(Racers(tmp_path / "racers", team.url, commands)):
        assert sorted(code for code, _, _ in outcomes) == [0, 3], outcomes
        (stderr,) = [stderr for code, _, stderr in outcomes if code == 3]
        assert assert_one_clean_line(stderr).startswith(f"crmctl: error: {leads[number]} was converted on ")
    deals = team.json("list", "deals", acting=MIA)
    assert sorted(deal["lead_id"] for deal in deals) == sorted(leads)
