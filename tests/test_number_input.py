"""Numbers as users type or import them (SPEC §5, §8): one rule for signs, separators and cents.

A whole number is an optional sign and digits; a comma only separates
thousands, in groups of three ("1,500", "1,234,567.50"); a decimal is written
with a point; an amount is kept in cents, below a trillion, as given. Anything
else is bad input: exit 2 and one line, or a rejected row naming its column in
an import, never an internal error. Every test runs on SQLite, PostgreSQL and
MariaDB.
"""
import csv
import json

import pytest

from conftest import one_line

COMPANY = ["--name", "Acme Robotics", "--website", "acme-robotics.pl", "--linkedin",
           "https://www.linkedin.com/company/acme-robotics", "--industry", "Robotics", "--country", "PL"]
BETA = ["--name", "Beta Freight", "--website", "beta-freight.pl", "--linkedin",
        "https://www.linkedin.com/company/beta-freight", "--industry", "Logistics", "--country", "PL"]
DECIMAL_COMMA = "write a decimal with a point"


@pytest.fixture
def records(crm):
    """A company of 50 (C1) with a lead of 500 connections (L1) and a deal of 1000.00 (D1)."""
    crm.json("add", "company", *COMPANY, "--employees", "50")
    crm.json("add", "lead", "--company", "C1", "--name", "Anna Nowak", "--position", "CTO", "--connections", "500")
    crm.json("add", "deal", "--company", "C1", "--pipeline", "sales", "--name", "Pilot", "--amount", "1000")
    return crm


def refused(result):
    """The one stderr line of a command refused as bad input (exit 2), never an internal error."""
    assert result.exit_code == 2, f"exit {result.exit_code}: {result.output}"
    line = one_line(result)
    assert "internal error" not in line
    return line


def stored(crm):
    """What the records hold: C1's employees, L1's connections and every deal's amount."""
    return (crm.json("show", "C1")["employee_count"], crm.json("show", "L1")["connections"],
            [deal["amount"] for deal in crm.json("list", "deals")])


UNCHANGED = (50, 500, ["1000.00"])


def import_csv(crm, tmp_path, rows):
    """Import `rows` of (company, slug, employees, lead, connections) as a .csv; the result and its summary."""
    path = tmp_path / "leads.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Company Name", "Website", "Company LinkedIn", "Employees", "Industry", "Country",
                         "Lead Name", "Position", "Connections", "Email"])
        for name, slug, employees, lead, connections in rows:
            writer.writerow([name, f"{slug}.pl", f"https://www.linkedin.com/company/{slug}", employees, "Robotics",
                             "PL", lead, "CTO", connections, f"{lead.split()[0].lower()}@{slug}.pl"])
    result = crm("import", "run", str(path), "--format", "json")
    assert "Traceback" not in result.output and "internal error" not in result.output
    return result, json.loads(result.stdout)


# --------------------------------------------------------------------------
# A whole number is one sign and digits
# --------------------------------------------------------------------------


@pytest.mark.parametrize("command", [
    ["edit", "C1", "--set", "employees=--5"],
    ["edit", "L1", "--set", "connections=--500"],
    ["add", "company", *BETA, "--employees=--5"],
    ["add", "lead", "--company", "C1", "--name", "Marek Wolny", "--position", "CEO", "--connections=--200"],
    ["list", "companies", "--where", "employees>--5"],
    ["list", "leads", "--where", "score in --5,1"],
    ["config", "set", "follow_up_cadence_days", "--", "1,--3,7"],
], ids=["edit-employees", "edit-connections", "add-company", "add-lead", "where", "where-in", "config-list"])
def test_a_whole_number_with_two_minus_signs_is_bad_input(records, command):
    assert "--" in refused(records(*command))
    assert stored(records) == UNCHANGED
    assert len(records.json("list", "companies")) == 1 and len(records.json("list", "leads")) == 1


def test_an_imported_cell_with_two_minus_signs_rejects_its_row_naming_the_column_and_the_others_land(crm, tmp_path):
    result, summary = import_csv(crm, tmp_path, [("Good Robotics", "good-robotics", "120", "Ann Good", "300"),
                                                 ("Bad Robotics", "bad-robotics", "120", "Bo Bad", "--300")])
    assert result.exit_code == 6
    assert (summary["created"], summary["rejected"]) == (1, 1)
    assert "row 3: Connections '--300' is not a whole number" in one_line(result)
    assert [lead["full_name"] for lead in crm.json("list", "leads")] == ["Ann Good"]


# --------------------------------------------------------------------------
# A comma only separates thousands, in groups of three
# --------------------------------------------------------------------------


@pytest.mark.parametrize("command", [
    ["add", "company", *BETA, "--employees", "1,5"],
    ["edit", "C1", "--set", "employees=1,5"],
    ["edit", "L1", "--set", "connections=3,50"],
    ["add", "deal", "--company", "C1", "--pipeline", "sales", "--name", "Fleet", "--amount", "1,5"],
    ["edit", "D1", "--set", "amount=12,34"],
    ["edit", "D1", "--set", "amount=0,500"],
    ["convert", "L1", "--amount", "1,5"],
    ["list", "deals", "--where", "amount>1,5"],
], ids=["add-company", "edit-employees", "edit-connections", "add-deal", "edit-amount", "leading-zero", "convert",
        "where"])
def test_a_decimal_comma_is_bad_input_saying_to_write_a_point(records, command):
    assert DECIMAL_COMMA in refused(records(*command))
    assert stored(records) == UNCHANGED
    assert records.json("show", "L1")["converted_at"] is None


def test_a_comma_groups_thousands_in_every_number_typed(records):
    records.json("edit", "C1", "--set", "employees=1,200")
    records.json("edit", "L1", "--set", "connections=1,500")
    records.json("edit", "D1", "--set", "amount=1,234,567.50")
    assert stored(records) == (1200, 1500, ["1234567.50"])
    assert [deal["id"] for deal in records.json("list", "deals", "--where", "amount>=1,234,567.50")] == ["D1"]


def test_an_imported_decimal_comma_rejects_its_row_naming_the_column_and_thousands_land(crm, tmp_path):
    result, summary = import_csv(crm, tmp_path, [("Good Robotics", "good-robotics", "1,200", "Ann Good", "1,500"),
                                                 ("Comma Robotics", "comma-robotics", "1,5", "Cy Comma", "300")])
    assert result.exit_code == 6
    assert (summary["created"], summary["rejected"]) == (1, 1)
    line = one_line(result)
    assert "row 3: Employees '1,5' is not a whole number" in line and DECIMAL_COMMA in line
    (company,) = crm.json("list", "companies")
    (lead,) = crm.json("list", "leads")
    assert (company["employee_count"], lead["connections"]) == (1200, 1500)


# --------------------------------------------------------------------------
# An amount is kept in cents, below a trillion, exactly as given
# --------------------------------------------------------------------------


@pytest.mark.parametrize("command", [
    ["add", "deal", "--company", "C1", "--pipeline", "sales", "--name", "Big", "--amount", "999999999999.999"],
    ["edit", "D1", "--set", "amount=999999999999.995"],
    ["convert", "L1", "--amount", "999999999999.999"],
], ids=["add-deal", "edit", "convert"])
def test_an_amount_that_would_round_past_the_limit_is_bad_input(records, command):
    refused(records(*command))
    assert stored(records) == UNCHANGED
    records.json("edit", "D1", "--set", "amount=999999999999.99")  # the largest amount in cents is stored
    assert stored(records)[2] == ["999999999999.99"]


@pytest.mark.parametrize("amount", ["0.001", "1.500", "12.345"])
def test_an_amount_with_more_than_two_decimals_is_refused_not_rounded(records, amount):
    line = refused(records("add", "deal", "--company", "C1", "--pipeline", "sales", "--name", "Tiny",
                           "--amount", amount))
    assert line == f"crmctl: error: amount {amount!r} has more than two decimals (amounts are kept in cents)"
    assert refused(records("edit", "D1", "--set", f"amount={amount}")) == line
    assert stored(records) == UNCHANGED
