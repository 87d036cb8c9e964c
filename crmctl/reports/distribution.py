"""Count, mean, median and 90th percentile of a measure, per group, computed by the database.

SQLite has no percentile function and MySQL/MariaDB's differ from PostgreSQL's, so the ranks are
numbered with the window function ROW_NUMBER (SQLite 3.25+, PostgreSQL, MariaDB 10.2+) and only the
values at the median's and the 90th percentile's ranks are kept: the median is the mean of the one
or two middle values, the 90th percentile the nearest-rank value (rank ⌈0.9·n⌉). Rows whose measure
is NULL (a lead not answered yet) are counted but not ranked, so they never shift the percentiles.
"""
import uuid

from crmctl.storage.connection import database_proxy


def distributions(measured, groups=(), sums=(), with_total=False):
    """Per group: total rows, measured rows, mean, median and p90 of `measure`, and sums.

    `measured` is a Peewee query selecting the group columns (aliased `group_…`), a column aliased
    `measure` (NULL when there is nothing to measure) and what `sums` reads: {name: SQL expression
    over the selected columns}, each summed per group. With `with_total`, the figures over every
    row come too, under the key (). Returns
    {group values tuple: {"total", "measured", "mean", "median", "p90", *sums}}.

    The measured rows are computed once into a temporary table; a GROUP BY counts, averages and sums
    them; ROW_NUMBER ranks the measured values of each group, and only the rows at the ranks the
    median and the percentile need come back (a few per group).
    """
    groups = tuple(groups)
    database = database_proxy.obj
    table = f"report_measures_{uuid.uuid4().hex[:12]}"
    inner_sql, parameters = measured.sql()
    database.execute_sql(f"CREATE TEMPORARY TABLE {table} AS {inner_sql}", parameters)
    try:
        found = figures_by_group(database, table, groups, sums)
        if with_total and groups:
            found.update(figures_by_group(database, table, (), sums))
        for grouped in ((groups, (), ) if with_total and groups else (groups,)):
            add_ranked_figures(database, table, grouped, {key: figures for key, figures in found.items()
                                                          if len(key) == len(grouped)})
    finally:
        database.execute_sql(f"DROP TABLE IF EXISTS {table}")
    return {key: figures for key, figures in found.items() if figures["total"]}


def figures_by_group(database, table, groups, sums):
    summed = "".join(f", SUM({expression}) AS {name}" for name, expression in dict(sums).items())
    cursor = database.execute_sql(
        f"SELECT {''.join(f'{name}, ' for name in groups)}COUNT(*) AS total, COUNT(measure) AS measured, "
        f"AVG(measure) AS mean{summed} FROM {table}" + (f" GROUP BY {', '.join(groups)}" if groups else ""))
    names = [column[0] for column in cursor.description]
    found = {}
    for row in cursor.fetchall():
        values = dict(zip(names, row))
        key = tuple(values.pop(name) for name in groups)
        found[key] = {name: number(value) for name, value in values.items()}
        found[key].update(median=None, p90=None)
    return found


def wanted_ranks(measured):
    """The ranks (1 = smallest) of the median's one or two middle values and of the 90th percentile."""
    return (measured + 1) // 2, (measured + 2) // 2, measured - measured // 10


def add_ranked_figures(database, table, groups, found):
    """Fill in each group's median and p90 from the values at their ranks."""
    ranks = sorted({rank for figures in found.values() if figures["measured"]
                    for rank in wanted_ranks(figures["measured"])})
    if not ranks:
        return
    columns = "".join(f"{name}, " for name in groups)
    partition = f"PARTITION BY {', '.join(groups)} " if groups else ""
    cursor = database.execute_sql(
        f"SELECT {columns}rank_in_group, measure FROM (SELECT {columns}measure, ROW_NUMBER() OVER ({partition}"
        f"ORDER BY measure) AS rank_in_group FROM {table} WHERE measure IS NOT NULL) ranked "
        f"WHERE rank_in_group IN ({', '.join(str(rank) for rank in ranks)})")
    values_at = {}
    for row in cursor.fetchall():
        values_at[(tuple(row[:len(groups)]), row[len(groups)])] = number(row[len(groups) + 1])
    for key, figures in found.items():
        if figures["measured"]:
            lower, upper, ninetieth = wanted_ranks(figures["measured"])
            figures["median"] = (values_at[(key, lower)] + values_at[(key, upper)]) / 2
            figures["p90"] = values_at[(key, ninetieth)]


def number(value):
    """Decimals and floats from any driver as float, counts as int; None stays None."""
    if value is None:
        return None
    if isinstance(value, int):
        return value
    as_float = float(value)
    return int(as_float) if as_float.is_integer() and not isinstance(value, float) else as_float


def rounded(value, places=1):
    return None if value is None else round(float(value), places)


def percentage(part, whole):
    """part / whole as a percentage with one decimal; None when there is no whole."""
    return round(100.0 * part / whole, 1) if whole else None
