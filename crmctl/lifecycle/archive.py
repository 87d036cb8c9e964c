"""`archive ID…` and `restore ID…`: records moved out of the day's work, kept with their history.

An archived company, lead or deal has `archived_at` stamped; listings leave it
out unless `--archived` (crmctl.query.listing), `show` and `history` still find
it, and its story stays. Archiving a company archives its leads that are not
archived yet, in the same transaction and with the same stamp, so restoring
the company brings back exactly the leads archived with it (those whose stamp
equals the company's); a lead archived on its own before stays archived. A
lead of an archived company cannot be restored alone: restore the company.

Who: managers and admins archive and restore anything; an agent archives and
restores only leads it owns (not the pool's, not companies or deals). Bulk
archiving (`archive --where …`) is a manager's bulk action, recorded once.
Every change goes through `update_records` (History action "archive" or
"restore", the bulk action's id on each row).
"""
from collections import Counter

from crmctl.dates import iso, utcnow
from crmctl.errors import BadInput, PermissionDenied, Refused
from crmctl.kinds.ids import fetch_record, kind_of, typed_id
from crmctl.query.selection import select_records
from crmctl.records.batch import update_records
from crmctl.records.bulk import start_bulk_action
from crmctl.records.leads import check_room, lock_companies
from crmctl.rules.permissions import require
from crmctl.rules.settings import load_settings
from crmctl.storage.connection import write_transaction
from crmctl.storage.models import Company, Lead

ARCHIVABLE = ("company", "lead", "deal")
CHUNK = 500


def records_named(ids):
    """The records the typed ids name, each once, in the order given; exit 2 for a kind that is not archived."""
    found, seen = [], set()
    for text in ids:
        record = fetch_record(text)
        kind = kind_of(record)
        if kind not in ARCHIVABLE:
            raise BadInput(f"{typed_id(kind, record.id)} is a {kind}: only companies, leads and deals are archived")
        if (kind, record.id) not in seen:
            seen.add((kind, record.id))
            found.append((kind, record))
    if not found:
        raise BadInput("give the ids to archive or restore (C12 L34 D5), or --where")
    return found


def check_may(actor, verb, named):
    """Managers and admins: anything. An agent: only leads it owns (PermissionDenied, exit 5, otherwise)."""
    if actor.single_user or actor.can("archive"):
        return
    for kind, record in named:
        if kind != "lead" or record.owner_id != actor.agent.id:
            label = typed_id(kind, record.id)
            raise PermissionDenied(f"{actor.email} ({actor.role}) may {verb} only leads it owns, not {label}")


def leads_of_companies(company_ids, archived_at=None):
    """The leads of these companies not archived yet (archived_at None), or archived at that stamp."""
    found = []
    for start in range(0, len(company_ids), CHUNK):
        part = company_ids[start:start + CHUNK]
        condition = Lead.archived_at.is_null() if archived_at is None else Lead.archived_at == archived_at
        found += list(Lead.select().where(Lead.company.in_(part) & condition).order_by(Lead.id))
    return found


def by_model(records):
    groups = {}
    for record in records:
        groups.setdefault(type(record), []).append(record)
    return groups


def write(actor, records, change, action, bulk=None):
    """One batched update per model; returns the typed ids that changed."""
    changed = []
    for group in by_model(records).values():
        done = update_records(group, actor, change, action=action, bulk=bulk)
        changed += [typed_id(kind_of(record), record.id) for record in group if record.id in done]
    return changed


def archive(actor, ids):
    """Archive the named records (and the leads of named companies); a summary of what changed."""
    named = records_named(ids)
    check_may(actor, "archive", named)
    with write_transaction():
        return archive_records(actor, [record for _, record in named])


def archive_records(actor, records, bulk=None):
    """Stamp every record (and its company's leads) with one moment, in the caller's transaction."""
    now = utcnow()
    fresh = [record for record in records if record.archived_at is None]
    already = [typed_id(kind_of(record), record.id) for record in records if record.archived_at is not None]
    company_ids = [record.id for record in fresh if isinstance(record, Company)]
    named = {(type(record), record.id) for record in fresh}
    with_companies = [lead for lead in leads_of_companies(company_ids) if (Lead, lead.id) not in named]
    changed = write(actor, fresh + with_companies, {"archived_at": now}, "archive", bulk)
    return {"archived": changed, "already_archived": already, "at": iso(now)}


def restore(actor, ids):
    """Restore the named records; a company brings back the leads archived with it (the same stamp)."""
    named = records_named(ids)
    check_may(actor, "restore", named)
    with write_transaction():
        records = [record for _, record in named]
        archived = [record for record in records if record.archived_at is not None]
        companies = [record for record in archived if isinstance(record, Company)]
        restored_company_ids = {company.id for company in companies}
        # Before any read: a lead restored alone counts against its company's limit (read under the lock).
        lock_companies(lead.company_id for lead in archived
                       if isinstance(lead, Lead) and lead.company_id not in restored_company_ids)
        with_companies = []
        for company in companies:
            with_companies += leads_of_companies([company.id], archived_at=company.archived_at)
        alone = [record for record in archived if isinstance(record, Lead) and record.company_id not in
                 restored_company_ids]
        company_ids = sorted({lead.company_id for lead in alone})
        closed = {company.id: company for company in Company.select(Company.id, Company.name)
                  .where(Company.id.in_(company_ids) & Company.archived_at.is_null(False))} if alone else {}
        for lead in alone:
            company = closed.get(lead.company_id)
            if company is not None:
                raise Refused(f"L{lead.id}'s company C{company.id} {company.name} is archived: restore "
                              f"C{company.id} (it brings back the leads archived with it)")
        if alone:  # a lead coming back counts against its company's limit, as one added or moved there
            arriving, settings = Counter(lead.company_id for lead in alone), load_settings()
            for company in Company.select(Company.id, Company.name).where(Company.id.in_(company_ids)):
                check_room(company, arriving[company.id], settings)
        named_ids = {(type(record), record.id) for record in archived}
        with_companies = [lead for lead in with_companies if (Lead, lead.id) not in named_ids]
        changed = write(actor, archived + with_companies, {"archived_at": None}, "restore")
    return {"restored": changed,
            "not_archived": [typed_id(kind_of(record), record.id) for record in records if record not in archived]}


def planned_archive(actor, kind_plural, where=(), search=None, segment=None, segment_name=None):
    """The Selection of a bulk `archive --where`: leads, companies or deals, as their listing picks them."""
    require(actor, "bulk action")
    if kind_plural not in ("leads", "companies", "deals"):
        raise BadInput(f"archive --kind takes leads, companies or deals, not {kind_plural!r}")
    return select_records(kind_plural, where, search, segment=segment, segment_name=segment_name)


def apply_archive(actor, selection):
    """Archive every record of the selection in one transaction, recorded as one bulk action."""
    with write_transaction():
        records = selection.records()
        bulk = start_bulk_action(actor, "archive", selection.description, len(records))
        summary = archive_records(actor, records, bulk=bulk)
    return {"bulk": bulk, "selected": len(records), "archived": len(summary["archived"]), "at": summary["at"]}
