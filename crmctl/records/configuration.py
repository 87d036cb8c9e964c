"""`config set`: an admin changes a rule of SPEC §5; History records the old and new value.

A value outside its setting's type and range (`crmctl.rules.settings.RULES`) is
bad input (exit 2) and the setting stays as it was.
"""
import json

from crmctl.records.history import record_event
from crmctl.rules.permissions import require
from crmctl.rules.settings import load_settings, parse_setting_value
from crmctl.storage.connection import write_transaction
from crmctl.storage.models import Setting


def set_setting(actor, key, text):
    require(actor, "configure")
    current = load_settings()
    value = parse_setting_value(key, text, current)
    old = current[key]
    encoded = json.dumps(value)
    with write_transaction():
        if Setting.update(value=encoded).where(Setting.key == key).execute() == 0:
            Setting.create(key=key, value=encoded)
        record_event(f"config:{key}", actor, "update", field=key, old_value=old, new_value=value)
    return value
