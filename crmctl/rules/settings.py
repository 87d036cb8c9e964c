"""The configurable rules of SPEC §5, with the team playbook's defaults.

A value an admin has set is stored as JSON in the `setting` table; everything
else falls back to DEFAULTS. A setting keeps the type of its default.
"""
import json

from crmctl.errors import BadInput
from crmctl.storage.models import Setting

# Lead scoring (SPEC §5): each group's cap and its signals, whose [low, high] points `score_weights` holds.
SCORE_GROUPS = (
    ("demographics", 25, ("company_size", "industry_fit", "title_relevance")),
    ("behaviour", 50, ("website_visit", "content_download", "email_engagement")),
    ("engagement", 25, ("demo_request", "pricing_enquiry", "contact_form")),
)

DEFAULTS = {
    "required_company_fields": ["name", "website", "linkedin_url", "employee_count", "industry"],
    "max_leads_per_company": 5,
    "min_linkedin_connections": 100,
    "daily_company_target": 50,
    "review_interval_days": 90,
    "follow_up_cadence_days": [1, 3, 7, 14],
    "reengagement_interval_days": 30,
    "response_time_new_lead_hours": 1,
    "response_time_customer_hours": 4,
    # The hours response times count (`review run`): the clock stops outside them.
    "business_hours": "09:00-17:00",
    "business_days": "Mon-Fri",
    "business_timezone": "UTC",
    "renewal_notice_days": 90,
    "services_manual_touch_days": 30,
    "likely_duplicate_min_score": 85,
    "possible_duplicate_min_score": 75,
    "ideal_industries": [],
    "ideal_employee_range": [50, 1000],
    "ideal_titles": ["ceo", "founder", "owner", "director", "head", "vp", "chief", "manager"],
    "score_weights": {
        "company_size": [5, 15],
        "industry_fit": [5, 10],
        "title_relevance": [5, 10],
        "website_visit": [10, 20],
        "content_download": [10, 15],
        "email_engagement": [10, 15],
        "demo_request": [15, 20],
        "pricing_enquiry": [10, 15],
        "contact_form": [5, 10],
    },
    "pipelines": {
        "sales": [
            "Prospecting",
            "Qualification",
            "Needs Analysis",
            "Proposal",
            "Negotiation",
            "Closed Won",
            "Closed Lost",
        ],
        "services": [
            "New Leads",
            "Follow Up With",
            "Stop Automation/Nurture",
            "Estimate Scheduled/Sent",
            "Job Scheduled",
            "Service Completed",
            "Finished",
        ],
    },
}


def check_key(key):
    if key not in DEFAULTS:
        raise BadInput(f"unknown setting {key!r} (see `crmctl config list`)")


def get_setting(key):
    check_key(key)
    row = Setting.get_or_none(Setting.key == key)
    return DEFAULTS[key] if row is None else json.loads(row.value)


def load_settings():
    """Every setting, stored or default, in one query: what a command reads once and passes down."""
    stored = {row.key: json.loads(row.value) for row in Setting.select()}
    return {key: stored.get(key, default) for key, default in DEFAULTS.items()}


# --------------------------------------------------------------------------
# Each setting's type and range: `config set` refuses a value that would break the product
# --------------------------------------------------------------------------

# Days a setting may add to a date: ten years, so a date of crmctl's calendar (crmctl.dates, years
# 1900 to 2999) plus or minus any of them stays inside Python's (years 1 to 9999).
MAX_DAYS = 3650
# Business hours a response may take: 1000 is half a year at 8 hours a day, 5 days a week, far beyond
# any response-time promise; more only overflows the reports' and the review run's date arithmetic.
MAX_RESPONSE_HOURS = 1000


class Rule:
    """What a setting takes (`says`, shown in every refusal) and the check of one value."""

    def __init__(self, says, check):
        self.says, self.check = says, check


def _refuse(key, rule, value, reason=None):
    shown = json.dumps(value, ensure_ascii=False)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    raise BadInput(f"setting {key} takes {rule.says}, not {shown}" + (f": {reason}" if reason else ""))


def _is_whole(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _whole(minimum, maximum=None):
    def check(value):
        return _is_whole(value) and value >= minimum and (maximum is None or value <= maximum)

    says = f"a whole number from {minimum} to {maximum}" if maximum is not None else \
        f"a whole number of {minimum} or more"
    return Rule(says, lambda value: None if check(value) else
                "out of range" if _is_whole(value) else "not a whole number")


def _score():
    def check(value):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return "not a number"
        return None if 0 <= value <= 100 else "out of range"

    return Rule("a score from 0 to 100", check)


def _texts(allowed=(), needed=()):
    def check(value):
        if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
            return "not a list of texts"
        unknown = [item for item in value if allowed and item not in allowed]
        if unknown:
            return f"unknown {', '.join(unknown)}"
        missing = [item for item in needed if item not in value]
        if missing:
            return f"{', '.join(missing)} cannot be left out"
        return None

    return Rule("a list of texts" + (f" from {', '.join(allowed)}" if allowed else ""), check)


def _increasing_days(maximum):
    def check(value):
        if not isinstance(value, list) or not value or not all(_is_whole(item) and item >= 1 for item in value):
            return "not a list of whole numbers of 1 or more"
        if any(later <= earlier for earlier, later in zip(value, value[1:])):
            return "the days must grow"
        if value[-1] > maximum:
            return f"more than {maximum}"
        return None

    return Rule(f"a non-empty list of growing whole numbers of days up to {maximum}, like [1, 3, 7, 14]", check)


def _pair_of_whole_numbers(says, maximum=None):
    def check(value):
        if not (isinstance(value, list) and len(value) == 2 and all(_is_whole(item) and item >= 0 for item in value)):
            return "not two whole numbers of 0 or more"
        if value[0] > value[1]:
            return "the first is larger than the second"
        if maximum is not None and value[1] > maximum:
            return f"more than {maximum}"
        return None

    return Rule(says, check)


def _score_weights():
    """All nine signals of SCORE_GROUPS, each [low, high] with high within its group's cap."""
    pair = _pair_of_whole_numbers("")
    caps = {signal: cap for _group, cap, signals in SCORE_GROUPS for signal in signals}

    def check(value):
        if not isinstance(value, dict) or not value:
            return "not an object of weights"
        unknown = [str(name) for name in value if name not in caps]
        if unknown:
            return f"unknown signal {', '.join(unknown)} (the signals: {', '.join(caps)})"
        missing = [name for name in caps if name not in value]
        if missing:
            return f"{', '.join(missing)} cannot be left out"
        for name, weights in value.items():
            if pair.check(weights) or weights[1] > caps[name]:
                return f"the weight {name!r} is not [low, high] with 0 <= low <= high <= {caps[name]}"
        return None

    return Rule('an object of [low, high] points for each of the nine signals, like {"demo_request": [15, 20], '
                '...}', check)


# The pipelines SPEC §6 builds in: an admin changes their stages but never removes them.
BUILT_IN_PIPELINES = tuple(DEFAULTS["pipelines"])


def pipeline_stages_problem(name, stages):
    """Why `stages` cannot make pipeline `name` (None when they can): `pipeline add` and `config set` share it.

    A new deal starts at its pipeline's first stage, so that stage must be an
    open one: a pipeline of only Won and Lost would open every deal closed.
    """
    from crmctl.rules.vocabulary import deal_status_for_stage, loose_key

    if not isinstance(stages, list) or not stages or not all(isinstance(s, str) and loose_key(s) for s in stages):
        return f"pipeline {name} needs a list of stage names"
    if len({loose_key(stage) for stage in stages}) != len(stages):
        return f"pipeline {name} names a stage twice"
    if deal_status_for_stage(stages[0]) != "open":
        return (f"pipeline {name} starts at {stages[0]}, which closes a deal: "
                f"give it an open stage before its won and lost stages")
    return None


def _pipelines():
    from crmctl.rules.vocabulary import loose_key

    def check(value):
        if not isinstance(value, dict) or not value:
            return "not an object of pipelines"
        if len({loose_key(name) for name in value}) != len(value) or not all(loose_key(name) for name in value):
            return "two pipelines share a name, or one has none"
        missing = [name for name in BUILT_IN_PIPELINES if name not in value]
        if missing:
            return f"the built-in pipeline{'s' if len(missing) > 1 else ''} {' and '.join(missing)} cannot be left out"
        for name, stages in value.items():
            problem = pipeline_stages_problem(name, stages)
            if problem:
                return problem
        return None

    return Rule('an object of pipelines, each a list of its stages in order, like {"sales": ["Prospecting", '
                '"Closed Won"]}', check)


def _business_hours():
    def check(value):
        from crmctl.rules.business_time import parse_business_hours

        try:
            parse_business_hours(value)
        except ValueError as error:
            return str(error)
        return None

    return Rule('opening and closing times, like "09:00-17:00"', check)


def _business_days():
    def check(value):
        from crmctl.rules.business_time import parse_business_days

        try:
            parse_business_days(value)
        except ValueError as error:
            return str(error)
        return None

    return Rule('week days, like "Mon-Fri" or "Mon,Tue,Thu"', check)


def _time_zone():
    def check(value):
        from crmctl.rules.business_time import time_zone_named

        try:
            time_zone_named(value)
        except ValueError as error:
            return str(error)
        return None

    return Rule('a time zone name, like "UTC" or "Europe/Warsaw"', check)


COMPANY_FIELDS = ("name", "website", "linkedin_url", "employee_count", "industry", "subindustry", "country", "city")

RULES = {
    "required_company_fields": _texts(allowed=COMPANY_FIELDS, needed=("name",)),
    "max_leads_per_company": _whole(1),
    "min_linkedin_connections": _whole(0),
    "daily_company_target": _whole(0),
    "review_interval_days": _whole(1, MAX_DAYS),
    "follow_up_cadence_days": _increasing_days(MAX_DAYS),
    "reengagement_interval_days": _whole(1, MAX_DAYS),
    "response_time_new_lead_hours": _whole(1, MAX_RESPONSE_HOURS),
    "response_time_customer_hours": _whole(1, MAX_RESPONSE_HOURS),
    "business_hours": _business_hours(),
    "business_days": _business_days(),
    "business_timezone": _time_zone(),
    "renewal_notice_days": _whole(1, MAX_DAYS),
    "services_manual_touch_days": _whole(1, MAX_DAYS),
    "likely_duplicate_min_score": _score(),
    "possible_duplicate_min_score": _score(),
    "ideal_industries": _texts(),
    "ideal_employee_range": _pair_of_whole_numbers("[smallest, largest] employee counts, like [50, 1000]"),
    "ideal_titles": _texts(),
    "score_weights": _score_weights(),
    "pipelines": _pipelines(),
}
# Settings that must keep an order between them: (lower, higher).
ORDERED = (("possible_duplicate_min_score", "likely_duplicate_min_score"),)


def typed_value(key, text):
    """`config set` text as a value: JSON, or for a list setting a comma-separated list ("1,3,7")."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        if text.strip()[:1] in ("[", "{"):
            raise BadInput(f"setting {key}: {text!r} is not valid JSON ({error.msg})")
        if not isinstance(DEFAULTS[key], list):
            return text
        items = [item.strip() for item in text.split(",") if item.strip()]
        return [int(item) if item.removeprefix("-").isascii() and item.removeprefix("-").isdigit() else item
                for item in items]


def parse_setting_value(key, text, current=None):
    """The typed value for `config set KEY VALUE`, checked against the setting's rule (exit 2 naming it).

    `current` (every setting, as `load_settings` gives them) checks the
    settings that keep an order between them: a possible duplicate's score
    never above a likely one's.
    """
    check_key(key)
    rule = RULES[key]
    value = typed_value(key, text)
    reason = rule.check(value)
    if reason:
        _refuse(key, rule, value, reason)
    if current is not None:
        proposed = dict(current, **{key: value})
        for lower, higher in ORDERED:
            if key in (lower, higher) and proposed[lower] > proposed[higher]:
                raise BadInput(f"setting {key}: {lower} ({proposed[lower]}) must not be above {higher} "
                               f"({proposed[higher]})")
    return value
