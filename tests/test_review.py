"""`review due` and `review done` (SPEC §5 review, §6, playbook 000 "Updates"), on every backend."""
import json

from playhouse import db_url as peewee_urls

from conftest import one_line

BOSS = "boss@example.com"
ANNA = "anna@example.com"
OTTO = "otto@example.com"


def company_args(name, country="PL"):
    slug = name.lower().replace(" ", "-")
    return ["add", "company", "--name", name, "--website", f"{slug}.example", "--linkedin",
            f"https://www.linkedin.com/company/{slug}", "--employees", "120", "--industry", "Robotics",
            "--country", country]


def run_sql(url, statement, params=()):
    """Set up what only time or another command would make (a company added months ago)."""
    database = peewee_urls.connect(url)
    try:
        database.execute_sql(statement.replace("?", database.param), params)
    finally:
        database.close()


def added_on(url, company, moment):
    run_sql(url, "UPDATE company SET created_at = ? WHERE id = ?", (moment, int(company[1:])))


def add_company(crm, name, country="PL", added="2026-01-01 10:00:00", acting=None):
    company = crm.json(*company_args(name, country), acting=acting)["id"]
    added_on(crm.url, company, added)
    return company


def due_ids(crm, *options, acting=None):
    return [company["id"] for company in crm.json("review", "due", *options, acting=acting)]


def test_a_company_is_due_ninety_days_after_it_was_added(crm):
    acme = add_company(crm, "Acme Robotics", added="2026-01-01 10:00:00")
    assert due_ids(crm, "--today", "2026-03-31") == []
    assert due_ids(crm, "--today", "2026-04-01") == [acme]


def test_due_companies_come_oldest_review_first(crm):
    acme = add_company(crm, "Acme Robotics", added="2026-01-05 10:00:00")
    beta = add_company(crm, "Beta Steel", added="2026-01-01 10:00:00")
    gamma = add_company(crm, "Gamma Foods", added="2025-06-01 10:00:00")
    run_sql(crm.url, "UPDATE company SET last_reviewed_at = ? WHERE id = ?", ("2026-01-03 08:00:00", int(gamma[1:])))
    assert due_ids(crm, "--today", "2026-06-01") == [beta, gamma, acme]


def test_clients_not_relevant_archived_and_called_companies_are_never_due(crm):
    client = add_company(crm, "Client Works")
    irrelevant = add_company(crm, "Irrelevant Works")
    archived = add_company(crm, "Archived Works")
    called = add_company(crm, "Called Works")
    due = add_company(crm, "Due Works")
    crm.json("edit", client, "--set", "relationship=client")
    crm.json("edit", irrelevant, "--set", "relationship=not relevant")
    run_sql(crm.url, "UPDATE company SET archived_at = ? WHERE id = ?", ("2026-02-01 00:00:00", int(archived[1:])))
    lead = crm.json("add", "lead", "--company", called, "--name", "Carl Call", "--position", "CEO")["id"]
    run_sql(crm.url, "UPDATE lead SET status = 'Call' WHERE id = ?", (int(lead[1:]),))
    assert due_ids(crm, "--today", "2026-06-01") == [due]


def test_due_filters_by_country_and_by_the_agent_working_on_it(crm):
    crm.json("agent", "add", BOSS, "--name", "Boss", "--role", "admin", "--country", "PL")
    crm.json("agent", "add", OTTO, "--name", "Otto", "--role", "agent", "--country", "DE", acting=BOSS)
    acme = add_company(crm, "Acme Robotics", acting=BOSS)
    weber = add_company(crm, "Weber Stahl", country="DE", acting=BOSS)
    schmidt = add_company(crm, "Schmidt Logistik", country="DE", acting=BOSS)
    assert due_ids(crm, "--today", "2026-06-01", "--country", "de", acting=BOSS) == [weber, schmidt]
    assert due_ids(crm, "--today", "2026-06-01", "--agent", OTTO, acting=BOSS) == []
    crm.json("review", "done", schmidt, acting=OTTO)
    run_sql(crm.url, "UPDATE company SET last_reviewed_at = ? WHERE id = ?", ("2026-01-01 00:00:00", int(schmidt[1:])))
    assert due_ids(crm, "--today", "2026-06-01", "--agent", OTTO, acting=BOSS) == [schmidt]
    assert acme in due_ids(crm, "--today", "2026-06-01", acting=BOSS)


def test_the_review_interval_is_a_setting(crm):
    acme = add_company(crm, "Acme Robotics", added="2026-01-01 10:00:00")
    crm.json("config", "set", "review_interval_days", "30")
    assert due_ids(crm, "--today", "2026-01-31") == [acme]
    assert due_ids(crm, "--today", "2026-01-30") == []


def test_due_prints_csv_with_a_header_and_limits(crm):
    add_company(crm, "Acme Robotics")
    add_company(crm, "Beta Steel")
    result = crm("review", "due", "--today", "2026-06-01", "--format", "csv", "--limit", "1")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("id,name,website") and lines[1].startswith("C1,Acme Robotics")
    assert len(lines) == 2
    empty = crm("review", "due", "--today", "2026-02-01", "--format", "csv")
    assert empty.stdout.splitlines() == [lines[0]]


def test_due_with_a_bad_date_or_unknown_agent_is_one_line(crm):
    bad = crm("review", "due", "--today", "yesterday")
    assert bad.exit_code == 2 and "--today" in one_line(bad)
    unknown = crm("review", "due", "--agent", "nobody@example.com")
    assert unknown.exit_code == 4 and "nobody@example.com" in one_line(unknown)


def test_review_done_does_the_playbook_update_in_one_go(crm):
    crm.json("agent", "add", BOSS, "--name", "Boss", "--role", "admin", "--country", "PL")
    crm.json("agent", "add", ANNA, "--name", "Anna", "--role", "agent", "--country", "PL",
             "--linkedin-account", "anna-li", acting=BOSS)
    acme = add_company(crm, "Acme Robotics", acting=ANNA)
    interested = crm.json("add", "lead", "--company", acme, "--name", "Ida Nowak", "--position", "CTO",
                          acting=ANNA)["id"]
    called = crm.json("add", "lead", "--company", acme, "--name", "Carl Kowalski", "--position", "CEO",
                      acting=ANNA)["id"]
    run_sql(crm.url, "UPDATE lead SET status = 'Interested', inactive_at = ? WHERE id = ?",
            ("2026-02-01 00:00:00", int(interested[1:])))
    run_sql(crm.url, "UPDATE lead SET status = 'Call' WHERE id = ?", (int(called[1:]),))
    result = crm("review", "done", acme, "--format", "json", acting=ANNA)
    assert result.exit_code == 0, result.output
    company = json.loads(result.stdout)
    assert company["id"] == acme
    assert company["active_agents"] == [ANNA]
    assert company["linkedin_accounts"] == ["anna-li"]  # her only account, when she names none
    assert company["last_reviewed_at"]
    assert result.stderr.strip() == f'{acme} reviewed: 1 lead back to Sent Request, note N1 "Updated"'
    leads = {lead["id"]: lead for lead in crm.json("list", "leads")}
    assert leads[interested]["status"] == "Sent Request" and leads[interested]["inactive_at"] is None
    assert leads[called]["status"] == "Call"
    note = crm.json("show", "N1")
    assert (note["text"], note["subject"], note["author"]) == ("Updated", acme, ANNA)
    history = crm.json("history", acme)
    assert {(row["field"], row["action"]) for row in history} >= {("last_reviewed_at", "review"),
                                                                  ("active_agents", "review"),
                                                                  ("linkedin_accounts", "review")}
    assert ("status", "Interested", "Sent Request") in {(row["field"], row["old_value"], row["new_value"])
                                                        for row in crm.json("history", interested)}


def test_review_done_again_adds_a_named_account_once(crm):
    acme = add_company(crm, "Acme Robotics")
    crm.json("review", "done", acme, "--linkedin-account", "team-li")
    company = crm.json("review", "done", acme, "--linkedin-account", "team-li")
    assert company["linkedin_accounts"] == ["team-li"]
    assert due_ids(crm, "--today", "2026-06-01") == []


def test_an_agent_reviews_only_companies_of_its_country(crm):
    crm.json("agent", "add", BOSS, "--name", "Boss", "--role", "admin", "--country", "PL")
    crm.json("agent", "add", OTTO, "--name", "Otto", "--role", "agent", "--country", "DE", acting=BOSS)
    acme = add_company(crm, "Acme Robotics", acting=BOSS)
    refused = crm("review", "done", acme, acting=OTTO)
    assert refused.exit_code == 3
    assert one_line(refused) == f"crmctl: error: {OTTO} reviews companies only in DE, not in PL"
    assert crm.json("review", "done", acme, acting=BOSS)["active_agents"] == [BOSS]


def test_review_done_of_an_unknown_company_exits_4(crm):
    result = crm("review", "done", "C99")
    assert result.exit_code == 4 and one_line(result) == "crmctl: error: C99 not found"
    wrong_kind = crm("review", "done", "L1")
    assert wrong_kind.exit_code == 2
