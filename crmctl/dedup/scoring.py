"""How alike two company names are: one score from 0 to 100 and the rule that gave it.

A company is a *likely* duplicate when its name scores at least the setting
`likely_duplicate_min_score` against an existing company's name. The score
(`name_similarity`) compares normalised names (`crmctl.rules.names.company_name_key`,
which already ignores case, accents, punctuation, `&`/"and", a leading "The"
and legal forms):

- the same normalised name scores 100;
- the same letters spaced differently ("Face Book" / "Facebook") 98;
- the same letters once transliterations are folded (Müller / Mueller,
  Bjørn / Bjoern, Straße / Strasse) 97;
- the same words in another order, or the same name once trailing generic
  words such as "Group" or "Holdings" are dropped, 95;
- a one-word name of 3 to 8 letters equal to the initials of a name of three
  words or more ("NCS" / "Nordic Cargo Systems") `ACRONYM_SCORE`, a possible
  duplicate: reported, not refused;
- otherwise the optimal-string-alignment edit distance `d` (a transposition is
  one edit) between the compact forms, as 100 * (1 - d / (n + 1)) where
  n is the longer length. One typo in a name of 6 letters scores 86, in 5
  letters 83: with the default threshold of 85, one typo counts from 6 letters
  and two from 13, so Tesla/Tesco, Aon/Avon and Lowe's/Loews stay apart while
  "Acme Robotics"/"Acme Robotic" match; names differing in a word
  (General Electric / General Motors) score far below;
- names whose numbers differ ("Studio 54" / "Studio 55") score at most 60.

What else two companies carry (their countries, websites, LinkedIn pages)
adjusts this score in `crmctl.dedup.evidence.compare_companies`, the one
comparison of two companies.
"""
import re
from functools import lru_cache

from rapidfuzz.distance import OSA

from crmctl.dedup.keys import compact, core_name_key, initials, name_forms, sorted_name_key, typed_acronym

ACRONYM_SCORE = 80.0
_DIGITS_RE = re.compile(r"\d+")


class NameProfile:
    """What the score compares of one normalised name, worked out once per name (a check and a scan
    compare the same name with many others)."""

    __slots__ = ("key", "spaceless", "compact", "digits", "sorted_key", "forms", "sorted_compact")

    def __init__(self, name_key):
        self.key = name_key
        self.spaceless = name_key.replace(" ", "")
        self.compact = compact(name_key)
        self.digits = _DIGITS_RE.findall(name_key)
        self.sorted_key = sorted_name_key(name_key)
        self.forms = name_forms(name_key)
        self.sorted_compact = compact(self.sorted_key)


profile = lru_cache(maxsize=100_000)(NameProfile)


def _edit_score(left, right):
    longest = max(len(left), len(right))
    return 100.0 * (1.0 - OSA.distance(left, right) / (longest + 1))


def name_similarity(left_key, right_key):
    """(score 0-100, rule) for two normalised company names; see the module docstring."""
    if left_key == right_key:
        return 100.0, "same normalised name"
    left, right = profile(left_key), profile(right_key)
    if left.spaceless == right.spaceless:
        return 98.0, "same name apart from spacing"
    if left.compact == right.compact:
        return 97.0, "same name apart from transliteration"
    if left.digits != right.digits:
        score = min(60.0, _edit_score(left.compact, right.compact))
        return round(score, 1), "numbers differ"
    if left.sorted_key == right.sorted_key:
        return 95.0, "same words in another order"
    if set(left.forms) & set(right.forms):
        left_core, right_core = core_name_key(left_key), core_name_key(right_key)
        dropped = sorted((set(left_key.split(" ")) - set(left_core.split(" ")))
                         | (set(right_key.split(" ")) - set(right_core.split(" "))))
        return 95.0, f"same name apart from {' '.join(dropped)!r}" if dropped else "same name apart from spacing"
    acronym = typed_acronym(left_key) or typed_acronym(right_key)
    if acronym and acronym in (initials(left_key), initials(right_key)):
        return ACRONYM_SCORE, "acronym"
    score = max(_edit_score(a, b) for a in left.forms for b in right.forms)
    score = max(score, _edit_score(left.sorted_compact, right.sorted_compact))
    return round(score, 1), "fuzzy"

