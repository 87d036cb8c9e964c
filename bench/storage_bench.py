"""Bytes on disk per company at 1,000,000 companies (issue 7 §4: at most 1 KB, every index included).

    python bench/storage_bench.py                       # 1,000,000 companies
    python bench/storage_bench.py --companies 200000
    python bench/storage_bench.py --quick               # 100,000

Builds a fresh SQLite database with crmctl's whole current schema (`crmctl db
upgrade`: its own migrations, so every index and the name search index are
there), then bulk-inserts N generated companies (`company_data.stored_companies`,
the ones the other benches store), their blocking keys
(`crmctl.dedup.keys.stored_keys`) and the 'create' History row crmctl writes
for each, with raw `executemany`; runs VACUUM and prints:

- bytes per company: the file's size / N, against 1,024, with the share of each
  part (SQLite's dbstat): the company table and its indexes, the name search
  index, the blocking keys, History;
- blocking-key rows per company;
- blocking recall: of pairs (a stored company, its name with one typo, the
  compact forms one edit apart and the shorter of at least 6 letters, as
  `company_data.typo` makes them), the share that a look-up of the typed name
  finds: one of its probe keys is one of the company's stored keys and has at
  most the matcher's cap of postings in the database (BLOCKING_KEY_CAP, or
  TWO_TYPO_KEY_CAP for a two-typo key); target 1.0. The same share
  for names two typos apart (13 letters or more) is printed for information.

The database is written under bench/data/ (git-ignored) and removed afterwards
unless --keep.
"""
import argparse
import os
import random
import sqlite3
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import company_data  # noqa: E402

BYTES_TARGET = 1024
RECALL_TARGET = 1.0
CHUNK = 50_000
COMPANY_COLUMNS = ("id", "name", "name_key", "website", "website_key", "linkedin_url", "linkedin_key",
                   "employee_count", "industry", "subindustry", "country", "city", "relationship",
                   "active_agents", "linkedin_accounts", "created_at", "updated_at")
CREATED_AT = "2026-01-01 00:00:00"


def fill(path, records):
    """Companies, blocking keys and History rows by raw executemany; secondary indexes built once at the end."""
    from crmctl.dedup.keys import stored_keys
    from crmctl.rules.names import company_name_key

    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    tables = ("company", "company_blocking_key", "history")
    indexes = connection.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({', '.join('?' * len(tables))})", tables).fetchall()
    for name, _sql in indexes:
        connection.execute(f'DROP INDEX "{name}"')
    company_sql = (f"INSERT INTO company ({', '.join(COMPANY_COLUMNS)}) "
                   f"VALUES ({', '.join('?' * len(COMPANY_COLUMNS))})")
    key_sql = "INSERT INTO company_blocking_key (key, company_id) VALUES (?, ?)"
    history_sql = "INSERT INTO history (at, entity, action) VALUES (?, ?, 'create')"
    name_keys = []
    companies, keys, history = [], [], []

    def flush():
        connection.executemany(company_sql, companies)
        connection.executemany(key_sql, sorted(keys))
        connection.executemany(history_sql, history)
        companies.clear()
        keys.clear()
        history.clear()

    with connection:
        for company_id, record in enumerate(records, 1):
            name_key = company_name_key(record["name"])
            name_keys.append(name_key)
            companies.append((company_id, record["name"], name_key, record["website"], record["website_key"],
                              record["linkedin_url"], record["linkedin_key"], record["employee_count"],
                              record["industry"], record.get("subindustry"), record["country"],
                              record.get("city"), "prospect", "[]", "[]", CREATED_AT, CREATED_AT))
            keys.extend((key, company_id) for key in stored_keys(name_key))
            history.append((CREATED_AT, f"C{company_id}"))
            if len(companies) >= CHUNK:
                flush()
        flush()
    with connection:
        for _name, sql in indexes:
            connection.execute(sql)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.execute("PRAGMA journal_mode=DELETE")
    connection.execute("VACUUM")
    connection.close()
    return name_keys


def parts_of(path):
    """Bytes per part of the database: table name -> bytes of the table and its indexes (dbstat)."""
    connection = sqlite3.connect(path)
    try:
        owners = dict(connection.execute("SELECT name, tbl_name FROM sqlite_master"))
        sizes = connection.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall()
    except sqlite3.OperationalError:  # an SQLite built without dbstat
        return {}
    finally:
        connection.close()
    parts = {}
    for name, size in sizes:
        owner = owners.get(name, name)
        if owner.startswith("company_name_fts"):  # the FTS5 table's shadow tables
            owner = "name search index"
        parts[owner] = parts.get(owner, 0) + size
    return parts


def blocking_recall(path, records, name_keys, pairs, seed=9):
    """{edits: (pairs, found)}: typed names one typo (6+ letters) or two typos (13+) from a stored company's."""
    from rapidfuzz.distance import OSA

    from crmctl.dedup.keys import BLOCKING_KEY_CAP, TWO_TYPO_KEY_CAP, compact, probe_key_sets, stored_keys
    from crmctl.rules.names import company_name_key

    connection = sqlite3.connect(path)

    def postings(key, cap):
        return connection.execute("SELECT COUNT(*) FROM (SELECT 1 FROM company_blocking_key WHERE key = ? "
                                  f"LIMIT {cap + 1})", (key,)).fetchone()[0]

    rng = random.Random(seed)
    found = {1: [0, 0], 2: [0, 0]}
    misses = []
    while found[1][0] < pairs:
        index = rng.randrange(len(records))
        for edits, shortest in ((1, 6), (2, 13)):
            typed = records[index]["base"]
            for _edit in range(edits):
                typed = company_data.typo(rng, typed)
            typed_key = company_name_key(typed)
            stored, probed = compact(name_keys[index]), compact(typed_key)
            if OSA.distance(stored, probed) != edits or min(len(stored), len(probed)) < shortest:
                continue
            near, far = probe_key_sets(typed_key)
            keys = set(stored_keys(name_keys[index]))
            hit = any(postings(key, BLOCKING_KEY_CAP) <= BLOCKING_KEY_CAP for key in near & keys) or any(
                postings(key, TWO_TYPO_KEY_CAP) <= TWO_TYPO_KEY_CAP for key in far & keys)
            found[edits][0] += 1
            found[edits][1] += hit
            if edits == 1 and not hit:
                misses.append(f"{name_keys[index]!r} / {typed_key!r}")
    connection.close()
    return found, misses


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=1_000_000, help="companies stored (default 1,000,000)")
    parser.add_argument("--quick", action="store_true", help="100,000 companies")
    parser.add_argument("--pairs", type=int, default=5000, help="one-typo pairs the recall is measured on")
    parser.add_argument("--keep", action="store_true", help="keep the database under bench/data/")
    options = parser.parse_args()
    count = 100_000 if options.quick else options.companies
    os.makedirs(company_data.DATA, exist_ok=True)
    path = os.path.join(company_data.DATA, f"storage_{count}.db")
    company_data.remove_sqlite(path)
    started = time.perf_counter()
    company_data.migrated_database(f"sqlite:///{path}")
    records = list(company_data.stored_companies(count))
    name_keys = fill(path, records)
    print(f"built {count:,} companies in {time.perf_counter() - started:.0f} s", file=sys.stderr)

    size = os.path.getsize(path)
    per_company = size / count
    connection = sqlite3.connect(path)
    key_rows = connection.execute("SELECT COUNT(*) FROM company_blocking_key").fetchone()[0]
    connection.close()
    parts = parts_of(path)
    found, misses = blocking_recall(path, records, name_keys, options.pairs)
    if not options.keep:
        company_data.remove_sqlite(path)

    recall = found[1][1] / found[1][0]
    two_recall = found[2][1] / found[2][0] if found[2][0] else 0.0
    search = parts.get("name search index", 0) / count
    rows = [
        (f"bytes per company, {count:,} companies (file / N)", f"{per_company:.0f}", f"<= {BYTES_TARGET}",
         per_company <= BYTES_TARGET),
        ("... without the name search index", f"{per_company - search:.0f}", "", None),
        *((f"... {name} (with its indexes)", f"{size / count:.0f}", "", None)
          for name, size in sorted(parts.items(), key=lambda item: -item[1]) if size / count >= 1),
        ("blocking-key rows per company", f"{key_rows / count:.2f}", "", None),
        (f"blocking recall, {found[1][0]:,} names one typo from a stored one", f"{recall:.4f}",
         f">= {RECALL_TARGET}", recall >= RECALL_TARGET),
        (f"blocking recall, {found[2][0]:,} names two typos from one (13+ letters)", f"{two_recall:.4f}",
         "(for information)", None),
    ]
    from tabulate import tabulate

    met = {True: "yes", False: "NO", None: ""}
    print(tabulate([(*row[:3], met[row[3]]) for row in rows], headers=["figure", "measured", "target", "met"],
                   disable_numparse=True))
    for miss in misses[:10]:
        print(f"missed: {miss}", file=sys.stderr)
    return 0 if all(row[3] is not False for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
