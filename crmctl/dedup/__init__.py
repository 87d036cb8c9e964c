"""The duplicate matcher: name keys, scores, candidates for a batch, the policy, the whole-database scan and explain."""
