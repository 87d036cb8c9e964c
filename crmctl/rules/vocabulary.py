"""The closed lists of words records use: statuses, communication types and channels, …

Users type these in any case and spacing ("follow up", "FOLLOW-UP", "Follow Up");
each `*_named` function returns the canonical spelling that is stored, or raises
BadInput (exit 2) naming the field and the accepted values. Pipelines and event
kinds come from the settings a command read once, so an admin can change them.
"""
import re

from crmctl.errors import BadInput

LEAD_STATUSES = (
    "Sent Request",
    "Connected",
    "Interested",
    "Not Interested",
    "Ignoring",
    "Follow Up",
    "Event",
    "Call",
)
NEW_LEAD_STATUS = "Sent Request"
STATUSES_NEEDING_DATE = ("Follow Up", "Event")

COMMUNICATION_TYPES = ("Basic Correspondence", "Follow-up", "First Connection", "Presentation", "Event")
COMMUNICATION_CHANNELS = ("LinkedIn", "Email", "Phone", "Facebook", "Instagram", "other")
# outbound: we wrote; inbound: the lead answered (the follow-up cadence stops at an answer).
COMMUNICATION_DIRECTIONS = ("outbound", "inbound")

TASK_KINDS = ("task", "meeting", "comment", "call", "email")

# A lead's contact details; the first three identify a person (duplicate keys).
CONTACT_SOURCES = ("linkedin", "email", "phone", "facebook", "instagram", "website", "other")
IDENTITY_SOURCES = ("linkedin", "email", "phone")

RELATIONSHIPS = ("prospect", "client", "not relevant")
DEAL_STATUSES = ("open", "won", "lost", "abandoned")

# Engagement events (`add event --kind`), which the score's behaviour and engagement signals count
# (crmctl.records.scoring.EVENTS_OF_SIGNAL: an email open and an email click are both email engagement).
EVENT_KINDS = ("website_visit", "content_download", "email_open", "email_click", "demo_request", "pricing_enquiry",
               "contact_form")

# Stages that close a deal when a deal is put in them (compared loosely); a configured pipeline closes
# its deals by naming a stage one of these.
WON_STAGES = ("Closed Won", "Finished", "Won")
LOST_STAGES = ("Closed Lost", "Lost")

_LOOSE = re.compile(r"[^0-9a-z]+")


def loose_key(text):
    """Case, spaces, hyphens and punctuation ignored: "Follow-up" == "follow up"."""
    return _LOOSE.sub("", str(text).lower())


def canonical(value, choices, field):
    """The member of `choices` that `value` names, or BadInput listing the choices."""
    if value is None or not str(value).strip():
        raise BadInput(f"{field} is missing (one of: {', '.join(choices)})")
    wanted = loose_key(value)
    for choice in choices:
        if loose_key(choice) == wanted:
            return choice
    raise BadInput(f"unknown {field} {str(value).strip()!r} (one of: {', '.join(choices)})")


def lead_status_named(value):
    return canonical(value, LEAD_STATUSES, "status")


def needs_date(status):
    return status in STATUSES_NEEDING_DATE


def communication_type_named(value):
    return canonical(value, COMMUNICATION_TYPES, "communication type")


def communication_channel_named(value):
    return canonical(value, COMMUNICATION_CHANNELS, "communication channel")


def communication_direction_named(value):
    """outbound (we wrote) or inbound (the lead answered); exit 2 otherwise."""
    return canonical(value, COMMUNICATION_DIRECTIONS, "communication direction")


def task_kind_named(value):
    return canonical(value, TASK_KINDS, "task kind")


def contact_source_named(value):
    return canonical(value, CONTACT_SOURCES, "contact source")


def relationship_named(value):
    return canonical(value, RELATIONSHIPS, "relationship")


def deal_status_named(value):
    return canonical(value, DEAL_STATUSES, "deal status")


def event_kinds(settings):
    """Engagement event kinds (the same for every configuration: the score weights say what each is worth)."""
    return EVENT_KINDS


def event_kind_named(value, settings):
    return canonical(value, event_kinds(settings), "event kind")


def pipeline_named(value, settings):
    """A pipeline of the `pipelines` setting (name -> its stages in order)."""
    return canonical(value, tuple(settings["pipelines"]), "pipeline")


def stage_named(pipeline, value, settings):
    """A stage of `pipeline`; BadInput naming the pipeline's stages otherwise."""
    return canonical(value, tuple(settings["pipelines"][pipeline]), f"stage of pipeline {pipeline}")


def first_stage(pipeline, settings):
    stages = settings["pipelines"][pipeline]
    if not stages:
        raise BadInput(f"pipeline {pipeline} has no stages (see `crmctl config get pipelines`)")
    return stages[0]


def deal_status_for_stage(stage):
    """open, or won/lost for a stage that closes the deal."""
    key = loose_key(stage)
    if key in {loose_key(s) for s in WON_STAGES}:
        return "won"
    if key in {loose_key(s) for s in LOST_STAGES}:
        return "lost"
    return "open"
