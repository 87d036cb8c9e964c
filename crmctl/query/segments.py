"""Segments: saved filters (`segment save NAME --kind leads --where … --search …`) used by name.

A segment stores the filters a listing takes, `{"where": [...], "search": TEXT}`
in `Segment.definition`, for one kind (leads or companies). `list leads
--segment NAME` and the bulk actions' selection (`crmctl.query.selection`)
apply them, ANDed with the filters given beside them, so a segment always
means what its filters select now, not the records that matched when it was
saved. A definition is checked when it is saved: an unknown field or a bad
value is exit 2 then, not later in a cron job.

Anyone acting may save a segment (the team shares them); a name is taken once, whatever its case and accents
(exit 3; `--replace` overwrites). An agent deletes or replaces only its own
segments; managers and admins any.
"""
import json

from crmctl.dates import iso, utcnow
from crmctl.errors import BadInput, NotFound, PermissionDenied, Refused
from crmctl.query.listing import build_query, listing_for
from crmctl.records.history import record_event
from crmctl.storage.connection import write_transaction
from crmctl.storage.folding import fold
from crmctl.storage.models import Agent, Segment

SEGMENT_KINDS = ("leads", "companies")


def segment_kind(kind):
    wanted = str(kind or "").strip().lower()
    if wanted not in SEGMENT_KINDS:
        raise BadInput(f"segment --kind takes {' or '.join(SEGMENT_KINDS)}, not {kind!r}")
    return wanted


def segment_name(name):
    text = " ".join(str(name or "").split())
    if not text:
        raise BadInput("a segment needs a name")
    if len(text) > Segment.name.max_length:
        raise BadInput(f"a segment name is at most {Segment.name.max_length} characters")
    return text


def checked_definition(kind, where, search):
    """The definition to store, after building its query once (exit 2 for a bad filter)."""
    where = [text for text in (where or ()) if str(text).strip()]
    search = (search or "").strip() or None
    if not where and not search:
        raise BadInput("a segment needs --where FILTER or --search TEXT")
    build_query(listing_for(kind), where, search)
    definition = {"where": where}
    if search:
        definition["search"] = search
    return definition


def stored_segment(name):
    """The segment saved under `name`, whatever its case and accents ("Łódź hot" is "lodz HOT"); None if none.

    One name, one segment, on every backend: MariaDB's collation compares names so, and
    SQLite and PostgreSQL would otherwise keep "seg1" and "SEG1" apart. A team has a few
    dozen segments: they are compared here, folded as `--where ~` folds text.
    """
    name = segment_name(name)
    exact = Segment.get_or_none(Segment.name == name)
    if exact is not None and exact.name == name:  # (MariaDB's collation finds other spellings too)
        return exact
    wanted = fold(name)
    same = [segment for segment in Segment.select().order_by(Segment.name) if fold(segment.name) == wanted]
    if len(same) > 1:  # saved apart before names were compared so: the exact spelling says which
        raise BadInput(f"segment {name!r} names {len(same)} segments saved apart "
                       f"({', '.join(repr(segment.name) for segment in same)}): give one as it is written")
    return same[0] if same else None


def find_segment(name):
    segment = stored_segment(name)
    if segment is None:
        known = [row.name for row in Segment.select(Segment.name).order_by(Segment.name).limit(20)]
        listed = f" (segments: {', '.join(known)})" if known else " (no segment is saved yet)"
        raise NotFound(f"segment {segment_name(name)!r} not found{listed}")
    return segment


def segment_definition(name, kind_plural):
    """The filters of segment NAME, for a listing or a bulk action of `kind_plural` (exit 2 on another kind)."""
    segment = find_segment(name)
    if segment.kind != kind_plural:
        raise BadInput(f"segment {segment.name!r} selects {segment.kind}, not {kind_plural}")
    return json.loads(segment.definition)


def check_owner(actor, segment, verb):
    if actor.single_user or actor.can("bulk action") or segment.created_by_id == actor.agent.id:
        return
    raise PermissionDenied(f"{actor.email} ({actor.role}) may {verb} only its own segments, not {segment.name!r}")


def save_segment(actor, name, kind, where=(), search=None, replace=False):
    name, kind = segment_name(name), segment_kind(kind)
    definition = checked_definition(kind, where, search)
    encoded = json.dumps(definition, ensure_ascii=False)
    with write_transaction():
        existing = stored_segment(name)
        if existing is not None and not replace:
            written = "" if existing.name == name else f" (as {existing.name!r})"
            raise Refused(f"segment {name!r} exists{written}: --replace overwrites it, or "
                          f"`segment delete {existing.name}`")
        if existing is not None:
            name = existing.name  # replaced under the name it was saved with
        if existing is not None:
            check_owner(actor, existing, "replace")
            old = segment_text(existing)
            Segment.update(kind=kind, definition=encoded).where(Segment.id == existing.id).execute()
            record_event(f"segment:{name}", actor, "update", field="definition", old_value=old,
                         new_value=f"{kind} {encoded}")
        else:
            Segment.create(name=name, kind=kind, definition=encoded, created_at=utcnow(),
                           created_by=actor.agent.id if actor.agent else None)
            record_event(f"segment:{name}", actor, "create", field="definition", new_value=f"{kind} {encoded}")
    return segment_dict(find_segment(name))


def segment_text(segment):
    return f"{segment.kind} {segment.definition}"


def delete_segment(actor, name):
    with write_transaction():
        segment = find_segment(name)
        check_owner(actor, segment, "delete")
        Segment.delete().where(Segment.id == segment.id).execute()
        record_event(f"segment:{segment.name}", actor, "delete", field="definition", old_value=segment_text(segment))
    return {"deleted": segment.name}


def segment_dict(segment, creators=None, count=None):
    definition = json.loads(segment.definition)
    if creators is None:
        creator = Agent.get_or_none(Agent.id == segment.created_by_id) if segment.created_by_id else None
        email = creator.email if creator else None
    else:
        email = creators.get(segment.created_by_id)
    shown = {"name": segment.name, "kind": segment.kind, "where": definition.get("where", []),
             "search": definition.get("search"), "created_by": email, "created_at": iso(segment.created_at)}
    if count is not None:
        shown["count"] = count
    return shown


def list_segments():
    segments = list(Segment.select().order_by(Segment.name))
    ids = sorted({segment.created_by_id for segment in segments} - {None})
    creators = dict(Agent.select(Agent.id, Agent.email).where(Agent.id.in_(ids)).tuples()) if ids else {}
    return [segment_dict(segment, creators) for segment in segments]


def show_segment(name):
    """The segment with how many records it selects now (archived ones left out, as in its listing)."""
    segment = find_segment(name)
    definition = json.loads(segment.definition)
    query = build_query(listing_for(segment.kind), definition.get("where") or (), definition.get("search"))
    return segment_dict(segment, count=query.order_by().count())


def segment_leads(where, search, name):
    """(query, description) of the leads segment NAME picks, ANDed with `where`/`search`: the selection shape of
    `crmctl.lifecycle.pool.selected_leads`, for `pool put --segment` and `assign --segment`."""
    from crmctl.query.selection import select_records

    chosen = select_records("leads", where, search, segment=segment_definition(name, "leads"), segment_name=name)
    return chosen.query, chosen.description
