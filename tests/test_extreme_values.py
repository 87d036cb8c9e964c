"""Extreme values (SPEC §8): every one is refused with exit 2 and one line, or taken; never an internal error.

crmctl's calendar runs from 1900-01-01 to 2999-12-31 (crmctl.dates): a date, datetime or ISO week
outside it is refused wherever it is typed or imported, and a day or hour setting is capped so the
arithmetic of the review and the reports on the calendar's first and last days stays on it.
"""
import json

import pytest

from conftest import Crm, one_line

OFF_CALENDAR = "is outside crmctl's calendar (1900-01-01 to 2999-12-31, UTC)"


@pytest.fixture
def sqlite_crm(tmp_path):
    """For input that is refused before any database work: the backend makes no difference."""
    return Crm(f"sqlite:///{tmp_path / 'crm.db'}")


def add_company(crm):
    return crm.json("add", "company", "--name", "Acme", "--website", "acme.com", "--linkedin",
                    "https://linkedin.com/company/acme", "--employees", "50", "--industry", "Software",
                    "--country", "PL")["id"]


def refused(result):
    """The one line of a refusal for bad input (exit 2)."""
    assert result.exit_code == 2, result.output
    return one_line(result)


# --- dates, datetimes and weeks: 1900-01-01 to 2999-12-31 -------------------------------------------


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "3000-01-01", "9999-12-31"])
def test_review_due_refuses_a_day_off_the_calendar(crm, day):
    add_company(crm)
    assert refused(crm("review", "due", "--today", day)) == f"crmctl: error: --today '{day}' {OFF_CALENDAR}"


@pytest.mark.parametrize("day", ["1900-01-01", "2999-12-31"])
def test_the_calendars_first_and_last_days_are_taken_even_with_the_largest_settings(crm, day):
    add_company(crm)
    for key in ("review_interval_days", "reengagement_interval_days", "renewal_notice_days",
                "services_manual_touch_days"):
        crm.json("config", "set", key, "3650")
    crm.json("config", "set", "response_time_new_lead_hours", "1000")
    assert crm("review", "due", "--today", day).exit_code == 0
    assert crm("review", "run", "--dry-run", "--today", day).exit_code == 0
    assert crm("report", "response-time", "--today", day).exit_code == 0
    assert refused(crm("review", "due", "--today", "1899-12-31" if day == "1900-01-01" else "3000-01-01"))


def test_review_run_refuses_a_day_off_the_calendar(crm):
    result = crm("review", "run", "--dry-run", "--today", "9999-12-01")
    assert refused(result) == f"crmctl: error: --today '9999-12-01' {OFF_CALENDAR}"


@pytest.mark.parametrize("name, option, day", [
    ("quota", "--until", "9999-12-31"),
    ("response-time", "--until", "9999-12-31"),
    ("velocity", "--until", "9999-12-31"),
    ("review", "--until", "9999-12-31"),
    ("review", "--until", "0001-01-01"),
    ("funnel", "--since", "1899-12-31"),
    ("pipeline", "--today", "3000-01-01"),
])
def test_a_report_refuses_a_day_off_the_calendar_naming_the_option(crm, name, option, day):
    add_company(crm)
    assert refused(crm("report", name, option, day)) == f"crmctl: error: {option} '{day}' {OFF_CALENDAR}"


@pytest.mark.parametrize("options, line", [
    (["--week", "0001-W01"], "--week '0001-W01' is outside crmctl's calendar (weeks 1900-W01 to 2999-W52)"),
    (["--week", "9999-W52"], "--week '9999-W52' is outside crmctl's calendar (weeks 1900-W01 to 2999-W52)"),
    (["--today", "0001-01-10"], f"--today '0001-01-10' {OFF_CALENDAR}"),
])
def test_the_weekly_page_refuses_a_week_off_the_calendar(sqlite_crm, tmp_path, options, line):
    result = sqlite_crm("report", "weekly", *options, "--out", tmp_path / "week.html")
    assert refused(result) == f"crmctl: error: {line}"
    assert not (tmp_path / "week.html").exists()


def test_the_weekly_page_takes_the_weeks_of_1900_to_2999(crm, tmp_path):
    add_company(crm)
    page = tmp_path / "week.html"
    for week in ("1900-W01", "2999-W52"):
        result = crm("report", "weekly", "--week", week, "--out", page)
        assert one_line(result) == f"wrote the weekly page of {week} to {page}"
    for week in ("1899-W52", "3000-W01"):
        assert refused(crm("report", "weekly", "--week", week, "--out", page)) == (
            f"crmctl: error: --week '{week}' is outside crmctl's calendar (weeks 1900-W01 to 2999-W52)")


def test_a_task_due_after_2999_is_refused_and_the_last_second_of_2999_exports(crm, tmp_path):
    company = add_company(crm)
    result = crm("add", "task", company, "--kind", "call", "--due", "9999-12-31T23:59:59")
    assert refused(result) == f"crmctl: error: due (--due) '9999-12-31T23:59:59' {OFF_CALENDAR}"
    assert crm.json("list", "tasks") == []
    crm.json("add", "task", company, "--kind", "call", "--due", "2999-12-31T23:59:59")
    exported = crm("task", "export", tmp_path / "tasks.ics")
    assert exported.exit_code == 0, exported.output
    assert b"DTSTART:29991231T235959Z" in (tmp_path / "tasks.ics").read_bytes()


def test_a_task_an_older_crmctl_stored_at_the_end_of_time_still_exports(crm, tmp_path):
    company = add_company(crm)
    crm.json("add", "task", company, "--kind", "call", "--due", "2999-12-31T23:59:59")
    from crmctl.storage.connection import connect_database

    database = connect_database(crm.url)  # as crmctl before the calendar's bounds let it in
    database.execute_sql("UPDATE task SET due_at = '9999-12-31 23:59:59'")
    database.close()
    exported = crm("task", "export", tmp_path / "tasks.ics")
    assert exported.exit_code == 0, exported.output
    assert b"DTSTART:99991231T235959Z" in (tmp_path / "tasks.ics").read_bytes()


def test_the_weekly_page_names_a_file_with_a_line_break_on_one_line(sqlite_crm, tmp_path):
    page = tmp_path / "week\n48.html"
    result = sqlite_crm("report", "weekly", "--week", "2026-W48", "--out", page)
    assert result.exit_code == 0, result.output
    assert one_line(result) == f"wrote the weekly page of 2026-W48 to {str(page)!r}"


def test_a_date_an_older_crmctl_stored_off_the_calendar_does_not_block_other_changes(crm):
    company = add_company(crm)
    lead = crm.json("add", "lead", "--company", company, "--name", "Jan Nowak", "--position", "CEO")["id"]
    from test_review import run_sql  # a typo (3026 for 2026) an older crmctl let in
    run_sql(crm.url, "UPDATE lead SET status = 'Follow Up', follow_up_on = ? WHERE id = ?", ("3026-01-15", 1))
    assert crm.json("edit", lead, "--set", "status=Connected")["status"] == "Connected"
    assert refused(crm("edit", lead, "--set", "status=Follow Up", "--set", "follow_up_on=3026-01-16"))


def test_an_offset_that_moves_a_datetime_before_1900_is_refused(sqlite_crm):
    company = add_company(sqlite_crm)
    result = sqlite_crm("add", "task", company, "--kind", "call", "--due", "1900-01-01T00:00:00+05:00")
    assert refused(result) == f"crmctl: error: due (--due) '1900-01-01T00:00:00+05:00' {OFF_CALENDAR}"


def test_an_imported_date_off_the_calendar_refuses_its_row_only(crm, tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Leads"
    sheet.append(["Company Name", "Website", "Company LinkedIn", "Employees", "Industry", "Country", "Lead Name",
                  "Position", "Connections", "Email", "Status", "Follow Up On"])
    acme = ["Acme Robotics", "https://acme-robotics.pl", "https://www.linkedin.com/company/acme-robotics", 120,
            "Robotics", "PL"]
    sheet.append(acme + ["Anna Nowak", "CTO", 350, "anna@acme-robotics.pl", "Follow Up", 2958465])  # 9999-12-31
    sheet.append(acme + ["Ola Nowak", "CTO", 350, "ola@acme-robotics.pl", "Follow Up", "31.12.3000"])
    sheet.append(acme + ["Jan Nowak", "CTO", 350, "jan@acme-robotics.pl", "Follow Up", 46086])  # 2026-03-05
    book.save(tmp_path / "leads.xlsx")
    result = crm("import", "run", tmp_path / "leads.xlsx", "--format", "json")
    assert result.exit_code == 6, result.output
    assert json.loads(result.stdout)["rejected"] == 2
    assert one_line(result) == (f"crmctl: error: 2 rows rejected; first, row 2: Follow Up On '2958465' {OFF_CALENDAR}; "
                                "--rejects FILE.xls writes them all")
    assert [lead["follow_up_on"] for lead in crm.json("list", "leads")] == ["2026-03-05"]


# --- settings: days at most 3650, business hours at most 1000 -----------------------------------------


@pytest.mark.parametrize("key, value", [
    ("review_interval_days", "99999999999"),
    ("review_interval_days", "3651"),
    ("reengagement_interval_days", "3651"),
    ("renewal_notice_days", "3000000"),
    ("services_manual_touch_days", "3651"),
])
def test_a_day_setting_takes_at_most_ten_years(sqlite_crm, key, value):
    assert refused(sqlite_crm("config", "set", key, value)) == (
        f"crmctl: error: setting {key} takes a whole number from 1 to 3650, not {value}: out of range")
    assert sqlite_crm.json("config", "set", key, "3650") == 3650


def test_each_day_of_the_follow_up_cadence_is_at_most_ten_years(sqlite_crm):
    assert refused(sqlite_crm("config", "set", "follow_up_cadence_days", "1,3,3651")) == (
        "crmctl: error: setting follow_up_cadence_days takes a non-empty list of growing whole numbers of days up "
        "to 3650, like [1, 3, 7, 14], not [1, 3, 3651]: more than 3650")
    assert sqlite_crm.json("config", "set", "follow_up_cadence_days", "1,3650") == [1, 3650]


@pytest.mark.parametrize("key", ["response_time_new_lead_hours", "response_time_customer_hours"])
def test_a_response_time_takes_at_most_1000_business_hours(sqlite_crm, key):
    assert refused(sqlite_crm("config", "set", key, "99999999")) == (
        f"crmctl: error: setting {key} takes a whole number from 1 to 1000, not 99999999: out of range")
    assert sqlite_crm.json("config", "set", key, "1000") == 1000


# --- other options --------------------------------------------------------------------------------


def test_an_agent_named_over_two_lines_is_quoted_on_one(sqlite_crm):
    result = sqlite_crm("report", "funnel", "--agent", "a@b.c\nsecond line")
    assert result.exit_code == 0
    assert one_line(result) == "no agent 'a@b.c\\nsecond line': nothing to report"


@pytest.mark.parametrize("command", [
    ["review", "due"],
    ["review", "run", "--dry-run"],
    ["report", "funnel"],
    ["report", "weekly", "--out", "{tmp}/week.html"],
])
def test_an_empty_today_is_bad_input_not_today(sqlite_crm, tmp_path, command):
    result = sqlite_crm(*(part.format(tmp=tmp_path) for part in command), "--today", "")
    assert refused(result) == "crmctl: error: --today '' is not an ISO date (YYYY-MM-DD)"


@pytest.mark.parametrize("score", ["nan", "NaN"])
def test_a_minimum_score_of_nan_is_not_a_number_from_0_to_100(sqlite_crm, score):
    result = sqlite_crm("dedup", "scan", "--min-score", score)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: Invalid value for '--min-score': nan is not in the range 0<=x<=100.")


@pytest.mark.parametrize("command", [
    ["report", "pipeline"],
    ["report", "funnel"],
    ["report", "weekly", "--out", "{tmp}/week.html"],
])
def test_a_report_takes_a_country_as_review_due_does(crm, tmp_path, command):
    command = [part.format(tmp=tmp_path) for part in command]
    assert refused(crm("review", "due", "--country", "XX")) == "crmctl: error: country 'XX' is not a known country"
    assert refused(crm(*command, "--country", "XX")) == "crmctl: error: country 'XX' is not a known country"
    assert crm("review", "due", "--country", "Poland").exit_code == 0
    assert crm(*command, "--country", "Poland").exit_code == 0
