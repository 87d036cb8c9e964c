"""`task export FILE.ics` (SPEC §6): an iCalendar file that calendar programs import, read back with icalendar."""
import datetime

import icalendar
import pytest

from conftest import one_line

BOSS = "boss@example.com"
ANNA = "anna@example.com"
UTC = datetime.timezone.utc


@pytest.fixture
def tasks(crm):
    """T1 a call on lead L1 (Anna's), T2 a meeting on company C1 (Boss's), T3 on deal D1 (Anna's)."""
    crm.json("agent", "add", BOSS, "--name", "Boss", "--role", "admin")
    crm.json("agent", "add", ANNA, "--name", "Anna", "--role", "agent", "--country", "PL", acting=BOSS)
    crm.json("add", "company", "--name", "Acme Robotics", "--website", "acme-robotics.pl",
             "--linkedin", "https://www.linkedin.com/company/acme-robotics", "--employees", "120",
             "--industry", "Robotics", "--country", "PL", acting=BOSS)
    crm.json("add", "lead", "--company", "C1", "--name", "Jan Kowalski", "--position", "CTO", "--owner", ANNA,
             acting=BOSS)
    crm.json("add", "deal", "--company", "C1", "--pipeline", "sales", "--name", "Pilot line", acting=BOSS)
    crm.json("add", "task", "L1", "--kind", "call", "--due", "2026-12-01T10:30:00+01:00", "--assignee", ANNA,
             "--text", "Call about the demo", acting=BOSS)
    crm.json("add", "task", "C1", "--kind", "meeting", "--due", "2026-12-02T13:00:00Z", acting=BOSS)
    crm.json("add", "task", "D1", "--kind", "email", "--due", "2026-12-03T08:00:00Z", "--assignee", ANNA,
             "--text", "Send the offer", acting=BOSS)
    return crm


def exported(crm, path, *options, acting=BOSS):
    result = crm("task", "export", path, *options, acting=acting)
    assert result.exit_code == 0, result.output
    return events_in(path.read_bytes())


def events_in(data):
    calendar = icalendar.Calendar.from_ical(data)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_each_task_is_an_event_with_its_record_due_time_and_a_reminder(tasks, tmp_path):
    events = exported(tasks, tmp_path / "tasks.ics")
    assert sorted(events) == ["T1@crmctl", "T2@crmctl", "T3@crmctl"]
    call = events["T1@crmctl"]
    assert "L1 Jan Kowalski (Acme Robotics)" in str(call["SUMMARY"]) and "Call about the demo" in str(call["SUMMARY"])
    assert call.decoded("DTSTART") == datetime.datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    assert call.decoded("DTSTAMP").tzinfo is not None
    (alarm,) = call.walk("VALARM")
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert alarm.decoded("TRIGGER") == datetime.timedelta(minutes=-15)
    assert "C1 Acme Robotics" in str(events["T2@crmctl"]["SUMMARY"])
    assert "D1 Pilot line" in str(events["T3@crmctl"]["SUMMARY"])


def test_the_file_is_a_calendar_programs_accept(tasks, tmp_path):
    path = tmp_path / "tasks.ics"
    exported(tasks, path)
    data = path.read_bytes()
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.rstrip().endswith(b"END:VCALENDAR")
    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["VERSION"]) == "2.0" and "crmctl" in str(calendar["PRODID"])


def test_a_re_export_keeps_the_uids_and_marks_a_done_task_as_updated(tasks, tmp_path):
    first = exported(tasks, tmp_path / "first.ics")
    tasks.json("task", "done", "T1", acting=ANNA)
    tasks.json("edit", "T2", "--set", "due=2026-12-02T15:00:00Z", acting=BOSS)
    second = exported(tasks, tmp_path / "second.ics", "--include-done")
    assert sorted(second) == sorted(first)
    assert str(second["T1@crmctl"]["SUMMARY"]).startswith("[done]")
    assert second["T1@crmctl"].walk("VALARM") == []
    assert second["T2@crmctl"].decoded("DTSTART") == datetime.datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
    assert int(second["T2@crmctl"]["SEQUENCE"]) > int(first["T2@crmctl"]["SEQUENCE"])


def test_done_tasks_are_left_out_unless_asked_for(tasks, tmp_path):
    tasks.json("task", "done", "T1", acting=ANNA)
    assert sorted(exported(tasks, tmp_path / "open.ics")) == ["T2@crmctl", "T3@crmctl"]


def test_the_export_takes_filters_and_mine(tasks, tmp_path):
    assert sorted(exported(tasks, tmp_path / "mine.ics", "--mine", acting=ANNA)) == ["T1@crmctl", "T3@crmctl"]
    assert sorted(exported(tasks, tmp_path / "calls.ics", "--where", "kind=call")) == ["T1@crmctl"]


def test_the_summary_says_how_many_tasks_were_written(tasks, tmp_path):
    summary = tasks.json("task", "export", tmp_path / "tasks.ics", acting=BOSS)
    assert summary == {"file": str(tmp_path / "tasks.ics"), "tasks": 3}


def test_a_dash_writes_the_calendar_to_stdout(tasks):
    result = tasks("task", "export", "-", acting=BOSS)
    assert result.exit_code == 0
    assert sorted(events_in(result.stdout.encode())) == ["T1@crmctl", "T2@crmctl", "T3@crmctl"]


def test_a_file_that_cannot_be_written_is_bad_input(tasks, tmp_path):
    result = tasks("task", "export", tmp_path / "missing" / "tasks.ics", acting=BOSS)
    assert result.exit_code == 2
    one_line(result)
    assert not (tmp_path / "missing").exists()


def test_a_bad_filter_writes_no_file(tasks, tmp_path):
    result = tasks("task", "export", tmp_path / "tasks.ics", "--where", "colour=red", acting=BOSS)
    assert result.exit_code == 2
    assert not (tmp_path / "tasks.ics").exists()
