"""`--search` by phone: an incoming call's number, typed in any format, finds the lead that holds it.

A lead's phones are stored as E.164 match keys (`Contact.match_key`, unique with
the source, so the look-up is one probe of that index). The typed text is read
as a phone the way `add lead` reads one (`crmctl.rules.contacts.phone_key`):
with a country code (`+48 601 234 567`, `0048601234567`) it has one reading;
without one (`601-234-567`) it is read in each country the CRM's companies are
in, and a reading only counts for a lead whose company is in that country, as
the number would have been read when the lead was added.
"""
import re

import peewee
from peewee import fn

from crmctl.errors import BadInput
from crmctl.rules.contacts import phone_key
from crmctl.storage.models import Company, Contact, Lead

# What a typed phone may hold besides digits; at least PHONE_DIGITS digits make it worth a look-up.
_PHONE_TEXT = re.compile(r"^[\d\s+\-().\u00a0/]+$")
PHONE_DIGITS = 6


def looks_like_phone(text):
    text = (text or "").strip()
    return bool(_PHONE_TEXT.match(text)) and sum(character.isdigit() for character in text) >= PHONE_DIGITS


def international_reading(text):
    """The E.164 form of a number typed with its country code, or None."""
    compact = re.sub(r"[\s\-().\u00a0/]", "", text)
    if not (compact.startswith("+") or compact.startswith("00")):
        return None
    try:
        return phone_key(text)
    except BadInput:
        return None


def company_countries():
    """The countries companies are in, by a skip scan of the (country, id) index: one seek per country
    (a recursive query of MIN(country) > the last one), not a read of every company as DISTINCT would be."""
    first = Company.select(fn.MIN(Company.country).alias("country"))
    found = first.cte("company_countries", recursive=True, columns=("country",))
    later = Company.alias("later")
    following = later.select(fn.MIN(later.country)).where(later.country > found.c.country)
    found = found.union_all(peewee.Select((found,), (following,)).where(found.c.country.is_null(False)))
    query = found.select_from(found.c.country).where(found.c.country.is_null(False))
    return [country for (country,) in query.tuples()]


def national_readings(text):
    """{E.164: [countries in which the typed text reads as that number]} for a number without its country code."""
    readings = {}
    for country in company_countries():
        try:
            number = phone_key(text, country)
        except BadInput:
            continue
        readings.setdefault(number, []).append(country)
    return readings


def lead_ids_with_phone(text):
    """The ids of the leads one of whose phones the text is, or None when the text is no phone at all."""
    if not looks_like_phone(text):
        return None
    number = international_reading(text)
    if number is not None:
        query = Contact.select(Contact.lead).where((Contact.source == "phone") & (Contact.match_key == number))
        return sorted({lead_id for (lead_id,) in query.tuples()})
    readings = national_readings(text)
    if not readings:
        return []
    query = (Contact.select(Contact.lead, Contact.match_key, Company.country)
             .join(Lead, on=(Contact.lead == Lead.id)).join(Company, on=(Lead.company == Company.id))
             .where((Contact.source == "phone") & Contact.match_key.in_(list(readings))))
    return sorted({lead_id for lead_id, number, country in query.tuples() if country in readings[number]})
