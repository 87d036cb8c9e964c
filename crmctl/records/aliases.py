"""Company aliases: the other names a company is known by (an acronym, a short or a former name).

An alias counts as the company's name in every duplicate check (SPEC §4), so
it is keyed like a name (`company_name_key`) and its blocking keys are stored
under the company's id (`store_blocking_keys`). For the same reason an alias
must not create a duplicate: one whose key is another company's name or alias
in the same country is refused (exit 3) unless forced, which History records.
Managers and admins keep the list, as they merge; everyone may read it.

A merge keeps each dropped company's name and aliases as aliases of the
survivor (`keep_dropped_names`), so the next import of the old name finds it;
its journal says which, so an unmerge takes back exactly those
(`restore_dropped_names`).
"""
import datetime

import peewee

from crmctl.dates import iso
from crmctl.errors import BadInput, NotFound, PermissionDenied, Refused, quoted
from crmctl.kinds.ids import fetch_record, typed_id
from crmctl.records.batch import history_row, run_in_transaction, write_history
from crmctl.records.history import history_text
from crmctl.rules.names import company_name_key
from crmctl.rules.permissions import require
from crmctl.rules.values import check_fits, clean_text
from crmctl.storage.locks import lock_company_names
from crmctl.storage.models import Agent, Company, CompanyAlias

ALIAS_FIELD = "alias"  # how History names the change of a company's aliases
SHOWN_CLASHES = 3


def require_alias_keeper(actor):
    """Aliases change what every duplicate check finds, as a merge does: managers and admins keep them."""
    try:
        require(actor, "merge")
    except PermissionDenied:
        raise PermissionDenied(f"{actor.email} ({actor.role}) may not change company aliases: "
                               "managers and admins keep them")


def alias_values(name):
    """The alias as typed (cleaned like a company name) and its name key; BadInput when empty."""
    text = clean_text(name, "alias", CompanyAlias.name)
    if text is None:
        raise BadInput("the alias is empty: give the other name, e.g. alias add C12 \"Nordvik\"")
    values = {"name": text, "name_key": company_name_key(text)}
    check_fits(CompanyAlias, values)
    return values


def label(company):
    return typed_id("company", company.id)


def fetch_company(company):
    """A Company from a record, a typed id (C12) or a bare number."""
    return company if isinstance(company, Company) else fetch_record(company, ["company"])


def agent_id(actor):
    return actor.agent.id if actor is not None and actor.agent is not None else None


def refresh_blocking_keys(company_ids):
    """`crmctl.records.companies.refresh_blocking_keys`, imported when an alias changes.

    The matcher it brings costs `show` and `alias list` about 12 ms of start-up,
    for nothing: they only read aliases.
    """
    from crmctl.records.companies import refresh_blocking_keys as refresh

    refresh(company_ids)


# ---------------------------------------------------------------------------
# Add, remove, list
# ---------------------------------------------------------------------------


def add_alias(actor, company, name, force=False):
    """Give a company another name; returns the new CompanyAlias.

    Bad input (2): an empty name, or one the company already has (as its name
    or an alias). Refused (3) unless `force`: the name of another company or
    one of its aliases in the same country.
    """
    require_alias_keeper(actor)
    values = alias_values(name)
    country = fetch_company(company).country

    def write():
        # Another company of the country may be taking this name right now: lock its name block
        # (`crmctl.storage.locks`) before reading, then read the company again under the lock.
        lock_company_names([country])
        target = fetch_company(company)
        if target.country != country:
            raise Refused(f"{label(target)} moved from {country} to {target.country} meanwhile: run the command again")
        if target.name_key == values["name_key"]:
            raise BadInput(f"{quoted(values['name'])} is the name of {label(target)} ({target.name}) already")
        held = CompanyAlias.get_or_none((CompanyAlias.company == target.id)
                                        & (CompanyAlias.name_key == values["name_key"]))
        if held is not None:
            raise Refused(f"{label(target)} already has the alias {quoted(held.name)}")  # a duplicate: exit 3
        clashes = companies_named(values["name_key"], target.country, exclude_id=target.id)
        if clashes and not force:
            raise Refused(clash_message(values["name"], target, clashes))
        alias = CompanyAlias.create(company=target.id, created_by=agent_id(actor), **values)
        history = [history_row(actor, label(target), "update", ALIAS_FIELD, new=values["name"])]
        if clashes:
            history.append(history_row(actor, label(target), "force", "duplicate_of",
                                       new=history_text([label(c) for c in clashes])))
        write_history(history)
        refresh_blocking_keys([target.id])
        return alias

    return run_in_transaction(write)


def companies_named(name_key, country, exclude_id):
    """The other companies of a country whose name or an alias has this key, by id."""
    in_country = (Company.country == country) & (Company.id != exclude_id)
    by_name = Company.select(Company.id, Company.name).where((Company.name_key == name_key) & in_country)
    by_alias = (Company.select(Company.id, Company.name).join(CompanyAlias, on=(CompanyAlias.company == Company.id))
                .where((CompanyAlias.name_key == name_key) & in_country))
    found = {company.id: company for query in (by_name, by_alias) for company in query}
    return [found[company_id] for company_id in sorted(found)]


def clash_message(name, target, clashes):
    shown = ", ".join(f"{label(c)} {c.name}" for c in clashes[:SHOWN_CLASHES])
    more = f" and {len(clashes) - SHOWN_CLASHES} more" if len(clashes) > SHOWN_CLASHES else ""
    return (f"alias {quoted(name)} of {label(target)} refused: it is the name or an alias of {shown}{more} "
            f"in {target.country}, so it would make a duplicate; add --force to keep it anyway")


def remove_alias(actor, company, name):
    """Take an alias from a company (matched by its key, as the checks match it); returns the removed alias."""
    require_alias_keeper(actor)
    values = alias_values(name)

    def write():
        target = fetch_company(company)
        alias = CompanyAlias.get_or_none((CompanyAlias.company == target.id)
                                         & (CompanyAlias.name_key == values["name_key"]))
        if alias is None:
            raise NotFound(f"{label(target)} has no alias {quoted(values['name'])}")
        alias.delete_instance()
        write_history([history_row(actor, label(target), "update", ALIAS_FIELD, old=alias.name)])
        refresh_blocking_keys([target.id])
        return alias

    return run_in_transaction(write)


def list_aliases(company=None):
    """Every alias (or one company's), as shown: company's typed id, name, created at and by; by company."""
    query = (CompanyAlias.select(CompanyAlias.company, CompanyAlias.name, CompanyAlias.created_at, Agent.email)
             .join(Agent, peewee.JOIN.LEFT_OUTER, on=(CompanyAlias.created_by == Agent.id))
             .order_by(CompanyAlias.company, CompanyAlias.id))
    if company is not None:
        query = query.where(CompanyAlias.company == fetch_company(company).id)
    return [alias_dict(*row) for row in query.tuples()]


def alias_dict(company_id, name, created_at, created_by_email):
    """An alias as `alias list`, `show` and `alias add` print it."""
    return {"company": typed_id("company", company_id), "name": name, "created_at": iso(created_at),
            "created_by": created_by_email}


# ---------------------------------------------------------------------------
# Merge and unmerge
# ---------------------------------------------------------------------------


def names_kept_by_merge(keep, dropped):
    """What a merge of `dropped` into `keep` does to aliases, writing nothing: (added, moved, gone).

    `added`: (name, name key) of each dropped company's name that the survivor
    does not have yet (as its name or an alias), to become its alias; `moved`:
    the dropped companies' aliases that become the survivor's; `gone`: those
    the survivor already has, deleted. A name is held once.
    """
    held = {keep.name_key} | {key for (key,) in CompanyAlias.select(CompanyAlias.name_key)
                              .where(CompanyAlias.company == keep.id).tuples()}
    added, moved, gone = [], [], []
    for record in dropped:
        if record.name_key not in held:
            held.add(record.name_key)
            added.append((record.name, record.name_key))
        for alias in CompanyAlias.select().where(CompanyAlias.company == record.id).order_by(CompanyAlias.id):
            if alias.name_key in held:
                gone.append(alias)
            else:
                held.add(alias.name_key)
                moved.append(alias)
    return added, moved, gone


def keep_dropped_names(actor, merge_id, keep, dropped, journal):
    """Give the survivor each dropped company's name and aliases as aliases, in the merge's transaction.

    A name the survivor already has (its own name's key or an alias's) is not
    added twice (`names_kept_by_merge`). The journal records what to take
    back: `aliases_added` (ids of aliases made from dropped names),
    `aliases_moved` ([alias id, company id, name] of dropped companies' aliases
    now the survivor's) and `aliases_dropped` (a dropped company's aliases the
    survivor already had).
    """
    added_names, moved_aliases, gone_aliases = names_kept_by_merge(keep, dropped)
    added, history = [], []
    for name, name_key in added_names:
        alias = CompanyAlias.create(company=keep.id, name=name, name_key=name_key, created_by=agent_id(actor))
        added.append(alias.id)
        history.append(history_row(actor, label(keep), "merge", ALIAS_FIELD, new=name, merge=merge_id))
    gone = [alias_snapshot(alias) for alias in gone_aliases]
    if gone_aliases:
        CompanyAlias.delete().where(CompanyAlias.id.in_([alias.id for alias in gone_aliases])).execute()
    moved = [[alias.id, alias.company_id, alias.name] for alias in moved_aliases]
    history += [history_row(actor, label(keep), "merge", ALIAS_FIELD, new=alias.name, merge=merge_id)
                for alias in moved_aliases]
    if moved:
        CompanyAlias.update(company=keep.id).where(CompanyAlias.id.in_([entry[0] for entry in moved])).execute()
    write_history(history)
    journal.update(aliases_added=added, aliases_moved=moved, aliases_dropped=gone)
    if added or moved:
        refresh_blocking_keys([keep.id])


def restore_dropped_names(actor, merge_id, survivor_id, restored_ids, journal):
    """Undo `keep_dropped_names` once the dropped companies are back; refreshes every one's keys.

    As for fields (`crmctl.records.unmerge.unmerge`), only what is still as the
    merge left it is undone: an alias the survivor was given by the merge goes,
    one it took over goes back to its company; one removed since stays removed.
    Returns the names of the dropped companies' aliases that stay removed, for
    the summary.
    """
    survivor_label = typed_id("company", survivor_id)
    history = []
    added = list(CompanyAlias.select().where(CompanyAlias.id.in_(journal.get("aliases_added") or [0])
                                             & (CompanyAlias.company == survivor_id)))
    for alias in added:
        history.append(history_row(actor, survivor_label, "unmerge", ALIAS_FIELD, old=alias.name, merge=merge_id))
    if added:
        CompanyAlias.delete().where(CompanyAlias.id.in_([alias.id for alias in added])).execute()
    originals = {entry[0]: entry[1] for entry in journal.get("aliases_moved", [])}
    returned = list(CompanyAlias.select().where(CompanyAlias.id.in_(list(originals) or [0])
                                                & (CompanyAlias.company == survivor_id)))
    for alias in returned:
        CompanyAlias.update(company=originals[alias.id]).where(CompanyAlias.id == alias.id).execute()
        history.append(history_row(actor, survivor_label, "unmerge", ALIAS_FIELD, old=alias.name, merge=merge_id))
    for data in journal.get("aliases_dropped", []):
        CompanyAlias.insert(**restored_alias(data)).execute()
    write_history(history)
    refresh_blocking_keys([survivor_id] + list(restored_ids))
    returned_ids = {alias.id for alias in returned}
    # [alias id, company id, name]; a journal written before names were kept there has no name.
    return [entry[2] if len(entry) > 2 else f"#{entry[0]}" for entry in journal.get("aliases_moved", [])
            if entry[0] not in returned_ids]


def alias_snapshot(alias):
    return {"id": alias.id, "company": alias.company_id, "name": alias.name, "name_key": alias.name_key,
            "created_at": alias.created_at.isoformat(), "created_by": alias.created_by_id}


def restored_alias(data):
    return dict(data, created_at=datetime.datetime.fromisoformat(data["created_at"]))
