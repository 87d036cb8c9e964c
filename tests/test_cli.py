"""The command line around the core (SPEC §6, §6.1): --debug, global options after the command, tables, the pager,
CSV headers, --quiet and no stray warnings. Terminal behaviour is checked on a real pseudo-terminal."""
import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios
import textwrap

import pytest
from click.testing import CliRunner

from crmctl.cli import cli
from conftest import one_line

BOSS = "boss@example.com"
ANNA = "anna@example.com"
LONG_NAME = "Zakłady Mechaniczne Przemysłu Precyzyjnego i Automatyki Przemysłowej Wielkopolska Spółka Akcyjna"


def company_args(name="Acme Robotics", website="acme-robotics.pl", country="PL", industry="Robotics"):
    return ["add", "company", "--name", name, "--website", website,
            "--linkedin", f"https://www.linkedin.com/company/{website.split('.')[0]}",
            "--employees", "120", "--industry", industry, "--country", country]


def run_crmctl(*args, env=None):
    """crmctl as its own process, stdout and stderr piped (as under cron or in a script)."""
    return subprocess.run([sys.executable, "-m", "crmctl", *args], capture_output=True, env=env, timeout=120)


def run_on_terminal(*args, columns=80, rows=24, env=None):
    """crmctl with stdout on a pseudo-terminal of the given size: (exit code, what the terminal showed, stderr)."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    env = dict(os.environ if env is None else env)
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    process = subprocess.Popen([sys.executable, "-m", "crmctl", *args], stdin=subprocess.DEVNULL, stdout=follower,
                               stderr=subprocess.PIPE, env=env)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the last writer closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    stderr = process.stderr.read().decode()
    process.stderr.close()
    return process.wait(timeout=120), shown.decode().replace("\r\n", "\n"), stderr


# ---------------------------------------------------------------------------
# Point 8: --debug adds detail to internal errors only
# ---------------------------------------------------------------------------


def team_with_one_company(crm):
    crm.json("agent", "add", BOSS, "--name", "Boss", "--role", "admin")
    crm.json("agent", "add", ANNA, "--name", "Anna", "--role", "agent", "--country", "PL", acting=BOSS)
    crm.json(*company_args(), acting=BOSS)


USER_ERRORS = {
    "a refused duplicate": (3, company_args(name="Acme Robotics S.A."), BOSS),
    "bad input": (2, ["add", "company", "--name", "Nordvik"], BOSS),
    "an unknown field": (2, ["edit", "C1", "--set", "colour=red"], BOSS),
    "a record not found": (4, ["show", "C99"], BOSS),
    "no acting agent": (5, ["config", "set", "daily_company_target", "40"], None),
    "a permission refused": (5, ["agent", "add", "x@example.com", "--name", "X", "--role", "agent",
                                 "--country", "PL"], ANNA),
}


def test_debug_keeps_every_user_errors_exit_code_and_its_one_line(crm):
    team_with_one_company(crm)
    for what, (exit_code, args, acting) in USER_ERRORS.items():
        plain = crm(*args, acting=acting)
        debugged = crm("--debug", *args, acting=acting)
        assert plain.exit_code == exit_code, (what, plain.output)
        assert debugged.exit_code == exit_code, (what, debugged.output)
        assert one_line(debugged) == one_line(plain), what


def test_debug_still_shows_the_traceback_of_an_internal_error_given_after_the_command(tmp_path):
    env = plugin_environment(tmp_path, "fail = failing_plugin:fail", "failing_plugin", '''\
        """Fail at run time with an unexpected error."""
        import click

        @click.command()
        def fail():
            """Divide by zero."""
            return 1 / 0
        ''')
    result = run_crmctl("fail", "--debug", env=env)
    assert result.returncode == 1
    assert b"Traceback" in result.stderr and b"ZeroDivisionError" in result.stderr
    assert result.stderr.decode().strip().splitlines()[-1].startswith("crmctl: error: internal error: ZeroDivision")


def plugin_environment(tmp_path, entry_point, module_name, source):
    """An environment with one more installed distribution that registers a crmctl plugin."""
    site = tmp_path / "site"
    dist_info = site / f"crmctl_{module_name}-1.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: crmctl_{module_name}\nVersion: 1.0\n")
    (dist_info / "entry_points.txt").write_text(f"[crmctl.plugins]\n{entry_point}\n")
    (site / f"{module_name}.py").write_text(textwrap.dedent(source))
    return dict(os.environ, PYTHONPATH=str(site) + os.pathsep + os.environ.get("PYTHONPATH", ""))


# ---------------------------------------------------------------------------
# Point 16: the global options may follow the command
# ---------------------------------------------------------------------------


def test_the_acting_agent_may_be_given_after_the_command(crm):
    crm.json("agent", "add", BOSS, "--name", "Boss", "--role", "admin")
    added = crm.json("agent", "add", ANNA, "--name", "Anna", "--role", "agent", "--country", "PL", "--as", BOSS)
    assert added["email"] == ANNA
    company = crm.json(*company_args(), "--as", ANNA)
    assert company["created_by"] == ANNA
    assert company["owner"] == ANNA


def test_the_database_may_be_given_after_the_command(db_url, tmp_path):
    runner = CliRunner()
    added = runner.invoke(cli, [*company_args(), "--format", "json", "--db", db_url], catch_exceptions=False)
    assert added.exit_code == 0, added.output
    listed = runner.invoke(cli, ["list", "companies", "--db", db_url, "--format", "json"], catch_exceptions=False)
    assert [company["name"] for company in json.loads(listed.stdout)] == ["Acme Robotics"]
    elsewhere = runner.invoke(cli, ["list", "companies", "--format", "json",
                                    "--db", f"sqlite:///{tmp_path / 'other.db'}"], catch_exceptions=False)
    assert json.loads(elsewhere.stdout) == []


# ---------------------------------------------------------------------------
# Point 17: tables fit the terminal, long output is paged, CSV has its header, --quiet
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_table_fits_the_terminal_and_wide_shows_every_character(crm):
    crm.json(*company_args(name=LONG_NAME, industry="Precision machinery and industrial automation equipment"))
    env = dict(os.environ, PAGER="cat")
    code, shown, stderr = run_on_terminal("--db", crm.url, "list", "companies", columns=60, env=env)
    assert code == 0, stderr
    lines = shown.splitlines()
    assert len(lines) == 3  # header, rule, one company
    assert max(len(line) for line in lines) <= 60
    assert "…" in lines[2] and LONG_NAME not in shown
    code, shown, stderr = run_on_terminal("--db", crm.url, "list", "companies", "--wide", columns=60, env=env)
    assert code == 0, stderr
    assert LONG_NAME in shown and "…" not in shown


@pytest.mark.parametrize("backend", ["sqlite"])
def test_what_hangs_on_a_record_is_shown_in_the_columns_of_its_listing_fitted_to_the_terminal(crm):
    crm.json(*company_args(name=LONG_NAME))
    crm.json("add", "lead", "--company", "C1", "--name", "Anna Nowak", "--position", "Chief Technology Officer",
             "--email", "anna.nowak@zaklady-mechaniczne-przemyslu-precyzyjnego.pl")
    code, shown, stderr = run_on_terminal("--db", crm.url, "show", "C1", columns=80, env=dict(os.environ, PAGER="cat"))
    assert code == 0, stderr
    assert max(len(line) for line in shown.splitlines()) <= 80
    header = next(line for line in shown.splitlines() if line.startswith("id ") and "full_name" in line)
    listed = ["id", "full_name", "position", "company", "status", "follow_up_on", "owner", "emails", "phones"]
    shown_names = header.split()
    assert len(shown_names) == len(listed)
    assert all(name.startswith(shown.rstrip("…")) for shown, name in zip(shown_names, listed)), header


@pytest.mark.parametrize("backend", ["sqlite"])
def test_long_output_on_a_terminal_goes_through_the_pager_and_never_when_piped(crm):
    crm.json(*company_args())
    conversation = "\n".join(f"line {number} of a long conversation" for number in range(1, 61))
    crm.json("add", "note", "C1", "--text", conversation)
    env = dict(os.environ, PAGER="sed 's/^/paged: /'")
    code, shown, stderr = run_on_terminal("--db", crm.url, "show", "N1", rows=24, env=env)
    assert code == 0, stderr
    assert "paged: " in shown and "line 60 of a long conversation" in shown
    code, shown, stderr = run_on_terminal("--db", crm.url, "show", "C1", rows=80, env=env)
    assert code == 0, stderr
    assert "Acme Robotics" in shown and "paged: " not in shown  # it fits on the screen
    piped = run_crmctl("--db", crm.url, "show", "N1", "--format", "table", env=env)
    assert piped.returncode == 0
    assert b"line 60 of a long conversation" in piped.stdout and b"paged: " not in piped.stdout


def test_a_csv_listing_prints_its_header_even_when_nothing_matches(crm):
    crm.json(*company_args())
    header = crm("list", "companies", "--format", "csv").stdout.splitlines()[0]
    assert header.startswith("id,name,website,")
    nothing = crm("list", "companies", "--format", "csv", "--where", "country=DE")
    assert nothing.exit_code == 0
    assert nothing.stdout.splitlines() == [header]
    for kind in ("leads", "deals", "tasks", "submissions"):
        empty = crm("list", kind, "--format", "csv")
        assert empty.exit_code == 0, empty.output
        lines = empty.stdout.splitlines()
        assert len(lines) == 1 and lines[0].startswith("id,"), (kind, empty.stdout)


def test_quiet_writing_commands_print_nothing_but_errors(crm):
    writes = [
        ("agent", "add", BOSS, "--name", "Boss", "--role", "admin", "--quiet"),
        ("--quiet", "agent", "add", ANNA, "--name", "Anna", "--role", "agent", "--country", "PL", "--as", BOSS),
        (*company_args(), "--as", BOSS, "--quiet"),
        ("add", "lead", "--company", "C1", "--name", "Ola Kowalska", "--position", "CTO", "--quiet", "--as", BOSS),
        ("edit", "C1", "--set", "city=Gdańsk", "--quiet", "--as", BOSS),
        ("agent", "deactivate", ANNA, "--quiet", "--as", BOSS),
    ]
    for args in writes:
        result = crm(*args)
        assert result.exit_code == 0, (args, result.output)
        assert (result.stdout, result.stderr) == ("", ""), args
    assert crm.json("show", "C1")["city"] == "Gdańsk"
    refused = crm(*company_args(name="Acme Robotics S.A."), "--quiet", acting=BOSS)
    assert refused.exit_code == 3
    assert refused.stdout == ""
    assert "acme-robotics.pl" in one_line(refused) or "C1" in one_line(refused)


# ---------------------------------------------------------------------------
# Point 18: no stray warnings from the libraries
# ---------------------------------------------------------------------------


def test_text_that_is_not_utf8_prints_one_line_and_no_library_warning(db_url):
    """Arguments that are not UTF-8 reach Python as lone surrogates, which unidecode warned about on stderr."""
    for args in (["dedup", "check", "--name", b"\xed\xa0\x80"],
                 company_args(name=b"Acme \xff Robotics")):
        result = run_crmctl("--db", db_url, *args)
        stderr = result.stderr.decode("utf-8", "replace")
        assert "Warning" not in stderr, stderr
        assert len(stderr.strip().splitlines()) == 1, stderr
        assert result.returncode != 0
