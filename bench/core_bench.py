"""Every figure of issue 7 §4 in one command, each beside its floor measured in the same run and its target.

    python bench/core_bench.py            # 1,000,000 stored companies, a 20,000-row batch, a 100,000 scan
    python bench/core_bench.py --quick    # 100,000 stored, a 2,000-row batch, a 20,000 scan

This file measures the duplicate check and the batch path (with
bench/dedup_bench.py) and prints them as one table; then it runs
bench/listing_bench.py, bench/storage_bench.py and bench/startup_bench.py, when
they exist, as subprocesses (passing --quick on), which print their own.

The batch path: `add_companies` of new companies (realistic generated rows, a
few per cent typed variants of stored companies and of each other, a few with
a stored website, so that the duplicate rules fire), every rule on, with
duplicate checks against the stored companies and History, on a copy of the
cached database; timed from reading the settings to the returned outcomes.
Floor: raw `sqlite3.executemany` of the company rows the batch path stored
(every column), in one transaction with the pragmas crmctl uses, into another
copy of the same database (median of three). Each copy is read into the page
cache before its clock starts, one copy at a time, so that both sides run on a
warm database.

Databases are built by crmctl's own migrations, filled with raw inserts and
cached under bench/data/ (git-ignored), keyed by the schema version and a hash
of crmctl/dedup/keys.py; PostgreSQL is the database crmctl_bench at
127.0.0.1:5432 (skipped when no server answers).
"""
import argparse
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import company_data  # noqa: E402
import dedup_bench  # noqa: E402

BATCH_RATIO_TARGET = 12.0
OTHER_BENCHES = ("listing_bench.py", "storage_bench.py", "startup_bench.py")


def add_rows(rows):
    """The batch path as a command runs it: settings read once, then `add_companies`; (action, id) per row."""
    from crmctl.records.companies import add_companies
    from crmctl.rules.permissions import Actor
    from crmctl.rules.settings import load_settings

    settings = load_settings()
    return [(outcome.action, outcome.record_id)
            for outcome in add_companies(Actor(single_user=True), rows, force=False, settings=settings)]


def stored_company_rows(path, after_id):
    """Every column but the id of the companies stored after `after_id`, with the INSERT that writes them."""
    connection = sqlite3.connect(path)
    columns = [row[1] for row in connection.execute("PRAGMA table_info(company)") if row[1] != "id"]
    rows = connection.execute(f"SELECT {', '.join(columns)} FROM company WHERE id > ? ORDER BY id",
                              (after_id,)).fetchall()
    connection.close()
    sql = f"INSERT INTO company ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    return sql, rows


def executemany_floor(path, sql, rows, repeats=3):
    """Median seconds of one transaction of raw executemany (the row's inserts undone between repeats)."""
    timings = []
    for _repeat in range(repeats):
        dedup_bench.warm_sqlite(path)
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA foreign_keys=1")
        last_id = connection.execute("SELECT MAX(id) FROM company").fetchone()[0]
        started = time.perf_counter()
        connection.execute("BEGIN")
        connection.executemany(sql, rows)
        connection.execute("COMMIT")
        timings.append(time.perf_counter() - started)
        connection.execute("DELETE FROM company WHERE id > ?", (last_id,))
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()
    return statistics.median(timings)


def batch_figure(big_path, companies, count):
    """The batch path of `count` new companies against the stored ones, beside raw executemany."""
    from crmctl.storage.connection import connect_database
    from crmctl.storage.schema import ensure_current_schema

    rng = random.Random(44)
    stored = list(company_data.stored_companies(min(companies, 50_000)))
    new = company_data.new_companies(companies, dedup_bench.NEW_COMPANIES)[-count:]
    rows = company_data.batch_rows(count, rng, stored, new)
    # One copy at a time, read into the page cache before its clock starts: two 1 GB copies do not fit in
    # this machine's cache together, and a copy half on disk measures the disk (it moved the floor by 40 %).
    batch_copy = company_data.copy_sqlite(big_path, "batch")
    try:
        connection = sqlite3.connect(batch_copy)
        last_id = connection.execute("SELECT MAX(id) FROM company").fetchone()[0]
        connection.close()
        database = connect_database(f"sqlite:///{batch_copy}")
        ensure_current_schema(database)
        dedup_bench.warm_sqlite(batch_copy)
        started = time.perf_counter()
        outcomes = add_rows(rows)
        elapsed = time.perf_counter() - started
        database.close()
        actions = {}
        for action, _record_id in outcomes:
            actions[action] = actions.get(action, 0) + 1
        sql, stored_rows = stored_company_rows(batch_copy, last_id)
    finally:
        company_data.remove_sqlite(batch_copy)
    floor_copy = company_data.copy_sqlite(big_path, "batch_floor")
    try:
        floor = executemany_floor(floor_copy, sql, stored_rows)
    finally:
        company_data.remove_sqlite(floor_copy)
    summary = ", ".join(f"{n:,} {action}" for action, n in sorted(actions.items()))
    print(f"batch of {count:,} at {companies:,}: {elapsed:.2f} s ({summary}); floor "
          f"executemany of the {len(stored_rows):,} stored rows {floor:.3f} s", file=sys.stderr)
    ratio = elapsed / floor
    return (f"batch path, {count:,} new companies into {companies:,} (SQLite)", f"{elapsed:.2f} s",
            f"{floor:.3f} s", f"{ratio:.1f}x", f"<= {BATCH_RATIO_TARGET:g}x floor", ratio <= BATCH_RATIO_TARGET)


def run_other_benches(quick):
    """Run the other engineers' benches, as they are, each printing its own figures; True when all passed."""
    passed = True
    for name in OTHER_BENCHES:
        path = os.path.join(HERE, name)
        if not os.path.exists(path):
            print(f"\n{name}: not there yet", flush=True)
            continue
        command = [sys.executable, path] + (["--quick"] if quick else [])
        print(f"\n$ python bench/{name}{' --quick' if quick else ''}", flush=True)
        result = subprocess.run(command)
        passed = passed and result.returncode == 0
    return passed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (100,000 stored companies)")
    parser.add_argument("--checks", type=int, default=300, help="rows the check is timed on (at least 300)")
    parser.add_argument("--runs", type=int, default=15, help="runs of `crmctl add company` on each database")
    parser.add_argument("--no-postgres", action="store_true", help="leave PostgreSQL out")
    parser.add_argument("--only-core", action="store_true", help="do not run the other benches")
    options = parser.parse_args()
    companies, scanned, batch = dedup_bench.sizes(options.quick)

    def stored():
        return company_data.stored_companies(companies)

    path = company_data.sqlite_database("companies", stored, companies)
    postgres = None if options.no_postgres else company_data.postgres_database(stored, companies)

    figures = dedup_bench.check_figures(path, postgres, companies, max(options.checks, 300))
    figures.append(batch_figure(path, companies, batch))
    figures.append(dedup_bench.add_company_figure(path, companies, options.runs))
    figures += dedup_bench.scan_figures(scanned)
    print("\nload average %.2f %.2f %.2f" % os.getloadavg() + f" on {os.cpu_count()} cores")
    dedup_bench.print_table(figures)
    sys.stdout.flush()
    passed = all(row[5] is not False for row in figures)
    if not options.only_core:
        passed = run_other_benches(options.quick) and passed
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
