"""The configurable rules of SPEC §5, with the team playbook's defaults.

A value an admin has set is stored as JSON in the `setting` table; everything
else falls back to DEFAULTS. A setting keeps the type of its default.
"""
import json

from crmctl.errors import BadInput
from crmctl.storage.models import Setting

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



def parse_setting_value(key, text):
    """The typed value for `config set KEY VALUE`; JSON for lists and objects."""
    check_key(key)
    default = DEFAULTS[key]
    if isinstance(default, str):
        return text
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        if isinstance(default, list):
            value = [item.strip() for item in text.split(",") if item.strip()]
        else:
            raise BadInput(f"setting {key}: {text!r} is not valid JSON")
    expected = type(default)
    if isinstance(default, list) and default and all(isinstance(i, int) for i in default):
        if not (isinstance(value, list) and all(isinstance(i, int) for i in value)):
            raise BadInput(f"setting {key} takes a list of whole numbers, like {json.dumps(default)}")
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise BadInput(f"setting {key} takes a {expected.__name__}, like {json.dumps(default)}")
    return value
