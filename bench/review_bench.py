"""`review run` over 1,000,000 companies (issue 12: under 10 s), beside its floor, on SQLite.

    python bench/review_bench.py            # 1,000,000 companies
    python bench/review_bench.py --quick    # 100,000

The companies are bench/company_data.py's cached database (all added on
2026-01-01), copied to a scratch file and given what the job reads: two agents per country and an admin, a client in 20 and a company not
relevant in 50, one archived in 100; a lead for every fifth company (one in
50 of them at Call), an outbound communication in the last three weeks for
half of those (a fifth of them answered), deals in the services pipeline and
client contracts ending within the quarter. The run is `review run --today
2026-06-01` as a whole process (`crmctl --db … --as … review run`), twice on
each of two copies:

- a day: the companies were reviewed one in 90 a day over the last 90 days,
  so about 11,000 fall due today (what the daily cron job meets);
- the first run: never reviewed, every company is due at once (about 918,000
  review tasks, each with its History row), the hardest day there is;

each then run again, which finds everything done.

Floor: the review tasks as the job writes them, by hand in raw SQL (sqlite3):
one INSERT ... SELECT of a task per due company (job_key, text, assignee) and
one of their History rows, in one transaction that is rolled back so the job
then finds the database as it was. It leaves out the job's other parts (the
follow-ups, renewals and account reviews of 200,000 leads and 50,000 clients)
and the commit, so it is below what any run could take. Printed beside it:
the same floor committed, on a copy of the same database: the commit copies
the write-ahead log (about 400 MB on the first run) into the database file,
which the job cannot skip either.
"""
import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import company_data  # noqa: E402

TODAY = "2026-06-01"
TARGET_SECONDS = 10.0
ADMIN = "bench-admin@example.com"
CUTOFF = "2026-03-04 00:00:00"  # 90 days before 2026-06-01, the day included
AT = "2026-01-01 00:00:00"


def populate(path, daily, seed=12):
    """What the job reads beside the companies (see the module's docstring), by raw inserts.

    `daily`: the companies were reviewed on the 90 days before the run, one in 90 a day, so one in 90 is due.
    """
    rng = random.Random(seed)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    with connection:
        countries = [row[0] for row in connection.execute("SELECT DISTINCT country FROM company ORDER BY country")]
        connection.execute("INSERT INTO agent (email, name, role, country, linkedin_accounts, active, created_at) "
                           "VALUES (?, 'Bench Admin', 'admin', NULL, '[]', 1, ?)", (ADMIN, AT))
        connection.executemany(
            "INSERT INTO agent (email, name, role, country, linkedin_accounts, active, created_at) "
            "VALUES (?, ?, 'agent', ?, '[]', 1, ?)",
            [(f"{country.lower()}{n}@example.com", f"Agent {country} {n}", country, AT)
             for country in countries for n in (1, 2)])
        connection.execute("UPDATE company SET relationship = 'client' WHERE id % 20 = 0")
        connection.execute("UPDATE company SET relationship = 'not relevant' WHERE id % 50 = 1")
        connection.execute("UPDATE company SET archived_at = ? WHERE id % 100 = 2", (AT,))
        if daily:
            connection.execute("UPDATE company SET last_reviewed_at = datetime('2026-03-03 12:00:00', "
                               "'+' || (id % 90) || ' days')")
        (count,) = connection.execute("SELECT MAX(id) FROM company").fetchone()
        leads = [(company_id, f"Person {company_id}", "Call" if company_id % 250 == 0 else "Sent Request", AT, AT)
                 for company_id in range(5, count + 1, 5)]
        connection.executemany("INSERT INTO lead (company_id, full_name, status, score, created_at, updated_at) "
                               "VALUES (?, ?, ?, 0, ?, ?)", leads)
        comms = []
        for lead_id in range(1, len(leads) + 1, 2):
            day = rng.randint(10, 31)
            comms.append((lead_id, f"2026-05-{day:02d} 10:00:00", "outbound"))
            if rng.random() < 0.2:
                comms.append((lead_id, f"2026-05-{day:02d} 15:00:00", "inbound"))
        connection.executemany("INSERT INTO communication (lead_id, occurred_at, type, channel, direction, "
                               "created_at) VALUES (?, ?, 'Follow-up', 'Email', ?, ?)",
                               [(lead, at, direction, at) for lead, at, direction in comms])
        stages = ("New Leads", "Follow Up With", "Stop Automation/Nurture", "Service Completed")
        deals = [(f"Job {company_id}", company_id, "services", stages[company_id % 4], "open",
                  f"2026-05-{rng.randint(1, 31):02d} 10:00:00", None)
                 for company_id in range(3, count + 1, 100)]
        deals += [(f"Contract {company_id}", company_id, "sales", "Closed Won", "won", AT,
                   f"2026-{rng.randint(6, 9):02d}-{rng.randint(1, 28):02d}")
                  for company_id in range(20, count + 1, 200)]
        connection.executemany("INSERT INTO deal (name, company_id, pipeline, stage, status, stage_entered_at, "
                               "contract_end, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, '2026-01-01 00:00:00')", deals)
    connection.execute("ANALYZE")
    connection.close()
    return len(leads), len(comms), len(deals)


TASKS_SQL = """
INSERT OR IGNORE INTO task (company_id, kind, due_at, assignee_id, text, job_key, created_by_id, created_at)
SELECT company.id, 'task', '2026-06-01 09:00:00', {assignee},
       'Review C' || company.id || ' ' || company.name || ' (due since ' || {due_date} || '), then `crmctl review done C'
       || company.id || '`', 'review:C' || company.id || ':' || {due_date}, NULL, '2026-06-01 00:00:00'
FROM company
WHERE company.archived_at IS NULL AND company.relationship NOT IN ('client', 'not relevant')
  AND COALESCE(company.last_reviewed_at, company.created_at) < ?
  AND NOT EXISTS (SELECT 1 FROM lead WHERE lead.company_id = company.id AND lead.status = 'Call'
                  AND lead.archived_at IS NULL)
  AND NOT EXISTS (SELECT 1 FROM task WHERE task.company_id = company.id AND task.done_at IS NULL
                  AND task.job_key LIKE 'review:%')
"""
HISTORY_SQL = """
INSERT INTO history (at, agent_email, entity, action)
SELECT '2026-06-01 00:00:00', ?, 'T' || id, 'create' FROM task WHERE id > ? AND job_key LIKE 'review:%' ORDER BY id
"""


def assignee_case(agents):
    """The agent at (company id mod the country's agents), as a CASE over the countries."""
    branches = " ".join(f"WHEN '{country}' THEN CASE company.id % {len(ids)} "
                        + " ".join(f"WHEN {n} THEN {agent_id}" for n, agent_id in enumerate(ids)) + " END"
                        for country, ids in sorted(agents.items()))
    return f"CASE company.country {branches} END" if agents else "NULL"


def floor(path, commit=False):
    """The tasks and their History rows by two INSERT ... SELECTs in one transaction, rolled back (with `commit`:
    committed, the commit timed too); (seconds, tasks)."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    agents = {}
    for agent_id, country in connection.execute("SELECT id, country FROM agent WHERE active AND country IS NOT NULL "
                                                "ORDER BY id"):
        agents.setdefault(country, []).append(agent_id)
    started = time.perf_counter()
    connection.execute("BEGIN IMMEDIATE")
    (before,) = connection.execute("SELECT COALESCE(MAX(id), 0) FROM task").fetchone()
    due_date = "date(date(COALESCE(company.last_reviewed_at, company.created_at)), '+90 days')"  # as the job's
    tasks = connection.execute(TASKS_SQL.format(assignee=assignee_case(agents), due_date=due_date),
                               (CUTOFF,)).rowcount
    connection.execute(HISTORY_SQL, (ADMIN, before))
    if commit:  # what the job must do too: SQLite then copies the write-ahead log into the database
        connection.execute("COMMIT")
    seconds = time.perf_counter() - started
    if not commit:
        connection.execute("ROLLBACK")
    connection.close()
    return seconds, tasks


def crmctl_run(path):
    """`review run` as a whole process; (seconds, summary)."""
    command = company_data.CRMCTL + ["--db", f"sqlite:///{path}", "--as", ADMIN, "review", "run", "--today", TODAY,
                                     "--format", "json"]
    environment = dict(os.environ)
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    started = time.perf_counter()
    finished = subprocess.run(command, capture_output=True, text=True, env=environment)
    seconds = time.perf_counter() - started
    if finished.returncode != 0:
        raise SystemExit(f"review run failed ({finished.returncode}): {finished.stderr.strip()}")
    return seconds, json.loads(finished.stdout)


def counts(summary):
    return {key: value for key, value in summary.items() if isinstance(value, int) and not isinstance(value, bool)
            and value}


def line(label, seconds, floor_seconds=None):
    ratio = f"{seconds / floor_seconds:8.1f}" if floor_seconds else f"{'':8}"
    floor_text = f"{floor_seconds:9.2f}" if floor_seconds else f"{'':9}"
    verdict = "ok" if seconds < TARGET_SECONDS else "MISSED"
    print(f"{label:34}{seconds:9.2f}{floor_text}{ratio}{'< ' + format(TARGET_SECONDS, 'g') + ' s':>9}  {verdict}")


def scenario(cached, daily):
    """(sizes, (floor seconds, floor tasks, the floor committed), first run seconds and summary, second run seconds
    and summary) on a scratch copy; the committed floor on a copy of that copy."""
    scratch = company_data.copy_sqlite(cached, "review")
    try:
        sizes = populate(scratch, daily)
        committed_copy = company_data.copy_sqlite(scratch, "review_committed")
        try:
            committed_seconds, _tasks = floor(committed_copy, commit=True)
        finally:
            company_data.remove_sqlite(committed_copy)
        floor_seconds, floor_tasks = floor(scratch)
        first = crmctl_run(scratch)
        again = crmctl_run(scratch)
    finally:
        company_data.remove_sqlite(scratch)
    return sizes, (floor_seconds, floor_tasks, committed_seconds), first, again


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 companies instead of 1,000,000")
    arguments = parser.parse_args()
    count = 100_000 if arguments.quick else 1_000_000
    cached = company_data.sqlite_database("companies", lambda: company_data.stored_companies(count), count)
    results = {daily: scenario(cached, daily) for daily in (True, False)}
    (leads, comms, deals) = results[True][0]
    print(f"review run over {count:,} companies ({leads:,} leads, {comms:,} communications, {deals:,} deals), "
          f"SQLite, --today {TODAY}, whole process")
    print(f"{'':34}{'seconds':>9}{'floor':>9}{'ratio':>8}{'target':>9}")
    for daily, label in ((True, "a day (1 in 90 companies due)"), (False, "first run (every company due)")):
        _sizes, (floor_seconds, floor_tasks, committed), (first_seconds, first), (again_seconds, again) = results[daily]
        line(label, first_seconds, floor_seconds)
        line("  the floor, committed", committed)
        line("  the same run again", again_seconds)
        print(f"  floor: {floor_tasks:,} review tasks; run: {json.dumps(counts(first))}; "
              f"again: {json.dumps(counts(again)) if counts(again) else 'nothing to do'}")
        assert first["review_tasks"] == floor_tasks, (first["review_tasks"], floor_tasks)


if __name__ == "__main__":
    main()
