"""The records a bulk action works on: `--where`/`--search` (and a saved segment's) as one query.

Bulk status, assign, archive and pool put all choose their leads the way
`list leads` does (the same filters, company fields included, archived leads
left out), so a user can list first and act on exactly what was listed.
`select_records` is the one place that turns the options into a query and into
the description a `BulkAction` stores; a saved segment plugs in as its
definition (`{"where": [...], "search": ...}`), ANDed with the options given.
"""
from collections import namedtuple

from crmctl.errors import BadInput
from crmctl.query.listing import build_query, listing_for


class Selection(namedtuple("Selection", "kind_plural query description")):
    """`query` selects the chosen records (model instances, in id order); `description` is what was asked,
    as stored in `BulkAction.selection`."""

    __slots__ = ()

    def count(self):
        return self.query.order_by().count()

    def records(self):
        return list(self.query)


def select_records(kind_plural, where=(), search=None, segment=None, segment_name=None):
    """The Selection of `kind_plural` (usually "leads") that the filters pick.

    `segment` is a saved segment's definition, `{"where": [FILTER…], "search":
    TEXT}`, ANDed with `where` and `search` (`segment_name` only names it in
    the description). At least one filter is required: a bulk action never
    falls on every record by omission (exit 2).
    """
    where = list(where or ())
    search = (search or "").strip() or None
    segment_where = list((segment or {}).get("where") or ())
    segment_search = ((segment or {}).get("search") or "").strip() or None
    if not where and not search and segment is None:
        raise BadInput(f"choose the {kind_plural} with --where FILTER, --search TEXT or --segment NAME")
    listing = listing_for(kind_plural)
    query = build_query(listing, where + segment_where, search)
    if segment_search:
        searched = build_query(listing, (), segment_search, include_archived=True)
        query = query.where(listing.model.id.in_(searched.select(listing.model.id).order_by()))
    description = {"kind": kind_plural, "where": where}
    if search:
        description["search"] = search
    if segment is not None:
        description["segment"] = segment_name or segment
    return Selection(kind_plural, query, description)
