"""Company names as keys: the one place that folds case, accents, punctuation, legal forms and the like.

Duplicate rules compare keys, not raw input: if two modules normalised names
differently, the same company could be stored twice, so every name key is
computed here. Pure functions (no database, no network); a name that cannot be
read raises `BadInput` with a one-line message.

`company_name_key(name)`, in order:
1. a word written as a web address ("sakuradenki.co.jp", "www.greenfield-foods.co.uk",
   "Shopmart.com") is read as its domain label; only a dotted word is read so,
   never a separate word ("Brightwater UK" keeps "uk");
2. accents folded (unidecode), case folded, `&`/`+` read as "and", apostrophes
   dropped, dotted abbreviations joined ("S.p.A." -> "spa", "S.A.B. de C.V." ->
   "sab de cv", "& C. S.p.A." -> "and c spa"), other punctuation a space;
3. "und", "et", "och", "og" between words read as "and"; abbreviations read
   as one short form each ("International" -> "intl", "Company" -> "co");
4. a leading article ("The", "La", "Der" ...) and a legal form written before
   the name ("AB", "Aktiebolaget", "Kabushiki Kaisha", "PT", "OOO") dropped,
   as are legal forms at the end, repeatedly ("GmbH & Co. KG", "Oyj Abp");
   a name that is nothing but these keeps its words.
Transliteration (ü/ue, ø/oe, ß/ss ...) is not folded here, where the key stays
readable, but in the compact forms names are compared by (`crmctl.dedup.keys`).

`name_key_steps(name)` gives the key and what each step changed, for `dedup explain`.
The tables, and where they came from, are in `crmctl.rules.name_tables`.
cleanco's `basename` is not called: it is ~3x slower than our budget, strips
only one pass and can return an empty name; its term list is merged into our
table instead. unidecode and cleanco are imported on first use, so importing
this module keeps `crmctl --help` fast.
"""
import re

from crmctl.errors import BadInput, quoted
from crmctl.rules import name_tables

_AND_RE = re.compile(r"\s*[&+]\s*")
_APOS_RE = re.compile(r"['`\u2019]")
_NON_ALNUM_RE = re.compile(r"[^a-z0-9]+")
# A letter and its dot before another lone letter: "s.p.a." -> "spa.", "c.v." -> "cv.".
_DOTTED_RE = re.compile(r"\b([a-z])\.(?=[a-z]\b)")
# Join runs of one-letter tokens: "s a" -> "sa", "l l c" -> "llc".
_SINGLES_RE = re.compile(r"\b([a-z]) (?=[a-z]\b)")
_TRAILING_THE_RE = re.compile(r",\s*the\s*$")
# A word written as a web address: optional scheme and "www.", labels, an ending, an optional "/".
_WEB_WORD_RE = re.compile(r"(?<![\w.@])(?:https?://)?(?:www\.)?((?:[a-z0-9-]+\.)+[a-z]{2,})/?(?![\w.@])")
# Austrian "e.U." (eingetragenes Unternehmen), written with its dots: a bare "EU" or
# ".eu" at the end of a name is a word or a web address ending, not a legal form.
_E_U_RE = re.compile(r"\be\.\s*u\.?\s*$", re.IGNORECASE)
_HAS_ALNUM_RE = re.compile(r"[^\W_]")

_tables = None  # (suffixes by last token, prefixes by first token), built on first use
_ABBREVIATION_OF = {word: group.split()[0] for group in name_tables.ABBREVIATIONS.strip().splitlines()
                    for word in group.split()}
_unidecode = None


def _ascii(name):
    global _unidecode
    if name.isascii():
        return name
    if _unidecode is None:
        from unidecode import unidecode as _u

        _unidecode = _u
    return _unidecode(name)


def _web_label(match, steps):
    """The domain label of a word written as a web address, or the word when its ending is not a web ending."""
    labels = match.group(1).split(".")
    ending = labels[-1]
    if not (ending in name_tables.GENERIC_WEB_ENDINGS or len(ending) == 2) or len(labels) < 2:
        return match.group(0)
    labels.pop()
    if len(ending) == 2 and len(labels) > 1 and labels[-1] in name_tables.SECOND_LEVEL_WEB_WORDS:
        labels.pop()
    label = labels[-1]
    if len(label) < 2:  # "s.a", "k.k": dotted letters, not an address
        return match.group(0)
    if steps is not None:
        steps.append(f"web address {match.group(0)!r} read as {label!r}")
    return " " + label + " "


def _tokens(text, steps=None):
    """Fold accents, case, punctuation, "and" words and abbreviations into tokens; no legal-form logic."""
    s = _ascii(text).lower()
    if "." in s:
        s = _WEB_WORD_RE.sub(lambda match: _web_label(match, steps), s)
        s = _DOTTED_RE.sub(r"\1", s)
    if "&" in s or "+" in s:
        s = _AND_RE.sub(" and ", s)
    s = _APOS_RE.sub("", s)
    s = _NON_ALNUM_RE.sub(" ", s)
    s = _SINGLES_RE.sub(r"\1", s)
    tokens = s.split()
    for index, token in enumerate(tokens):
        if token in name_tables.AND_WORDS and 0 < index < len(tokens) - 1:
            tokens[index] = "and"
            continue
        short = _ABBREVIATION_OF.get(token)
        if short is not None and short != token:
            if steps is not None:
                steps.append(f"abbreviation {token!r} read as {short!r}")
            tokens[index] = short
    return tokens


def _clean(name):
    """The tokens of a name joined by spaces (legal-form entries are tokenised the same way)."""
    return " ".join(_tokens(name))


def _legal_form_entries(table):
    entries = set()
    for raw in table.replace("\n", "").split("|"):
        tokens = tuple(_tokens(raw))
        if tokens:
            entries.add(tokens)
    return entries


def _build_tables():
    """Suffixes by their last token and prefixes by their first, longest first: our tables merged with cleanco's."""
    global _tables
    suffixes = _legal_form_entries(name_tables.OWN_LEGAL_FORMS)
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
        tokens = tuple(_tokens(raw))
        if tokens and " ".join(tokens) not in name_tables.CLEANCO_DENY:
            suffixes.add(tokens)
    by_last, by_first = {}, {}
    for tokens in suffixes:
        by_last.setdefault(tokens[-1], []).append(tokens)
    for tokens in _legal_form_entries(name_tables.LEGAL_PREFIXES):
        by_first.setdefault(tokens[0], []).append(tokens)
    _tables = ({k: tuple(sorted(v, key=len, reverse=True)) for k, v in by_last.items()},
               {k: tuple(sorted(v, key=len, reverse=True)) for k, v in by_first.items()})
    return _tables


def company_name_key(name):
    """The normalised company name used for "same name" duplicate checks (see the module docstring)."""
    return _name_key(name, None)


def name_key_steps(name):
    """(name key, [what each step changed]) for `dedup explain`."""
    steps = []
    return _name_key(name, steps), steps


def _dropped(steps, what, tokens):
    if steps is not None:
        steps.append(f"{what} {' '.join(tokens)!r} dropped")


def _name_key(name, steps):
    if name is None:
        raise BadInput("company name is missing")
    if not isinstance(name, str):
        name = str(name)
    suffixes, prefixes = _tables or _build_tables()
    toks = _tokens(name, steps)
    if not toks or (toks == ["and"] and not _HAS_ALNUM_RE.search(name)):
        raise BadInput(f"company name {quoted(name)} has no letters or digits")
    if len(toks) > 1:
        if toks[0] in name_tables.LEADING_ARTICLES:
            _dropped(steps, "leading article", toks[:1])
            del toks[0]
        elif toks[-1] == "the" and _TRAILING_THE_RE.search(name.lower()):
            _dropped(steps, "article", toks[-1:])
            del toks[-1]  # "Acme Company, The"
        for prefix in prefixes.get(toks[0], ()):
            k = len(prefix)
            if k < len(toks) and tuple(toks[:k]) == prefix:
                _dropped(steps, "legal form", prefix)
                del toks[:k]
                break
        if len(toks) > 1 and toks[-1] == "eu" and _E_U_RE.search(name):
            _dropped(steps, "legal form", toks[-1:])
            del toks[-1]  # "Acme e.U."
    n = len(toks)
    while n:
        for suffix in suffixes.get(toks[n - 1], ()):
            k = len(suffix)
            if k <= n and tuple(toks[n - k:n]) == suffix:
                if k < n:
                    _dropped(steps, "legal form", suffix)
                n -= k
                break
        else:
            break
    if n == 0:
        return " ".join(toks)
    del toks[n:]
    return " ".join(toks)


def name_tokens(name):
    """The tokens of `company_name_key(name)`, for the blocking index."""
    return company_name_key(name).split(" ")
