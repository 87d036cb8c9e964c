"""`report NAME` (SPEC §6 report, §6.1): figures of a small CRM checked against numbers worked out by hand.

The fixture (tests/report_fixture.py) holds ISO week 2026-W48 (Monday 23 to Sunday 29 November);
every figure below is counted from its records by hand, in the comments.
"""
import pytest
from report_fixture import ANNA, BEN, BOSS, MIA, build_report_fixture

from conftest import one_line

WEEK = ("--since", "2026-11-23", "--until", "2026-11-29", "--today", "2026-11-30")
REPORT_NAMES = ("pipeline", "funnel", "activity", "quota", "response-time", "win-rate", "velocity", "scores",
                "review")


@pytest.fixture
def crm_with_figures(crm):
    build_report_fixture(crm)
    return crm


def report(crm, name, *options, acting=BOSS):
    return crm.json("report", name, *options, acting=acting)


def test_pipeline_counts_deals_by_stage_and_sums_amounts_per_currency(crm_with_figures):
    assert report(crm_with_figures, "pipeline", *WEEK) == [
        {"pipeline": "sales", "stage": "Proposal", "currency": "EUR", "deals": 1, "open": 1, "won": 0, "lost": 0,
         "amount": 1000.0},
        {"pipeline": "sales", "stage": "Closed Won", "currency": "EUR", "deals": 1, "open": 0, "won": 1, "lost": 0,
         "amount": 5000.0},
        {"pipeline": "sales", "stage": "Closed Lost", "currency": "EUR", "deals": 1, "open": 0, "won": 0, "lost": 1,
         "amount": 300.0},
        {"pipeline": "sales", "stage": "Closed Lost", "currency": "PLN", "deals": 1, "open": 0, "won": 0, "lost": 1,
         "amount": 2000.0},
        {"pipeline": "services", "stage": "New Leads", "currency": None, "deals": 1, "open": 1, "won": 0, "lost": 0,
         "amount": None},
    ]


def test_funnel_counts_leads_by_status_and_the_conversions(crm_with_figures):
    # Leads created in W48: L1 Interested, L2 Sent Request, L3 Connected, L4 Call, L5 Sent Request,
    # L7 Not Interested (L6 is from June). With a deal: L1 (D1), L4 (D2), L5 (D3). Converted: L4.
    rows = report(crm_with_figures, "funnel", *WEEK)
    assert {row["status"]: row["count"] for row in rows} == {
        "Sent Request": 2, "Connected": 1, "Interested": 1, "Not Interested": 1, "Ignoring": 0, "Follow Up": 0,
        "Event": 0, "Call": 1, "all leads": 6, "lead → deal": 3, "deal → customer": 1, "lead → customer": 1}
    rates = {row["status"]: row["rate"] for row in rows}
    assert (rates["Sent Request"], rates["lead → deal"], rates["deal → customer"], rates["lead → customer"]) == \
        (33.3, 50.0, 33.3, 16.7)


def test_activity_counts_per_agent_and_day(crm_with_figures):
    # Status changes are History rows on 'status' only (Anna's position edit is not one).
    assert report(crm_with_figures, "activity", *WEEK) == [
        {"agent": ANNA, "day": "2026-11-23", "companies": 2, "leads": 2, "communications": 2, "status_changes": 0},
        {"agent": ANNA, "day": "2026-11-24", "companies": 1, "leads": 2, "communications": 1, "status_changes": 0},
        {"agent": ANNA, "day": "2026-11-25", "companies": 0, "leads": 0, "communications": 0, "status_changes": 2},
        {"agent": BEN, "day": "2026-11-24", "companies": 1, "leads": 1, "communications": 0, "status_changes": 0},
        {"agent": BEN, "day": "2026-11-25", "companies": 0, "leads": 1, "communications": 3, "status_changes": 0},
        {"agent": BEN, "day": "2026-11-26", "companies": 0, "leads": 0, "communications": 0, "status_changes": 1},
    ]


def test_quota_sets_every_weekday_against_the_daily_target(crm_with_figures):
    rows = report(crm_with_figures, "quota", *WEEK)
    assert rows[0] == {"agent": ANNA, "day": "2026-11-23", "companies": 2, "target": 50, "attainment": 4.0}
    # Two agents (the admin and the manager added nothing and have no target) times five weekdays.
    assert [(row["agent"], row["day"][-2:], row["companies"]) for row in rows] == [
        (ANNA, "23", 2), (ANNA, "24", 1), (ANNA, "25", 0), (ANNA, "26", 0), (ANNA, "27", 0),
        (BEN, "23", 0), (BEN, "24", 1), (BEN, "25", 0), (BEN, "26", 0), (BEN, "27", 0)]
    assert {row["target"] for row in rows} == {50}


def test_quota_follows_the_daily_target_setting(crm_with_figures):
    assert crm_with_figures("config", "set", "daily_company_target", "4", acting=BOSS).exit_code == 0
    rows = report(crm_with_figures, "quota", *WEEK, "--agent", ANNA)
    assert (rows[0]["target"], rows[0]["attainment"]) == (4, 50.0)


def test_response_time_measures_inbound_leads_first_responses(crm_with_figures):
    # Anna: L1 0.5 h, L2 3 h (breach, 1 h allowed), L3 never answered (breach), L4 3 h at a client (4 h allowed).
    # Ben: L7 0.5 h (its inbound message at 09:10 is theirs, not a response); L5 is not inbound.
    assert report(crm_with_figures, "response-time", *WEEK) == [
        {"agent": ANNA, "inbound_leads": 4, "answered": 3, "mean_hours": 2.17, "median_hours": 3.0,
         "p90_hours": 3.0, "breaches": 2, "breach_rate": 50.0},
        {"agent": BEN, "inbound_leads": 1, "answered": 1, "mean_hours": 0.5, "median_hours": 0.5, "p90_hours": 0.5,
         "breaches": 0, "breach_rate": 0.0},
        {"agent": "(all)", "inbound_leads": 5, "answered": 4, "mean_hours": 1.75, "median_hours": 1.75,
         "p90_hours": 3.0, "breaches": 2, "breach_rate": 40.0},
    ]


def test_win_rate_is_won_over_won_and_lost(crm_with_figures):
    assert report(crm_with_figures, "win-rate", *WEEK) == [
        {"agent": ANNA, "pipeline": "sales", "won": 1, "lost": 1, "win_rate": 50.0},
        {"agent": BEN, "pipeline": "sales", "won": 0, "lost": 1, "win_rate": 0.0},
        {"agent": "(all)", "pipeline": "(all)", "won": 1, "lost": 2, "win_rate": 33.3},
    ]


def test_velocity_gives_days_to_close_and_time_in_each_stage(crm_with_figures):
    # To close: D2 3 d 2 h from L4, D3 2 d from L5, D5 4 d from its own creation (no lead).
    # In stage: Prospecting 2, 3 and 1 days; D1 in Proposal since the 25th 14:00 until the period's end
    # (4 d 10 h); D4 in New Leads since the 25th 12:00 (4.5 d); closed deals' last stages are not measured.
    # Time in stage gives the mean only.
    assert report(crm_with_figures, "velocity", *WEEK) == [
        {"measure": "lead to close", "pipeline": "sales", "stage": None, "deals": 3, "mean_days": 3.0,
         "median_days": 3.1, "p90_days": 4.0},
        {"measure": "time in stage", "pipeline": "sales", "stage": "Prospecting", "deals": 3, "mean_days": 2.0,
         "median_days": None, "p90_days": None},
        {"measure": "time in stage", "pipeline": "sales", "stage": "Proposal", "deals": 1, "mean_days": 4.4,
         "median_days": None, "p90_days": None},
        {"measure": "time in stage", "pipeline": "services", "stage": "New Leads", "deals": 1, "mean_days": 4.5,
         "median_days": None, "p90_days": None},
    ]


def test_scores_lists_the_best_scored_leads_first(crm_with_figures):
    rows = report(crm_with_figures, "scores", "--until", "2026-11-29", "--limit", "3")
    assert [(row["id"], row["score"], row["owner"]) for row in rows] == [("L4", 90, ANNA), ("L1", 80, ANNA),
                                                                        ("L7", 70, BEN)]
    assert [row["id"] for row in report(crm_with_figures, "scores")][-1] == "L6"  # June's lead, no period given


def test_review_backlog_counts_companies_due_by_country(crm_with_figures):
    # Due at the end of the 29th (last review or creation before 1 September): C11 (May) and C6 (reviewed
    # 20 August) in PL, C5 (August) in DE. Not due: clients (C3, C7), C8 (a lead at Call), C9 (archived),
    # C10 (reviewed in October), and the companies of November.
    assert report(crm_with_figures, "review", "--until", "2026-11-29") == [
        {"country": "PL", "due": 2, "oldest": "2026-05-01"},
        {"country": "DE", "due": 1, "oldest": "2026-08-01"},
    ]
    assert report(crm_with_figures, "review", "--until", "2026-11-29", "--country", "de") == [
        {"country": "DE", "due": 1, "oldest": "2026-08-01"}]


def test_an_agent_sees_its_own_figures(crm_with_figures):
    rows = report(crm_with_figures, "activity", *WEEK, acting=ANNA)
    assert {row["agent"] for row in rows} == {ANNA}
    assert report(crm_with_figures, "win-rate", *WEEK, acting=BEN) == [
        {"agent": BEN, "pipeline": "sales", "won": 0, "lost": 1, "win_rate": 0.0}]


def test_an_agent_may_not_ask_for_another_agents_figures(crm_with_figures):
    result = crm_with_figures("report", "funnel", "--agent", BEN, acting=ANNA)
    assert result.exit_code == 5
    assert "only its own" in one_line(result)


def test_a_manager_sees_one_agent_or_everyone(crm_with_figures):
    rows = report(crm_with_figures, "activity", *WEEK, "--agent", BEN, acting=MIA)
    assert {row["agent"] for row in rows} == {BEN}
    assert {row["agent"] for row in report(crm_with_figures, "activity", *WEEK, acting=MIA)} == {ANNA, BEN}


def test_country_keeps_that_countrys_agents_and_records(crm_with_figures):
    assert {row["agent"] for row in report(crm_with_figures, "activity", *WEEK, "--country", "DE")} == {BEN}
    assert [row["stage"] for row in report(crm_with_figures, "pipeline", *WEEK, "--country", "DE")] == ["Closed Lost"]


def test_an_unknown_agent_gives_an_empty_report_and_one_line(crm_with_figures):
    result = crm_with_figures("report", "funnel", "--agent", "nobody@example.com", "--format", "json", acting=MIA)
    assert result.exit_code == 0
    assert result.stdout.strip() == "[]"
    assert one_line(result) == "no agent 'nobody@example.com': nothing to report"


def test_a_period_without_data_gives_empty_reports(crm_with_figures):
    for name in REPORT_NAMES:
        if name != "review":
            assert report(crm_with_figures, name, "--since", "2020-01-01", "--until", "2020-01-31") == [], name


@pytest.mark.parametrize("name", REPORT_NAMES)
def test_an_empty_database_gives_an_empty_report(crm, name):
    assert crm.json("report", name) == []
    table = crm("report", name, "--format", "table")
    assert table.exit_code == 0 and table.stdout == ""
    assert one_line(table).startswith("no figures")


def test_csv_has_the_reports_columns(crm_with_figures):
    result = crm_with_figures("report", "win-rate", *WEEK, "--format", "csv", acting=BOSS)
    assert result.stdout.splitlines()[0] == "agent,pipeline,won,lost,win_rate"
    assert result.stdout.splitlines()[1] == f"{ANNA},sales,1,1,50.0"


@pytest.mark.parametrize("options, word", [
    (("--since", "2026-12-01", "--until", "2026-11-01"), "--since"),
    (("--since", "yesterday"), "--since"),
    (("--country", "Atlantis"), "country 'Atlantis' is not a known country"),
])
def test_bad_periods_and_countries_are_bad_input(crm, options, word):
    result = crm("report", "funnel", *options)
    assert result.exit_code == 2
    assert word in one_line(result)


def test_review_backlog_counts_what_review_due_lists(crm_with_figures):
    due = crm_with_figures.json("review", "due", "--today", "2026-11-29", "--all", acting=BOSS)
    backlog = report(crm_with_figures, "review", "--until", "2026-11-29")
    assert sum(row["due"] for row in backlog) == len(due) == 3


def test_an_agents_review_backlog_is_its_companies(crm_with_figures):
    assert report(crm_with_figures, "review", "--until", "2026-11-29", acting=BEN) == [
        {"country": "DE", "due": 1, "oldest": "2026-08-01"}]


def test_a_report_as_of_an_earlier_day_leaves_out_what_came_after(crm_with_figures):
    rows = report(crm_with_figures, "activity", "--today", "2026-11-23")
    assert max(row["day"] for row in rows) == "2026-11-23"  # nothing of the 24th or later
    assert report(crm_with_figures, "quota", "--since", "2026-11-23", "--today", "2026-11-24") == [
        {"agent": ANNA, "day": "2026-11-23", "companies": 2, "target": 50, "attainment": 4.0},
        {"agent": ANNA, "day": "2026-11-24", "companies": 1, "target": 50, "attainment": 2.0},
        {"agent": BEN, "day": "2026-11-23", "companies": 0, "target": 50, "attainment": 0.0},
        {"agent": BEN, "day": "2026-11-24", "companies": 1, "target": 50, "attainment": 2.0}]
