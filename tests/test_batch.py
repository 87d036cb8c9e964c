"""The one batched write path (issue 7): what a bulk-loading script gets from `add_companies` and `add_leads`.

Scripts and the importer hand the core many rows at once; every row comes back
with its own outcome, refused rows write nothing, the rest are written with
their history, and the number of statements does not grow with the rows.
"""
import logging
import random

import pytest

from crmctl.dedup import candidates
from crmctl.dedup.candidates import LIGHT_READ_MIN
from crmctl.errors import BadInput, DuplicateFound, Refused
from crmctl.records.aliases import add_alias
from crmctl.records.companies import add_companies, check_companies
from crmctl.records.leads import add_leads
from crmctl.rules.permissions import Actor
from crmctl.rules.settings import load_settings
from crmctl.storage.connection import connect_database
from crmctl.storage.models import Company, CompanyBlockingKey, Contact, History, Lead
from crmctl.storage.schema import ensure_current_schema

NOBODY = Actor(single_user=True)


@pytest.fixture
def database(db_url):
    connection = connect_database(db_url)
    ensure_current_schema(connection)
    yield connection
    connection.close()


def company_row(number, **changes):
    row = {"name": f"Batch Company {number} Sp. z o.o.", "website": f"https://batch-{number}.pl",
           "linkedin_url": f"https://www.linkedin.com/company/batch-{number}", "employee_count": 10 + number,
           "industry": "Logistics", "country": "PL"}
    row.update(changes)
    return row


def test_every_row_gets_its_own_outcome_in_order(database):
    rows = [company_row(1), company_row(2, website=None), company_row(3), company_row(4, country="Atlantis")]
    outcomes = add_companies(NOBODY, rows)
    assert [o.action for o in outcomes] == ["create", "rejected", "create", "rejected"]
    assert isinstance(outcomes[1].error, BadInput) and "website" in outcomes[1].error.message
    assert isinstance(outcomes[3].error, BadInput) and "country" in outcomes[3].error.message
    created = [o.record_id for o in outcomes if o.action == "create"]
    assert created == sorted(created)
    stored = {c.id: c.name for c in Company.select()}
    assert stored == {created[0]: rows[0]["name"], created[1]: rows[2]["name"]}


def test_refused_rows_write_nothing_and_created_rows_have_history_and_keys(database):
    add_companies(NOBODY, [company_row(1)])
    outcomes = add_companies(NOBODY, [company_row(1, name="Other Name"), company_row(2)])
    assert outcomes[0].action == "refused" and isinstance(outcomes[0].error, DuplicateFound)
    assert "website" in outcomes[0].error.message
    assert Company.select().count() == 2
    new_id = outcomes[1].record_id
    assert History.select().where((History.entity == f"C{new_id}") & (History.action == "create")).count() == 1
    assert CompanyBlockingKey.select().where(CompanyBlockingKey.company == new_id).count() > 0


def test_the_same_company_twice_in_one_batch_is_stored_once(database):
    outcomes = add_companies(NOBODY, [company_row(1), company_row(1, name="Batch Company 1")])
    assert outcomes[0].action == "create"
    assert outcomes[1].action == "refused"
    assert "row 1" in outcomes[1].error.message
    assert Company.select().count() == 1


def test_a_likely_duplicate_inside_the_batch_is_refused_unless_forced(database):
    twin = company_row(2, name="Batch Company 1 S.A.")  # same name, other website and LinkedIn page
    refused = add_companies(NOBODY, [company_row(1), twin])
    assert [o.action for o in refused] == ["create", "refused"]
    assert "likely duplicate" in refused[1].error.message
    forced = add_companies(NOBODY, [company_row(3, name="Batch Company 1 GmbH")], force=True)
    assert forced[0].action == "forced"
    assert History.select().where((History.entity == f"C{forced[0].record_id}")
                                  & (History.action == "force")).count() == 1


def statements_for(rows_count, first_number, database):
    """How many SQL statements adding `rows_count` new companies issues."""
    outcomes, issued = counted_statements(
        lambda: add_companies(NOBODY, [company_row(n) for n in range(first_number, first_number + rows_count)]))
    assert all(o.action == "create" for o in outcomes)
    return issued


def test_a_batch_never_runs_one_statement_per_row(database):
    one = statements_for(1, 1000, database)
    many = statements_for(150, 2000, database)
    assert one <= 10, one
    assert many <= 150 / 3, many


def lead_row(company_id, number, **changes):
    row = {"company": f"C{company_id}", "full_name": f"Person {number}", "position": "CTO",
           "emails": [f"person{number}@batch.pl"]}
    row.update(changes)
    return row


def test_leads_in_a_batch_respect_the_five_lead_limit_and_each_other(database):
    (company,) = add_companies(NOBODY, [company_row(1)])
    rows = [lead_row(company.record_id, n) for n in range(6)]
    rows.insert(2, lead_row(company.record_id, 0, full_name="Person Zero Again"))  # the same email as row 1
    outcomes = add_leads(NOBODY, rows)
    actions = [o.action for o in outcomes]
    assert actions == ["create", "create", "refused", "create", "create", "create", "refused"]
    assert "row 1" in outcomes[2].error.message
    assert isinstance(outcomes[6].error, Refused) and "already has 5 leads" in outcomes[6].error.message
    assert Lead.select().count() == 5
    assert Contact.select().where(Contact.source == "email").count() == 5


def test_a_lead_of_a_missing_company_is_rejected_alone(database):
    (company,) = add_companies(NOBODY, [company_row(1)])
    outcomes = add_leads(NOBODY, [lead_row(999, 1), lead_row(company.record_id, 2)])
    assert outcomes[0].action == "rejected" and "C999 not found" in outcomes[0].error.message
    assert outcomes[1].action == "create"
    assert [lead.full_name for lead in Lead.select()] == ["Person 2"]


def test_on_duplicate_skip_attaches_exact_duplicates_and_still_refuses_likely_ones(database):
    (stored,) = add_companies(NOBODY, [company_row(1)])
    rows = [company_row(1, name="Renamed"), company_row(2), company_row(2, name="Again"),
            company_row(3, name="Batch Company 1 AG")]
    outcomes = add_companies(NOBODY, rows, on_duplicate="skip")
    assert [o.action for o in outcomes] == ["skip", "create", "skip", "refused"]
    assert outcomes[0].record_id == stored.record_id
    assert outcomes[2].record_id == outcomes[1].record_id
    assert "likely duplicate" in outcomes[3].error.message
    assert Company.select().count() == 2


def counted_statements(work):
    """How many SQL statements `work()` issues (Peewee logs each one)."""
    issued = []
    handler = logging.Handler()
    handler.emit = lambda record: issued.append(record)
    logger = logging.getLogger("peewee")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        result = work()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    return result, len(issued)


def test_a_bulk_change_updates_many_records_in_few_statements_with_one_history_row_per_changed_field(database):
    from crmctl.records.batch import update_records

    (company,) = [o.record_id for o in add_companies(NOBODY, [company_row(7)])]
    add_leads(NOBODY, [lead_row(company, n) for n in range(5)])
    leads = list(Lead.select().order_by(Lead.id))
    leads[0].status = "Call"
    leads[0].save()
    leads = list(Lead.select().order_by(Lead.id))
    changed, statements = counted_statements(lambda: update_records(leads, NOBODY, {"status": "Call"}))
    assert sorted(changed) == [lead.id for lead in leads[1:]]
    assert statements <= 3
    assert {lead.status for lead in Lead.select()} == {"Call"}
    rows = History.select().where(History.field == "status")
    assert sorted(row.entity for row in rows) == sorted(f"L{lead.id}" for lead in leads[1:])
    assert {(row.old_value, row.new_value) for row in rows} == {("Sent Request", "Call")}


# Twelve "name spaces" of sixty companies each: the same long tail, a different six-letter first word. A
# name of one space meets all sixty through the keys that keep its tail (two-typo keys, each under its cap),
# so a chunk of rows from every space meets more companies through such keys than LIGHT_READ_MIN: the batch
# reads their name keys first, keeps what it learnt for the next chunk, and must find what a check of one
# row (which reads them whole) finds.
TAILS = ("Meridional Logistics", "Septentrional Shipping", "Occidental Warehousing", "Oriental Distribution",
         "Continental Forwarding", "Peninsular Freighters", "Equatorial Transports", "Cordilleran Carriers",
         "Archipelagic Haulage", "Transalpine Movers", "Subtropical Cargoes", "Circumpolar Couriers")


def first_word(rng):
    return "".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(3)).capitalize()


def test_a_big_batch_finds_what_each_row_checked_alone_finds(database, monkeypatch):
    rng = random.Random(8)
    stored = sorted({f"{first_word(rng)} {tail}" for tail in TAILS for _ in range(60)})
    assert len(stored) > LIGHT_READ_MIN
    outcomes = add_companies(NOBODY, [company_row(number, name=name) for number, name in enumerate(stored)],
                             force=True)
    assert all(o.action in ("create", "forced") for o in outcomes)
    aliased = outcomes[0].record_id
    add_alias(NOBODY, f"C{aliased}", "Xylofon Meridional Logistics")

    def two_typos(name):
        word, tail = name.split(" ", 1)
        return f"{word[0]}yy{word[3:]} {tail}"

    typed = [company_row(1000 + number, name=f"{first_word(rng)} {rng.choice(TAILS)}") for number in range(230)]
    typed[10]["name"] = two_typos(stored[100])
    typed[210]["name"] = two_typos(stored[500])  # the second chunk: its company's forms read by the first
    typed[220]["name"] = "Xylofen Meridonal Logistics"  # two typos from the alias only
    settings = load_settings()

    def found(outcome):
        return [(c.id, c.score, c.band) for c in outcome.candidates + outcome.possible if c.id]

    batch = check_companies(typed, settings)
    alone = [check_companies([row], settings)[0] for row in typed]
    assert [found(o) for o in batch] == [found(o) for o in alone]
    monkeypatch.setattr(candidates, "FAR_FORMS_KEPT", 700)  # the forms kept overflow in the second chunk
    assert [found(o) for o in check_companies(typed, settings)] == [found(o) for o in alone]
    stored_ids = {name: o.record_id for name, o in zip(stored, outcomes)}
    assert [c.id for c in batch[10].candidates] == [f"C{stored_ids[stored[100]]}"]
    assert [c.id for c in batch[210].candidates] == [f"C{stored_ids[stored[500]]}"]
    assert [c.id for c in batch[220].candidates] == [f"C{aliased}"]
    assert "alias" in " ".join(batch[220].candidates[0].reasons)
