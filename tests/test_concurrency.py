"""SPEC §8: two processes adding the same companies at once store each company once.

Each pair of real `crmctl` processes is started together, so the two race for
every company: the loser must be refused with exit 3 and a one-line message
(by the duplicate check, or by the unique index when both checked before
either committed), never crash, never see "database is locked".
"""
import subprocess
import sys

COMPANIES = 20


def add_company_command(url, number):
    slug = f"racing-{number}"
    return [
        sys.executable, "-m", "crmctl", "--db", url, "add", "company",
        "--name", f"Racing Company {number} Ltd", "--website", f"https://www.{slug}.pl",
        "--linkedin", f"https://www.linkedin.com/company/{slug}", "--employees", "50",
        "--industry", "Logistics", "--country", "PL", "--format", "json",
    ]


def add_lead_command(url, number):
    return [
        sys.executable, "-m", "crmctl", "--db", url, "add", "lead", "--company", "C1",
        "--name", f"Racing Person {number}", "--position", "CTO",
        "--email", f"person{number}@racing-1.pl", "--format", "json",
    ]


def race(commands):
    """Start every command at once; return (exit code, stderr) for each."""
    processes = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for c in commands]
    return [(p.wait(timeout=120), p.communicate()[1]) for p in processes]


def assert_clean_refusals(outcomes):
    for code, stderr in outcomes:
        assert "database is locked" not in stderr
        assert "Traceback" not in stderr
        assert code in (0, 3), stderr
        if code == 3:
            assert len(stderr.strip().splitlines()) == 1, stderr
            assert "duplicate company refused" in stderr


def test_two_processes_adding_the_same_companies_store_each_once(crm):
    crm.json("list", "companies")  # create the database before the race
    outcomes = []
    for number in range(COMPANIES):
        pair = race([add_company_command(crm.url, number), add_company_command(crm.url, number)])
        assert sorted(code for code, _ in pair) == [0, 3], pair
        outcomes += pair
    assert_clean_refusals(outcomes)
    stored = crm.json("list", "companies")
    assert sorted(c["name"] for c in stored) == sorted(f"Racing Company {n} Ltd" for n in range(COMPANIES))


def test_two_processes_adding_leads_at_once_never_pass_the_five_lead_limit(crm):
    crm.json(*add_company_command(crm.url, 1)[5:-2])
    outcomes = []
    for first in range(0, 8, 2):
        outcomes += race([add_lead_command(crm.url, first), add_lead_command(crm.url, first + 1)])
    for code, stderr in outcomes:
        assert "Traceback" not in stderr and "database is locked" not in stderr
        assert code in (0, 3), stderr
    assert sum(1 for code, _ in outcomes if code == 0) == 5
    assert len(crm.json("show", "C1")["leads"]) == 5
