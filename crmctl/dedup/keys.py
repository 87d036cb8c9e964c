"""Name forms and blocking keys: how a company name is cut into the keys that find its neighbours.

Candidates are found without scanning the table: near names share a row of
`CompanyBlockingKey`, which holds for each company the compact forms of its
name (no spaces or "and"; as written, without web-address parts, without
trailing generic words; first 20 letters), every one-letter deletion of each
form of 6 letters or more, and its words in sorted order: two names one edit
apart always share such a key (symmetric deletion), and so do names differing
only in word order. A key with more than `BLOCKING_KEY_CAP` postings is
skipped, so a crowded key cannot make a check slow.
"""
BLOCKING_PREFIX_LENGTH = 20
BLOCKING_KEY_CAP = 200
# Below this many letters a name must match exactly: one edit scores < 85.
MIN_LETTERS_FOR_TYPO_KEYS = 6
MAX_KEY_LENGTH = 64

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


def blocking_keys_of_name_key(name_key):
    """The CompanyBlockingKey keys of a normalised name (see the module docstring)."""
    keys = set()
    for variant in name_forms(name_key):
        text = variant[:BLOCKING_PREFIX_LENGTH]
        keys.add("d:" + text)
        if len(text) >= MIN_LETTERS_FOR_TYPO_KEYS:
            keys.update("d:" + text[:i] + text[i + 1:] for i in range(len(text)))
    if " " in name_key:
        keys.add(("o:" + compact(sorted_name_key(name_key)))[:MAX_KEY_LENGTH])
    return sorted(keys)


def company_blocking_keys(name):
    """Blocking keys of a company name as a user wrote it."""
    from crmctl.rules.names import company_name_key

    return blocking_keys_of_name_key(company_name_key(name))
