"""Segments (SPEC §4, §6, issue 11): saved filters by name, for listings and bulk actions."""
import pytest

from conftest import one_line


@pytest.fixture
def leads(crm):
    """C1 Acme (PL) with L1 Anna (CTO), L2 Jan (Driver); C2 Nordic (SE) with L3 Olof (CEO)."""
    for name, site, country in (("Acme Robotics", "acme-robotics.pl", "PL"), ("Nordic Freight", "nordic.se", "SE")):
        crm.json("add", "company", "--name", name, "--website", site, "--linkedin",
                 f"https://www.linkedin.com/company/{site.split('.')[0]}", "--employees", "120",
                 "--industry", "Logistics", "--country", country)
    for company, name, position in (("C1", "Anna Nowak", "CTO"), ("C1", "Jan Kowal", "Driver"),
                                    ("C2", "Olof Berg", "CEO")):
        crm.json("add", "lead", "--company", company, "--name", name, "--position", position)
    return crm


def listed(crm, *options):
    return [row["id"] for row in crm.json("list", *options)]


def test_a_saved_segment_lists_what_its_filters_select(leads):
    saved = leads.json("segment", "save", "polish-leads", "--where", "country=PL")
    assert (saved["name"], saved["kind"], saved["where"]) == ("polish-leads", "leads", ["country=PL"])
    assert listed(leads, "leads", "--segment", "polish-leads") == ["L1", "L2"]


def test_a_segment_is_anded_with_the_filters_given_beside_it(leads):
    leads.json("segment", "save", "polish-leads", "--where", "country=PL")
    assert listed(leads, "leads", "--segment", "polish-leads", "--where", "position=CTO") == ["L1"]
    assert listed(leads, "leads", "--segment", "polish-leads", "--search", "Jan") == ["L2"]


def test_a_segment_selects_what_matches_now(leads):
    leads.json("segment", "save", "ceos", "--where", "position~ceo")
    assert listed(leads, "leads", "--segment", "ceos") == ["L3"]
    leads.json("edit", "L2", "--set", "position=CEO")
    assert listed(leads, "leads", "--segment", "ceos") == ["L2", "L3"]


def test_a_segment_with_a_search(leads):
    leads.json("segment", "save", "acme", "--search", "acme")
    assert listed(leads, "leads", "--segment", "acme") == ["L1", "L2"]


def test_a_segment_of_companies(leads):
    leads.json("segment", "save", "swedes", "--kind", "companies", "--where", "country=SE")
    assert listed(leads, "companies", "--segment", "swedes") == ["C2"]
    result = leads("list", "leads", "--segment", "swedes")
    assert result.exit_code == 2
    assert "selects companies" in result.stderr


def test_segment_list_show_and_delete(leads):
    leads.json("segment", "save", "b-ceos", "--where", "position~ceo")
    leads.json("segment", "save", "a-poles", "--where", "country=PL", "--where", "score>=0")
    assert [row["name"] for row in leads.json("segment", "list")] == ["a-poles", "b-ceos"]
    shown = leads.json("segment", "show", "a-poles")
    assert (shown["where"], shown["count"]) == (["country=PL", "score>=0"], 2)
    assert leads.json("segment", "delete", "a-poles") == {"deleted": "a-poles"}
    assert [row["name"] for row in leads.json("segment", "list")] == ["b-ceos"]
    assert leads("segment", "show", "a-poles").exit_code == 4


def test_a_name_is_taken_once_unless_replaced(leads):
    leads.json("segment", "save", "poles", "--where", "country=PL")
    taken = leads("segment", "save", "poles", "--where", "country=SE")
    assert taken.exit_code == 3
    assert "--replace" in taken.stderr
    leads.json("segment", "save", "poles", "--where", "country=SE", "--replace")
    assert listed(leads, "leads", "--segment", "poles") == ["L3"]


def test_a_name_in_other_case_or_accents_is_the_same_segment_on_every_backend(leads):
    leads.json("segment", "save", "Łódź hot", "--where", "country=PL")
    for other in ("ŁÓDŹ HOT", "lodz hot"):
        taken = leads("segment", "save", other, "--where", "country=SE")
        assert taken.exit_code == 3
        assert one_line(taken).startswith(f"crmctl: error: segment {other!r} exists (as 'Łódź hot')")
    assert listed(leads, "leads", "--segment", "LODZ HOT") == listed(leads, "leads", "--segment", "Łódź hot")
    leads.json("segment", "save", "lodz hot", "--where", "country=SE", "--replace")
    assert [s["name"] for s in leads.json("segment", "list")] == ["Łódź hot"]
    assert listed(leads, "leads", "--segment", "Łódź hot") == ["L3"]


def test_two_segments_an_older_crmctl_saved_apart_by_case_are_each_found_by_their_exact_name(leads, backend):
    if backend == "mysql":
        pytest.skip("MariaDB's collation never let two such names be saved")
    leads.json("segment", "save", "hot", "--where", "country=PL")
    from test_review import run_sql  # what an older crmctl could store beside it
    run_sql(leads.url, "INSERT INTO segment (name, kind, definition, created_at) VALUES (?, ?, ?, ?)",
            ("HOT", "leads", '{"where": ["country=SE"]}', "2026-01-01 00:00:00"))
    assert listed(leads, "leads", "--segment", "hot") == ["L1", "L2"]
    assert listed(leads, "leads", "--segment", "HOT") == ["L3"]
    ambiguous = leads("list", "leads", "--segment", "Hot")
    assert ambiguous.exit_code == 2
    assert "names 2 segments saved apart ('HOT', 'hot')" in one_line(ambiguous)
    assert leads.json("segment", "delete", "HOT") == {"deleted": "HOT"}
    assert listed(leads, "leads", "--segment", "Hot") == ["L1", "L2"]


def test_a_segment_compares_with_any_date_it_was_saved_with(leads):
    leads.json("segment", "save", "someday", "--where", "follow_up_on<9999-12-31", "--where", "created>0001-01-01")
    assert listed(leads, "leads", "--segment", "someday") == []  # no lead has a follow-up date


@pytest.mark.parametrize("options", [
    ["--where", "shoe_size=42"],
    ["--where", "created>=yesterday"],
    ["--where", "country"],
    [],
])
def test_a_bad_definition_is_bad_input_and_nothing_is_saved(leads, options):
    result = leads("segment", "save", "broken", *options)
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert leads.json("segment", "list") == []


def test_an_unknown_segment_is_not_found(leads):
    result = leads("list", "leads", "--segment", "nope")
    assert result.exit_code == 4
    assert "nope" in result.stderr
    assert leads("segment", "delete", "nope").exit_code == 4


def test_an_agent_deletes_only_its_own_segments(leads):
    leads.json("agent", "add", "boss@x.pl", "--name", "Boss", "--role", "admin", "--country", "PL")
    for email in ("ala@x.pl", "ola@x.pl"):
        leads.json("agent", "add", email, "--name", email[:3], "--role", "agent", "--country", "PL",
                   acting="boss@x.pl")
    leads.json("segment", "save", "mine", "--where", "country=PL", acting="ala@x.pl")
    assert leads.json("segment", "show", "mine", acting="ola@x.pl")["created_by"] == "ala@x.pl"
    assert leads("segment", "delete", "mine", acting="ola@x.pl").exit_code == 5
    assert leads("segment", "save", "mine", "--where", "country=SE", "--replace", acting="ola@x.pl").exit_code == 5
    assert leads("segment", "delete", "mine", "--format", "json", acting="ala@x.pl").exit_code == 0


def test_a_segment_chooses_the_leads_of_a_bulk_status_change(leads):
    leads.json("segment", "save", "poles", "--where", "country=PL")
    summary = leads.json("status", "--segment", "poles", "Connected", "--yes")
    assert (summary["selected"], summary["changed"]) == (2, 2)
    assert [row["status"] for row in leads.json("list", "leads")] == ["Connected", "Connected", "Sent Request"]
    assert leads.json("history", "--bulk", summary["bulk"])[0]["bulk"] == summary["bulk"]


def test_a_segment_chooses_the_leads_of_an_assign_and_a_pool_put(leads):
    leads.json("agent", "add", "boss@x.pl", "--name", "Boss", "--role", "admin", "--country", "PL")
    leads.json("agent", "add", "ala@x.pl", "--name", "Ala", "--role", "agent", "--country", "PL", acting="boss@x.pl")
    leads.json("segment", "save", "poles", "--where", "country=PL", acting="boss@x.pl")
    assigned = leads.json("assign", "--segment", "poles", "--to", "ala@x.pl", "--yes", acting="boss@x.pl")
    assert assigned["changed"] == 2
    owners = {row["id"]: row["owner"] for row in leads.json("list", "leads", acting="boss@x.pl")}
    assert owners == {"L1": "ala@x.pl", "L2": "ala@x.pl", "L3": None}
    put = leads.json("pool", "put", "--segment", "poles", "--where", "position=CTO", "--yes", acting="boss@x.pl")
    assert (put["selected"], put["changed"]) == (1, 1)
    owners = {row["id"]: row["owner"] for row in leads.json("list", "leads", acting="boss@x.pl")}
    assert owners == {"L1": None, "L2": "ala@x.pl", "L3": None}
