"""The candidate pairs of `dedup scan`: which pairs of companies are worth a comparison, found cheaply.

A pair is a candidate when (see `crmctl.dedup.scan` for why each):

- its companies share a stored blocking key (`CandidatePairs.add_block`) and
  their names are within the edit distance that can still score `min_score`
  (`names_within_reach`), so the many pairs a crowded key holds cost a bounded
  edit distance each, not a comparison;
- their names are one inserted or dropped letter apart
  (`CandidatePairs.add_one_letter_apart`): a stored key carries its form's
  length (the look-up probes the neighbouring lengths), so such names share
  none;
- their names have the same compact form, spaced or transliterated otherwise
  (`CandidatePairs.close_blocks`);
- their websites share a label that may be their domain label
  (`evidence.possible_domain_labels`), in any countries.

Two companies in different countries score at most min_score - 20 by their
names (`evidence.DIFFERENT_COUNTRY_PENALTY`), so only their websites can make
them likely: such a pair is a candidate only when their websites share a label.
"""
from collections import Counter

from rapidfuzz import process
from rapidfuzz.distance import OSA

from crmctl.dedup.evidence import SUFFIX_LABELS
from crmctl.dedup.keys import BLOCKING_KEY_CAP, DESCRIPTOR_WORDS, compact, core_name_key, fold, sorted_name_key

# Blocks up to this size compare their pairs one by one; larger ones query each name against the block
# (one rapidfuzz call over the block's texts).
SMALL_BLOCK = 4


def name_words(name_key):
    return [token for token in name_key.split(" ") if token != "and"]


def company_texts(name_key):
    """(whole, ordered, core): the texts `crmctl.dedup.scoring.name_similarity` compares a name by. Its compact
    form (`keys.compact`); its words in sorted order (the same object as `whole` when they are in order); its
    compact form without trailing generic words (None when it has none). A name without "and" is folded
    directly, which is what `keys.compact` does for it, at a third of the cost."""
    if "and" in name_key:
        whole = compact(name_key)
        ordered = compact(sorted_name_key(name_key)) if " " in name_key else whole
    else:
        whole = fold(name_key.replace(" ", ""))
        if " " not in name_key:
            return whole, whole, None
        ordered = fold("".join(sorted(name_key.split(" "))))
    core = compact(core_name_key(name_key)) if name_key.rpartition(" ")[2] in DESCRIPTOR_WORDS else None
    return whole, whole if ordered == whole else ordered, core if core != whole else None


def within_reach(left, right, slack):
    """Whether two texts are close enough to score at least 100 * (1 - slack): name_similarity's edit score
    is 100 * (1 - d / (n + 1)) for an edit distance d and the longer length n."""
    limit = slack * ((len(left) if len(left) > len(right) else len(right)) + 1)
    return OSA.distance(left, right, score_cutoff=int(limit)) <= limit


def names_within_reach(left, right, slack):
    """Whether two companies' names ((country, *`company_texts`)) could score at least 100 * (1 - slack):
    their whole forms are within reach, or their sorted words are equal, or one's whole form is within reach
    of the other's sorted words or core. (Two cores or two sorted forms near but not equal, a typo on top of another
    difference, are left out: they would cost more comparisons for every pair.)"""
    _, left_whole, left_ordered, left_core = left
    _, right_whole, right_ordered, right_core = right
    return (within_reach(left_whole, right_whole, slack) or left_ordered == right_ordered
            or (left_ordered is not left_whole and within_reach(left_ordered, right_whole, slack))
            or (right_ordered is not right_whole and within_reach(left_whole, right_ordered, slack))
            or (left_core is not None and within_reach(left_core, right_whole, slack))
            or (right_core is not None and within_reach(left_whole, right_core, slack)))


class CandidatePairs:
    """The candidate pairs of one scan. It is given every company (`add_companies`), then the shared labels
    (`add_label_groups`), the stored blocking keys (`add_blocks`) and the names one letter apart, keeping
    in memory only each company's country and texts and the pairs (one integer each: the smaller id
    shifted left 32 bits, plus the larger); `close_blocks` then lets go of the names.
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

    def add_companies(self, rows):
        """Take (id, name_key, country, website_key) rows: each company's texts, its compact form's group,
        the words of each compact form (counted once), its websites' possible labels."""
        entries, by_text, labels, word_counts = self.entries, self.by_text, self.labels, self.word_counts
        countries = self._countries
        for company_id, name_key, country, website_key in rows:
            country = countries.setdefault(country, country)  # one string per code: `is` compares them
            if company_id >= len(entries):
                entries.extend([None] * (company_id + 1 - len(entries) + len(entries) // 8))
            whole, ordered, core = company_texts(name_key)
            entries[company_id] = (country, whole, ordered, core)
            found = by_text.get(whole)
            if found is None:
                by_text[whole] = company_id
                word_counts.update(name_key.split(" "))
            elif found.__class__ is list:
                found.append(company_id)
            else:
                by_text[whole] = [found, company_id]
            if website_key:  # `evidence.possible_domain_labels`, inline; a collision of two hashes costs little
                for label in website_key.split(".")[:-1]:
                    if label not in SUFFIX_LABELS:
                        labels.append((hash(label) & 0xFFFFFFFF) << 32 | company_id)

    def _candidate(self, left, right):
        entries = self.entries
        left_country, right_country = entries[left][0], entries[right][0]
        if left_country is right_country or left_country is None or right_country is None:
            self.candidates.add((left << 32 | right) if left < right else (right << 32 | left))

    def add_blocks(self, key_rows, skipped_mark, cap=BLOCKING_KEY_CAP):
        """Take (key, company id) rows of the stored blocking keys in key order: per key of 2 to `cap`
        postings, keep the pairs of one country within reach of min_score. Keys that start with
        `skipped_mark` are left out."""
        entries, slack, candidates = self.entries, self.slack, self.candidates
        known = len(entries)
        current, members = None, []
        for key, company_id in key_rows:
            if key == current:
                members.append(company_id)
                continue
            if len(members) == 2 and not current.startswith(skipped_mark):  # most keys: no grouping needed
                left, right = members
                left_entry = entries[left] if left < known else None
                right_entry = entries[right] if right < known else None
                if (left_entry is not None and right_entry is not None
                        and (left_entry[0] is right_entry[0] or left_entry[0] is None or right_entry[0] is None)
                        and names_within_reach(left_entry, right_entry, slack)):
                    candidates.add((left << 32 | right) if left < right else (right << 32 | left))
            elif 2 < len(members) <= cap and not current.startswith(skipped_mark):
                self.add_block(members)
            current, members = key, [company_id]
        if 1 < len(members) <= cap and not current.startswith(skipped_mark):
            self.add_block(members)

    def add_block(self, members):
        """A block of company ids that share a stored key: keep the pairs of one country within reach of min_score."""
        entries = self.entries
        known = len(entries)
        by_country = {}
        for member in members:
            entry = entries[member] if member < known else None
            if entry is not None:  # else a company not scanned (another country)
                group = by_country.get(entry[0])
                if group is None:
                    by_country[entry[0]] = [member]
                else:
                    group.append(member)
        unknown = by_country.pop(None, None)
        if unknown is None:
            for group in by_country.values():
                if len(group) > 1:
                    self._add_near_pairs(group)
            return
        for group in by_country.values():
            self._add_near_pairs(group + unknown)
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
        texts = set(by_text)
        for text, ids in by_text.items():
            if len(text) < shortest:
                continue
            for shorter in {text[:position] + text[position + 1:] for position in range(len(text))} & texts:
                others = by_text[shorter]
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

    def pairs(self):
        """The candidate pairs as (smaller id, larger id), in order."""
        return [(pair >> 32, pair & 0xFFFFFFFF) for pair in sorted(self.candidates)]
