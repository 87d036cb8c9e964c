"""Show the schema version or apply pending migrations."""
# Core modules are imported inside the callbacks, so `crmctl COMMAND --help` loads no database code.
import click

from crmctl.cli.output import format_option, message, print_record
from crmctl.cli.session import pass_session


@click.group()
def db():
    """Show the schema version or apply pending migrations."""


@db.command()
@format_option
@pass_session
def status(session, output_format):
    """Print the schema version and the pending migrations."""
    from crmctl.storage.connection import mask_url
    from crmctl.storage.schema import schema_status

    database = session.open(check_schema=False)
    state = schema_status(database)
    print_record(
        {
            "database": mask_url(session.database_url),
            "version": state.version,
            "latest": state.latest,
            "up_to_date": state.is_current,
            "pending": [migration.name for migration in state.pending],
        },
        output_format,
    )


@db.command()
@format_option
@pass_session
def upgrade(session, output_format):
    """Apply pending migrations in order, each in its own transaction."""
    from crmctl.records.rekey import recompute_company_keys
    from crmctl.storage.schema import crmctl_tables_in, keys_are_current, schema_status, upgrade_schema
    from crmctl.rules.permissions import require, resolve_actor

    database = session.open(check_schema=False)
    if "agent" in crmctl_tables_in(database):
        require(resolve_actor(session.acting_email), "upgrade database")
    recomputed = []

    def recompute_keys():
        message("recomputing the name and blocking keys of every company with today's duplicate rules...")
        recomputed.append(recompute_company_keys())

    applied = upgrade_schema(database, recompute_keys)
    state = schema_status(database)
    if applied:
        message(f"applied {len(applied)} migration(s): {', '.join(applied)}")
    else:
        message(f"schema already at version {state.version}")
    if recomputed:
        message(f"recomputed the keys of {recomputed[0]} companies")
    print_record({"version": state.version, "applied": applied, "keys_recomputed": bool(recomputed),
                  "keys_current": keys_are_current(database)}, output_format)
