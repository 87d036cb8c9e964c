"""Duplicate-check and dedup-scan figures of SPEC §7, each against its floor, measured in one run.

    python bench/dedup_bench.py            # 1,000,000 companies, 100,000 for the scan
    python bench/dedup_bench.py --quick    # 100,000 and 20,000

1. In-process check of one new company (exact + fuzzy, `company_candidates`)
   against the database of N companies: median over 200+ varied names.
   Target: under 5 ms.
2. Whole-process `crmctl --db ... add company ...` at N companies against the
   same command on an empty database: median of 15 runs each, distinct
   companies. Target: at most 1.2x.
3. `crmctl dedup scan` over 100,000 companies with known realistic duplicates
   (legal forms, typos, &/and, punctuation, accents, "The", names typed as web
   addresses), timed as a whole process, with pairwise precision and recall
   against the truth; the floor is a blocked rapidfuzz pass over the same
   names (first three letters of the lower-cased name as the block, WRatio >= 90
   within it via process.cdist, connected components). Target: under 10 s,
   precision and recall at least 0.95.

Databases are built with raw sqlite3 `executemany` into the migrated schema
(blocking keys included) and cached under bench/data/ (git-ignored).
"""
import argparse
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
sys.path.insert(0, HERE)

import company_data  # noqa: E402

CRMCTL = [shutil.which("crmctl")] if shutil.which("crmctl") else [sys.executable, "-m", "crmctl"]


def migrated_database(path):
    """An empty crmctl database at `path`, created by crmctl itself (its real schema)."""
    if os.path.exists(path):
        os.remove(path)
    subprocess.run(CRMCTL + ["--db", f"sqlite:///{path}", "db", "upgrade"], check=True,
                   stdout=subprocess.DEVNULL)


def insert_companies(path, records):
    """Raw executemany of companies and their blocking keys; indexes rebuilt once at the end."""
    from crmctl.dedup.keys import blocking_keys_of_name_key
    from crmctl.rules.names import company_name_key

    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    indexes = connection.execute(
        "SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL "
        "AND tbl_name IN ('company', 'company_blocking_key')").fetchall()
    for name, _sql in indexes:
        connection.execute(f'DROP INDEX "{name}"')
    now = "2026-01-01 00:00:00"
    first_id = (connection.execute("SELECT COALESCE(MAX(id), 0) FROM company").fetchone()[0]) + 1
    company_rows, key_rows = [], []
    with connection:
        for offset, record in enumerate(records):
            company_id = first_id + offset
            name_key = company_name_key(record["name"])
            company_rows.append((company_id, record["name"], name_key, record["website"], record["website_key"],
                                 record["linkedin_url"], record["linkedin_key"], record["employee_count"],
                                 record["industry"], record["country"], now, now))
            key_rows.extend((company_id, key) for key in blocking_keys_of_name_key(name_key))
            if len(company_rows) >= 50_000:
                flush(connection, company_rows, key_rows)
        flush(connection, company_rows, key_rows)
    with connection:
        for _name, sql in indexes:
            connection.execute(sql)
    connection.execute("ANALYZE")
    connection.close()


def flush(connection, company_rows, key_rows):
    connection.executemany(
        "INSERT INTO company (id, name, name_key, website, website_key, linkedin_url, linkedin_key, "
        "employee_count, industry, country, relationship, active_agents, linkedin_accounts, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'prospect', '[]', '[]', ?, ?)", company_rows)
    connection.executemany("INSERT INTO company_blocking_key (company_id, key) VALUES (?, ?)", key_rows)
    company_rows.clear()
    key_rows.clear()


def generated_companies(count, seed):
    rng = random.Random(seed)
    return (company_data.company(rng, number) for number in range(1, count + 1))


def big_database(count):
    path = os.path.join(DATA, f"companies_{count}.db")
    if not os.path.exists(path):
        started = time.perf_counter()
        print(f"building {path} ({count:,} companies; cached for later runs)...", file=sys.stderr)
        partial = path + ".partial"
        migrated_database(partial)
        insert_companies(partial, generated_companies(count, seed=1))
        for suffix in ("-wal", "-shm"):
            if os.path.exists(partial + suffix):
                os.remove(partial + suffix)
        os.replace(partial, path)
        print(f"built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return path


# --------------------------------------------------------------------------
# 1. In-process check
# --------------------------------------------------------------------------


def check_names(count, rng):
    """Names a lead generator would type: new companies, and variants of stored ones."""
    stored = list(generated_companies(5000, seed=1))
    probes = []
    for index in range(count):
        if index % 2:
            record = company_data.company(rng, 10_000_000 + index)
            probes.append((record["name"], record["website_key"], record["linkedin_key"], record["country"]))
        else:
            record = rng.choice(stored)
            name, _kind = company_data.variant(rng, record)
            probes.append((name, f"new-{index}.com", f"company/new-{index}", record["country"]))
    return probes


def measure_check(path, probes):
    from crmctl.storage.connection import connect_database
    from crmctl.storage.schema import ensure_current_schema
    from crmctl.dedup.candidates import company_candidates

    database = connect_database(f"sqlite:///{path}")
    ensure_current_schema(database)
    company_candidates(name="warm up", website_key="warm.com", country="PL")
    timings, found = [], 0
    for name, website, linkedin, country in probes:
        started = time.perf_counter()
        candidates = company_candidates(name=name, website_key=website, linkedin_key=linkedin, country=country)
        timings.append(time.perf_counter() - started)
        found += bool(candidates)
    database.close()
    return statistics.median(timings), max(timings), found


# --------------------------------------------------------------------------
# 2. Whole-process add company
# --------------------------------------------------------------------------


def add_company_time(path, run, rng, label):
    record = company_data.company(rng, 20_000_000 + run * 7 + len(label))
    args = CRMCTL + ["--db", f"sqlite:///{path}", "add", "company", "--name", record["name"],
                     "--website", record["website"], "--linkedin", record["linkedin_url"],
                     "--employees", str(record["employee_count"]), "--industry", record["industry"],
                     "--country", record["country"], "--force", "--format", "json"]
    started = time.perf_counter()
    result = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"add company failed on {label}: {result.stderr.strip()}")
    return elapsed


def add_company_medians(big_path, empty_path, runs, rng):
    """Median whole-process times on both databases, runs interleaved so that drift hits both alike."""
    big, empty = [], []
    for run in range(-2, runs):  # two warm-up runs each
        big_time = add_company_time(big_path, run + 2, rng, "big")
        empty_time = add_company_time(empty_path, run + 2, rng, "empty")
        if run >= 0:
            big.append(big_time)
            empty.append(empty_time)
    return statistics.median(big), statistics.median(empty)


def remove_companies_after(path, last_id):
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("DELETE FROM company_blocking_key WHERE company_id > ?", (last_id,))
        connection.execute("DELETE FROM history WHERE entity IN (SELECT 'C' || id FROM company WHERE id > ?)",
                           (last_id,))
        connection.execute("DELETE FROM company WHERE id > ?", (last_id,))
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


# --------------------------------------------------------------------------
# 3. Scan
# --------------------------------------------------------------------------


def scan_dataset(count, seed=7, duplicate_share=0.2):
    """`count` companies, about `duplicate_share` of them variants of another; truth as group numbers."""
    from crmctl.dedup.keys import compact, core_name_key, sorted_name_key
    from crmctl.rules.names import company_name_key

    rng = random.Random(seed)
    records, groups, taken = [], [], set()
    number = 0
    while len(records) < count:
        number += 1
        record = company_data.company(rng, number)
        key = company_name_key(record["base"])
        identity = (compact(core_name_key(key)), compact(sorted_name_key(key)))
        if key in taken or identity[0] in taken or identity[1] in taken:
            # Two unrelated companies of one name would blur the truth; nor are "Acme" and
            # "Acme Group", or "Weber & Smith" and "Smith & Weber", told apart as different firms.
            continue
        taken.update((key, *identity))
        group = number
        records.append(record)
        groups.append(group)
        if rng.random() < duplicate_share / (1 - duplicate_share) and len(records) < count:
            for copy in range(rng.choice((1, 1, 1, 2))):
                name, _kind = company_data.variant(rng, record)
                duplicate = dict(record, name=name,
                                 website_key=f"v{copy}.{record['website_key']}",
                                 website=f"https://v{copy}.{record['website_key']}/",
                                 linkedin_key=f"{record['linkedin_key']}-{copy}",
                                 linkedin_url=f"{record['linkedin_url'].rstrip('/')}-{copy}/")
                records.append(duplicate)
                groups.append(group)
    order = list(range(len(records)))
    rng.shuffle(order)
    return [records[i] for i in order][:count], [groups[i] for i in order][:count]


def pair_scores(clusters, truth):
    """Pairwise precision and recall of clusters (lists of row indexes) against truth group numbers."""
    from collections import Counter

    predicted_pairs = 0
    correct_pairs = 0
    for members in clusters:
        size = len(members)
        predicted_pairs += size * (size - 1) // 2
        for count in Counter(truth[m] for m in members).values():
            correct_pairs += count * (count - 1) // 2
    true_pairs = sum(c * (c - 1) // 2 for c in Counter(truth).values())
    precision = correct_pairs / predicted_pairs if predicted_pairs else 1.0
    recall = correct_pairs / true_pairs if true_pairs else 1.0
    return precision, recall


def floor_scan(names):
    """The floor: a blocked rapidfuzz pass over the same names."""
    import numpy
    from rapidfuzz import fuzz, process

    started = time.perf_counter()
    cleaned = [" ".join(re_words(name)) for name in names]
    blocks = {}
    for index, name in enumerate(cleaned):
        blocks.setdefault(name[:3], []).append(index)
    parent = list(range(len(names)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for members in blocks.values():
        if len(members) < 2:
            continue
        choices = [cleaned[m] for m in members]
        matrix = process.cdist(choices, choices, scorer=fuzz.WRatio, score_cutoff=90, workers=-1,
                               dtype=numpy.uint8)
        rows, columns = numpy.nonzero(numpy.triu(matrix, 1))
        for row, column in zip(rows.tolist(), columns.tolist()):
            left, right = find(members[row]), find(members[column])
            if left != right:
                parent[right] = left
    clusters = {}
    for index in range(len(names)):
        clusters.setdefault(find(index), []).append(index)
    elapsed = time.perf_counter() - started
    return elapsed, [m for m in clusters.values() if len(m) > 1]


def re_words(name):
    import re

    return re.findall(r"[a-z0-9]+", name.lower())


def measure_scan(count):
    import json

    records, truth = scan_dataset(count)
    path = os.path.join(DATA, f"scan_{count}.db")
    if not os.path.exists(path):
        print(f"building {path} ({count:,} companies with known duplicates)...", file=sys.stderr)
        partial = path + ".partial"
        migrated_database(partial)
        insert_companies(partial, records)
        os.replace(partial, path)
    started = time.perf_counter()
    result = subprocess.run(CRMCTL + ["--db", f"sqlite:///{path}", "dedup", "scan", "--format", "json"],
                            capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - started
    clusters = [[int(typed[1:]) - 1 for typed in cluster["ids"]] for cluster in json.loads(result.stdout)]
    precision, recall = pair_scores(clusters, truth)
    floor_elapsed, floor_clusters = floor_scan([record["name"] for record in records])
    floor_precision, floor_recall = pair_scores(floor_clusters, truth)
    true_pairs = sum(1 for _ in truth) - len(set(truth))
    return {
        "elapsed": elapsed, "precision": precision, "recall": recall,
        "floor_elapsed": floor_elapsed, "floor_precision": floor_precision, "floor_recall": floor_recall,
        "duplicates": true_pairs,
    }


# --------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 companies and a 20,000-company scan")
    parser.add_argument("--checks", type=int, default=300, help="names for the in-process check")
    parser.add_argument("--runs", type=int, default=15, help="runs of add company on each database")
    options = parser.parse_args()
    companies = 100_000 if options.quick else 1_000_000
    scanned = 20_000 if options.quick else 100_000
    os.makedirs(DATA, exist_ok=True)
    rng = random.Random(42)
    rows = []

    path = big_database(companies)
    with sqlite3.connect(path) as connection:
        last_id = connection.execute("SELECT MAX(id) FROM company").fetchone()[0]

    median, worst, found = measure_check(path, check_names(options.checks, rng))
    print(f"1. check at {companies:,}: median {median * 1000:.2f} ms (worst {worst * 1000:.1f} ms, "
          f"{found}/{options.checks} names had candidates)", file=sys.stderr)
    rows.append((f"check one company, {companies:,} in the db (median)", f"{median * 1000:.2f} ms",
                 "5 ms", f"{median / 0.005:.2f}", median < 0.005))

    empty = os.path.join(DATA, "empty.db")
    migrated_database(empty)
    try:
        big, small = add_company_medians(path, empty, options.runs, rng)
    finally:
        remove_companies_after(path, last_id)
    ratio = big / small
    print(f"2. add company: {big * 1000:.0f} ms at {companies:,}, {small * 1000:.0f} ms empty", file=sys.stderr)
    rows.append((f"add company process, {companies:,} vs empty db", f"{big * 1000:.0f} / {small * 1000:.0f} ms",
                 "1.2x", f"{ratio:.2f}", ratio <= 1.2))

    scan = measure_scan(scanned)
    print(f"3. scan {scanned:,}: {scan['elapsed']:.2f} s, precision {scan['precision']:.3f}, recall "
          f"{scan['recall']:.3f}; floor {scan['floor_elapsed']:.2f} s, precision {scan['floor_precision']:.3f}, "
          f"recall {scan['floor_recall']:.3f}; {scan['duplicates']:,} duplicate records", file=sys.stderr)
    rows.append((f"dedup scan {scanned:,} (whole process)", f"{scan['elapsed']:.2f} s",
                 f"10 s; floor {scan['floor_elapsed']:.2f} s", f"{scan['elapsed'] / scan['floor_elapsed']:.2f}x floor",
                 scan["elapsed"] < 10))
    rows.append(("dedup scan precision", f"{scan['precision']:.3f}", f"0.95; floor {scan['floor_precision']:.3f}",
                 "", scan["precision"] >= 0.95))
    rows.append(("dedup scan recall", f"{scan['recall']:.3f}", f"0.95; floor {scan['floor_recall']:.3f}",
                 "", scan["recall"] >= 0.95))

    from tabulate import tabulate

    print(tabulate([(a, b, c, d, "yes" if ok else "NO") for a, b, c, d, ok in rows],
                   headers=["figure", "measured", "target / floor", "ratio", "met"]))
    return 0 if all(row[-1] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
