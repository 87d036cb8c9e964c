"""The key look-ups of the matcher, in each backend's fastest SQL, written once per matcher.

One chunk of a batch needs, for many keys at once, the rows that hold each
key: blocking keys (skipped when crowded), names and aliases, web keys
(`KeyedRows`). `MatcherSql.capped_groups` answers all of them in one
statement on SQLite and PostgreSQL, in a few on MySQL.
"""
import json
import weakref
from dataclasses import dataclass

import peewee

# Keys per statement on MySQL, which takes a UNION ALL of one look-up per key (SQLite's limit is 500 terms).
KEYS_PER_QUERY = 499
# PostgreSQL connection -> {statement text: name of the statement prepared for it on that connection}.
_PREPARED_STATEMENTS = weakref.WeakKeyDictionary()


def chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start:start + size]


@dataclass(frozen=True)
class KeyedRows:
    """One look-up of `MatcherSql.capped_groups`: for each of `keys`, the `value` of the rows of `table`
    whose `key` column equals it, at most `cap` of them; with `sparse`, none for a key that more than
    `cap` rows hold (a crowded blocking key names too many companies to tell any apart)."""

    table: str
    key: str
    value: str
    keys: list
    cap: int
    sparse: bool = False


class MatcherSql:
    """SQL text for one database, written once per matcher and reused for every check."""

    def __init__(self, database):
        self.database = database
        self.param = database.param
        self.quote = database.quote
        self.dialect = ("postgresql" if isinstance(database, peewee.PostgresqlDatabase)
                        else "sqlite" if isinstance(database, peewee.SqliteDatabase) else "mysql")
        self._texts = {}

    def quoted(self, name):
        return f"{self.quote[0]}{name}{self.quote[1]}"

    def placeholders(self, count):
        return ", ".join([self.param] * count)

    def run(self, sql, params):
        return self.database.execute_sql(sql, params).fetchall()

    def capped_groups(self, groups):
        """For each `KeyedRows` group: its (key, value) rows, all groups in one statement (MySQL: a few
        when more than KEYS_PER_QUERY keys).

        SQLite takes each group's keys as one JSON array (`json_each`) and
        PostgreSQL as one text array (`unnest`), in a statement whose text
        depends only on which groups have keys, so it is prepared once. SQLite
        counts a crowded key up to its cap and sends back none of its rows;
        PostgreSQL reads one row past the cap through a LATERAL join (a
        count there costs more than the rows it saves) and MySQL through a
        UNION ALL of one indexed LIMIT per key; their crowded keys' rows are
        dropped here.
        """
        found = [[] for _ in groups]
        rows = self._limited_rows(groups) if self.dialect == "mysql" else self._keyed_rows(groups)
        for index, key, value in rows:
            found[index].append((key, value))
        if self.dialect != "sqlite":  # SQLite sent no row of a crowded key
            found = [_sparse_only(rows, group.cap) if group.sparse else rows for rows, group in zip(found, groups)]
        return found

    def _keyed_rows(self, groups):
        """SQLite and PostgreSQL: (group index, key, value) rows of every group with keys, one statement."""
        present = [(index, group) for index, group in enumerate(groups) if group.keys]
        if not present:
            return []
        shape = tuple((index, group.table, group.key, group.value, group.cap, group.sparse) for index, group in present)
        sql = self._texts.get(shape)
        if sql is None:
            sql = self._texts[shape] = " UNION ALL ".join(
                self._keyed_select(index, group, number) for number, (index, group) in enumerate(present, 1))
        if self.dialect == "sqlite":
            return self.run(sql, [json.dumps(list(group.keys)) for _index, group in present])
        return self.run_prepared(sql, [list(group.keys) for _index, group in present])

    def _limited_rows(self, groups):
        """MySQL: (group index, key, value) rows, a UNION ALL of one capped look-up per key, KEYS_PER_QUERY keys
        to a statement."""
        terms = [(index, key) for index, group in enumerate(groups) for key in group.keys]
        rows = []
        for part in chunks(terms, KEYS_PER_QUERY):
            shape = (tuple((g.table, g.key, g.value, g.cap, g.sparse) for g in groups),
                     tuple(index for index, _key in part))
            sql = self._texts.get(shape)
            if sql is None:
                sql = self._texts[shape] = " UNION ALL ".join(
                    f"SELECT * FROM (SELECT {index} AS g, {self.quoted(groups[index].key)}, "
                    f"{self.quoted(groups[index].value)} FROM {groups[index].table} WHERE "
                    f"{self.quoted(groups[index].key)} = {self.param} "
                    f"LIMIT {groups[index].cap + groups[index].sparse}) AS hit{number}"
                    for number, index in enumerate(shape[1]))
            rows += self.run(sql, [key for _index, key in part])
        return rows

    def run_prepared(self, sql, arrays):
        """PostgreSQL: run `sql` (text arrays as $1, $2 ...) as a statement prepared once per connection.

        Planning the look-up costs about as much as running it; a prepared
        statement outlives the transaction that prepared it (not the session).
        """
        connection = self.database.connection()
        prepared = _PREPARED_STATEMENTS.setdefault(connection, {})
        name = prepared.get(sql)
        if name is None:
            name = f"crmctl_keyed_rows_{len(prepared) + 1}"
            types = ", ".join(["text[]"] * len(arrays))
            self.database.execute_sql(f"PREPARE {name} ({types}) AS {sql}")
            prepared[sql] = name
        return self.run(f"EXECUTE {name} ({self.placeholders(len(arrays))})", arrays)

    def _keyed_select(self, index, group, number):
        key, value, cap = self.quoted(group.key), self.quoted(group.value), group.cap
        if self.dialect == "postgresql":
            return (f"SELECT {index} AS g, probe.k, hit.v FROM unnest(${number}::text[]) AS probe(k) "
                    f"CROSS JOIN LATERAL (SELECT {value} AS v FROM {group.table} WHERE {key} = probe.k "
                    f"LIMIT {cap + group.sparse}) AS hit")
        if group.sparse:
            within = (f"(SELECT COUNT(*) FROM (SELECT 1 FROM {group.table} AS other WHERE other.{key} = probe.value "
                      f"LIMIT {cap + 1}) AS counted) <= {cap}")
        else:
            within = f"hit.{value} IN (SELECT {value} FROM {group.table} WHERE {key} = probe.value LIMIT {cap})"
        return (f"SELECT {index} AS g, probe.value AS k, hit.{value} AS v FROM json_each({self.param}) AS probe "
                f"JOIN {group.table} AS hit ON hit.{key} = probe.value WHERE {within}")


def _sparse_only(rows, cap):
    """(key, value) rows without those of keys that more than `cap` rows hold."""
    counts = {}
    for key, _value in rows:
        counts[key] = counts.get(key, 0) + 1
    return [(key, value) for key, value in rows if counts[key] <= cap]
