"""Recompute the keys stored for every company after crmctl's duplicate rules changed.

Name keys (`crmctl.rules.names.company_name_key`) and blocking keys
(`crmctl.dedup.keys.stored_keys`) are derived from the names users typed. When a
new crmctl derives them differently (its `crmctl.storage.schema.KEYS_VERSION`
is newer than the database's), the stored ones would miss duplicates, so every
command refuses until `crmctl db upgrade` runs this. It is not a migration:
it must use today's rules, which a migration may not import.

Companies are read in id order, a chunk at a time, each chunk in its own
transaction; the run is idempotent, so an interrupted upgrade is simply run again.
"""
from crmctl.errors import BadInput
from crmctl.records.companies import store_blocking_keys
from crmctl.rules.names import company_name_key
from crmctl.storage.connection import database_proxy
from crmctl.storage.models import Company, CompanyAlias

COMPANIES_PER_CHUNK = 2000


def _key_or_same(name, old_key):
    try:
        return company_name_key(name)
    except BadInput:  # a name today's rules cannot read keeps the key it was stored with
        return old_key


def recompute_company_keys(progress=None):
    """Recompute every company's and alias's name key and every blocking key; returns the companies seen."""
    database = database_proxy.obj
    last_id, seen = 0, 0
    while True:
        rows = list(Company.select(Company.id, Company.name, Company.name_key)
                    .where(Company.id > last_id).order_by(Company.id).limit(COMPANIES_PER_CHUNK).tuples())
        if not rows:
            return seen
        with database.atomic():
            ids = [company_id for company_id, _name, _key in rows]
            pairs = []
            for company_id, name, old_key in rows:
                new_key = _key_or_same(name, old_key)
                if new_key != old_key:
                    Company.update(name_key=new_key).where(Company.id == company_id).execute()
                pairs.append((company_id, new_key))
            aliases = CompanyAlias.select(CompanyAlias.id, CompanyAlias.company, CompanyAlias.name,
                                          CompanyAlias.name_key).where(CompanyAlias.company.in_(ids)).tuples()
            known = {(company_id, key) for company_id, key in pairs}
            for alias_id, company_id, name, old_key in list(aliases):
                new_key = _key_or_same(name, old_key)
                if (company_id, new_key) in known:  # now read as the company's name or another alias: redundant
                    CompanyAlias.delete().where(CompanyAlias.id == alias_id).execute()
                    continue
                known.add((company_id, new_key))
                if new_key != old_key:
                    CompanyAlias.update(name_key=new_key).where(CompanyAlias.id == alias_id).execute()
            store_blocking_keys(pairs)
        last_id, seen = ids[-1], seen + len(rows)
        if progress is not None:
            progress(seen)
