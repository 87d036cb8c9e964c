"""Duplicate matching: the one engine that `add`, `import`, `edit` and `dedup` call.

A company is an *exact* duplicate when its website key or LinkedIn key equals
an existing one's (the unique indexes make those impossible to store), and a
*likely* duplicate when its name scores at least the setting
`likely_duplicate_min_score` against an existing company's name.

The name score (`name_similarity`) compares normalised names
(`crmctl.normalize.company_name_key`, which already ignores case, accents,
punctuation, `&`/"and", a leading "The" and legal forms):

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

Candidates are found without scanning the table: exact keys through the unique
indexes, the same normalised name through the index on `Company.name_key`, and
near names through `CompanyBlockingKey`, which holds for each company the
compact forms of its name (no spaces or "and"; as written, without web-address
parts, without trailing generic words; first 20 letters), every one-letter
deletion of each form of 6 letters or more, and its words in sorted order: two
names one edit apart always share such a key (symmetric deletion), and so do
names differing only in word order. A key with more than `BLOCKING_KEY_CAP`
postings is skipped, so a crowded key cannot make a check slow.
"""
import re
from dataclasses import dataclass, field

BLOCKING_PREFIX_LENGTH = 20
BLOCKING_KEY_CAP = 200
# Below this many letters a name must match exactly: one edit scores < 85.
MIN_LETTERS_FOR_TYPO_KEYS = 6
DIFFERENT_COUNTRY_PENALTY = 20
SAME_NAME_LIMIT = 100
MAX_KEY_LENGTH = 64

# Generic words at the end of a name that do not tell two companies apart.
DESCRIPTOR_WORDS = frozenset(
    """group groups holding holdings international intl global worldwide enterprises enterprise
    companies""".split()
)
# A name typed as a web address ("www.acme.com", "Allegro.eu"): its "www" and domain ending.
URL_FORM_LEADING = frozenset({"www"})
URL_FORM_ENDINGS = frozenset("com net org io eu pl de uk fr es it nl biz info".split())
_DIGITS_RE = re.compile(r"\d+")


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


# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------


def compact(name_key):
    """The name without spaces or "and", as it is written in a web address."""
    return "".join(token for token in name_key.split(" ") if token != "and") or name_key.replace(" ", "")


def address_name_key(name_key):
    """The name without a web address's "www" and ending ("www acme com" -> "acme")."""
    tokens = name_key.split(" ")
    if len(tokens) > 1 and tokens[0] in URL_FORM_LEADING:
        tokens.pop(0)
    while len(tokens) > 1 and tokens[-1] in URL_FORM_ENDINGS:
        tokens.pop()
    return " ".join(tokens)


def core_name_key(name_key):
    """The name without generic words at its end ("acme group" -> "acme") nor web-address parts."""
    tokens = address_name_key(name_key).split(" ")
    while len(tokens) > 1 and tokens[-1] in DESCRIPTOR_WORDS:
        tokens.pop()
    return " ".join(tokens)


def name_forms(name_key):
    """The compact forms a name is compared and blocked by: as written, as an address, its core."""
    forms = [compact(name_key)]
    for form in (compact(address_name_key(name_key)), compact(core_name_key(name_key))):
        if form not in forms:
            forms.append(form)
    return forms


def sorted_name_key(name_key):
    return " ".join(sorted(name_key.split(" ")))


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


def likely_min_score():
    from crmctl.settings import get_setting

    return float(get_setting("likely_duplicate_min_score"))


# ---------------------------------------------------------------------------
# Blocking keys
# ---------------------------------------------------------------------------


def blocking_keys_of_name_key(name_key):
    """The CompanyBlockingKey keys of a normalised name (see the module docstring)."""
    keys = set()
    for variant in name_forms(name_key):
        text = variant[:BLOCKING_PREFIX_LENGTH]
        keys.add("d:" + text)
        if len(text) >= MIN_LETTERS_FOR_TYPO_KEYS:
            keys.update("d:" + text[:i] + text[i + 1:] for i in range(len(text)))
    if " " in name_key:
        keys.add(("o:" + compact(sorted_name_key(name_key)))[:MAX_KEY_LENGTH])
    return sorted(keys)


def company_blocking_keys(name):
    """Blocking keys of a company name as a user wrote it."""
    from crmctl.normalize import company_name_key

    return blocking_keys_of_name_key(company_name_key(name))


def refresh_blocking_keys(company):
    """Rewrite the CompanyBlockingKey rows of one company (after create or a name change)."""
    from crmctl.models import CompanyBlockingKey

    CompanyBlockingKey.delete().where(CompanyBlockingKey.company == company.id).execute()
    keys = blocking_keys_of_name_key(company.name_key)
    CompanyBlockingKey.insert_many(
        [(company.id, key) for key in keys], fields=[CompanyBlockingKey.company, CompanyBlockingKey.key]
    ).execute()


def blocked_company_ids(keys, cap=BLOCKING_KEY_CAP):
    """Ids of companies sharing a key, one round trip; a key with more than `cap` postings is skipped."""
    from crmctl.database import database_proxy

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


# ---------------------------------------------------------------------------
# Candidates
# ---------------------------------------------------------------------------


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
    from crmctl.ids import typed_id
    from crmctl.models import Company

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
        from crmctl.normalize import company_name_key

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


def name_reason(left_key, right_key, score, rule, left_country, right_country, note=None):
    if rule == "same normalised name" and not note:
        where = f" in {left_country or right_country}" if (left_country or right_country) else ""
        return f"name {left_key!r} ~ {right_key!r}{where} ({rule})"
    text = f"name {left_key!r} ~ {right_key!r} score {score:g} ({rule})"
    return f"{text}, {note}" if note else text


def lead_candidates(linkedin_key=None, email_keys=(), phone_keys=(), exclude_id=None):
    """Existing leads sharing a LinkedIn profile, an email or a phone (all exact), best first."""
    from crmctl.ids import typed_id
    from crmctl.models import Contact, Lead

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
    that shares a blocking key (keys with at most `cap` companies) is scored
    with `company_score`. A fuzzy pair whose names differ in two words that
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
        for key in blocking_keys_of_name_key(name_key):
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
            if pair in scores:
                continue
            left_row, right_row = rows[left], rows[right]
            if left_row[1] == right_row[1]:
                scores[pair] = None
                continue  # same name: joined above when the countries allow it
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
        score = scores.get(pair, 0)
        if score is None or (pair not in scores and rows[left][1] == rows[right][1]):
            return 100.0  # same name
        if pair not in scores:
            score = scores[pair] = pair_score(*pair)[0]
        return score

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
    from crmctl.ids import typed_id
    from crmctl.models import Company

    threshold = likely_min_score() if min_score is None else float(min_score)
    rows = Company.select(Company.id, Company.name_key, Company.country).order_by(Company.id).tuples()
    clusters = scan_company_rows(rows.iterator(), threshold)
    result = [
        {"ids": [typed_id("company", number) for number in sorted(ids)], "score": round(score, 1)}
        for ids, score in clusters
    ]
    result.sort(key=lambda cluster: (-cluster["score"], _number(cluster["ids"][0])))
    return result


# ---------------------------------------------------------------------------
# Explain: the field-by-field comparison behind a score
# ---------------------------------------------------------------------------


def _equal_field(field, left, right, what="exact"):
    if left in (None, "") or right in (None, ""):
        return {"field": field, "left": left, "right": right, "score": None, "rule": "missing"}
    same = left == right
    return {"field": field, "left": left, "right": right, "score": 100.0 if same else 0.0,
            "rule": what if same else "different"}


def _text_field(field, left, right):
    from rapidfuzz import fuzz

    if not left or not right:
        return {"field": field, "left": left, "right": right, "score": None, "rule": "missing"}
    score = round(fuzz.token_sort_ratio(str(left).lower(), str(right).lower()), 1)
    return {"field": field, "left": left, "right": right, "score": score,
            "rule": "same" if score == 100 else "similarity"}


def explain_companies(left, right):
    from crmctl.ids import typed_id

    threshold = likely_min_score()
    name_score, rule, note = company_score(left.name_key, right.name_key, left.country, right.country)
    raw_score, _ = name_similarity(left.name_key, right.name_key)
    fields = [
        {"field": "name", "left": left.name, "right": right.name, "score": raw_score,
         "rule": f"{left.name_key!r} ~ {right.name_key!r} ({rule})"},
        _equal_field("website", left.website_key, right.website_key),
        _equal_field("linkedin_url", left.linkedin_key, right.linkedin_key),
        _equal_field("country", left.country, right.country, "same"),
        _text_field("city", left.city, right.city),
        _text_field("industry", left.industry, right.industry),
    ]
    if left.employee_count and right.employee_count:
        smaller, larger = sorted([left.employee_count, right.employee_count])
        fields.append({"field": "employee_count", "left": left.employee_count, "right": right.employee_count,
                       "score": round(100.0 * smaller / larger, 1), "rule": "ratio"})
    exact = [f["field"] for f in fields[1:3] if f["score"] == 100.0]
    if exact:
        score, verdict = 100.0, f"exact duplicate (same {' and '.join(exact)})"
    elif name_score >= threshold:
        score, verdict = name_score, f"likely duplicate (name score {name_score:g} >= {threshold:g})"
    else:
        score, verdict = name_score, f"not a duplicate (name score {name_score:g} < {threshold:g})"
    if note:
        verdict += f"; {note}"
    return {"left": typed_id("company", left.id), "right": typed_id("company", right.id), "kind": "company",
            "score": score, "verdict": verdict, "fields": fields}


def explain_leads(left, right):
    from crmctl.ids import typed_id
    from crmctl.models import Contact

    def identities(lead):
        found = {"linkedin": set(), "email": set(), "phone": set()}
        for contact in Contact.select().where(Contact.lead == lead.id):
            if contact.source in found and contact.match_key:
                found[contact.source].add(contact.match_key)
        return found

    left_keys, right_keys = identities(left), identities(right)
    fields = [
        _text_field("full_name", left.full_name, right.full_name),
        _equal_field("company_id", typed_id("company", left.company_id), typed_id("company", right.company_id),
                     "same"),
        _text_field("position", left.position, right.position),
    ]
    shared = []
    for source in ("linkedin", "email", "phone"):
        both = left_keys[source] & right_keys[source]
        if not left_keys[source] or not right_keys[source]:
            score, rule = None, "missing"
        else:
            score, rule = (100.0, "exact") if both else (0.0, "different")
        if both:
            shared.append(source)
        fields.append({"field": {"linkedin": "linkedin_url", "email": "emails", "phone": "phones"}[source],
                       "left": sorted(left_keys[source]), "right": sorted(right_keys[source]),
                       "score": score, "rule": rule})
    if shared:
        score, verdict = 100.0, f"exact duplicate (same {' and '.join(shared)})"
    else:
        score = fields[0]["score"] or 0.0
        verdict = "not a duplicate (leads are duplicates only by LinkedIn profile, email or phone)"
    return {"left": typed_id("lead", left.id), "right": typed_id("lead", right.id), "kind": "lead",
            "score": score, "verdict": verdict, "fields": fields}


def explain(left_text, right_text):
    """`dedup explain A B`: both records compared field by field, the overall score and verdict."""
    from crmctl.errors import BadInput
    from crmctl.ids import fetch_record, kind_of

    left = fetch_record(left_text, ["company", "lead"])
    kind = kind_of(left)
    right = fetch_record(right_text, [kind] if right_text.strip().isdigit() else ["company", "lead"])
    if kind_of(right) != kind:
        raise BadInput(f"cannot compare a {kind} with a {kind_of(right)}: give two companies or two leads")
    if kind == "company":
        return explain_companies(left, right)
    return explain_leads(left, right)
