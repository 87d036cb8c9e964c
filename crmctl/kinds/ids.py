"""Typed record ids: a letter for the kind and the number, e.g. C12, L34, D5.

Every command shows and accepts these, so no id is ambiguous. A command whose
argument can only be of one kind also accepts the bare number.
"""
import re

from crmctl.errors import BadInput, NotFound
from crmctl.kinds.registry import KIND_BY_LETTER, KIND_BY_MODEL, KINDS
from crmctl.rules.values import LARGEST_WHOLE_NUMBER
from crmctl.storage.models import History, Merge

_TYPED_ID = re.compile(r"^\s*([A-Za-z])?\s*(\d+)\s*$")


def typed_id(kind, number):
    return f"{KINDS[kind].letter}{number}"


def parse_typed_id(text, expected_kinds=None):
    """(kind, number) for a typed id; a bare number is accepted when only one kind fits.

    A number larger than any id column holds is bad input on every backend (SQLite's
    driver would overflow, the servers would only find nothing).
    """
    match = _TYPED_ID.match(str(text))
    if not match:
        raise BadInput(f"{text!r} is not a record id (like C12, L34, D5)")
    prefix, digits = match.group(1), match.group(2).lstrip("0") or "0"
    number = int(digits) if len(digits) <= len(str(LARGEST_WHOLE_NUMBER)) else LARGEST_WHOLE_NUMBER + 1
    if number > LARGEST_WHOLE_NUMBER:
        raise BadInput(f"{str(text).strip()!r} is not a record id: its number is larger than any id "
                       f"({LARGEST_WHOLE_NUMBER})")
    if prefix is None:
        if expected_kinds and len(expected_kinds) == 1:
            return expected_kinds[0], number
        raise BadInput(f"{text!r} is ambiguous: give the typed id (like C12 or L34)")
    described = KIND_BY_LETTER.get(prefix.upper())
    if described is None:
        raise BadInput(f"{text!r} is not a record id: unknown kind letter {prefix!r}")
    kind = described.name
    if expected_kinds and kind not in expected_kinds:
        wanted = " or ".join(expected_kinds)
        raise BadInput(f"{text} is a {kind}, expected a {wanted}")
    return kind, number


def model_for_kind(kind):
    return KINDS[kind].model


def kind_for_model(model):
    """The kind whose records a model holds, or None for a model without typed ids."""
    described = KIND_BY_MODEL.get(model)
    return described.name if described else None


def kind_of(record):
    kind = kind_for_model(type(record))
    if kind is None:
        raise ValueError(f"no typed id for {type(record).__name__}")
    return kind


def typed_id_of(record):
    return typed_id(kind_of(record), record.id)


def fetch_record(text, expected_kinds=None):
    """The record a typed id names; NotFound (naming the survivor when merged) otherwise."""
    kind, number = parse_typed_id(text, expected_kinds)
    model = model_for_kind(kind)
    record = model.get_or_none(model.id == number)
    if record is None:
        raise NotFound(missing_record_message(typed_id(kind, number)))
    return record


def missing_record_message(label):
    """Why a record is not there: "C7 was merged into C3 by X2", or "C7 not found".

    A merge writes a History row (action "merge") for each record it drops, so
    the survivor is found through the indexed History.entity, not by reading
    every merge. When the survivor was itself merged later, the chain is named.
    """
    steps = []
    current = label
    while len(steps) < 10:
        event = (
            History.select(History.merge, History.new_value)
            .where((History.entity == current) & (History.action == "merge") & History.field.is_null()
                   & History.merge.is_null(False))
            .order_by(History.id.desc())
            .first()
        )
        if event is None:
            break
        merge = Merge.get_or_none(Merge.id == event.merge)
        if merge is None or merge.undone_at is not None:
            break
        steps.append(f"{current} was merged into {merge.survivor} by {typed_id('merge', merge.id)}")
        kind, number = parse_typed_id(merge.survivor)
        model = model_for_kind(kind)
        if model.select().where(model.id == number).exists():
            break
        current = merge.survivor
    if not steps:
        return f"{label} not found"
    return ", and ".join(steps)
