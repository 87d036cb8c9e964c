"""Writing records: the batched write path, companies, leads, activities, agents, edits, merges and history."""
