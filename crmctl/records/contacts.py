"""A lead's contact details: (source, value) pairs, of which LinkedIn, e-mail and phone identify the person.

Identities are stored as Contact rows whose (source, match_key) is unique, so
the database itself refuses a second lead with the same identity. A phone
without a country code is read in the company's country. Other details
(Facebook, Instagram, website, other) are kept as given and never matched.
"""
from crmctl.errors import BadInput
from crmctl.records.batch import insert_rows
from crmctl.rules.contacts import email_key, phone_key
from crmctl.rules.values import check_fits, clean_text
from crmctl.rules.vocabulary import contact_source_named
from crmctl.rules.web import linkedin_page_url, linkedin_profile_key
from crmctl.storage.models import Contact


def contact_pair(text):
    """`SOURCE=VALUE` (the --contact option) as a (source, value) pair."""
    if isinstance(text, (tuple, list)):
        return tuple(text)
    source, equals, value = str(text).partition("=")
    if not equals or not source.strip():
        raise BadInput(f"contact {text!r} is not SOURCE=VALUE (like email=ann@example.com)")
    return source.strip(), value


def contact_entry(source, value, region):
    """(source, value to show, match key or None) for one contact detail."""
    source = contact_source_named(source)
    if source == "linkedin":
        key = linkedin_profile_key(value)
        entry = source, linkedin_page_url(key), key
    elif source == "email":
        key = email_key(value)
        entry = source, key, key
    elif source == "phone":
        key = phone_key(value, default_region=region)
        entry = source, key, key
    else:
        text = clean_text(value, f"{source} contact", Contact.value)
        if text is None:
            raise BadInput(f"{source} contact has no value")
        entry = source, text, None
    check_fits(Contact, {"value": entry[1], "match_key": entry[2]})
    return entry


def contact_entries(region, linkedin_url=None, emails=(), phones=(), contacts=()):
    """Every contact detail given, normalised, without repeats, identities first."""
    pairs = []
    if linkedin_url not in (None, ""):
        pairs.append(("linkedin", linkedin_url))
    pairs += [("email", e) for e in emails if e not in (None, "")]
    pairs += [("phone", p) for p in phones if p not in (None, "")]
    pairs += [contact_pair(c) for c in contacts]
    entries, seen = [], set()
    for source, value in pairs:
        entry = contact_entry(source, value, region)
        if (entry[0], entry[2] or entry[1]) in seen:
            continue
        seen.add((entry[0], entry[2] or entry[1]))
        entries.append(entry)
    profiles = [e for e in entries if e[0] == "linkedin"]
    if len(profiles) > 1:
        raise BadInput(f"a lead has one LinkedIn profile, not {len(profiles)} ({', '.join(e[1] for e in profiles)})")
    return entries


def identities(entries):
    """The (source, match key) pairs that identify a person: what the duplicate check compares."""
    return [(source, key) for source, _value, key in entries if key]


def store_contacts(entries_by_lead):
    """Insert the contact details of many leads: {lead id: entries}, in chunks."""
    insert_rows(Contact, ("lead", "source", "value", "match_key"),
                [(lead_id, s, v, k) for lead_id, entries in entries_by_lead.items() for s, v, k in entries])


def contact_list(entries):
    return [{"source": s, "value": v} for s, v, _k in entries]
