"""Deals through their pipeline (SPEC §4 Deal, §6 `deal move|close|feedback`, pipelines as configuration)."""
import pytest
from playhouse import db_url as peewee_urls

from conftest import add_team, one_line

BOSS, MIA, ANN, BOB = "boss@example.com", "mia@example.com", "ann@example.com", "bob@example.com"
SALES = ["Prospecting", "Qualification", "Needs Analysis", "Proposal", "Negotiation", "Closed Won", "Closed Lost"]


@pytest.fixture
def team(crm):
    add_team(crm, BOSS, MIA, [(ANN, "PL"), (BOB, "PL")])
    crm.json("add", "company", "--name", "Acme Robotics", "--website", "https://acme.example", "--linkedin",
             "https://www.linkedin.com/company/acme", "--employees", "120", "--industry", "Robotics",
             "--country", "PL", acting=BOSS)
    crm.json("add", "lead", "--company", "C1", "--name", "Anna Nowak", "--position", "CTO", "--owner", ANN,
             acting=BOSS)
    return crm


def add_deal(crm, pipeline="sales", name="Fleet pilot", *extra, acting=ANN):
    return crm.json("add", "deal", "--company", "C1", "--lead", "L1", "--pipeline", pipeline, "--name", name, *extra,
                    acting=acting)


def stage_changes(url, deal_number):
    """The deal's DealStageChange rows, (from, to, agent), oldest first."""
    database = peewee_urls.connect(url)
    try:
        cursor = database.execute_sql(
            f"SELECT from_stage, to_stage, agent_email FROM deal_stage_change WHERE deal_id = {database.param} "
            "ORDER BY at, id", (deal_number,))
        return [tuple(row) for row in cursor.fetchall()]
    finally:
        database.close()


def test_a_new_deal_records_its_first_stage_and_its_details(team):
    deal = add_deal(team, "sales", "Fleet pilot", "--contract-end", "2027-06-30", "--expected-close", "2026-12-20",
                    "--decision-criteria", "price, support", "--competition", "RoboCorp", "--stakeholders", "CFO")
    assert (deal["stage"], deal["status"]) == ("Prospecting", "open")
    assert (deal["contract_end"], deal["expected_close"]) == ("2027-06-30", "2026-12-20")
    assert (deal["decision_criteria"], deal["competition"], deal["stakeholders"]) == ("price, support", "RoboCorp",
                                                                                      "CFO")
    assert deal["stage_entered_at"] == deal["created_at"]
    assert stage_changes(team.url, 1) == [(None, "Prospecting", ANN)]


def test_deal_fields_are_edited_with_set(team):
    add_deal(team)
    edited = team.json("edit", "D1", "--set", "contract_end=2028-01-31", "--set", "stakeholders=CEO, CFO",
                       acting=MIA)
    assert (edited["contract_end"], edited["stakeholders"]) == ("2028-01-31", "CEO, CFO")
    assert team("edit", "D1", "--set", "contract_end=someday", acting=MIA).exit_code == 2


@pytest.mark.parametrize("typed", ["needs analysis", "NEEDS-ANALYSIS", "Needs  Analysis"])
def test_a_deal_moves_to_any_stage_of_its_pipeline_named_loosely(team, typed):
    add_deal(team)
    moved = team.json("deal", "move", "D1", typed, acting=ANN)
    assert (moved["stage"], moved["status"], moved["closed_at"]) == ("Needs Analysis", "open", None)
    assert moved["stage_entered_at"] == moved["touched_at"]
    assert stage_changes(team.url, 1)[-1] == ("Prospecting", "Needs Analysis", ANN)
    history = team.json("history", "D1", acting=ANN)
    assert [(row["action"], row["old_value"], row["new_value"]) for row in history if row["field"] == "stage"] == \
        [("move", "Prospecting", "Needs Analysis")]


def test_an_unknown_stage_is_bad_input_listing_the_pipelines_stages(team):
    add_deal(team)
    result = team("deal", "move", "D1", "Signed", acting=ANN)
    assert result.exit_code == 2
    assert one_line(result) == ("crmctl: error: unknown stage of pipeline sales 'Signed' (one of: "
                                + ", ".join(SALES) + ")")


@pytest.mark.parametrize("pipeline, stage, status", [
    ("sales", "Closed Won", "won"), ("sales", "closed lost", "lost"), ("services", "finished", "won"),
])
def test_closing_stages_mark_the_deal_won_or_lost(team, pipeline, stage, status):
    add_deal(team, pipeline)
    moved = team.json("deal", "move", "D1", stage, "--reason", "their call", acting=ANN)
    assert (moved["status"], bool(moved["closed_at"]), moved["close_reason"]) == (status, True, "their call")
    assert [d["id"] for d in team.json("list", "deals", "--where", f"status={status}", acting=ANN)] == ["D1"]


def test_a_closed_deal_moves_only_after_reopen(team):
    add_deal(team)
    team.json("deal", "move", "D1", "Proposal", acting=ANN)
    team.json("deal", "move", "D1", "Closed Lost", "--reason", "no budget", acting=ANN)
    refused = team("deal", "move", "D1", "Negotiation", acting=ANN)
    assert refused.exit_code == 3
    assert "reopen it first (crmctl deal reopen D1)" in one_line(refused)
    reopened = team.json("deal", "reopen", "D1", acting=ANN)
    assert (reopened["stage"], reopened["status"], reopened["closed_at"]) == ("Proposal", "open", None)
    assert team.json("deal", "move", "D1", "Negotiation", acting=ANN)["stage"] == "Negotiation"
    assert [to for _, to, _ in stage_changes(team.url, 1)] == ["Prospecting", "Proposal", "Closed Lost", "Proposal",
                                                                "Negotiation"]
    assert team("deal", "reopen", "D1", acting=ANN).exit_code == 3


def test_deal_close_won_lost_abandoned_with_a_reason(team):
    for name in ("Won one", "Lost one", "Dropped one"):
        add_deal(team, "sales", name)
    won = team.json("deal", "close", "D1", "won", acting=ANN)
    assert (won["status"], won["stage"], won["close_reason"]) == ("won", "Closed Won", None)
    lost = team.json("deal", "close", "D2", "lost", "--reason", "price too high", acting=ANN)
    assert (lost["status"], lost["stage"], lost["close_reason"]) == ("lost", "Closed Lost", "price too high")
    dropped = team.json("deal", "close", "D3", "ABANDONED", "--reason", "a marketer", acting=ANN)
    assert (dropped["status"], dropped["stage"], dropped["close_reason"]) == ("abandoned", "Prospecting", "a marketer")
    assert all(deal["closed_at"] for deal in (won, lost, dropped))
    again = team("deal", "close", "D1", "lost", "--reason", "changed mind", acting=ANN)
    assert again.exit_code == 3


def test_closing_as_lost_or_abandoned_needs_a_reason(team):
    add_deal(team)
    result = team("deal", "close", "D1", "lost", acting=ANN)
    assert result.exit_code == 2
    assert "--reason" in one_line(result)
    assert team("deal", "close", "D1", "sold", acting=ANN).exit_code == 2


def test_a_deal_lost_by_a_move_or_added_lost_needs_its_reason_too(team):
    add_deal(team)
    moved = team("deal", "move", "D1", "Closed Lost", acting=ANN)
    assert moved.exit_code == 2
    assert one_line(moved) == ("crmctl: error: moving a deal to Closed Lost closes it as lost: it needs its reason "
                               "(--reason TEXT)")
    assert team.json("show", "D1")["status"] == "open"
    lost = team.json("deal", "move", "D1", "closed lost", "--reason", "went with a rival", acting=ANN)
    assert (lost["status"], lost["stage"], lost["close_reason"]) == ("lost", "Closed Lost", "went with a rival")
    added = team("add", "deal", "--company", "C1", "--pipeline", "sales", "--name", "Old loss", "--stage",
                 "Closed Lost", acting=ANN)
    assert added.exit_code == 2
    assert "needs its reason (--reason TEXT)" in one_line(added)
    assert [d["id"] for d in team.json("list", "deals", acting=ANN)] == ["D1"]
    old = add_deal(team, "sales", "Old loss", "--stage", "Closed Lost", "--reason", "budget cut")
    assert (old["status"], old["close_reason"]) == ("lost", "budget cut")
    assert team.json("deal", "move", add_deal(team)["id"], "Closed Won", acting=ANN)["status"] == "won"


def test_another_agents_deal_is_moved_by_a_manager_not_by_an_agent(team):
    add_deal(team)
    result = team("deal", "move", "D1", "Proposal", acting=BOB)
    assert result.exit_code == 5
    assert team.json("deal", "move", "D1", "Proposal", acting=MIA)["stage"] == "Proposal"


def test_an_unknown_deal_is_not_found(team):
    assert team("deal", "move", "D9", "Proposal", acting=ANN).exit_code == 4


def test_positive_feedback_asks_for_a_review_and_finishes_the_deal_as_won(team):
    add_deal(team, "services", "Boiler service")
    team.json("deal", "move", "D1", "Service Completed", acting=ANN)
    result = team.json("deal", "feedback", "D1", "positive", acting=ANN)
    assert (result["stage"], result["status"]) == ("Finished", "won")
    task = result["task"]
    assert (task["kind"], task["assignee"], task["subject"]) == ("email", ANN, "D1")
    assert "review" in task["text"] and "Anna Nowak" in task["text"]
    again = team("deal", "feedback", "D1", "negative", acting=ANN)  # finished: the refusal says what would work
    assert again.exit_code == 3
    assert one_line(again).startswith("crmctl: error: D1 is won (closed on ")
    assert one_line(again).endswith("a closed deal does not take feedback; reopen it first (crmctl deal reopen D1)")
    assert [t["id"] for t in team.json("list", "tasks", acting=ANN)] == [task["id"]]


def test_negative_feedback_gives_the_owner_a_task_to_call_and_keeps_the_deal_open(team):
    add_deal(team, "services", "Boiler service")
    team.json("deal", "move", "D1", "service completed", acting=ANN)
    result = team.json("deal", "feedback", "D1", "negative", acting=MIA)
    assert (result["stage"], result["status"]) == ("Service Completed", "open")
    assert (result["task"]["kind"], result["task"]["assignee"]) == ("call", ANN)
    assert [task["id"] for task in team.json("list", "tasks", "--where", f"assignee={ANN}", acting=ANN)] == \
        [result["task"]["id"]]


def test_feedback_before_service_completed_or_outside_services_is_refused(team):
    add_deal(team, "services", "Boiler service")
    early = team("deal", "feedback", "D1", "positive", acting=ANN)
    assert early.exit_code == 3
    assert "feedback comes after Service Completed" in one_line(early)
    add_deal(team, "sales", "Fleet pilot")
    assert team("deal", "feedback", "D2", "negative", acting=ANN).exit_code == 3
    assert team.json("list", "tasks", acting=ANN) == []


def test_list_deals_filters_on_stage_and_pipeline(team):
    add_deal(team, "sales", "One")
    add_deal(team, "services", "Two")
    team.json("deal", "move", "D1", "proposal", acting=ANN)
    assert [d["id"] for d in team.json("list", "deals", "--where", "stage=Proposal", "--where", "pipeline=sales",
                                        acting=ANN)] == ["D1"]
    assert [d["id"] for d in team.json("deal", "list", "--where", "pipeline=services", acting=ANN)] == ["D2"]
    assert [d["id"] for d in team.json("list", "deals", "--where", "stage_entered_at>=2000-01-01",
                                        acting=ANN)] == ["D1", "D2"]
    assert [d["id"] for d in team.json("list", "deals", "--where", "stage in new leads,closed won",
                                        acting=ANN)] == ["D2"]  # the names as the pipelines write them


@pytest.mark.parametrize("where, message", [
    ("stage=Prospectng", "unknown stage 'Prospectng' (one of: Prospecting, Qualification, "),
    ("pipeline=sale", "unknown pipeline 'sale' (one of: sales, services)"),
])
def test_a_deal_filter_on_a_stage_or_pipeline_nobody_has_is_bad_input(team, where, message):
    add_deal(team, "sales", "One")
    refused = team("list", "deals", "--where", where, acting=ANN)
    assert refused.exit_code == 2
    assert f"crmctl: error: --where {where.split('=')[0]}: {message}" in one_line(refused)


def test_pipelines_are_listed_and_an_admin_adds_one(team):
    names = [item["name"] for item in team.json("pipeline", "list", acting=ANN)]
    assert names == ["sales", "services"]
    shown = team.json("pipeline", "show", "Services", acting=ANN)
    assert (shown["won_stages"], shown["lost_stages"]) == (["Finished"], [])
    assert team("pipeline", "add", "renewals", "--stage", "Due", acting=MIA).exit_code == 5
    added = team.json("pipeline", "add", "renewals", "--stage", "Due", "--stage", "Quoted", "--stage", "Won",
                      "--stage", "Lost", acting=BOSS)
    assert (added["stages"], added["won_stages"], added["lost_stages"]) == (["Due", "Quoted", "Won", "Lost"],
                                                                            ["Won"], ["Lost"])
    assert team("pipeline", "add", "Renewals", "--stage", "X", acting=BOSS).exit_code == 3
    deal = add_deal(team, "renewals", "Renewal 2027")
    assert deal["stage"] == "Due"
    assert team.json("deal", "move", deal["id"], "won", acting=ANN)["status"] == "won"
    assert team("pipeline", "show", "nope", acting=ANN).exit_code == 2


def test_two_moves_of_one_deal_at_once_both_land_and_their_stage_changes_chain(team, tmp_path):
    from test_races import Racers

    rounds = 5
    for number in range(rounds):
        add_deal(team, "sales", f"Raced deal {number}")
    commands = [[["--as", actor, "deal", "move", f"D{number + 1}", stage, "--format", "json"]
                 for number in range(rounds)] for actor, stage in ((ANN, "Proposal"), (MIA, "Negotiation"))]
    for outcomes in Racers(tmp_path / "racers", team.url, commands):
        assert [code for code, _, _ in outcomes] == [0, 0], outcomes
    for number in range(1, rounds + 1):
        changes = stage_changes(team.url, number)
        assert len(changes) == 3
        assert all(later[0] == earlier[1] for earlier, later in zip(changes, changes[1:])), changes
        assert team.json("show", f"D{number}", acting=ANN)["stage"] == changes[-1][1]
