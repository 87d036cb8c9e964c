"""Existing records that new records would duplicate, for a whole batch at once, through indexes.

A company is an *exact* duplicate when its website key or LinkedIn key equals
an existing one's (the unique indexes make those impossible to store), a
*likely* one when it scores at least `likely_duplicate_min_score` and a
*possible* one (reported, not refused: an acronym, a score just under the
likely band) when it scores at least `possible_duplicate_min_score`
(`crmctl.dedup.evidence.compare_companies`) against a company that shares a
blocking key with it (`crmctl.dedup.keys`) or has the same name; a company's
aliases count as its names. Leads, duplicates by their LinkedIn profile, an
email or a phone, are matched in `crmctl.dedup.lead_candidates`.

A matcher is built once per command: it reads the threshold from the settings
it is given and writes its SQL text once, so the per-check work is a few
prepared statements and the scoring. For a chunk of rows it issues two
statements, never one per row: every key look-up at once (exact web keys,
blocking keys, same names and aliases: `crmctl.dedup.keyed_rows`), then the
companies found (in a big batch, first the names of those met only through
two-typo keys). Rows of the batch are matched against each other too, so a
file that holds the same company twice is caught.
"""
from dataclasses import dataclass, field

from crmctl.dedup.evidence import CompanyFacts, compare_companies
from crmctl.dedup.keys import (BLOCKING_KEY_CAP, TWO_TYPO_KEY_CAP, name_forms, name_forms_of_many,
                               owners_within_two_typos, probe_key_sets, stored_keys)
from crmctl.dedup.keyed_rows import KeyedRows, MatcherSql, chunks
from crmctl.kinds.registry import COMPANY
from crmctl.storage.connection import database_proxy

SAME_NAME_LIMIT = 100
# Companies met only through two-typo keys in one chunk: above this many, their name keys are read
# first and only those within two edits are read whole (a big batch); below, all are read whole at once.
LIGHT_READ_MIN = 500
# Rows looked up together.
CHUNK_ROWS = 200
# Companies whose name forms one `find` keeps for that light read: the same companies under a common
# two-typo key ("... logistics") come back chunk after chunk (1.3 million reads of 467,000 companies in
# the bench's batch of 20,000 at 1,000,000), so each is read once; about 160 bytes each, 80 MB when full
# (at 300,000 that batch cleared them once and read 764,000). A big batch runs inside its write
# transaction, where its own countries' names are locked; a company of another country renamed by another
# process meanwhile is filtered by the name it had when first read, as any read a moment earlier would be.
FAR_FORMS_KEPT = 500_000


@dataclass
class Candidate:
    """One record that a new or given record may duplicate: stored (`id`) or earlier in the batch (`row`)."""

    id: str
    kind: str
    name: str
    score: float
    reasons: list = field(default_factory=list)
    exact: bool = False
    row: int = None  # index of an earlier row of the same batch, when the match is not stored yet
    band: str = None  # exact, likely or possible: set by the matcher from the score

    def to_dict(self):
        return {"id": self.id, "kind": self.kind, "name": self.name, "score": self.score,
                "band": self.band or ("exact" if self.exact else "likely"), "reasons": list(self.reasons)}


@dataclass(frozen=True)
class CompanyLookup:
    """What a company is matched by: its normalised name, web keys and country."""

    name_key: str = None
    website_key: str = None
    linkedin_key: str = None
    country: str = None


def comparison_reason(left_key, right_key, comparison, left_country=None, right_country=None, alias=False):
    """One line saying which names matched, by which rule, and what raised or lowered the score."""
    right = f"alias {right_key!r}" if alias else repr(right_key)
    if comparison.rule == "same normalised name" and not comparison.notes:
        where = f" in {left_country or right_country}" if (left_country or right_country) else ""
        return f"name {left_key!r} ~ {right}{where} (same normalised name)"
    text = f"name {left_key!r} ~ {right} score {comparison.score:g} ({comparison.rule})"
    return "; ".join([text, *comparison.notes])


def best_first(candidates):
    return sorted(candidates, key=lambda c: (not c.exact, -c.score, c.row if c.id is None else int(c.id[1:])))


def _names_of(stored):
    """The name key and alias name keys of a stored company as `CompanyMatcher._companies` reads it."""
    _name, facts, alias_keys = stored
    return [facts.name_key, *alias_keys]


class CompanyMatcher:
    """Finds, for each of many companies, the stored companies and earlier rows it would duplicate."""

    def __init__(self, settings, min_score=None, database=None):
        self.threshold = float(settings["likely_duplicate_min_score"] if min_score is None else min_score)
        self.possible_threshold = min(self.threshold, float(settings["possible_duplicate_min_score"]))
        self.sql = MatcherSql(database or database_proxy.obj)

    def band(self, candidate):
        return "exact" if candidate.exact else "likely" if candidate.score >= self.threshold else "possible"

    def find(self, lookups, exclude_ids=(), within_batch=True):
        """One list of candidates per lookup, best first; `exclude_ids` are never candidates (an edit's own).

        Rows are looked up a chunk at a time; each row's probe keys serve both
        the database look-up and the match against the earlier rows of the batch.
        """
        lookups = list(lookups)
        found = [dict() for _ in lookups]  # per row: company id -> Candidate
        earlier_found = [[] for _ in lookups]
        excluded = set(exclude_ids)
        earlier_rows = _EarlierRows(self, lookups) if within_batch and len(lookups) > 1 else None
        far_forms = {}
        for start in range(0, len(lookups), CHUNK_ROWS):
            part = lookups[start:start + CHUNK_ROWS]
            probes = {i: probe_key_sets(l.name_key) for i, l in enumerate(part) if l.name_key}
            self._look_up(part, found[start:start + CHUNK_ROWS], excluded, probes, far_forms)
            if earlier_rows is not None:
                for offset in range(len(part)):
                    earlier_found[start + offset] = earlier_rows.match(start + offset, probes.get(offset))
        result = [list(candidates.values()) + earlier for candidates, earlier in zip(found, earlier_found)]
        for candidates in result:
            for candidate in candidates:
                candidate.band = self.band(candidate)
        return [best_first(candidates) for candidates in result]

    def _candidate(self, found, company_id, name):
        candidate = found.get(company_id)
        if candidate is None:
            candidate = found[company_id] = Candidate(f"{COMPANY.letter}{company_id}", "company", name, 0.0)
        return candidate

    def _look_up(self, lookups, found, excluded, probes, far_forms):
        """Candidates of one chunk: every key look-up in one statement, then the companies found, read once.

        `far_forms` (company id -> its name forms, () when it has aliases) keeps
        what the light read of earlier chunks found.
        """
        named = [(i, l) for i, l in enumerate(lookups) if l.name_key]
        name_keys = sorted({l.name_key for _i, l in named})
        websites = sorted({l.website_key for l in lookups if l.website_key})
        linkedins = sorted({l.linkedin_key for l in lookups if l.linkedin_key})
        near_rows, far_rows, same_rows, alias_rows, website_rows, linkedin_rows = self.sql.capped_groups([
            KeyedRows("company_blocking_key", "key", "company_id",
                      sorted({k for near, _far in probes.values() for k in near}), BLOCKING_KEY_CAP, sparse=True),
            KeyedRows("company_blocking_key", "key", "company_id",
                      sorted({k for _near, far in probes.values() for k in far}), TWO_TYPO_KEY_CAP, sparse=True),
            KeyedRows("company", "name_key", "id", name_keys, SAME_NAME_LIMIT),
            KeyedRows("company_alias", "name_key", "company_id", name_keys, SAME_NAME_LIMIT),
            KeyedRows("company", "website_key", "id", websites, 1),  # both unique
            KeyedRows("company", "linkedin_key", "id", linkedins, 1),
        ])
        by_website, by_linkedin = dict(website_rows), dict(linkedin_rows)
        exact = {}
        for index, lookup in enumerate(lookups):
            ids = {by_website.get(lookup.website_key), by_linkedin.get(lookup.linkedin_key)} - {None} - excluded
            if ids:
                exact[index] = ids
        postings = {}
        for key, company_id in near_rows + far_rows:
            postings.setdefault(key, []).append(company_id)
        same_name = {}
        for name_key, company_id in same_rows + alias_rows:
            same_name.setdefault(name_key, []).append(company_id)
        wanted = {i for ids in exact.values() for i in ids}
        blocked = {}
        two_typos_only = {}
        posted = postings.keys()
        for index, lookup in named:
            near_keys, far_keys = probes[index]
            ids = set(same_name.get(lookup.name_key, ()))
            for key in near_keys & posted:  # most probes name no stored key: only those that do are walked
                ids.update(postings[key])
            far = set()
            for key in far_keys & posted:
                far.update(postings[key])
            far -= ids
            ids -= excluded
            far -= excluded
            blocked[index], two_typos_only[index] = ids, far
            wanted |= ids
        far_ids = sorted({i for far in two_typos_only.values() for i in far} - wanted)
        if len(far_ids) > LIGHT_READ_MIN:
            # In a big batch most companies met only through two-typo keys are more than two edits
            # away: reading their name keys first and only the near ones whole costs less. One with
            # aliases is read whole (an alias may be the near name).
            self._read_far_forms(far_ids, far_forms)
            for index, lookup in named:
                far = two_typos_only[index]
                light = [(company_id, form) for company_id in far for form in far_forms.get(company_id, ())]
                # Read whole: a company with aliases, or one the light read did not find (removed since its
                # key was read: then dropped), or one near another row of the chunk (read whole anyway).
                two_typos_only[index] = {company_id for company_id in far if not far_forms.get(company_id)}
                two_typos_only[index] |= owners_within_two_typos(name_forms(lookup.name_key), light)
        companies = self._companies(sorted(wanted | {i for far in two_typos_only.values() for i in far}))
        # A company met only through two-typo keys is scored when one of its names is within two edits.
        forms = name_forms_of_many(name_key for far in two_typos_only.values() for company_id in far
                                   if company_id in companies for name_key in _names_of(companies[company_id]))
        for index, lookup in named:
            blocked[index] |= owners_within_two_typos(name_forms(lookup.name_key), [
                (company_id, form) for company_id in two_typos_only[index] if company_id in companies
                for name_key in _names_of(companies[company_id]) for form in forms[name_key]])
        for index, ids in exact.items():
            self._mark_exact(lookups[index], found[index], ids, companies)
        for index, lookup in named:
            self._score_by_name(lookup, found[index], blocked[index], companies)

    def _mark_exact(self, lookup, found, ids, companies):
        """The companies holding the look-up's website or LinkedIn key: exact duplicates, with the key as reason."""
        for company_id in sorted(ids):
            stored = companies.get(company_id)
            if stored is None:  # removed since its key was read (a check outside a transaction)
                continue
            name, facts, _aliases = stored
            candidate = self._candidate(found, company_id, name)
            candidate.exact, candidate.score = True, 100.0
            for what, key, stored_key in (("website", lookup.website_key, facts.website_key),
                                          ("linkedin", lookup.linkedin_key, facts.linkedin_key)):
                if key and key == stored_key:
                    candidate.reasons.append(f"{what} {key} = {stored_key} (exact)")

    def _score_by_name(self, lookup, found, blocked, companies):
        """Score the look-up against each company its name keys found; keep those at least possible."""
        typed = CompanyFacts(lookup.name_key, lookup.country, lookup.website_key, lookup.linkedin_key)
        for company_id in blocked:
            stored = companies.get(company_id)
            if stored is None:
                continue
            name, facts, alias_keys = stored
            best, best_key = compare_companies(typed, facts), None
            for alias_key in alias_keys:
                comparison = compare_companies(typed, facts._replace(name_key=alias_key))
                if comparison.score > best.score:
                    best, best_key = comparison, alias_key
            if best.score < self.possible_threshold:
                continue
            candidate = self._candidate(found, company_id, name)
            candidate.score = max(candidate.score, best.score)
            candidate.reasons.append(comparison_reason(lookup.name_key, best_key or facts.name_key, best,
                                                       lookup.country, facts.country, alias=best_key is not None))

    def _read_far_forms(self, ids, far_forms):
        """Add to `far_forms` the companies of `ids` it does not hold yet (all of them when it is full)."""
        unknown = [company_id for company_id in ids if company_id not in far_forms]
        if len(far_forms) + len(unknown) > FAR_FORMS_KEPT:
            far_forms.clear()
            unknown = ids
        names = self._name_keys(unknown)
        forms = name_forms_of_many(name_key for name_key, aliased in names.values() if not aliased)
        for company_id, (name_key, aliased) in names.items():
            far_forms[company_id] = () if aliased else forms[name_key]

    def _name_keys(self, ids):
        """id -> (name key, has aliases) of stored companies, one query a chunk."""
        found = {}
        for part in chunks(ids, 500):
            found.update((company_id, (name_key, bool(aliased))) for company_id, name_key, aliased in self.sql.run(
                "SELECT c.id, c.name_key, EXISTS (SELECT 1 FROM company_alias a WHERE a.company_id = c.id) "
                f"FROM company c WHERE c.id IN ({self.sql.placeholders(len(part))})", part))
        return found

    def _companies(self, ids):
        """id -> (name, CompanyFacts, alias name keys) of stored companies, with their aliases, one query a chunk."""
        companies = {}
        for part in chunks(ids, 500):
            rows = self.sql.run("SELECT c.id, c.name, c.name_key, c.country, c.website_key, c.linkedin_key, "
                                "a.name_key FROM company c LEFT JOIN company_alias a ON a.company_id = c.id "
                                f"WHERE c.id IN ({self.sql.placeholders(len(part))})", part)
            for company_id, name, name_key, country, website, linkedin, alias_key in rows:
                stored = companies.get(company_id)
                if stored is None:
                    stored = companies[company_id] = (name, CompanyFacts(name_key, country, website, linkedin), [])
                if alias_key is not None:
                    stored[2].append(alias_key)
        return companies



class _EarlierRows:
    """The rows of a batch seen so far, indexed as the database is, to match each row against those before it."""

    def __init__(self, matcher, lookups):
        self.matcher, self.lookups = matcher, lookups
        self.by_website, self.by_linkedin, self.by_key = {}, {}, {}

    def match(self, index, probe_sets):
        """The candidates among earlier rows for row `index` (its probe key sets given), then remember the row."""
        lookup, candidates = self.lookups[index], {}

        def candidate(earlier):
            if earlier not in candidates:
                candidates[earlier] = Candidate(None, "company", f"row {earlier + 1}", 0.0, row=earlier)
            return candidates[earlier]

        for key, seen, what in ((lookup.website_key, self.by_website, "website"),
                                (lookup.linkedin_key, self.by_linkedin, "linkedin")):
            if key and key in seen:
                match = candidate(seen[key])
                match.exact, match.score = True, 100.0
                match.reasons.append(f"{what} {key} = row {seen[key] + 1} (exact)")
        if lookup.name_key:
            self._by_name(lookup, probe_sets, candidate)
        self._remember(index, lookup)
        return list(candidates.values())

    def _by_name(self, lookup, probe_sets, candidate):
        # Blocked as the database is: each key kind capped, and a row met only through two-typo keys
        # kept when its forms are within two edits of this one's.
        by_key, lookups = self.by_key, self.lookups
        near_keys, far_keys = probe_sets
        # A crowded key is skipped whole, never walked: in a big batch it holds thousands of rows.
        earlier_rows, far_rows = set(), set()
        for keys, rows_found, cap in ((near_keys, earlier_rows, BLOCKING_KEY_CAP),
                                      (far_keys, far_rows, TWO_TYPO_KEY_CAP)):
            for key in keys & by_key.keys():
                rows = by_key[key]
                if len(rows) <= cap:
                    rows_found.update(rows)
        far_rows -= earlier_rows
        earlier_rows |= owners_within_two_typos(name_forms(lookup.name_key), [
            (row, form) for row in far_rows for form in name_forms(lookups[row].name_key)])
        typed = CompanyFacts(lookup.name_key, lookup.country, lookup.website_key, lookup.linkedin_key)
        for earlier in sorted(earlier_rows):
            other = lookups[earlier]
            comparison = compare_companies(typed, CompanyFacts(other.name_key, other.country,
                                                               other.website_key, other.linkedin_key))
            if comparison.score >= self.matcher.possible_threshold:
                match = candidate(earlier)
                match.score = max(match.score, comparison.score)
                match.reasons.append(comparison_reason(lookup.name_key, other.name_key, comparison,
                                                       lookup.country, other.country))

    def _remember(self, index, lookup):
        if lookup.website_key:
            self.by_website.setdefault(lookup.website_key, index)
        if lookup.linkedin_key:
            self.by_linkedin.setdefault(lookup.linkedin_key, index)
        if lookup.name_key:
            for key in stored_keys(lookup.name_key):
                self.by_key.setdefault(key, []).append(index)


def company_candidates(settings, name_key=None, website_key=None, linkedin_key=None, country=None, exclude_id=None,
                       min_score=None):
    """`dedup check` and `edit`: the stored companies one company would duplicate, best first."""
    matcher = CompanyMatcher(settings, min_score=min_score)
    lookup = CompanyLookup(name_key, website_key, linkedin_key, country)
    return matcher.find([lookup], exclude_ids=[exclude_id] if exclude_id else ())[0]
