"""The lead pool (SPEC §6 `pool list|put|claim`, §8): leads without an owner, and atomic claims."""
import pytest

from conftest import add_team, one_line
from test_races import Racers, assert_one_clean_line

BOSS, MIA, ANN, BOB, DORA = "boss@example.com", "mia@example.com", "ann@example.com", "bob@example.com", \
    "dora@example.com"
CLAIM_ROUNDS = 20


def company_args(name, slug, country="PL"):
    return ["add", "company", "--name", name, "--website", f"https://{slug}.example", "--linkedin",
            f"https://www.linkedin.com/company/{slug}", "--employees", "120", "--industry", "Robotics",
            "--country", country]


@pytest.fixture
def team(crm):
    """An admin, a manager, two agents in PL and one in DE; a company in each country."""
    add_team(crm, BOSS, MIA, [(ANN, "PL"), (BOB, "PL"), (DORA, "DE")])
    crm.json("config", "set", "max_leads_per_company", "100", acting=BOSS)
    crm.json(*company_args("Acme Robotics", "acme"), acting=BOSS)
    crm.json(*company_args("Berlin Robots", "berlin-robots", "DE"), acting=BOSS)
    return crm


def add_lead(crm, name, company="C1", owner=""):
    return crm.json("add", "lead", "--company", company, "--name", name, "--position", "CTO", "--owner", owner,
                    acting=BOSS)["id"]


def owner_of(crm, lead):
    return crm.json("show", lead, acting=BOSS)["owner"]


def test_pool_list_shows_only_leads_without_an_owner_with_the_listing_filters(team):
    in_pool = add_lead(team, "Anna Nowak")
    add_lead(team, "Jan Kowalski", owner=ANN)
    german = add_lead(team, "Hans Meier", company="C2")
    assert [lead["id"] for lead in team.json("pool", "list", acting=ANN)] == [in_pool, german]
    assert [lead["id"] for lead in team.json("pool", "list", "--where", "country=DE", acting=ANN)] == [german]
    assert [lead["id"] for lead in team.json("pool", "list", "--search", "anna", acting=ANN)] == [in_pool]


def test_an_agent_claims_a_pool_lead_and_history_says_who(team):
    lead = add_lead(team, "Anna Nowak")
    result = team("pool", "claim", lead, "--format", "json", acting=ANN)
    assert result.exit_code == 0, result.output
    assert owner_of(team, lead) == ANN
    assert team.json("pool", "list", acting=ANN) == []
    claims = [row for row in team.json("history", lead, acting=ANN) if row["action"] == "claim"]
    assert [(row["field"], row["new_value"], row["agent"]) for row in claims] == [("owner", ANN, ANN)]


def test_a_claim_of_a_lead_someone_has_is_refused_naming_who_has_it(team):
    lead = add_lead(team, "Anna Nowak")
    team.json("pool", "claim", lead, acting=ANN)
    result = team("pool", "claim", lead, acting=BOB)
    assert result.exit_code == 3
    assert one_line(result) == f"crmctl: error: {lead} is not in the pool: {ANN} has it"
    assert owner_of(team, lead) == ANN


def test_claiming_ones_own_lead_again_is_refused(team):
    lead = add_lead(team, "Anna Nowak", owner=ANN)
    result = team("pool", "claim", lead, acting=ANN)
    assert result.exit_code == 3
    assert "is yours already" in one_line(result)


def test_claim_next_takes_the_oldest_pool_lead_of_the_agents_country(team):
    first, second = add_lead(team, "Anna Nowak"), add_lead(team, "Jan Kowalski")
    german = add_lead(team, "Hans Meier", company="C2")
    assert team.json("pool", "claim", "--next", acting=ANN)["id"] == first
    assert team.json("pool", "claim", "--next", acting=BOB)["id"] == second
    result = team("pool", "claim", "--next", acting=ANN)
    assert result.exit_code == 4
    assert one_line(result) == "crmctl: error: the pool has no lead in PL to claim"
    assert team.json("pool", "claim", "--next", acting=DORA)["id"] == german


def test_claim_needs_a_lead_or_next_and_an_unknown_lead_is_not_found(team):
    assert team("pool", "claim", acting=ANN).exit_code == 2
    assert team("pool", "claim", "L1", "--next", acting=ANN).exit_code == 2
    result = team("pool", "claim", "L99", acting=ANN)
    assert result.exit_code == 4
    assert one_line(result) == "crmctl: error: L99 not found"


def test_an_agent_puts_its_own_lead_in_the_pool_but_not_another_agents(team):
    own, other = add_lead(team, "Anna Nowak", owner=ANN), add_lead(team, "Jan Kowalski", owner=BOB)
    summary = team.json("pool", "put", own, acting=ANN)
    assert (summary["changed"], summary["leads"]) == (1, [own])
    assert owner_of(team, own) is None
    result = team("pool", "put", other, acting=ANN)
    assert result.exit_code == 5
    assert "belongs to another agent" in one_line(result)
    assert owner_of(team, other) == BOB


def test_a_manager_puts_any_lead_in_the_pool(team):
    lead = add_lead(team, "Anna Nowak", owner=ANN)
    team.json("pool", "put", lead, acting=MIA)
    assert owner_of(team, lead) is None
    puts = [row for row in team.json("history", lead, acting=MIA) if row["action"] == "pool put"]
    assert [(row["old_value"], row["new_value"]) for row in puts] == [(ANN, None)]


def test_pool_put_in_bulk_is_one_bulk_action_and_needs_yes_off_a_terminal(team):
    leads = [add_lead(team, f"Person {n}", owner=ANN) for n in range(3)]
    german = add_lead(team, "Hans Meier", company="C2", owner=DORA)
    refused = team("pool", "put", "--where", "country=PL", acting=MIA)
    assert refused.exit_code == 2
    assert "add --yes" in one_line(refused)
    assert all(owner_of(team, lead) == ANN for lead in leads)
    summary = team.json("pool", "put", "--where", "country=PL", "--yes", acting=MIA)
    assert (summary["selected"], summary["changed"], summary["leads"]) == (3, 3, leads)
    assert [lead["id"] for lead in team.json("pool", "list", acting=MIA)] == leads
    assert owner_of(team, german) == DORA
    bulk_rows = [row for row in team.json("history", leads[0], acting=MIA) if row["action"] == "pool put"]
    assert bulk_rows and all(row["bulk"] == summary["bulk"] for row in bulk_rows)


def test_an_agent_may_not_put_leads_in_the_pool_in_bulk(team):
    add_lead(team, "Anna Nowak", owner=ANN)
    result = team("pool", "put", "--where", "country=PL", "--yes", acting=ANN)
    assert result.exit_code == 5


def test_a_bulk_put_without_a_filter_or_leads_is_bad_input(team):
    assert team("pool", "put", acting=MIA).exit_code == 2


# --- the race: two agents, one lead, at the same moment ----------------------------


def test_two_agents_claiming_one_lead_at_once_have_exactly_one_winner(team, tmp_path):
    leads = [add_lead(team, f"Raced Person {number}") for number in range(CLAIM_ROUNDS)]
    commands = [[["--as", agent, "pool", "claim", lead, "--format", "json"] for lead in leads] for agent in (ANN, BOB)]
    winners = []
    for number, outcomes in enumerate(Racers(tmp_path / "racers", team.url, commands)):
        assert sorted(code for code, _, _ in outcomes) == [0, 3], (number, outcomes)
        (winner,) = [agent for agent, (code, _, _) in zip((ANN, BOB), outcomes) if code == 0]
        (loser_stderr,) = [stderr for code, _, stderr in outcomes if code == 3]
        assert assert_one_clean_line(loser_stderr) == \
            f"crmctl: error: {leads[number]} is not in the pool: {winner} has it"
        winners.append(winner)
    assert [owner_of(team, lead) for lead in leads] == winners


def test_two_agents_claiming_next_at_once_never_get_the_same_lead(team, tmp_path):
    rounds = 6
    leads = [add_lead(team, f"Queued Person {number}") for number in range(2 * rounds)]
    commands = [[["--as", agent, "pool", "claim", "--next", "--format", "json"]] * rounds for agent in (ANN, BOB)]
    for outcomes in Racers(tmp_path / "racers", team.url, commands):
        assert [code for code, _, _ in outcomes] == [0, 0], outcomes
    owners = [owner_of(team, lead) for lead in leads]
    assert sorted(owners) == [ANN] * rounds + [BOB] * rounds
