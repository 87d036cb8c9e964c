"""Deal pipelines: list them, show one's stages, add one (admins; sales and services are built in)."""
# Core modules are imported inside the callbacks, so `crmctl pipeline --help` loads no database code.
import click

from crmctl.cli.output import format_option, message, print_record, print_records
from crmctl.cli.session import pass_session


@click.group()
def pipeline():
    """Deal pipelines: list, show, add (the `pipelines` setting)."""


def shown(item, output_format):
    row = item.as_dict()
    if output_format != "json":
        row = {key: ", ".join(value) if isinstance(value, list) else value for key, value in row.items()}
    return row


@pipeline.command("list")
@format_option
@pass_session
def list_command(session, output_format):
    """List the pipelines with their stages and the stages that close a deal as won or lost."""
    from crmctl.lifecycle.deals import configured_pipelines

    session.open()
    print_records([shown(item, output_format) for item in configured_pipelines()], output_format)


@pipeline.command("show")
@click.argument("name")
@format_option
@pass_session
def show_command(session, name, output_format):
    """Show one pipeline's stages in order."""
    from crmctl.lifecycle.deals import pipeline_of

    session.open()
    print_record(shown(pipeline_of(name), output_format), output_format)


@pipeline.command("add")
@click.argument("name")
@click.option("--stage", "stages", multiple=True, required=True, metavar="STAGE",
              help="A stage, in order (repeat). Name a stage Won, Closed Won or Finished to close deals as won, "
                   "Lost or Closed Lost as lost.")
@format_option
@pass_session
def add_command(session, name, stages, output_format):
    """Add a pipeline (admins).

    \b
    Example:
      crmctl pipeline add renewals --stage Due --stage Quoted --stage Won --stage Lost
    """
    from crmctl.lifecycle.deals import add_pipeline

    session.open()
    item = add_pipeline(session.actor, name, stages)
    message(f"pipeline {item.name} added with {len(item.stages)} stages")
    print_record(shown(item, output_format), output_format)
