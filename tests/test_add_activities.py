"""`add comm|note|task|deal|event` (SPEC §4, §6.1): the playbook's vocabulary, dates, typed ids."""
import pytest


@pytest.fixture
def lead(crm):
    crm.json(
        "add", "company", "--name", "Acme Robotics", "--website", "https://acme-robotics.pl",
        "--linkedin", "https://www.linkedin.com/company/acme-robotics", "--employees", "120",
        "--industry", "Robotics", "--country", "PL",
    )
    return crm.json("add", "lead", "--company", "C1", "--name", "Anna Nowak", "--position", "CTO")["id"]


def one_line(result):
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def test_a_communication_is_logged_with_the_playbook_type_and_channel(crm, lead):
    comm = crm.json("add", "comm", lead, "--type", "first connection", "--channel", "linkedin",
                    "--placement", "ann-li", "--notes", "Hi Anna!\nHi, thanks.", "--on", "2026-03-02",
                    "--follow-up-on", "2026-03-09")
    assert comm["id"] == "M1"
    assert (comm["type"], comm["channel"], comm["placement"]) == ("First Connection", "LinkedIn", "ann-li")
    assert comm["notes"] == "Hi Anna!\nHi, thanks."
    assert comm["occurred_at"] == "2026-03-02T00:00:00Z"
    assert comm["follow_up_on"] == "2026-03-09"
    assert [m["id"] for m in crm.json("show", lead)["communications"]] == ["M1"]


@pytest.mark.parametrize("comm_type", ["Follow-up", "FOLLOW UP", "follow_up"])
def test_communication_types_match_ignoring_case_and_spacing(crm, lead, comm_type):
    assert crm.json("add", "comm", lead, "--type", comm_type, "--channel", "Email")["type"] == "Follow-up"


@pytest.mark.parametrize("option, value, field", [
    ("--type", "Telegram chat", "communication type"),
    ("--channel", "Pigeon", "communication channel"),
])
def test_an_unknown_communication_type_or_channel_is_bad_input(crm, lead, option, value, field):
    args = {"--type": "Presentation", "--channel": "Email"}
    args[option] = value
    result = crm("add", "comm", lead, "--type", args["--type"], "--channel", args["--channel"])
    assert result.exit_code == 2
    assert field in one_line(result)


def test_a_communication_reads_its_notes_from_a_file(crm, lead, tmp_path):
    conversation = tmp_path / "chat.txt"
    conversation.write_text("Are you free on Monday?\nYes, 10am works.", encoding="utf-8")
    comm = crm.json("add", "comm", lead, "--type", "Event", "--channel", "other", "--notes-file", conversation)
    assert comm["notes"] == "Are you free on Monday?\nYes, 10am works."


def test_a_missing_notes_file_is_bad_input(crm, lead, tmp_path):
    result = crm("add", "comm", lead, "--type", "Event", "--channel", "Email", "--notes-file", tmp_path / "none.txt")
    assert result.exit_code == 2
    assert "--notes-file" in one_line(result)


def test_a_malformed_communication_date_is_bad_input(crm, lead):
    result = crm("add", "comm", lead, "--type", "Event", "--channel", "Email", "--on", "next tuesday")
    assert result.exit_code == 2
    one_line(result)


def test_a_communication_needs_a_lead(crm, lead):
    assert crm("add", "comm", "C1", "--type", "Event", "--channel", "Email").exit_code == 2
    assert crm("add", "comm", "L9", "--type", "Event", "--channel", "Email").exit_code == 4
    assert crm.json("add", "comm", "1", "--type", "Event", "--channel", "Email")["lead_id"] == lead


def test_a_note_hangs_on_a_company_or_a_lead(crm, lead):
    on_company = crm.json("add", "note", "C1", "--text", "Updated")
    on_lead = crm.json("add", "note", lead, "--text", "Prefers e-mail")
    assert (on_company["id"], on_company["subject"]) == ("N1", "C1")
    assert on_lead["subject"] == lead
    assert [n["text"] for n in crm.json("show", "C1")["notes"]] == ["Updated"]


def test_a_note_needs_a_typed_id_and_some_text(crm, lead):
    assert crm("add", "note", "1", "--text", "x").exit_code == 2
    assert crm("add", "note", "C1", "--text", "  ").exit_code == 2


def test_a_task_has_a_kind_a_due_time_and_an_assignee(crm, lead):
    crm.json("agent", "add", "boss@example.com", "--name", "Boss", "--role", "admin")
    task = crm.json("add", "task", lead, "--kind", "Call", "--due", "2026-03-02T10:30:00+01:00",
                    "--text", "Call about the demo", acting="boss@example.com")
    assert task["id"] == "T1"
    assert (task["kind"], task["subject"]) == ("call", lead)
    assert task["due_at"] == "2026-03-02T09:30:00Z"
    assert task["assignee"] == "boss@example.com"
    assert task["done"] is False
    assert [t["id"] for t in crm.json("list", "tasks")] == ["T1"]


@pytest.mark.parametrize("option, value", [("--kind", "party"), ("--due", "soon"),
                                           ("--assignee", "ghost@example.com")])
def test_a_task_with_an_unknown_kind_due_or_assignee_is_refused(crm, lead, option, value):
    args = {"--kind": "meeting", "--due": "2026-03-02", "--assignee": None}
    args[option] = value
    extra = ["--assignee", args["--assignee"]] if args["--assignee"] else []
    result = crm("add", "task", lead, "--kind", args["--kind"], "--due", args["--due"], *extra)
    assert result.exit_code == (4 if option == "--assignee" else 2)
    one_line(result)


def test_a_deal_starts_at_the_first_stage_of_its_pipeline(crm, lead):
    deal = crm.json("add", "deal", "--company", "C1", "--lead", lead, "--pipeline", "Sales",
                    "--name", "Pilot", "--amount", "12000", "--currency", "eur")
    assert deal["id"] == "D1"
    assert (deal["pipeline"], deal["stage"], deal["status"]) == ("sales", "Prospecting", "open")
    assert (deal["amount"], deal["currency"]) == ("12000.00", "EUR")
    assert (deal["company_id"], deal["lead_id"]) == ("C1", lead)
    assert [d["id"] for d in crm.json("show", "C1")["deals"]] == ["D1"]


def test_a_deal_may_start_at_a_named_stage(crm, lead):
    deal = crm.json("add", "deal", "--company", "1", "--pipeline", "services", "--name", "Audit",
                    "--stage", "estimate scheduled/sent")
    assert deal["stage"] == "Estimate Scheduled/Sent"


@pytest.mark.parametrize("extra", [
    ["--pipeline", "marketing"],
    ["--pipeline", "sales", "--stage", "Dreaming"],
    ["--pipeline", "sales", "--amount", "a lot"],
    ["--pipeline", "sales", "--currency", "XYZ"],
])
def test_a_deal_with_an_unknown_pipeline_stage_amount_or_currency_is_bad_input(crm, lead, extra):
    result = crm("add", "deal", "--company", "C1", "--name", "Pilot", *extra)
    assert result.exit_code == 2
    one_line(result)


def test_a_deal_lead_must_work_at_the_deal_company(crm, lead):
    crm.json("add", "company", "--name", "Nordic Freight", "--website", "nordicfreight.se",
             "--linkedin", "https://www.linkedin.com/company/nordic-freight", "--employees", "800",
             "--industry", "Logistics", "--country", "SE")
    result = crm("add", "deal", "--company", "C2", "--lead", lead, "--pipeline", "sales", "--name", "Pilot")
    assert result.exit_code == 2
    assert "C1" in one_line(result)


def test_an_engagement_event_is_recorded_for_scoring(crm, lead):
    event = crm.json("add", "event", lead, "--kind", "demo request", "--on", "2026-03-02")
    assert (event["kind"], event["lead_id"]) == ("demo_request", lead)
    assert event["occurred_at"] == "2026-03-02T00:00:00Z"


def test_every_event_kind_the_help_names_is_accepted(crm, lead):
    help_text = " ".join(crm("add", "event", "--help").stdout.split())
    named = help_text.split("--kind TEXT", 1)[1].split(".", 1)[0].replace(",", " ").split()
    assert len(named) == 7
    for kind in named:
        assert crm.json("add", "event", lead, "--kind", kind)["kind"] == kind


def test_an_unknown_event_kind_is_bad_input(crm, lead):
    result = crm("add", "event", lead, "--kind", "coffee")
    assert result.exit_code == 2
    assert "website_visit" in one_line(result)
