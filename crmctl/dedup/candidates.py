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
prepared statements and the scoring. For a chunk of rows it issues a bounded
number of queries (exact keys, same names, blocking keys, the blocked
companies), never one per row. Rows of the batch are matched against each
other too, so a file that holds the same company twice is caught.
"""
from dataclasses import dataclass, field

import peewee

from crmctl.dedup.evidence import CompanyFacts, compare_companies
from crmctl.dedup.keys import (BLOCKING_KEY_CAP, TWO_TYPO_KEY_CAP, name_forms, probe_key_sets, stored_keys,
                               within_two_typos)
from crmctl.kinds.registry import COMPANY
from crmctl.storage.connection import database_proxy

SAME_NAME_LIMIT = 100
# Rows looked up together, and keys per statement: SQLite allows at most 500 terms in a UNION.
CHUNK_ROWS = 200
KEYS_PER_QUERY = 499


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


def chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start:start + size]


class MatcherSql:
    """SQL text for one database, written once per matcher and reused for every check."""

    def __init__(self, database):
        self.database = database
        self.param = database.param
        self.quote = database.quote
        self.lateral = isinstance(database, peewee.PostgresqlDatabase)
        self._texts = {}

    def quoted(self, name):
        return f"{self.quote[0]}{name}{self.quote[1]}"

    def placeholders(self, count):
        return ", ".join([self.param] * count)

    def run(self, sql, params):
        return self.database.execute_sql(sql, params).fetchall()

    def capped_groups(self, groups):
        """For each group (table, key column, value column, keys, cap): its (key, value) rows, at most `cap`
        per key, all groups in one statement (SQLite and MySQL: a few when more than KEYS_PER_QUERY keys).

        PostgreSQL takes each group's keys as one array through a LATERAL join,
        a statement it plans once. SQLite and MySQL take a UNION ALL of one
        indexed LIMIT per key.
        """
        found = [[] for _ in groups]
        if self.lateral:
            parts, params = [], []
            for index, (table, key, value, keys, cap) in enumerate(groups):
                if keys:
                    parts.append(f"SELECT {index} AS g, probe.k, hit.v FROM unnest({self.param}::text[]) AS probe(k) "
                                 f"CROSS JOIN LATERAL (SELECT {self.quoted(value)} AS v FROM {table} "
                                 f"WHERE {self.quoted(key)} = probe.k LIMIT {cap}) AS hit")
                    params.append(list(keys))
            if parts:
                for index, key, value in self.run(" UNION ALL ".join(parts), params):
                    found[index].append((key, value))
            return found
        terms = [(index, key) for index, group in enumerate(groups) for key in group[3]]
        described = tuple((table, key, value, cap) for table, key, value, _keys, cap in groups)
        for part in chunks(terms, KEYS_PER_QUERY):
            shape = (described, tuple(index for index, _key in part))
            sql = self._texts.get(shape)
            if sql is None:
                selects = []
                for number, index in enumerate(shape[1]):
                    table, key, value, _keys, cap = groups[index]
                    selects.append(f"SELECT * FROM (SELECT {index} AS g, {self.quoted(key)}, {self.quoted(value)} "
                                   f"FROM {table} WHERE {self.quoted(key)} = {self.param} LIMIT {cap}) AS hit{number}")
                sql = self._texts[shape] = " UNION ALL ".join(selects)
            for index, key, value in self.run(sql, [key for _index, key in part]):
                found[index].append((key, value))
        return found


def _postings(rows, cap, crowded):
    """key -> company ids from (key, company id) rows; keys with more than `cap` postings go to `crowded`."""
    postings = {}
    for key, company_id in rows:
        postings.setdefault(key, []).append(company_id)
    crowded.update(key for key, ids in postings.items() if len(ids) > cap)
    return {key: ids for key, ids in postings.items() if len(ids) <= cap}


class CompanyMatcher:
    """Finds, for each of many companies, the stored companies and earlier rows it would duplicate."""

    def __init__(self, settings, min_score=None, database=None):
        self.threshold = float(settings["likely_duplicate_min_score"] if min_score is None else min_score)
        self.possible_threshold = min(self.threshold, float(settings["possible_duplicate_min_score"]))
        self.sql = MatcherSql(database or database_proxy.obj)
        # Blocking keys seen with more postings than their cap: skipped by every later chunk of the
        # batch (rows are only added meanwhile, so a crowded key stays crowded). In a file of one trade
        # many names end alike ("... plastics"), and their crowded two-typo keys recur row after row.
        self.crowded = set()

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
        for start in range(0, len(lookups), CHUNK_ROWS):
            part = lookups[start:start + CHUNK_ROWS]
            probes = {i: probe_key_sets(l.name_key) for i, l in enumerate(part) if l.name_key}
            self._exact(part, found[start:start + CHUNK_ROWS], excluded)
            self._by_name(part, found[start:start + CHUNK_ROWS], excluded, probes)
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

    def _exact(self, lookups, found, excluded):
        websites = {l.website_key: i for i, l in enumerate(lookups) if l.website_key}
        linkedins = {l.linkedin_key: i for i, l in enumerate(lookups) if l.linkedin_key}
        clauses, params = [], []
        if websites:
            clauses.append(f"website_key IN ({self.sql.placeholders(len(websites))})")
            params += list(websites)
        if linkedins:
            clauses.append(f"linkedin_key IN ({self.sql.placeholders(len(linkedins))})")
            params += list(linkedins)
        if not clauses:
            return
        rows = self.sql.run(f"SELECT id, name, website_key, linkedin_key FROM company WHERE {' OR '.join(clauses)}",
                            params)
        for company_id, name, website_key, linkedin_key in rows:
            if company_id in excluded:
                continue
            for index, lookup in enumerate(lookups):
                reasons = []
                if lookup.website_key and lookup.website_key == website_key:
                    reasons.append(f"website {lookup.website_key} = {website_key} (exact)")
                if lookup.linkedin_key and lookup.linkedin_key == linkedin_key:
                    reasons.append(f"linkedin {lookup.linkedin_key} = {linkedin_key} (exact)")
                if reasons:
                    candidate = self._candidate(found[index], company_id, name)
                    candidate.exact, candidate.score = True, 100.0
                    candidate.reasons += [r for r in reasons if r not in candidate.reasons]

    def _by_name(self, lookups, found, excluded, probes):
        named = [(i, l) for i, l in enumerate(lookups) if l.name_key]
        if not named:
            return
        name_keys = sorted({l.name_key for _i, l in named})
        crowded = self.crowded
        near_rows, far_rows, same_rows, alias_rows = self.sql.capped_groups([
            ("company_blocking_key", "key", "company_id",
             sorted({k for near, _far in probes.values() for k in near} - crowded), BLOCKING_KEY_CAP + 1),
            ("company_blocking_key", "key", "company_id",
             sorted({k for _near, far in probes.values() for k in far} - crowded), TWO_TYPO_KEY_CAP + 1),
            ("company", "name_key", "id", name_keys, SAME_NAME_LIMIT),
            ("company_alias", "name_key", "company_id", name_keys, SAME_NAME_LIMIT),
        ])
        postings = _postings(near_rows, BLOCKING_KEY_CAP, crowded)
        postings.update(_postings(far_rows, TWO_TYPO_KEY_CAP, crowded))
        same_name = {}
        for name_key, company_id in same_rows + alias_rows:
            same_name.setdefault(name_key, []).append(company_id)
        wanted = set()
        blocked = {}
        two_typos_only = {}
        for index, lookup in named:
            near_keys, far_keys = probes[index]
            ids = set(same_name.get(lookup.name_key, ()))
            for key in near_keys:
                ids.update(postings.get(key, ()))
            far = set()
            for key in far_keys:
                far.update(postings.get(key, ()))
            far -= ids
            ids -= excluded
            far -= excluded
            blocked[index], two_typos_only[index] = ids, far
            wanted |= ids
        # A company met only through two-typo keys is read whole when its name (or, having aliases, it
        # might be an alias) is within two edits of the look-up's: most are not, and reading just
        # their name keys first costs less than reading them whole.
        far_names = self._name_keys(sorted({i for far in two_typos_only.values() for i in far} - wanted))
        for index, lookup in named:
            forms = name_forms(lookup.name_key)
            near_enough = {company_id for company_id in two_typos_only[index]
                           if company_id in wanted or company_id not in far_names
                           or far_names[company_id][1] or within_two_typos(forms, far_names[company_id][0])}
            two_typos_only[index] = near_enough
            blocked[index] |= near_enough
            wanted |= near_enough
        companies = self._companies(sorted(wanted))
        for index, lookup in named:
            typed = CompanyFacts(lookup.name_key, lookup.country, lookup.website_key, lookup.linkedin_key)
            forms = name_forms(lookup.name_key)
            for company_id in blocked[index]:
                stored = companies.get(company_id)
                if stored is None:
                    continue
                name, facts, alias_keys = stored
                if company_id in two_typos_only[index] and not any(
                        within_two_typos(forms, key) for key in [facts.name_key, *alias_keys]):
                    continue
                best, best_key = compare_companies(typed, facts), None
                for alias_key in alias_keys:
                    comparison = compare_companies(typed, facts._replace(name_key=alias_key))
                    if comparison.score > best.score:
                        best, best_key = comparison, alias_key
                if best.score < self.possible_threshold:
                    continue
                candidate = self._candidate(found[index], company_id, name)
                candidate.score = max(candidate.score, best.score)
                candidate.reasons.append(comparison_reason(lookup.name_key, best_key or facts.name_key, best,
                                                           lookup.country, facts.country, alias=best_key is not None))

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
        earlier_rows = {row for key in near_keys for row in by_key.get(key, ())
                        if len(by_key[key]) <= BLOCKING_KEY_CAP}
        forms = name_forms(lookup.name_key)
        earlier_rows |= {row for key in far_keys if len(by_key.get(key, ())) <= TWO_TYPO_KEY_CAP
                         for row in by_key.get(key, ())
                         if row not in earlier_rows and within_two_typos(forms, lookups[row].name_key)}
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
