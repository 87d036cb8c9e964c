"""Name forms and blocking keys: how a company name is cut into the keys that find its neighbours.

Candidates are found without scanning the table: near names share a row of
`CompanyBlockingKey`. The keys follow the pigeonhole principle on the compact
forms of a name (`name_forms`: no spaces or "and", transliterations folded;
as written, and without trailing generic words), so that a company stores few
keys (`stored_keys`, about 5) and a look-up probes more (`probe_keys`), each an
exact match, all in one query:

- a form of n >= `MIN_LETTERS_FOR_TYPO_KEYS` letters is cut by position into
  parts: short ones first (`HEAD_WIDTHS`), because the letters that tell a
  company apart are mostly in its first word ("Novak" in "Novak
  Construction"), then the rest in even parts of at most `MAX_PART_WIDTH`
  letters; so every key keeps all but a few letters and names few companies;
- a company stores, per form and per part, the form without that part,
  tagged with n and the part's number. An insertion, deletion or substitution
  touches at most one part (one at a border counts for the part after it),
  so two forms one such edit apart share the key without that part;
- a look-up, knowing neither the stored length n nor where the edit is,
  probes for each n within one letter of its own length each part left out,
  the rest of its form read after the gap; a transposition across a border
  is probed undone, at each border;
- a form of n >= `MIN_LETTERS_FOR_TWO_TYPOS` letters, where two edits still
  score as a likely duplicate (Constructora Meridional / Construtora
  Meridonal), is also cut into `TWO_TYPO_PARTS` even parts and stores the
  form without each pair of them (6 keys): two edits touch at most two parts.
  Of its one-edit keys it keeps only those without a head part: a pair key
  keeps half the form, which in a crowded name space ("... plastics") names
  many companies, while a typo in the first letters, where names differ, is
  still found through a key that keeps all but two or three letters.
  A look-up probes each n within two letters, each pair left out, the part
  between the pair shifted by each length change the first part may hold, and
  its form with a transposition across a border undone (a transposition is one
  edit as names are scored, but touches the two parts beside the border);
- a form shorter than `MIN_LETTERS_FOR_TYPO_KEYS` letters is keyed whole (one
  edit scores below the likely threshold there), and a form of exactly that
  many letters also probes the whole forms one deletion shorter;
- a name of several words stores one more key: its words in sorted order; a
  name of three words or more one more: its initials, marked with
  `ACRONYM_KEY_MARK`, which a typed acronym ("NCS") probes.

So a look-up finds every stored name with a form equal to one of its own or
one edit apart (optimal string alignment: insertion, deletion, substitution,
transposition) when the shorter form has at least 6 letters, two edits apart
when both have at least 13, and every name with the same words in another
order; the relation is symmetric. A stored key is a 40-bit digest written as
`KEY_LENGTH` characters from an alphabet without capitals (no database
collation folds two together), so a row costs the same whatever the name's
length. A key with more than `BLOCKING_KEY_CAP` postings (a two-typo key:
`TWO_TYPO_KEY_CAP`) is skipped, so a crowded key cannot make a check slow.
"""
from functools import lru_cache
from hashlib import blake2b

from rapidfuzz import process
from rapidfuzz.distance import OSA

# Bump when what `stored_keys` or `crmctl.rules.names.company_name_key` gives for a name changes:
# `crmctl db upgrade` then recomputes every stored name key and blocking key (`crmctl.records.rekey`).
KEYS_VERSION = 5
BLOCKING_KEY_CAP = 200
# A two-typo key keeps only about half of a long form: one shared by more companies than this holds a
# common word ("... logistics") rather than a name, and is skipped by a look-up. Among a million generated
# companies, a name one typo away from a stored one is found through a key of at most 57 companies when
# every key that keeps more of it is crowded (bench/storage_bench.py measures that recall).
TWO_TYPO_KEY_CAP = 64
# Below this many letters a name must match exactly: one edit scores < 85.
MIN_LETTERS_FOR_TYPO_KEYS = 6
# From this many letters two edits still score >= 85, so a form is keyed to meet its two-edit neighbours.
MIN_LETTERS_FOR_TWO_TYPOS = 13
TWO_TYPO_PARTS = 4
# The widths of the first parts of a form (only the first below MIN_LETTERS_FOR_TWO_HEAD_PARTS letters);
# the rest is cut into at least two even parts of at most MAX_PART_WIDTH letters.
HEAD_WIDTHS = (2, 3)
MIN_LETTERS_FOR_TWO_HEAD_PARTS = 10
MAX_PART_WIDTH = 5
KEY_LENGTH = 8
# Acronym keys start with this character, which no name key's digest uses: `dedup scan` skips them.
ACRONYM_KEY_MARK = "~"
ACRONYM_LETTERS = (3, 8)  # a typed acronym has this many letters
_KEY_ALPHABET = bytes(b"0123456789abcdefghijklmnopqrstuv"[byte % 32] for byte in range(256))

# Generic words at the end of a name that do not tell two companies apart (in the short forms
# of `crmctl.rules.name_tables.ABBREVIATIONS`: "group" is "grp").
DESCRIPTOR_WORDS = frozenset(
    """grp groups holding holdings intl global worldwide companies""".split()
)
# Transliterations folded in compact forms, in this order: Müller/Mueller, Bjørn/Bjoern, Straße/Strasse,
# Ålesund/Aalesund, Bäcker/Baecker (unidecode already read ü as u, ø as o, ß as ss, å as a).
TRANSLITERATIONS = (("ae", "a"), ("oe", "o"), ("ue", "u"), ("aa", "a"), ("ss", "s"))


def fold(text):
    """`text` with the transliteration digraphs folded ("mueller" -> "muller", "strasse" -> "strase")."""
    for digraph, letter in TRANSLITERATIONS:
        if digraph in text:
            text = text.replace(digraph, letter)
    return text


def compact(name_key):
    """The name without spaces or "and", transliterations folded: what names are compared and keyed by."""
    if "and" not in name_key:  # most names: nothing to drop (the same result, a tenth of the work)
        return fold(name_key.replace(" ", ""))
    return fold("".join(token for token in name_key.split(" ") if token != "and") or name_key.replace(" ", ""))


def core_name_key(name_key):
    """The name without generic words at its end ("acme grp" -> "acme")."""
    if name_key[name_key.rfind(" ") + 1:] not in DESCRIPTOR_WORDS:  # most names end in a telling word
        return name_key
    tokens = name_key.split(" ")
    while len(tokens) > 1 and tokens[-1] in DESCRIPTOR_WORDS:
        tokens.pop()
    return " ".join(tokens)


def _forms(name_key):
    """The compact forms a name is compared and blocked by (a tuple): as written, and its core."""
    whole = compact(name_key)
    if " " not in name_key:
        return (whole,)
    core_key = core_name_key(name_key)
    if core_key == name_key:
        return (whole,)
    core = compact(core_key)
    return (whole,) if core == whole else (whole, core)


# Cached: a check and a batch ask for the forms of the same names again and again.
name_forms = lru_cache(maxsize=100_000)(_forms)


def sorted_name_key(name_key):
    return " ".join(sorted(name_key.split(" ")))


def initials(name_key):
    """The first letters of a name of three words or more ("nordic cargo systems" -> "ncs"), else None."""
    words = [token for token in name_key.split(" ") if token != "and"]
    return "".join(word[0] for word in words) if len(words) >= ACRONYM_LETTERS[0] else None


def typed_acronym(name_key):
    """The name itself when it could be an acronym (one word of 3 to 8 letters), else None."""
    low, high = ACRONYM_LETTERS
    return name_key if " " not in name_key and low <= len(name_key) <= high and name_key.isalpha() else None


# --------------------------------------------------------------------------
# Blocking keys
# --------------------------------------------------------------------------


@lru_cache(maxsize=None)
def _parts(length):
    """(start, width) of the parts a form of `length` letters is cut into: short ones first, then even ones."""
    head = HEAD_WIDTHS if length >= MIN_LETTERS_FOR_TWO_HEAD_PARTS else HEAD_WIDTHS[:1]
    rest = length - sum(head)
    count = max(2, -(-rest // MAX_PART_WIDTH))
    width, wider = divmod(rest, count)
    layout, start = [], 0
    for size in list(head) + [width + (index < wider) for index in range(count)]:
        layout.append((start, size))
        start += size
    return tuple(layout)


@lru_cache(maxsize=None)
def _long_parts(length):
    """(start, width) of the TWO_TYPO_PARTS even parts of a long form."""
    width, wider = divmod(length, TWO_TYPO_PARTS)
    layout, start = [], 0
    for index in range(TWO_TYPO_PARTS):
        size = width + (index < wider)
        layout.append((start, size))
        start += size
    return tuple(layout)


def _stored_form_texts(form):
    length = len(form)
    if length < MIN_LETTERS_FOR_TYPO_KEYS:
        return {"=" + form}
    texts = {f"{length}.{missing}.{form[:start]}.{form[start + width:]}"
             for missing, (start, width) in enumerate(_parts(length))
             if length < MIN_LETTERS_FOR_TWO_TYPOS or missing < len(HEAD_WIDTHS)}
    if length >= MIN_LETTERS_FOR_TWO_TYPOS:  # two parts left out: two edits touch at most two parts
        layout = _long_parts(length)
        texts.update(f"{length}.{i}.{j}.{form[:layout[i][0]]}.{form[sum(layout[i]):layout[j][0]]}."
                     f"{form[sum(layout[j]):]}"
                     for i in range(len(layout)) for j in range(i + 1, len(layout)))
    return texts


def _add_probe_form_texts(form, found, two_typo_texts):
    """Add to `found` `form`'s probe texts: each stored length n within reach, each part left out, the rest
    of the form read after it; those of its two-typo keys to `two_typo_texts`."""
    length = len(form)
    if length < MIN_LETTERS_FOR_TYPO_KEYS:
        found.add("=" + form)
    elif length == MIN_LETTERS_FOR_TYPO_KEYS:
        found.update("=" + form[:i] + form[i + 1:] for i in range(length))
    for stored_length in range(max(MIN_LETTERS_FOR_TYPO_KEYS, length - 1), length + 2):
        change = length - stored_length
        layout = _parts(stored_length)
        long_form = stored_length >= MIN_LETTERS_FOR_TWO_TYPOS
        for missing, (start, width) in enumerate(layout[:len(HEAD_WIDTHS)] if long_form else layout):
            found.add(f"{stored_length}.{missing}.{form[:start]}.{form[start + width + change:]}")
        if change == 0 and not long_form:  # a transposition across a border between parts, undone
            last = len(layout) - 1
            for border, _width in layout[1:]:
                swapped = form[:border - 1] + form[border] + form[border - 1]
                found.add(f"{length}.{last}.{(swapped + form[border + 1:])[:layout[last][0]]}.")
        elif change == 0:  # the same in a long form's head: its keys without a head part, on the form undone
            for border, _width in layout[1:len(HEAD_WIDTHS) + 1]:
                swapped = form[:border - 1] + form[border] + form[border - 1] + form[border + 1:]
                for missing, (start, width) in enumerate(layout[:len(HEAD_WIDTHS)]):
                    found.add(f"{length}.{missing}.{swapped[:start]}.{swapped[start + width:]}")
    for stored_length in range(max(MIN_LETTERS_FOR_TWO_TYPOS, length - 2), length + 3):
        _probe_two_typos(form, stored_length, two_typo_texts)
    if length >= MIN_LETTERS_FOR_TWO_TYPOS:  # a transposition across a border, undone, and one edit more
        for border, _width in _long_parts(length)[1:]:
            swapped = form[:border - 1] + form[border] + form[border - 1] + form[border + 1:]
            _probe_two_typos(swapped, length, two_typo_texts)


def _probe_two_typos(form, stored_length, found):
    """Keys of a stored form of `stored_length` letters at most two edits from `form`.

    With parts i < j left out, what stands before part i is unchanged, what
    stands between them is shifted by the length change `shift` of the edits
    inside part i, and what follows part j by the whole change.
    """
    for prefix, start_i, middle_start, middle_end, end in _two_typo_cuts(stored_length, len(form) - stored_length):
        found.add(f"{prefix}{form[:start_i]}.{form[middle_start:middle_end]}.{form[end:]}")


@lru_cache(maxsize=None)
def _two_typo_cuts(stored_length, change):
    """(text prefix, end of the kept head, start and end of the kept middle, start of the kept tail) of each
    probe of `_probe_two_typos` for a look-up `change` letters longer than the stored form."""
    layout = _long_parts(stored_length)
    cuts = []
    for i in range(len(layout)):
        start_i, end_i = layout[i][0], sum(layout[i])
        for j in range(i + 1, len(layout)):
            start_j, end_j = layout[j][0], sum(layout[j])
            shifts = (0,) if j == i + 1 else [s for s in range(-2, 3) if abs(s) + abs(change - s) <= 2]
            cuts.extend((f"{stored_length}.{i}.{j}.", start_i, end_i + shift, start_j + shift, end_j + change)
                        for shift in shifts)
    return tuple(cuts)


def _word_order_texts(name_key):
    """The text of the key a name of several words stores and probes alike: its words in sorted order."""
    return {"o." + compact(sorted_name_key(name_key))} if " " in name_key else set()


def _key_texts(name_key, form_texts):
    found = _word_order_texts(name_key)
    for form in name_forms(name_key):
        found |= form_texts(form)
    return found


def _digests(texts, hashed=blake2b, size=KEY_LENGTH, alphabet=_KEY_ALPHABET):
    """The stored form of each text's key, in one comprehension (a look-up digests about 80)."""
    return {hashed(text.encode(), digest_size=size).digest().translate(alphabet).decode("ascii") for text in texts}


def _acronym_key(letters):
    (digest,) = _digests(("a." + letters,))
    return ACRONYM_KEY_MARK + digest[1:]


@lru_cache(maxsize=10_000)
def _stored_keys(name_key):
    keys = _digests(_key_texts(name_key, _stored_form_texts))
    letters = initials(name_key)
    if letters:
        keys.add(_acronym_key(letters))
    return tuple(sorted(keys))


def stored_keys(name_key):
    """The CompanyBlockingKey keys stored for a company's normalised name (and its initials' key); cached, as a
    batch computes them to match its later rows and again to store them."""
    return list(_stored_keys(name_key))


def probe_keys(name_key):
    """The keys to look up for a normalised name: each near name stores one of them, and sees this one's."""
    near, far = probe_key_sets(name_key)
    return sorted(near | far)


def probe_key_sets(name_key):
    """(near keys, two-typo keys) of a look-up.

    A two-typo key keeps about half of a long form, so in a crowded name space
    it also brings names three or more edits away ("alvarez and phillips" /
    "martinez and phillips"): the matcher keeps a company found only through
    these when its forms are at most two edits from the look-up's
    (`owners_within_two_typos`), before scoring it.
    """
    near_texts, far_texts = _word_order_texts(name_key), set()
    for form in name_forms(name_key):
        _add_probe_form_texts(form, near_texts, far_texts)
    near = _digests(near_texts)
    acronym = typed_acronym(name_key)
    if acronym:
        near.add(_acronym_key(acronym))
    return near, _digests(far_texts) - near


def owners_within_two_typos(forms, owned_forms):
    """The owners, of (owner, form) pairs, whose form is at most two edits (optimal string alignment) from
    one of `forms`: one pass of rapidfuzz over all the pairs per form, not a call per pair."""
    owners, texts = [], []
    for owner, text in owned_forms:
        owners.append(owner)
        texts.append(text)
    found = set()
    for form in forms:
        found.update(owners[index] for _text, _distance, index in
                     process.extract(form, texts, scorer=OSA.distance, score_cutoff=2, limit=None))
    return found


def name_forms_of_many(name_keys):
    """name key -> its `name_forms` (a tuple), each distinct name worked out once and not cached.

    A chunk of a batch meets thousands of names through its two-typo keys,
    each once: through the per-name cache they would only push out the names
    that recur (the look-ups' own).
    """
    return {name_key: _forms(name_key) for name_key in set(name_keys)}
