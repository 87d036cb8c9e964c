"""The matcher's key look-ups, which each backend writes in its own SQL (`crmctl.dedup.keyed_rows.MatcherSql`).

SQLite counts a crowded key inside the database, PostgreSQL runs a prepared
LATERAL statement and MySQL a UNION ALL of capped look-ups: the rows they give
must be the same. A crowded blocking key (more companies than its cap) names
no candidate at all, so a common word cannot make a check slow; a capped
look-up (the same name) gives at most its cap.
"""
import pytest

from crmctl.dedup.keyed_rows import KeyedRows, MatcherSql
from crmctl.storage.connection import connect_database
from crmctl.storage.models import Company, CompanyBlockingKey


@pytest.fixture
def database(crm, db_url):
    for number in range(4):
        crm.json("add", "company", "--name", f"Keyed Lookups {number} Works", "--country", "PL",
                 "--website", f"keyed{number}.example.com", "--linkedin",
                 f"https://www.linkedin.com/company/keyed-{number}", "--employees", "10", "--industry", "Software")
    database = connect_database(db_url)
    ids = [company.id for company in Company.select(Company.id).order_by(Company.id)]
    rows = [("crowded", company_id) for company_id in ids[:3]] + [("sparse", company_id) for company_id in ids[:2]]
    CompanyBlockingKey.insert_many(rows, fields=[CompanyBlockingKey.key, CompanyBlockingKey.company]).execute()
    yield database, ids
    database.close()


def keyed_rows(database, keys, cap, sparse):
    (rows,) = MatcherSql(database).capped_groups(
        [KeyedRows("company_blocking_key", "key", "company_id", keys, cap, sparse=sparse)])
    return sorted(rows)


def test_a_crowded_blocking_key_names_no_company_and_a_sparse_one_names_each(database):
    database, ids = database
    assert keyed_rows(database, ["crowded", "sparse", "missing"], 2, sparse=True) == [
        ("sparse", ids[0]), ("sparse", ids[1])]
    assert keyed_rows(database, ["crowded"], 3, sparse=True) == [("crowded", company_id) for company_id in ids[:3]]


def test_a_capped_look_up_gives_at_most_its_cap_per_key(database):
    database, ids = database
    rows = keyed_rows(database, ["crowded", "sparse"], 2, sparse=False)
    assert [key for key, _id in rows] == ["crowded", "crowded", "sparse", "sparse"]
    assert {company_id for key, company_id in rows if key == "crowded"} <= set(ids[:3])


def test_every_look_up_of_a_chunk_runs_in_one_statement_and_again_from_the_prepared_text(database):
    database, ids = database
    sql = MatcherSql(database)
    groups = [KeyedRows("company_blocking_key", "key", "company_id", ["sparse"], 5, sparse=True),
              KeyedRows("company", "name_key", "id", ["keyed lookups 1 works"], 100),
              KeyedRows("company", "website_key", "id", [], 1)]
    first = sql.capped_groups(groups)
    assert first == sql.capped_groups(groups)  # the second run reuses the statement (prepared on PostgreSQL)
    assert sorted(first[0]) == [("sparse", ids[0]), ("sparse", ids[1])]
    assert first[1] == [("keyed lookups 1 works", ids[1])]
    assert first[2] == []
