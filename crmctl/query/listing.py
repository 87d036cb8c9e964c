"""Listings: the records of one kind that `--where`, `--search`, `--sort` and `--limit` pick.

What a listing may filter, sort and search on is read from the kinds registry
(`crmctl.kinds.registry`): each kind's fields with their types, aliases and
normalisers, the derived fields that reach other tables (`via`), and the ref
fields whose record's fields a listing filters on too (`filters_through`: a
listing of leads filters on its company's country, industry, name, ...; a
company field whose name the lead uses itself is `company_<name>`).

Queries are shaped for the indexes of migration 0003 at a million rows: the
sort's id tie-break runs in the sort's direction, archived rows are left out
with a plain `archived_at IS NULL` beside the indexed condition, and
`--search` goes through the company-name substring index (SQLite FTS5
trigram, PostgreSQL pg_trgm; both over the folded name, migration 0008) for
fragments of three characters or more. Search and `~` fold case and accents
alike on every backend (`crmctl.storage.folding`): "lodz" finds "Łódź". A
search that reads as a phone number also finds the leads holding that number,
typed in any format (`crmctl.query.phone_search`).
"""
import functools
from collections import namedtuple

import peewee

from crmctl.errors import BadInput
from crmctl.kinds.registry import KINDS, LISTED
from crmctl.kinds.shapes import records_dicts
from crmctl.query.phone_search import lead_ids_with_phone
from crmctl.query.where import Filterable, condition_expression, parse_where
from crmctl.rules.values import LARGEST_WHOLE_NUMBER
from crmctl.storage import models
from crmctl.storage.connection import database_proxy
from crmctl.storage.folding import contains_folded, fold

VALUE_TYPES = {"text", "int", "amount", "date", "datetime", "agent", "flag"}
# The company-name FTS5 table of migration 0003 (SQLite); its rowid is the company's id.
NAME_SEARCH = peewee.Table(models.SQLITE_NAME_SEARCH_TABLE, ("rowid", "name"))


class Listing:
    """What `list KIND` can filter, sort and join, built once per kind from the registry."""

    def __init__(self, kind, fields, joins):
        self.kind = kind  # the registry's Kind
        self.fields = fields  # the name a user types -> Filterable
        self.joins = joins  # ref field name -> (joined model alias, join condition)

    @property
    def model(self):
        return self.kind.model

    def field_named(self, name, option="--where"):
        spec = self.fields.get(name)
        if spec is None:
            raise BadInput(f"{option}: unknown field {name!r} for {self.kind.name}{nearest_name(name, self.fields)} "
                           f"(fields: {', '.join(sorted(self.fields))})")
        return spec


def nearest_name(name, names):
    """": did you mean 'name'?" for the closest of `names`, or nothing when none is close."""
    import difflib  # only on this error's path

    close = difflib.get_close_matches(name, sorted(names), n=1, cutoff=0.6)
    return f": did you mean {close[0]!r}?" if close else ""


# A terminal's "N more match" line counts at most this many rows past the page: counting every
# one of a million companies would cost more than showing the page.
MORE_COUNT_CAP = 10_000


class Page(namedtuple("Page", "rows more more_is_capped", defaults=(0, False))):
    """One page of a listing: its records as dicts, and how many more match beyond it
    (`more_is_capped`: at least `more`, MORE_COUNT_CAP, match beyond the page).

    Named tuples here, not dataclasses: building a dataclass costs start-up time on every listing.
    """

    __slots__ = ()


def listing_for(kind_plural):
    if kind_plural not in LISTED:
        raise BadInput(f"cannot list {kind_plural!r}: choose one of {', '.join(LISTED)}")
    return _listing(kind_plural)


@functools.lru_cache(maxsize=None)
def _listing(kind_plural):
    kind = LISTED[kind_plural]
    joins = {}
    fields = {}
    for name in user_names(kind):
        spec = filterable(kind, kind.model, kind.field(name), name, joins)
        if spec is not None:
            fields[name] = spec
    for ref_name in kind.filters_through:
        target, alias = joined_kind(kind, ref_name, joins)
        for name in user_names(target):
            field = target.field(name)
            if field.type == "id":
                continue
            for shown_as in (f"{target.name}_{name}", name):
                if shown_as not in fields:
                    spec = filterable(target, alias, field, shown_as, joins, through=ref_name)
                    if spec is not None:
                        fields[shown_as] = spec
    return Listing(kind, fields, joins)


def user_names(kind):
    """Every name a user may type for a kind's fields, in the registry's order (names, then aliases)."""
    names = [item.name for item in kind.fields] + [alias for item in kind.fields for alias in item.aliases]
    return list(dict.fromkeys(names))


def joined_kind(kind, ref_name, joins):
    """The kind a ref field names and the alias under which a listing joins it."""
    ref = kind.field(ref_name)
    target = KINDS[ref.type[len("ref:"):]]
    if ref_name not in joins:
        alias = target.model.alias(f"{kind.name}_{target.name}")
        joins[ref_name] = (alias, getattr(kind.model, ref.stored_in) == alias.id)
    return target, joins[ref_name][0]


def filterable(kind, model, field, name, joins, through=None):
    """How a listing filters on `field` of `kind` (stored in `model`, a table or its alias), or None."""
    if not field.filterable:
        return None
    if field.type == "derived":
        if not field.via:
            return None
        ref_column, target_name = field.via.split(".")
        ref = next((item for item in kind.fields if item.type.startswith("ref:") and item.stored_in == ref_column),
                   None)
        if ref is None:  # a table whose records point at this one (contacts): searched, not filtered
            return None
        target, alias = joined_kind(kind, ref.name, joins)
        return filterable(target, alias, target.field(target_name), name, joins, through=ref.name)
    if field.type == "id":
        value_type = f"id:{kind.name}"
    elif field.type.startswith("ref:"):
        value_type = f"id:{field.type[len('ref:'):]}"
    elif field.type in VALUE_TYPES:
        value_type = field.type
    else:
        return None
    return Filterable(
        name=name,
        expression=column_expression(model, field),
        value_type=value_type,
        normalise=field.normalise,
        key_expression=getattr(model, field.key_column) if field.key_column else None,
        through=through,
        archive_marker=through is None and field.stored_in == "archived_at",
    )


def column_expression(model, field):
    """The field's column; a flag over several columns is 1 when every one holds a value, else NULL (`qualified`)."""
    if isinstance(field.stored_in, str):
        return getattr(model, field.stored_in)
    every_set = functools.reduce(lambda a, b: a & b, [getattr(model, name).is_null(False) for name in field.stored_in])
    return peewee.Case(None, [(every_set, 1)], None)


# --------------------------------------------------------------------------
# Search
# --------------------------------------------------------------------------


def on_sqlite():
    return isinstance(database_proxy.obj, peewee.SqliteDatabase)


def name_index_serves(model, column_name, needle):
    """The SQLite FTS5 trigram table answers this search (PostgreSQL's pg_trgm index needs no other SQL)."""
    return (model is models.Company and column_name == "name" and on_sqlite()
            and len(needle) >= models.TRIGRAM_LENGTH)


def name_matches(needle):
    """FTS5 MATCH of the fragment as one phrase: every trigram of it, in order, is a substring match."""
    phrase = '"' + needle.replace('"', '""') + '"'
    return peewee.Expression(NAME_SEARCH.name, "MATCH", phrase)


def contains(column, needle):
    """Substring of a folded needle, blind to case and accents on every backend (wildcards escaped)."""
    return contains_folded(column, needle)


def ids_containing(model, column_name, needle):
    """A subquery of the ids of `model` whose column holds the fragment."""
    if name_index_serves(model, column_name, needle):
        return NAME_SEARCH.select(NAME_SEARCH.rowid).where(name_matches(needle))
    return model.select(model.id).where(contains(getattr(model, column_name), needle))


def search_conditions(kind, needle):
    """One condition per field the registry lists in the kind's `search`."""
    model = kind.model
    for name in kind.search:
        field = kind.field(name)
        if field.via:
            table, column_name = field.via.split(".")
            foreign_key = model._meta.fields.get(table)
            if isinstance(foreign_key, peewee.ForeignKeyField):  # company.name: the record a key names
                yield foreign_key.in_(ids_containing(foreign_key.rel_model, column_name, needle))
            else:  # contact.value: the records that point at this one
                source = next(m for m in models.ALL_MODELS if m._meta.table_name == table)
                back = next(f for f in source._meta.refs if f.rel_model is model)
                yield model.id.in_(source.select(back).where(contains(getattr(source, column_name), needle)))
                if source is models.Contact:  # an incoming call's number, typed in any format
                    phone_holders = lead_ids_with_phone(needle)
                    if phone_holders:
                        yield model.id.in_(phone_holders)
        elif name_index_serves(model, field.stored_in, needle):
            yield model.id.in_(ids_containing(model, field.stored_in, needle))
        else:
            yield contains(getattr(model, field.stored_in), needle)


def searches_name_index_alone(kind, needle):
    """The whole search is the FTS table (companies on SQLite): join it and let it give rows in id order."""
    return len(kind.search) == 1 and name_index_serves(kind.model, kind.field(kind.search[0]).stored_in, needle)


# --------------------------------------------------------------------------
# Sorting
# --------------------------------------------------------------------------


def sort_keys(listing, sort):
    """[(Filterable, descending)] for `--sort a,-b`."""
    keys = []
    for item in (sort or "").split(","):
        item = item.strip()
        if not item:
            continue
        name = item.lstrip("-+").lower()
        keys.append((listing.field_named(name, "--sort"), item.startswith("-")))
    return keys


def order_expressions(listing, keys, id_column):
    """The sort keys, then the id in the last key's direction: one index serves (created_at DESC, id DESC)."""
    expressions = []
    for spec, descending in keys:
        column = id_column if spec.expression is listing.model.id else spec.expression
        expressions.append(column.desc() if descending else column.asc())
    if not keys or keys[-1][0].expression is not listing.model.id:
        descending = bool(keys) and keys[-1][1]
        expressions.append(id_column.desc() if descending else id_column.asc())
    return expressions


# --------------------------------------------------------------------------
# Queries
# --------------------------------------------------------------------------


def build_query(listing, where=(), search=None, sort=None, limit=None, include_archived=False):
    """The Peewee query for a listing; every user value is bound as a parameter."""
    model = listing.model
    filters = [(listing.field_named(condition.field), condition) for condition in map(parse_where, where)]
    keys = sort_keys(listing, sort)
    query = model.select()
    for ref_name in sorted({spec.through for spec, _ in filters + keys if spec.through}):
        alias, on = listing.joins[ref_name]
        query = query.join(alias, on=on)
    for spec, condition in filters:
        query = query.where(condition_expression(spec, condition))
    if listing.kind.archivable and not include_archived and not any(spec.archive_marker for spec, _ in filters):
        query = query.where(model.archived_at.is_null())
    id_column = model.id
    needle = fold((search or "").strip())
    if needle and searches_name_index_alone(listing.kind, needle) and all(
            spec.expression is model.id for spec, _ in keys):
        query = query.join(NAME_SEARCH, on=(NAME_SEARCH.rowid == model.id)).where(name_matches(needle))
        id_column = NAME_SEARCH.rowid  # FTS5 hands rows over in rowid order: no sort of every match
    elif needle:
        query = query.where(functools.reduce(lambda a, b: a | b, search_conditions(listing.kind, needle)))
    query = query.order_by(*order_expressions(listing, keys, id_column))
    return query if checked_limit(limit) is None else query.limit(limit)


def checked_limit(limit):
    if limit is not None and not 0 <= limit <= LARGEST_WHOLE_NUMBER:
        raise BadInput(f"--limit must be from 0 to {LARGEST_WHOLE_NUMBER}, not {limit}")
    return limit


def list_page(kind_plural, where=(), search=None, sort=None, limit=None, count_more=False, include_archived=False,
              segment=None):
    """A Page of records in the JSON shape of `crmctl.kinds.shapes`.

    With `count_more`, `more` counts the matching records beyond `limit`, up to
    MORE_COUNT_CAP (one bounded COUNT, run only when there are more).
    `include_archived` lists archived records too (`--archived`); `segment` is a
    saved segment's definition (`crmctl.query.segments`), ANDed with the rest.
    """
    listing = listing_for(kind_plural)
    fetch = checked_limit(limit) + 1 if count_more and limit is not None else limit
    segment = segment or {}
    query = build_query(listing, tuple(where) + tuple(segment.get("where") or ()), search, sort, fetch,
                        include_archived)
    if segment.get("search"):
        searched = build_query(listing, (), segment["search"], include_archived=True)
        query = query.where(listing.model.id.in_(searched.select(listing.model.id).order_by()))
    records = list(query)
    if fetch == limit or len(records) <= limit:
        return Page(records_dicts(listing.kind.name, records))
    more = query.order_by().limit(limit + MORE_COUNT_CAP).count() - limit
    return Page(records_dicts(listing.kind.name, records[:limit]), more, more >= MORE_COUNT_CAP)


def list_records(kind_plural, where=(), search=None, sort=None, limit=None):
    """The records of a listing as dicts, in the JSON shape of `crmctl.kinds.shapes`."""
    return list_page(kind_plural, where, search, sort, limit).rows
