"""Name forms and blocking keys: how a company name is cut into the keys that find its neighbours.

Candidates are found without scanning the table: near names share a row of
`CompanyBlockingKey`. The keys follow the pigeonhole principle on the compact
forms of a name (`name_forms`: no spaces or "and"; as written, without
web-address parts, without trailing generic words), so that a company stores
few keys (`stored_keys`, about 5) and a look-up probes more (`probe_keys`,
about 20), each an exact match, all in one query:

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
- a form shorter than `MIN_LETTERS_FOR_TYPO_KEYS` letters is keyed whole (one
  edit scores below the likely threshold there), and a form of exactly that
  many letters also probes the whole forms one deletion shorter;
- a name of several words stores one more key: its words in sorted order.

So a look-up finds every stored name with a form equal to one of its own or
one edit apart (optimal string alignment: insertion, deletion, substitution,
transposition) when the shorter form has at least 6 letters, and every name
with the same words in another order; the relation is symmetric. Two edits
are found when they fall in one part. A stored key is a 40-bit digest written
as `KEY_LENGTH` characters from an alphabet without capitals (no database
collation folds two together), so a row costs the same whatever the name's
length. A key with more than `BLOCKING_KEY_CAP` postings is skipped, so a
crowded key cannot make a check slow. The scan, which holds its keys in
memory, blocks on `deletion_keys` instead.
"""
from functools import lru_cache
from hashlib import blake2b

BLOCKING_KEY_CAP = 200
# Below this many letters a name must match exactly: one edit scores < 85.
MIN_LETTERS_FOR_TYPO_KEYS = 6
# The widths of the first parts of a form (only the first below MIN_LETTERS_FOR_TWO_HEAD_PARTS letters);
# the rest is cut into at least two even parts of at most MAX_PART_WIDTH letters.
HEAD_WIDTHS = (2, 3)
MIN_LETTERS_FOR_TWO_HEAD_PARTS = 10
MAX_PART_WIDTH = 5
KEY_LENGTH = 8
# The scan's in-memory keys (`deletion_keys`) are cut from this many first letters of a form.
DELETION_PREFIX_LENGTH = 20
_KEY_ALPHABET = bytes(b"0123456789abcdefghijklmnopqrstuv"[byte % 32] for byte in range(256))

# Generic words at the end of a name that do not tell two companies apart.
DESCRIPTOR_WORDS = frozenset(
    """group groups holding holdings international intl global worldwide enterprises enterprise
    companies""".split()
)
# A name typed as a web address ("www.acme.com", "Allegro.eu"): its "www" and domain ending.
URL_FORM_LEADING = frozenset({"www"})
URL_FORM_ENDINGS = frozenset("com net org io eu pl de uk fr es it nl biz info".split())


def compact(name_key):
    """The name without spaces or "and", as it is written in a web address."""
    return "".join(token for token in name_key.split(" ") if token != "and") or name_key.replace(" ", "")


def address_name_key(name_key):
    """The name without a web address's "www" and ending ("www acme com" -> "acme")."""
    tokens = name_key.split(" ")
    if len(tokens) > 1 and tokens[0] in URL_FORM_LEADING:
        tokens.pop(0)
    while len(tokens) > 1 and tokens[-1] in URL_FORM_ENDINGS:
        tokens.pop()
    return " ".join(tokens)


def core_name_key(name_key):
    """The name without generic words at its end ("acme group" -> "acme") nor web-address parts."""
    tokens = address_name_key(name_key).split(" ")
    while len(tokens) > 1 and tokens[-1] in DESCRIPTOR_WORDS:
        tokens.pop()
    return " ".join(tokens)


def name_forms(name_key):
    """The compact forms a name is compared and blocked by: as written, as an address, its core."""
    forms = [compact(name_key)]
    for form in (compact(address_name_key(name_key)), compact(core_name_key(name_key))):
        if form not in forms:
            forms.append(form)
    return forms


def sorted_name_key(name_key):
    return " ".join(sorted(name_key.split(" ")))


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


def _stored_form_texts(form):
    length = len(form)
    if length < MIN_LETTERS_FOR_TYPO_KEYS:
        return {"=" + form}
    return {f"{length}.{missing}.{form[:start]}.{form[start + width:]}"
            for missing, (start, width) in enumerate(_parts(length))}


def _probe_form_texts(form):
    """Each stored length n within reach, each part left out, the rest of the form read after it."""
    length = len(form)
    found = set()
    if length < MIN_LETTERS_FOR_TYPO_KEYS:
        found.add("=" + form)
    elif length == MIN_LETTERS_FOR_TYPO_KEYS:
        found.update("=" + form[:i] + form[i + 1:] for i in range(length))
    for stored_length in range(max(MIN_LETTERS_FOR_TYPO_KEYS, length - 1), length + 2):
        change = length - stored_length
        layout = _parts(stored_length)
        for missing, (start, width) in enumerate(layout):
            found.add(f"{stored_length}.{missing}.{form[:start]}.{form[start + width + change:]}")
        if change == 0:  # a transposition across a border between parts, undone
            last = len(layout) - 1
            for border, _width in layout[1:]:
                swapped = form[:border - 1] + form[border] + form[border - 1]
                found.add(f"{length}.{last}.{(swapped + form[border + 1:])[:layout[last][0]]}.")
    return found


def _word_order_text(name_key):
    return "o." + compact(sorted_name_key(name_key))


def _key_texts(name_key, form_texts):
    found = set()
    for form in name_forms(name_key):
        found |= form_texts(form)
    if " " in name_key:
        found.add(_word_order_text(name_key))
    return found


def _digest(text):
    return blake2b(text.encode(), digest_size=KEY_LENGTH).digest().translate(_KEY_ALPHABET).decode("ascii")


def stored_keys(name_key):
    """The CompanyBlockingKey keys stored for a company's normalised name."""
    return sorted({_digest(text) for text in _key_texts(name_key, _stored_form_texts)})


def probe_keys(name_key):
    """The keys to look up for a normalised name: each near name stores one of them, and sees this one's."""
    return sorted({_digest(text) for text in _key_texts(name_key, _probe_form_texts)})


def deletion_keys(name_key):
    """Keys for blocking in memory, where a key costs nothing to store (`dedup scan`).

    Each compact form's first `DELETION_PREFIX_LENGTH` letters, every one-letter
    deletion of them from `MIN_LETTERS_FOR_TYPO_KEYS` letters, and the words in
    sorted order: two forms one edit apart share one (symmetric deletion), and
    unlike the stored keys, whose left-out part may differ by more than one
    edit, few pairs further apart do, so the scan scores few pairs.
    """
    found = set()
    for form in name_forms(name_key):
        text = form[:DELETION_PREFIX_LENGTH]
        found.add("d:" + text)
        if len(text) >= MIN_LETTERS_FOR_TYPO_KEYS:
            found.update("d:" + text[:i] + text[i + 1:] for i in range(len(text)))
    if " " in name_key:
        found.add(_word_order_text(name_key))
    return found
