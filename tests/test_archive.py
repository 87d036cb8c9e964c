"""`archive` and `restore` (SPEC §6, issue 11): hidden from listings, kept with history, companies with leads."""
import pytest

from crmctl.storage.connection import connect_database

from conftest import one_line


@pytest.fixture
def acme(crm):
    """C1 Acme with leads L1, L2; C2 Nordic with L3; a deal D1 at Acme."""
    for name, site, employees, country in (("Acme Robotics", "acme-robotics.pl", "120", "PL"),
                                           ("Nordic Freight", "nordic-freight.se", "40", "SE")):
        crm.json("add", "company", "--name", name, "--website", site, "--linkedin",
                 f"https://www.linkedin.com/company/{site.split('.')[0]}", "--employees", employees,
                 "--industry", "Logistics", "--country", country)
    for company, name in (("C1", "Anna Nowak"), ("C1", "Jan Kowal"), ("C2", "Olof Berg")):
        crm.json("add", "lead", "--company", company, "--name", name, "--position", "CTO")
    crm.json("add", "deal", "--company", "C1", "--pipeline", "sales", "--name", "Fleet robots")
    return crm


def listed(crm, kind, *options, **kwargs):
    return [row["id"] for row in crm.json("list", kind, *options, **kwargs)]


def test_an_archived_lead_leaves_the_listing_and_comes_back_with_archived(acme):
    summary = acme.json("archive", "L2")
    assert summary["archived"] == ["L2"]
    assert listed(acme, "leads") == ["L1", "L3"]
    assert listed(acme, "leads", "--archived") == ["L1", "L2", "L3"]
    assert listed(acme, "leads", "--where", "archived_at!=null") == ["L2"]


def test_show_and_history_still_work_on_an_archived_record(acme):
    acme.json("archive", "D1")
    shown = acme.json("show", "D1")
    assert shown["archived_at"] is not None
    rows = [row for row in acme.json("history", "D1") if row["field"] == "archived_at"]
    assert [row["action"] for row in rows] == ["archive"]
    assert listed(acme, "deals") == []


def test_archiving_a_company_archives_its_leads_and_restoring_brings_them_back(acme):
    summary = acme.json("archive", "C1")
    assert summary["archived"] == ["C1", "L1", "L2"]
    assert listed(acme, "companies") == ["C2"]
    assert listed(acme, "leads") == ["L3"]
    restored = acme.json("restore", "C1")
    assert restored["restored"] == ["C1", "L1", "L2"]
    assert listed(acme, "leads") == ["L1", "L2", "L3"]


def test_a_lead_archived_before_its_company_stays_archived_when_the_company_is_restored(acme):
    acme.json("archive", "L2")
    database = connect_database(acme.url)  # archived a day earlier than the company
    database.execute_sql("UPDATE lead SET archived_at = '2026-01-01 10:00:00' WHERE id = 2")
    database.close()
    assert acme.json("archive", "C1")["archived"] == ["C1", "L1"]
    assert acme.json("restore", "C1")["restored"] == ["C1", "L1"]
    assert listed(acme, "leads") == ["L1", "L3"]


def test_a_lead_of_an_archived_company_is_restored_with_its_company_only(acme):
    acme.json("archive", "C1")
    result = acme("restore", "L1")
    assert result.exit_code == 3
    assert "restore C1" in result.stderr
    assert listed(acme, "leads") == ["L3"]


def test_archiving_twice_and_restoring_what_is_not_archived_change_nothing(acme):
    acme.json("archive", "L1")
    again = acme.json("archive", "L1")
    assert (again["archived"], again["already_archived"]) == ([], ["L1"])
    summary = acme.json("restore", "L3")
    assert (summary["restored"], summary["not_archived"]) == ([], ["L3"])


def test_a_lead_cannot_be_added_to_an_archived_company(acme):
    acme.json("archive", "C2")
    result = acme("add", "lead", "--company", "C2", "--name", "Eva Lind", "--position", "CEO")
    assert result.exit_code == 3


@pytest.mark.parametrize("archived, command", [
    ("L1", ["status", "L1", "Connected"]),
    ("L1", ["edit", "L1", "--set", "position=CEO"]),
    ("L1", ["assign", "L1", "--to", "boss@example.com"]),
    ("L1", ["convert", "L1"]),
    ("C1", ["edit", "C1", "--set", "city=Gdańsk"]),
    ("D1", ["deal", "move", "D1", "Proposal"]),
    ("D1", ["deal", "close", "D1", "won"]),
    ("L1", ["pool", "put", "L1"]),
    # New work hung on an archived record would sit where no listing shows it.
    ("C1", ["add", "deal", "--company", "C1", "--pipeline", "sales", "--name", "Second fleet"]),
    ("L1", ["add", "deal", "--company", "C1", "--lead", "L1", "--pipeline", "sales", "--name", "Second fleet"]),
    ("L1", ["add", "comm", "L1", "--type", "Follow-up", "--channel", "Email", "--notes", "any news?"]),
    ("L1", ["add", "event", "L1", "--kind", "demo_request"]),
    ("L1", ["add", "note", "L1", "--text", "called back"]),
    ("C1", ["add", "task", "C1", "--kind", "call", "--due", "2026-12-20T10:00"]),
    ("D1", ["add", "note", "D1", "--text", "budget approved"]),
    ("C1", ["review", "done", "C1"]),
])
def test_an_archived_record_is_read_only_until_restored(acme, archived, command):
    acme.json("agent", "add", "boss@example.com", "--name", "Boss", "--role", "admin", acting=None)
    acme.json("archive", archived, acting="boss@example.com")
    before = acme.json("show", archived, acting="boss@example.com")
    refused = acme(*command, acting="boss@example.com")
    assert refused.exit_code == 3, refused.output
    assert one_line(refused) == f"crmctl: error: {archived} is archived: restore it first (crmctl restore {archived})"
    assert acme.json("show", archived, acting="boss@example.com") == before
    acme.json("restore", archived, acting="boss@example.com")
    assert acme(*command, acting="boss@example.com").exit_code == 0


def test_a_lead_restored_alone_counts_against_its_companys_lead_limit(acme):
    acme.json("archive", "L1")
    acme.json("config", "set", "max_leads_per_company", "2")
    acme.json("add", "lead", "--company", "C1", "--name", "Ola Nowak", "--position", "CFO")  # C1 is full again
    refused = acme("restore", "L1")
    assert refused.exit_code == 3
    assert "would hold 3 leads" in one_line(refused)
    assert listed(acme, "leads", "--archived", "--where", "archived!=none") == ["L1"]
    acme.json("config", "set", "max_leads_per_company", "3")
    acme.json("restore", "L1")


@pytest.mark.parametrize("ids, code", [(["T1"], 4), (["N1"], 4), (["L99"], 4), (["nonsense"], 2)])
def test_unknown_or_unarchivable_ids(acme, ids, code):
    assert acme("archive", *ids).exit_code == code


def test_a_task_is_not_archived(acme):
    acme.json("add", "task", "L1", "--kind", "call", "--due", "2026-03-02T10:00:00Z")
    result = acme("archive", "T1")
    assert result.exit_code == 2
    assert "only companies, leads and deals" in result.stderr


def test_bulk_archive_asks_a_script_for_yes_and_is_one_bulk_action(acme):
    refused = acme("archive", "--where", "country=PL")
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    assert listed(acme, "leads") == ["L1", "L2", "L3"]
    summary = acme.json("archive", "--where", "country=PL", "--yes")
    assert (summary["selected"], summary["archived"]) == (2, 2)
    assert listed(acme, "leads") == ["L3"]
    rows = acme.json("history", "--bulk", summary["bulk"])
    assert sorted(row["entity"] for row in rows) == ["L1", "L2"]
    assert all(row["bulk"] == summary["bulk"] for row in rows)
    assert [row["bulk"] for row in acme.json("history", "L1") if row["field"] == "archived_at"] == [summary["bulk"]]


def test_bulk_archive_of_companies_takes_their_leads(acme):
    summary = acme.json("archive", "--kind", "companies", "--where", "country=SE", "--yes")
    assert (summary["selected"], summary["archived"]) == (1, 2)
    assert listed(acme, "companies") == ["C1"]
    assert listed(acme, "leads") == ["L1", "L2"]


def test_a_segment_chooses_the_records_of_a_bulk_archive(acme):
    acme.json("segment", "save", "swedes", "--where", "country=SE")
    summary = acme.json("archive", "--segment", "swedes", "--yes")
    assert (summary["selected"], summary["archived"]) == (1, 1)
    assert listed(acme, "leads") == ["L1", "L2"]
    assert listed(acme, "leads", "--segment", "swedes") == []
    assert listed(acme, "leads", "--segment", "swedes", "--archived") == ["L3"]
    companies = acme.json("segment", "save", "poles", "--kind", "companies", "--where", "country=PL")
    assert companies["kind"] == "companies"
    assert acme.json("archive", "--segment", "poles", "--yes")["archived"] == 3  # C1 with L1 and L2
    assert listed(acme, "companies") == ["C2"]


def test_bulk_archive_needs_a_filter(acme):
    assert acme("archive").exit_code == 2
    assert acme("archive", "L1", "--where", "country=PL").exit_code == 2


def test_history_of_an_unknown_bulk_action_is_not_found(acme):
    assert acme("history", "--bulk", "9").exit_code == 4
    assert acme("history").exit_code == 2


@pytest.fixture
def team(acme):
    acme.json("agent", "add", "boss@x.pl", "--name", "Boss", "--role", "admin", "--country", "PL")
    for email, role in (("mia@x.pl", "manager"), ("ala@x.pl", "agent"), ("ola@x.pl", "agent")):
        acme.json("agent", "add", email, "--name", email[:3], "--role", role, "--country", "PL", acting="boss@x.pl")
    acme.json("edit", "L1", "--set", "owner=ala@x.pl", acting="boss@x.pl")
    return acme


def test_an_agent_archives_and_restores_only_its_own_leads(team):
    assert team("archive", "L1", "--format", "json", acting="ala@x.pl").exit_code == 0
    assert team("restore", "L1", "--format", "json", acting="ala@x.pl").exit_code == 0
    for ids in (["L1"], ["L2"], ["C1"], ["D1"]):
        result = team("archive", *ids, acting="ola@x.pl")
        assert result.exit_code == 5, ids
    assert team("archive", "--where", "country=PL", "--yes", acting="ala@x.pl").exit_code == 5
    assert listed(team, "leads", acting="mia@x.pl") == ["L1", "L2", "L3"]


def test_a_manager_archives_anything(team):
    assert team("archive", "C1", "D1", "--format", "json", acting="mia@x.pl").exit_code == 0
    assert listed(team, "companies", acting="mia@x.pl") == ["C2"]


def test_show_says_a_record_is_archived(acme):
    acme.json("archive", "L1")
    result = acme("show", "L1", "--format", "json")
    assert result.exit_code == 0
    assert "L1 is archived since" in result.stderr and "crmctl restore L1" in result.stderr
    assert "archived" not in acme("show", "L2", "--format", "json").stderr
