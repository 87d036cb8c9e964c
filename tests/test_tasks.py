"""Tasks (SPEC §4, §6): `task done`, `task list --due … --mine`, `list tasks --where done=…`, and the reminder
task a communication's follow-up date gives its author; `add comm --notes-file -` and `--direction`."""
import datetime
import time

import pytest

from conftest import one_line

BOSS = "boss@example.com"
MIA = "mia@example.com"  # a manager
ANNA = "anna@example.com"  # an agent
OLAF = "olaf@example.com"  # another agent


@pytest.fixture
def local_zone(monkeypatch):
    """Set the user's local zone for the command (CliRunner runs it in this process)."""
    def use(zone):
        monkeypatch.setenv("TZ", zone)
        time.tzset()
    yield use
    monkeypatch.delenv("TZ", raising=False)
    time.tzset()


@pytest.fixture
def team(crm):
    """Anna owns L1, Olaf owns L2 (both at C1, which nobody owns)."""
    crm.json("agent", "add", BOSS, "--name", "Boss", "--role", "admin")
    crm.json("agent", "add", MIA, "--name", "Mia", "--role", "manager", "--country", "PL", acting=BOSS)
    crm.json("agent", "add", ANNA, "--name", "Anna", "--role", "agent", "--country", "PL", acting=BOSS)
    crm.json("agent", "add", OLAF, "--name", "Olaf", "--role", "agent", "--country", "PL", acting=BOSS)
    crm.json("add", "company", "--name", "Acme Robotics", "--website", "acme-robotics.pl",
             "--linkedin", "https://www.linkedin.com/company/acme-robotics", "--employees", "120",
             "--industry", "Robotics", "--country", "PL", acting=BOSS)
    crm.json("add", "lead", "--company", "C1", "--name", "Jan Kowalski", "--position", "CTO", "--owner", ANNA,
             acting=BOSS)
    crm.json("add", "lead", "--company", "C1", "--name", "Ewa Lis", "--position", "CEO", "--owner", OLAF,
             acting=BOSS)
    return crm


def add_task(crm, subject, due, assignee, acting=BOSS, text=None):
    extra = ["--text", text] if text else []
    return crm.json("add", "task", subject, "--kind", "call", "--due", due, "--assignee", assignee, *extra,
                    acting=acting)["id"]


def utc_text(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------
# task done
# ---------------------------------------------------------------------------


def test_an_agent_gives_itself_tasks_and_only_a_manager_gives_them_to_others(team):
    mine = add_task(team, "L1", "2026-12-01T10:00:00Z", ANNA, acting=ANNA)
    assert team.json("show", mine)["assignee"] == ANNA
    for other in (OLAF, MIA):  # giving work to someone else is allocation (SPEC §3: managers)
        refused = team("add", "task", "L1", "--kind", "call", "--due", "2026-12-01T10:00:00Z", "--assignee", other,
                       acting=ANNA)
        assert refused.exit_code == 5, refused.output
        assert one_line(refused) == f"crmctl: error: {ANNA} (agent) may not allocate"
    assert [task["id"] for task in team.json("list", "tasks")] == [mine]
    assert team.json("show", add_task(team, "L2", "2026-12-01T10:00:00Z", OLAF, acting=MIA))["assignee"] == OLAF


def test_the_assignee_marks_a_task_done(team):
    task = add_task(team, "L1", "2026-12-01T10:00:00Z", ANNA)
    done = team.json("task", "done", task, acting=ANNA)
    assert (done["id"], done["done"]) == (task, True)
    assert done["done_at"].endswith("Z")
    assert team.json("list", "tasks")[0]["done"] is True


def test_several_tasks_are_marked_done_at_once_and_bare_numbers_work(team):
    first = add_task(team, "L1", "2026-12-01T10:00:00Z", ANNA)
    second = add_task(team, "L1", "2026-12-02T10:00:00Z", ANNA)
    done = team.json("task", "done", first, second[1:], acting=ANNA)
    assert [(task["id"], task["done"]) for task in done] == [(first, True), (second, True)]


def test_marking_a_done_task_done_again_says_so_and_changes_nothing(team):
    task = add_task(team, "L1", "2026-12-01T10:00:00Z", ANNA)
    first = team.json("task", "done", task, acting=ANNA)
    again = team("task", "done", task, acting=ANNA)
    assert again.exit_code == 0
    assert f"{task} was already done" in again.stderr
    assert team.json("show", task)["done_at"] == first["done_at"]


def test_the_owner_of_the_tasks_lead_marks_it_done(team):
    task = add_task(team, "L1", "2026-12-01T10:00:00Z", OLAF)
    assert team.json("task", "done", task, acting=ANNA)["done"] is True


def test_a_manager_marks_anyones_task_done(team):
    task = add_task(team, "L2", "2026-12-01T10:00:00Z", OLAF)
    assert team.json("task", "done", task, acting=MIA)["done"] is True


def test_another_agent_may_not_mark_a_task_done(team):
    task = add_task(team, "L2", "2026-12-01T10:00:00Z", OLAF)
    company_task = add_task(team, "C1", "2026-12-01T10:00:00Z", OLAF)
    for refused in (task, company_task):
        result = team("task", "done", refused, acting=ANNA)
        assert result.exit_code == 5
        assert refused in one_line(result)
    assert {task["done"] for task in team.json("list", "tasks")} == {False}


def test_an_unknown_task_is_not_found_and_nothing_is_marked(team):
    task = add_task(team, "L1", "2026-12-01T10:00:00Z", ANNA)
    result = team("task", "done", task, "T99", acting=ANNA)
    assert result.exit_code == 4
    assert "T99" in one_line(result)
    assert team.json("show", task)["done"] is False
    assert team("task", "done", "L1", acting=ANNA).exit_code == 2


def test_task_done_is_in_the_tasks_history(team):
    task = add_task(team, "L1", "2026-12-01T10:00:00Z", ANNA)
    team.json("task", "done", task, acting=ANNA)
    assert [(row["field"], row["agent"]) for row in team.json("history", task)][-1] == ("done_at", ANNA)


# ---------------------------------------------------------------------------
# Listings of tasks
# ---------------------------------------------------------------------------


def test_list_tasks_filters_on_done(team):
    open_task = add_task(team, "L1", "2026-12-01T10:00:00Z", ANNA)
    done_task = add_task(team, "L1", "2026-12-02T10:00:00Z", ANNA)
    team.json("task", "done", done_task, acting=ANNA)
    assert [task["id"] for task in team.json("list", "tasks", "--where", "done=false")] == [open_task]
    assert [task["id"] for task in team.json("list", "tasks", "--where", "done=true")] == [done_task]
    result = team("list", "tasks", "--where", "done>maybe")
    assert result.exit_code == 2
    one_line(result)


def test_task_list_due_today_overdue_and_this_week(team, local_zone):
    local_zone("UTC")
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None, microsecond=0)
    today_end = now.replace(hour=23, minute=59, second=59)
    if (today_end - now).total_seconds() < 120:
        pytest.skip("too close to midnight UTC to tell today from tomorrow")
    overdue = add_task(team, "L1", utc_text(now - datetime.timedelta(days=1)), ANNA)
    today = add_task(team, "L1", utc_text(today_end), ANNA)
    in_three_days = add_task(team, "L1", utc_text(now + datetime.timedelta(days=3)), ANNA)
    in_ten_days = add_task(team, "L1", utc_text(now + datetime.timedelta(days=10)), ANNA)
    done_today = add_task(team, "L1", utc_text(today_end), ANNA)
    team.json("task", "done", done_today, acting=ANNA)

    def due(window):
        return [task["id"] for task in team.json("task", "list", "--due", window, acting=ANNA)]

    assert due("today") == [today]
    assert due("overdue") == [overdue]
    this_week = [task for task, moment in ((overdue, now - datetime.timedelta(days=1)), (today, today_end),
                                           (in_three_days, now + datetime.timedelta(days=3)))
                 if moment.isocalendar()[:2] == now.isocalendar()[:2]]
    assert due("week") == this_week
    assert [task["id"] for task in team.json("task", "list")] == [overdue, today, in_three_days, in_ten_days]


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Auckland", "America/Los_Angeles"])
def test_task_list_due_week_is_this_calendar_week_monday_to_sunday_in_local_days(team, local_zone, zone):
    local_zone(zone)
    today = datetime.datetime.now().date()  # the local date
    monday = today - datetime.timedelta(days=today.weekday())

    def at(day, clock):  # a local date and time, as the UTC text a task takes
        local = datetime.datetime.combine(day, clock).astimezone()
        return utc_text(local.astimezone(datetime.timezone.utc))

    tasks = {label: add_task(team, "L1", at(day, clock), ANNA) for label, day, clock in (
        ("last sunday", monday - datetime.timedelta(days=1), datetime.time(23, 30)),
        ("monday", monday, datetime.time(0, 30)),
        ("sunday", monday + datetime.timedelta(days=6), datetime.time(23, 30)),
        ("next monday", monday + datetime.timedelta(days=7), datetime.time(0, 30)),
    )}
    listed = [task["id"] for task in team.json("task", "list", "--due", "week", acting=ANNA)]
    assert listed == [tasks["monday"], tasks["sunday"]]


def test_task_list_mine_shows_only_the_acting_agents_tasks(team):
    mine = add_task(team, "L1", "2026-12-01T10:00:00Z", ANNA)
    add_task(team, "L2", "2026-12-01T09:00:00Z", OLAF)
    assert [task["id"] for task in team.json("task", "list", "--mine", acting=ANNA)] == [mine]


def test_task_list_mine_needs_an_acting_agent(crm):
    result = crm("task", "list", "--mine")
    assert result.exit_code == 2
    assert "--as" in one_line(result)


def test_task_list_takes_the_listing_filters_and_formats(team):
    add_task(team, "L1", "2026-12-01T10:00:00Z", ANNA, text="Call about the demo")
    add_task(team, "L2", "2026-12-01T09:00:00Z", OLAF, text="Send the offer")
    assert [task["text"] for task in team.json("task", "list", "--where", f"assignee={OLAF}")] == ["Send the offer"]
    assert [task["text"] for task in team.json("task", "list", "--search", "demo")] == ["Call about the demo"]
    csv_lines = team("task", "list", "--format", "csv").stdout.splitlines()
    assert csv_lines[0].startswith("id,subject,kind,due_at") and len(csv_lines) == 3
    assert "2026-12-01T09:00:00Z" in csv_lines[1]


def test_a_table_shows_due_times_in_the_users_zone_and_json_in_utc(team, local_zone):
    add_task(team, "L1", "2026-12-01T09:00:00Z", ANNA)
    local_zone("Europe/Warsaw")
    table = team("task", "list", "--format", "table").stdout
    assert "2026-12-01 10:00 +01:00" in table
    assert team.json("task", "list")[0]["due_at"] == "2026-12-01T09:00:00Z"


def test_an_unknown_due_window_is_a_usage_error(crm):
    assert crm("task", "list", "--due", "tomorrow").exit_code == 2


# ---------------------------------------------------------------------------
# Communications: the reminder task, stdin, direction
# ---------------------------------------------------------------------------


def test_a_follow_up_date_gives_the_author_a_reminder_task(team):
    comm = team.json("add", "comm", "L1", "--type", "First Connection", "--channel", "LinkedIn",
                     "--follow-up-on", "2026-12-03", acting=ANNA)
    assert comm["follow_up_on"] == "2026-12-03"
    task = team.json("show", comm["follow_up_task"])
    assert (task["kind"], task["subject"], task["assignee"]) == ("task", "L1", ANNA)
    assert task["due_at"] == "2026-12-03T09:00:00Z"
    assert comm["id"] in task["text"]
    assert [t["id"] for t in team.json("task", "list", "--mine", acting=ANNA)] == [task["id"]]


def test_a_communication_without_a_follow_up_date_makes_no_task(team):
    comm = team.json("add", "comm", "L1", "--type", "Follow-up", "--channel", "Email", acting=ANNA)
    assert "follow_up_task" not in comm
    assert team.json("list", "tasks") == []


def test_a_bad_follow_up_date_stores_neither_the_communication_nor_a_task(team):
    result = team("add", "comm", "L1", "--type", "Follow-up", "--channel", "Email", "--follow-up-on", "soon",
                  acting=ANNA)
    assert result.exit_code == 2
    one_line(result)
    assert team.json("show", "L1")["communications"] == [] and team.json("list", "tasks") == []


def test_the_conversation_is_read_from_stdin(team):
    conversation = "Hi Jan, thanks for connecting!\nHi, happy to talk in January.\n"
    comm = team.json("add", "comm", "L1", "--type", "First Connection", "--channel", "LinkedIn", "--notes-file", "-",
                     input=conversation, acting=ANNA)
    assert comm["notes"] == conversation.strip()


def test_a_communication_is_outbound_unless_the_lead_answered(team):
    sent = team.json("add", "comm", "L1", "--type", "Follow-up", "--channel", "Email", acting=ANNA)
    answer = team.json("add", "comm", "L1", "--type", "Follow-up", "--channel", "Email", "--direction", "INBOUND",
                       acting=ANNA)
    assert (sent["direction"], answer["direction"]) == ("outbound", "inbound")
    assert team("add", "comm", "L1", "--type", "Follow-up", "--channel", "Email", "--direction", "sideways",
                acting=ANNA).exit_code == 2


def test_an_agent_logs_communications_on_a_colleagues_lead_and_on_the_pools(team):
    team.json("add", "lead", "--company", "C1", "--name", "Piotr Zielinski", "--position", "COO", "--owner", "",
              acting=BOSS)
    for lead in ("L2", "L3"):
        comm = team.json("add", "comm", lead, "--type", "Basic Correspondence", "--channel", "Phone", acting=ANNA)
        assert comm["agent"] == ANNA
