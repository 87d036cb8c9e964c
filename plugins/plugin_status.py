"""List every installed plugin and whether it loads."""
# Core modules are imported inside the callbacks, so `crmctl COMMAND --help` loads no database code.
import click

from crmctl.cli.output import format_option, print_records


@click.command()
@format_option
def plugins(output_format):
    """Import every plugin and report which load and which are broken."""
    from crmctl.cli.plugin_loading import BrokenPluginCommand, load_plugin, plugin_entry_points

    rows = []
    for name, entry_point in sorted(plugin_entry_points().items()):
        command = load_plugin(entry_point)
        broken = isinstance(command, BrokenPluginCommand)
        rows.append(
            {
                "name": name,
                "target": entry_point.value,
                "status": "broken" if broken else "ok",
                "error": command.error_text if broken else None,
            }
        )
    print_records(rows, output_format)
