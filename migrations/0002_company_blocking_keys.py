"""Blocking keys for fuzzy company-name matching, filled in for existing companies."""
from peewee import CharField, ForeignKeyField, Model


def up(migrator, db):
    from crmctl.dedup.keys import company_blocking_keys

    class Company(Model):
        name = CharField()

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
    rows = []
    for company_id, name in Company.select(Company.id, Company.name).tuples().iterator():
        rows.extend((company_id, key) for key in company_blocking_keys(name))
        if len(rows) >= 5000:
            CompanyBlockingKey.insert_many(rows, fields=["company", "key"]).execute()
            rows = []
    if rows:
        CompanyBlockingKey.insert_many(rows, fields=["company", "key"]).execute()


def down(migrator, db):
    migrator.migrate(migrator.drop_table("company_blocking_key"))
