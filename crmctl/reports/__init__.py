"""Reports computed in SQL: pipeline, funnel, activity, quota and the weekly page (to come)."""
