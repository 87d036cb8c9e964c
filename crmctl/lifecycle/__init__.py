"""A lead's life after it is added: status, pool, assignment, conversion, deals, scoring, archive, segments (to come)."""
