"""The few SQL expressions that differ between SQLite, PostgreSQL and MySQL/MariaDB.

Reports aggregate dates and durations, and `review run` writes its review
tasks by one INSERT ... SELECT; each backend spells "the date of", "seconds
between", "a date some days later", remainders and joined texts its own way.
Everything else is portable SQL.
"""
import peewee
from peewee import SQL, NodeList, fn

from crmctl.storage.connection import database_proxy


def backend():
    database = database_proxy.obj
    if isinstance(database, peewee.PostgresqlDatabase):
        return "postgresql"
    if isinstance(database, peewee.MySQLDatabase):
        return "mysql"
    return "sqlite"


def prepare_for_reports():
    """Session settings for aggregate queries over a whole database.

    PostgreSQL: the JIT compiler off. The reports' estimated costs (correlated sub-queries over a
    million leads) cross its threshold, and compiling then takes seconds longer than the query runs.
    (SQLite memory-maps the file on every connection: crmctl.storage.connection.)
    """
    name = backend()
    if name == "postgresql":
        database_proxy.obj.execute_sql("SET jit = off")


def unindexed(column):
    """The column in a form SQLite's planner uses no index for (unary +), elsewhere the column itself.

    For a filter that is true of nearly every row (`archived_at IS NULL`): SQLite's statistics count
    the few distinct archive times, judge the filter selective and walk an index for it instead of
    the index that serves the query's order.
    """
    return NodeList((SQL("+"), column), glue="") if backend() == "sqlite" else column


def day_of(column):
    """The UTC date of a stored datetime (a date, or ISO text on SQLite; `day_text` reads both)."""
    return fn.DATE(column)


def day_text(value):
    """A day as an ISO string, whatever type the driver returned it as."""
    if value is None:
        return None
    return (value.isoformat() if hasattr(value, "isoformat") else str(value))[:10]


def seconds_between(later, earlier):
    """Seconds from `earlier` to `later` (columns, expressions or parameters), as a number."""
    name = backend()
    if name == "postgresql":
        # date_part gives a double; EXTRACT a NUMERIC, much slower to divide and average.
        return fn.date_part("epoch", NodeList((later, SQL("-"), earlier)))
    if name == "mysql":
        return fn.TIMESTAMPDIFF(SQL("SECOND"), earlier, later)
    return (fn.julianday(later) - fn.julianday(earlier)) * 86400.0


def timestamp_parameter(moment):
    """A datetime as a parameter that `seconds_between` can read on every backend."""
    if backend() == "postgresql":
        return peewee.Cast(peewee.Value(moment), "timestamp")
    return peewee.Value(moment.strftime("%Y-%m-%d %H:%M:%S"))


def joined_text(*parts):
    """Texts and numbers joined into one text (`||`; MySQL reads `||` as OR, so CONCAT there)."""
    parts = [part if isinstance(part, peewee.Node) else peewee.Value(part) for part in parts]
    if backend() == "mysql":
        return fn.CONCAT(*parts)
    return NodeList(parts, glue=" || ", parens=True)


def remainder(number, divisor):
    """`number` mod `divisor`, both integers (peewee's `%` is LIKE; SQLite has no MOD without its math functions)."""
    if backend() == "sqlite":
        return NodeList((number, SQL("%"), divisor), parens=True)
    return fn.MOD(number, divisor)


def date_text_after(column, days):
    """The ISO date (text, YYYY-MM-DD) `days` days after the date of a stored datetime."""
    days = int(days)
    name = backend()
    if name == "postgresql":
        return fn.to_char(NodeList((peewee.Cast(column, "date"), SQL(f"+ {days}"))), "YYYY-MM-DD")
    if name == "mysql":
        return fn.DATE_FORMAT(fn.DATE_ADD(column, SQL(f"INTERVAL {days} DAY")), "%Y-%m-%d")
    # The date first: SQLite rounds a time to the millisecond before adding days, so 23:59:59.9995 would
    # count from the next day.
    return fn.date(fn.date(column), f"{days:+d} days")


def days_since(column, day):
    """Whole days from the date of a stored datetime to `day` (a date), as an integer."""
    name = backend()
    if name == "postgresql":
        return NodeList((peewee.Cast(peewee.Value(day), "date"), SQL("-"), peewee.Cast(column, "date")), parens=True)
    if name == "mysql":
        return fn.DATEDIFF(day, column)
    return peewee.Cast(fn.julianday(day.isoformat()) - fn.julianday(fn.date(column)), "INTEGER")


def stamp_text(column):
    """A stored datetime as compact ISO text to the second (20260302T101500), as `strftime('%Y%m%dT%H%M%S')`."""
    name = backend()
    if name == "postgresql":
        return fn.to_char(column, 'YYYYMMDD"T"HH24MISS')
    if name == "mysql":
        return fn.DATE_FORMAT(column, "%Y%m%dT%H%i%s")
    return fn.strftime("%Y%m%dT%H%M%S", column)


def computed_once(subquery):
    """The subquery kept whole, so each column it computes is worked out once per row however often
    the query around it uses the column (OFFSET 0: SQLite and PostgreSQL then leave it unmerged).

    SQLite and PostgreSQL otherwise fold a subquery into the query around it and copy its expressions
    to every place that names them: the review task's due date, in its text and its key, was two date
    computations a company. MySQL/MariaDB would materialise a subquery so fenced: there it is left as
    it is.
    """
    return subquery if backend() == "mysql" else subquery.offset(0)


def reading_without_row_locks():
    """MySQL/MariaDB: this session's transactions read committed rows without locking them (READ COMMITTED).

    Under InnoDB's default REPEATABLE READ an INSERT ... SELECT takes a shared
    lock on every row it reads and holds it to the commit: `review run`'s
    would keep every company from being edited while it writes. PostgreSQL
    and SQLite take no locks on what they read. A server that writes its
    binary log by statement cannot log such an INSERT under READ COMMITTED;
    there the default stays (its rows locked while the job writes).
    """
    if backend() != "mysql":
        return
    database = database_proxy.obj
    log_bin, binlog_format = database.execute_sql("SELECT @@log_bin, @@binlog_format").fetchone()
    if int(log_bin or 0) and str(binlog_format).upper() == "STATEMENT":
        return
    database.execute_sql("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
