"""Snapshots: a record's columns as JSON-safe values, and back.

A merge keeps each record it deletes as a snapshot in its journal, so an
unmerge can insert it again with its id and every value as it was.
"""
import datetime
import decimal

import peewee


def snapshot(record):
    """Every column of a record as JSON-safe values (foreign keys as ids)."""
    data = {}
    for name in record._meta.fields:
        value = record.__data__.get(name)
        if isinstance(value, (datetime.date, datetime.datetime)):
            value = value.isoformat()
        elif isinstance(value, decimal.Decimal):
            value = str(value)
        data[name] = value
    return data


def restored_values(model, data):
    """The column values of a snapshot, converted back to the types the fields hold."""
    values = {}
    for name, value in data.items():
        field = model._meta.fields.get(name)
        if field is None:
            continue
        if value is not None:
            if isinstance(field, peewee.DateTimeField):
                value = datetime.datetime.fromisoformat(value)
            elif isinstance(field, peewee.DateField):
                value = datetime.date.fromisoformat(value)
            elif isinstance(field, peewee.DecimalField):
                value = decimal.Decimal(value)
        values[name] = value
    return values


def json_value(value):
    """A column value as a snapshot holds it: dates in ISO 8601, decimals as text."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value
