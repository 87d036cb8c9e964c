"""Existing records that a new record would duplicate, found through indexes, never a scan.

A company is an *exact* duplicate when its website key or LinkedIn key equals
an existing one's (the unique indexes make those impossible to store), and a
*likely* one when its name scores at least `likely_duplicate_min_score`
(`crmctl.dedup.scoring`); a lead is a duplicate when its LinkedIn profile, an
email or a phone equals an existing lead's.
"""
from dataclasses import dataclass, field

from crmctl.dedup.keys import BLOCKING_KEY_CAP, blocking_keys_of_name_key
from crmctl.dedup.scoring import company_score, name_reason

SAME_NAME_LIMIT = 100


@dataclass
class Candidate:
    """One existing record that a new or given record may duplicate."""

    id: str
    kind: str
    name: str
    score: float
    reasons: list = field(default_factory=list)
    exact: bool = False

    def to_dict(self):
        return {"id": self.id, "kind": self.kind, "name": self.name, "score": self.score,
                "reasons": list(self.reasons)}



def likely_min_score():
    from crmctl.rules.settings import get_setting

    return float(get_setting("likely_duplicate_min_score"))

def refresh_blocking_keys(company):
    """Rewrite the CompanyBlockingKey rows of one company (after create or a name change)."""
    from crmctl.storage.models import CompanyBlockingKey

    CompanyBlockingKey.delete().where(CompanyBlockingKey.company == company.id).execute()
    keys = blocking_keys_of_name_key(company.name_key)
    CompanyBlockingKey.insert_many(
        [(company.id, key) for key in keys], fields=[CompanyBlockingKey.company, CompanyBlockingKey.key]
    ).execute()


def blocked_company_ids(keys, cap=BLOCKING_KEY_CAP):
    """Ids of companies sharing a key, one round trip; a key with more than `cap` postings is skipped."""
    from crmctl.storage.connection import database_proxy

    keys = list(keys)
    if not keys:
        return set()
    database = database_proxy.obj
    param = database.param
    parts = [
        f"SELECT * FROM (SELECT key_text, company_id FROM "
        f"(SELECT {_quoted(database, 'key')} AS key_text, company_id FROM company_blocking_key "
        f"WHERE {_quoted(database, 'key')} = {param} LIMIT {cap + 1}) AS inner{i}) AS block{i}"
        for i in range(len(keys))
    ]
    cursor = database.execute_sql(" UNION ALL ".join(parts), keys)
    postings = {}
    for key, company_id in cursor.fetchall():
        postings.setdefault(key, []).append(company_id)
    found = set()
    for ids in postings.values():
        if len(ids) <= cap:
            found.update(ids)
    return found


def _quoted(database, identifier):
    opening, closing = database.quote
    return f"{opening}{identifier}{closing}"


def _sort(candidates):
    return sorted(candidates, key=lambda c: (not c.exact, -c.score, _number(c.id)))


def _number(typed):
    return int(typed[1:])


def company_candidates(name=None, website_key=None, linkedin_key=None, country=None, exclude_id=None,
                       min_score=None):
    """Existing companies that a company with these values would duplicate, best first.

    Exact ones (website or LinkedIn key equal) come first with score 100; then
    likely ones whose name scores at least `min_score` (default: the setting
    `likely_duplicate_min_score`). Each candidate's reasons name the field, the
    normalised values and the rule.
    """
    from crmctl.kinds.ids import typed_id
    from crmctl.storage.models import Company

    found = {}

    def candidate_for(company):
        candidate = found.get(company.id)
        if candidate is None:
            candidate = Candidate(typed_id("company", company.id), "company", company.name, 0.0, [], False)
            found[company.id] = candidate
        return candidate

    exact_clauses = []
    if website_key:
        exact_clauses.append(Company.website_key == website_key)
    if linkedin_key:
        exact_clauses.append(Company.linkedin_key == linkedin_key)
    for clause in exact_clauses:
        query = Company.select(Company.id, Company.name, Company.website_key, Company.linkedin_key).where(clause)
        if exclude_id is not None:
            query = query.where(Company.id != exclude_id)
        for company in query:
            candidate = candidate_for(company)
            candidate.exact = True
            candidate.score = 100.0
            if website_key and company.website_key == website_key:
                reason = f"website {website_key} = {company.website_key} (exact)"
            else:
                reason = f"linkedin {linkedin_key} = {company.linkedin_key} (exact)"
            if reason not in candidate.reasons:
                candidate.reasons.append(reason)

    if name is not None and str(name).strip():
        from crmctl.rules.names import company_name_key

        name_key = company_name_key(name)
        threshold = likely_min_score() if min_score is None else float(min_score)
        columns = (Company.id, Company.name, Company.name_key, Company.country)
        same_name = Company.select(*columns).where(Company.name_key == name_key)
        if exclude_id is not None:
            same_name = same_name.where(Company.id != exclude_id)
        companies = {c.id: c for c in same_name.limit(SAME_NAME_LIMIT)}
        blocked = blocked_company_ids(blocking_keys_of_name_key(name_key)) - set(companies)
        blocked.discard(exclude_id)
        if blocked:
            from playhouse.shortcuts import chunked

            for chunk in chunked(sorted(blocked), 500):
                for company in Company.select(*columns).where(Company.id.in_(chunk)):
                    companies[company.id] = company
        for company in companies.values():
            score, rule, note = company_score(name_key, company.name_key, country, company.country)
            if score < threshold:
                continue
            candidate = candidate_for(company)
            candidate.score = max(candidate.score, score)
            candidate.reasons.append(name_reason(name_key, company.name_key, score, rule, country, company.country,
                                                 note))
    return _sort(found.values())



def lead_candidates(linkedin_key=None, email_keys=(), phone_keys=(), exclude_id=None):
    """Existing leads sharing a LinkedIn profile, an email or a phone (all exact), best first."""
    from crmctl.kinds.ids import typed_id
    from crmctl.storage.models import Contact, Lead

    wanted = []
    if linkedin_key:
        wanted.append(("linkedin", linkedin_key))
    wanted += [("email", key) for key in email_keys or () if key]
    wanted += [("phone", key) for key in phone_keys or () if key]
    found = {}
    for source, key in wanted:
        query = (
            Contact.select(Contact.lead, Contact.match_key, Lead.full_name)
            .join(Lead, on=(Contact.lead == Lead.id))
            .where((Contact.source == source) & (Contact.match_key == key))
        )
        if exclude_id is not None:
            query = query.where(Contact.lead != exclude_id)
        for lead_id, match_key, full_name in query.tuples():
            candidate = found.get(lead_id)
            if candidate is None:
                candidate = Candidate(typed_id("lead", lead_id), "lead", full_name, 100.0, [], True)
                found[lead_id] = candidate
            candidate.reasons.append(f"{source} {key} = {match_key} (exact)")
    return _sort(found.values())
