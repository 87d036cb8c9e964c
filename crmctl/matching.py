"""Duplicate matching: the one engine every write path calls (placeholder keys only)."""
from crmctl.normalize import name_tokens


def company_blocking_keys(name):
    """Blocking keys of a company name: its tokens, and one-deletion variants of its first token."""
    tokens = name_tokens(name)
    keys = {f"t:{token}"[:64] for token in tokens}
    if tokens and len(tokens[0]) >= 4:
        first = tokens[0]
        keys.update(f"d:{first[:i] + first[i + 1:]}"[:64] for i in range(len(first)))
        keys.add(f"d:{first}"[:64])
    return sorted(keys)
