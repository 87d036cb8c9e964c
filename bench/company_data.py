"""Realistic generated companies for the benchmarks, and the cached databases that hold them.

Names are built the way real company names are: a family name with a trade
("Kowalski Logistics"), two family names ("Weber & Schmidt"), a place or an
adjective with a trade and a generic word ("Nordic Steel Group"), an invented
brand ("Zentrava Systems"); each with the legal form usual in its country.
Variants of a name (`variant`) are what people really type for a company that
is already there: another legal form, "&" for "and", punctuation and case, a
dropped accent, a leading "The", one typo, or the name written as a web address.

The databases (`sqlite_database`, `postgres_database`) are created by crmctl's
own migrations and filled with raw inserts of the companies, their blocking
keys and one History row each, as crmctl would store them.
"""
import functools
import hashlib
import itertools
import json
import fcntl
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import unicodedata

# What `add_companies` takes: the fields a user types for a company.
ROW_FIELDS = ("name", "website", "linkedin_url", "employee_count", "industry", "subindustry", "country", "city")

SURNAMES = """Kowalski Nowak Wiśniewski Wójcik Kamiński Lewandowski Zieliński Szymański Woźniak Dąbrowski
Kozłowski Jankowski Mazur Krawczyk Piotrowski Grabowski Pawłowski Michalski Król Wieczorek Jabłoński
Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch Bauer Richter
Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange Schmitt Werner
Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Martin Jackson
Thompson White Harris Clark Lewis Robinson Walker Young Allen King Wright Scott Green Baker Adams
Nelson Hill Campbell Mitchell Roberts Carter Phillips Evans Turner Parker Collins Edwards Stewart
Morris Murphy Cook Rogers Morgan Cooper Peterson Reed Bailey Bell Kelly Howard Ward Cox Richardson
Dubois Lefèvre Moreau Laurent Simon Michel Garnier Faure Rousseau Blanc Guérin Boyer Chevalier
García Fernández González Rodríguez López Martínez Sánchez Pérez Gómez Díaz Hernández Álvarez Romero
Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti Costa
Jansen Visser Smit Bakker Mulder Bos Vos Dekker Brouwer Dijkstra Novák Svoboda Dvořák Černý Procházka
Horváth Tóth Szabó Nagy Kovács Varga Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson
Hansen Jensen Nielsen Pedersen Kristensen Virtanen Korhonen Nieminen Mäkinen Hämäläinen""".split()

PLACES = """Nordic Baltic Alpine Atlantic Pacific Northern Southern Eastern Western Central Coastal Highland
Silesian Pomeranian Bavarian Saxon Rhine Danube Vistula Oder Elbe Thames Hudson Sierra Cascade Summit
Metro Urban Capital Harbor Bridge Valley River Lake Forest Meadow Granite Iron Silver Golden Crystal
Blue Green Red Black White Bright Clear Prime First Royal Imperial United Allied Global Euro Trans
Warsaw Krakow Gdansk Poznan Wroclaw Lodz Berlin Hamburg Munich Cologne Vienna Prague Budapest Paris Lyon
Madrid Barcelona Milan Turin Amsterdam Rotterdam Brussels London Manchester Boston Chicago Denver Austin
Oslo Stockholm Copenhagen Helsinki Dublin Lisbon Porto Zurich Geneva""".split()

TRADES = """Logistics Transport Freight Shipping Steel Metals Plastics Chemicals Pharma Biotech Medical
Dental Health Care Foods Bakery Dairy Brewery Beverages Farms Agro Energy Solar Wind Power Electric
Electronics Robotics Automation Machines Tools Engineering Construction Builders Concrete Timber Wood
Furniture Textiles Fashion Apparel Printing Packaging Paper Media Studio Design Software Systems Data
Analytics Cloud Networks Telecom Security Consulting Advisory Partners Finance Capital Insurance
Leasing Realty Properties Estates Hotels Travel Tours Motors Auto Parts Aviation Marine Mining Oil Gas
Water Recycling Labs Research Instruments Optics Sensors Devices Semiconductors Games Education Academy
Training Recruitment Staffing Legal Accounting Marketing Advertising Events Catering Cleaning Facility
Services Solutions Technologies Industries Supplies Trading Imports Exports Distribution Wholesale Retail""".split()

GENERIC = ["Group", "Holding", "Holdings", "International", "Global", "Enterprises", "Company"]

SYLLABLES = """zen tra va lor mex ion cor vik sol tek nova ter dyn ax ara bel cal dor fen gal hel ix jor kas lum
mar nix orb pax quin rad sen tor ult ven wex xan yor zor bri cla dre fro gre pla sta tri vol""".split()

LEGAL_FORMS = {
    "PL": ["Sp. z o.o.", "S.A.", "sp.j.", "Sp. z o.o. sp.k.", ""],
    "DE": ["GmbH", "AG", "GmbH & Co. KG", "KG", "e.K.", ""],
    "US": ["Inc.", "LLC", "Corp.", "Corporation", "Co.", ""],
    "GB": ["Ltd", "Limited", "PLC", "LLP", ""],
    "FR": ["SAS", "SARL", "S.A.", ""],
    "ES": ["S.L.", "S.A.", ""],
    "IT": ["S.r.l.", "S.p.A.", ""],
    "NL": ["B.V.", "N.V.", ""],
    "CZ": ["s.r.o.", "a.s.", ""],
    "SE": ["AB", ""],
}
COUNTRIES = list(LEGAL_FORMS)
COUNTRY_WEIGHTS = [30, 20, 20, 10, 5, 4, 4, 3, 2, 2]
INDUSTRIES = {
    "Logistics": ["Road freight", "Warehousing", "Courier", "Freight forwarding"],
    "Manufacturing": ["Metalwork", "Plastics", "Machinery", "Electronics", "Food processing"],
    "IT": ["Software", "IT services", "Cloud", "Cybersecurity", "Data"],
    "Healthcare": ["Clinics", "Medical devices", "Pharma", "Dental"],
    "Retail": ["E-commerce", "Groceries", "Fashion", "Electronics retail"],
    "Finance": ["Banking", "Insurance", "Leasing", "Accounting"],
    "Construction": ["Residential", "Infrastructure", "Installations", "Architecture"],
    "Energy": ["Solar", "Wind", "Utilities", "Oil and gas"],
}
CITIES = {
    "PL": ["Warszawa", "Kraków", "Łódź", "Wrocław", "Poznań", "Gdańsk", "Szczecin", "Lublin", "Katowice"],
    "DE": ["Berlin", "Hamburg", "München", "Köln", "Frankfurt am Main", "Stuttgart", "Düsseldorf", "Leipzig"],
    "US": ["New York", "Los Angeles", "Chicago", "Houston", "Boston", "Austin", "Denver", "Seattle"],
    "GB": ["London", "Manchester", "Birmingham", "Leeds", "Glasgow", "Bristol"],
    "FR": ["Paris", "Lyon", "Marseille", "Toulouse", "Lille"],
    "ES": ["Madrid", "Barcelona", "Valencia", "Sevilla"],
    "IT": ["Milano", "Roma", "Torino", "Napoli", "Bologna"],
    "NL": ["Amsterdam", "Rotterdam", "Utrecht", "Eindhoven"],
    "CZ": ["Praha", "Brno", "Ostrava"],
    "SE": ["Stockholm", "Göteborg", "Malmö"],
}


def brand(rng):
    word = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3))))
    return word.capitalize()


def base_name(rng):
    """A company name without its legal form."""
    pattern = rng.random()
    if pattern < 0.30:
        return f"{rng.choice(SURNAMES)} {rng.choice(TRADES)}"
    if pattern < 0.40:
        return f"{rng.choice(SURNAMES)} & {rng.choice(SURNAMES)}"
    if pattern < 0.60:
        name = f"{rng.choice(PLACES)} {rng.choice(TRADES)}"
        return name + (f" {rng.choice(GENERIC)}" if rng.random() < 0.3 else "")
    if pattern < 0.80:
        return f"{brand(rng)} {rng.choice(TRADES)}"
    if pattern < 0.90:
        return f"{rng.choice(PLACES)} {rng.choice(TRADES)} {rng.choice(TRADES)}"
    return brand(rng) + (f" {rng.choice(TRADES)}" if rng.random() < 0.5 else "")


def slug(text):
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def company(rng, number, country=None):
    """(name, base, country, website, linkedin) of a new company; `number` keeps its web keys unique."""
    country = country or rng.choices(COUNTRIES, COUNTRY_WEIGHTS)[0]
    base = base_name(rng)
    form = rng.choice(LEGAL_FORMS[country])
    name = f"{base} {form}".strip()
    industry = rng.choice(list(INDUSTRIES))
    host = f"{slug(base)}-{number:x}.{country.lower() if country != 'GB' else 'co.uk'}"
    return {
        "name": name,
        "base": base,
        "country": country,
        "website": f"https://www.{host}/",
        "website_key": host,
        "linkedin_url": f"https://www.linkedin.com/company/{slug(base)}-{number:x}/",
        "linkedin_key": f"company/{slug(base)}-{number:x}",
        "employee_count": rng.choice((5, 12, 40, 80, 150, 400, 1200, 5000)),
        "industry": industry,
        "subindustry": rng.choice(INDUSTRIES[industry]) if rng.random() < 0.7 else None,
        "city": rng.choice(CITIES[country]) if rng.random() < 0.8 else None,
    }


def strip_accents(text):
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


KEYBOARD_NEIGHBOURS = dict(zip("qwertyuiopasdfghjklzxcvbnm", "wqrtyuiopoasdfghjklkzxcvbnm"))


def typo(rng, text):
    """One typo inside a word: a swapped, dropped, doubled or mistyped letter."""
    positions = [i for i, c in enumerate(text) if c.isalpha()]
    if len(positions) < 3:
        return text
    i = rng.choice(positions[1:-1])
    kind = rng.choice(("swap", "drop", "double", "neighbour"))
    if kind == "swap" and text[i + 1].isalpha() and text[i + 1] != text[i]:
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    if kind == "drop":
        return text[:i] + text[i + 1:]
    if kind == "double":
        return text[:i] + text[i] + text[i:]
    lower = text[i].lower()
    replacement = KEYBOARD_NEIGHBOURS.get(lower, "e")
    if replacement == lower:
        replacement = "a"
    return text[:i] + replacement + text[i + 1:]


def variant(rng, record):
    """How someone else types the same company: returns (name, kind of variant)."""
    base, country = record["base"], record["country"]
    kinds = ["legal form", "punctuation", "accent", "the", "typo", "url", "case"]
    if "&" in base:
        kinds.append("and")
    kind = rng.choice(kinds)
    if kind == "legal form":
        forms = [f for f in LEGAL_FORMS[country] if f"{base} {f}".strip() != record["name"]] or [""]
        name = f"{base} {rng.choice(forms)}".strip()
    elif kind == "and":
        name = base.replace(" & ", " and ")
    elif kind == "punctuation":
        name = base.replace(" ", "-", 1) if " " in base else base + "."
    elif kind == "accent":
        stripped = strip_accents(base)
        name = stripped if stripped != base else base.upper()
    elif kind == "the":
        name = "The " + base
    elif kind == "typo":
        name = typo(rng, base)
        kind = "typo"
    elif kind == "url":
        name = f"www.{slug(base).replace('-', '')}.{rng.choice(('com', 'pl', 'de', 'eu'))}"
    else:
        name = base.upper() if rng.random() < 0.5 else base.lower()
    if rng.random() < 0.5 and kind not in ("legal form", "url"):
        name = f"{name} {rng.choice(LEGAL_FORMS[country])}".strip()
    return name, kind


def row(record):
    """The row `add_companies` and `check_companies` take for a generated record."""
    return {field: record.get(field) for field in ROW_FIELDS}


def unique_companies(seed=1):
    """An endless stream of generated companies, no two of one name.

    A name is taken when crmctl's normalised name, its core or its words in
    another order were generated before ("Acme", "Acme Group", "Smith & Weber"
    for "Weber & Smith"): a database of a million companies does not hold
    every "Kowalski Logistics" fourteen times, and the companies after the
    stored ones (`new_companies`) are really new.
    """
    from crmctl.dedup.keys import compact, core_name_key, sorted_name_key
    from crmctl.rules.names import company_name_key

    rng = random.Random(seed)
    taken = set()
    number = 0
    while True:
        number += 1
        record = company(rng, number)
        key = company_name_key(record["base"])
        identity = (key, compact(core_name_key(key)), compact(sorted_name_key(key)))
        if not taken.isdisjoint(identity):
            continue
        taken.update(identity)
        yield record


def stored_companies(count):
    """The companies of the benchmark databases, in id order (the first is id 1)."""
    return itertools.islice(unique_companies(), count)


def new_companies(stored, count):
    """The `count` companies that follow the `stored` ones in the stream: new names, new web addresses.

    Cached beside the databases (generating them means generating the stored ones again).
    """
    os.makedirs(DATA, exist_ok=True)
    path = os.path.join(DATA, f"new_{stored}_{count}_{cache_key()}.json")
    if not os.path.exists(path):
        print(f"generating {count:,} companies after the first {stored:,}...", file=sys.stderr)
        records = list(itertools.islice(unique_companies(), stored, stored + count))
        with open(path + ".partial", "w") as output:
            json.dump(records, output)
        os.replace(path + ".partial", path)
    with open(path) as source:
        return json.load(source)


def with_new_web_keys(record, tag):
    """The record under other web addresses: a duplicate by name only."""
    host = f"{tag}.{record['website_key']}"
    return dict(record, website=f"https://{host}/", website_key=host,
                linkedin_url=f"{record['linkedin_url'].rstrip('/')}-{tag}/",
                linkedin_key=f"{record['linkedin_key']}-{tag}")


def probe_rows(count, rng, stored, new):
    """Companies a lead generator would add to a full database: half new (from `new`), 45 % typed
    variants of a stored name (other web addresses), 5 % new with a stored website."""
    rows = []
    new = iter(new)
    for index in range(count):
        share = index % 20
        if share < 10:
            rows.append(row(next(new)))
        elif share < 19:
            record = rng.choice(stored)
            name, _kind = variant(rng, record)
            rows.append(row(dict(with_new_web_keys(record, f"p{index}"), name=name)))
        else:
            record = rng.choice(stored)
            rows.append(row(dict(next(new), website=record["website"])))
    return rows


def batch_rows(count, rng, stored, new, stored_share=0.03, inner_share=0.03, exact_share=0.005):
    """A batch of new companies as an import brings them: about `stored_share` are typed
    variants of stored companies, `inner_share` variants of earlier rows of the same batch,
    `exact_share` carry a stored website; the rest are new (from `new`)."""
    rows, fresh = [], []
    new = iter(new)
    for index in range(count):
        draw = rng.random()
        if draw < stored_share:
            record = rng.choice(stored)
            name, _kind = variant(rng, record)
            rows.append(row(dict(with_new_web_keys(record, f"b{index}"), name=name)))
        elif draw < stored_share + inner_share and fresh:
            record = rng.choice(fresh)
            name, _kind = variant(rng, record)
            rows.append(row(dict(with_new_web_keys(record, f"b{index}"), name=name)))
        elif draw < stored_share + inner_share + exact_share:
            record = rng.choice(stored)
            rows.append(row(dict(next(new), website=record["website"])))
        else:
            record = next(new)
            fresh.append(record)
            rows.append(row(record))
    return rows


# --------------------------------------------------------------------------
# Cached databases of generated companies (bench/data/, git-ignored)
# --------------------------------------------------------------------------

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
CRMCTL = [shutil.which("crmctl")] if shutil.which("crmctl") else [sys.executable, "-m", "crmctl"]
CREATED_AT = "2026-01-01 00:00:00"
COMPANY_COLUMNS = ("id", "name", "name_key", "website", "website_key", "linkedin_url", "linkedin_key",
                   "employee_count", "industry", "subindustry", "country", "city", "relationship",
                   "active_agents", "linkedin_accounts", "created_at", "updated_at")


def schema_version():
    """The newest migration crmctl ships (the number of its newest NNNN_*.py)."""
    from crmctl.storage.schema import migrations_directory

    numbers = [int(name[:4]) for name in os.listdir(migrations_directory()) if name[:4].isdigit()]
    return max(numbers, default=0)


@functools.lru_cache(maxsize=None)
def cache_key():
    """Schema version plus a digest of what decides the stored rows, computed once per run.

    The digest is of what crmctl stores for a fixed sample of generated names
    (their name keys and blocking keys) and of this file: a change to the
    matcher that stores the same keys (a cap, a probe) keeps the cached
    databases, one that stores other keys rebuilds them.
    """
    from crmctl.rules.names import company_name_key

    keys_of = stored_keys_function()
    digest = hashlib.sha1()
    with open(os.path.abspath(__file__), "rb") as source:
        digest.update(source.read())
    for record in itertools.islice(unique_companies(seed=7), 3000):
        name_key = company_name_key(record["name"])
        digest.update(("\n" + name_key + "|" + ",".join(keys_of(name_key))).encode())
    return f"s{schema_version()}-{digest.hexdigest()[:10]}"


def stored_keys_function():
    """The function keys.py offers today for a company's stored blocking keys."""
    from crmctl.dedup import keys

    return keys.stored_keys


def migrated_database(url):
    """Create crmctl's real schema at `url` with crmctl's own migrations."""
    subprocess.run(CRMCTL + ["--db", url, "db", "upgrade"], check=True, stdout=subprocess.DEVNULL)


def stored_rows(records, first_id=1):
    """(company row, blocking-key rows, history row) per record, as crmctl would store them."""
    from crmctl.rules.names import company_name_key

    keys_of = stored_keys_function()
    for offset, record in enumerate(records):
        company_id = first_id + offset
        name_key = company_name_key(record["name"])
        company_row = (company_id, record["name"], name_key, record["website"], record["website_key"],
                       record["linkedin_url"], record["linkedin_key"], record["employee_count"],
                       record["industry"], record.get("subindustry"), record["country"], record.get("city"),
                       "prospect", "[]", "[]", CREATED_AT, CREATED_AT)
        key_rows = [(company_id, key) for key in keys_of(name_key)]
        history_row = (CREATED_AT, f"C{company_id}", "create")
        yield company_row, key_rows, history_row


def _placeholders(count, mark="?"):
    return ", ".join([mark] * count)


def fill_sqlite(path, records, chunk=50_000):
    """Raw executemany of companies, their blocking keys and 'create' history; indexes rebuilt once."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    tables = ("company", "company_blocking_key", "history")
    indexes = connection.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({_placeholders(len(tables))})", tables).fetchall()
    for name, _sql in indexes:
        connection.execute(f'DROP INDEX "{name}"')
    company_sql = (f"INSERT INTO company ({', '.join(COMPANY_COLUMNS)}) "
                   f"VALUES ({_placeholders(len(COMPANY_COLUMNS))})")
    key_sql = "INSERT INTO company_blocking_key (company_id, key) VALUES (?, ?)"
    history_sql = "INSERT INTO history (at, entity, action) VALUES (?, ?, ?)"
    companies, keys, history = [], [], []
    with connection:
        for company_row, key_rows, history_row in stored_rows(records):
            companies.append(company_row)
            keys.extend(key_rows)
            history.append(history_row)
            if len(companies) >= chunk:
                connection.executemany(company_sql, companies)
                connection.executemany(key_sql, keys)
                connection.executemany(history_sql, history)
                companies, keys, history = [], [], []
        connection.executemany(company_sql, companies)
        connection.executemany(key_sql, keys)
        connection.executemany(history_sql, history)
    with connection:
        for _name, sql in indexes:
            connection.execute(sql)
    connection.execute("ANALYZE")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


def sqlite_database(label, records_factory, count):
    """Path of a cached SQLite database of `count` generated companies, built when missing or stale."""
    os.makedirs(DATA, exist_ok=True)
    key = cache_key()
    path = os.path.join(DATA, f"{label}_{count}_{key}.db")
    if os.path.exists(path):
        return path
    with open(os.path.join(DATA, f"{label}_{count}.build-lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two benchmarks started at once: one builds, the other waits
        if os.path.exists(path):
            return path
        return _build_sqlite(path, label, records_factory, count)


def _build_sqlite(path, label, records_factory, count):
    for stale in os.listdir(DATA):  # older builds of the same database
        if (stale.startswith(f"{label}_{count}_") and not stale.startswith(os.path.basename(path))
                and not stale.endswith(".build-lock")):
            os.remove(os.path.join(DATA, stale))
    started = time.perf_counter()
    print(f"building {path} ({count:,} companies; cached for later runs)...", file=sys.stderr)
    partial = path + ".partial"
    for leftover in (partial, partial + "-wal", partial + "-shm"):
        if os.path.exists(leftover):
            os.remove(leftover)
    migrated_database(f"sqlite:///{partial}")
    fill_sqlite(partial, records_factory())
    for suffix in ("-wal", "-shm", ".schema-lock"):
        if os.path.exists(partial + suffix):
            os.remove(partial + suffix)
    os.replace(partial, path)
    print(f"built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return path


def copy_sqlite(path, label):
    """A scratch copy of a cached database that a write benchmark may change."""
    copy = os.path.join(DATA, f"scratch_{label}.db")
    for leftover in (copy, copy + "-wal", copy + "-shm", copy + ".schema-lock"):
        if os.path.exists(leftover):
            os.remove(leftover)
    shutil.copyfile(path, copy)
    return copy


def remove_sqlite(path):
    for leftover in (path, path + "-wal", path + "-shm", path + ".schema-lock"):
        if os.path.exists(leftover):
            os.remove(leftover)


# --------------------------------------------------------------------------
# The same companies on PostgreSQL
# --------------------------------------------------------------------------

POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432"
POSTGRES_DATABASE = "crmctl_bench"


def postgres_database(records_factory, count, server=POSTGRES_SERVER, name=POSTGRES_DATABASE):
    """URL of a PostgreSQL database holding the generated companies (COPY into crmctl's schema).

    The database's comment records what it holds; a different count or cache
    key drops and rebuilds it. Returns None when no server answers.
    """
    try:
        import psycopg2
    except ImportError:
        print("PostgreSQL skipped: psycopg2 is missing (pip install -e '.[bench]')", file=sys.stderr)
        return None
    try:
        admin = psycopg2.connect(f"{server}/postgres", connect_timeout=5)
    except psycopg2.OperationalError as error:
        print(f"PostgreSQL skipped: {' '.join(str(error).split())}", file=sys.stderr)
        return None
    admin.autocommit = True
    wanted = f"crmctl bench: {count} companies, {cache_key()}"
    with admin.cursor() as cursor:
        cursor.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                       (name,))
        found = cursor.fetchone()
        url = f"{server}/{name}"
        if found and found[0] == wanted:
            admin.close()
            return url
        started = time.perf_counter()
        print(f"building {url} ({count:,} companies)...", file=sys.stderr)
        if found:
            cursor.execute(f'DROP DATABASE "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    migrated_database(url)
    connection = psycopg2.connect(url)
    with connection, connection.cursor() as cursor:
        tables = ("company", "company_blocking_key", "history")
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN %s AND indexname NOT IN "
                       "(SELECT conname FROM pg_constraint)", (tables,))
        indexes = cursor.fetchall()
        for index_name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{index_name}"')
        companies, keys, history = [], [], []
        for company_row, key_rows, history_row in stored_rows(records_factory()):
            companies.append(company_row)
            keys.extend(key_rows)
            history.append(history_row)
            if len(companies) >= 50_000:
                _copy(cursor, "company", COMPANY_COLUMNS, companies)
                _copy(cursor, "company_blocking_key", ("company_id", "key"), keys)
                _copy(cursor, "history", ("at", "entity", "action"), history)
                companies, keys, history = [], [], []
        _copy(cursor, "company", COMPANY_COLUMNS, companies)
        _copy(cursor, "company_blocking_key", ("company_id", "key"), keys)
        _copy(cursor, "history", ("at", "entity", "action"), history)
        for _index_name, definition in indexes:
            cursor.execute(definition)
        for table in ("company", "history"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                           f"(SELECT COALESCE(MAX(id), 1) FROM {table}))")
    connection.autocommit = True
    with connection.cursor() as cursor:
        # What autovacuum does after a bulk load: statistics, and the visibility map that lets the
        # blocking-key look-ups run as index-only scans.
        cursor.execute("VACUUM ANALYZE")
    connection.close()
    with admin.cursor() as cursor:
        cursor.execute(f'COMMENT ON DATABASE "{name}" IS %s', (wanted,))
    admin.close()
    print(f"built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return url


def _copy(cursor, table, columns, rows):
    """COPY rows into a table (text format: tabs, newlines and backslashes escaped)."""
    import io

    def text(value):
        if value is None:
            return "\\N"
        return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")

    buffer = io.StringIO("".join("\t".join(text(v) for v in row) + "\n" for row in rows))
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)
