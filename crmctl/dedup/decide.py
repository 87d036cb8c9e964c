"""What happens to a record that resembles existing ones: the one duplicate policy.

Exact duplicates (website, LinkedIn page, a lead's profile, email or phone) are
never stored twice: refused, or, when the caller says so (`import
--on-duplicate skip`), attached to the record they duplicate. Likely ones (a
close name in the same country) are refused unless `force`, which History
records. Possible ones (an acronym, a score just under the likely band) are
reported beside the stored record and never refused (`split_possible`). `add --force` and import's options both go through `decide`.
"""
from crmctl.errors import DuplicateFound, Refused

ON_EXACT_DUPLICATE = ("refuse", "skip")
# What `import --on-duplicate` does with a row that duplicates a stored record (the row is attached to it).
DUPLICATE_POLICIES = ("skip", "update", "merge")


def decide(kind, candidates, force=False, on_duplicate="refuse"):
    """(action, candidates) for one row: create, forced or skip; DuplicateFound to refuse it.

    The candidates may be stored records or earlier rows of the same batch.
    "skip" keeps the row's record out and returns the exact candidates, best
    first, so the caller can attach the row to the first.
    """
    if not candidates:
        return "create", []
    exact = [c for c in candidates if c.exact]
    if exact and on_duplicate == "skip":
        return "skip", exact
    apply_duplicate_rules(kind, candidates, force)
    return "forced", list(candidates)


def duplicate_changes(on_duplicate, stored, incoming):
    """The fields a stored record takes from a row that duplicates it: {field: new value}.

    "skip" changes nothing; "update" takes every value the row gives that
    differs; "merge" only fills the fields the stored record leaves empty.
    """
    changes = {}
    for name, value in incoming.items():
        if value is None or value == "" or on_duplicate == "skip":
            continue
        if on_duplicate == "update" and stored.get(name) != value:
            changes[name] = value
        elif on_duplicate == "merge" and stored.get(name) in (None, ""):
            changes[name] = value
    return changes


def split_possible(candidates):
    """(candidates the policy decides on, possible duplicates that are only reported)."""
    return ([c for c in candidates if c.band != "possible"], [c for c in candidates if c.band == "possible"])


def duplicate_message(kind, candidates, force_allowed):
    """One line naming the rule and the best matching records."""
    shown = "; ".join(
        f"{f'{c.id} {c.name}' if c.id else c.name} (score {c.score:g}: {', '.join(c.reasons) or 'similar'})"
        for c in candidates[:3]
    )
    more = f" and {len(candidates) - 3} more" if len(candidates) > 3 else ""
    if not force_allowed:
        return (
            f"duplicate {kind} refused: matches {shown}{more}; "
            "an exact duplicate is never stored, not even with --force"
        )
    return f"likely duplicate {kind} refused: resembles {shown}{more}; add --force to store it anyway"


def apply_duplicate_rules(kind, candidates, force):
    """Raise DuplicateFound unless storing is allowed; returns the candidates a force overrides.

    Exact duplicates are refused always; likely ones unless `force`.
    """
    if not candidates:
        return []
    exact = [c for c in candidates if c.exact]
    if exact:
        raise DuplicateFound(duplicate_message(kind, exact, force_allowed=False), list(candidates))
    if not force:
        raise DuplicateFound(duplicate_message(kind, candidates, force_allowed=True), candidates)
    return list(candidates)


def raise_stored_by_another_process(kind, candidates):
    """A unique index refused our insert: name the record that won the race."""
    exact = [c for c in candidates if c.exact]
    if exact:
        raise DuplicateFound(duplicate_message(kind, exact, force_allowed=False), list(candidates))
    raise Refused(f"duplicate {kind} refused by the database: another record has the same website, "
                  "LinkedIn page, email or phone")
