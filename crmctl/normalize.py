"""The one place where crmctl normalises values (SPEC §5).

Duplicate rules compare *keys*, not raw input: a company's website key and
LinkedIn key (exact duplicates, unique indexes), its normalised name (likely
duplicates, fuzzy blocking), a lead's LinkedIn profile, e-mail and E.164 phone.
If two modules normalised differently, the same company could be stored twice,
so every key is computed here and nowhere else.

Every function is pure (no database, no network) and raises
`crmctl.errors.BadInput` with a one-line message naming the field and the bad
value when the input cannot be read.  Heavy libraries (phonenumbers, pycountry,
tldextract, cleanco's term list) are imported on first use so that importing
this module keeps `crmctl --help` fast.

Decisions worth knowing:
- IDN hosts are keyed in punycode (ASCII, `xn--...`), so `münchen.de` and
  `xn--mnchen-3ya.de` give the same key.
- cleanco's `basename` is not called: it is ~3x slower than our budget, strips
  only one pass (`Foo Holdings Co., Ltd.` -> `Foo Holdings Co.`), can return an
  empty name (`Co` -> ``), and misses `Spółka Akcyjna`, `Aktiengesellschaft`,
  `Spółka z ograniczoną odpowiedzialnością`.  Its term list is merged into our
  own table instead, minus terms that are ordinary words at the end of names
  (`uk`, `private`, `at`, `pc`, ...).
"""
import math
import re
from urllib.parse import quote, unquote

from crmctl.errors import BadInput

__all__ = [
    "company_name_key",
    "name_tokens",
    "website_key",
    "registrable_domain",
    "linkedin_company_key",
    "linkedin_profile_key",
    "linkedin_url",
    "email_key",
    "phone_key",
    "country_code",
]


def _show(value):
    """A value as quoted in a one-line error message."""
    text = repr(value) if isinstance(value, str) else repr(str(value))
    return text if len(text) <= 120 else text[:117] + "...'"


# --------------------------------------------------------------------------
# Company names
# --------------------------------------------------------------------------

# Legal forms, written as people write them; each is tokenised with the same
# pipeline as names, so "S.A.", "SA" and "S. A." all become the token "sa".
_OWN_LEGAL_FORMS = """
inc|inc.|incorporated|corp|corp.|corporation|co|co.|company|cos|
llc|l.l.c.|ltd|ltd.|limited|ltd co|co ltd|co., ltd.|plc|p.l.c.|public limited company|
private limited|pvt ltd|pvt. ltd.|pvt|pty ltd|pty. ltd.|pty|proprietary limited|
llp|l.l.p.|lp|l.p.|lllp|pllc|
& co|and co|& company|and company|& cie|et cie|cie|cia|& co. kg|co kg|
gmbh|g.m.b.h.|mbh|gmbh & co. kg|gmbh & co kg|ag & co. kg|gmbh & co. kgaa|
gesellschaft mit beschränkter haftung|ag|a.g.|aktiengesellschaft|
kg|kgaa|ohg|ug|ug (haftungsbeschränkt)|haftungsbeschränkt|e.v.|eg|se|e.k.|e.kfm.|e.kfr.|
s.a.|sa|s.a.s.|sas|sasu|sarl|s.a.r.l.|eurl|sca|snc|
s.l.|sl|s.l.u.|slu|sll|s.a.u.|sau|s.a. de c.v.|sa de cv|s.a.b. de c.v.|sab de cv|
s.a.p.i. de c.v.|sapi de cv|s. de r.l. de c.v.|s de rl de cv|s. de r.l.|
srl|s.r.l.|s.p.a.|spa|s.a.p.a.|sapa|ltda|ltda.|s/a|
sp. z o.o.|sp. z o. o.|sp.z o.o.|sp z oo|spółka z o.o.|
spółka z ograniczoną odpowiedzialnością|spółka akcyjna|s.k.a.|ska|
spółka komandytowa|sp. k.|sp.k.|spółka jawna|sp. j.|sp.j.|
spółka komandytowo-akcyjna|s.c.|
s.r.o.|spol. s r.o.|a.s.|a/s|as|asa|aps|ivs|k/s|amba|a.m.b.a.|
bv|b.v.|nv|n.v.|bvba|cvba|sprl|vof|v.o.f.|
oy|oyj|ab|ab (publ)|publ|hb|kb|
kk|k.k.|kabushiki kaisha|kabushiki-kaisha|yk|y.k.|gk|g.k.|yugen kaisha|
zrt|nyrt|kft|bt|d.o.o.|doo|d.d.|dd|ad|ood|eood|ead|
oü|as oy|uab|sia|
sdn bhd|sdn. bhd.|bhd|berhad|pte ltd|pte. ltd.|pte|tbk|
lda|ltda|
"""

# Legal forms written before the name ("OOO Acme", "PT Astra").
_OWN_LEGAL_PREFIXES = "ooo|oao|zao|pao|pjsc|ojsc|cjsc|jsc|tov|pt"

# cleanco terms that are also ordinary words or abbreviations at the end of
# real company names: never treated as legal forms.
_CLEANCO_DENY = frozenset(
    """
    uk private at et eu ok ent ca ec sp pp ps pc coop koop scoop ss ong tmi
    sem ses sep vat dat ba bl fa da sd ee ae ay bm ij ik ud ep od oe og ou sc
    sf ks kt kv ky mb nl xk xt sm ei is gs
    """.split()
)

_AND_RE = re.compile(r"\s*[&+]\s*")
_APOS_RE = re.compile(r"['`\u2019]")
_NON_ALNUM_RE = re.compile(r"[^a-z0-9]+")
# Join runs of one-letter tokens: "s a" -> "sa", "l l c" -> "llc".
_SINGLES_RE = re.compile(r"\b([a-z]) (?=[a-z]\b)")
_TRAILING_THE_RE = re.compile(r",\s*the\s*$")
# Austrian "e.U." (eingetragenes Unternehmen), written with its dots: a bare "EU" or
# ".eu" at the end of a name is a word or a web address ending, not a legal form.
_E_U_RE = re.compile(r"\be\.\s*u\.?\s*$", re.IGNORECASE)
_HAS_ALNUM_RE = re.compile(r"[^\W_]")

_suffix_index = None  # last token -> tuple of suffixes (token tuples), longest first
_prefixes = frozenset(_OWN_LEGAL_PREFIXES.split("|"))
_unidecode = None


def _clean(name):
    """Fold accents and case, `&`/`+` to "and", punctuation to spaces; no legal-form logic."""
    global _unidecode
    if not name.isascii():
        if _unidecode is None:
            from unidecode import unidecode as _u

            _unidecode = _u
        name = _unidecode(name)
    s = name.lower()
    if "&" in s or "+" in s:
        s = _AND_RE.sub(" and ", s)
    s = _APOS_RE.sub("", s)
    s = _NON_ALNUM_RE.sub(" ", s)
    s = _SINGLES_RE.sub(r"\1", s)
    return s


def _build_suffix_index():
    """Merge our legal-form table with cleanco's term list (filtered)."""
    global _suffix_index
    terms = set()
    for raw in _OWN_LEGAL_FORMS.replace("\n", "").split("|"):
        toks = tuple(_clean(raw).split())
        if toks:
            terms.add(toks)
    try:
        from cleanco.termdata import terms_by_country, terms_by_type
    except ImportError:  # pragma: no cover - cleanco is a dependency
        cleanco_terms = []
    else:
        cleanco_terms = [t for ts in terms_by_type.values() for t in ts]
        cleanco_terms += [t for ts in terms_by_country.values() for t in ts]
    for raw in cleanco_terms:
        if "\x99" in raw or ":" in raw:  # garbage entries in cleanco's data
            continue
        toks = tuple(_clean(raw).split())
        if not toks or " ".join(toks) in _CLEANCO_DENY:
            continue
        if len(toks) == 1 and toks[0] in _CLEANCO_DENY:
            continue
        terms.add(toks)
    index = {}
    for toks in terms:
        index.setdefault(toks[-1], []).append(toks)
    _suffix_index = {k: tuple(sorted(v, key=len, reverse=True)) for k, v in index.items()}
    return _suffix_index


def company_name_key(name):
    """The normalised company name used for "same name" duplicate checks.

    Case, accents, `&`/`+` vs "and", a leading "the", punctuation and legal
    forms (Inc, Ltd, GmbH, Sp. z o.o., S.A., ..., removed repeatedly from the
    end) are ignored.  A name that is nothing but a legal form keeps it.
    """
    if name is None:
        raise BadInput("company name is missing")
    if not isinstance(name, str):
        name = str(name)
    index = _suffix_index or _build_suffix_index()
    s = _clean(name)
    toks = s.split()
    if not toks or (toks == ["and"] and not _HAS_ALNUM_RE.search(name)):
        raise BadInput(f"company name {_show(name)} has no letters or digits")
    if len(toks) > 1:
        if toks[0] == "the":
            del toks[0]
        elif toks[-1] == "the" and _TRAILING_THE_RE.search(name.lower()):
            del toks[-1]  # "Acme Company, The"
        if len(toks) > 1 and toks[0] in _prefixes:
            del toks[0]
        if len(toks) > 1 and toks[-1] == "eu" and _E_U_RE.search(name):
            del toks[-1]  # "Acme e.U."
    n = len(toks)
    while n:
        cands = index.get(toks[n - 1])
        if cands is None:
            break
        for suf in cands:
            k = len(suf)
            if k == 1 or (k <= n and tuple(toks[n - k : n]) == suf):
                n -= k
                break
        else:
            break
    if n == 0:
        return " ".join(toks)
    if n < len(toks):
        del toks[n:]
    return " ".join(toks)


def name_tokens(name):
    """The tokens of `company_name_key(name)`, for the blocking index."""
    return company_name_key(name).split(" ")


# --------------------------------------------------------------------------
# URLs
# --------------------------------------------------------------------------

_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):(?=//)")
_AUTHORITY_END_RE = re.compile(r"[/?#\\]")
_LABEL_RE = re.compile(r"^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$")
_TLD_RE = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9\-]{1,59})$")
_WWW_RE = re.compile(r"^www\d*$")
_WS_RE = re.compile(r"\s")


def _split_url(url, field, allow_port=True):
    """Split a web address into (host, rest-after-host); raise BadInput if unreadable."""
    if url is None:
        raise BadInput(f"{field} is missing")
    if not isinstance(url, str):
        raise BadInput(f"{field} {_show(url)} is not a valid URL")
    s = url.strip()
    bad = BadInput(f"{field} {_show(url)} is not a valid URL")
    if not s or _WS_RE.search(s):
        raise bad
    m = _SCHEME_RE.match(s)
    if m:
        if m.group(1).lower() not in ("http", "https"):
            raise bad
        s = s[m.end() :]
    slashes = s.startswith("//")
    if slashes:
        s = s[2:]
    elif m:
        raise bad
    end = _AUTHORITY_END_RE.search(s)
    authority, rest = (s[: end.start()], s[end.start() :]) if end else (s, "")
    if "@" in authority:
        if not slashes:
            raise bad  # "bob@acme.com" is an e-mail, not a website
        authority = authority.rpartition("@")[2]
    if authority.startswith("["):
        raise bad  # IPv6 literal
    host, colon, port = authority.partition(":")
    if colon and (not allow_port or not (port == "" or port.isdigit())):
        raise bad
    return host, rest, bad


def _host_key(host, bad):
    """Lower-case, punycode, no trailing dot; checked to be a dotted hostname."""
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise bad from None
    host = host.lower()
    if host.endswith("."):
        host = host[:-1]
    labels = host.split(".")
    if len(labels) < 2 or not _TLD_RE.match(labels[-1]):
        raise bad
    for label in labels:
        if not _LABEL_RE.match(label):
            raise bad
    return labels


def website_key(url):
    """The website's host: no scheme, `www.`/`wwwN.`, port, path, query, userinfo.

    Other subdomains are kept (`shop.acme.com`); IDN hosts are given in punycode.
    """
    host, _rest, bad = _split_url(url, "website")
    labels = _host_key(host, bad)
    if len(labels) > 2 and _WWW_RE.match(labels[0]):
        del labels[0]
    return ".".join(labels)


_tld_extract = None


def registrable_domain(url):
    """The registrable domain (`shop.acme.co.uk` -> `acme.co.uk`), offline.

    Uses tldextract's bundled suffix list only; it never reaches the network.
    A host under an unknown suffix falls back to its last two labels.
    """
    global _tld_extract
    host = website_key(url)
    if _tld_extract is None:
        import tldextract

        _tld_extract = tldextract.TLDExtract(
            suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True
        )
    parts = _tld_extract(host)
    if not parts.suffix:
        return ".".join(host.split(".")[-2:])
    if not parts.domain:
        raise BadInput(f"website {_show(url)} is a public suffix, not a company's domain")
    return f"{parts.domain}.{parts.suffix}"


_LINKEDIN_SUB_RE = re.compile(r"^(?:www|m|mobile|touch|[a-z]{2})$")
_SLUG_BAD_RE = re.compile(r"[\s/?#\\<>\"]")


def _linkedin_key(url, kind, field):
    host, rest, bad = _split_url(url, field, allow_port=False)
    bad = BadInput(f"{field} {_show(url)} is not a LinkedIn /{kind}/ page URL")
    host = host.lower().rstrip(".")
    if host != "linkedin.com":
        sub, dot, domain = host.partition(".")
        if domain != "linkedin.com" or not _LINKEDIN_SUB_RE.match(sub):
            raise bad
    path = re.split(r"[?#]", rest, maxsplit=1)[0]
    segments = [seg for seg in path.split("/") if seg]
    if len(segments) < 2 or segments[0].lower() != kind:
        raise bad
    try:
        slug = unquote(segments[1], errors="strict").lower()
    except UnicodeDecodeError:
        raise bad from None
    if not slug or _SLUG_BAD_RE.search(slug) or slug in (".", ".."):
        raise bad
    return f"{kind}/{slug}"


def linkedin_company_key(url):
    """`company/<slug>` for a linkedin.com `/company/<slug>` page (any subdomain, form)."""
    return _linkedin_key(url, "company", "LinkedIn company URL")


def linkedin_profile_key(url):
    """`in/<slug>` for a linkedin.com `/in/<slug>` profile page (any subdomain, form)."""
    return _linkedin_key(url, "in", "LinkedIn profile URL")


def linkedin_url(key):
    """The canonical URL for a LinkedIn key: `https://www.linkedin.com/company/acme-inc/`."""
    kind, slash, slug = (key or "").partition("/")
    if kind not in ("company", "in") or not slug or _SLUG_BAD_RE.search(slug):
        raise BadInput(f"LinkedIn key {_show(key)} is not company/<slug> or in/<slug>")
    return f"https://www.linkedin.com/{kind}/{quote(slug, safe='')}/"


# --------------------------------------------------------------------------
# E-mail, phone, country
# --------------------------------------------------------------------------

_EMAIL_RE = re.compile(r"^[^@\s]+@(?:[^@\s.]+\.)+[^@\s.]+$")


def email_key(email):
    """The address stripped and lower-cased; it must look like local@domain.tld."""
    if email is None:
        raise BadInput("email is missing")
    s = str(email).strip().lower()
    if not _EMAIL_RE.match(s):
        raise BadInput(f"email {_show(email)} is not a valid e-mail address")
    return s


_PHONE_STRIP_RE = re.compile(r"[\s\-().\u00a0/]")
_EXCEL_DECIMAL_RE = re.compile(r"^\+?\d+\.0*$")
_EXCEL_SCI_RE = re.compile(r"^\+?\d(?:[.,]\d+)?[eE]\+?\d{1,2}$")
_phonenumbers = None


def _phone_digits_from_number(phone, bad):
    if isinstance(phone, float):
        if not math.isfinite(phone) or phone != int(phone) or phone <= 0:
            raise bad
        return str(int(phone))
    if phone <= 0:
        raise bad
    return str(phone)


def phone_key(phone, default_region=None):
    """The phone in E.164 (`+48123456789`).

    Accepts strings with spaces, dashes, parentheses, dots, `+` or a leading
    `00`, and numbers as Excel stores them (48123456789.0, 4.8123456789E10).
    A number without a country code is read in `default_region` (alpha-2);
    failing that (or with no region) it is read as international with its
    `+` restored, because Excel drops the `+`.
    """
    global _phonenumbers
    bad = BadInput(f"phone {_show(phone)} is not a valid phone number")
    if phone is None or isinstance(phone, bool):
        raise BadInput("phone is missing") if phone is None else bad
    if isinstance(phone, (int, float)):
        s = _phone_digits_from_number(phone, bad)
    elif isinstance(phone, str):
        s = phone.strip()
        if _EXCEL_DECIMAL_RE.match(s):
            s = s.split(".")[0]
        elif _EXCEL_SCI_RE.match(s):
            try:
                s = _phone_digits_from_number(float(s.replace(",", ".")), bad)
            except (ValueError, OverflowError):
                raise bad from None
    else:
        raise bad
    if not s:
        raise BadInput("phone is missing")
    if _phonenumbers is None:
        import phonenumbers

        _phonenumbers = phonenumbers
    pn = _phonenumbers
    compact = _PHONE_STRIP_RE.sub("", s)
    if compact.startswith("00"):
        s = "+" + compact[2:]
        compact = s
    region = (default_region or "").strip().upper() or None
    if region == "UK":
        region = "GB"

    attempts = []
    if compact.startswith("+"):
        attempts.append((s, None))
    else:
        if region:
            attempts.append((s, region))
        attempts.append(("+" + s, None))
    for text, reg in attempts:
        try:
            num = pn.parse(text, reg)
        except pn.NumberParseException:
            continue
        if pn.is_valid_number(num):
            return pn.format_number(num, pn.PhoneNumberFormat.E164)
    raise bad


_COUNTRY_ALIASES = {
    "uk": "GB",
    "u.k.": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "usa": "US",
    "u.s.a.": "US",
    "u.s.": "US",
    "america": "US",
    "united states of america": "US",
    "russia": "RU",
    "south korea": "KR",
    "korea": "KR",
    "north korea": "KP",
    "czech republic": "CZ",
    "vietnam": "VN",
    "iran": "IR",
    "turkey": "TR",
    "syria": "SY",
    "laos": "LA",
    "moldova": "MD",
    "tanzania": "TZ",
    "venezuela": "VE",
    "bolivia": "BO",
    "holland": "NL",
    "the netherlands": "NL",
    "ivory coast": "CI",
    "macedonia": "MK",
    "taiwan": "TW",
    "brunei": "BN",
    "cape verde": "CV",
    "swaziland": "SZ",
    "burma": "MM",
    "vatican": "VA",
    "uae": "AE",
}
_country_cache = {}


def country_code(value):
    """ISO 3166 alpha-2, upper-case, from alpha-2, alpha-3 or an English name."""
    if value is None or not str(value).strip():
        raise BadInput("country is missing")
    text = str(value).strip()
    key = " ".join(text.lower().split())
    code = _country_cache.get(key)
    if code is not None:
        return code
    code = _COUNTRY_ALIASES.get(key)
    if code is None:
        import pycountry

        try:
            code = pycountry.countries.lookup(key).alpha_2
        except LookupError:
            raise BadInput(f"country {_show(value)} is not a known country") from None
    _country_cache[key] = code
    return code
