"""Issue 10's figures in one command: import of a 60,000-row .xls into 1,000,000 companies, and export.

    python bench/import_bench.py            # 60,000 rows into 1,000,000 companies; export of 1,000,000 leads
    python bench/import_bench.py --quick    # 6,000 rows into 100,000 companies; export of 100,000 leads
    python bench/import_bench.py --profile  # also cProfile `import run` in-process (top functions on stderr)

The file: about 20,000 generated companies (bench/company_data.py, after the
stored ones), 3 leads each, written with xlwt as the template lays it out;
10 % of the rows are variants of a stored company or of an earlier company of
the file: the name with another legal form, a typo, "The", accents dropped or
written as a web address (`company_data.variant`), and the website and
company LinkedIn page in other URL forms (no scheme, http, a path, capitals,
a country subdomain) or the LinkedIn page alone under another website.

Timed: `crmctl import run FILE` as a whole process (start-up included) on a
copy of the cached SQLite database; its peak memory is the child's
ru_maxrss (os.wait4). Floor, in the same run: xlrd opening the file and
reading every cell, plus raw sqlite3 `executemany` of the companies and
leads crmctl stored (every column), in one transaction, into another copy of
the same database. Folding is read back from the database (each submission
names its row and company) against the generator's ground truth: the share
of variant rows attached to their true company, and the share of the
file's distinct companies that got rows of another company or landed in
one. PostgreSQL: the same file into a clone of the cached crmctl_bench
database (CREATE DATABASE ... TEMPLATE: a file copy, cheaper than filling a
fresh database and the same data and statistics), timed the same way.

Export: leads inserted with raw SQL into a copy of the companies database
(one per company, one e-mail each), then `crmctl export FILE.csv` and
`FILE.xlsx` as whole processes: rows/s and peak memory, beside the peak of
the same export of the country DE only (a fifth of the rows): flat memory
means the two peaks are about the same.
"""
import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import company_data  # noqa: E402
from company_data import CITIES, SURNAMES, slug, typo, variant  # noqa: E402

RATIO_TARGET = 3.0
MEMORY_TARGET_MB = 500
ATTACHED_TARGET = 0.98
WRONG_MERGE_TARGET = 0.005
LEADS_PER_COMPANY = 3
VARIANT_SHARE = 0.10
NEW_COMPANIES = 25_000  # what dedup_bench takes after the stored ones: the same cached file
FIRST_NAMES = """Anna Maria Katarzyna Agnieszka Ewa Jan Piotr Tomasz Paweł Marek Lukas Jonas Felix Lena Sophie
Emma Olivia James John Robert Michael David Sarah Laura Claire Pierre Louis Camille Javier Lucía Carlos Marco
Giulia Luca Daan Femke Petr Jana Lucie Erik Sara Oskar Maja Lars Ingrid Mikko Aino""".split()
POSITIONS = ["CEO", "CTO", "CFO", "COO", "Head of Sales", "Head of IT", "Purchasing Manager", "Operations Director",
             "Marketing Manager", "Plant Manager", "Managing Director", "Head of Procurement"]


def sizes(quick):
    """(stored companies, companies in the file, leads to export)."""
    return (100_000, 2_000, 100_000) if quick else (1_000_000, 20_000, 1_000_000)


# --------------------------------------------------------------------------
# The cached databases, shared with the other benches
# --------------------------------------------------------------------------


def stored_database(count, records):
    """Path of the cached SQLite database of `count` companies, and whether its copies need `db upgrade`.

    When the cache exists only under an older key (a migration added since, which
    `company_data.sqlite_database` would answer by deleting it and building a new one for
    minutes, under the other benches' feet), that database is used and each copy upgraded.
    """
    import glob

    wanted = os.path.join(company_data.DATA, f"companies_{count}_{company_data.cache_key()}.db")
    older = sorted(glob.glob(os.path.join(company_data.DATA, f"companies_{count}_*.db")), key=os.path.getmtime)
    if os.path.exists(wanted) or not older:
        return company_data.sqlite_database("companies", records, count), False
    print(f"using {older[-1]} (an older schema): each copy is upgraded with `crmctl db upgrade` before it is "
          f"timed", file=sys.stderr)
    return older[-1], True


def upgraded(url):
    subprocess.run(company_data.CRMCTL + ["--db", url, "db", "upgrade"], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return url


def postgres_template(count, records, wait=1800):
    """Name of the cached PostgreSQL database of `count` companies, waiting while another bench builds it.

    A database whose comment names `count` companies is used even under an older key (its clone is
    upgraded); one without a comment is still being filled by another process. Only when none exists is
    it built here (`company_data.postgres_database`). None when no server answers.
    """
    try:
        import psycopg2
    except ImportError:
        print("PostgreSQL skipped: psycopg2 is missing (pip install -e '.[bench]')", file=sys.stderr)
        return None
    server, name = company_data.POSTGRES_SERVER, company_data.POSTGRES_DATABASE
    deadline = time.monotonic() + wait
    while True:
        try:
            admin = psycopg2.connect(f"{server}/postgres", connect_timeout=5)
        except psycopg2.OperationalError as error:
            print(f"PostgreSQL skipped: {' '.join(str(error).split())}", file=sys.stderr)
            return None
        with admin.cursor() as cursor:
            cursor.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                           (name,))
            found = cursor.fetchone()
        admin.close()
        if found is None:
            return name if company_data.postgres_database(records, count) else None
        if found[0] and found[0].startswith(f"crmctl bench: {count} companies"):
            return name
        if time.monotonic() > deadline:
            print(f"PostgreSQL skipped: {name} is still being built ({found[0]!r})", file=sys.stderr)
            return None
        print(f"waiting for {name}: another process is filling it...", file=sys.stderr)
        time.sleep(30)


# --------------------------------------------------------------------------
# The file and its ground truth
# --------------------------------------------------------------------------


def url_form(rng, record):
    """The company's website in another form that names the same site."""
    host = record["website_key"]
    return rng.choice((host, f"http://{host}", f"https://{host}/", f"www.{host}", f"HTTPS://WWW.{host.upper()}/",
                       f"https://www.{host}/kontakt", f"http://www.{host}/en/about-us"))


def linkedin_form(rng, record):
    """The company's LinkedIn page in another form: a country subdomain, no scheme, a trailing part."""
    page = record["linkedin_key"]  # company/slug
    country = record["country"].lower() if record["country"] != "GB" else "uk"
    return rng.choice((f"https://{country}.linkedin.com/{page}", f"linkedin.com/{page}/",
                       f"https://www.linkedin.com/{page}/about/", f"http://linkedin.com/{page}",
                       f"https://www.linkedin.com/{page}"))


def company_cells(record):
    return [record["name"], record["website"], record["linkedin_url"], record["employee_count"],
            record["industry"], record.get("subindustry"), record["country"], record.get("city")]


def variant_cells(rng, record):
    """A row's company cells for someone else's typing of `record`: a name variant, its web addresses in other forms."""
    name, _kind = variant(rng, record)
    if rng.random() < 0.2:
        name = typo(rng, name)  # a variant typed in a hurry as well
    website = url_form(rng, record)
    if rng.random() < 0.3:  # another site of the firm: the LinkedIn page alone says who it is
        website = f"{slug(record['base'])}-{rng.randrange(10**6):x}.eu"
    city = record.get("city") if rng.random() < 0.7 else rng.choice(CITIES[record["country"]])
    return [name, website, linkedin_form(rng, record), record["employee_count"], record["industry"],
            record.get("subindustry"), record["country"], city]


def lead_cells(rng, number, host):
    first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
    handle = f"{slug(first)}.{slug(last)}.{number}"
    phone = f"+48 601 {number // 1000 % 1000:03d} {number % 1000:03d}"  # one number per row (< 1,000,000 rows)
    return [f"{first} {last}", rng.choice(POSITIONS), f"https://www.linkedin.com/in/{handle}",
            rng.randrange(100, 3000), f"{handle}@{host}", phone if rng.random() < 0.5 else None,
            "Sent Request", None, "Import bench", "Generated"]


def file_rows(file_companies, stored, new, seed=10):
    """(rows of cells, truth per row): truth is ("stored", company id) or ("new", index of the file's company),
    and whether the row is a variant. 10 % of the rows are variants, half of a stored company, half of a company
    met earlier in the file; the others are the file's companies, three leads each, in order."""
    rng = random.Random(seed)
    records = new[:file_companies]
    rows, truths = [], []
    seen = []  # file companies whose own rows came before
    number = 0
    for index, record in enumerate(records):
        for _lead in range(LEADS_PER_COMPANY):
            number += 1
            if rng.random() < VARIANT_SHARE and (seen or stored):
                if rng.random() < 0.5 or not seen:
                    position = rng.randrange(len(stored))
                    target, truth = stored[position], ("stored", position + 1)
                else:
                    other = rng.choice(seen)
                    target, truth = records[other], ("new", other)
                cells = variant_cells(rng, target)
                rows.append(cells + lead_cells(rng, number, target["website_key"]))
                truths.append((truth, True))
                continue
            rows.append(company_cells(record) + lead_cells(rng, number, record["website_key"]))
            truths.append((("new", index), False))
            if not seen or seen[-1] != index:
                seen.append(index)
    return rows, truths


def write_xls(path, rows):
    """The rows under the template's header row, written with xlwt (one sheet: fewer than 65,536 rows)."""
    import xlwt

    from crmctl.transfer.template import COLUMN_NAMES

    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("Leads")
    for column, name in enumerate(COLUMN_NAMES):
        sheet.write(0, column, name)
    for row_index, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if value is not None:
                sheet.write(row_index, column, value)
        if row_index % 1000 == 0:
            sheet.flush_row_data()
    workbook.save(path)


# --------------------------------------------------------------------------
# Running crmctl as a whole process
# --------------------------------------------------------------------------


def run_crmctl(*arguments):
    """(seconds, peak resident MB of the child, stdout, exit status, stderr) of one crmctl process.

    The child is reaped with os.wait4, which gives its own resource usage (ru_maxrss: its peak).
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(company_data.CRMCTL + list(arguments), stdout=out, stderr=err)
        _pid, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return (elapsed, usage.ru_maxrss / 1024, out.read().decode(), process.returncode,
                err.read().decode(errors="replace"))


def import_run(url, path):
    elapsed, peak, stdout, status, stderr = run_crmctl("--db", url, "import", "run", path, "--format", "json")
    if status not in (0, 6):
        raise SystemExit(f"crmctl import run exited {status}: {stderr.strip()[-300:]}")
    return elapsed, peak, json.loads(stdout)


# --------------------------------------------------------------------------
# Folding read back against the truth
# --------------------------------------------------------------------------


def fold_figures(landed, truths, stored_max):
    """Folding judged against the truth, from landed = {sheet row number: company id} (rejected rows missing).

    Returns (attached share, wrongly merged share, variant rows judged, attached, wrongly merged companies,
    distinct companies, variants left out). A variant row is attached when it went into its true company:
    the stored one, or the one its file company's own first row created. A variant of a file company that
    the import refused entirely (a likely duplicate by name) has no company to go to and is left out.
    A company is wrongly merged when any of its rows went into another company's record.
    """
    own, owner, wrong = {}, {}, set()
    for (kind, key), _is_variant in truths:
        if kind == "stored":
            own[(kind, key)] = key
            owner.setdefault(key, (kind, key))
    for index, (truth, is_variant) in enumerate(truths):  # the record each file company's own rows created
        company_id = landed.get(index + 2)
        if truth[0] != "new" or is_variant or company_id is None or truth in own:
            continue
        if company_id <= stored_max or company_id in owner:
            wrong.add(truth)  # its first stored row went into another company
            own[truth] = None
        else:
            own[truth], owner[company_id] = company_id, truth
    variants = attached = left_out = 0
    for index, (truth, is_variant) in enumerate(truths):
        company_id = landed.get(index + 2)
        if is_variant:
            if truth not in own:  # its own rows were all refused: judged for wrong merges only
                left_out += 1
                if company_id is not None and (company_id <= stored_max or company_id in owner):
                    wrong.add(truth)
                continue
            variants += 1
            attached += company_id is not None and company_id == own[truth]
        if company_id is None or company_id == own.get(truth):
            continue
        if company_id <= stored_max or owner.get(company_id, truth) != truth:
            wrong.add(truth)  # a row of this company went into another one
    distinct = {truth for truth, _ in truths}
    return (attached / max(variants, 1), len(wrong) / max(len(distinct), 1), variants, attached, len(wrong),
            len(distinct), left_out)


def print_misses(landed, truths, rows, shown=40):
    """The variant rows that did not go into their true company, and where they went (for --misses)."""
    own, first_cells = {}, {}
    for index, (truth, is_variant) in enumerate(truths):
        if truth[0] == "stored":
            own[truth] = truth[1]
        elif not is_variant and landed.get(index + 2) is not None:
            own.setdefault(truth, landed[index + 2])
            first_cells.setdefault(truth, rows[index][:3])
    count = 0
    for index, (truth, is_variant) in enumerate(truths):
        if is_variant and truth in own and landed.get(index + 2) != own[truth]:
            count += 1
            if count <= shown:
                print(f"miss row {index + 2}: {rows[index][:3]} of {truth} {first_cells.get(truth, '')} "
                      f"went to {landed.get(index + 2) or 'nothing (rejected)'}", file=sys.stderr)
    print(f"{count:,} variant rows missed", file=sys.stderr)


def landed_sqlite(path, batch):
    connection = sqlite3.connect(path)
    rows = connection.execute("SELECT data, company_id FROM submission WHERE batch_id = ?", (batch,)).fetchall()
    connection.close()
    return {json.loads(data)["row"]: company_id for data, company_id in rows}


def landed_postgres(url, batch):
    import psycopg2

    connection = psycopg2.connect(url)
    with connection.cursor() as cursor:
        cursor.execute("SELECT data, company_id FROM submission WHERE batch_id = %s", (batch,))
        rows = cursor.fetchall()
    connection.close()
    return {json.loads(data)["row"]: company_id for data, company_id in rows}


# --------------------------------------------------------------------------
# The floor
# --------------------------------------------------------------------------


def stored_rows_after(path, table, after_id):
    """Every column but the id of `table`'s rows after `after_id`, and the INSERT that writes them."""
    connection = sqlite3.connect(path)
    columns = [row[1] for row in connection.execute(f"PRAGMA table_info({table})") if row[1] != "id"]
    rows = connection.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE id > ? ORDER BY id",
                              (after_id,)).fetchall()
    connection.close()
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", rows


def max_id(path, table):
    connection = sqlite3.connect(path)
    value = connection.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()[0]
    connection.close()
    return value


def floor_seconds(xls_path, floor_copy, companies, leads):
    """xlrd reading every cell of the file, plus one transaction of raw executemany of the stored rows."""
    import xlrd

    started = time.perf_counter()
    book = xlrd.open_workbook(xls_path)
    sheet = book.sheet_by_index(0)
    cells = [sheet.row_values(index) for index in range(sheet.nrows)]
    read = time.perf_counter() - started
    connection = sqlite3.connect(floor_copy, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    started = time.perf_counter()
    connection.execute("BEGIN")
    connection.executemany(*companies)
    connection.executemany(*leads)
    connection.execute("COMMIT")
    write = time.perf_counter() - started
    connection.close()
    del cells
    return read, write


# --------------------------------------------------------------------------
# PostgreSQL: a clone of the cached database
# --------------------------------------------------------------------------

POSTGRES_CLONE = "crmctl_bench_import"


def postgres_clone(server, template):
    """CREATE DATABASE … TEMPLATE of the cached one; None (and why, on stderr) when it cannot be made."""
    import psycopg2

    admin = psycopg2.connect(f"{server}/postgres")
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{POSTGRES_CLONE}"')
            for attempt in range(30):
                try:
                    cursor.execute(f'CREATE DATABASE "{POSTGRES_CLONE}" TEMPLATE "{template}"')
                    return f"{server}/{POSTGRES_CLONE}"
                except psycopg2.errors.ObjectInUse:  # another bench is reading the template: wait for it
                    time.sleep(2)
        print(f"PostgreSQL skipped: {template} stayed in use by other sessions", file=sys.stderr)
        return None
    finally:
        admin.close()


def postgres_drop(server):
    import psycopg2

    admin = psycopg2.connect(f"{server}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{POSTGRES_CLONE}"')
    admin.close()


def postgres_max_company(url):
    import psycopg2

    connection = psycopg2.connect(url)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM company")
        value = cursor.fetchone()[0]
    connection.close()
    return value


# --------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------


def fill_leads(path, count):
    """One lead per company (the first `count` companies) and one e-mail each, with raw SQL; seconds taken."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    rng = random.Random(5)
    now = "2026-06-01 09:00:00"
    started = time.perf_counter()
    connection.execute("BEGIN")
    first_lead = connection.execute("SELECT COALESCE(MAX(id), 0) FROM lead").fetchone()[0] + 1
    leads, contacts = [], []
    for offset in range(count):
        lead_id, company_id = first_lead + offset, offset + 1
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        handle = f"{slug(first)}.{slug(last)}.{lead_id}"
        leads.append((lead_id, company_id, f"{first} {last}", rng.choice(POSITIONS),
                      f"https://www.linkedin.com/in/{handle}", rng.randrange(100, 3000), "Sent Request", 0, now, now))
        contacts.append((lead_id, "email", f"{handle}@example.com", f"{handle}@example.com"))
        if len(leads) == 50_000:
            flush_leads(connection, leads, contacts)
            leads, contacts = [], []
    flush_leads(connection, leads, contacts)
    connection.execute("COMMIT")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return time.perf_counter() - started


def flush_leads(connection, leads, contacts):
    connection.executemany("INSERT INTO lead (id, company_id, full_name, position, linkedin_url, connections, status, "
                           "score, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", leads)
    connection.executemany("INSERT INTO contact (lead_id, source, value, match_key) VALUES (?, ?, ?, ?)", contacts)


def export_figures(stored_path, count, upgrade):
    copy = company_data.copy_sqlite(stored_path, "export")
    figures = []
    try:
        if upgrade:
            upgraded(f"sqlite:///{copy}")
        filled = fill_leads(copy, count)
        print(f"export: {count:,} leads inserted with raw SQL in {filled:.1f} s", file=sys.stderr)
        url = f"sqlite:///{copy}"
        for extension in ("csv", "xlsx"):
            out = os.path.join(company_data.DATA, f"export_bench.{extension}")
            part, part_peak, _, _, _ = run_crmctl("--db", url, "export", out, "--where", "country=DE")
            elapsed, peak, _, status, stderr = run_crmctl("--db", url, "export", out)
            if status != 0:
                raise SystemExit(f"crmctl export exited {status}: {stderr.strip()[-300:]}")
            size = os.path.getsize(out) / 1e6
            os.remove(out)
            print(f"export .{extension}: {count:,} leads in {elapsed:.1f} s ({size:,.0f} MB), peak {peak:.0f} MB; "
                  f"country DE only: {part:.1f} s, peak {part_peak:.0f} MB", file=sys.stderr)
            figures.append((f"export {count:,} leads to .{extension} (whole process)", f"{count / elapsed:,.0f} rows/s",
                            f"{elapsed:.1f} s", "", "", None))
            figures.append((f"export .{extension} peak memory, all / country DE (a fifth)", f"{peak:.0f} MB",
                            f"{part_peak:.0f} MB", f"{peak / part_peak:.2f}x", "flat (about 1x)",
                            peak <= part_peak * 1.25))
    finally:
        company_data.remove_sqlite(copy)
    return figures


# --------------------------------------------------------------------------


def profile_import(url, path):
    """`import run` in-process under cProfile: the top functions by their own and cumulative time, on stderr."""
    import cProfile
    import pstats

    from click.testing import CliRunner

    from crmctl.cli import cli

    profiler = cProfile.Profile()
    profiler.enable()
    result = CliRunner().invoke(cli, ["--db", url, "import", "run", path, "--format", "json"])
    profiler.disable()
    print(f"profiled import: exit {result.exit_code}", file=sys.stderr)
    stats = pstats.Stats(profiler, stream=sys.stderr)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="6,000 rows into 100,000 companies; 100,000 exported")
    parser.add_argument("--no-postgres", action="store_true", help="leave PostgreSQL out")
    parser.add_argument("--no-export", action="store_true", help="leave the export figures out")
    parser.add_argument("--profile", action="store_true", help="cProfile `import run` in-process too")
    parser.add_argument("--misses", action="store_true", help="print the variant rows not attached")
    options = parser.parse_args()
    stored_count, file_companies, export_count = sizes(options.quick)

    def stored_records():
        return company_data.stored_companies(stored_count)

    stored_path, upgrade = stored_database(stored_count, stored_records)
    stored = list(company_data.stored_companies(min(stored_count, 50_000)))
    new = company_data.new_companies(stored_count, NEW_COMPANIES)
    rows, truths = file_rows(file_companies, stored, new)
    xls_path = os.path.join(company_data.DATA, f"import_bench_{len(rows)}.xls")
    started = time.perf_counter()
    write_xls(xls_path, rows)
    variants = sum(1 for _truth, is_variant in truths if is_variant)
    print(f"file: {len(rows):,} rows, {file_companies:,} companies, {variants:,} variant rows, "
          f"{os.path.getsize(xls_path) / 1e6:.1f} MB, written in {time.perf_counter() - started:.1f} s",
          file=sys.stderr)

    figures = []
    crm_copy = company_data.copy_sqlite(stored_path, "import")
    floor_copy = company_data.copy_sqlite(stored_path, "import_floor")
    try:
        if upgrade:
            upgraded(f"sqlite:///{crm_copy}")
            upgraded(f"sqlite:///{floor_copy}")
        stored_max = max_id(crm_copy, "company")
        lead_max = max_id(crm_copy, "lead")
        elapsed, peak, summary = import_run(f"sqlite:///{crm_copy}", xls_path)
        print(f"crmctl import run (SQLite): {elapsed:.1f} s, peak {peak:.0f} MB, {json.dumps(summary)}",
              file=sys.stderr)
        landed = landed_sqlite(crm_copy, summary["batch"])
        attached, wrong, n_variants, n_attached, n_wrong, n_distinct, left_out = fold_figures(
            landed, truths, stored_max)
        print(f"folding: {n_attached:,} of {n_variants:,} variant rows attached, {left_out:,} left out (variants "
              f"of file companies the import refused), {n_wrong:,} of {n_distinct:,} companies wrongly merged",
              file=sys.stderr)
        if options.misses:
            print_misses(landed, truths, rows)
        companies = stored_rows_after(crm_copy, "company", stored_max)
        leads = stored_rows_after(crm_copy, "lead", lead_max)
        read, write = floor_seconds(xls_path, floor_copy, companies, leads)
        floor = read + write
        print(f"floor: xlrd read {read:.2f} s + executemany of {len(companies[1]):,} companies and "
              f"{len(leads[1]):,} leads {write:.2f} s", file=sys.stderr)
        if options.profile:
            profile_copy = company_data.copy_sqlite(stored_path, "import_profile")
            try:
                if upgrade:
                    upgraded(f"sqlite:///{profile_copy}")
                profile_import(f"sqlite:///{profile_copy}", xls_path)
            finally:
                company_data.remove_sqlite(profile_copy)
    finally:
        company_data.remove_sqlite(crm_copy)
        company_data.remove_sqlite(floor_copy)
    ratio = elapsed / floor
    figures.append((f"import {len(rows):,}-row .xls into {stored_count:,} companies (SQLite, whole process)",
                    f"{elapsed:.1f} s", f"{floor:.2f} s", f"{ratio:.1f}x", f"<= {RATIO_TARGET:g}x floor",
                    ratio <= RATIO_TARGET))
    figures.append(("import peak memory (SQLite)", f"{peak:.0f} MB", "", "", f"< {MEMORY_TARGET_MB} MB",
                    peak < MEMORY_TARGET_MB))
    figures.append((f"variant rows attached to their company ({n_attached:,} of {n_variants:,})",
                    f"{100 * attached:.2f} %", "", "", f">= {100 * ATTACHED_TARGET:g} %", attached >= ATTACHED_TARGET))
    figures.append((f"distinct companies wrongly merged ({n_wrong:,} of {n_distinct:,})", f"{100 * wrong:.2f} %",
                    "", "", f"< {100 * WRONG_MERGE_TARGET:g} %", wrong < WRONG_MERGE_TARGET))
    figures.append(("summary (SQLite)", " ".join(f"{k} {v:,}" for k, v in summary.items() if k != "batch"),
                    "", "", "", None))

    if options.quick and not options.no_postgres:
        print("PostgreSQL left out in --quick: the cached crmctl_bench database holds 1,000,000 companies",
              file=sys.stderr)
    elif not options.no_postgres:
        template = postgres_template(stored_count, stored_records)
        clone = template and postgres_clone(company_data.POSTGRES_SERVER, template)
        if clone:
            try:
                upgraded(clone)
                pg_stored_max = postgres_max_company(clone)
                pg_elapsed, pg_peak, pg_summary = import_run(clone, xls_path)
                print(f"crmctl import run (PostgreSQL): {pg_elapsed:.1f} s, peak {pg_peak:.0f} MB, "
                      f"{json.dumps(pg_summary)}", file=sys.stderr)
                pg_attached, pg_wrong, *_ = fold_figures(landed_postgres(clone, pg_summary["batch"]), truths,
                                                         pg_stored_max)
            finally:
                postgres_drop(company_data.POSTGRES_SERVER)
            figures.append((f"import {len(rows):,}-row .xls into {stored_count:,} companies (PostgreSQL)",
                            f"{pg_elapsed:.1f} s", f"{floor:.2f} s", f"{pg_elapsed / floor:.1f}x",
                            "beside SQLite", None))
            figures.append(("import peak memory (PostgreSQL)", f"{pg_peak:.0f} MB", "", "", f"< {MEMORY_TARGET_MB} MB",
                            pg_peak < MEMORY_TARGET_MB))
            figures.append(("variant rows attached / wrongly merged (PostgreSQL)",
                            f"{100 * pg_attached:.2f} % / {100 * pg_wrong:.2f} %", "", "", "", None))

    if not options.no_export:
        figures += export_figures(stored_path, export_count, upgrade)
    os.remove(xls_path)
    from tabulate import tabulate

    print("\nload average %.2f %.2f %.2f" % os.getloadavg() + f" on {os.cpu_count()} cores")
    met = {True: "yes", False: "NO", None: ""}
    print(tabulate([(*row[:5], met[row[5]]) for row in figures],
                   headers=["figure", "measured", "floor", "ratio", "target", "met"]))
    return 0 if all(row[5] is not False for row in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
