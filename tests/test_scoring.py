"""Lead scoring (SPEC §5, issue 11): the model, its settings, recomputation with every change, `score`."""
import json

import pytest

from crmctl.storage.connection import connect_database


@pytest.fixture
def acme(crm):
    """Acme Robotics (120 employees, inside the ideal 50-1000) and its Head of Sales: 15 + 10 = 25 points."""
    company = crm.json(
        "add", "company", "--name", "Acme Robotics", "--website", "https://acme-robotics.pl",
        "--linkedin", "https://www.linkedin.com/company/acme-robotics", "--employees", "120",
        "--industry", "Robotics", "--country", "PL",
    )["id"]
    lead = crm.json("add", "lead", "--company", company, "--name", "Anna Nowak", "--position", "Head of Sales")["id"]
    return company, lead


def score_of(crm, lead):
    return crm.json("show", lead)["score"]


def events(crm, lead, *kinds):
    for kind in kinds:
        crm.json("add", "event", lead, "--kind", kind)


def explained(crm, lead):
    return {row["signal"]: row["points"] for row in crm.json("score", "--explain", lead)["components"]}


def test_a_new_lead_is_scored_from_its_company_and_position(crm, acme):
    assert score_of(crm, acme[1]) == 25
    assert explained(crm, acme[1])["company_size"] == 15
    assert explained(crm, acme[1])["title_relevance"] == 10


def test_an_event_moves_the_score_at_once(crm, acme):
    events(crm, acme[1], "demo-request")
    assert score_of(crm, acme[1]) == 25 + 15
    events(crm, acme[1], "demo request")
    assert score_of(crm, acme[1]) == 25 + 20


def test_website_visits_rise_from_low_to_high_points(crm, acme):
    points = []
    for _ in range(4):
        events(crm, acme[1], "website-visit")
        points.append(explained(crm, acme[1])["website_visit"])
    assert points == [10, 15, 20, 20]


def test_an_email_click_counts_as_two_opens(crm, acme):
    events(crm, acme[1], "email-open")
    assert explained(crm, acme[1])["email_engagement"] == 10
    events(crm, acme[1], "email-click")
    assert explained(crm, acme[1])["email_engagement"] == 15


def test_every_group_stays_within_its_cap_and_the_score_within_100(crm, acme):
    crm.json("config", "set", "ideal_industries", "Robotics")
    crm.json("score")
    events(crm, acme[1], *["website-visit"] * 3, "content-download", "content-download", "email-click",
           "demo-request", "demo-request", "pricing-enquiry", "pricing-enquiry", "contact-form", "contact-form")
    result = crm.json("score", "--explain", acme[1])
    assert {group["group"]: group["points"] for group in result["groups"]} == {
        "demographics": 25, "behaviour": 50, "engagement": 25}
    assert result["score"] == score_of(crm, acme[1]) == 100


def test_a_company_edit_rescores_all_its_leads_in_the_same_command(crm, acme):
    other = crm.json("add", "lead", "--company", acme[0], "--name", "Jan Kowal", "--position", "Driver")["id"]
    assert score_of(crm, other) == 15
    crm.json("edit", acme[0], "--set", "employees=1500")  # near the ideal 50-1000: low points
    assert (score_of(crm, acme[1]), score_of(crm, other)) == (10 + 5, 5)
    crm.json("edit", acme[0], "--set", "employees=3")
    assert (score_of(crm, acme[1]), score_of(crm, other)) == (10, 0)


def test_a_position_edit_rescores_the_lead(crm, acme):
    before = score_of(crm, acme[1])
    edited = crm.json("edit", acme[1], "--set", "position=Driver")
    assert score_of(crm, acme[1]) == 15 != before
    assert edited["score"] == 15  # the record the edit prints carries its new score
    crm.json("edit", acme[1], "--set", "position=Assistant to the CEO")
    assert explained(crm, acme[1])["title_relevance"] == 5


def test_industry_fit_follows_the_ideal_industries_setting_after_score(crm, acme):
    assert explained(crm, acme[1])["industry_fit"] == 0
    crm.json("config", "set", "ideal_industries", '["robotics", "logistics"]')
    assert score_of(crm, acme[1]) == 25  # demographics were already at their cap of 25
    crm.json("config", "set", "ideal_employee_range", "[1000, 5000]")
    summary = crm.json("score")
    assert summary == {"leads": 1, "changed": 1}
    assert score_of(crm, acme[1]) == 0 + 10 + 10


def test_weights_are_configuration(crm, acme):
    weights = crm.json("config", "get", "score_weights")
    weights["demo_request"] = [18, 20]
    crm.json("config", "set", "score_weights", json.dumps(weights))
    events(crm, acme[1], "demo-request")
    assert explained(crm, acme[1])["demo_request"] == 18


@pytest.mark.parametrize("value", [
    '{"demo_request": [15, 20]}',  # the other eight left out
    '{"company_size": [5, 30]}',  # over the demographics cap of 25
    '{"coffee": [1, 2]}',
    '[1, 2]',
])
def test_bad_weights_are_bad_input_and_change_nothing(crm, value):
    before = crm.json("config", "get", "score_weights")
    result = crm("config", "set", "score_weights", value)
    assert result.exit_code == 2
    assert "score_weights" in result.stderr.strip()
    assert crm.json("config", "get", "score_weights") == before


def test_score_explain_names_each_signal_and_its_reason(crm, acme):
    result = crm.json("score", "--explain", acme[1])
    assert [row["signal"] for row in result["components"]] == [
        "company_size", "industry_fit", "title_relevance", "website_visit", "content_download",
        "email_engagement", "demo_request", "pricing_enquiry", "contact_form"]
    size = result["components"][0]
    assert (size["points"], size["range"], size["reason"]) == (15, "5-15", "120 employees: within 50-1000")
    assert result["score"] == result["stored"] == 25


def test_score_of_one_lead_prints_the_lead(crm, acme):
    lead = crm.json("score", acme[1])
    assert (lead["id"], lead["score"]) == (acme[1], 25)


def test_score_changes_are_in_the_history_with_their_actor(crm, acme):
    events(crm, acme[1], "pricing-enquiry")
    rows = [row for row in crm.json("history", acme[1]) if row["field"] == "score"]
    assert [(row["action"], row["old_value"], row["new_value"]) for row in rows] == [("score", "25", "35")]


def test_score_of_every_lead_reports_how_many_changed(crm, acme):
    database = connect_database(crm.url)
    database.execute_sql("UPDATE lead SET score = 3")
    database.close()
    assert crm.json("score") == {"leads": 1, "changed": 1}
    assert crm.json("score") == {"leads": 1, "changed": 0}
    assert score_of(crm, acme[1]) == 25


def test_unknown_lead_and_unknown_event_kind(crm, acme):
    assert crm("score", "L99").exit_code == 4
    assert crm("score", "--explain", "C1").exit_code == 2
    result = crm("add", "event", acme[1], "--kind", "coffee")
    assert result.exit_code == 2
    assert "email_open" in result.stderr


def test_scoring_every_lead_is_for_managers(crm, acme):
    crm.json("agent", "add", "boss@x.pl", "--name", "Boss", "--role", "admin", "--country", "PL")
    crm.json("agent", "add", "ala@x.pl", "--name", "Ala", "--role", "agent", "--country", "PL", acting="boss@x.pl")
    assert crm("score", acting="ala@x.pl").exit_code == 5
    assert crm("score", acme[1], "--format", "json", acting="ala@x.pl").exit_code == 0
    assert crm("score", "--format", "json", acting="boss@x.pl").exit_code == 0


# --------------------------------------------------------------------------
# BANT: a lead is qualified when budget, authority, need and timeline are all set
# --------------------------------------------------------------------------


def test_bant_fields_are_edited_and_a_lead_with_all_four_is_qualified(crm, acme):
    other = crm.json("add", "lead", "--company", acme[0], "--name", "Jan Kowal", "--position", "CTO")["id"]
    lead = crm.json("edit", acme[1], "--set", "budget=50k EUR", "--set", "authority=Signs alone",
                    "--set", "need=Fleet planning", "--set", "timeline=Q1 2027")
    assert (lead["budget"], lead["timeline"], lead["qualified"]) == ("50k EUR", "Q1 2027", True)
    crm.json("edit", other, "--set", "budget=10k", "--set", "need=Maybe")
    assert crm.json("show", other)["qualified"] is False
    assert [row["id"] for row in crm.json("list", "leads", "--where", "qualified=true")] == [acme[1]]
    assert [row["id"] for row in crm.json("list", "leads", "--where", "qualified=false")] == [other]
    assert [row["id"] for row in crm.json("list", "leads", "--where", "budget~50k")] == [acme[1]]


def test_clearing_a_bant_field_unqualifies_the_lead(crm, acme):
    crm.json("edit", acme[1], "--set", "budget=50k", "--set", "authority=yes", "--set", "need=yes",
             "--set", "timeline=now")
    assert crm.json("edit", acme[1], "--set", "budget=")["qualified"] is False
    assert crm.json("list", "leads", "--where", "qualified=true") == []


def test_qualified_compares_only_with_true_or_false(crm, acme):
    result = crm("list", "leads", "--where", "qualified>1")
    assert result.exit_code == 2
    assert "qualified" in result.stderr


def test_a_merge_and_its_undoing_move_the_scores_with_the_events(crm, acme):
    twin = crm.json("add", "lead", "--company", acme[0], "--name", "Anna Nowak-Kowalska", "--position", "Head of Sales")
    events(crm, twin["id"], "demo-request")
    assert (score_of(crm, acme[1]), score_of(crm, twin["id"])) == (25, 40)
    crm.json("dedup", "merge", acme[1], twin["id"], "--yes")
    assert score_of(crm, acme[1]) == 40
    crm.json("dedup", "unmerge", "X1")
    assert (score_of(crm, acme[1]), score_of(crm, twin["id"])) == (25, 40)
