"""What `dedup scan` reads from the database, as streams: a million rows are never held by the driver at once."""
from itertools import chain

import peewee

STREAM_BATCH = 10_000


def streamed_rows(database, sql, params=()):
    """The rows of a query, fetched STREAM_BATCH at a time: a server-side cursor on PostgreSQL and MySQL.
    (Batches chained in C: a generator resumed once per row would cost a second per million rows.)"""
    return chain.from_iterable(_batches(database, sql, params))


def _batches(database, sql, params):
    if isinstance(database, peewee.PostgresqlDatabase):
        cursor = database.connection().cursor(name="crmctl_scan", withhold=True)  # WITH HOLD: no transaction needed
        cursor.execute(sql, params)
    elif isinstance(database, peewee.MySQLDatabase):
        from pymysql.cursors import SSCursor

        cursor = database.connection().cursor(SSCursor)
        cursor.execute(sql, params)
    else:
        cursor = database.execute_sql(sql, params)
    try:
        while True:
            rows = cursor.fetchmany(STREAM_BATCH)
            if not rows:
                return
            yield rows
    finally:
        cursor.close()


def _where_country(database, country):
    return ("WHERE country = " + database.param, [country]) if country else ("", [])


def companies(database, country=None):
    """(id, name_key, country, website_key) of every company, or of one country's."""
    where, params = _where_country(database, country)
    return streamed_rows(database, f"SELECT id, name_key, country, website_key FROM company {where}", params)


def companies_among(database, ids, chunk=500):
    """(id, name_key, country, website_key, linkedin_key) of the companies whose ids are given, a chunk of
    ids per query: cheaper than reading every company again when a fraction of them is asked for."""
    ids = sorted(ids)
    for start in range(0, len(ids), chunk):
        part = ids[start:start + chunk]
        yield from database.execute_sql(
            f"SELECT id, name_key, country, website_key, linkedin_key FROM company "
            f"WHERE id IN ({', '.join([database.param] * len(part))})", part).fetchall()


def key_rows(database):
    """(key, company id) of every stored blocking key, in key order (on SQLite, the order of the table itself)."""
    key = f"{database.quote[0]}key{database.quote[1]}"  # a reserved word in MySQL
    return streamed_rows(database, f"SELECT {key}, company_id FROM company_blocking_key ORDER BY {key}")


def shown_companies(database, ids, chunk=500):
    """id -> (name, country, website) of the given companies, as a person reads them."""
    shown = {}
    for start in range(0, len(ids), chunk):
        part = ids[start:start + chunk]
        placeholders = ", ".join([database.param] * len(part))
        for row in database.execute_sql(
                f"SELECT id, name, country, website FROM company WHERE id IN ({placeholders})", part).fetchall():
            shown[row[0]] = row[1:]
    return shown
