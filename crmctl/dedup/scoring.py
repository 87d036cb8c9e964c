"""How alike two company names are: one score from 0 to 100 and the rule that gave it.

A company is a *likely* duplicate when its name scores at least the setting
`likely_duplicate_min_score` against an existing company's name. The score
(`name_similarity`) compares normalised names (`crmctl.rules.names.company_name_key`,
which already ignores case, accents, punctuation, `&`/"and", a leading "The"
and legal forms):

- the same normalised name scores 100;
- the same letters spaced differently ("Face Book" / "Facebook") 98;
- the same words in another order, or the same name once trailing generic
  words such as "Group" or "Holdings" or the "www"/".com" of a name typed as
  a web address are dropped, 95;
- otherwise the optimal-string-alignment edit distance `d` (a transposition is
  one edit) between the names without spaces, as 100 * (1 - d / (n + 1)) where
  n is the longer length. One typo in a name of 6 letters scores 86, in 5
  letters 83: with the default threshold of 85, one typo counts from 6 letters
  and two from 13, so Tesla/Tesco, Aon/Avon and Lowe's/Loews stay apart while
  "Acme Robotics"/"Acme Robotic" match; names differing in a word
  (General Electric / General Motors) score far below;
- names whose numbers differ ("Studio 54" / "Studio 55") score at most 60.

Two companies in different countries (both known) lose 20 points: the same name
in another country is not by itself a duplicate, as SPEC §5 says.
"""
import re

from crmctl.dedup.keys import compact, core_name_key, name_forms, sorted_name_key

DIFFERENT_COUNTRY_PENALTY = 20
_DIGITS_RE = re.compile(r"\d+")


def _edit_score(left, right):
    from rapidfuzz.distance import OSA

    longest = max(len(left), len(right))
    distance = OSA.distance(left, right)
    return 100.0 * (1.0 - distance / (longest + 1))


def name_similarity(left_key, right_key):
    """(score 0-100, rule) for two normalised company names; see the module docstring."""
    if left_key == right_key:
        return 100.0, "same normalised name"
    left_compact, right_compact = compact(left_key), compact(right_key)
    if left_compact == right_compact:
        return 98.0, "same name apart from spacing"
    if _DIGITS_RE.findall(left_key) != _DIGITS_RE.findall(right_key):
        score = min(60.0, _edit_score(left_compact, right_compact))
        return round(score, 1), "numbers differ"
    if sorted_name_key(left_key) == sorted_name_key(right_key):
        return 95.0, "same words in another order"
    left_forms, right_forms = name_forms(left_key), name_forms(right_key)
    if set(left_forms) & set(right_forms):
        left_core, right_core = core_name_key(left_key), core_name_key(right_key)
        dropped = sorted((set(left_key.split(" ")) - set(left_core.split(" ")))
                         | (set(right_key.split(" ")) - set(right_core.split(" "))))
        return 95.0, f"same name apart from {' '.join(dropped)!r}" if dropped else "same name apart from spacing"
    score = max(_edit_score(left, right) for left in left_forms for right in right_forms)
    score = max(score, _edit_score(compact(sorted_name_key(left_key)), compact(sorted_name_key(right_key))))
    return round(score, 1), "fuzzy"


def company_score(left_key, right_key, left_country=None, right_country=None):
    """(score, rule, country note) of two companies by name and country."""
    score, rule = name_similarity(left_key, right_key)
    note = None
    if left_country and right_country and left_country != right_country:
        score = max(0.0, score - DIFFERENT_COUNTRY_PENALTY)
        note = f"country {left_country} != {right_country} (-{DIFFERENT_COUNTRY_PENALTY})"
    return round(score, 1), rule, note


def name_reason(left_key, right_key, score, rule, left_country, right_country, note=None):
    if rule == "same normalised name" and not note:
        where = f" in {left_country or right_country}" if (left_country or right_country) else ""
        return f"name {left_key!r} ~ {right_key!r}{where} ({rule})"
    text = f"name {left_key!r} ~ {right_key!r} score {score:g} ({rule})"
    return f"{text}, {note}" if note else text
