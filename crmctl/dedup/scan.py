"""`dedup scan`: clusters of likely duplicate companies over the whole database, for a person to review.

The scan reads what the database holds as streams (`crmctl.dedup.scan_reading`):
every company's name key, country and website, then the stored blocking keys
(`company_blocking_key`, `crmctl.dedup.keys`) in key order, one block of
companies per key. Keys with more than `BLOCKING_KEY_CAP` postings are skipped,
as the look-up skips them, and so are acronym keys (`ACRONYM_KEY_MARK`): an
acronym is a possible duplicate, never a likely one. From these it keeps
candidate pairs (`crmctl.dedup.scan_pairs`): names within reach of `min_score`
in a block, names one letter more or less, the same compact form, websites
sharing a label. Only then are the websites and LinkedIn keys of the companies
in candidate pairs read.

Each pair is compared once with `crmctl.dedup.evidence.compare_companies`, the
comparison the look-up uses (a word-order swap alone is at most a possible
duplicate; an agreeing domain label or LinkedIn slug raises a pair; two
countries lower it). A fuzzy pair whose names differ in two words other names
use too (`differs_in_common_words`) is not a link unless its websites or
LinkedIn pages agree. The same normalised name is joined directly in one
country (a company of no known country joins any). Pairs joined by a rule other
than "fuzzy" (spacing, transliteration, word order with evidence, generic
words) join next; then fuzzy links, best first, join two clusters only when
every pair across them scores at least `min_score` (complete linkage), so a
chain of typos (Torzor ~ Torcor ~ Zorcor) does not make one cluster of
different companies.

Left uncompared, as they cannot be links unless their websites agree (and so a
LinkedIn slug alone cannot raise them): a pair in two countries, and a pair
whose names differ in common words by the edit distance alone
(`worth_comparing`); both are compared when their websites share a label.
"""
from crmctl.dedup.evidence import Comparison, CompanyFacts, compare_companies, possible_domain_labels
from crmctl.dedup.keys import ACRONYM_KEY_MARK, BLOCKING_KEY_CAP, core_name_key, fold, stored_keys
from crmctl.dedup.scan_pairs import CandidatePairs, name_words

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
SAME_NAME = Comparison(100.0, "same normalised name", ())


def _lined_up_words(left_key, right_key):
    """The two names' words, or their cores' words, when they are as many; else None."""
    left_words, right_words = name_words(left_key), name_words(right_key)
    if len(left_words) != len(right_words):
        left_words, right_words = name_words(core_name_key(left_key)), name_words(core_name_key(right_key))
        if len(left_words) != len(right_words):
            return None
    return left_words, right_words


def _is_common_pair(left_word, right_word, word_counts, min_names):
    fewer, more = sorted((word_counts.get(left_word, 0), word_counts.get(right_word, 0)))
    return fewer >= min_names and fewer >= COMMON_WORD_MIN_SHARE * more


def differs_in_common_words(left_key, right_key, word_counts, min_names=COMMON_WORD_MIN_NAMES):
    """True when two names of as many words differ, word for word, in a pair of common words.

    `word_counts` maps a word to the number of different names using it. Names
    whose words do not line up (other counts, spacing) are not judged here.
    """
    lined_up = _lined_up_words(left_key, right_key)
    return lined_up is not None and any(
        left_word != right_word and _is_common_pair(left_word, right_word, word_counts, min_names)
        for left_word, right_word in zip(*lined_up))


def worth_comparing(left, right, word_counts):
    """False for two companies (CompanyFacts) that cannot be a link: their names differ in words other names use
    (`differs_in_common_words`) and by no rule but the edit distance (not the same words transliterated, in
    another order or with other generic words), and their websites share no label. Such a pair is left
    uncompared, so a LinkedIn slug cannot raise it; most pairs of a crowded name space are such pairs."""
    lined_up = _lined_up_words(left.name_key, right.name_key)
    if lined_up is None or sorted(lined_up[0]) == sorted(lined_up[1]):
        return True
    if not any(left_word != right_word and fold(left_word) != fold(right_word)
               and _is_common_pair(left_word, right_word, word_counts, COMMON_WORD_MIN_NAMES)
               for left_word, right_word in zip(*lined_up)):
        return True
    if core_name_key(left.name_key) == core_name_key(right.name_key):
        return True
    return bool(left.website_key and right.website_key
                and possible_domain_labels(left.website_key) & possible_domain_labels(right.website_key))


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


def linked_clusters(found, facts):
    """[(ids, weakest score, {pair: Comparison})]: the candidate pairs (`found`, a `CandidatePairs`) compared
    with `facts` (id -> CompanyFacts), then linked as the module docstring says."""
    min_score, clusters, scored = found.min_score, _Clusters(), {}
    for group in found.same_text:
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
                    found.candidates.add((left << 32 | right) if left < right else (right << 32 | left))

    def compared(left, right):
        pair = (left, right) if left < right else (right, left)
        comparison = scored.get(pair)
        if comparison is None:
            comparison = scored[pair] = _comparison(facts[pair[0]], facts[pair[1]], min_score, found.word_counts)
        return comparison

    fuzzy = []
    word_counts = found.word_counts
    for left, right in found.pairs():
        if facts[left].name_key == facts[right].name_key:
            continue  # the same name: joined above when the countries allow it
        if not worth_comparing(facts[left], facts[right], word_counts):
            continue
        comparison = compared(left, right)
        if comparison.score < min_score:
            continue
        if comparison.rule in FUZZY_RULES:
            fuzzy.append((-comparison.score, left, right))
        else:
            clusters.join(left, right, comparison.score)
    found.candidates = None
    fuzzy.sort()
    for negative_score, left, right in fuzzy:
        left_root, right_root = clusters.find(left), clusters.find(right)
        if left_root != right_root and all(
                compared(a, b).score >= min_score
                for a in clusters.group(left_root) for b in clusters.group(right_root)):
            clusters.join(left, right, -negative_score)
    linked = []
    for members, weakest in clusters.clusters():
        members = sorted(members)
        pairs = {(a, b): scored[(a, b)] for i, a in enumerate(members) for b in members[i + 1:]
                 if (a, b) in scored and scored[(a, b)].score >= min_score}
        linked.append((members, weakest, pairs))
    return linked


def _comparison(left, right, min_score, word_counts):
    comparison = compare_companies(left, right)
    if (comparison.rule == "fuzzy" and comparison.score >= min_score
            and not any("(+" in note for note in comparison.notes)
            and differs_in_common_words(left.name_key, right.name_key, word_counts)):
        note = f"names differ in words other names use too (at most {min_score - 0.1:g})"
        comparison = comparison._replace(score=round(min_score - 0.1, 1), notes=(*comparison.notes, note))
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
    scan, postings = CandidatePairs(min_score), {}
    scan.add_companies((company_id, *fact[:3]) for company_id, fact in facts.items())
    for company_id, fact in facts.items():
        for key in stored_keys(fact.name_key):
            postings.setdefault(key, []).append(company_id)
    _find_pairs(scan, ((key, company_id) for key, ids in sorted(postings.items()) for company_id in ids), cap)
    return [(ids, weakest) for ids, weakest, _pairs in linked_clusters(scan, facts)]


def _find_pairs(scan, key_rows, cap=BLOCKING_KEY_CAP):
    scan.add_label_groups()
    scan.add_blocks(key_rows, ACRONYM_KEY_MARK, cap)
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
    import gc

    from crmctl.dedup import scan_reading as reading
    from crmctl.rules.settings import load_settings
    from crmctl.storage.connection import database_proxy

    database = database_proxy.obj
    # Millions of small tuples and none in a cycle: the cyclic collector would only walk them again and again.
    collecting = gc.isenabled()
    gc.disable()
    try:
        scan = CandidatePairs(float(load_settings()["likely_duplicate_min_score"] if min_score is None else min_score))
        scan.add_companies(reading.companies(database, country))
        _find_pairs(scan, reading.key_rows(database))
        facts = {row[0]: CompanyFacts(*row[1:])
                 for row in reading.companies_among(database, scan.pair_ids())}
        found = linked_clusters(scan, facts)
    finally:
        if collecting:
            gc.enable()
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
