"""The one comparison of two companies that the look-up (`add`, `dedup check`, import) and `dedup scan` share.

A pair starts from how alike the names are (`crmctl.dedup.scoring.name_similarity`)
and is then adjusted by what else both companies carry. Each adjustment is
stated in the result's notes, so a user sees why a pair scored as it did.

What lowers a pair:

- different countries (both known): `DIFFERENT_COUNTRY_PENALTY` points off, since
  the same name in another country is not by itself a duplicate (SPEC §5);
- the same words in another order and nothing else agreeing
  ("Williams-Morales" / "Morales-Williams"): at most `WORD_ORDER_ALONE_MAX`, a
  possible duplicate shown for review but below the default likely threshold
  (85). In a crowded name space most such pairs are different firms.

What raises a pair (`AGREEING_SIGNAL_BONUS` each, at most 100), and also lets a
word-order swap count as likely:

- the same domain under another host (`shop.acme.de` / `acme.de`) or the same
  domain label under another ending (`acme.de` / `acme.com`), split with
  tldextract's bundled public-suffix snapshot (private suffixes included, so
  two shops on `myshopify.com` do not agree by their host);
- a LinkedIn company slug that reads as the other company's name or slug
  (`company/acme-robotics-gmbh` for "Acme Robotics"; `acme-robotics` /
  `acmerobotics`).

What does not lower a pair: different websites or LinkedIn pages. Companies
move to new domains, and a lead generator types a reseller's or a country
site; a typo of a stored name must still be refused when its website differs.
Equal websites or LinkedIn pages are exact duplicates, found by the matcher's
unique keys before any score.

Cheap by design: the look-up compares a new company with up to a few hundred
candidates. Names are profiled once (`scoring.profile`); a website is split
once (`lru_cache`), and tldextract (about 0.25 s to import and load) is only
loaded when two hosts share a label that could be a domain label; a slug
is normalised (`slug_form`, the name rules) only when, compacted, it contains
the other's slug or name (so a slug that writes out an abbreviation the name
shortens is not read as that name); nothing of this runs for a company
without a website or LinkedIn page.
"""
import re
from functools import lru_cache
from typing import NamedTuple

from crmctl.dedup.keys import compact
from crmctl.dedup.scoring import name_similarity, profile

DIFFERENT_COUNTRY_PENALTY = 20
WORD_ORDER_RULE = "same words in another order"
WORD_ORDER_ALONE_MAX = 80.0
AGREEING_SIGNAL_BONUS = 10.0
# Labels that second-level public suffixes are made of (co.uk, com.br, org.pl, ac.jp...): two hosts
# sharing only these share no company's label, so tldextract need not be asked.
SUFFIX_LABELS = frozenset("co com org net gov edu ac or ne go gob gouv nom ltd plc biz info".split())
_SLUG_SEPARATORS_RE = re.compile(r"[-_.]+")
# Websites and slugs kept worked out: a scan compares each company with several others.
CACHED_COMPANIES = 1_000_000


class CompanyFacts(NamedTuple):
    """What a company is compared by: keys as crmctl stores them (`crmctl.rules.web`, `crmctl.rules.names`)."""

    name_key: str
    country: str = None
    website_key: str = None  # "acme.de", "shop.acme.co.uk"
    linkedin_key: str = None  # "company/acme-robotics"


class Comparison(NamedTuple):
    """A pair's score (0-100, every adjustment applied), the name rule, and one note per adjustment."""

    score: float
    rule: str
    notes: tuple


_extractor = None


@lru_cache(maxsize=CACHED_COMPANIES)
def domain_parts(website_key):
    """(registrable domain, its label) of a website key, offline; (host, first label) under an unknown suffix."""
    global _extractor
    if _extractor is None:
        import tldextract

        _extractor = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)
    parts = _extractor(website_key)
    if not parts.suffix or not parts.domain:
        labels = website_key.split(".")
        return ".".join(labels[-2:]), labels[-2] if len(labels) > 1 else labels[0]
    return f"{parts.domain}.{parts.suffix}", parts.domain


def possible_domain_labels(website_key):
    """The labels of a host that could be its company's domain label: all but the last and the suffix-only
    ones ("shop.acme.co.uk" -> {"shop", "acme"}). Two hosts that share a domain label share one of these."""
    return frozenset(website_key.split(".")[:-1]) - SUFFIX_LABELS


_host_labels = lru_cache(maxsize=CACHED_COMPANIES)(possible_domain_labels)


def domain_note(left_key, right_key):
    """A note when two different hosts share their domain or their domain label, else None."""
    if not left_key or not right_key or left_key == right_key:
        return None
    if not (_host_labels(left_key) & _host_labels(right_key)):
        return None
    left_domain, left_label = domain_parts(left_key)
    right_domain, right_label = domain_parts(right_key)
    if left_domain == right_domain:
        return f"same domain {left_domain!r} ({left_key} / {right_key})"
    if left_label == right_label:
        return f"same domain label {left_label!r} ({left_key} / {right_key})"
    return None


@lru_cache(maxsize=CACHED_COMPANIES)
def _raw_slug(linkedin_key):
    """The slug of a LinkedIn company key compacted as names are (`keys.compact`: no separators nor "and",
    transliterations folded), not normalised: cheap, for a first look."""
    return compact(_SLUG_SEPARATORS_RE.sub(" ", linkedin_key.partition("/")[2].lower()).strip())


@lru_cache(maxsize=CACHED_COMPANIES)
def slug_form(linkedin_key):
    """A LinkedIn company key's slug as a compact normalised name ("company/acme-robotics-gmbh" -> "acmerobotics")."""
    from crmctl.errors import BadInput
    from crmctl.rules.names import company_name_key

    slug = linkedin_key.partition("/")[2]
    try:
        key = company_name_key(_SLUG_SEPARATORS_RE.sub(" ", slug))
    except BadInput:
        return None
    return compact(key) or None


def _name_texts(name_key):
    """The compact forms of a name (`keys.name_forms`) a slug is compared with, from the score's cached profile."""
    return profile(name_key).forms


def _may_read_as(raw, texts):
    """Whether a raw slug could normalise to one of `texts`: only then is the slug normalised (the costly part)."""
    if not raw.isascii():
        return True
    for text in texts:
        if text and text in raw:
            return True
    return False


def linkedin_note(left, right):
    """A note when one company's LinkedIn slug reads as the other's slug or name, else None."""
    left_key, right_key = left.linkedin_key, right.linkedin_key
    if left_key == right_key:
        return None
    if left_key and right_key:
        left_raw, right_raw = _raw_slug(left_key), _raw_slug(right_key)
        if _may_read_as(left_raw, (right_raw,)) or _may_read_as(right_raw, (left_raw,)):
            left_slug = slug_form(left_key)
            if left_slug and left_slug == slug_form(right_key):
                return f"LinkedIn {left_key} / {right_key} agree"
    # A slug that reads as the other's name is news only when it does not read as its own company's name too:
    # "company/acme" of an "Acme" says nothing more about another "Acme" than the names already do.
    if left_key and _may_read_as(_raw_slug(left_key), _name_texts(right.name_key)) \
            and slug_form(left_key) in _name_texts(right.name_key) \
            and slug_form(left_key) not in _name_texts(left.name_key):
        return f"LinkedIn {left_key} reads as {right.name_key!r}"
    if right_key and _may_read_as(_raw_slug(right_key), _name_texts(left.name_key)) \
            and slug_form(right_key) in _name_texts(left.name_key) \
            and slug_form(right_key) not in _name_texts(right.name_key):
        return f"LinkedIn {right_key} reads as {left.name_key!r}"
    return None


def compare_companies(left, right):
    """The `Comparison` of two companies (`CompanyFacts`): name score, then the adjustments above."""
    score, rule = name_similarity(left.name_key, right.name_key)
    notes = []
    agreeing = [note for note in (domain_note(left.website_key, right.website_key), linkedin_note(left, right))
                if note]
    if rule == WORD_ORDER_RULE and not agreeing and score > WORD_ORDER_ALONE_MAX:
        score = WORD_ORDER_ALONE_MAX
        notes.append(f"word order alone (at most {WORD_ORDER_ALONE_MAX:g})")
    for note in agreeing:
        score = min(100.0, score + AGREEING_SIGNAL_BONUS)
        notes.append(f"{note} (+{AGREEING_SIGNAL_BONUS:g})")
    if left.country and right.country and left.country != right.country:
        score = max(0.0, score - DIFFERENT_COUNTRY_PENALTY)
        notes.append(f"country {left.country} != {right.country} (-{DIFFERENT_COUNTRY_PENALTY})")
    return Comparison(round(score, 1), rule, tuple(notes))
