"""Lazy discovery of subcommands through the `crmctl.plugins` entry points.

`crmctl --help` must list every command without importing any plugin module
(start-up time, and one broken plugin must not take the rest down). The short
help is therefore read from the plugin module's docstring as text, through
`ast`, without executing the module; the module is imported only when its
command actually runs. A plugin that fails to import becomes a placeholder
command that reports the error in one line.
"""
import ast
import importlib.util
from importlib.metadata import entry_points

import click

ENTRY_POINT_GROUP = "crmctl.plugins"


def plugin_entry_points():
    """Entry points of the group, by command name (first registration wins)."""
    found = {}
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(entry_point.name, entry_point)
    return found


def short_help_from_source(module_name):
    """The first line of a plugin module's docstring, read without importing it.

    Returns (help, problem): problem is a one-line reason when the module cannot
    be found or parsed, which `--help` shows as a broken plugin.
    """
    try:
        spec = importlib.util.find_spec(module_name)
    except Exception as error:  # a parent package that raises on import
        return "", f"{type(error).__name__}: {error}"
    if spec is None or not spec.origin or not spec.has_location:
        return "", f"module {module_name} not found"
    try:
        with open(spec.origin, encoding="utf-8") as source_file:
            tree = ast.parse(source_file.read(), spec.origin)
    except (OSError, SyntaxError, ValueError) as error:
        return "", f"{type(error).__name__}: {error}"
    docstring = ast.get_docstring(tree) or ""
    return (docstring.strip().splitlines() or [""])[0], None


class BrokenPluginCommand(click.Command):
    """Stands in for a plugin that failed to load; running it fails in one line."""

    def __init__(self, name, error_text):
        super().__init__(
            name,
            help=f"[broken plugin] {error_text}",
            short_help=f"[broken plugin] {error_text}",
            add_help_option=False,
            context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
        )
        self.error_text = error_text

    def invoke(self, ctx):
        from crmctl.errors import CrmError

        raise CrmError(f"plugin '{self.name}' is broken: {self.error_text}")


def load_plugin(entry_point):
    """The plugin's Click command, or a BrokenPluginCommand describing why not."""
    try:
        command = entry_point.load()
    except Exception as error:
        return BrokenPluginCommand(entry_point.name, f"{type(error).__name__}: {error}")
    if not isinstance(command, click.Command):
        return BrokenPluginCommand(
            entry_point.name, f"{entry_point.value} is not a Click command"
        )
    return command


class PluginGroup(click.Group):
    """A Click group whose commands come from entry points, loaded on demand."""

    def _plugins(self):
        if not hasattr(self, "_plugin_cache"):
            self._plugin_cache = plugin_entry_points()
        return self._plugin_cache

    def list_commands(self, ctx):
        return sorted(set(self.commands) | set(self._plugins()))

    def get_command(self, ctx, name):
        if name in self.commands:
            return self.commands[name]
        entry_point = self._plugins().get(name)
        if entry_point is None:
            return None
        command = load_plugin(entry_point)
        self.commands[name] = command
        return command

    def format_commands(self, ctx, formatter):
        rows = []
        for name in self.list_commands(ctx):
            if name in self.commands:
                rows.append((name, self.commands[name].get_short_help_str(limit=60)))
                continue
            entry_point = self._plugins()[name]
            help_text, problem = short_help_from_source(entry_point.module)
            rows.append((name, f"[broken plugin] {problem}" if problem else help_text))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)
