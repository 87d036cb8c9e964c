"""The README's first command must stay true: it is run here as a newcomer would."""
import os
import pathlib
import re
import subprocess
import sys

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"


def quickstart_command():
    text = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- quickstart -->\s*```sh\n(.*?)```", text, re.S).group(1).strip()
    install = "pip install -e '.[test]' && "
    assert block.startswith(install), "the quickstart must start by installing crmctl"
    return block[len(install):]


def test_the_readme_quickstart_runs_on_the_default_sqlite_database(tmp_path):
    env = dict(os.environ, HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / ".config"))
    env.pop("CRMCTL_DATABASE_URL", None)
    env.pop("CRMCTL_AGENT", None)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    result = subprocess.run(["bash", "-c", quickstart_command()], capture_output=True, text=True, env=env,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Anna Nowak" in result.stdout
    assert "Nordic Freight AB" in result.stdout
    assert (tmp_path / ".config" / "crmctl" / "crm.db").exists()
