"""The periodic jobs cron runs: the review and the follow-up cadence (to come)."""
