"""Lazy discovery of subcommands through the `crmctl.plugins` entry points.

`crmctl --help` must list every command without importing any plugin module
(start-up time, and one broken plugin must not take the rest down). The short
help is therefore the first line of the plugin module's docstring, read as text
from the first string literal of its source, without executing or parsing the
module; the module is imported only when its command actually runs. A plugin
that fails to import becomes a placeholder command that reports the error in
one line.

The entry points are read straight from each distribution's
`entry_points.txt` on `sys.path`: `importlib.metadata` would cost about as much
start-up time as Click itself (it imports the `email` package to parse
metadata we do not need).
"""
import importlib
import os
import sys

import click

ENTRY_POINT_GROUP = "crmctl.plugins"
GROUP_HEADER = f"[{ENTRY_POINT_GROUP}]".encode()


class PluginEntryPoint:
    """One `name = module:attribute` line of the group (a plain class: `dataclasses` costs start-up time)."""

    __slots__ = ("name", "value")

    def __init__(self, name, value):
        self.name = name
        self.value = value

    def __repr__(self):
        return f"PluginEntryPoint({self.name!r}, {self.value!r})"

    @property
    def module(self):
        return self.value.split(":", 1)[0].strip()

    def load(self):
        module_name, _, attribute = self.value.partition(":")
        target = importlib.import_module(module_name.strip())
        for part in attribute.strip().split("."):
            if part:
                target = getattr(target, part)
        return target


def entry_points_in(text, group):
    """(name, value) pairs of one section of an entry_points.txt."""
    pairs, in_group = [], False
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            in_group = line == f"[{group}]"
        elif in_group and "=" in line:
            name, value = line.split("=", 1)
            pairs.append((name.strip(), value.split("[", 1)[0].strip()))
    return pairs


def metadata_directories():
    """Each distribution's metadata folder on sys.path, the first of a name winning."""
    seen = set()
    for entry in sys.path:
        try:
            names = sorted(
                name for name in os.listdir(entry or ".") if name.endswith((".dist-info", ".egg-info"))
            )
        except OSError:
            continue
        for name in names:
            distribution = name.rsplit(".", 1)[0].split("-", 1)[0].lower().replace("_", "-")
            if distribution in seen:
                continue
            seen.add(distribution)
            yield os.path.join(entry or ".", name)


def plugin_entry_points():
    """Entry points of the group, by command name (first registration wins)."""
    found = {}
    for directory in metadata_directories():
        try:
            with open(os.path.join(directory, "entry_points.txt"), "rb") as handle:
                content = handle.read()
        except OSError:
            continue
        if GROUP_HEADER not in content:  # most distributions: no need to decode and parse
            continue
        for name, value in entry_points_in(content.decode("utf-8", "replace"), ENTRY_POINT_GROUP):
            found.setdefault(name, PluginEntryPoint(name, value))
    return found


def first_string_literal(source):
    """The value of the first statement of a module's source when it is a string literal, else None.

    A module's docstring is that literal. Only comments, blank lines and an
    `r`/`u` prefix may come before it. Raises ValueError when the literal is
    not closed.
    """
    position, length = 0, len(source)
    if source.startswith("\ufeff"):
        position = 1
    while position < length:
        character = source[position]
        if character in " \t\f\r\n":
            position += 1
        elif character == "#":
            newline = source.find("\n", position)
            position = length if newline < 0 else newline + 1
        else:
            break
    start = position
    if source[position:position + 1] in ("r", "R", "u", "U"):
        position += 1
    for quote in ('"""', "'''", '"', "'"):
        if source.startswith(quote, position):
            break
    else:
        return None
    body_start = position = position + len(quote)
    while True:
        end = source.find(quote, position)
        if end < 0:
            raise ValueError(f"unterminated string literal at offset {start}")
        escape = source.find("\\", position, end)
        if escape < 0:
            break
        position = escape + 2  # an escaped character, perhaps the quote itself
    body = source[body_start:end]
    if "\\" in body:
        import ast  # escapes are rare in a docstring; Click has loaded ast already

        return ast.literal_eval(source[start:end + len(quote)])
    if len(quote) == 1 and "\n" in body:
        raise ValueError(f"unterminated string literal at offset {start}")
    return body


def module_source_file(module_name):
    """The source file a module will be imported from, found without importing the module.

    Its parent package is imported (as any import of the module would) and its
    `__path__` searched for a package or a `.py` file, the order in which
    Python's path finder looks; anything else (an extension module, a zip, a
    custom finder) is left to `importlib.util.find_spec`. None when not found.
    """
    parent, _, leaf = module_name.rpartition(".")
    directories = getattr(importlib.import_module(parent), "__path__", ()) if parent else sys.path
    for directory in directories:
        base = os.path.join(directory or ".", leaf)
        for candidate in (os.path.join(base, "__init__.py"), base + ".py"):
            if os.path.isfile(candidate):
                return candidate
    from importlib.util import find_spec

    spec = find_spec(module_name)
    if spec is None or not spec.has_location or not (spec.origin or "").endswith(".py"):
        return None
    return spec.origin


def short_help_from_source(module_name):
    """The first line of a plugin module's docstring, read without importing it.

    Returns (help, problem): problem is a one-line reason when the module cannot
    be found or read, which `--help` shows as a broken plugin. Any other error
    in the module shows when its command is loaded.
    """
    try:
        path = module_source_file(module_name)
    except Exception as error:  # a parent package that raises on import
        return "", f"{type(error).__name__}: {error}"
    if path is None:
        return "", f"module {module_name} not found"
    try:
        with open(path, encoding="utf-8") as source_file:
            docstring = first_string_literal(source_file.read())
    except (OSError, SyntaxError, ValueError) as error:
        return "", f"{type(error).__name__}: {error}"
    return (docstring or "").strip().partition("\n")[0].strip(), None


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
