"""`review run`, the cron job (SPEC §5, §6 review, §8; playbooks 000, 001, 004), on every backend.

Days are given with --today (the run works as of the end of that UTC day);
2026-03-02 is a Monday. What only time or another program would make (a
company added months ago, a form submission, an answer from a lead) is set up
with SQL.
"""
import json
import os
import subprocess
import sys
import time

import peewee
import pytest
from playhouse import db_url as peewee_urls

from conftest import Crm, one_line
from test_review import BOSS, ANNA, OTTO, add_company, added_on, company_args, run_sql

PIA = "pia@example.com"


def run(crm, today, *options, acting=None):
    return crm.json("review", "run", "--today", today, *options, acting=acting)


def tasks(crm, acting=None):
    return crm.json("list", "tasks", "--all", acting=acting)


def add_lead(crm, company, name="Anna Nowak", acting=None):
    return crm.json("add", "lead", "--company", company, "--name", name, "--position", "CTO", acting=acting)["id"]


def add_comm(crm, lead, on, direction="outbound"):
    comm = crm.json("add", "comm", lead, "--type", "Follow-up", "--channel", "Email", "--on", on)["id"]
    run_sql(crm.url, "UPDATE communication SET direction = ? WHERE id = ?", (direction, int(comm[1:])))
    return comm


def add_submission(crm, lead, company, at):
    run_sql(crm.url, "INSERT INTO submission (lead_id, company_id, data, received_at, created_at) "
                     "VALUES (?, ?, '{}', ?, ?)", (int(lead[1:]), int(company[1:]), at, at))


def only(summary, **expected):
    """The summary's task and write counts: those named as given, every other zero."""
    counted = ("review_tasks", "review_tasks_unassigned", "follow_up_tasks", "reengagement_tasks", "renewal_tasks",
               "account_review_tasks", "deal_follow_up_tasks", "feedback_tasks", "appointment_reminders",
               "marked_inactive")
    assert {key: summary[key] for key in counted} == {key: expected.get(key, 0) for key in counted}


# ---------------------------------------------------------------------------
# Review tasks
# ---------------------------------------------------------------------------


def test_review_tasks_go_in_turn_to_the_active_agents_of_each_country(crm):
    crm.json("agent", "add", BOSS, "--name", "Boss", "--role", "admin")
    crm.json("agent", "add", ANNA, "--name", "Anna", "--role", "agent", "--country", "PL", acting=BOSS)
    crm.json("agent", "add", PIA, "--name", "Pia", "--role", "agent", "--country", "PL", acting=BOSS)
    crm.json("agent", "add", OTTO, "--name", "Otto", "--role", "agent", "--country", "DE", acting=BOSS)
    polish = [add_company(crm, f"Polska Firma {n}", acting=BOSS) for n in range(4)]
    german = add_company(crm, "Weber Stahl", country="DE", acting=BOSS)
    french = add_company(crm, "Dubois Freres", country="FR", acting=BOSS)
    summary = run(crm, "2026-06-01", acting=BOSS)
    only(summary, review_tasks=6, review_tasks_unassigned=1)
    assignee = {task["subject"]: task["assignee"] for task in tasks(crm, acting=BOSS)}
    assert [assignee[company] for company in polish] == [PIA, ANNA, PIA, ANNA]  # C1 to the second of two, ...
    assert (assignee[german], assignee[french]) == (OTTO, None)
    assert {task["due_at"] for task in tasks(crm, acting=BOSS)} == {"2026-06-01T09:00:00Z"}


def test_a_review_task_says_which_company_and_since_when_and_its_creation_is_in_history(crm):
    crm.json("agent", "add", BOSS, "--name", "Boss", "--role", "admin")
    name = "Łódź Söhne & O'Brien"
    arguments = company_args(name)
    arguments[arguments.index("--website") + 1] = "https://lodz-sohne.pl"
    arguments[arguments.index("--linkedin") + 1] = "https://www.linkedin.com/company/lodz-sohne"
    company = crm.json(*arguments, acting=BOSS)["id"]
    added_on(crm.url, company, "2026-01-15 23:59:59.9999")  # its day is the 15th, however late
    assert run(crm, "2026-04-14", acting=BOSS)["review_tasks"] == 0
    only(run(crm, "2026-04-15", acting=BOSS), review_tasks=1, review_tasks_unassigned=1)
    (task,) = tasks(crm, acting=BOSS)
    assert task["text"] == (f"Review {company} {name} (due since 2026-04-15), "
                            f"then `crmctl review done {company}`")
    created = [row for row in crm.json("history", task["id"], acting=BOSS) if row["action"] == "create"]
    assert [row["agent"] for row in created] == [BOSS]


def test_tasks_stored_under_the_keys_earlier_runs_wrote_are_not_made_again(crm):
    # The job keys are a contract with the tasks already in a database: an upgraded crmctl must name the
    # same task the same way, or its first run would make every open task a second time.
    company = add_company(crm, "Wisla Robotics")
    client = add_company(crm, "Tatra Meble")
    crm.json("edit", client, "--set", "relationship=client")
    lead = add_lead(crm, company)
    add_comm(crm, lead, "2026-03-02T10:00:00")
    for hung_on, key in ((company, f"review:{company}:2026-04-01"), (client, f"account-review:{client}:2026-Q1"),
                         (client, f"account-review:{client}:2026-Q2"), (lead, f"follow-up:{lead}:20260302T100000:d3")):
        column = "company_id" if hung_on.startswith("C") else "lead_id"
        run_sql(crm.url, f"INSERT INTO task ({column}, kind, due_at, text, job_key, created_at) "
                         "VALUES (?, 'task', '2026-03-01 09:00:00', 'stored earlier', ?, '2026-03-01 09:00:00')",
                (int(hung_on[1:]), key))
    only(run(crm, "2026-03-05", "--dry-run"))
    only(run(crm, "2026-03-05"))
    only(run(crm, "2026-04-01"), marked_inactive=1)
    assert len(tasks(crm)) == 4


def test_a_rerun_creates_nothing_twice_and_a_dry_run_writes_nothing(crm):
    for n in range(3):
        add_company(crm, f"Firma {n}")
    dry = run(crm, "2026-06-01", "--dry-run")
    assert dry["dry_run"] is True
    only(dry, review_tasks=3, review_tasks_unassigned=3)
    assert tasks(crm) == []
    only(run(crm, "2026-06-01"), review_tasks=3, review_tasks_unassigned=3)
    only(run(crm, "2026-06-01"))
    only(run(crm, "2026-06-02"))  # still due, same review cycle: the same task
    only(run(crm, "2026-06-02", "--dry-run"))
    assert len(tasks(crm)) == 3


def test_review_done_closes_the_review_task_and_starts_a_new_cycle(crm):
    acme = add_company(crm, "Acme Robotics")
    run(crm, "2026-06-01")
    crm.json("review", "done", acme)
    (task,) = tasks(crm)
    assert task["done"] is True
    assert crm.json("review", "due") == []


# ---------------------------------------------------------------------------
# Follow-up cadence, inactive leads, re-engagement
# ---------------------------------------------------------------------------


def test_follow_ups_come_on_day_1_3_7_and_14_then_the_lead_is_inactive_and_re_engaged_monthly(crm):
    lead = add_lead(crm, add_company(crm, "Acme Robotics", added="2026-03-01 10:00:00"))
    add_comm(crm, lead, "2026-03-02T10:00:00")
    days = {"2026-03-02": {}, "2026-03-03": {"follow_up_tasks": 1}, "2026-03-04": {},
            "2026-03-05": {"follow_up_tasks": 1}, "2026-03-09": {"follow_up_tasks": 1},
            "2026-03-16": {"follow_up_tasks": 1}, "2026-03-17": {"marked_inactive": 1}, "2026-04-15": {},
            "2026-04-16": {"reengagement_tasks": 1}, "2026-04-20": {}, "2026-05-16": {"reengagement_tasks": 1}}
    for day, expected in days.items():
        only(run(crm, day, "--dry-run"), **expected)  # a dry run first: it counts what the run then does
        only(run(crm, day), **expected)
    texts = [task["text"] for task in tasks(crm)]
    assert texts[:4] == [f"Follow up with {lead}, day {step}{final}: no answer since 2026-03-02"
                         for step, final in ((1, ""), (3, ""), (7, ""),
                                             (14, " (the last one before the lead is marked inactive)"))]
    assert texts[4:] == [f"Re-engage {lead}: inactive since 2026-03-17"] * 2
    (lead_shape,) = crm.json("list", "leads")
    assert lead_shape["inactive_at"] == "2026-03-17T23:59:59Z"
    assert {row["field"] for row in crm.json("history", lead) if row["action"] == "review run"} == {"inactive_at"}


def test_a_dry_run_marks_no_lead_inactive(crm):
    lead = add_lead(crm, add_company(crm, "Acme Robotics", added="2026-03-01 10:00:00"))
    add_comm(crm, lead, "2026-03-02T10:00:00")
    only(run(crm, "2026-03-17", "--dry-run"), follow_up_tasks=0, marked_inactive=1)
    assert crm.json("list", "leads")[0]["inactive_at"] is None
    assert tasks(crm) == []


def test_a_missed_day_gives_the_latest_step_only(crm):
    lead = add_lead(crm, add_company(crm, "Acme Robotics", added="2026-03-01 10:00:00"))
    add_comm(crm, lead, "2026-03-02T10:00:00")
    only(run(crm, "2026-03-08"), follow_up_tasks=1)
    assert [task["text"] for task in tasks(crm)] == [f"Follow up with {lead}, day 3: no answer since 2026-03-02"]


def test_an_answer_stops_the_cadence_and_the_next_outreach_starts_it_again(crm):
    lead = add_lead(crm, add_company(crm, "Acme Robotics", added="2026-03-01 10:00:00"))
    add_comm(crm, lead, "2026-03-02T10:00:00")
    add_comm(crm, lead, "2026-03-02T15:00:00", direction="inbound")
    only(run(crm, "2026-03-05"))
    add_comm(crm, lead, "2026-03-06T09:00:00")
    only(run(crm, "2026-03-07"), follow_up_tasks=1)
    assert tasks(crm)[0]["text"] == f"Follow up with {lead}, day 1: no answer since 2026-03-06"


def test_leads_whose_status_says_what_comes_next_get_no_follow_up(crm):
    company = add_company(crm, "Acme Robotics", added="2026-03-01 10:00:00")
    for status in ("Not Interested", "Call"):
        lead = add_lead(crm, company, name=f"{status} Person")
        add_comm(crm, lead, "2026-03-02T10:00:00")
        run_sql(crm.url, "UPDATE lead SET status = ? WHERE id = ?", (status, int(lead[1:])))
    only(run(crm, "2026-03-03"))


# ---------------------------------------------------------------------------
# Reminders and response times
# ---------------------------------------------------------------------------


def test_reminders_due_today_are_listed_with_their_ids(crm):
    lead = add_lead(crm, add_company(crm, "Acme Robotics"))
    run_sql(crm.url, "UPDATE lead SET status = 'Follow Up', follow_up_on = ? WHERE id = ?",
            ("2026-03-04", int(lead[1:])))
    comm = crm.json("add", "comm", lead, "--type", "Follow-up", "--channel", "Email", "--on", "2026-03-01",
                    "--follow-up-on", "2026-03-04")["id"]
    task = crm.json("add", "task", lead, "--kind", "call", "--due", "2026-03-04T13:00:00")["id"]
    crm.json("add", "task", lead, "--kind", "call", "--due", "2026-03-05T13:00:00")
    summary = run(crm, "2026-03-04")
    assert summary["reminders"]["leads"] == [lead]
    assert summary["reminders"]["communications"] == [comm]
    assert task in summary["reminders"]["tasks"]
    assert summary["reminders_follow_up_dates"] == 1 and summary["reminders_communication_follow_ups"] == 1
    table = crm("review", "run", "--today", "2026-03-04", "--format", "table")
    assert "reminders_follow_up_dates" in table.stdout and "[" not in table.stdout


def test_a_new_inbound_lead_unanswered_for_a_business_hour_is_a_breach(crm):
    company = add_company(crm, "Acme Robotics")
    slow, quick, friday = (add_lead(crm, company, name=name) for name in ("Slow Lead", "Quick Lead", "Friday Lead"))
    add_submission(crm, slow, company, "2026-03-02 10:00:00")
    add_submission(crm, quick, company, "2026-03-02 10:00:00")
    add_comm(crm, quick, "2026-03-02T10:30:00")
    add_submission(crm, friday, company, "2026-03-06 16:30:00")
    summary = run(crm, "2026-03-02")
    assert summary["breaches"] == [{"lead": slow, "kind": "new lead", "since": "2026-03-02T10:00:00Z",
                                    "deadline": "2026-03-02T11:00:00Z", "first_response": None}]
    assert summary["response_time_breaches"] == 1
    assert run(crm, "2026-03-06")["breaches"] == []  # its hour runs on Monday morning
    assert [(b["lead"], b["deadline"]) for b in run(crm, "2026-03-09")["breaches"]] == [
        (friday, "2026-03-09T09:30:00Z")]


def test_an_existing_customer_gets_four_business_hours(crm):
    company = add_company(crm, "Acme Robotics")
    crm.json("edit", company, "--set", "relationship=client")
    lead = add_lead(crm, company)
    add_comm(crm, lead, "2026-03-02T10:00:00", direction="inbound")
    assert run(crm, "2026-03-02T13:59:00")["breaches"] == []
    (breach,) = run(crm, "2026-03-02")["breaches"]
    assert (breach["kind"], breach["deadline"]) == ("customer", "2026-03-02T14:00:00Z")


def test_a_long_response_time_is_still_met_by_its_breach_weeks_later(crm):
    crm.json("config", "set", "response_time_new_lead_hours", "200")  # five weeks of 8 hours a day, Mon-Fri
    company = add_company(crm, "Acme Robotics")
    lead = add_lead(crm, company)
    add_submission(crm, lead, company, "2026-03-02 09:00:00")
    assert run(crm, "2026-04-02")["breaches"] == []
    (breach,) = run(crm, "2026-04-03")["breaches"]
    assert (breach["lead"], breach["deadline"]) == (lead, "2026-04-03T17:00:00Z")


def test_business_hours_too_short_for_a_response_time_are_still_counted_to_the_end(crm):
    crm.json("config", "set", "business_hours", "09:00-09:01")
    crm.json("config", "set", "business_days", "Mon")
    crm.json("config", "set", "response_time_new_lead_hours", "100")
    company = add_company(crm, "Acme Robotics")
    lead = add_lead(crm, company)
    add_submission(crm, lead, company, "2026-03-02 09:00:00")
    summary = run(crm, "2026-03-02")  # 100 business hours are 6,000 Mondays away: no breach yet, and no error
    assert summary["breaches"] == [] and summary["response_time_breaches"] == 0


def test_business_hours_are_settings_checked_when_set(crm):
    crm.json("config", "set", "business_hours", "08:00-12:00")
    crm.json("config", "set", "business_days", "Mon,Wed")
    company = add_company(crm, "Acme Robotics")
    lead = add_lead(crm, company)
    add_submission(crm, lead, company, "2026-03-02 11:30:00")  # Monday: half an hour left, the rest on Wednesday
    (breach,) = run(crm, "2026-03-04")["breaches"]
    assert breach["deadline"] == "2026-03-04T08:30:00Z"
    for key, value in (("business_hours", "17:00-09:00"), ("business_days", "Funday"),
                       ("business_timezone", "Mars/Olympus")):
        result = crm("config", "set", key, value)
        assert result.exit_code == 2 and key in one_line(result)


def test_business_hours_are_the_teams_wall_clock(crm):
    crm.json("config", "set", "business_timezone", "Europe/Warsaw")
    company = add_company(crm, "Acme Robotics")
    lead = add_lead(crm, company)
    add_submission(crm, lead, company, "2026-03-02 07:30:00")  # 08:30 in Warsaw: the clock starts at 09:00
    (breach,) = run(crm, "2026-03-02")["breaches"]
    assert breach["deadline"] == "2026-03-02T09:00:00Z"  # 10:00 in Warsaw


# ---------------------------------------------------------------------------
# Clients and the services pipeline
# ---------------------------------------------------------------------------


def test_clients_get_a_renewal_task_90_days_ahead_and_an_account_review_each_quarter(crm):
    company = add_company(crm, "Acme Robotics")
    crm.json("edit", company, "--set", "relationship=client")
    deal = crm.json("add", "deal", "--company", company, "--pipeline", "sales", "--name", "Support contract",
                    "--stage", "Closed Won")["id"]
    run_sql(crm.url, "UPDATE deal SET contract_end = ? WHERE id = ?", ("2026-06-30", int(deal[1:])))
    only(run(crm, "2026-03-31"), account_review_tasks=1)
    only(run(crm, "2026-04-01"), renewal_tasks=1, account_review_tasks=1)
    only(run(crm, "2026-05-15"))
    texts = [task["text"] for task in tasks(crm)]
    assert f"Start the renewal of {deal} Support contract: its contract ends on 2026-06-30" in texts
    assert f"Quarterly account review of {company} Acme Robotics (2026-Q2)" in texts


def test_an_account_review_goes_to_the_clients_owner_or_else_in_turn(crm):
    crm.json("agent", "add", BOSS, "--name", "Boss", "--role", "admin")
    crm.json("agent", "add", ANNA, "--name", "Anna", "--role", "agent", "--country", "PL", acting=BOSS)
    crm.json("agent", "add", PIA, "--name", "Pia", "--role", "agent", "--country", "PL", acting=BOSS)
    unowned, owned = (add_company(crm, name, acting=BOSS) for name in ("Wisla Logistyka", "Tatra Meble"))
    for company in (unowned, owned):
        crm.json("edit", company, "--set", "relationship=client", acting=BOSS)
    run_sql(crm.url, "UPDATE company SET owner_id = NULL WHERE id = ?", (int(unowned[1:]),))
    run_sql(crm.url, "UPDATE company SET owner_id = (SELECT id FROM agent WHERE email = ?) WHERE id = ?",
            (ANNA, int(owned[1:])))
    only(run(crm, "2026-03-31", acting=BOSS), account_review_tasks=2)
    assignee = {task["subject"]: task["assignee"] for task in tasks(crm, acting=BOSS)}
    assert (assignee[unowned], assignee[owned]) == (PIA, ANNA)  # C1 to the second of the two Polish agents


def services_deal(crm, company, stage, **times):
    deal = crm.json("add", "deal", "--company", company, "--pipeline", "services", "--name", stage,
                    "--stage", stage)["id"]
    for column, value in times.items():
        run_sql(crm.url, f"UPDATE deal SET {column} = ? WHERE id = ?", (value, int(deal[1:])))
    return deal


def test_the_services_pipeline_automation(crm):
    company = add_company(crm, "Acme Robotics", added="2026-03-01 10:00:00")
    new = services_deal(crm, company, "New Leads", stage_entered_at="2026-03-02 10:00:00")
    waiting = services_deal(crm, company, "Follow Up With", stage_entered_at="2026-02-01 10:00:00",
                            touched_at="2026-03-02 10:00:00")
    services_deal(crm, company, "Stop Automation/Nurture", stage_entered_at="2026-03-02 10:00:00")
    completed = services_deal(crm, company, "Service Completed", stage_entered_at="2026-03-02 10:00:00")
    meeting = crm.json("add", "task", company, "--kind", "meeting", "--due", "2026-03-04T10:00:00")["id"]
    only(run(crm, "2026-03-03"), deal_follow_up_tasks=1, feedback_tasks=1, appointment_reminders=1)
    only(run(crm, "2026-03-31"), deal_follow_up_tasks=1)  # New Leads, day 14; Follow Up With waits 30 days
    only(run(crm, "2026-04-02"), deal_follow_up_tasks=1)  # Follow Up With, day 1 after its 30 days
    subjects = [(task["subject"], task["text"]) for task in tasks(crm) if task["id"] != meeting]
    assert subjects == [
        (new, f"Follow up on {new} (New Leads), day 1"),
        (completed, f"Ask {completed}'s customer how the service went, then "
                    f"`crmctl deal feedback {completed} positive|negative`"),
        (company, f"Send the appointment reminder for the meeting {meeting} at 2026-03-04T10:00:00Z"),
        (new, f"Follow up on {new} (New Leads), day 14"),
        (waiting, f"Follow up on {waiting} (Follow Up With), day 1"),
    ]


# ---------------------------------------------------------------------------
# Output, permissions
# ---------------------------------------------------------------------------


def test_quiet_prints_nothing_and_still_works(crm):
    add_company(crm, "Acme Robotics")
    for arguments in (["--quiet", "review", "run", "--today", "2026-06-01"],
                      ["review", "run", "--today", "2026-06-02", "--quiet"]):
        result = crm(*arguments)
        assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert len(tasks(crm)) == 1


def test_an_agent_may_look_but_only_a_manager_runs_the_job(crm):
    crm.json("agent", "add", BOSS, "--name", "Boss", "--role", "admin")
    crm.json("agent", "add", ANNA, "--name", "Anna", "--role", "agent", "--country", "PL", acting=BOSS)
    add_company(crm, "Acme Robotics", acting=BOSS)
    refused = crm("review", "run", "--today", "2026-06-01", acting=ANNA)
    assert refused.exit_code == 5 and ANNA in one_line(refused)
    only(run(crm, "2026-06-01", "--dry-run", acting=ANNA), review_tasks=1)
    bad = crm("review", "run", "--today", "2026-13-01", acting=BOSS)
    assert bad.exit_code == 2 and "--today" in one_line(bad)


# ---------------------------------------------------------------------------
# Two runs at the same moment (SPEC §8): real processes, on every backend
# ---------------------------------------------------------------------------

RACER = """
import json, os, sys, time
from click.testing import CliRunner
from crmctl.cli import cli
import crmctl.jobs.review_run, crmctl.cli.output
folder, url, days = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
runner = CliRunner()
for number, day in enumerate(days):
    open(os.path.join(folder, f"ready-{number}-{os.getpid()}"), "w").close()
    while not os.path.exists(os.path.join(folder, f"go-{number}")):
        time.sleep(0.0005)
    result = runner.invoke(cli, ["--db", url, "review", "run", "--today", day, "--format", "json"])
    error = "" if result.exception is None or isinstance(result.exception, SystemExit) else repr(result.exception)
    print(json.dumps([result.exit_code, result.stdout, result.stderr + error]), flush=True)
"""
RACE_DAYS = [f"2026-06-{day:02d}" for day in range(1, 7)]
DUE_A_DAY = 6


def test_two_runs_started_at_the_same_moment_create_each_task_once(crm, tmp_path):
    """Each day six more companies fall due and one lead reaches a step: two racing runs make them once."""
    assert crm("db", "upgrade").exit_code == 0  # a SQLite file is created on first use
    values = []
    for day in range(len(RACE_DAYS)):
        for n in range(DUE_A_DAY):
            values.append((f"Firma {day}-{n}", f"firma {day} {n}", f"2026-03-{day + 3:02d} 10:00:00"))
    for name, key, added in values:
        run_sql(crm.url, "INSERT INTO company (name, name_key, country, relationship, active_agents, "
                         "linkedin_accounts, created_at, updated_at) VALUES (?, ?, 'PL', 'prospect', '[]', '[]', ?, ?)",
                (name, key, added, added))
    lead = add_lead(crm, "C1")
    add_comm(crm, lead, "2026-05-31T10:00:00")
    folder = str(tmp_path / "race")
    os.makedirs(folder)
    racers = [subprocess.Popen([sys.executable, "-c", RACER, folder, crm.url, json.dumps(RACE_DAYS)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    try:
        for number, day in enumerate(RACE_DAYS):
            deadline = time.monotonic() + 120
            while sum(name.startswith(f"ready-{number}-") for name in os.listdir(folder)) < len(racers):
                assert all(racer.poll() is None for racer in racers), [racer.communicate() for racer in racers]
                assert time.monotonic() < deadline, "the racers never reached the barrier"
                time.sleep(0.002)
            open(os.path.join(folder, f"go-{number}"), "w").close()
            results = [json.loads(racer.stdout.readline()) for racer in racers]
            assert [code for code, _, _ in results] == [0, 0], results
            summaries = [json.loads(stdout) for _, stdout, _ in results]
            # Day 1 (June 1): every company added up to March 3 is due; then six more each day.
            assert sum(s["review_tasks"] for s in summaries) == DUE_A_DAY, summaries
            assert sorted(s["follow_up_tasks"] for s in summaries) == [0, int(day in ("2026-06-01", "2026-06-03"))]
            texts = [task["text"] for task in tasks(crm)]
            assert len(texts) == len(set(texts)) == DUE_A_DAY * (number + 1) + (1 if number < 2 else 2)
    finally:
        for racer in racers:
            racer.kill()
            racer.communicate()


# ---------------------------------------------------------------------------
# People keep working while the job writes (its INSERT ... SELECTs read every company)
# ---------------------------------------------------------------------------

HOLDER = """
import json, os, sys, time
from click.testing import CliRunner
from crmctl.cli import cli
import crmctl.jobs.review_run as review_run
folder, url = sys.argv[1], sys.argv[2]
mark_inactive = review_run.mark_inactive

def held_open(*arguments):
    # Inside the run's transaction, after its tasks are written: wait while another user edits a company.
    open(os.path.join(folder, "writing"), "w").close()
    deadline = time.monotonic() + 60
    while not os.path.exists(os.path.join(folder, "edited")) and time.monotonic() < deadline:
        time.sleep(0.01)
    return mark_inactive(*arguments)

review_run.mark_inactive = held_open
result = CliRunner().invoke(cli, ["--db", url, "review", "run", "--today", "2026-06-01", "--format", "json"])
print(json.dumps([result.exit_code, result.stdout, result.stderr]), flush=True)
"""


def test_a_company_can_be_edited_while_the_run_writes(crm, tmp_path):
    if crm.url.startswith("sqlite"):
        pytest.skip("SQLite writes one transaction at a time by design; a server must not lock what the job reads")
    for name in ("Wisla Robotics", "Tatra Meble", "Odra Logistyka"):
        add_company(crm, name)
    recent = add_company(crm, "Baltyk Shipping", added="2026-05-20 10:00:00")  # not due: the job only reads it
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path), crm.url], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "writing").exists() and holder.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert (tmp_path / "writing").exists(), holder.communicate()[1]
        database = peewee_urls.connect(crm.url)
        try:
            lock_wait = ("SET SESSION innodb_lock_wait_timeout = 3" if crm.url.startswith("mysql")
                         else "SET lock_timeout = '3s'")
            database.execute_sql(lock_wait)
            try:
                database.execute_sql(f"UPDATE company SET city = {database.param} WHERE id = {database.param}",
                                     ("Gdansk", int(recent[1:])))
                edited = "edited"
            except peewee.OperationalError as error:
                edited = f"refused: {error}"
        finally:
            database.close()
    finally:
        (tmp_path / "edited").touch()
        out, err = holder.communicate(timeout=120)
    assert edited == "edited"
    exit_code, stdout, stderr = json.loads(out.strip().splitlines()[-1])
    assert exit_code == 0, stderr + err
    only(json.loads(stdout), review_tasks=3, review_tasks_unassigned=3)
    assert crm.json("show", recent)["city"] == "Gdansk"


def test_a_database_user_who_may_not_make_temporary_tables_still_runs_the_job(crm, backend):
    """The run keeps the unanswered outreach in a temporary table when it may, and asks the query when not."""
    if backend != "postgresql":
        pytest.skip("the right to make temporary tables is PostgreSQL's to take away per database")
    company = add_company(crm, "Acme Robotics")
    lead = add_lead(crm, company)
    add_comm(crm, lead, "2026-05-28T10:00:00")
    database_name = crm.url.rsplit("/", 1)[1]
    role = f"crmctl_app_{os.getpid()}"
    grants = (f'REVOKE TEMPORARY ON DATABASE "{database_name}" FROM PUBLIC',
              f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
              f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
    run_sql(crm.url, f"CREATE ROLE {role} LOGIN")
    try:
        for statement in grants:
            run_sql(crm.url, statement)
        restricted = Crm(crm.url.replace("//postgres@", f"//{role}@"))
        summary = restricted.json("review", "run", "--today", "2026-06-01")
        assert summary["follow_up_tasks"] == 1  # day 4 of the cadence: the step of day 3
        assert restricted.json("review", "run", "--today", "2026-06-01")["follow_up_tasks"] == 0
    finally:
        run_sql(crm.url, f"DROP OWNED BY {role}")
        run_sql(crm.url, f"DROP ROLE {role}")
