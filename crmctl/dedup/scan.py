"""`dedup scan`: clusters of likely duplicate companies over the whole database."""
from crmctl.rules.settings import load_settings
from crmctl.dedup.keys import BLOCKING_KEY_CAP, core_name_key, deletion_keys
from crmctl.dedup.scoring import company_score
# ---------------------------------------------------------------------------
# Scan: clusters of likely duplicates over the whole database
# ---------------------------------------------------------------------------


# A word used by at least this many different names in the scanned database is a
# word of its own: two such words one letter apart ("jensen"/"jansen",
# "eastern"/"western", "torzor"/"torcor") name different companies, while a typo
# makes a word that hardly any other name uses.
COMMON_WORD_MIN_NAMES = 2
# ... unless one of them is used by far fewer names than the other: the same typo
# of a word that many names use ("automation" -> "automaion") is made more than once.
COMMON_WORD_MIN_SHARE = 0.1


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


class _Clusters:
    """Clusters of row indexes with their members and the weakest link that joined each."""

    def __init__(self, size):
        self.parent = list(range(size))
        self.members = {}
        self.weakest = {}

    def find(self, index):
        parent = self.parent
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

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


def scan_company_rows(rows, min_score, cap=BLOCKING_KEY_CAP):
    """Clusters of likely duplicates among (id, name_key, country) rows.

    Companies with the same normalised name in the same country (or with no
    country) are joined at 100 without comparing every pair; then every pair
    that shares a deletion key (`crmctl.dedup.keys.deletion_keys`, keys with
    at most `cap` companies) is scored with `company_score`. A fuzzy pair whose names differ in two words that
    other names in the database use too (`differs_in_common_words`) is not a
    link. Pairs joined by a rule other than "fuzzy" (spacing, word order,
    generic words, web address) are joined first; then fuzzy links, best
    first, join two clusters only when every pair across them scores at least
    `min_score` (complete linkage), so that a chain of typos (Torzor ~ Torcor ~
    Zorcor) does not make one cluster of different companies. Returns a list of
    (ids, score) with ids in row order; score is the weakest link.
    """
    from collections import Counter
    from itertools import combinations

    rows = list(rows)
    clusters = _Clusters(len(rows))
    same_name = {}
    for index, (_id, name_key, country) in enumerate(rows):
        same_name.setdefault(name_key, {}).setdefault(country, []).append(index)
    word_counts = Counter(word for name_key in same_name for word in set(_words(name_key)))
    for by_country in same_name.values():
        unknown = by_country.get(None, [])
        for country, members in by_country.items():
            group = members + unknown if country is not None else members
            for member in group[1:]:
                clusters.join(group[0], member, 100.0)
    blocks = {}
    for index, (_id, name_key, _country) in enumerate(rows):
        for key in deletion_keys(name_key):
            blocks.setdefault(key, []).append(index)
    scores = {}

    def pair_score(left, right):
        left_row, right_row = rows[left], rows[right]
        score, rule, _note = company_score(left_row[1], right_row[1], left_row[2], right_row[2])
        if (rule == "fuzzy" and score >= min_score
                and differs_in_common_words(left_row[1], right_row[1], word_counts)):
            score = min(score, min_score - 0.1)
        return score, rule

    fuzzy = []
    for members in blocks.values():
        if len(members) < 2 or len(members) > cap:
            continue
        for left, right in combinations(members, 2):
            pair = (left, right) if left < right else (right, left)
            if pair in scores or rows[left][1] == rows[right][1]:
                continue  # scored already, or the same name: joined above when the countries allow it
            score, rule = pair_score(*pair)
            scores[pair] = score
            if score < min_score:
                continue
            if rule == "fuzzy":
                fuzzy.append((score, pair))
            else:
                clusters.join(left, right, score)

    def cross_score(left, right):
        pair = (left, right) if left < right else (right, left)
        if pair not in scores and rows[left][1] == rows[right][1]:
            return 100.0  # same name
        if pair not in scores:
            scores[pair] = pair_score(*pair)[0]
        return scores[pair]

    fuzzy.sort(key=lambda item: -item[0])
    for score, (left, right) in fuzzy:
        left_root, right_root = clusters.find(left), clusters.find(right)
        if left_root != right_root and all(
                cross_score(a, b) >= min_score
                for a in clusters.group(left_root) for b in clusters.group(right_root)):
            clusters.join(left, right, score)
    grouped = {}
    for index in range(len(rows)):
        grouped.setdefault(clusters.find(index), []).append(index)
    found = []
    for root, members in grouped.items():
        if len(members) > 1:
            found.append(([rows[m][0] for m in members], clusters.weakest.get(root, 100.0)))
    return found


def scan_companies(min_score=None):
    """`dedup scan`: [{"ids": [typed ids], "score"}] for the whole database, best first."""
    from crmctl.kinds.ids import typed_id
    from crmctl.storage.models import Company

    threshold = float(load_settings()["likely_duplicate_min_score"] if min_score is None else min_score)
    rows = Company.select(Company.id, Company.name_key, Company.country).order_by(Company.id).tuples()
    clusters = scan_company_rows(rows.iterator(), threshold)
    result = [
        {"ids": [typed_id("company", number) for number in sorted(ids)], "score": round(score, 1)}
        for ids, score in clusters
    ]
    result.sort(key=lambda cluster: (-cluster["score"], int(cluster["ids"][0][1:])))
    return result
