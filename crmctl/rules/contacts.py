"""E-mail addresses, phone numbers (E.164) and countries (ISO 3166 alpha-2) as keys.

phonenumbers and pycountry are imported on first use, so importing this
module keeps `crmctl --help` fast. A phone that Excel stored as a number
(48601234567.0) is read as its digits.
"""
import math
import re

from crmctl.errors import BadInput, quoted

# --------------------------------------------------------------------------
# E-mail, phone, country
# --------------------------------------------------------------------------

# local@domain.tld: the local part of letters, digits and the characters RFC 5322 allows there, in dot-separated
# runs; the domain of labels of letters, digits and inner hyphens; a top-level label of letters (or punycode).
_EMAIL_RE = re.compile(r"^[\w!#$%&'*+/=?^`{|}~-]+(?:\.[\w!#$%&'*+/=?^`{|}~-]+)*"
                       r"@(?:[^\W_](?:[\w-]*[^\W_])?\.)+(?:[^\W\d_]{2,}|xn--[a-z0-9-]+)$")
# What a copied address often carries around it: "mailto:", "Anna Nowak <anna@acme.pl>".
_MAILTO = re.compile(r"^mailto:", re.I)
_NAMED = re.compile(r"^[^<>]*<([^<>]*)>$")


def email_key(email):
    """The address stripped and lower-cased, without a mailto: or a display name around it; it must look like
    local@domain.tld (so the same person's address is one key, whichever way it was pasted)."""
    if email is None:
        raise BadInput("email is missing")
    s = str(email).strip()
    named = _NAMED.match(s)
    s = _MAILTO.sub("", named.group(1).strip() if named else s).lower()
    if not _EMAIL_RE.match(s):
        raise BadInput(f"email {quoted(email)} is not a valid e-mail address")
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
    bad = BadInput(f"phone {quoted(phone)} is not a valid phone number")
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
# ISO 3166-1 alpha-2 (pycountry's list): a typed code is checked without loading pycountry's
# database, which costs a listing's `--where country=PL` or an `add` most of its start-up.
ISO_ALPHA_2 = frozenset("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY
BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK
FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR
IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK
ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF
TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
""".split())


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
    if code is None and key.upper() in ISO_ALPHA_2:
        code = key.upper()
    if code is None:
        import pycountry

        try:
            code = pycountry.countries.lookup(key).alpha_2
        except LookupError:
            raise BadInput(f"country {quoted(value)} is not a known country") from None
    _country_cache[key] = code
    return code
