"""Odd things given where a record id, a database or a file to write is expected (SPEC §2, §4, §6.1, §8).

A malformed id is bad input (exit 2) and a well-formed id of nothing is not found (exit 4), for
`import undo` as for every command. A SQLite URL must name a file that keeps the data: a device,
a named pipe or an in-memory database is refused (exit 2). A file crmctl writes follows a symlink
to the file it names and never replaces a named pipe or a folder. Named pipes stand in for
devices here, so no test touches a real one.
"""
import os
import signal
import stat

import pytest

from conftest import Crm, one_line

SQLITE_URL_FORMS = ("write sqlite:///relative.db (three slashes: a path from the current directory) or "
                    "sqlite:////absolute/path.db (four: an absolute path)")


@pytest.fixture
def never_hangs():
    """Fail a test whose command blocks (opening a named pipe waits for the other end) instead of waiting forever."""
    def give_up(signum, frame):
        pytest.fail("the command blocked on a named pipe")

    previous = signal.signal(signal.SIGALRM, give_up)
    signal.setitimer(signal.ITIMER_REAL, 20)
    yield
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def writer(tmp_path):
    """A SQLite crmctl with a company and a task on it: every writing command has something to write."""
    crm = Crm(f"sqlite:///{tmp_path / 'crm.db'}")
    crm.json("add", "company", "--name", "Acme", "--website", "acme.com", "--linkedin",
             "https://linkedin.com/company/acme", "--employees", "50", "--industry", "Software", "--country", "PL")
    crm.json("add", "task", "C1", "--kind", "call", "--due", "2026-12-02T10:00:00Z")
    return crm


def rejected_rows(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("Company Name,Website\nBeta,\n", encoding="utf-8")
    return path


# Each writer: the command that writes `target`, the exit code it ends with, what the written file starts with.
WRITERS = {
    "export": (lambda tmp_path, target: ["export", target], 0, "\ufeffCompany Name".encode()),
    "task export": (lambda tmp_path, target: ["task", "export", target], 0, b"BEGIN:VCALENDAR"),
    "import template": (lambda tmp_path, target: ["import", "template", target], 0, b"\xd0\xcf\x11\xe0"),
    "import run --rejects": (lambda tmp_path, target: ["import", "run", rejected_rows(tmp_path), "--rejects", target],
                             6, "\ufeffCompany Name,Website,Row,Reason".encode()),
}
EXTENSION = {"export": ".csv", "task export": ".ics", "import template": ".xls", "import example": ".xls",
             "import run --rejects": ".csv"}


# `import undo BATCH` reads its id as every command does.

def test_import_undo_refuses_a_malformed_or_too_large_batch_id_as_bad_input(crm):
    for text in ("B99999999999999999999", "B-1", "B1.5", ""):
        result = crm("import", "undo", text)
        assert result.exit_code == 2, (text, result.output)
        assert f"{text!r} is not a record id" in one_line(result)


def test_import_undo_refuses_the_id_of_another_kind_as_bad_input(crm):
    for text, kind in (("C1", "company"), ("X1", "merge")):
        result = crm("import", "undo", text)
        assert result.exit_code == 2, result.output
        assert one_line(result) == f"crmctl: error: {text} is a {kind}, expected a batch"


def test_import_undo_of_a_batch_that_is_not_there_is_not_found_by_its_typed_id(crm):
    for text in ("B5", "5"):
        result = crm("import", "undo", text)
        assert result.exit_code == 4, result.output
        assert one_line(result) == "crmctl: error: B5 not found"


# A SQLite URL names a file that keeps the data.

def test_a_sqlite_path_that_is_a_named_pipe_is_refused_without_opening_it(tmp_path, never_hangs):
    pipe = tmp_path / "crm.db"
    os.mkfifo(pipe)
    result = Crm(f"sqlite:///{pipe}")("list", "companies")
    assert result.exit_code == 2, result.output
    assert one_line(result) == f"crmctl: error: {pipe} is a named pipe (fifo), not a SQLite database file"


def test_an_in_memory_sqlite_database_is_refused_as_it_would_keep_nothing(tmp_path):
    for url in ("sqlite:///:memory:", "sqlite:///file::memory:", f"sqlite:///{tmp_path / 'crm.db'}?database=:memory:"):
        result = Crm(url)("add", "company", "--name", "Acme", "--website", "acme.com", "--linkedin",
                          "https://linkedin.com/company/acme", "--employees", "50", "--industry", "Software",
                          "--country", "PL")
        assert result.exit_code == 2, (url, result.output)
        assert one_line(result) == (f"crmctl: error: database URL {url} names an in-memory database, which keeps "
                                    f"nothing: {SQLITE_URL_FORMS}")
        assert result.stdout == ""
    assert os.listdir(tmp_path) == ["home"]


def test_a_sqlite_file_uri_is_refused_as_sqlite_would_open_another_path_than_the_one_checked(tmp_path):
    url = f"sqlite:///file:{tmp_path / 'crm.db'}"
    result = Crm(url)("list", "companies")
    assert result.exit_code == 2, result.output
    assert one_line(result) == f"crmctl: error: database URL {url} is a SQLite file: URI, not a path: {SQLITE_URL_FORMS}"
    assert not (tmp_path / "crm.db").exists()


# A file crmctl writes follows a symlink and replaces only a regular file.

@pytest.mark.parametrize("name", WRITERS)
def test_a_written_file_follows_a_symlink_and_replaces_the_file_it_points_to(writer, tmp_path, name):
    command, exit_code, start = WRITERS[name]
    real = tmp_path / f"real{EXTENSION[name]}"
    real.write_text("old\n")
    link = tmp_path / f"link{EXTENSION[name]}"
    link.symlink_to(real.name)
    result = writer(*command(tmp_path, link))
    assert result.exit_code == exit_code, result.output
    assert link.is_symlink() and os.readlink(link) == real.name
    assert real.read_bytes().startswith(start)


REFUSING = {"export": ["export"], "task export": ["task", "export"], "import template": ["import", "template"],
            "import example": ["import", "example"], "report weekly": ["report", "weekly", "--out"]}


@pytest.mark.parametrize("name", REFUSING)
def test_a_written_file_never_replaces_a_named_pipe_or_a_folder(writer, tmp_path, never_hangs, name):
    extension = EXTENSION.get(name, ".html")
    pipe, folder = tmp_path / f"pipe{extension}", tmp_path / f"folder{extension}"
    os.mkfifo(pipe)
    folder.mkdir()
    refused = writer(*REFUSING[name], pipe)
    assert refused.exit_code == 2, refused.output
    assert one_line(refused) == f"crmctl: error: cannot write {pipe}: it is a named pipe (fifo), not a regular file"
    refused = writer(*REFUSING[name], folder)
    assert refused.exit_code == 2, refused.output
    assert one_line(refused) == f"crmctl: error: cannot write {folder}: it is a folder, not a regular file"
    assert stat.S_ISFIFO(os.stat(pipe).st_mode) and folder.is_dir() and not any(folder.iterdir())


@pytest.mark.parametrize("name", REFUSING)
def test_an_empty_file_name_is_said_to_be_empty_not_a_folder(writer, tmp_path, monkeypatch, name):
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    refused = writer(*REFUSING[name], "")
    assert refused.exit_code == 2, refused.output
    assert one_line(refused) == "crmctl: error: no file to write: the file name given is empty"
    assert not any(here.iterdir())


def test_the_weekly_page_to_a_dash_goes_to_standard_output_as_task_export_does(writer, tmp_path, monkeypatch):
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    result = writer("report", "weekly", "--week", "2026-W40", "--out", "-")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<!DOCTYPE html") and result.stdout.rstrip().endswith("</html>")
    assert "to standard output" in result.stderr
    assert not any(here.iterdir())  # no file named "-"


def test_the_rejects_never_replace_a_named_pipe(writer, tmp_path):
    pipe = tmp_path / "rejects.csv"
    os.mkfifo(pipe)
    result = writer("import", "run", rejected_rows(tmp_path), "--rejects", pipe)
    assert result.exit_code == 2, result.output  # refused before the import, which then never lands
    assert one_line(result) == f"crmctl: error: cannot write {pipe}: it is a named pipe (fifo), not a regular file"
    assert writer("import", "list", "--format", "json").stdout.strip() == "[]"
    assert stat.S_ISFIFO(os.stat(pipe).st_mode)


def test_a_replaced_file_keeps_its_permissions(writer, tmp_path):
    page = tmp_path / "private.html"
    page.write_text("old\n")
    page.chmod(0o600)
    result = writer("report", "weekly", "--week", "2026-W40", "--out", page)
    assert result.exit_code == 0, result.output
    assert page.read_text().startswith("<!DOCTYPE html") and stat.S_IMODE(page.stat().st_mode) == 0o600


def test_the_weekly_page_goes_to_standard_output_through_a_pipe(writer, tmp_path):
    import subprocess
    import sys

    finished = subprocess.run([sys.executable, "-m", "crmctl", "--db", writer.url, "report", "weekly",
                               "--week", "2026-W40", "--out", "/dev/stdout"], capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.startswith("<!DOCTYPE html") and "</html>" in finished.stdout
