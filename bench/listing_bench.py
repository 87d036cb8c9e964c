"""Listings at 1,000,000 companies (SPEC §7, issue 7): each page beside its floor.

    python bench/listing_bench.py [--backend sqlite|postgresql|both] [--runs N] [--count N]

For each listing, one page (`--limit 50 --format json`), the whole `crmctl`
process is timed against a floor measured in the same run: the median
whole-process `crmctl --help` start-up plus the median time of the raw SQL
query of the same page, run in-process (sqlite3 / psycopg2) through the same
indexes. Runs are interleaved and medians reported; the ids crmctl prints are
checked against the raw query's. Targets: within 2x of the floor (issue 7) and
under 150 ms (SPEC §7).

The databases are built once through crmctl's own schema (`crmctl db upgrade`)
and raw executemany / COPY, then cached (SQLite under bench/data/, PostgreSQL as
the database `crmctl_listing_bench`) keyed by the schema version and a digest of
the migrations. They hold
companies only (names from bench/company_data.py, created over three years,
1% archived): no blocking keys, history or leads, which listings of companies
never read.
"""
import argparse
import datetime
import hashlib
import json
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import company_data  # noqa: E402  (bench/company_data.py: the shared name generator)

DATA = os.path.join(HERE, "data")
DATA_VERSION = 1  # bump when the generated rows change
CRMCTL = [shutil.which("crmctl")] if shutil.which("crmctl") else [sys.executable, "-m", "crmctl"]
POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432"
POSTGRES_DATABASE = "crmctl_listing_bench"
PAGE = 50
TARGET_RATIO = 2.0
SPEC_MS = 150.0
FIRST_CREATED = datetime.datetime(2023, 1, 1)
SPAN_SECONDS = 3 * 365 * 24 * 3600
COLUMNS = ("id", "name", "name_key", "website", "website_key", "linkedin_url", "linkedin_key", "employee_count",
           "industry", "subindustry", "country", "city", "relationship", "active_agents", "linkedin_accounts",
           "archived_at", "created_at", "updated_at")

COMMON_FRAGMENT = "tech"
RARE_FRAGMENT = "gmbh nordic"  # common trigrams in an order no generated name has
COUNTRY_WITH_ROWS = "DE"
COUNTRY_WITHOUT_ROWS = "NZ"

# (label, crmctl arguments, SQLite page query, PostgreSQL page query, parameters)
CASES = (
    (f"--where country={COUNTRY_WITH_ROWS} (has rows)", ["--where", f"country={COUNTRY_WITH_ROWS}"],
     "SELECT * FROM company WHERE country = ? AND archived_at IS NULL ORDER BY id LIMIT 50",
     "SELECT * FROM company WHERE country = %s AND archived_at IS NULL ORDER BY id LIMIT 50",
     (COUNTRY_WITH_ROWS,)),
    (f"--where country={COUNTRY_WITHOUT_ROWS} (no rows)", ["--where", f"country={COUNTRY_WITHOUT_ROWS}"],
     "SELECT * FROM company WHERE country = ? AND archived_at IS NULL ORDER BY id LIMIT 50",
     "SELECT * FROM company WHERE country = %s AND archived_at IS NULL ORDER BY id LIMIT 50",
     (COUNTRY_WITHOUT_ROWS,)),
    (f"--search {COMMON_FRAGMENT!r} (common)", ["--search", COMMON_FRAGMENT],
     "SELECT company.* FROM company JOIN company_name_fts AS f ON f.rowid = company.id "
     "WHERE f.name MATCH ? AND archived_at IS NULL ORDER BY f.rowid LIMIT 50",
     "SELECT * FROM company WHERE crmctl_fold(name) LIKE %s AND archived_at IS NULL ORDER BY id LIMIT 50",
     (COMMON_FRAGMENT,)),
    (f"--search {RARE_FRAGMENT!r} (no name holds it)", ["--search", RARE_FRAGMENT],
     "SELECT company.* FROM company JOIN company_name_fts AS f ON f.rowid = company.id "
     "WHERE f.name MATCH ? AND archived_at IS NULL ORDER BY f.rowid LIMIT 50",
     "SELECT * FROM company WHERE crmctl_fold(name) LIKE %s AND archived_at IS NULL ORDER BY id LIMIT 50",
     (RARE_FRAGMENT,)),
    ("--sort -created", ["--sort", "-created"],
     "SELECT * FROM company WHERE archived_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 50",
     "SELECT * FROM company WHERE archived_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 50",
     ()),
    # Beyond the list: the two together, "my country, newest first".
    ("--where country=PL --sort -created", ["--where", "country=PL", "--sort", "-created"],
     "SELECT * FROM company WHERE country = ? AND archived_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 50",
     "SELECT * FROM company WHERE country = %s AND archived_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 50",
     ("PL",)),
)


# --------------------------------------------------------------------------
# The generated companies
# --------------------------------------------------------------------------


def schema_version():
    from crmctl.storage.schema import migrations_directory

    numbers = [int(name[:4]) for name in os.listdir(migrations_directory()) if name[:4].isdigit()]
    return max(numbers, default=0)


def cache_key(count):
    """Schema version, plus a digest of the migrations (an edited migration builds a new database)."""
    from crmctl.storage.schema import migrations_directory

    digest = hashlib.sha1()
    for name in sorted(os.listdir(migrations_directory())):
        if name.endswith(".py"):
            with open(os.path.join(migrations_directory(), name), "rb") as source:
                digest.update(source.read())
    return f"{count}_s{schema_version()}_{digest.hexdigest()[:8]}_d{DATA_VERSION}"


def company_rows(count, seed=11):
    """COLUMNS tuples in id order; created_at grows with the id, with a day of jitter."""
    from crmctl.rules.names import company_name_key

    rng = random.Random(seed)
    for number in range(1, count + 1):
        record = company_data.company(rng, number)
        offset = number * SPAN_SECONDS // count + rng.randint(-43_200, 43_200)
        created = (FIRST_CREATED + datetime.timedelta(seconds=max(offset, 0))).strftime("%Y-%m-%d %H:%M:%S")
        archived = created if rng.random() < 0.01 else None
        yield (number, record["name"], company_name_key(record["name"]), record["website"], record["website_key"],
               record["linkedin_url"], record["linkedin_key"], record["employee_count"], record["industry"],
               record.get("subindustry"), record["country"], record.get("city"), "prospect", "[]", "[]",
               archived, created, created)


def chunks(rows, size=50_000):
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def upgrade(url):
    subprocess.run(CRMCTL + ["--db", url, "db", "upgrade"], check=True, stdout=subprocess.DEVNULL)


def remove_sqlite_files(path):
    for suffix in ("", "-wal", "-shm", ".schema-lock"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)


def sqlite_database(count):
    """Path of the cached SQLite database; built when missing (indexes, triggers and FTS rebuilt once)."""
    os.makedirs(DATA, exist_ok=True)
    path = os.path.join(DATA, f"listing_{cache_key(count)}.db")
    if os.path.exists(path):
        print(f"SQLite: cached {os.path.relpath(path)}", file=sys.stderr)
        return path
    for stale in os.listdir(DATA):
        if stale.startswith(f"listing_{count}_"):
            os.remove(os.path.join(DATA, stale))
    started = time.perf_counter()
    print(f"SQLite: building {os.path.relpath(path)} ({count:,} companies)...", file=sys.stderr)
    partial = path + ".partial"
    remove_sqlite_files(partial)
    upgrade(f"sqlite:///{partial}")
    connection = sqlite3.connect(partial)
    connection.execute("PRAGMA synchronous=OFF")
    objects = connection.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'company' AND type IN ('index', 'trigger') "
        "AND sql IS NOT NULL").fetchall()
    for kind, name, _sql in objects:
        connection.execute(f'DROP {kind.upper()} "{name}"')
    insert = f"INSERT INTO company ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
    with connection:
        for chunk in chunks(company_rows(count)):
            connection.executemany(insert, chunk)
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


def postgres_database(count):
    """URL of the cached PostgreSQL database (COPY into crmctl's schema), or None when no server answers."""
    import psycopg2

    try:
        admin = psycopg2.connect(f"{POSTGRES_SERVER}/postgres", connect_timeout=5)
    except psycopg2.OperationalError as error:
        print(f"PostgreSQL skipped: {' '.join(str(error).split())}", file=sys.stderr)
        return None
    admin.autocommit = True
    url = f"{POSTGRES_SERVER}/{POSTGRES_DATABASE}"
    wanted = f"crmctl listing bench {cache_key(count)}"
    with admin.cursor() as cursor:
        cursor.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                       (POSTGRES_DATABASE,))
        found = cursor.fetchone()
        if found and found[0] == wanted:
            admin.close()
            print(f"PostgreSQL: cached {url}", file=sys.stderr)
            return url
        started = time.perf_counter()
        print(f"PostgreSQL: building {url} ({count:,} companies)...", file=sys.stderr)
        if found:
            cursor.execute(f'DROP DATABASE "{POSTGRES_DATABASE}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{POSTGRES_DATABASE}"')
    upgrade(url)
    connection = psycopg2.connect(url)
    with connection, connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'company' "
                       "AND indexname NOT IN (SELECT conname FROM pg_constraint)")
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        for chunk in chunks(company_rows(count)):
            copy_rows(cursor, chunk)
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute("SELECT setval(pg_get_serial_sequence('company', 'id'), (SELECT MAX(id) FROM company))")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE company")
    connection.close()
    with admin.cursor() as cursor:
        cursor.execute(f'COMMENT ON DATABASE "{POSTGRES_DATABASE}" IS %s', (wanted,))
    admin.close()
    print(f"PostgreSQL: built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return url


def copy_rows(cursor, rows):
    import io

    def text(value):
        if value is None:
            return "\\N"
        return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")

    buffer = io.StringIO("".join("\t".join(text(v) for v in row) + "\n" for row in rows))
    cursor.copy_expert(f"COPY company ({', '.join(COLUMNS)}) FROM STDIN", buffer)


# --------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------


def sqlite_raw_page(path):
    connection = sqlite3.connect(path)

    def run(case):
        _label, _args, sql, _pg_sql, parameters = case
        if "MATCH" in sql:
            parameters = ('"' + parameters[0].replace('"', '""') + '"',)
        return [row[0] for row in connection.execute(sql, parameters).fetchall()]

    return run


def postgres_raw_page(url):
    import psycopg2

    connection = psycopg2.connect(url)
    connection.autocommit = True

    def run(case):
        _label, _args, _sql, sql, parameters = case
        if "LIKE" in sql:
            parameters = (f"%{parameters[0].lower()}%",)
        with connection.cursor() as cursor:
            cursor.execute(sql, parameters)
            return [row[0] for row in cursor.fetchall()]

    return run


# An installed crmctl runs from compiled bytecode (pip writes it): so do the runs measured here.
PROCESS_ENVIRONMENT = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_process(command):
    """(wall seconds, CPU seconds, stdout) of one whole process."""
    cpu_before = children_cpu()
    started = time.perf_counter()
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=PROCESS_ENVIRONMENT)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {result.returncode}: {result.stderr.strip()}")
    return elapsed, children_cpu() - cpu_before, result.stdout


def listing_command(url, case):
    return CRMCTL + ["--db", url, "list", "companies", "--limit", str(PAGE), "--format", "json"] + case[1]


def measure(label, url, raw_page, runs):
    """Interleaved whole-process runs of each listing and of `crmctl --help`, plus raw-query medians.

    Wall time is the figure; CPU time (user + system of the process) is printed
    beside it because it is steadier on a machine that other work keeps busy.
    """
    expected = {case[0]: raw_page(case) for case in CASES}
    raw_times = {case[0]: [] for case in CASES}
    for _ in range(max(runs * 5, 25)):
        for case in CASES:
            started = time.perf_counter()
            raw_page(case)
            raw_times[case[0]].append(time.perf_counter() - started)
    wall = {case[0]: [] for case in CASES}
    cpu = {case[0]: [] for case in CASES}
    help_wall, help_cpu = [], []
    rng = random.Random(3)
    jobs = [("help", None)] + [("list", case) for case in CASES]
    for run in range(runs + 1):
        rng.shuffle(jobs)
        for job, case in jobs:
            if job == "help":
                elapsed, used, _ = timed_process(CRMCTL + ["--help"])
                if run:
                    help_wall.append(elapsed)
                    help_cpu.append(used)
                continue
            elapsed, used, stdout = timed_process(listing_command(url, case))
            if run == 0:  # a warm-up round that also checks crmctl printed the raw query's page
                shown = [int(row["id"][1:]) for row in json.loads(stdout)]
                if shown != expected[case[0]]:
                    raise SystemExit(f"{label} {case[0]}: crmctl printed {shown[:5]}..., "
                                     f"raw SQL {expected[case[0]][:5]}...")
            else:
                wall[case[0]].append(elapsed)
                cpu[case[0]].append(used)
    start_up, start_up_cpu = statistics.median(help_wall), statistics.median(help_cpu)
    print(f"\n{label}: `crmctl --help` start-up median {ms(start_up)} wall, {ms(start_up_cpu)} CPU "
          f"({runs} interleaved runs each)")
    print(f"{'listing, one page of 50':38} {'rows':>4} | {'crmctl':>6} {'floor':>6} = start-up + raw SQL "
          f"{'ratio':>6} 2x  150ms | CPU: {'crmctl':>6} {'floor':>6} {'ratio':>6}")
    failures = 0
    for case in CASES:
        name = case[0]
        raw = statistics.median(raw_times[name])
        figure, floor = statistics.median(wall[name]), start_up + raw
        figure_cpu, floor_cpu = statistics.median(cpu[name]), start_up_cpu + raw
        within, under = figure / floor <= TARGET_RATIO, figure * 1000 <= SPEC_MS
        failures += (not within) + (not under)
        print(f"{name:38} {len(expected[name]):>4} | {ms(figure)} {ms(floor)} = {ms(start_up)} + {raw * 1000:5.2f} ms "
              f"{figure / floor:5.2f}x {'ok' if within else 'no'}  {'ok' if under else 'no'}   | "
              f"{ms(figure_cpu):>11} {ms(floor_cpu)} {figure_cpu / floor_cpu:5.2f}x")
    print("command: " + " ".join(listing_command(url, CASES[0])[:-2]) + " <listing options above>")
    reach = driver_and_connection(url, runs)
    print(f"not in the floor: importing the driver and connecting, in a fresh process, median {ms(reach)} "
          f"(the floor's raw query runs on a connection already open)")
    return failures


def driver_and_connection(url, runs):
    """Median extra wall time of a process that imports the driver and opens a connection, over `python -c pass`."""
    if url.startswith("sqlite:///"):
        opening = f"import sqlite3; sqlite3.connect({url[len('sqlite:///'):]!r}).close()"
    else:
        opening = f"import psycopg2; psycopg2.connect({url!r}).close()"
    extra = []
    for _ in range(runs):
        bare, _cpu, _out = timed_process([sys.executable, "-c", "pass"])
        opened, _cpu, _out = timed_process([sys.executable, "-c", opening])
        extra.append(opened - bare)
    return statistics.median(extra)


def ms(seconds):
    return f"{seconds * 1000:3.0f} ms"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--runs", type=int, default=11, help="whole-process runs of each listing (median)")
    parser.add_argument("--count", type=int, default=1_000_000, help="companies in the database")
    options = parser.parse_args()
    failures = 0
    if options.backend in ("sqlite", "both"):
        path = sqlite_database(options.count)
        failures += measure(f"SQLite, {options.count:,} companies", f"sqlite:///{path}", sqlite_raw_page(path),
                            options.runs)
    if options.backend in ("postgresql", "both"):
        url = postgres_database(options.count)
        if url:
            failures += measure(f"PostgreSQL, {options.count:,} companies", url, postgres_raw_page(url),
                                options.runs)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
