"""Compact blocking keys: a few pigeonhole keys per company instead of every one-letter deletion.

Until version 3 each company had about 18 rows in `company_blocking_key` (its
compact name forms, every one-letter deletion of each, its sorted words), 1.9 KB
a company on disk. From version 4 it stores, per name form, the form without
one of its parts for each of its parts (3 to 6 for most names) and its words in
sorted order: about 5.6 rows of 8-character digests, while a look-up probes
the shifted neighbourhood (`dedup/keys.py`, whose docstring gives the
design). The table is rebuilt in its new shape, primary key (key, company_id),
WITHOUT ROWID on SQLite, with an index on company_id for deletes and the
cascade, and filled in chunks of companies.

Keys are computed from the stored `company.name_key`, the very value that new
companies are keyed by, so no name normaliser is needed here. What is needed is
frozen below: the name forms and the key function exactly as they were at
version 4; this file imports nothing from crmctl, so changing the matcher later
never changes what this migration did. The rebuild starts by dropping the table
whatever its state, so a run interrupted on MariaDB (whose DDL is not
transactional) can simply be run again.
"""
from hashlib import blake2b

from peewee import CharField, CompositeKey, ForeignKeyField, Model, SqliteDatabase, chunked

COMPANIES_PER_CHUNK = 5000
ROWS_PER_INSERT = 500

# --------------------------------------------------------------------------
# Frozen copy of dedup/keys.py at version 4 (the stored keys only)
# --------------------------------------------------------------------------

MIN_LETTERS_FOR_TYPO_KEYS = 6
HEAD_WIDTHS = (2, 3)
MIN_LETTERS_FOR_TWO_HEAD_PARTS = 10
MAX_PART_WIDTH = 5
KEY_LENGTH = 8
_KEY_ALPHABET = bytes(b"0123456789abcdefghijklmnopqrstuv"[byte % 32] for byte in range(256))
DESCRIPTOR_WORDS = frozenset(
    """group groups holding holdings international intl global worldwide enterprises enterprise
    companies""".split()
)
URL_FORM_LEADING = frozenset({"www"})
URL_FORM_ENDINGS = frozenset("com net org io eu pl de uk fr es it nl biz info".split())


def compact(name_key):
    return "".join(token for token in name_key.split(" ") if token != "and") or name_key.replace(" ", "")


def address_name_key(name_key):
    tokens = name_key.split(" ")
    if len(tokens) > 1 and tokens[0] in URL_FORM_LEADING:
        tokens.pop(0)
    while len(tokens) > 1 and tokens[-1] in URL_FORM_ENDINGS:
        tokens.pop()
    return " ".join(tokens)


def core_name_key(name_key):
    tokens = address_name_key(name_key).split(" ")
    while len(tokens) > 1 and tokens[-1] in DESCRIPTOR_WORDS:
        tokens.pop()
    return " ".join(tokens)


def name_forms(name_key):
    forms = [compact(name_key)]
    for form in (compact(address_name_key(name_key)), compact(core_name_key(name_key))):
        if form not in forms:
            forms.append(form)
    return forms


def sorted_name_key(name_key):
    return " ".join(sorted(name_key.split(" ")))


def _parts(length):
    head = HEAD_WIDTHS if length >= MIN_LETTERS_FOR_TWO_HEAD_PARTS else HEAD_WIDTHS[:1]
    rest = length - sum(head)
    count = max(2, -(-rest // MAX_PART_WIDTH))
    width, wider = divmod(rest, count)
    layout, start = [], 0
    for size in list(head) + [width + (index < wider) for index in range(count)]:
        layout.append((start, size))
        start += size
    return tuple(layout)


def _stored_form_texts(form):
    length = len(form)
    if length < MIN_LETTERS_FOR_TYPO_KEYS:
        return {"=" + form}
    return {f"{length}.{missing}.{form[:start]}.{form[start + width:]}"
            for missing, (start, width) in enumerate(_parts(length))}


def stored_key_texts(name_key):
    found = set()
    for form in name_forms(name_key):
        found |= _stored_form_texts(form)
    if " " in name_key:
        found.add("o." + compact(sorted_name_key(name_key)))
    return found


def _digest(text):
    return blake2b(text.encode(), digest_size=KEY_LENGTH).digest().translate(_KEY_ALPHABET).decode("ascii")


def stored_keys(name_key):
    return sorted({_digest(text) for text in stored_key_texts(name_key)})


# --------------------------------------------------------------------------


def up(migrator, db):
    class Company(Model):
        name_key = CharField()

        class Meta:
            database = db
            table_name = "company"

    class CompanyBlockingKey(Model):
        key = CharField(max_length=16)
        company = ForeignKeyField(Company, on_delete="CASCADE", index=False)

        class Meta:
            database = db
            table_name = "company_blocking_key"
            primary_key = CompositeKey("key", "company")
            without_rowid = isinstance(db, SqliteDatabase)

    db.drop_tables([CompanyBlockingKey], safe=True)
    db.create_tables([CompanyBlockingKey])
    last_id = 0
    while True:
        companies = list(Company.select(Company.id, Company.name_key).where(Company.id > last_id)
                         .order_by(Company.id).limit(COMPANIES_PER_CHUNK).tuples())
        if not companies:
            break
        rows = sorted((key, company_id) for company_id, name_key in companies for key in stored_keys(name_key))
        fields = [CompanyBlockingKey.key, CompanyBlockingKey.company]
        for part in chunked(rows, ROWS_PER_INSERT):
            CompanyBlockingKey.insert_many(part, fields=fields).execute()
        last_id = companies[-1][0]
    # Built once the table is full, which is faster than keeping it up to date row by row.
    migrator.migrate(migrator.add_index("company_blocking_key", ("company_id",),
                                        name="company_blocking_key_company_id"))


def down(migrator, db):
    """Back to version 3's shape, empty: version 3's keys came from code this file does not freeze."""

    class Company(Model):
        class Meta:
            database = db
            table_name = "company"

    class CompanyBlockingKey(Model):
        company = ForeignKeyField(Company, on_delete="CASCADE")
        key = CharField(max_length=64)

        class Meta:
            database = db
            table_name = "company_blocking_key"
            indexes = ((("key", "company"), True),)

    db.drop_tables([CompanyBlockingKey], safe=True)
    db.create_tables([CompanyBlockingKey])
