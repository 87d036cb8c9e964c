"""Company names as keys: the one place that folds case, accents, punctuation and legal forms.

Duplicate rules compare keys, not raw input: if two modules normalised names
differently, the same company could be stored twice, so every name key is
computed here. Pure functions (no database, no network); a name that cannot be
read raises `BadInput` with a one-line message.

cleanco's `basename` is not called: it is ~3x slower than our budget, strips
only one pass (`Foo Holdings Co., Ltd.` -> `Foo Holdings Co.`), can return an
empty name (`Co` -> ``), and misses `Spółka Akcyjna`, `Aktiengesellschaft`,
`Spółka z ograniczoną odpowiedzialnością`. Its term list is merged into our own
table instead, minus terms that are ordinary words at the end of names (`uk`,
`private`, `at`, `pc`, ...). unidecode and cleanco are imported on first use,
so importing this module keeps `crmctl --help` fast.
"""
import re

from crmctl.errors import BadInput, quoted

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
        raise BadInput(f"company name {quoted(name)} has no letters or digits")
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
