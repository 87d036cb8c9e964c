"""The README must stay true: its first command, and then every crmctl line of its code blocks, run as written."""
import os
import pathlib
import re
import shlex
import subprocess
import sys

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"
INSTALL = "pip install -e '.[test]' && "
# Lines of the README's code blocks that are not run, and why. Exports not listed here are applied.
SKIPPED_EXPORTS = {
    "CRMCTL_DATABASE_URL": "the test's own SQLite file stands in for the shared server the README points at",
}


def applied(name, value):
    """Whether the test applies an export: a section that starts its own SQLite file (a relative
    `sqlite:///name.db`, made in the test's directory) runs on it; a shared server's URL is skipped."""
    if name == "CRMCTL_DATABASE_URL" and value.startswith("sqlite:///") and not value.startswith("sqlite:////"):
        return True
    return name not in SKIPPED_EXPORTS


def quickstart_command():
    text = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- quickstart -->\s*```sh\n(.*?)```", text, re.S).group(1).strip()
    assert block.startswith(INSTALL), "the quickstart must start by installing crmctl"
    return block[len(INSTALL):]


def newcomer_environment(home):
    env = dict(os.environ, HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"))
    for name in ("CRMCTL_DATABASE_URL", "CRMCTL_AGENT", "PAGER", "COLUMNS", "LINES"):
        env.pop(name, None)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    return env


def test_the_readme_quickstart_runs_on_the_default_sqlite_database(tmp_path):
    env = newcomer_environment(tmp_path)
    result = subprocess.run(["bash", "-c", quickstart_command()], capture_output=True, text=True, env=env,
                            timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "crmctl import example" in quickstart_command()  # the newcomer's first look is the shipped example
    assert '"rejected": 0' in result.stdout
    assert "Anna Nowak" in result.stdout
    assert "Nordic Freight AB" in result.stdout
    assert "lead → deal" in result.stdout  # and the funnel report of what was imported
    assert (tmp_path / ".config" / "crmctl" / "crm.db").exists()


def readme_steps():
    """Each crmctl command and each `export` of the README's shell blocks, in the order a reader meets them."""
    text = README.read_text(encoding="utf-8")
    steps = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.strip()
            for command in (line.split(" && ") if line.startswith(INSTALL) else [line]):
                if command.startswith("crmctl ") or command == "crmctl":
                    steps.append(("run", command))
                elif command.startswith("export "):
                    name, _, value = shlex.split(command, comments=True)[1].partition("=")
                    steps.append(("export", (name, value)))
    return steps


def test_every_crmctl_line_of_the_readme_runs_as_written(tmp_path):
    env = newcomer_environment(tmp_path)
    env["CRMCTL_DATABASE_URL"] = f"sqlite:///{tmp_path / 'readme.db'}"
    ran = 0
    for kind, step in readme_steps():
        if kind == "export":
            name, value = step
            if applied(name, value):
                env[name] = value
            continue
        result = subprocess.run(["bash", "-c", step], capture_output=True, text=True, env=env, timeout=120,
                                cwd=tmp_path)
        assert result.returncode == 0, (step, result.stderr)
        assert "Traceback" not in result.stderr, step
        if "--quiet" in shlex.split(step, comments=True):
            assert (result.stdout, result.stderr) == ("", ""), step
        else:
            assert (result.stdout + result.stderr).strip(), step  # data on stdout, or a message ("wrote FILE")
        ran += 1
    assert ran >= 30
