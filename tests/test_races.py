"""Issue 9, points 1 and 4: racing processes on SQLite, PostgreSQL and MariaDB.

Every racer is a process of its own (`subprocess.Popen`) that runs the real
crmctl root command once per round, each time with a connection of its own. It
pays its start-up (Python, Click, Peewee, the matcher, the database driver)
once, then waits at each round's barrier file, so all of a round's racers reach
the database within a millisecond or two of each other: the window that let 5
of 8 processes store the same likely duplicate. (A fresh interpreter per racer
and round costs about 0.25 s of CPU: 25 rounds of 8 on three backends would be
150 s of this 2-core machine for the start-up alone.)

- Eight processes add the same company name in the same country (different
  websites, no --force): exactly one stores it; every other exits 3 with the
  usual "likely duplicate ... refused" line. A rename, or an alias, racing a
  new company of that name: one of the two goes through.
- `dedup merge A B` beside `dedup merge C B`, and `merge A B` beside `merge B A`:
  exactly one merge wins; the other exits 3 saying what was merged already.
- `dedup unmerge X` beside a merge of its survivor, and two unmerges of one
  merge: never exit 1, and the story stays whole.
"""
import json
import os
import subprocess
import sys
import time


ROUNDS = 25
RACERS = 8
MERGE_ROUNDS = 8

# One racer: a process that pays its start-up once (Python, Click, Peewee, the write
# path, the driver), then runs the real crmctl root command once per round, each time
# with a connection of its own, released with the other racers by the round's barrier file.
RACER = """
import json, os, sys, time
from click.testing import CliRunner
from crmctl.cli import cli
import crmctl.records.companies, crmctl.records.merge, crmctl.records.unmerge, crmctl.kinds.shapes, crmctl.cli.output
folder, url, rounds = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
if url.startswith("postgresql"):
    import psycopg2
elif url.startswith("mysql"):
    import pymysql
runner = CliRunner()
for number, args in enumerate(rounds):
    open(os.path.join(folder, f"ready-{number}-{os.getpid()}"), "w").close()
    while not os.path.exists(os.path.join(folder, f"go-{number}")):
        time.sleep(0.0005)
    result = runner.invoke(cli, ["--db", url, *args])
    stderr = result.stderr + ("" if result.exception is None or isinstance(result.exception, SystemExit)
                              else f"Traceback: {result.exception!r}")
    print(json.dumps([result.exit_code, result.stdout, stderr]), flush=True)
"""


class Racers:
    """Processes that run one command each per round, all released at once by a barrier file."""

    def __init__(self, folder, url, commands_per_racer):
        self.folder, self.rounds = str(folder), len(commands_per_racer[0])
        os.makedirs(self.folder, exist_ok=True)
        self.processes = [subprocess.Popen([sys.executable, "-c", RACER, self.folder, url, json.dumps(commands)],
                                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                          for commands in commands_per_racer]
        self.number = 0

    def run_round(self):
        """Release the next round once every racer waits at its barrier; [(exit code, stdout, stderr)] per racer."""
        deadline = time.monotonic() + 120
        ready = f"ready-{self.number}-"
        while sum(1 for name in os.listdir(self.folder) if name.startswith(ready)) < len(self.processes):
            assert all(p.poll() is None for p in self.processes), [p.communicate() for p in self.processes]
            assert time.monotonic() < deadline, "the racers never reached the barrier"
            time.sleep(0.002)
        open(os.path.join(self.folder, f"go-{self.number}"), "w").close()
        self.number += 1
        return [tuple(json.loads(process.stdout.readline())) for process in self.processes]

    def __iter__(self):
        try:
            for _ in range(self.rounds):
                yield self.run_round()
        finally:
            for process in self.processes:
                process.kill() if process.poll() is None else None
                process.communicate()


def assert_one_clean_line(stderr):
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


def add_company_args(name, slug, country="PL"):
    return ["add", "company", "--name", name, "--website", f"https://www.{slug}.pl",
            "--linkedin", f"https://www.linkedin.com/company/{slug}", "--employees", "40",
            "--industry", "Logistics", "--country", country, "--format", "json"]


def add_company(crm, name, slug):
    return crm.json(*add_company_args(name, slug)[:-2], "--force")["id"]


def only(outcomes, code):
    (found,) = [outcome for outcome in outcomes if outcome[0] == code]
    return found


# --- point 1: likely duplicates ---------------------------------------------------


def test_eight_processes_adding_one_name_in_one_country_store_it_once(crm, tmp_path):
    crm.json("list", "companies")  # the schema exists before the first race
    commands = [[add_company_args(f"Racing Freight {number} Sp. z o.o.", f"racing-{number}-{racer}")
                 for number in range(ROUNDS)] for racer in range(RACERS)]
    for number, outcomes in enumerate(Racers(tmp_path / "racers", crm.url, commands)):
        assert sorted(code for code, _, _ in outcomes) == [0] + [3] * (RACERS - 1), (number, outcomes)
        for code, _, stderr in outcomes:
            if code == 3:
                line = assert_one_clean_line(stderr)
                assert line.startswith("crmctl: error: likely duplicate company refused: resembles C"), line
    names = [company["name"] for company in crm.json("list", "companies")]
    assert sorted(names) == sorted(f"Racing Freight {number} Sp. z o.o." for number in range(ROUNDS))


def test_the_same_name_raced_in_two_countries_is_stored_once_in_each(crm, tmp_path):
    crm.json("list", "companies")
    commands = [[add_company_args("Twin Harbour Logistics", f"twin-{racer}", country=("PL", "DE")[racer % 2])]
                for racer in range(RACERS)]
    (outcomes,) = Racers(tmp_path / "racers", crm.url, commands)
    assert sorted(code for code, _, _ in outcomes) == [0, 0] + [3] * (RACERS - 2), outcomes
    assert sorted(company["country"] for company in crm.json("list", "companies")) == ["DE", "PL"]


def test_a_rename_or_an_alias_racing_a_new_company_of_that_name_lets_one_through(crm, tmp_path):
    rounds = []
    for number in range(MERGE_ROUNDS):
        renamed = add_company(crm, f"Old Name {number}", f"old-name-{number}")
        aliased = add_company(crm, f"Alias Holder {number}", f"alias-holder-{number}")
        rounds.append((renamed, aliased))
    commands = [
        [["edit", renamed, "--set", f"name=Fresh Name {number}", "--format", "json"]
         for number, (renamed, _) in enumerate(rounds)],
        [add_company_args(f"Fresh Name {number}", f"fresh-name-{number}") for number in range(MERGE_ROUNDS)],
        [["alias", "add", aliased, f"Mirror Name {number}", "--format", "json"]
         for number, (_, aliased) in enumerate(rounds)],
        [add_company_args(f"Mirror Name {number}", f"mirror-name-{number}") for number in range(MERGE_ROUNDS)],
    ]
    for outcomes in Racers(tmp_path / "racers", crm.url, commands):
        for pair in (outcomes[:2], outcomes[2:]):
            assert sorted(code for code, _, _ in pair) == [0, 3], outcomes
            line = assert_one_clean_line(only(pair, 3)[2])
            assert "duplicate company refused" in line or "so it would make a duplicate" in line, line
    names = [company["name"] for company in crm.json("list", "companies")]
    aliases = [alias["name"] for alias in crm.json("alias", "list")]
    for number in range(MERGE_ROUNDS):
        assert names.count(f"Fresh Name {number}") == 1
        assert names.count(f"Mirror Name {number}") + aliases.count(f"Mirror Name {number}") == 1


# --- point 4: merges --------------------------------------------------------------


def merged_away_line(stderr, dropped):
    line = assert_one_clean_line(stderr)
    assert line.startswith(f"crmctl: error: {dropped} was already merged into C"), line
    assert " by X" in line, line
    return line


def test_two_merges_of_one_dropped_company_have_one_winner(crm, tmp_path):
    rounds = []
    for number in range(MERGE_ROUNDS):
        first = add_company(crm, f"Keeper One {number}", f"keeper-one-{number}")
        dropped = add_company(crm, f"Dropped {number}", f"dropped-{number}")
        other = add_company(crm, f"Keeper Two {number}", f"keeper-two-{number}")
        crm.json("add", "lead", "--company", dropped, "--name", f"Eva Racer {number}", "--position", "CTO")
        rounds.append((first, dropped, other))
    commands = [[["dedup", "merge", keep, dropped, "--format", "json"] for first, dropped, other in rounds
                 for keep in [(first, other)[racer]]] for racer in range(2)]
    for number, ((_, dropped, _), outcomes) in enumerate(zip(rounds, Racers(tmp_path / "racers", crm.url, commands))):
        assert sorted(code for code, _, _ in outcomes) == [0, 3], outcomes
        winner = json.loads(only(outcomes, 0)[1])
        line = merged_away_line(only(outcomes, 3)[2], dropped)
        assert line == f"crmctl: error: {dropped} was already merged into {winner['survivor']} by {winner['id']}"
        assert [lead["full_name"] for lead in crm.json("show", winner["survivor"])["leads"]] == [f"Eva Racer {number}"]
    assert len(crm.json("list", "companies")) == 2 * MERGE_ROUNDS


def test_opposite_merges_never_deadlock_into_exit_1(crm, tmp_path):
    rounds = []
    for number in range(MERGE_ROUNDS):
        left = add_company(crm, f"Left Side {number}", f"left-{number}")
        right = add_company(crm, f"Right Side {number}", f"right-{number}")
        crm.json("add", "lead", "--company", left, "--name", f"Lea Left {number}", "--position", "CTO")
        crm.json("add", "lead", "--company", right, "--name", f"Rob Right {number}", "--position", "CEO")
        rounds.append((left, right))
    commands = [[["dedup", "merge", *pair[::direction], "--format", "json"] for pair in rounds]
                for direction in (1, -1)]
    for outcomes in Racers(tmp_path / "racers", crm.url, commands):
        assert sorted(code for code, _, _ in outcomes) == [0, 3], outcomes
        winner = json.loads(only(outcomes, 0)[1])
        merged_away_line(only(outcomes, 3)[2], winner["dropped"][0])
        assert len(crm.json("show", winner["survivor"])["leads"]) == 2


def test_an_unmerge_racing_a_merge_of_its_survivor_leaves_a_whole_story(crm, tmp_path):
    rounds = []
    for number in range(MERGE_ROUNDS):
        keep = add_company(crm, f"Unmerge Keep {number}", f"u-keep-{number}")
        dropped = add_company(crm, f"Unmerge Drop {number}", f"u-drop-{number}")
        third = add_company(crm, f"Unmerge Third {number}", f"u-third-{number}")
        merge = crm.json("dedup", "merge", keep, dropped)["id"]
        rounds.append((keep, dropped, third, merge))
    commands = [[["dedup", "unmerge", merge, "--format", "json"] for _, _, _, merge in rounds],
                [["dedup", "merge", third, keep, "--format", "json"] for keep, _, third, _ in rounds],
                [["dedup", "unmerge", merge, "--format", "json"] for _, _, _, merge in rounds]]
    for (keep, dropped, third, merge), outcomes in zip(rounds, Racers(tmp_path / "racers", crm.url, commands)):
        codes = [code for code, _, _ in outcomes]
        assert codes[1] == 0, outcomes  # the merge into the third company always goes through
        assert sorted((codes[0], codes[2])) in ([0, 3], [3, 3]), outcomes  # a merge is never undone twice
        for code, _, stderr in outcomes:
            if code == 3:
                assert_one_clean_line(stderr)
        if 0 in codes[::2]:  # the unmerge went first: the dropped company is back and stays
            assert crm.json("show", dropped)["name"].startswith("Unmerge Drop")
        else:  # the merge went first: the survivor is gone, so there is nothing to undo into
            assert crm("show", dropped).exit_code == 4
