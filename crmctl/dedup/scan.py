"""`dedup scan`: clusters of likely duplicate companies over the whole database, for a person to review.

Pairs come from what the database holds, read as streams (`streamed_rows`):

- the stored blocking keys (`company_blocking_key`, `crmctl.dedup.keys`), in
  key order, one block of companies per key. Keys with more than
  `BLOCKING_KEY_CAP` postings are skipped, as the look-up skips them, and so
  are acronym keys (`ACRONYM_KEY_MARK`): an acronym is a possible duplicate,
  never a likely one. Inside a block a pair goes on only when its names are
  within the edit distance that can still score `min_score`
  (`names_within_reach`), so the many pairs a crowded key holds cost a
  bounded edit distance each, not a comparison;
- one letter more or less: a stored key carries its form's length (the
  look-up probes the neighbouring lengths), so two names one inserted or
  dropped letter apart share none; the scan looks each name's one-letter
  deletions up among the names (`Scan.add_one_letter_apart`);
- the same compact form: the same normalised name is joined directly in one
  country (a company of no known country joins any), never compared pair by
  pair; the same letters spaced or transliterated otherwise are compared;
- a shared domain label (`evidence.possible_domain_labels`), in any
  countries: a pair whose names alone fall short may be raised by its
  websites, so it is compared too.

Two companies in different countries score at most min_score - 20 by their
names (`evidence.DIFFERENT_COUNTRY_PENALTY`), so only their websites can make
them likely: the scan compares such a pair only when their websites share a
label. A LinkedIn slug (`evidence.linkedin_note`) raises a pair found any of
these ways; it finds none by itself.

Each pair is compared once with `crmctl.dedup.evidence.compare_companies`, the
comparison the look-up uses. A fuzzy pair whose names differ in two words other
names use too (`differs_in_common_words`) is not a link unless its websites or
LinkedIn pages agree. Pairs joined by a rule other than "fuzzy" (spacing,
transliteration, word order with evidence, generic words) join first; then
fuzzy links, best first, join two clusters only when every pair across them
scores at least `min_score` (complete linkage), so a chain of typos (Torzor ~
Torcor ~ Zorcor) does not make one cluster of different companies.

Memory: each scanned company's country and compact texts, the candidate pairs
(one integer each), and the websites and LinkedIn keys of the companies in
candidate pairs only.
"""
from collections import Counter

from rapidfuzz import process
from rapidfuzz.distance import OSA

from crmctl.dedup.evidence import Comparison, CompanyFacts, compare_companies, possible_domain_labels
from crmctl.dedup.keys import (ACRONYM_KEY_MARK, BLOCKING_KEY_CAP, DESCRIPTOR_WORDS, compact, core_name_key,
                               sorted_name_key, stored_keys)

# A word used by at least this many different names in the scanned database is a
# word of its own: two such words one letter apart ("jensen"/"jansen",
# "eastern"/"western", "torzor"/"torcor") name different companies, while a typo
# makes a word that hardly any other name uses.
COMMON_WORD_MIN_NAMES = 2
# ... unless one of them is used by far fewer names than the other: the same typo
# of a word that many names use ("automation" -> "automaion") is made more than once.
COMMON_WORD_MIN_SHARE = 0.1
# Rules whose links join clusters directly; any other (fuzzy, acronym, numbers) needs complete linkage.
FUZZY_RULES = frozenset({"fuzzy", "acronym", "numbers differ"})
# Blocks up to this size compare their pairs one by one; larger ones query each name against the block
# (one rapidfuzz call over the block's texts).
SMALL_BLOCK = 4
SAME_NAME = Comparison(100.0, "same normalised name", ())


def _words(name_key):
    return [token for token in name_key.split(" ") if token != "and"]


def differs_in_common_words(left_key, right_key, word_counts, min_names=COMMON_WORD_MIN_NAMES):
    """True when two names of as many words differ, word for word, in a pair of common words.

    `word_counts` maps a word to the number of different names using it. Names
    whose words do not line up (other counts, spacing) are not judged here.
    """
    pairs = ((left_key, right_key), (core_name_key(left_key), core_name_key(right_key)))
    for left, right in pairs:
        left_words, right_words = _words(left), _words(right)
        if len(left_words) != len(right_words):
            continue
        for left_word, right_word in zip(left_words, right_words):
            if left_word == right_word:
                continue
            fewer, more = sorted((word_counts.get(left_word, 0), word_counts.get(right_word, 0)))
            if fewer >= min_names and fewer >= COMMON_WORD_MIN_SHARE * more:
                return True
        return False
    return False


def company_texts(name_key):
    """(whole, ordered, core): the texts `crmctl.dedup.scoring.name_similarity` compares a name by. Its compact
    form; its words in sorted order (the same object as `whole` when they are in order); its compact form
    without trailing generic words (None when it has none)."""
    whole = compact(name_key)
    if " " not in name_key:
        return whole, whole, None
    ordered = compact(sorted_name_key(name_key))
    core = compact(core_name_key(name_key)) if name_key.rpartition(" ")[2] in DESCRIPTOR_WORDS else None
    return whole, whole if ordered == whole else ordered, core if core != whole else None


def within_reach(left, right, slack):
    """Whether two texts are close enough to score at least 100 * (1 - slack): name_similarity's edit score
    is 100 * (1 - d / (n + 1)) for an edit distance d and the longer length n."""
    limit = slack * ((len(left) if len(left) > len(right) else len(right)) + 1)
    return OSA.distance(left, right, score_cutoff=int(limit)) <= limit


def names_within_reach(left, right, slack):
    """Whether two companies' names ((country, *`company_texts`)) could score at least 100 * (1 - slack): their whole forms are
    within reach, or their sorted words are equal, or one's whole form is within reach of the other's
    sorted words or core. (Two cores or two sorted forms near but not equal, a typo on top of another
    difference, are left out: they would cost more comparisons for every pair.)"""
    _, left_whole, left_ordered, left_core = left
    _, right_whole, right_ordered, right_core = right
    return (within_reach(left_whole, right_whole, slack) or left_ordered == right_ordered
            or (left_ordered is not left_whole and within_reach(left_ordered, right_whole, slack))
            or (right_ordered is not right_whole and within_reach(left_whole, right_ordered, slack))
            or (left_core is not None and within_reach(left_core, right_whole, slack))
            or (right_core is not None and within_reach(left_whole, right_core, slack)))


class _Clusters:
    """Clusters of company ids with their members and the weakest link that joined each."""

    def __init__(self):
        self.parent = {}
        self.members = {}
        self.weakest = {}

    def find(self, item):
        parent = self.parent
        root = item
        while parent.get(root, root) != root:
            root = parent[root]
        while item != root:
            parent[item], item = root, parent[item]
        return root

    def group(self, root):
        return self.members.get(root) or [root]

    def join(self, left, right, score):
        left_root, right_root = self.find(left), self.find(right)
        weakest = min(score, self.weakest.get(left_root, 100.0), self.weakest.get(right_root, 100.0))
        if left_root != right_root:
            if len(self.group(left_root)) < len(self.group(right_root)):
                left_root, right_root = right_root, left_root
            self.parent[right_root] = left_root
            self.members[left_root] = self.group(left_root) + self.group(right_root)
            self.members.pop(right_root, None)
            self.weakest.pop(right_root, None)
        self.weakest[left_root] = weakest

    def clusters(self):
        """(members, weakest link) of every cluster of two or more."""
        return [(members, self.weakest.get(root, 100.0)) for root, members in self.members.items()]


class Scan:
    """One scan. It is given every company (`add_company`) and the blocks of stored keys (`add_block`),
    keeping in memory only each company's country and texts and the candidate pairs (one integer each:
    the smaller id shifted left 32 bits, plus the larger); `clusters` then scores those pairs.

    Pairs of companies in two different countries are kept only when their websites share a label:
    their names alone score at most min_score - 20 (`evidence.DIFFERENT_COUNTRY_PENALTY`).
    """

    def __init__(self, min_score):
        self.min_score = float(min_score)
        self.slack = max(0.0, 1.0 - self.min_score / 100.0)
        self.entries = []  # by id: (country, whole, ordered, core), None for an id not scanned
        self.by_text = {}  # whole -> id, or a list of ids
        self.labels = []  # (32 bits of a possible domain label's hash) << 32 | id
        self.word_counts = Counter()
        self.candidates = set()
        self.same_text = []
        self._countries = {}

    def add_company(self, company_id, name_key, country, website_key=None):
        country = self._countries.setdefault(country, country)  # one string per code: `is` compares them
        entries = self.entries
        if company_id >= len(entries):
            entries.extend([None] * (company_id + 1 - len(entries) + len(entries) // 8))
        whole, ordered, core = company_texts(name_key)
        entries[company_id] = (country, whole, ordered, core)
        found = self.by_text.get(whole)
        if found is None:
            self.by_text[whole] = company_id
            self.word_counts.update(set(_words(name_key)))  # each name once (names spaced otherwise too)
        elif isinstance(found, list):
            found.append(company_id)
        else:
            self.by_text[whole] = [found, company_id]
        if website_key:  # a collision of two labels' hashes costs one needless comparison
            self.labels += [(hash(label) & 0xFFFFFFFF) << 32 | company_id
                            for label in possible_domain_labels(website_key)]

    def entry(self, company_id):
        entries = self.entries
        return entries[company_id] if company_id < len(entries) else None

    def _candidate(self, left, right):
        entries = self.entries
        left_country, right_country = entries[left][0], entries[right][0]
        if left_country is right_country or left_country is None or right_country is None:
            self.candidates.add((left << 32 | right) if left < right else (right << 32 | left))

    def add_block(self, members):
        """A block of company ids that share a stored key: keep the pairs of one country within reach of min_score."""
        entries = self.entries
        if len(members) == 2:  # most blocks: no grouping needed
            left, right = members
            left_entry, right_entry = self.entry(left), self.entry(right)
            if (left_entry is not None and right_entry is not None
                    and (left_entry[0] is right_entry[0] or left_entry[0] is None or right_entry[0] is None)
                    and names_within_reach(left_entry, right_entry, self.slack)):
                self.candidates.add((left << 32 | right) if left < right else (right << 32 | left))
            return
        by_country = {}
        for member in members:
            entry = entries[member] if member < len(entries) else None
            if entry is not None:  # else a company not scanned (another country)
                by_country.setdefault(entry[0], []).append(member)
        unknown = by_country.pop(None, [])
        for country_members in by_country.values():
            if len(country_members) + len(unknown) > 1:
                self._add_near_pairs(country_members + unknown)
        if len(unknown) > 1:
            self._add_near_pairs(unknown)

    def _add_near_pairs(self, members):
        entries, slack, candidates = self.entries, self.slack, self.candidates
        texts = [entries[member] for member in members]
        count = len(members)
        if count <= SMALL_BLOCK:
            for i in range(count - 1):
                for j in range(i + 1, count):
                    if names_within_reach(texts[i], texts[j], slack):
                        left, right = members[i], members[j]
                        candidates.add((left << 32 | right) if left < right else (right << 32 | left))
            return
        choices, owners, by_ordered = [], [], {}
        for member, (_country, whole, ordered, core) in zip(members, texts):
            for text in (whole, ordered if ordered is not whole else None, core):
                if text is not None:
                    choices.append(text)
                    owners.append(member)
            by_ordered.setdefault(ordered, []).append(member)
        reach = slack / (1 - slack) if slack < 1 else 10 ** 6
        for member, (_country, whole, _ordered, _core) in zip(members, texts):
            length = len(whole)
            for text, distance, index in process.extract(whole, choices, scorer=OSA.distance,
                                                         score_cutoff=int(reach * (length + 1)), limit=None):
                if distance <= slack * ((length if length > len(text) else len(text)) + 1):
                    other = owners[index]
                    if other != member:
                        candidates.add((member << 32 | other) if member < other else (other << 32 | member))
        for same in by_ordered.values():  # the same words in another order
            for i, left in enumerate(same[:-1]):
                for right in same[i + 1:]:
                    candidates.add((left << 32 | right) if left < right else (right << 32 | left))

    def add_one_letter_apart(self):
        """Pairs of names one inserted or dropped letter apart: each whole form's deletions looked up."""
        if not self.slack:
            return
        shortest = 1 / self.slack - 1 - 1e-9  # one edit in n letters scores 100 * (1 - 1 / (n + 1))
        by_text, candidate = self.by_text, self._candidate
        get = by_text.get
        for text, ids in by_text.items():
            if len(text) < shortest:
                continue
            for position in range(len(text)):
                others = get(text[:position] + text[position + 1:])
                if others is None:
                    continue
                for left in ids if isinstance(ids, list) else (ids,):
                    for right in others if isinstance(others, list) else (others,):
                        candidate(left, right)

    def close_blocks(self):
        """After the last block: keep the groups of companies of one country (or none) that share a whole form
        (the same name, or one spaced or transliterated otherwise), and let go of the names."""
        entries = self.entries
        for ids in self.by_text.values():
            if isinstance(ids, list):
                by_country = {}
                for company_id in ids:
                    by_country.setdefault(entries[company_id][0], []).append(company_id)
                unknown = by_country.pop(None, [])
                self.same_text += [group + unknown for group in by_country.values() if len(group) + len(unknown) > 1]
                if len(unknown) > 1 and not by_country:
                    self.same_text.append(unknown)
        self.entries = self.by_text = None

    def add_label_groups(self, cap=BLOCKING_KEY_CAP):
        """Pairs of companies whose websites share a label (any countries): the websites may raise them."""
        labels, self.labels = self.labels, None
        labels.sort()
        start = 0
        for end in range(1, len(labels) + 1):
            if end == len(labels) or labels[end] >> 32 != labels[start] >> 32:
                if 1 < end - start <= cap:
                    ids = [packed & 0xFFFFFFFF for packed in labels[start:end]]
                    for i, left in enumerate(ids[:-1]):
                        for right in ids[i + 1:]:
                            if left != right:
                                self.candidates.add((left << 32 | right) if left < right else (right << 32 | left))
                start = end

    def pair_ids(self):
        """The ids of every company a cluster may hold: those of candidate pairs and of shared whole forms."""
        ids = {company_id for pair in self.candidates for company_id in (pair >> 32, pair & 0xFFFFFFFF)}
        ids.update(company_id for group in self.same_text for company_id in group)
        return ids

    def clusters(self, facts):
        """[(ids, weakest score, {pair: Comparison})], the candidate pairs scored with `facts` (id -> CompanyFacts)."""
        min_score, clusters, scored = self.min_score, _Clusters(), {}
        for group in self.same_text:
            by_name = {}
            for company_id in group:
                by_name.setdefault(facts[company_id].name_key, []).append(company_id)
            for ids in by_name.values():
                for left, right in _same_name_links(ids, facts):
                    scored[(left, right) if left < right else (right, left)] = SAME_NAME
                    clusters.join(left, right, 100.0)
            if len(by_name) > 1:  # spaced or transliterated otherwise: compared as any pair
                for i, left in enumerate(group[:-1]):
                    for right in group[i + 1:]:
                        self.candidates.add((left << 32 | right) if left < right else (right << 32 | left))

        def compared(left, right):
            pair = (left, right) if left < right else (right, left)
            comparison = scored.get(pair)
            if comparison is None:
                comparison = scored[pair] = self._comparison(facts[pair[0]], facts[pair[1]])
            return comparison

        fuzzy = []
        for pair in sorted(self.candidates):
            left, right = pair >> 32, pair & 0xFFFFFFFF
            if facts[left].name_key == facts[right].name_key:
                continue  # the same name: joined above when the countries allow it
            comparison = compared(left, right)
            if comparison.score < min_score:
                continue
            if comparison.rule in FUZZY_RULES:
                fuzzy.append((-comparison.score, left, right))
            else:
                clusters.join(left, right, comparison.score)
        self.candidates = None
        fuzzy.sort()
        for negative_score, left, right in fuzzy:
            left_root, right_root = clusters.find(left), clusters.find(right)
            if left_root != right_root and all(
                    compared(a, b).score >= min_score
                    for a in clusters.group(left_root) for b in clusters.group(right_root)):
                clusters.join(left, right, -negative_score)
        found = []
        for members, weakest in clusters.clusters():
            members = sorted(members)
            pairs = {(a, b): scored[(a, b)] for i, a in enumerate(members) for b in members[i + 1:]
                     if (a, b) in scored and scored[(a, b)].score >= min_score}
            found.append((members, weakest, pairs))
        return found

    def _comparison(self, left, right):
        if left.name_key == right.name_key:
            return compare_companies(left, right)
        comparison = compare_companies(left, right)
        if (comparison.rule == "fuzzy" and comparison.score >= self.min_score
                and not any("(+" in note for note in comparison.notes)
                and differs_in_common_words(left.name_key, right.name_key, self.word_counts)):
            note = f"names differ in words other names use too (at most {self.min_score - 0.1:g})"
            comparison = comparison._replace(score=round(self.min_score - 0.1, 1), notes=(*comparison.notes, note))
        return comparison


def _same_name_links(ids, facts):
    """Links between companies of one normalised name: within a country; one of no known country joins any."""
    by_country = {}
    for company_id in ids:
        by_country.setdefault(facts[company_id].country, []).append(company_id)
    unknown = by_country.get(None, [])
    for country, members in by_country.items():
        group = members + unknown if country is not None else members
        yield from ((group[0], member) for member in group[1:])


def scan_company_rows(rows, min_score, cap=BLOCKING_KEY_CAP):
    """Clusters of likely duplicates among rows of (id, name_key, country[, website_key, linkedin_key]), in memory.

    The scan of `scan_companies` with the blocking keys computed here (`crmctl.dedup.keys.stored_keys`)
    instead of read: for tests and small sets. Returns [(ids, weakest score)].
    """
    facts = {row[0]: CompanyFacts(*row[1:]) for row in rows}
    scan, postings = Scan(min_score), {}
    for company_id, fact in facts.items():
        scan.add_company(company_id, fact.name_key, fact.country, fact.website_key)
        for key in stored_keys(fact.name_key):
            postings.setdefault(key, []).append(company_id)
    _find_pairs(scan, (ids for key, ids in sorted(postings.items())
                       if 1 < len(ids) <= cap and not key.startswith(ACRONYM_KEY_MARK)))
    return [(ids, weakest) for ids, weakest, _pairs in scan.clusters(facts)]


def _find_pairs(scan, blocks):
    scan.add_label_groups()
    for ids in blocks:
        scan.add_block(ids)
    scan.add_one_letter_apart()
    scan.close_blocks()


# --------------------------------------------------------------------------
# The scan over the database
# --------------------------------------------------------------------------


def scan_companies(min_score=None, country=None, limit=None):
    """`dedup scan`: clusters of likely duplicates, best first (the weakest link's score, then the first id).

    Each cluster: {"ids", "score", "names", "countries", "websites", "pairs": [{"a", "b", "score",
    "reasons"}]}, with typed ids; `country` scans one country's companies, `limit` keeps the first clusters.
    """
    from crmctl.dedup import scan_reading as reading
    from crmctl.rules.settings import load_settings
    from crmctl.storage.connection import database_proxy

    database = database_proxy.obj
    scan = Scan(float(load_settings()["likely_duplicate_min_score"] if min_score is None else min_score))
    for row in reading.companies(database, country):
        scan.add_company(*row)
    _find_pairs(scan, reading.key_blocks(database, BLOCKING_KEY_CAP, ACRONYM_KEY_MARK))
    facts = {row[0]: CompanyFacts(*row[1:]) for row in reading.companies_among(database, scan.pair_ids(), country)}
    found = scan.clusters(facts)
    found.sort(key=lambda cluster: (-cluster[1], cluster[0][0]))
    found = found[:limit] if limit is not None else found
    shown = reading.shown_companies(database, sorted({member for members, _weakest, _pairs in found
                                                      for member in members}))
    return described_clusters(found, facts, shown)


# --------------------------------------------------------------------------
# What a person reviews
# --------------------------------------------------------------------------

TABLE_COLUMNS = ["cluster", "id", "name", "country", "website", "score", "reasons"]


def pair_reasons(left, right, comparison):
    """Why two companies scored as they did: the names and their rule, then each adjustment."""
    if comparison.rule == "same normalised name":
        where = f" in {left.country or right.country}" if (left.country or right.country) else ""
        named = f"name {left.name_key!r}{where} (same normalised name)"
    else:
        named = f"name {left.name_key!r} ~ {right.name_key!r} ({comparison.rule})"
    return [named, *comparison.notes]


def described_clusters(found, facts, shown):
    """Clusters as a person reviews them: typed ids, names, countries, websites (`shown`: id -> (name,
    country, website)), and the pairs with their scores and reasons."""
    from crmctl.kinds.ids import typed_id

    described = []
    for members, weakest, pairs in found:
        described.append({
            "ids": [typed_id("company", member) for member in members],
            "score": round(weakest, 1),
            "names": [shown[member][0] for member in members],
            "countries": [shown[member][1] for member in members],
            "websites": [shown[member][2] for member in members],
            "pairs": [{"a": typed_id("company", a), "b": typed_id("company", b), "score": comparison.score,
                       "reasons": pair_reasons(facts[a], facts[b], comparison)}
                      for (a, b), comparison in sorted(pairs.items(), key=lambda item: (-item[1].score, item[0]))],
        })
    return described


def cluster_records(clusters):
    """What `dedup scan --format json` prints of each cluster: ids, score, names and pairs."""
    return [{key: cluster[key] for key in ("ids", "score", "names", "pairs")} for cluster in clusters]


def cluster_rows(clusters):
    """Table and CSV rows: each cluster's companies (name, country, website), then its pairs with scores and
    reasons; the cluster's number and weakest score on its first row."""
    rows = []
    for number, cluster in enumerate(clusters, 1):
        for index, company_id in enumerate(cluster["ids"]):
            rows.append({"cluster": f"{number} ({cluster['score']:g})" if index == 0 else "", "id": company_id,
                         "name": cluster["names"][index], "country": cluster["countries"][index],
                         "website": cluster["websites"][index]})
        for pair in cluster["pairs"]:
            rows.append({"id": f"{pair['a']}~{pair['b']}", "score": f"{pair['score']:g}",
                         "reasons": "; ".join(pair["reasons"])})
    return rows
