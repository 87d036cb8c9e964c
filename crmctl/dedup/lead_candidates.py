"""Existing leads that new leads would duplicate: the same LinkedIn profile, email or phone (SPEC §5).

Lead duplicates are exact keys only, so a batch is matched in a bounded number
of queries per chunk of rows (`crmctl.dedup.candidates.CHUNK_ROWS`) and
against the earlier rows of the same batch, with the company matcher's
Candidate and SQL helpers.
"""
from crmctl.dedup.candidates import CHUNK_ROWS, Candidate, best_first
from crmctl.dedup.keyed_rows import MatcherSql
from crmctl.kinds.registry import LEAD
from crmctl.storage.connection import database_proxy


class LeadMatcher:
    """Finds the stored leads and earlier rows that share a LinkedIn profile, an email or a phone."""

    def __init__(self, database=None):
        self.sql = MatcherSql(database or database_proxy.obj)

    def find(self, identities, exclude_ids=(), within_batch=True):
        """`identities`: per row a list of (source, match key); one list of candidates per row, best first."""
        identities = [list(pairs) for pairs in identities]
        result = [dict() for _ in identities]
        excluded = set(exclude_ids)
        for start in range(0, len(identities), CHUNK_ROWS):
            part = identities[start:start + CHUNK_ROWS]
            by_source = {}
            for pairs in part:
                for source, key in pairs:
                    by_source.setdefault(source, set()).add(key)
            clauses, params = [], []
            for source, keys in sorted(by_source.items()):
                clauses.append(f"(c.source = {self.sql.param} AND c.match_key IN ({self.sql.placeholders(len(keys))}))")
                params += [source] + sorted(keys)
            if not clauses:
                continue
            rows = self.sql.run("SELECT c.lead_id, c.source, c.match_key, l.full_name FROM contact c "
                                f"JOIN lead l ON l.id = c.lead_id WHERE {' OR '.join(clauses)}", params)
            for lead_id, source, match_key, full_name in rows:
                if lead_id in excluded:
                    continue
                for offset, pairs in enumerate(part):
                    if (source, match_key) in pairs:
                        found = result[start + offset]
                        candidate = found.get(lead_id)
                        if candidate is None:
                            candidate = found[lead_id] = Candidate(f"{LEAD.letter}{lead_id}", "lead", full_name, 100.0,
                                                                   exact=True)
                        candidate.reasons.append(f"{source} {match_key} = {match_key} (exact)")
        candidates = [list(found.values()) for found in result]
        if within_batch:
            seen = {}
            for index, pairs in enumerate(identities):
                earlier = {}
                for pair in pairs:
                    if pair in seen:
                        match = earlier.setdefault(seen[pair], Candidate(None, "lead", f"row {seen[pair] + 1}", 100.0,
                                                                          exact=True, row=seen[pair]))
                        match.reasons.append(f"{pair[0]} {pair[1]} = row {seen[pair] + 1} (exact)")
                candidates[index].extend(earlier.values())
                for pair in pairs:
                    seen.setdefault(pair, index)
        return [best_first(found) for found in candidates]


def lead_candidates(linkedin_key=None, email_keys=(), phone_keys=(), exclude_id=None):
    """`dedup check`: the stored leads sharing a LinkedIn profile, an email or a phone, best first."""
    pairs = ([("linkedin", linkedin_key)] if linkedin_key else []) + [("email", k) for k in email_keys if k] \
        + [("phone", k) for k in phone_keys if k]
    return LeadMatcher().find([pairs], exclude_ids=[exclude_id] if exclude_id else ())[0]
