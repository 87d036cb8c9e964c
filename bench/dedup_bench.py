"""Duplicate-check and dedup-scan figures of SPEC §7 and issue 7, each beside its floor, measured in one run.

    python bench/dedup_bench.py [--quick]     # these rows only; bench/core_bench.py prints every figure

1. The check that `add company` runs for one new company (`check_companies`,
   validation plus duplicate look-up, with settings and the matcher built once
   as a command does), against N stored companies, on SQLite and PostgreSQL:
   median and 95th percentile over 300+ varied rows (half new, 45 % typed
   variants of a stored name, 5 % a stored website), after 50 warm-up rows,
   with the database's hot pages read into the page cache first (`warm_sqlite`,
   `warm_postgres`: this machine caches under 2 GB of file pages).
   Floor (`RawLookUp`): the same two SELECTs the matcher issues (every key
   look-up at once, then the blocked companies) through the bare driver
   (sqlite3 with its statement cache and crmctl's memory map; psycopg2 with a
   prepared statement), no ORM, no scoring; normalised names and probe keys
   are computed before the clock.
2. Whole-process `crmctl add company` at N companies against an empty
   database: medians of alternating runs (SPEC §7: at most 1.2x).
3. `crmctl dedup scan` over 100,000 companies with known realistic duplicates
   (legal forms, typos, &/and, punctuation, accents, "The", names typed as web
   addresses), timed as a whole process, pairwise precision and recall
   against the truth. Floor (`floor_scan`): a plain blocked pass with
   rapidfuzz, described in its docstring.
"""
import argparse
import gc
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import company_data  # noqa: E402
from company_data import CRMCTL  # noqa: E402

CHECK_MEDIAN_TARGET = 0.002
CHECK_P95_TARGET = 0.003
CHECK_POSTGRES_TARGET = 0.005
ADD_COMPANY_RATIO_TARGET = 1.2
SCAN_SECONDS_TARGET = 10.0
SCAN_QUALITY_TARGET = 0.95


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


# --------------------------------------------------------------------------
# 1. The check for one new company
# --------------------------------------------------------------------------


NEW_COMPANIES = 25_000  # generated after the stored ones: the new rows of the check and the batch
WARM_UP_ROWS = 50


def check_rows(count, companies, seed=42):
    """(warm-up rows, timed rows) of the check: the same for every backend and for the floor."""
    rng = random.Random(seed)
    stored = list(company_data.stored_companies(min(companies, 50_000)))
    new = company_data.new_companies(companies, NEW_COMPANIES)[:count + WARM_UP_ROWS]
    rows = company_data.probe_rows(count + WARM_UP_ROWS, rng, stored, new)
    return rows[:WARM_UP_ROWS], rows[WARM_UP_ROWS:]


def core_check():
    """(check one row, description): crmctl's whole check as `add company` runs it, settings and
    matcher built once per command."""
    from crmctl.dedup.candidates import CompanyMatcher
    from crmctl.records.companies import check_companies
    from crmctl.rules.settings import load_settings

    settings = load_settings()
    matcher = CompanyMatcher(settings)

    def check(row):
        return check_companies([row], settings=settings, matcher=matcher)

    return check, "check_companies"


def measure_check(url, warm_up, rows):
    """Per-row seconds of crmctl's check, the database already open (as inside a command)."""
    from crmctl.storage.connection import connect_database
    from crmctl.storage.schema import ensure_current_schema

    database = connect_database(url)
    ensure_current_schema(database)
    check, description = core_check()
    for row in warm_up:
        check(row)
    # The bench holds tens of thousands of generated rows that an `add company` process does not: kept
    # out of the garbage collector's sight, as if the process had only its own small heap.
    gc.freeze()
    timings = []
    for row in rows:
        started = time.perf_counter()
        check(row)
        timings.append(time.perf_counter() - started)
    database.close()
    return timings, description


def lookup_values(rows):
    """(website key, LinkedIn key, name key, probe keys) of each row, computed before the floor's clock."""
    from crmctl.dedup.keys import probe_key_sets
    from crmctl.rules.names import company_name_key
    from crmctl.rules.web import linkedin_company_key, website_key

    values = []
    for row in rows:
        name_key = company_name_key(row["name"])
        values.append((website_key(row["website"]) if row["website"] else None,
                       linkedin_company_key(row["linkedin_url"]) if row["linkedin_url"] else None,
                       name_key, tuple(sorted(group) for group in probe_key_sets(name_key))))
    return values


class RawLookUp:
    """The two statements the matcher issues for one row, through the bare driver: every key look-up at
    once (exact web keys, blocking-key postings with crowded keys left out, the same name key among
    names and aliases), then the found companies' names, countries, web keys and aliases.

    Written as crmctl writes them for the backend, since that is the fastest
    form found for each: SQLite takes the keys as JSON arrays and counts a
    crowded key inside the database; PostgreSQL runs a prepared statement of
    LATERAL joins over text arrays.
    """

    def __init__(self, cursor, dialect):
        from crmctl.dedup.candidates import SAME_NAME_LIMIT
        from crmctl.dedup.keys import BLOCKING_KEY_CAP, TWO_TYPO_KEY_CAP

        self.cursor, self.dialect = cursor, dialect
        self.param = "?" if dialect == "sqlite" else "%s"
        groups = (("company_blocking_key", '"key"', "company_id", BLOCKING_KEY_CAP, True),
                  ("company_blocking_key", '"key"', "company_id", TWO_TYPO_KEY_CAP, True),
                  ("company", "name_key", "id", SAME_NAME_LIMIT, False),
                  ("company_alias", "name_key", "company_id", SAME_NAME_LIMIT, False),
                  ("company", "website_key", "id", 1, False),
                  ("company", "linkedin_key", "id", 1, False))
        selects = []
        for number, (table, key, value, cap, sparse) in enumerate(groups, 1):
            if dialect == "sqlite":
                within = (f"(SELECT COUNT(*) FROM (SELECT 1 FROM {table} AS other WHERE other.{key} = probe.value "
                          f"LIMIT {cap + 1})) <= {cap}" if sparse else
                          f"hit.{value} IN (SELECT {value} FROM {table} WHERE {key} = probe.value LIMIT {cap})")
                selects.append(f"SELECT {number}, probe.value, hit.{value} FROM json_each(?) AS probe "
                               f"JOIN {table} AS hit ON hit.{key} = probe.value WHERE {within}")
            else:
                selects.append(f"SELECT {number}, probe.k, hit.v FROM unnest(${number}::text[]) AS probe(k) "
                               f"CROSS JOIN LATERAL (SELECT {value} AS v FROM {table} WHERE {key} = probe.k "
                               f"LIMIT {cap + sparse}) AS hit")
        self.caps = {number: (cap, sparse) for number, (_t, _k, _v, cap, sparse) in enumerate(groups, 1)}
        self.keys_sql = " UNION ALL ".join(selects)
        if dialect != "sqlite":
            cursor.execute(f"PREPARE floor_keys ({', '.join(['text[]'] * len(groups))}) AS {self.keys_sql}")
            self.keys_sql = f"EXECUTE floor_keys ({', '.join(['%s'] * len(groups))})"

    def rows(self, sql, params):
        self.cursor.execute(sql, params)
        return self.cursor.fetchall()

    def __call__(self, website, linkedin, name_key, keys):
        """`keys`: (near keys, two-typo keys) of the row's name."""
        arrays = [list(keys[0]), list(keys[1]), [name_key], [name_key],
                  [website] if website else [], [linkedin] if linkedin else []]
        if self.dialect == "sqlite":
            arrays = [json.dumps(array) for array in arrays]
        per_key = {}
        for number, key, company_id in self.rows(self.keys_sql, arrays):
            per_key.setdefault((number, key), []).append(company_id)
        ids = {company_id for (number, _key), members in per_key.items()
               if not self.caps[number][1] or len(members) <= self.caps[number][0] for company_id in members}
        if not ids:
            return []
        return self.rows("SELECT c.id, c.name, c.name_key, c.country, c.website_key, c.linkedin_key, "
                         "a.name_key FROM company c LEFT JOIN company_alias a ON a.company_id = c.id "
                         f"WHERE c.id IN ({', '.join([self.param] * len(ids))})", sorted(ids))


def timed_floor(look_up, warm_up, rows):
    for value in lookup_values(warm_up):
        look_up(*value)
    gc.freeze()  # as in measure_check
    timings = []
    for value in lookup_values(rows):
        started = time.perf_counter()
        look_up(*value)
        timings.append(time.perf_counter() - started)
    return timings


def sqlite_floor(path, warm_up, rows):
    """Per-row seconds of the raw look-up through sqlite3 (statements prepared once, cached by the driver)."""
    import sqlite3

    from crmctl.storage.connection import SQLITE_MMAP_BYTES

    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    try:
        return timed_floor(RawLookUp(connection.cursor(), "sqlite"), warm_up, rows)
    finally:
        connection.close()


def postgres_floor(url, warm_up, rows):
    """Per-row seconds of the same look-up through psycopg2."""
    import psycopg2

    connection = psycopg2.connect(url)
    connection.autocommit = True
    try:
        return timed_floor(RawLookUp(connection.cursor(), "postgresql"), warm_up, rows)
    finally:
        connection.close()


# What the check reads on PostgreSQL: the blocking-key index, the company table and its key indexes.
HOT_POSTGRES_RELATIONS = ("company_blocking_key_pkey", "company", "company_pkey", "company_name_key",
                          "company_website_key", "company_linkedin_key")


def warm_sqlite(path):
    """Read the database file once, so that its pages are in the page cache as a server's working set is.

    This machine keeps under 2 GB of file pages in its cache: the 1 GB SQLite
    file and the 1.5 GB PostgreSQL database, or a batch bench's copies, push
    each other out, and a check that reads from the disk measures the disk.
    """
    with open(path, "rb") as database_file:
        while database_file.read(1 << 20):
            pass


def warm_postgres(url):
    """Read the relations the check uses into the cache (pg_prewarm; a plain read of each table without it)."""
    import psycopg2

    connection = psycopg2.connect(url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            try:
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
                for relation in HOT_POSTGRES_RELATIONS:
                    cursor.execute("SELECT pg_prewarm(%s::regclass, 'read')", (relation,))
            except psycopg2.Error:
                for table in ("company_blocking_key", "company"):
                    cursor.execute(f"SELECT COUNT(*) FROM {table}")
    finally:
        connection.close()


def check_figures(sqlite_path, postgres_url, companies, checks):
    """Table rows of the check on SQLite (median, p95) and PostgreSQL (median), each beside its floor."""
    warm_up, rows = check_rows(checks, companies)
    os.sync()  # a bench run just before may leave a gigabyte of copies being written back, which stalls reads
    figures = []
    warm_sqlite(sqlite_path)
    timings, description = measure_check(f"sqlite:///{sqlite_path}", warm_up, rows)
    floor = sqlite_floor(sqlite_path, warm_up, rows)
    print(f"check ({description}) at {companies:,}, SQLite: median {statistics.median(timings) * 1e3:.2f} ms, "
          f"p95 {percentile(timings, 0.95) * 1e3:.2f} ms, max {max(timings) * 1e3:.1f} ms; floor median "
          f"{statistics.median(floor) * 1e3:.3f} ms", file=sys.stderr)
    label = f"check one company, {companies:,} stored, SQLite"
    figures.append(seconds_row(f"{label}: median", statistics.median(timings), statistics.median(floor),
                               CHECK_MEDIAN_TARGET))
    figures.append(seconds_row(f"{label}: p95", percentile(timings, 0.95), percentile(floor, 0.95),
                               CHECK_P95_TARGET))
    if postgres_url:
        warm_postgres(postgres_url)
        timings, _description = measure_check(postgres_url, warm_up, rows)
        floor = postgres_floor(postgres_url, warm_up, rows)
        print(f"check at {companies:,}, PostgreSQL: median {statistics.median(timings) * 1e3:.2f} ms, p95 "
              f"{percentile(timings, 0.95) * 1e3:.2f} ms; floor median {statistics.median(floor) * 1e3:.3f} ms",
              file=sys.stderr)
        label = f"check one company, {companies:,} stored, PostgreSQL"
        figures.append(seconds_row(f"{label}: median", statistics.median(timings), statistics.median(floor),
                                   CHECK_POSTGRES_TARGET))
        figures.append(seconds_row(f"{label}: p95", percentile(timings, 0.95), percentile(floor, 0.95), None))
    else:
        figures.append((f"check one company, {companies:,} stored, PostgreSQL", "no server", "", "",
                        f"< {CHECK_POSTGRES_TARGET * 1e3:g} ms", None))
    return figures


def seconds_row(label, measured, floor, target):
    """(figure, measured, floor, ratio, target, met) of a time in seconds; no target: met is None."""
    def shown(seconds):
        return f"{seconds * 1e3:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"

    return (label, shown(measured), shown(floor), f"{measured / floor:.1f}x" if floor else "",
            f"< {shown(target)}" if target else "", measured < target if target else None)


# --------------------------------------------------------------------------
# 2. Whole-process add company
# --------------------------------------------------------------------------


def add_company_time(path, number, rng):
    record = company_data.company(rng, number)
    args = CRMCTL + ["--db", f"sqlite:///{path}", "add", "company", "--name", record["name"],
                     "--website", record["website"], "--linkedin", record["linkedin_url"],
                     "--employees", str(record["employee_count"]), "--industry", record["industry"],
                     "--country", record["country"], "--force", "--format", "json"]
    started = time.perf_counter()
    result = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"add company failed on {path}: {result.stderr.strip()}")
    return elapsed


def add_company_figure(big_path, companies, runs):
    """Medians of `crmctl add company` on a copy of the big database and on an empty one, runs alternating."""
    rng = random.Random(43)
    empty = os.path.join(company_data.DATA, "scratch_empty.db")
    company_data.remove_sqlite(empty)
    company_data.migrated_database(f"sqlite:///{empty}")
    big_copy = company_data.copy_sqlite(big_path, "add_company")
    big, small = [], []
    try:
        for run in range(runs + 2):  # two warm-up runs each
            order = [(big_copy, big), (empty, small)]
            if run % 2:
                order.reverse()  # neither database always goes first
            for path, timings in order:
                elapsed = add_company_time(path, 20_000_000 + 2 * run + (timings is small), rng)
                if run >= 2:
                    timings.append(elapsed)
    finally:
        company_data.remove_sqlite(big_copy)
        company_data.remove_sqlite(empty)
    big_median, small_median = statistics.median(big), statistics.median(small)
    print(f"add company: {big_median * 1e3:.0f} ms at {companies:,}, {small_median * 1e3:.0f} ms empty",
          file=sys.stderr)
    ratio = big_median / small_median
    return (f"`crmctl add company`, {companies:,} stored vs empty db", f"{big_median * 1e3:.0f} ms",
            f"{small_median * 1e3:.0f} ms (empty)", f"{ratio:.2f}x", f"<= {ADD_COMPANY_RATIO_TARGET}x",
            ratio <= ADD_COMPANY_RATIO_TARGET)


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
                records.append(dict(company_data.with_new_web_keys(record, f"v{copy}"), name=name))
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


# The floor's normalisation: common legal forms, web-address parts, "the", "and", single letters
# (what is left of "S.A.", "Sp. z o.o.", "e.K." once split at the dots).
FLOOR_LEGAL_FORMS = frozenset("""sp spj spk gmbh ag co kg inc llc corp corporation ltd limited plc llp sas sarl
sl srl spa bv nv sro ab""".split())
FLOOR_URL_ENDINGS = frozenset("com net org io eu pl de uk fr es it nl".split())
FLOOR_WINDOW = 8
FLOOR_BLOCK_LIMIT = 100
FLOOR_THRESHOLD = 94


def floor_name(name):
    """Lower-case ASCII words without legal forms, "the", "and", single letters and web-address parts."""
    if not name.isascii():
        from unidecode import unidecode

        name = unidecode(name)
    words = re.findall(r"[a-z0-9]+", name.lower())
    if words and words[0] in ("the", "www"):
        words = words[1:]
    if len(words) > 1 and words[-1] in FLOOR_URL_ENDINGS and "www" in name.lower():
        words = words[:-1]
    kept = [w for w in words if w != "and" and len(w) > 1 and w not in FLOOR_LEGAL_FORMS]
    return " ".join(kept or words)


def floor_scan(names, window=FLOOR_WINDOW, block_limit=FLOOR_BLOCK_LIMIT, threshold=FLOOR_THRESHOLD):
    """The floor: prefix blocks plus a sorted neighbourhood, scored with rapidfuzz's token_sort_ratio.

    Names are normalised (`floor_name`). Compared are (a) all pairs inside each
    prefix block (the first three letters of the first two words) of at most
    `block_limit` names; (b) the sorted neighbourhood: the names sorted, each
    with its `window` next ones, once by the name without spaces and once by
    that reversed (for a typo in the first letters). A pair whose
    token_sort_ratio (the ratio of the sorted words, computed as fuzz.ratio of
    pre-sorted words) is at least `threshold` is a link; clusters are connected
    components. Returns (seconds, clusters of row indexes).
    """
    from rapidfuzz import fuzz, process

    started = time.perf_counter()
    cleaned = [floor_name(name) for name in names]
    sorted_words = [" ".join(sorted(name.split(" "))) for name in cleaned]
    compact = [name.replace(" ", "") for name in cleaned]
    parent = list(range(len(names)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def link(left, right):
        a, b = find(left), find(right)
        if a != b:
            parent[b] = a

    blocks = {}
    for index, name in enumerate(cleaned):
        blocks.setdefault(" ".join(word[:3] for word in name.split(" ")[:2]), []).append(index)
    for members in blocks.values():
        if len(members) < 2 or len(members) > block_limit:
            continue
        choices = [sorted_words[m] for m in members]
        compact_choices = [compact[m] for m in members]
        for position, member in enumerate(members[:-1]):
            for words, texts in ((sorted_words, choices), (compact, compact_choices)):
                for _text, _score, found in process.extract(words[member], texts[position + 1:], scorer=fuzz.ratio,
                                                            score_cutoff=threshold, limit=None):
                    link(member, members[position + 1 + found])
    ratio = fuzz.ratio
    for order in (sorted(range(len(names)), key=compact.__getitem__),
                  sorted(range(len(names)), key=lambda i: compact[i][::-1])):
        for position, left in enumerate(order):
            words, letters = sorted_words[left], compact[left]
            for right in order[position + 1:position + 1 + window]:
                if (ratio(words, sorted_words[right], score_cutoff=threshold)
                        or ratio(letters, compact[right], score_cutoff=threshold)):
                    link(left, right)
    clusters = {}
    for index in range(len(names)):
        clusters.setdefault(find(index), []).append(index)
    return time.perf_counter() - started, [m for m in clusters.values() if len(m) > 1]


def scan_figures(count):
    records, truth = scan_dataset(count)
    path = company_data.sqlite_database("scan", lambda: iter(records), count)
    started = time.perf_counter()
    result = subprocess.run(CRMCTL + ["--db", f"sqlite:///{path}", "dedup", "scan", "--format", "json"],
                            capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - started
    clusters = [[int(typed[1:]) - 1 for typed in cluster["ids"]] for cluster in json.loads(result.stdout)]
    precision, recall = pair_scores(clusters, truth)
    floor_elapsed, floor_clusters = floor_scan([record["name"] for record in records])
    floor_precision, floor_recall = pair_scores(floor_clusters, truth)
    print(f"scan {count:,}: {elapsed:.2f} s, precision {precision:.3f}, recall {recall:.3f}; floor "
          f"{floor_elapsed:.2f} s, precision {floor_precision:.3f}, recall {floor_recall:.3f}; "
          f"{len(truth) - len(set(truth)):,} duplicate records", file=sys.stderr)
    label = f"dedup scan, {count:,} companies"
    floor_note = f"token_sort_ratio>={FLOOR_THRESHOLD}"
    return [
        seconds_row(f"{label} (whole process)", elapsed, floor_elapsed, SCAN_SECONDS_TARGET),
        (f"{label}: precision", f"{precision:.3f}", f"{floor_precision:.3f} ({floor_note})", "",
         f">= {SCAN_QUALITY_TARGET}", precision >= SCAN_QUALITY_TARGET),
        (f"{label}: recall", f"{recall:.3f}", f"{floor_recall:.3f}", "", f">= {SCAN_QUALITY_TARGET}",
         recall >= SCAN_QUALITY_TARGET),
    ]


# --------------------------------------------------------------------------


def print_table(figures):
    from tabulate import tabulate

    met = {True: "yes", False: "NO", None: ""}
    print(tabulate([(*row[:5], met[row[5]]) for row in figures],
                   headers=["figure", "measured", "floor", "ratio", "target", "met"]))


def sizes(quick):
    """(stored companies, scanned companies, batch rows) of a full or a --quick run."""
    return (100_000, 20_000, 2_000) if quick else (1_000_000, 100_000, 20_000)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 companies and a 20,000-company scan")
    parser.add_argument("--checks", type=int, default=300, help="rows for the in-process check")
    parser.add_argument("--runs", type=int, default=15, help="runs of add company on each database")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    options = parser.parse_args()
    companies, scanned, _batch = sizes(options.quick)
    path = company_data.sqlite_database("companies", lambda: company_data.stored_companies(companies), companies)
    postgres = None if options.no_postgres else company_data.postgres_database(
        lambda: company_data.stored_companies(companies), companies)
    figures = check_figures(path, postgres, companies, options.checks)
    figures.append(add_company_figure(path, companies, options.runs))
    figures += scan_figures(scanned)
    print_table(figures)
    return 0 if all(row[5] is not False for row in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
