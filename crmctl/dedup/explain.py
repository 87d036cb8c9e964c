"""`dedup explain A B`: the field-by-field comparison behind a score, and its verdict."""
from crmctl.dedup.scoring import company_score, name_similarity
from crmctl.errors import BadInput
from crmctl.kinds.ids import fetch_record, kind_of, typed_id
from crmctl.rules.settings import load_settings
from crmctl.storage.models import Contact
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
    threshold = float(load_settings()["likely_duplicate_min_score"])
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
