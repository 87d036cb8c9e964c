"""Reports over 1,000,000 leads (SPEC §7, issue 12): each report beside the floor of its aggregate.

    python bench/report_bench.py [--quick] [--backend sqlite|postgresql|both] [--runs N]

The database holds 1,000,000 leads (`--quick`: 100,000) with, in proportion, 250,000 companies,
300,000 submissions (30 % of the leads came in through a form), 1,500,000 communications, 100,000
deals with 300,000 stage changes and 500,000 status changes in history, spread over two years and
twenty agents. It is built once with raw SQL into crmctl's own schema (`crmctl db upgrade`) and
cached: SQLite under bench/data/ (git-ignored), PostgreSQL as the database `crmctl_report_bench`,
both keyed by the row count, the schema and a digest of the migrations.

Each report is timed in-process as the command runs it (`crmctl.reports.catalog.run_report` with
the settings and scope the command builds: everything up to today, no agent, no country), against
its floor: the same aggregate written as one raw SQL query run through the driver (sqlite3 /
psycopg2). Measured and floor are the medians of `--runs` interleaved runs; the target is under 2 s.
"""
import argparse
import datetime
import hashlib
import io
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
DATA_VERSION = 1  # bump when the generated rows change
CRMCTL = [shutil.which("crmctl")] if shutil.which("crmctl") else [sys.executable, "-m", "crmctl"]
POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432"
POSTGRES_DATABASE = "crmctl_report_bench"
TARGET_SECONDS = 2.0
END = datetime.datetime(2026, 11, 1)
SPAN_SECONDS = 2 * 365 * 24 * 3600
COUNTRIES = ("PL", "DE", "FR", "ES", "IT")
STATUSES = ("Sent Request", "Connected", "Interested", "Not Interested", "Ignoring", "Follow Up", "Event", "Call")
STATUS_WEIGHTS = (40, 20, 10, 10, 10, 5, 3, 2)
PIPELINES = {
    "sales": ("Prospecting", "Qualification", "Needs Analysis", "Proposal", "Negotiation", "Closed Won",
              "Closed Lost"),
    "services": ("New Leads", "Follow Up With", "Stop Automation/Nurture", "Estimate Scheduled/Sent",
                 "Job Scheduled", "Service Completed", "Finished"),
}
AGENTS = 20

TABLES = {
    "agent": ("id", "email", "name", "role", "country", "linkedin_accounts", "active", "created_at"),
    "company": ("id", "name", "name_key", "country", "relationship", "owner_id", "active_agents", "linkedin_accounts",
                "last_reviewed_at", "archived_at", "created_by_id", "created_at", "updated_at"),
    "lead": ("id", "company_id", "full_name", "status", "owner_id", "score", "converted_at", "archived_at",
             "created_by_id", "created_at", "updated_at"),
    "submission": ("id", "lead_id", "company_id", "campaign", "data", "received_at", "created_at"),
    "communication": ("id", "lead_id", "agent_id", "occurred_at", "type", "channel", "direction", "created_at"),
    "deal": ("id", "name", "company_id", "lead_id", "pipeline", "stage", "status", "amount", "currency", "closed_at",
             "owner_id", "created_by_id", "created_at"),
    "deal_stage_change": ("id", "deal_id", "from_stage", "to_stage", "at"),
    "history": ("id", "at", "agent_email", "entity", "action", "field", "old_value", "new_value"),
}


def moment(seconds):
    return (END - datetime.timedelta(seconds=SPAN_SECONDS) + datetime.timedelta(seconds=seconds)).strftime(
        "%Y-%m-%d %H:%M:%S")


def generated_rows(leads, seed=12):
    """{table: list of tuples in TABLES' column order}: the whole database, deterministic for a seed."""
    rng = random.Random(seed)
    rows = {table: [] for table in TABLES}
    created = moment(0)
    rows["agent"].append((1, "admin@example.com", "Admin", "admin", "PL", "[]", True, created))
    for number in range(2, AGENTS + 2):
        rows["agent"].append((number, f"agent{number}@example.com", f"Agent {number}", "agent",
                              COUNTRIES[number % len(COUNTRIES)], "[]", True, created))
    emails = {row[0]: row[1] for row in rows["agent"]}
    companies = leads // 4
    company_agent, company_time = [], []
    for number in range(1, companies + 1):
        agent = rng.randint(2, AGENTS + 1)
        seconds = rng.randint(0, SPAN_SECONDS - 86400 * 30)
        reviewed = moment(seconds + rng.randint(0, SPAN_SECONDS - seconds)) if rng.random() < 0.5 else None
        relationship = "client" if rng.random() < 0.1 else ("not relevant" if rng.random() < 0.03 else "prospect")
        rows["company"].append((number, f"Company {number}", f"company {number}", COUNTRIES[agent % len(COUNTRIES)],
                                relationship, agent, "[]", "[]", reviewed,
                                moment(seconds) if rng.random() < 0.01 else None, agent, moment(seconds),
                                moment(seconds)))
        company_agent.append(agent)
        company_time.append(seconds)
    submission_id = communication_id = deal_id = change_id = history_id = 0
    for number in range(1, leads + 1):
        company = rng.randint(1, companies)
        agent = company_agent[company - 1]
        seconds = company_time[company - 1] + rng.randint(0, 86400 * 30)
        status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
        converted = moment(seconds + 86400 * 20) if rng.random() < 0.02 else None
        owner = agent if rng.random() < 0.9 else None
        rows["lead"].append((number, company, f"Lead {number}", status, owner, rng.randint(0, 100), converted,
                             moment(seconds) if rng.random() < 0.01 else None, agent, moment(seconds),
                             moment(seconds)))
        if rng.random() < 0.3:
            submission_id += 1
            rows["submission"].append((submission_id, number, company, "web form", "{}", moment(seconds),
                                       moment(seconds)))
        answered = seconds
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
            answered += rng.randint(600, 86400 * 3)
            communication_id += 1
            direction = "inbound" if rng.random() < 0.2 else "outbound"
            rows["communication"].append((communication_id, number, agent, moment(answered), "Follow-up", "Email",
                                          direction, moment(answered)))
        if rng.random() < 0.5:
            history_id += 1
            rows["history"].append((history_id, moment(seconds + rng.randint(3600, 86400 * 10)), emails[agent],
                                    f"L{number}", "update", "status", "Sent Request", status))
        if rng.random() < 0.1:
            deal_id += 1
            pipeline = "sales" if rng.random() < 0.8 else "services"
            stages = PIPELINES[pipeline]
            last = rng.randint(0, len(stages) - 1)
            if pipeline == "sales" and last == len(stages) - 2 and rng.random() < 0.5:
                last = len(stages) - 1  # as many lost as won
            at = seconds + rng.randint(3600, 86400 * 5)
            previous = None
            for index in range(last + 1):
                if index and stages[index] == "Closed Lost":
                    continue
                change_id += 1
                rows["deal_stage_change"].append((change_id, deal_id, previous, stages[index], moment(at)))
                previous = stages[index]
                closed_at = at
                at += rng.randint(3600, 86400 * 14)
            stage = stages[last]
            status = "won" if stage in ("Closed Won", "Finished") else "lost" if stage == "Closed Lost" else "open"
            rows["deal"].append((deal_id, f"Deal {deal_id}", company, number, pipeline, stage, status,
                                 rng.randint(1, 500) * 100, rng.choice(("EUR", "EUR", "PLN", "USD")),
                                 moment(closed_at) if status != "open" else None, agent, agent, moment(seconds)))
    return rows


# --------------------------------------------------------------------------
# The cached databases
# --------------------------------------------------------------------------


def cache_key(leads):
    from crmctl.storage.schema import migrations_directory

    digest = hashlib.sha1(open(__file__, "rb").read().split(b"# The cached databases")[0])
    for name in sorted(os.listdir(migrations_directory())):
        if name.endswith(".py"):
            with open(os.path.join(migrations_directory(), name), "rb") as source:
                digest.update(source.read())
    return f"{leads}_{digest.hexdigest()[:10]}_d{DATA_VERSION}"


def upgrade(url):
    subprocess.run(CRMCTL + ["--db", url, "db", "upgrade"], check=True, stdout=subprocess.DEVNULL)


def sqlite_database(leads):
    os.makedirs(DATA, exist_ok=True)
    path = os.path.join(DATA, f"report_{cache_key(leads)}.db")
    if os.path.exists(path):
        print(f"SQLite: cached {os.path.relpath(path)}", file=sys.stderr)
        return path
    for stale in os.listdir(DATA):
        if stale.startswith(f"report_{leads}_"):
            os.remove(os.path.join(DATA, stale))
    started = time.perf_counter()
    print(f"SQLite: building {os.path.relpath(path)} ({leads:,} leads)...", file=sys.stderr)
    rows = generated_rows(leads)
    partial = path + ".partial"
    for suffix in ("", "-wal", "-shm", ".schema-lock"):
        if os.path.exists(partial + suffix):
            os.remove(partial + suffix)
    upgrade(f"sqlite:///{partial}")
    connection = sqlite3.connect(partial)
    connection.execute("PRAGMA synchronous=OFF")
    objects = connection.execute(
        f"SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN ({', '.join('?' * len(TABLES))}) "
        "AND type IN ('index', 'trigger') AND sql IS NOT NULL", tuple(TABLES)).fetchall()
    for kind, name, _sql in objects:
        connection.execute(f'DROP {kind.upper()} "{name}"')
    with connection:
        for table, columns in TABLES.items():
            connection.executemany(f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES '
                                   f'({", ".join("?" * len(columns))})', rows[table])
        connection.execute("INSERT INTO company_name_fts (company_name_fts) VALUES ('rebuild')")
        for _kind, _name, sql in objects:
            connection.execute(sql)
    connection.execute("ANALYZE")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    for suffix in ("-wal", "-shm", ".schema-lock"):
        if os.path.exists(partial + suffix):
            os.remove(partial + suffix)
    os.replace(partial, path)
    print(f"SQLite: built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return path


def postgres_database(leads):
    import psycopg2

    try:
        admin = psycopg2.connect(f"{POSTGRES_SERVER}/postgres", connect_timeout=5)
    except psycopg2.OperationalError as error:
        print(f"PostgreSQL skipped: {' '.join(str(error).split())}", file=sys.stderr)
        return None
    admin.autocommit = True
    url = f"{POSTGRES_SERVER}/{POSTGRES_DATABASE}"
    wanted = f"crmctl report bench {cache_key(leads)}"
    with admin.cursor() as cursor:
        cursor.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                       (POSTGRES_DATABASE,))
        found = cursor.fetchone()
        if found and found[0] == wanted:
            admin.close()
            print(f"PostgreSQL: cached {url}", file=sys.stderr)
            return url
        started = time.perf_counter()
        print(f"PostgreSQL: building {url} ({leads:,} leads)...", file=sys.stderr)
        if found:
            cursor.execute(f'DROP DATABASE "{POSTGRES_DATABASE}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{POSTGRES_DATABASE}"')
    rows = generated_rows(leads)
    upgrade(url)
    connection = psycopg2.connect(url)
    with connection, connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
                       "AND indexname NOT IN (SELECT conname FROM pg_constraint)", (list(TABLES),))
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        for table, columns in TABLES.items():
            for start in range(0, len(rows[table]), 100_000):
                copy_rows(cursor, table, columns, rows[table][start:start + 100_000])
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                           f"(SELECT COALESCE(MAX(id), 1) FROM \"{table}\"))")
        for _name, definition in indexes:
            cursor.execute(definition)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.close()
    with admin.cursor() as cursor:
        cursor.execute(f'COMMENT ON DATABASE "{POSTGRES_DATABASE}" IS %s', (wanted,))
    admin.close()
    print(f"PostgreSQL: built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return url


def copy_rows(cursor, table, columns, rows):
    def text(value):
        if value is None:
            return "\\N"
        return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")

    buffer = io.StringIO("".join("\t".join(text(v) for v in row) + "\n" for row in rows))
    cursor.copy_expert(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN', buffer)


# --------------------------------------------------------------------------
# The floors: each report's aggregate as one raw SQL query ({seconds(a, b)}, {div}, {p} per backend).
# Over everything up to today, as the reports then do, no condition on the moments crmctl stamped
# (created, closed, changed); communications' own dates, given by people, are bounded.
# --------------------------------------------------------------------------

FLOORS = {
    "pipeline": """
        SELECT pipeline, stage, currency, COUNT(*), SUM(amount), SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END),
               SUM(CASE WHEN status = 'won' THEN 1 ELSE 0 END), SUM(CASE WHEN status = 'lost' THEN 1 ELSE 0 END)
        FROM deal WHERE archived_at IS NULL GROUP BY pipeline, stage, currency""",
    "funnel": """
        SELECT status, COUNT(*), SUM(CASE WHEN id IN (SELECT lead_id FROM deal) THEN 1 ELSE 0 END),
               SUM(CASE WHEN converted_at IS NOT NULL THEN 1 ELSE 0 END)
        FROM lead WHERE archived_at IS NULL GROUP BY status""",
    "activity": """
        SELECT CAST(created_by_id AS VARCHAR(254)), DATE(created_at), 'companies', COUNT(*) FROM company
          GROUP BY created_by_id, DATE(created_at)
        UNION ALL SELECT CAST(created_by_id AS VARCHAR(254)), DATE(created_at), 'leads', COUNT(*) FROM lead
          GROUP BY created_by_id, DATE(created_at)
        UNION ALL SELECT CAST(agent_id AS VARCHAR(254)), DATE(occurred_at), 'communications', COUNT(*)
          FROM communication
          WHERE DATE(occurred_at) < DATE({p}) GROUP BY agent_id, DATE(occurred_at)
        UNION ALL SELECT agent_email, DATE(at), 'status_changes', COUNT(*) FROM history
          WHERE field = 'status' AND agent_email IS NOT NULL GROUP BY field, agent_email, DATE(at)""",
    "quota": """
        SELECT created_by_id, DATE(created_at), COUNT(*) FROM company
        GROUP BY created_by_id, DATE(created_at)""",
    "response-time": """
        WITH measured AS (
            SELECT lead.owner_id, {seconds_first} / 3600.0 AS measure,
                   CASE WHEN lead.company_id IN (SELECT id FROM company WHERE relationship = 'client')
                        THEN 1 ELSE 0 END AS customer,
                   CASE WHEN lead.created_at < {p_new} THEN 1 ELSE 0 END AS overdue_new,
                   CASE WHEN lead.created_at < {p_customer} THEN 1 ELSE 0 END AS overdue_customer
            FROM lead WHERE lead.archived_at IS NULL AND lead.id IN (SELECT lead_id FROM submission))
        SELECT ranked.owner_id, COUNT(*), COUNT(measure), AVG(measure),
               AVG(CASE WHEN measure IS NOT NULL AND rank_in_group IN ({div_lower}, {div_upper}) THEN measure END),
               MAX(CASE WHEN measure IS NOT NULL AND rank_in_group = group_size - {div_tenth} THEN measure END),
               SUM(CASE WHEN measure IS NOT NULL THEN CASE WHEN measure > CASE WHEN customer = 1 THEN 4 ELSE 1 END
                        THEN 1 ELSE 0 END WHEN customer = 1 THEN overdue_customer ELSE overdue_new END)
        FROM (SELECT measured.*, ROW_NUMBER() OVER (PARTITION BY owner_id, measure IS NULL ORDER BY measure)
                     AS rank_in_group FROM measured) ranked
        JOIN (SELECT owner_id, COUNT(measure) AS group_size FROM measured GROUP BY owner_id) sizes
          ON {owner_equal}
        GROUP BY ranked.owner_id""",
    "win-rate": """
        SELECT owner_id, pipeline, SUM(CASE WHEN status = 'won' THEN 1 ELSE 0 END),
               SUM(CASE WHEN status = 'lost' THEN 1 ELSE 0 END)
        FROM deal WHERE archived_at IS NULL AND status IN ('won', 'lost')
        GROUP BY owner_id, pipeline""",
    "velocity": """
        SELECT pipeline, NULL, COUNT(*), AVG({seconds_close} / 86400.0) FROM deal
          LEFT JOIN lead ON lead.id = deal.lead_id
          WHERE deal.archived_at IS NULL AND deal.status IN ('won', 'lost')
          GROUP BY pipeline
        UNION ALL
        SELECT deal.pipeline, moves.to_stage, COUNT(*), AVG({seconds_stage} / 86400.0)
        FROM deal JOIN (SELECT deal_id, to_stage, at,
                               LEAD(at) OVER (PARTITION BY deal_id ORDER BY at, id) AS left_at
                        FROM deal_stage_change) moves ON moves.deal_id = deal.id
        WHERE deal.archived_at IS NULL AND moves.at < {p} AND (moves.left_at IS NOT NULL OR deal.status = 'open')
        GROUP BY deal.pipeline, moves.to_stage""",
    "scores": """
        SELECT lead.id, lead.full_name, lead.score, company.name, agent.email FROM lead
        JOIN company ON company.id = lead.company_id LEFT JOIN agent ON agent.id = lead.owner_id
        WHERE {unindexed}lead.archived_at IS NULL ORDER BY lead.score DESC, lead.id DESC LIMIT 20""",
    "review": """
        SELECT country, COUNT(*), MIN(COALESCE(last_reviewed_at, created_at)) FROM company
        WHERE archived_at IS NULL AND relationship NOT IN ('client', 'not relevant')
          AND COALESCE(last_reviewed_at, created_at) < {p}
          AND NOT EXISTS (SELECT 1 FROM lead WHERE lead.company_id = company.id AND lead.status = 'Call')
        GROUP BY country""",
}


def floor_sql(name, backend):
    if backend == "sqlite":
        def seconds(later, earlier):
            return f"((julianday({later}) - julianday({earlier})) * 86400.0)"
        division = "/"
    else:
        def seconds(later, earlier):
            return f"date_part('epoch', {later} - {earlier})"
        division = "/"
    first = ("(SELECT MIN(occurred_at) FROM communication WHERE communication.lead_id = lead.id "
             "AND direction = 'outbound' AND occurred_at >= lead.created_at)")
    now = "CAST({p} AS TIMESTAMP)" if backend == "postgresql" else "{p}"
    left = f"CASE WHEN moves.left_at IS NULL THEN {now} ELSE moves.left_at END"
    text = FLOORS[name].format(
        p="{p}", p_new="{p_new}", p_customer="{p_customer}", unindexed="+" if backend == "sqlite" else "",
        owner_equal="ranked.owner_id IS NOT DISTINCT FROM sizes.owner_id" if backend == "postgresql"
        else "ranked.owner_id IS sizes.owner_id",
        div_lower=f"(group_size + 1) {division} 2", div_upper=f"(group_size + 2) {division} 2",
        div_tenth=f"group_size {division} 10", seconds_first=seconds(first, "lead.created_at"),
        seconds_waited=seconds(now, "lead.created_at"),
        seconds_close=seconds("deal.closed_at", "COALESCE(lead.created_at, deal.created_at)"),
        seconds_stage=seconds(left, "moves.at"))
    placeholder = "?" if backend == "sqlite" else "%s"
    return text.replace("{p_new}", placeholder).replace("{p_customer}", placeholder).replace("{p}", placeholder)


def floor_runner(backend, url, name, end):
    sql = floor_sql(name, backend)
    if name == "review":
        end -= datetime.timedelta(days=90)  # the review interval: due when last seen before this
    parameter = end.strftime("%Y-%m-%d %H:%M:%S")
    if backend == "sqlite":
        connection = sqlite3.connect(url[len("sqlite:///"):])
    else:
        import psycopg2

        connection = psycopg2.connect(url)
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")  # as the reports do (crmctl.storage.dialect.prepare_for_reports)
    parameters = floor_parameters(name, end, parameter, sql.count("?" if backend == "sqlite" else "%s"))

    def run():
        cursor = connection.cursor()
        cursor.execute(sql, parameters)
        return cursor.fetchall()

    return run, connection


def floor_parameters(name, end, parameter, count):
    """The floor query's parameters in the order its placeholders come."""
    if name != "response-time":
        return (parameter,) * count
    reference = min(end, datetime.datetime.utcnow().replace(microsecond=0))

    def hours_before(hours):
        return (reference - datetime.timedelta(hours=hours)).strftime("%Y-%m-%d %H:%M:%S")

    return (hours_before(1), hours_before(4))


def report_runner(url, name):
    from crmctl.reports.catalog import run_report
    from crmctl.reports.scope import report_scope
    from crmctl.rules.permissions import Actor
    from crmctl.rules.settings import load_settings
    from crmctl.storage.connection import connect_database

    database = connect_database(url)

    def run():
        scope = report_scope(Actor(single_user=True))
        return run_report(name, scope, load_settings())

    return run, database


def measure(label, backend, url, runs, names):
    from crmctl.reports.catalog import REPORTS
    from crmctl.reports.scope import ReportScope

    end = ReportScope().end
    print(f"\n{label}; load average {' '.join(f'{value:.1f}' for value in os.getloadavg())} on "
          f"{os.cpu_count()} CPUs")
    print(f"each report in-process (run_report) against its aggregate as one raw SQL query, "
          f"median of {runs}")
    print(f"{'report':<15}{'rows':>7}{'measured':>11}{'floor':>10}{'ratio':>8}{'target':>9}  ok")
    failures = 0
    for name in names or REPORTS:
        report, database = report_runner(url, name)
        floor, connection = floor_runner(backend, url, name, end)
        report_times, floor_times, rows = [], [], 0
        for _ in range(runs):
            started = time.perf_counter()
            rows = len(report())
            report_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            floor()
            floor_times.append(time.perf_counter() - started)
        database.close()
        connection.close()
        measured, floor_time = statistics.median(report_times), statistics.median(floor_times)
        ok = measured < TARGET_SECONDS
        failures += not ok
        print(f"{name:<15}{rows:>7}{measured:>10.3f}s{floor_time:>9.3f}s{measured / floor_time:>7.2f}x"
              f"{'< 2 s':>9}  {'yes' if ok else 'NO'}", flush=True)
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 leads instead of 1,000,000")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--runs", type=int, default=3, help="interleaved runs of each report and floor (median)")
    parser.add_argument("--report", action="append", help="only this report (repeatable)")
    options = parser.parse_args()
    leads = 100_000 if options.quick else 1_000_000
    failures = 0
    if options.backend in ("sqlite", "both"):
        path = sqlite_database(leads)
        failures += measure(f"SQLite, {leads:,} leads", "sqlite", f"sqlite:///{path}", options.runs, options.report)
    if options.backend in ("postgresql", "both"):
        url = postgres_database(leads)
        if url:
            failures += measure(f"PostgreSQL, {leads:,} leads", "postgresql", url, options.runs, options.report)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
