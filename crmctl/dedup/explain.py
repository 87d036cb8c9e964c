"""`dedup explain A B`: the field-by-field comparison behind a score, and its verdict."""
from crmctl.dedup.evidence import CompanyFacts, compare_companies
from crmctl.errors import BadInput
from crmctl.kinds.ids import fetch_record, kind_of, typed_id
from crmctl.rules.names import name_key_steps
from crmctl.rules.settings import load_settings
from crmctl.storage.models import CompanyAlias, Contact
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


def _names_of(company):
    """(name key, alias name or None) of a company's name and each of its aliases."""
    aliases = CompanyAlias.select(CompanyAlias.name, CompanyAlias.name_key).where(CompanyAlias.company == company.id)
    return [(company.name_key, None)] + [(alias.name_key, alias.name) for alias in aliases]


def _best_comparison(left, right):
    """The comparison of the two companies by the pair of their names or aliases that scores best."""
    best = None
    for left_key, left_alias in _names_of(left):
        for right_key, right_alias in _names_of(right):
            comparison = compare_companies(
                CompanyFacts(left_key, left.country, left.website_key, left.linkedin_key),
                CompanyFacts(right_key, right.country, right.website_key, right.linkedin_key))
            if best is None or comparison.score > best[0].score:
                best = (comparison, left_key, right_key, left_alias, right_alias)
    return best


def rules_fired(left, right, comparison, left_alias, right_alias):
    """What normalisation and scoring did to this pair, in words: legal forms, abbreviations, aliases..."""
    fired = []
    for side, company, alias in (("left", left, left_alias), ("right", right, right_alias)):
        if alias is not None:
            fired.append(f"{side}: alias {alias!r} of {company.name!r}")
        for step in name_key_steps(alias if alias is not None else company.name)[1]:
            fired.append(f"{side}: {step}")
    if comparison.rule in ("same name apart from transliteration", "acronym", "same words in another order"):
        fired.append(comparison.rule)
    fired += list(comparison.notes)
    return fired


def explain_companies(left, right):
    threshold = float(load_settings()["likely_duplicate_min_score"])
    comparison, left_key, right_key, left_alias, right_alias = _best_comparison(left, right)
    name_score, rule = comparison.score, comparison.rule
    note = "; ".join(comparison.notes)
    fields = [
        {"field": "name", "left": left_alias or left.name, "right": right_alias or right.name, "score": name_score,
         "rule": f"{left_key!r} ~ {right_key!r} ({rule})"},
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
            "score": score, "verdict": verdict, "rules": rules_fired(left, right, comparison, left_alias, right_alias),
            "fields": fields}


def explain_leads(left, right):
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
    left = fetch_record(left_text, ["company", "lead"])
    kind = kind_of(left)
    right = fetch_record(right_text, [kind] if right_text.strip().isdigit() else ["company", "lead"])
    if kind_of(right) != kind:
        raise BadInput(f"cannot compare a {kind} with a {kind_of(right)}: give two companies or two leads")
    if kind == "company":
        return explain_companies(left, right)
    return explain_leads(left, right)
