"""The record card (`show C12`, `show L34`) and finding a lead by an incoming call's number (`list leads --search`)."""
import pytest

BOSS = "boss@example.com"
ANNA = "anna@example.com"


@pytest.fixture
def card(crm):
    """Acme (C1) with Jan (L1, Anna's) and Ewa (L2, in the pool), a few things done on each, an open and a won deal."""
    crm.json("agent", "add", BOSS, "--name", "Boss", "--role", "admin")
    crm.json("agent", "add", ANNA, "--name", "Anna", "--role", "agent", "--country", "PL", acting=BOSS)
    crm.json("add", "company", "--name", "Acme Robotics", "--website", "acme-robotics.pl",
             "--linkedin", "https://www.linkedin.com/company/acme-robotics", "--employees", "120",
             "--industry", "Robotics", "--country", "PL", acting=BOSS)
    crm.json("add", "lead", "--company", "C1", "--name", "Jan Kowalski", "--position", "CTO", "--owner", ANNA,
             "--phone", "+48 601 234 567", "--email", "jan@acme-robotics.pl", acting=BOSS)
    crm.json("add", "lead", "--company", "C1", "--name", "Ewa Lis", "--position", "CEO", "--owner", "",
             acting=BOSS)
    crm.json("add", "comm", "L1", "--type", "First Connection", "--channel", "LinkedIn", "--notes", "Hi Jan",
             "--on", "2026-11-02T10:00:00Z", acting=ANNA)
    crm.json("status", "L1", "Interested", "--note", "Wants a demo", acting=ANNA)
    crm.json("add", "comm", "L2", "--type", "Follow-up", "--channel", "Email", "--on", "2026-11-03T10:00:00Z",
             acting=ANNA)
    crm.json("add", "task", "L2", "--kind", "call", "--due", "2026-12-05T10:00:00Z", acting=ANNA)
    crm.json("add", "deal", "--company", "C1", "--lead", "L1", "--pipeline", "sales", "--name", "Pilot",
             acting=BOSS)
    crm.json("add", "deal", "--company", "C1", "--pipeline", "sales", "--name", "Old order", "--stage",
             "Closed Won", acting=BOSS)
    return crm


def test_a_company_card_shows_its_leads_with_status_and_owner(card):
    shown = card.json("show", "C1")
    assert shown["name"] == "Acme Robotics"
    assert [(lead["id"], lead["status"], lead["owner"]) for lead in shown["leads"]] == [
        ("L1", "Interested", ANNA), ("L2", "Sent Request", None)]


def test_a_company_card_shows_open_deals_and_every_deal_with_all(card):
    assert [deal["name"] for deal in card.json("show", "C1")["deals"]] == ["Pilot"]
    assert [deal["name"] for deal in card.json("show", "C1", "--all")["deals"]] == ["Pilot", "Old order"]


def test_a_company_card_has_a_timeline_across_its_leads_newest_first(card):
    activity = card.json("show", "C1")["activity"]
    kinds = [(entry["what"], entry["id"]) for entry in activity]
    assert {("communication", "M1"), ("communication", "M2"), ("note", "N1"), ("status", "L1"),
            ("task", "T1")} <= set(kinds)
    assert [entry["at"] for entry in activity] == sorted((entry["at"] for entry in activity), reverse=True)
    status = next(entry for entry in activity if entry["what"] == "status")
    assert (status["lead_id"], status["agent"], status["text"]) == ("L1", ANNA, "Sent Request → Interested")
    comm = next(entry for entry in activity if entry["id"] == "M1")
    assert comm["at"] == "2026-11-02T10:00:00Z" and "Hi Jan" in comm["text"] and comm["agent"] == ANNA


def test_a_company_card_lists_the_open_tasks_on_it_and_its_leads(card):
    card.json("add", "task", "C1", "--kind", "meeting", "--due", "2026-12-01T10:00:00Z", acting=ANNA)
    assert [task["id"] for task in card.json("show", "C1")["tasks"]] == ["T2", "T1"]  # soonest due first
    card.json("task", "done", "T2", acting=BOSS)
    assert [task["id"] for task in card.json("show", "C1")["tasks"]] == ["T1"]


def test_the_timeline_shows_the_latest_20_unless_all(card):
    for number in range(25):
        card.json("add", "note", "L2", "--text", f"Note {number}", acting=ANNA)
    shown = card.json("show", "C1")["activity"]
    assert len(shown) == 20
    assert "N26" in [entry["id"] for entry in shown]
    everything = card.json("show", "C1", "--all")["activity"]
    assert len(everything) > 25
    assert {entry["id"] for entry in everything} >= {"M1", "M2", "T1"}


def test_a_lead_card_shows_what_hangs_on_the_lead(card):
    shown = card.json("show", "L1")
    assert {contact["source"] for contact in shown["contacts"]} == {"phone", "email"}
    assert shown["phones"] == ["+48601234567"]
    assert [comm["id"] for comm in shown["communications"]] == ["M1"]
    assert [note["text"] for note in shown["notes"]] == ["Wants a demo"]
    assert [deal["name"] for deal in shown["deals"]] == ["Pilot"]
    assert [(change["from"], change["to"]) for change in shown["status_changes"]] == [("Sent Request", "Interested")]
    assert {entry["what"] for entry in shown["activity"]} == {"communication", "note", "status"}
    assert shown["timeline"] is None  # the lead's BANT timeline, not the card's


def test_a_card_on_a_table_shows_its_sections(card):
    text = card("show", "C1", "--format", "table").stdout
    for section in ("leads:", "deals:", "tasks:", "activity:"):
        assert f"\n{section}\n" in text
    assert "Sent Request → Interested" in text
    lead_text = card("show", "L1", "--format", "table").stdout
    assert "\nactivity:\n" in lead_text and "\ncontacts:\n" in lead_text


def test_other_records_are_shown_as_before(card):
    assert card.json("show", "D1")["name"] == "Pilot"
    assert card.json("show", "T1")["kind"] == "call"


# ---------------------------------------------------------------------------
# An incoming call: find the lead by a phone typed in any format
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["+48 601 234 567", "0048601234567", "601-234-567", "(601) 234 567",
                                   "+48601234567"])
def test_a_lead_is_found_by_a_phone_in_any_format(card, typed):
    assert [lead["id"] for lead in card.json("list", "leads", "--search", typed)] == ["L1"]


def test_a_national_number_is_read_in_the_leads_company_country(card):
    card.json("add", "company", "--name", "Nordic Freight", "--website", "nordicfreight.se",
              "--linkedin", "https://www.linkedin.com/company/nordic-freight", "--employees", "800",
              "--industry", "Logistics", "--country", "SE", acting=BOSS)
    card.json("add", "lead", "--company", "C2", "--name", "Erik Berg", "--position", "COO", "--phone",
              "070-123 45 67", acting=BOSS)
    assert [lead["id"] for lead in card.json("list", "leads", "--search", "070 123 45 67")] == ["L3"]
    assert [lead["id"] for lead in card.json("list", "leads", "--search", "+46 70 123 45 67")] == ["L3"]
    assert [lead["id"] for lead in card.json("list", "leads", "--search", "601 234 567")] == ["L1"]


def test_a_number_nobody_has_finds_nothing_and_names_and_emails_still_search(card):
    assert card.json("list", "leads", "--search", "+48 602 000 000") == []
    assert [lead["id"] for lead in card.json("list", "leads", "--search", "jan@acme")] == ["L1"]
    assert [lead["id"] for lead in card.json("list", "leads", "--search", "Ewa")] == ["L2"]
