"""Company aliases: other names a company is known by, which count as its name in duplicate checks.

`company_alias` holds each alias as typed (`name`) and as its name key
(`name_key`, computed by crmctl's name normaliser when the alias is added;
nothing here computes one, as no alias exists before this version). Indexes:
unique (company_id, name_key), which also serves a company's aliases and the
foreign key; name_key, for the matcher's look-ups; created_by_id, for the
foreign key. Deleting a company deletes its aliases (ON DELETE CASCADE). On
SQLite the id is AUTOINCREMENT, so the id of a removed alias is never given
again (PostgreSQL sequences and MariaDB's AUTO_INCREMENT never reuse one).

Frozen here: the table as it is at version 5; this file imports nothing from crmctl.
"""
from peewee import AutoField, CharField, DateTimeField, ForeignKeyField, Model, SqliteDatabase
from playhouse.sqlite_ext import AutoIncrementField


def up(migrator, db):
    class Agent(Model):
        class Meta:
            database = db
            table_name = "agent"

    class Company(Model):
        class Meta:
            database = db
            table_name = "company"

    class CompanyAlias(Model):
        id = AutoIncrementField() if isinstance(db, SqliteDatabase) else AutoField()
        company = ForeignKeyField(Company, on_delete="CASCADE", index=False)
        name = CharField(max_length=255)
        name_key = CharField(max_length=255, index=True)
        created_at = DateTimeField()
        created_by = ForeignKeyField(Agent, null=True)

        class Meta:
            database = db
            table_name = "company_alias"
            indexes = ((("company", "name_key"), True),)

    db.create_tables([CompanyAlias])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("company_alias"))
