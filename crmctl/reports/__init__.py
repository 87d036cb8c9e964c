"""Reports computed by SQL aggregation: the figures of SPEC §6 (report) and the weekly page.

One module per family of figures (pipeline, funnel, activity and quota, response time, win rate,
velocity, scores, review backlog), each a plain function of a `ReportScope` returning flat rows;
`catalog` names them for the command, `weekly` and `weekly_page` put a week beside the last one.
Every figure is a GROUP BY, COUNT, SUM or window over the rows in the database: nothing loads the
records themselves into Python.
"""
