"""`status` (SPEC §5, §6): the eight statuses, their dates, who may change them, in bulk, and their history."""
import os
import pty
import subprocess
import sys

import pytest

from conftest import one_line

BOSS = "boss@example.com"
MIA = "mia@example.com"  # a manager
ANNA = "anna@example.com"  # an agent in Poland
OLAF = "olaf@example.com"  # another agent in Poland


def add_company(crm, name, website, country="PL", industry="Robotics", acting=None):
    return crm.json("add", "company", "--name", name, "--website", website,
                    "--linkedin", f"https://www.linkedin.com/company/{website.split('.')[0]}", "--employees", "120",
                    "--industry", industry, "--country", country, acting=acting)["id"]


def add_lead(crm, company, name, *extra, acting=None):
    return crm.json("add", "lead", "--company", company, "--name", name, "--position", "CTO", *extra,
                    acting=acting)["id"]


@pytest.fixture
def lead(crm):
    add_company(crm, "Acme Robotics", "acme-robotics.pl")
    return add_lead(crm, "C1", "Anna Nowak")


@pytest.fixture
def team(crm):
    """A manager, two agents in Poland; Anna owns L1, Olaf owns L2, L3 sits in the pool; L4 is in Sweden."""
    crm.json("agent", "add", BOSS, "--name", "Boss", "--role", "admin")
    crm.json("agent", "add", MIA, "--name", "Mia", "--role", "manager", "--country", "PL", acting=BOSS)
    crm.json("agent", "add", ANNA, "--name", "Anna", "--role", "agent", "--country", "PL", acting=BOSS)
    crm.json("agent", "add", OLAF, "--name", "Olaf", "--role", "agent", "--country", "PL", acting=BOSS)
    add_company(crm, "Acme Robotics", "acme-robotics.pl", acting=BOSS)
    add_company(crm, "Nordic Freight", "nordicfreight.se", country="SE", industry="Logistics", acting=BOSS)
    add_lead(crm, "C1", "Jan Kowalski", "--owner", ANNA, acting=BOSS)
    add_lead(crm, "C1", "Ewa Lis", "--owner", OLAF, acting=BOSS)
    add_lead(crm, "C1", "Piotr Zielinski", "--owner", "", acting=BOSS)
    add_lead(crm, "C2", "Erik Berg", "--owner", "", acting=BOSS)
    return crm


def statuses(crm):
    return {lead["id"]: lead["status"] for lead in crm.json("list", "leads")}


# ---------------------------------------------------------------------------
# One lead
# ---------------------------------------------------------------------------


def test_a_new_status_is_stored_and_the_lead_printed(crm, lead):
    changed = crm.json("status", lead, "Connected")
    assert (changed["id"], changed["status"]) == (lead, "Connected")
    assert crm.json("show", lead)["status"] == "Connected"


@pytest.mark.parametrize("typed", ["follow-up", "FOLLOW UP", "Follow_Up", " follow  up "])
def test_status_names_forgive_case_spacing_and_hyphens(crm, lead, typed):
    assert crm.json("status", lead, typed, "--on", "2026-12-07")["status"] == "Follow Up"


def test_an_unquoted_status_of_two_words_is_read_whole(crm, lead):
    assert crm.json("status", lead, "Not", "Interested")["status"] == "Not Interested"


def test_an_unknown_status_is_bad_input_listing_the_valid_ones(crm, lead):
    result = crm("status", lead, "Maybe")
    assert result.exit_code == 2
    line = one_line(result)
    assert "'Maybe'" in line
    for name in ("Sent Request", "Connected", "Interested", "Not Interested", "Ignoring", "Follow Up", "Event",
                 "Call"):
        assert name in line
    assert crm.json("show", lead)["status"] == "Sent Request"


@pytest.mark.parametrize("status", ["Follow Up", "Event"])
def test_follow_up_and_event_need_a_date(crm, lead, status):
    result = crm("status", lead, status)
    assert result.exit_code == 2
    assert "--on" in one_line(result)
    changed = crm.json("status", lead, status, "--on", "2026-12-07")
    assert (changed["status"], changed["follow_up_on"]) == (status, "2026-12-07")


def test_a_malformed_date_is_bad_input(crm, lead):
    result = crm("status", lead, "Event", "--on", "next friday")
    assert result.exit_code == 2
    one_line(result)


def test_a_status_that_needs_no_date_clears_the_follow_up_date_unless_one_is_given(crm, lead):
    crm.json("status", lead, "Follow Up", "--on", "2026-12-07")
    assert crm.json("status", lead, "Connected")["follow_up_on"] is None
    assert crm.json("status", lead, "Call", "--on", "2026-12-09")["follow_up_on"] == "2026-12-09"


def test_any_status_may_follow_any_other_the_same_one_included(crm, lead):
    for status in ("Call", "Sent Request", "Ignoring", "Interested", "Interested"):
        result = crm("status", lead, status)
        assert result.exit_code == 0, result.output
    assert "already Interested" in result.stderr
    assert crm.json("show", lead)["status"] == "Interested"


def test_a_note_is_added_to_the_lead(crm, lead):
    crm.json("status", lead, "Interested", "--note", "Wants a demo in January")
    notes = crm.json("show", lead)["notes"]
    assert [(note["text"], note["subject"]) for note in notes] == [("Wants a demo in January", lead)]


def test_a_missing_lead_is_not_found_and_another_kind_is_bad_input(crm, lead):
    assert crm("status", "L99", "Connected").exit_code == 4
    assert crm("status", "C1", "Connected").exit_code == 2
    assert crm.json("status", "1", "Connected")["id"] == lead


def test_status_without_a_status_is_a_usage_error(crm, lead):
    assert crm("status", lead).exit_code == 2


# ---------------------------------------------------------------------------
# Who may change a status (SPEC §3)
# ---------------------------------------------------------------------------


def test_an_agent_changes_its_own_leads_and_the_pools(team):
    assert team.json("status", "L1", "Connected", acting=ANNA)["status"] == "Connected"
    assert team.json("status", "L3", "Connected", acting=ANNA)["status"] == "Connected"


def test_an_agent_may_not_change_another_agents_lead(team):
    result = team("status", "L2", "Connected", "--note", "x", acting=ANNA)
    assert result.exit_code == 5
    assert "L2" in one_line(result)
    shown = team.json("show", "L2")
    assert shown["status"] == "Sent Request" and shown["notes"] == []


def test_a_manager_changes_any_lead(team):
    assert team.json("status", "L2", "Call", acting=MIA)["status"] == "Call"


# ---------------------------------------------------------------------------
# status --history
# ---------------------------------------------------------------------------


def test_the_history_shows_every_status_with_who_and_when(team):
    team.json("status", "L1", "Connected", acting=ANNA)
    team.json("status", "L1", "Follow Up", "--on", "2026-12-07", acting=ANNA)
    team.json("status", "L1", "Event", "--on", "2026-12-10", acting=MIA)
    story = team.json("status", "--history", "L1")
    assert [(row["from"], row["to"], row["agent"]) for row in story] == [
        (None, "Sent Request", BOSS),
        ("Sent Request", "Connected", ANNA),
        ("Connected", "Follow Up", ANNA),
        ("Follow Up", "Event", MIA),
    ]
    assert [row["on"] for row in story] == [None, None, "2026-12-07", "2026-12-10"]
    assert all(row["at"].endswith("Z") for row in story)


def test_a_new_date_for_the_same_status_is_in_the_history(crm, lead):
    crm.json("status", lead, "Follow Up", "--on", "2026-12-07")
    crm.json("status", lead, "Follow Up", "--on", "2026-12-14")
    story = crm.json("status", "--history", lead)
    assert [(row["to"], row["on"]) for row in story[1:]] == [("Follow Up", "2026-12-07"), ("Follow Up", "2026-12-14")]


def test_the_history_of_a_missing_lead_is_not_found(crm, lead):
    assert crm("status", "--history", "L42").exit_code == 4


def test_status_changes_are_in_the_records_history(crm, lead):
    crm.json("status", lead, "Connected")
    changes = [(row["field"], row["old_value"], row["new_value"]) for row in crm.json("history", lead)]
    assert ("status", "Sent Request", "Connected") in changes


# ---------------------------------------------------------------------------
# In bulk
# ---------------------------------------------------------------------------


def test_a_bulk_change_reports_how_many_changed_and_is_one_bulk_action(team):
    team.json("status", "L1", "Ignoring", acting=ANNA)
    summary = team.json("status", "--where", "country=PL", "Ignoring", "--yes", acting=MIA)
    assert (summary["selected"], summary["changed"], summary["unchanged"]) == (3, 2, 1)
    assert summary["status"] == "Ignoring"
    assert statuses(team) == {"L1": "Ignoring", "L2": "Ignoring", "L3": "Ignoring", "L4": "Sent Request"}
    bulks = {row["bulk"] for lead in ("L2", "L3") for row in team.json("status", "--history", lead)[1:]}
    assert bulks == {summary["bulk"]}


def test_a_bulk_change_filters_on_the_leads_company_and_search(team):
    summary = team.json("status", "--where", "industry=Logistics", "Call", "--yes", acting=MIA)
    assert summary["changed"] == 1
    summary = team.json("status", "--search", "Ewa", "--where", "company~acme", "Connected", "--yes", acting=MIA)
    assert summary["changed"] == 1
    assert statuses(team) == {"L1": "Sent Request", "L2": "Connected", "L3": "Sent Request", "L4": "Call"}


def test_a_bulk_change_to_a_dated_status_needs_its_date(team):
    result = team("status", "--where", "country=PL", "Event", "--yes", acting=MIA)
    assert result.exit_code == 2
    one_line(result)
    summary = team.json("status", "--where", "country=PL", "Event", "--on", "2026-12-10", "--yes", acting=MIA)
    assert summary["changed"] == 3 and summary["follow_up_on"] == "2026-12-10"
    assert {lead["follow_up_on"] for lead in team.json("list", "leads", "--where", "country=PL")} == {"2026-12-10"}


def test_a_bulk_change_without_yes_off_a_terminal_is_refused_and_changes_nothing(team):
    result = team("status", "--where", "country=PL", "Connected", acting=MIA)
    assert result.exit_code == 2
    assert "--yes" in result.stderr.strip().splitlines()[-1]
    assert "3 leads" in result.stderr
    assert set(statuses(team).values()) == {"Sent Request"}


def test_a_bulk_change_is_for_managers(team):
    result = team("status", "--where", "country=PL", "Connected", "--yes", acting=ANNA)
    assert result.exit_code == 5
    assert one_line(result).endswith("(agent) may not run a bulk action")
    assert set(statuses(team).values()) == {"Sent Request"}


def test_a_bulk_change_with_a_bad_filter_is_bad_input(team):
    assert team("status", "--where", "colour=red", "Connected", "--yes", acting=MIA).exit_code == 2
    assert team("status", "--where", "country=PL", "Sleeping", "--yes", acting=MIA).exit_code == 2


def test_a_bulk_change_that_matches_nothing_changes_nothing(team):
    summary = team.json("status", "--where", "country=DE", "Connected", acting=MIA)
    assert (summary["selected"], summary["changed"]) == (0, 0)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_bulk_change_asks_to_confirm_on_a_terminal(crm):
    add_company(crm, "Acme Robotics", "acme-robotics.pl")
    add_lead(crm, "C1", "Jan Kowalski")
    add_lead(crm, "C1", "Ewa Lis")
    answered_no = on_terminal(["--db", crm.url, "status", "--where", "country=PL", "Connected"], "n\n")
    assert "2 leads will be set to Connected" in answered_no and "[y/N]" in answered_no
    assert set(statuses(crm).values()) == {"Sent Request"}
    answered_yes = on_terminal(["--db", crm.url, "status", "--where", "country=PL", "Connected"], "y\n")
    assert "2 changed" in answered_yes
    assert set(statuses(crm).values()) == {"Connected"}


def on_terminal(arguments, answer):
    """crmctl with stdin, stdout and stderr on a pseudo-terminal, typing `answer`: what the terminal showed."""
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "crmctl", *arguments], stdin=follower, stdout=follower,
                               stderr=follower, env=dict(os.environ, PAGER="cat"))
    os.close(follower)
    os.write(leader, answer.encode())
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert process.wait(timeout=120) == 0
    return shown.decode().replace("\r\n", "\n")
