"""Count, mean, median and 90th percentile of a measure, per group, in one SQL statement.

SQLite has no percentile function and MySQL/MariaDB's differ from PostgreSQL's, so the ranks are
numbered with the window function ROW_NUMBER (SQLite 3.25+, PostgreSQL, MariaDB 10.2+) and the
aggregate keeps the values at the median's and the 90th percentile's ranks: the median is the mean
of the one or two middle values, the 90th percentile the nearest-rank value (rank ⌈0.9·n⌉). Rows
whose measure is NULL (a lead not answered yet) are counted but ranked apart, so they never shift
the percentiles.
"""
from crmctl.reports.dialect import integer_division_sql, null_safe_equal_sql
from crmctl.storage.connection import database_proxy

GROUP_PREFIX = "group_"


def ranked_aggregate_sql(source, groups, sums):
    """SELECT of the figures per group (or overall, without groups) over the rows of `source`.

    ROW_NUMBER ranks the measured rows of each group; the group's count of measured rows comes from
    a GROUP BY joined to them (cheaper than a second window, COUNT(*) OVER, which buffers each group).
    """
    group_list = ", ".join(groups)
    unmeasured = "CASE WHEN measure IS NULL THEN 1 ELSE 0 END"
    partition = f"PARTITION BY {group_list + ', ' if groups else ''}{unmeasured}"
    size = "group_size"
    lower_middle = integer_division_sql(f"{size} + 1", 2)
    upper_middle = integer_division_sql(f"{size} + 2", 2)
    ninetieth = f"({size} - {integer_division_sql(size, 10)})"
    summed = "".join(f", SUM({expression}) AS {name}" for name, expression in dict(sums).items())
    sizes = (f"SELECT {''.join(f'{name} AS size_{name}, ' for name in groups)}COUNT(measure) AS {size} "
             f"FROM {source} sized_rows" + (f" GROUP BY {group_list}" if groups else ""))
    joined = " AND ".join(null_safe_equal_sql(f"ranked.{name}", f"sizes.size_{name}") for name in groups) or "1 = 1"
    return (
        f"SELECT {''.join(f'ranked.{name}, ' for name in groups)}COUNT(*) AS total, COUNT(measure) AS measured, "
        f"AVG(measure) AS mean, "
        f"AVG(CASE WHEN measure IS NOT NULL AND rank_in_group IN ({lower_middle}, {upper_middle}) "
        f"THEN measure END) AS median, "
        f"MAX(CASE WHEN measure IS NOT NULL AND rank_in_group = {ninetieth} THEN measure END) AS p90"
        f"{summed} "
        f"FROM (SELECT measured_rows.*, ROW_NUMBER() OVER ({partition} ORDER BY measure) AS rank_in_group "
        f"FROM {source} measured_rows) ranked JOIN ({sizes}) sizes ON {joined}"
        + (f" GROUP BY {', '.join(f'ranked.{name}' for name in groups)}" if groups else "")
    )


def distributions(measured, groups=(), sums=(), with_total=False):
    """Per group: total rows, measured rows, mean, median and p90 of `measure`, and sums.

    `measured` is a Peewee query selecting the group columns (aliased `group_…`), a column aliased
    `measure` (NULL when there is nothing to measure) and what `sums` reads: {name: SQL expression
    over the selected columns}, each summed per group. With `with_total`, the figures over every
    row come too, under the key (), from the same rows (a WITH clause both aggregates read).
    Returns {group values tuple: {"total", "measured", "mean", "median", "p90", *sums}}.
    """
    inner_sql, parameters = measured.sql()
    if with_total and groups:
        # Any value of the group columns, typed as they are (a bare NULL is text to PostgreSQL's UNION).
        blanks = ", ".join(f"MAX({name}) AS {name}" for name in groups)
        per_group = ranked_aggregate_sql("measured_source", groups, sums)
        overall = ranked_aggregate_sql("measured_source", (), sums).replace("SELECT ", f"SELECT {blanks}, ", 1)
        sql = (f"WITH measured_source AS ({inner_sql}) SELECT 0 AS is_total, per_group.* FROM ({per_group}) per_group "
               f"UNION ALL SELECT 1 AS is_total, overall.* FROM ({overall}) overall")
    else:
        sql = f"WITH measured_source AS ({inner_sql}) {ranked_aggregate_sql('measured_source', groups, sums)}"
    cursor = database_proxy.obj.execute_sql(sql, parameters)
    names = [column[0] for column in cursor.description]
    found = {}
    for row in cursor.fetchall():
        values = dict(zip(names, row))
        key = tuple(values.pop(name) for name in groups)
        if values.pop("is_total", 0):
            key = ()
        if not values["total"]:
            continue
        found[key] = {name: number(value) for name, value in values.items()}
    return found


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
