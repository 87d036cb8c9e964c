"""Deal velocity: days from lead to close, and days spent in each stage (SPEC §6 report velocity).

Lead to close: for each deal won or lost in the period, the days from its lead's creation (the
deal's own creation when it has no lead) to its close, per pipeline. Time in stage: each stage a
deal entered in the period (a `deal_stage_change` row) lasted until the deal's next move, or until
the end of the period when the open deal is still there; the window function LEAD finds the next move.
"""
from peewee import JOIN, Case, fn

from crmctl.reports.distribution import distributions, number, rounded
from crmctl.storage.dialect import seconds_between, timestamp_parameter
from crmctl.storage.models import Company, Deal, DealStageChange, Lead

LEAD_TO_CLOSE = "lead to close"
TIME_IN_STAGE = "time in stage"
DAY_SECONDS = 86400.0


def lead_to_close(scope):
    started = fn.COALESCE(Lead.created_at, Deal.created_at)
    query = (Deal.select(Deal.pipeline.alias("group_pipeline"),
                         (seconds_between(Deal.closed_at, started) / DAY_SECONDS).alias("measure"))
             .join(Lead, join_type=JOIN.LEFT_OUTER, on=(Deal.lead == Lead.id))
             .where(Deal.archived_at.is_null(), Deal.status.in_(("won", "lost")), Deal.closed_at.is_null(False),
                    scope.within(Deal.closed_at)))
    return restricted(query, scope)


def time_in_stage(scope):
    """Per stage entered: the days until the deal's next move (LEAD over its moves, in index order)."""
    next_move = fn.LEAD(DealStageChange.at).over(
        partition_by=[DealStageChange.deal], order_by=[DealStageChange.at, DealStageChange.id])
    moves = restricted(
        DealStageChange.select(Deal.pipeline, Deal.status, DealStageChange.to_stage, DealStageChange.at,
                               next_move.alias("left_at"))
        .join(Deal, on=(DealStageChange.deal == Deal.id)).where(Deal.archived_at.is_null(), *(
            # moves before the period matter to no stage entered in it (the next move is always later)
            [DealStageChange.at >= scope.start] if scope.start is not None else [])), scope).alias("moves")
    # A stage still held: until the end of the period while the deal is open; a closed deal's last stage
    # (Closed Won, Finished…) is where it rests, not time spent, so it is not measured.
    left = Case(None, (((moves.c.left_at.is_null()) & (moves.c.status == "open"),
                        timestamp_parameter(scope.reference_time)),), moves.c.left_at)
    query = (moves.select_from(moves.c.pipeline.alias("group_pipeline"), moves.c.to_stage.alias("group_stage"),
                               (seconds_between(left, moves.c.at) / DAY_SECONDS).alias("measure"))
             .where(scope.within(moves.c.at)))
    return query


def restricted(query, scope):
    if scope.agent_id is not None:
        query = query.where(Deal.owner == scope.agent_id)
    if scope.country is not None:
        query = query.switch(Deal).join(Company).where(Company.country == scope.country)
    return query


def velocity_report(scope, settings):
    """Rows {measure, pipeline, stage, deals, mean_days, median_days, p90_days}.

    Lead to close has its median and 90th percentile; time in stage its mean (the playbook's
    "average time"), one GROUP BY over every move, which spares sorting every move by its duration.
    """
    if scope.is_empty:
        return []
    rows = []
    for (pipeline,), figures in sorted(distributions(lead_to_close(scope), ("group_pipeline",)).items()):
        rows.append(velocity_row(LEAD_TO_CLOSE, pipeline, None, figures))
    stays = time_in_stage(scope).alias("stays")
    query = (stays.select_from(stays.c.group_pipeline, stays.c.group_stage, fn.COUNT(stays.c.measure).alias("measured"),
                               fn.AVG(stays.c.measure).alias("mean"))
             .group_by(stays.c.group_pipeline, stays.c.group_stage))
    stages = {(row["group_pipeline"], row["group_stage"]): {"measured": number(row["measured"]),
                                                            "mean": number(row["mean"]), "median": None, "p90": None}
              for row in query.dicts()}
    for (pipeline, stage), figures in sorted(stages.items(), key=lambda item: stage_rank(item[0], settings)):
        if figures["measured"]:  # a stage only closed deals rest in has no time to show
            rows.append(velocity_row(TIME_IN_STAGE, pipeline, stage, figures))
    return rows


def stage_rank(key, settings):
    pipeline, stage = key
    stages = settings["pipelines"].get(pipeline, [])
    return (pipeline, stages.index(stage) if stage in stages else len(stages), stage)


def velocity_row(measure, pipeline, stage, figures):
    return {"measure": measure, "pipeline": pipeline, "stage": stage, "deals": figures["measured"],
            "mean_days": rounded(figures["mean"], 1), "median_days": rounded(figures["median"], 1),
            "p90_days": rounded(figures["p90"], 1)}
