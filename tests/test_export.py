"""`export FILE.xls|FILE.xlsx|FILE.csv` (SPEC §6; issue 10) through the real CLI on SQLite, PostgreSQL and MariaDB."""
import pytest

from conftest import Crm, one_line
from test_import import ACME, HEADER, NORDIC, company, person, write_xlsx

from crmctl.transfer.reading import open_table
from crmctl.transfer.template import COLUMN_NAMES

EXTRA = ["Follow Up On", "Campaign", "Source"]


def rows_of(path):
    with open_table(path) as table:
        return table.header, [values for _number, values in table.rows]


def stored(crm, tmp_path):
    """Four leads at three companies; a phone that starts with + and a formula-looking position."""
    path = write_xlsx(tmp_path / "in.xlsx", [
        ACME + person("Anna Nowak", "anna@acme-robotics.pl", phone="+48 601 234 567", status="Follow Up")
        + ["2026-12-14", "Spring", "LinkedIn"],
        ACME + person("Jan Kowalski", "jan@acme-robotics.pl", position="@CEO") + [None, "Spring", None],
        NORDIC + person("Erik Lindqvist", "erik@nordicfreight.se", status="Connected") + [None, None, "Fair"],
        company("Wisła Logistics", "wisla-logistics", city=None) + person("Marta Kowalczyk", "marta@wisla.pl")
        + [None, None, None],
    ], header=HEADER + EXTRA)
    result = crm("import", "run", path)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("extension", ["xls", "xlsx", "csv"])
def test_an_export_imports_into_an_empty_database_and_exports_again_identically(crm, tmp_path, fresh_db_url,
                                                                               extension):
    stored(crm, tmp_path)
    first = tmp_path / f"first.{extension}"
    result = crm("export", first)
    assert result.exit_code == 0 and "exported 4 leads" in result.stderr
    header, rows = rows_of(first)
    assert header == list(COLUMN_NAMES) and len(rows) == 4
    anna = next(row for row in rows if row[8] == "Anna Nowak")
    assert anna[COLUMN_NAMES.index("Phone")] == "'+48601234567"  # inert in the file, imported without the guard

    empty = Crm(fresh_db_url)
    assert empty("db", "upgrade").exit_code == 0
    result = empty("import", "run", first, "--format", "json")
    assert result.exit_code == 0, result.output
    second = tmp_path / f"second.{extension}"
    assert empty("export", second).exit_code == 0
    assert rows_of(second) == (header, rows)
    if extension == "csv":
        assert second.read_bytes() == first.read_bytes()


def test_export_takes_the_listing_filters_and_companies_alone(crm, tmp_path):
    stored(crm, tmp_path)
    assert crm("export", tmp_path / "pl.csv", "--where", "country=PL").exit_code == 0
    assert sorted(row[8] for row in rows_of(tmp_path / "pl.csv")[1]) == ["Anna Nowak", "Jan Kowalski",
                                                                          "Marta Kowalczyk"]
    assert crm("export", tmp_path / "s.csv", "--search", "erik").exit_code == 0
    assert [row[8] for row in rows_of(tmp_path / "s.csv")[1]] == ["Erik Lindqvist"]
    assert crm("export", tmp_path / "c.xlsx", "--companies").exit_code == 0
    header, rows = rows_of(tmp_path / "c.xlsx")
    assert header == list(COLUMN_NAMES[:8]) and sorted(row[0] for row in rows) == [
        "Acme Robotics Sp. z o.o.", "Nordic Freight AB", "Wisła Logistics"]


def test_export_refuses_bad_filters_names_and_agents(crm, tmp_path):
    stored(crm, tmp_path)
    bad = crm("export", tmp_path / "x.csv", "--where", "colour=red")
    assert bad.exit_code == 2 and one_line(bad) and not (tmp_path / "x.csv").exists()
    bad = crm("export", tmp_path / "x.pdf")
    assert bad.exit_code == 2 and not (tmp_path / "x.pdf").exists()
    crm.json("agent", "add", "boss@x.com", "--name", "Boss", "--role", "admin")
    crm.json("agent", "add", "ann@x.com", "--name", "Ann", "--role", "agent", "--country", "PL", acting="boss@x.com")
    denied = crm("export", tmp_path / "y.csv", acting="ann@x.com")
    assert denied.exit_code == 5 and not (tmp_path / "y.csv").exists()
