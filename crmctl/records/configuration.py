"""`config set`: an admin changes a rule of SPEC §5; History records the old and new value.

A value outside its setting's type and range (`crmctl.rules.settings.RULES`) is
bad input (exit 2) and the setting stays as it was. A value that the records
already stored would no longer fit is refused (exit 3): a `pipelines` value
that leaves out a pipeline or a stage an open deal is in, which could then
neither move nor close.
"""
import json

import peewee

from crmctl.errors import Refused
from crmctl.kinds.ids import typed_id
from crmctl.records.history import record_event
from crmctl.rules.permissions import require
from crmctl.rules.settings import load_settings, parse_setting_value
from crmctl.storage.connection import write_transaction
from crmctl.storage.models import Deal, Setting


def open_deals_text(first_id, count):
    """("open deal D1 is", "it") or ("3 open deals (D1 and 2 more) are", "them"): the refusals' words."""
    first = typed_id("deal", first_id)
    if count == 1:
        return f"open deal {first} is", "it"
    return f"{count} open deals ({first} and {count - 1} more) are", "them"


def check_open_deals_keep_their_stage(pipelines):
    """Refused (3) when an open deal's pipeline or stage is not in `pipelines` (names exactly as stored)."""
    rows = (Deal.select(Deal.pipeline, Deal.stage, peewee.fn.MIN(Deal.id), peewee.fn.COUNT(Deal.id))
            .where(Deal.status == "open").group_by(Deal.pipeline, Deal.stage).tuples())
    for pipeline, stage, first_id, count in sorted(rows, key=lambda row: row[2]):
        deals, them = open_deals_text(first_id, count)
        if pipeline not in pipelines:
            raise Refused(f"pipeline {pipeline} cannot be left out: {deals} in it (close {them} first)")
        if stage not in pipelines[pipeline]:
            raise Refused(f"stage {stage} of pipeline {pipeline} cannot be left out: {deals} at it "
                          f"(move or close {them} first)")


# Settings whose new value must still fit the records already stored.
CHECKS_AGAINST_RECORDS = {"pipelines": check_open_deals_keep_their_stage}


def set_setting(actor, key, text):
    require(actor, "configure")
    current = load_settings()
    value = parse_setting_value(key, text, current)
    old = current[key]
    encoded = json.dumps(value)
    with write_transaction():
        if key in CHECKS_AGAINST_RECORDS:
            CHECKS_AGAINST_RECORDS[key](value)
        if Setting.update(value=encoded).where(Setting.key == key).execute() == 0:
            Setting.create(key=key, value=encoded)
        record_event(f"config:{key}", actor, "update", field=key, old_value=old, new_value=value)
    return value
