"""The root command and its plugins (SPEC §1): lazy loading, broken plugins, help, version."""
import json
import os
import re
import subprocess
import sys
import textwrap

import click
import pytest
from click.testing import CliRunner

from crmctl import __version__
from crmctl.cli import cli

BUILT_IN_COMMANDS = ["add", "agent", "config", "db", "dedup", "edit", "history", "list", "plugins", "show"]


def run_crmctl(*args, env=None, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "crmctl", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120
    )


def third_party_plugin_env(tmp_path, entry_point, module_name, source):
    """An environment with a real distribution on sys.path: a *.dist-info with entry_points.txt."""
    site = tmp_path / "site"
    distribution = f"crmctl_{module_name}"
    dist_info = site / f"{distribution}-1.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {distribution}\nVersion: 1.0\n")
    (dist_info / "entry_points.txt").write_text(f"[crmctl.plugins]\n{entry_point}\n")
    (site / f"{module_name}.py").write_text(textwrap.dedent(source))
    env = dict(os.environ, PYTHONPATH=str(site) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env["HOME"] = str(tmp_path / "home")
    env["XDG_CONFIG_HOME"] = str(tmp_path / "home" / ".config")
    return env


@pytest.fixture
def broken_plugin_env(tmp_path):
    """A third-party plugin that raises on import."""
    return third_party_plugin_env(
        tmp_path,
        "explode = exploding_plugin:command",
        "exploding_plugin",
        '''\
        """Explode on import, to prove one broken plugin does not take the rest down."""
        raise RuntimeError("this plugin is broken on purpose")
        ''',
    )


@pytest.fixture
def failing_plugin_env(tmp_path):
    """A third-party plugin whose command hits an unexpected error when it runs."""
    return third_party_plugin_env(
        tmp_path,
        "fail = failing_plugin:fail",
        "failing_plugin",
        '''\
        """Fail at run time with an unexpected error."""
        import click

        @click.command()
        def fail():
            """Divide by zero."""
            return 1 / 0
        ''',
    )


def test_help_lists_every_built_in_command_with_its_summary():
    result = run_crmctl("--help")
    assert result.returncode == 0
    for name in BUILT_IN_COMMANDS:
        assert f"\n  {name} " in result.stdout
    assert "Show one record by its typed id" in result.stdout
    assert "[broken plugin]" not in result.stdout


def test_help_imports_no_plugin_module_and_no_database_library():
    probe = textwrap.dedent(
        """\
        import sys
        from crmctl.cli import cli
        try:
            cli(["--help"])
        except SystemExit:
            pass
        loaded = sorted(m for m in sys.modules if m.startswith("crmctl.plugins.") or m in ("peewee", "rapidfuzz", "tabulate"))
        print("LOADED:" + ",".join(loaded))
        """
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert "LOADED:\n" in result.stdout or result.stdout.strip().endswith("LOADED:")


def test_a_plugin_that_raises_on_import_is_listed_and_the_rest_keep_working(broken_plugin_env, tmp_path):
    help_result = run_crmctl("--help", env=broken_plugin_env)
    assert help_result.returncode == 0
    assert "explode" in help_result.stdout
    status = run_crmctl("plugins", "--format", "json", env=broken_plugin_env)
    assert status.returncode == 0
    plugins = {p["name"]: p for p in json.loads(status.stdout)}
    assert plugins["explode"]["status"] == "broken"
    assert "this plugin is broken on purpose" in plugins["explode"]["error"]
    assert all(p["status"] == "ok" for name, p in plugins.items() if name != "explode")
    working = run_crmctl("--db", f"sqlite:///{tmp_path / 'crm.db'}", "db", "status", "--format", "json",
                         env=broken_plugin_env)
    assert working.returncode == 0, working.stderr


def test_help_reads_a_third_party_plugin_summary_from_its_docstring_without_importing_it(tmp_path):
    imported_marker = tmp_path / "imported"
    env = third_party_plugin_env(
        tmp_path,
        "greet = greeting_plugin:greet",
        "greeting_plugin",
        f'''\
        # -*- coding: utf-8 -*-
        # Comments may come before the docstring.
        """Say h\\u00e9llo to a \\"colleague\\".

        More text that --help does not show.
        """
        import pathlib

        import click

        pathlib.Path({str(imported_marker)!r}).write_text("imported")


        @click.command()
        def greet():
            click.echo("hello")
        ''',
    )
    result = run_crmctl("--help", env=env)
    assert result.returncode == 0, result.stderr
    assert re.search(r'\n  greet +Say h\u00e9llo to a "colleague"\.\n', result.stdout)  # padded to the longest name
    assert not imported_marker.exists()
    assert run_crmctl("greet", env=env).stdout == "hello\n"
    assert imported_marker.exists()


def test_a_plugin_whose_module_is_missing_is_listed_as_broken_in_help(tmp_path):
    env = third_party_plugin_env(tmp_path, "ghost = no_such_plugin_module:ghost", "unrelated_module", "")
    result = run_crmctl("--help", env=env)
    assert result.returncode == 0
    assert re.search(r"\n  ghost +\[broken plugin\] module no_such_plugin_module not found\n", result.stdout)
    assert "Show one record by its typed id" in result.stdout


@pytest.mark.parametrize("columns, width", [("60", 58), ("200", 78)])
def test_help_is_wrapped_to_the_terminal_width_as_click_would(tmp_path, columns, width):
    env = dict(os.environ, COLUMNS=columns, HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / ".config"))
    result = run_crmctl("--help", env=env)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= width
    assert max(len(line) for line in lines) > width - 10


def test_running_a_broken_plugin_fails_in_one_line_without_traceback(broken_plugin_env):
    result = run_crmctl("explode", "--some-option", env=broken_plugin_env)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "crmctl: error: plugin 'explode' is broken: RuntimeError: this plugin is broken on purpose"
    ]
    assert "Traceback" not in result.stderr


def all_command_paths():
    context = click.Context(cli)
    paths = []

    def walk(group, prefix):
        for name in group.list_commands(context):
            command = group.get_command(context, name)
            paths.append(prefix + [name])
            if isinstance(command, click.Group):
                walk(command, prefix + [name])

    walk(cli, [])
    return paths


@pytest.mark.parametrize("path", all_command_paths(), ids=lambda p: " ".join(p))
def test_every_command_has_working_help(path):
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage: crmctl " + " ".join(path) in result.output


def test_version_is_printed():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_an_unknown_command_is_a_usage_error():
    result = CliRunner().invoke(cli, ["frobnicate"])
    assert result.exit_code == 2
    assert "No such command 'frobnicate'" in result.output



def test_an_internal_error_is_one_line_and_exit_1_without_traceback(failing_plugin_env):
    result = run_crmctl("fail", env=failing_plugin_env)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "crmctl: error: internal error: ZeroDivisionError: division by zero (run with --debug for details)"
    ]


def test_debug_shows_the_traceback_of_an_internal_error(failing_plugin_env):
    result = run_crmctl("--debug", "fail", env=failing_plugin_env)
    assert result.returncode == 1
    assert "Traceback" in result.stderr and "ZeroDivisionError" in result.stderr


def test_plugins_and_migrations_are_installed_inside_the_crmctl_namespace(tmp_path):
    probe = (
        "import importlib.util, crmctl.plugins, crmctl.migrations\n"
        "print(importlib.util.find_spec('plugins') is None, importlib.util.find_spec('migrations') is None)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"]
