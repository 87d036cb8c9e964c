"""Blocking keys for fuzzy company-name matching: the table, in its shape at version 2.

This migration once also filled the table, by importing the live key function
(`dedup/keys.py`), so every change to the matcher silently changed what it
did. It now only creates the table: filling it the old way would need a frozen
copy of that day's name normaliser and key function, and migration 0004
drops and rebuilds the table from every company's name anyway, with its own
frozen key function. A database is never used between the two (every command
but `db status` asks for `crmctl db upgrade` until the schema is current).
"""
from peewee import CharField, ForeignKeyField, Model


def up(migrator, db):
    class Company(Model):
        class Meta:
            database = db
            table_name = "company"

    class CompanyBlockingKey(Model):
        company = ForeignKeyField(Company, on_delete="CASCADE")
        key = CharField(max_length=64)

        class Meta:
            database = db
            table_name = "company_blocking_key"
            indexes = ((("key", "company"), True),)

    db.create_tables([CompanyBlockingKey])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("company_blocking_key"))
