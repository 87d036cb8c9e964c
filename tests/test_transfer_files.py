"""SPEC §6 and §6.1, the file side of import and export: real spreadsheets in, real spreadsheets out.

Every file here is written by xlwt, openpyxl or the csv module into tmp_path and
read back by crmctl.transfer, as a user's file would be. No database is involved.
"""
import datetime
import os
import re
import zipfile

import openpyxl
import pytest
import xlrd
import xlwt

from crmctl.errors import BadInput
from crmctl.transfer import cells
from crmctl.transfer.cells import clean_cell, date_of, inert, phones_of, text_of, uninert, whole_of
from crmctl.transfer.headers import match_headers
from crmctl.transfer.reading import open_table
from crmctl.transfer.template import COLUMN_NAMES, COLUMNS_BY_NAME, write_template
from crmctl.transfer.writing import write_rows

EXAMPLE_WORKBOOK = os.path.join(os.path.dirname(cells.__file__), "example_leads.xls")


def write_xls(path, sheets, dates_1904=False, merges=()):
    """An .xls of {sheet name: rows}; a sheet name starting with '~' is hidden; dates get a date format."""
    book = xlwt.Workbook(encoding="utf-8")
    book.dates_1904 = dates_1904
    date_style = xlwt.easyxf(num_format_str="DD.MM.YYYY")
    for name, rows in sheets.items():
        sheet = book.add_sheet(name.lstrip("~"))
        if name.startswith("~"):
            sheet.visibility = 1
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, datetime.date):
                    sheet.write(r, c, value, date_style)
                else:
                    sheet.write(r, c, value)
    for first_col, last_col, value in merges:
        book.get_sheet(0).write_merge(0, 0, first_col, last_col, value)
    book.save(str(path))
    return path


def write_xlsx(path, sheets, epoch_1904=False):
    book = openpyxl.Workbook()
    book.remove(book.active)
    if epoch_1904:
        from openpyxl.utils.datetime import CALENDAR_MAC_1904

        book.epoch = CALENDAR_MAC_1904
    for name, rows in sheets.items():
        sheet = book.create_sheet(name.lstrip("~"))
        if name.startswith("~"):
            sheet.sheet_state = "hidden"
        for row in rows:
            sheet.append(list(row))
    book.save(str(path))
    return path


def read_all(path, sheet=None):
    with open_table(path, sheet=sheet) as table:
        return table.header, list(table.rows)


def refusal(path, **options):
    with pytest.raises(BadInput) as raised:
        with open_table(path, **options) as table:
            list(table.rows)
    message = raised.value.message
    assert "\n" not in message
    return message


# --------------------------------------------------------------------------
# What real spreadsheets contain
# --------------------------------------------------------------------------


def test_numbers_stored_as_floats_come_out_as_whole_numbers_and_digits(tmp_path):
    path = write_xls(tmp_path / "leads.xls", {"Leads": [("Employees", "Phone"), (250.0, 48601234567.0)]})
    header, rows = read_all(path)
    employees, phone = rows[0][1]
    assert whole_of(employees) == 250
    assert phones_of(phone) == ["48601234567"]
    assert text_of(4.8601234567e20) == "486012345670000000000"  # an id-like number never in scientific notation
    assert whole_of("1 200") == 1200 and whole_of("250.0") == 250


@pytest.mark.parametrize("dates_1904", [False, True])
def test_date_cells_of_an_xls_use_the_workbooks_datemode(tmp_path, dates_1904):
    path = write_xls(tmp_path / "dates.xls", {"Leads": [("Follow Up On",), (datetime.date(2026, 3, 5),)]},
                     dates_1904=dates_1904)
    assert xlrd.open_workbook(str(path)).datemode == int(dates_1904)
    with open_table(path) as table:
        assert table.datemode == int(dates_1904)
        assert [values for _, values in table.rows] == [[datetime.date(2026, 3, 5)]]


@pytest.mark.parametrize("datemode, serial", [(0, 46086), (1, 44624)])
def test_a_date_stored_as_a_plain_number_is_a_serial_of_the_datemode(datemode, serial):
    assert date_of(serial, "Follow Up On", datemode) == datetime.date(2026, 3, 5)
    assert date_of(float(serial) + 0.5, "Follow Up On", datemode) == datetime.date(2026, 3, 5)


def test_xlsx_dates_of_the_1904_system_are_read_right(tmp_path):
    path = write_xlsx(tmp_path / "mac.xlsx", {"Leads": [("Follow Up On",), (datetime.datetime(2026, 3, 5),)]},
                      epoch_1904=True)
    with open_table(path) as table:
        assert table.datemode == 1
        assert [values for _, values in table.rows] == [[datetime.date(2026, 3, 5)]]


@pytest.mark.parametrize("text", ["2026-03-05", "05.03.2026", "05/03/2026", "5-3-2026", "5.3.2026 14:30",
                                  "2026/03/05", "2026-03-05T09:00:00Z"])
def test_dates_typed_as_text_in_iso_and_day_first_forms(text):
    assert date_of(text, "Follow Up On") == datetime.date(2026, 3, 5)


@pytest.mark.parametrize("text", ["31.02.2026", "next week", "2026-13-01"])
def test_a_text_that_is_no_date_is_refused_naming_the_column(text):
    with pytest.raises(BadInput, match="^Follow Up On .* not a date"):
        date_of(text, "Follow Up On")


def test_stray_and_non_breaking_spaces_are_cleaned(tmp_path):
    path = tmp_path / "spaces.csv"
    path.write_text("Company Name,Lead Name\n\u00a0 Acme\u00a0Robotics  ,\u200bAnna   Nowak \n", encoding="utf-8")
    _, rows = read_all(path)
    column = COLUMNS_BY_NAME["Company Name"]
    assert [clean_cell(column, value) for value in rows[0][1]] == ["Acme Robotics", "Anna Nowak"]
    assert text_of(" \u00a0 ") is None


def test_empty_rows_in_the_middle_are_skipped_and_rows_keep_their_spreadsheet_numbers(tmp_path):
    path = write_xlsx(tmp_path / "gaps.xlsx", {"Leads": [
        (None,), ("Company Name", "Website", None, None), ("Acme", "acme.pl"), (None, None), ("  ", "\u00a0"),
        ("Nordic", "nordic.se", None, None, None)]})
    header, rows = read_all(path)
    assert header == ["Company Name", "Website"]  # trailing empty columns dropped
    assert rows == [(3, ["Acme", "acme.pl"]), (6, ["Nordic", "nordic.se"])]


def test_a_value_beyond_the_last_header_is_kept_for_the_caller_to_refuse(tmp_path):
    path = tmp_path / "extra.csv"
    path.write_text("Company Name,Website\nAcme,acme.pl,surprise\n", encoding="utf-8")
    assert read_all(path)[1] == [(2, ["Acme", "acme.pl", "surprise"])]


def test_hidden_sheets_are_skipped_unless_named(tmp_path):
    sheets = {"~Lookup": [("Code",), ("PL",)], "Leads": [("Company Name",), ("Acme",)]}
    for path in (write_xls(tmp_path / "hidden.xls", sheets), write_xlsx(tmp_path / "hidden.xlsx", sheets)):
        with open_table(path) as table:
            assert table.sheet == "Leads"
        with open_table(path, sheet="Lookup") as table:
            assert table.header == ["Code"]


def test_several_sheets_and_sheet_by_name(tmp_path):
    sheets = {"Notes": [("Read me",), ("This file has leads",)], "Leads": [("Company Name",), ("Acme",)]}
    for path in (write_xls(tmp_path / "two.xls", sheets), write_xlsx(tmp_path / "two.xlsx", sheets)):
        assert read_all(path)[0] == ["Read me"]  # the first visible sheet by default
        assert read_all(path, sheet="Leads") == (["Company Name"], [(2, ["Acme"])])
        assert read_all(path, sheet=" leads ")[0] == ["Company Name"]
        assert refusal(path, sheet="Contacts") == f"{path} has no sheet 'Contacts' (its sheets: Notes, Leads)"


def test_merged_header_cells_fill_their_column_from_every_merged_column(tmp_path):
    xls = write_xls(tmp_path / "merged.xls", {"Leads": [
        ("Company", None, None, "Email"), ("Acme", "601 234 567", "48 22 123 45 67", "a@acme.pl")]},
        merges=[(1, 2, "Phone")])
    book = openpyxl.Workbook()
    book.active.append(["Company", "Phone", None, "Email"])
    book.active.merge_cells("B1:C1")
    book.active.append(["Acme", "601 234 567", "48 22 123 45 67", "a@acme.pl"])
    xlsx = tmp_path / "merged.xlsx"
    book.save(xlsx)
    for path in (xls, xlsx):
        with open_table(path) as table:
            columns = [column.name for column in match_headers(table.header)]
        assert columns == ["Company Name", "Phone", "Phone", "Email"]


def test_a_formula_gives_its_cached_value_in_an_xlsx(tmp_path):
    path = tmp_path / "formula.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Company Name", "Employees"])
    book.active.append(["Acme", "=100+150"])
    book.save(path)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    members["xl/worksheets/sheet1.xml"] = re.sub(r"<f>100\+150</f>(<v\s*/>|<v></v>)?", "<f>100+150</f><v>250</v>",
                                                 sheet).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    assert read_all(path)[1] == [(2, ["Acme", 250])]


# --------------------------------------------------------------------------
# Bad files: one clear line each, never a traceback
# --------------------------------------------------------------------------


def xlsx_bytes(tmp_path):
    return write_xlsx(tmp_path / "good.xlsx", {"Leads": [("Company Name",), ("Acme",)] * 50}).read_bytes()


def xls_bytes(tmp_path):
    return write_xls(tmp_path / "good.xls", {"Leads": [("Company Name",), ("Acme",)] * 50}).read_bytes()


BAD_FILES = [
    ("empty.csv", lambda tmp: b"", r"is empty \(0 bytes\)"),
    ("random.xlsx", lambda tmp: bytes(range(256)) * 40, "is binary data, not a spreadsheet"),
    ("broken.xlsx", lambda tmp: b"PK\x03\x04" + b"\x00garbage" * 100, "is a damaged zip file"),
    ("truncated.xlsx", lambda tmp: xlsx_bytes(tmp)[:2000], "is a damaged zip file"),
    ("truncated.xls", lambda tmp: xls_bytes(tmp)[:2500], "is a damaged or truncated .xls workbook"),
    ("blank.csv", lambda tmp: b"\r\n ;; \r\n\r\n", "has no header row"),
    ("header_only.csv", lambda tmp: b"Company Name;Website\r\n\r\n", r"has a header row \(row 1\) but no data rows"),
    ("leads.pdf", lambda tmp: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "is a PDF document, not a spreadsheet"),
    ("leads.json", lambda tmp: b'[{"company": "Acme"}]', r"unsupported file type '.json'"),
    ("page.xls", lambda tmp: b"<!DOCTYPE html><html><table><tr><td>Acme</td></tr></table></html>", "is an HTML page"),
    ("crm.xls", lambda tmp: b"SQLite format 3\x00" + b"\x00" * 100, "is a SQLite database, not a spreadsheet"),
    ("archive.xlsx", lambda tmp: zip_of({"readme.txt": "hello"}), "is a zip archive without a workbook"),
    ("sheet.xlsx", lambda tmp: zip_of({"mimetype": "application/vnd.oasis.opendocument.spreadsheet"}),
     r"OpenDocument spreadsheet \(.ods\)"),
]


def zip_of(members):
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@pytest.mark.parametrize("name, content, expected", BAD_FILES, ids=[name for name, _, _ in BAD_FILES])
def test_a_bad_file_is_refused_with_one_line(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content(tmp_path))
    assert re.search(expected, refusal(path))


def test_a_missing_file_and_a_folder_are_refused(tmp_path):
    assert refusal(tmp_path / "nope.xlsx") == f"no such file: {tmp_path / 'nope.xlsx'}"
    assert refusal(tmp_path) == f"{tmp_path} is a folder, not a file"


def test_a_200_mb_file_of_one_line_is_refused_without_reading_it_into_memory(tmp_path):
    import resource

    path = tmp_path / "one_line.csv"
    chunk = b"Acme;acme.pl;" * 80_000
    with open(path, "wb") as handle:
        for _ in range(200 * 1024 * 1024 // len(chunk) + 1):
            handle.write(chunk)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert "has no line break in its first 1 MB" in refusal(path)
    second = tmp_path / "header_then_one_line.csv"
    with open(second, "wb") as handle:
        handle.write(b"Company Name;Website\n")
        handle.write(chunk * 5)
    assert "line 2 is longer than 1,000,000 characters" in refusal(second)
    path.unlink()
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50 * 1024  # KB: well under the file


def test_a_sheet_without_a_header_row_is_refused_by_header_matching(tmp_path):
    path = tmp_path / "no_header.csv"
    path.write_text("Acme Robotics,acme.pl,120\nNordic Freight,nordicfreight.se,800\n", encoding="utf-8")
    with open_table(path) as table, pytest.raises(BadInput, match="^the first row is not a header row"):
        match_headers(table.header, ignore_unknown=True)


def test_csv_has_no_sheets(tmp_path):
    path = tmp_path / "leads.csv"
    path.write_text("Company Name\nAcme\n", encoding="utf-8")
    assert refusal(path, sheet="Leads") == f"{path} is CSV text, which has no sheets: leave out --sheet"


# --------------------------------------------------------------------------
# A file is read by what its bytes are
# --------------------------------------------------------------------------


def test_a_name_that_lies_is_read_by_the_bytes(tmp_path):
    rows = [("Company Name", "Employees"), ("Acme", 250)]
    xlsx_named_xls = write_xlsx(tmp_path / "really.xlsx", {"Leads": rows}).rename(tmp_path / "really_xlsx.xls")
    xls_named_xlsx = write_xls(tmp_path / "really.xls", {"Leads": rows}).rename(tmp_path / "really_xls.xlsx")
    csv_named_xlsx = tmp_path / "really_csv.xlsx"
    csv_named_xlsx.write_text("Company Name;Employees\nAcme;250\n", encoding="utf-8")
    for path, kind, employees in ((xlsx_named_xls, "xlsx", 250), (xls_named_xlsx, "xls", 250),
                                  (csv_named_xlsx, "csv", "250")):
        with open_table(path) as table:
            assert (table.kind, table.header, list(table.rows)) == (kind, ["Company Name", "Employees"],
                                                                  [(2, ["Acme", employees])])
    pdf_named_xls = tmp_path / "report.xls"
    pdf_named_xls.write_bytes(b"%PDF-1.4\n")
    assert refusal(pdf_named_xls) == f"{pdf_named_xls} is a PDF document, not a spreadsheet " \
                                     f"(crmctl imports .xls, .xlsx and .csv)"


# --------------------------------------------------------------------------
# CSV: encodings and delimiters
# --------------------------------------------------------------------------


@pytest.mark.parametrize("encoding, text", [
    ("utf-8", "Firma;Miasto\nZakład Łódź;Gdańsk\n"),
    ("utf-8-sig", "Firma;Miasto\nZakład Łódź;Gdańsk\n"),
    ("cp1250", "Firma;Miasto\nZakład Łódź;Gdańsk\nŻabka Świętokrzyska;Kraków\n"),
    ("cp1250", "Firma;Město\nDvořák Strojírny;Plzeň\n"),
    ("cp1252", "Firma;Stadt\nMüller Straße GmbH;Köln\nSociété Générale Crème;Orléans\n"),
    ("cp1252", "Företag;Stad\nVästerås Möbler AB;Göteborg\nFjord Bygg ApS;København\n"),
    ("cp1252", "Empresa;Ciudad\nPeña Construcción S.L.;A Coruña\nÀ la Carte;Besançon\n"),
    ("utf-16", "Firma\tStadt\nMüller GmbH\tKöln\n"),
])
def test_csv_encodings(tmp_path, encoding, text):
    path = tmp_path / "leads.csv"
    path.write_bytes(text.encode(encoding))
    header, rows = read_all(path)
    expected = [line.split(";" if ";" in text else "\t") for line in text.splitlines()]
    assert [header] + [values for _, values in rows] == expected


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_csv_delimiters_are_detected(tmp_path, delimiter):
    path = tmp_path / "leads.csv"
    lines = [["Company Name", "Website", "Employees"], ["Acme, Inc.", "acme.com", "1,200"], ["Nordic", "nordic.se", ""]]
    import csv

    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(lines)
    header, rows = read_all(path)
    assert header == lines[0]
    assert rows == [(2, ["Acme, Inc.", "acme.com", "1,200"]), (3, ["Nordic", "nordic.se", None])]


def test_excels_sep_line_names_the_delimiter_and_is_no_row(tmp_path):
    path = tmp_path / "leads.csv"
    path.write_text("sep=;\nCompany Name;Website\nAcme, Inc.;acme.com\n", encoding="utf-8")
    assert read_all(path) == (["Company Name", "Website"], [(2, ["Acme, Inc.", "acme.com"])])


# --------------------------------------------------------------------------
# Headers
# --------------------------------------------------------------------------


def names(columns):
    return [None if column is None else column.name for column in columns]


def test_headers_match_ignoring_case_spacing_punctuation_and_accents_with_synonyms():
    headers = ["FIRMA", "Website URL", "LinkedIn firmy", "liczba pracowników", "Branża", "kraj", "Miasto",
               "Imię i nazwisko", "Stanowisko", "E-Mail", "Telefon", "Telefon 2", "Lead-Status", "Wiedervorlage",
               "Kampania", "Źródło"]
    assert names(match_headers(headers)) == [
        "Company Name", "Website", "Company LinkedIn", "Employees", "Industry", "Country", "City", "Lead Name",
        "Position", "Email", "Phone", "Phone", "Status", "Follow Up On", "Campaign", "Source"]
    assert names(match_headers(COLUMN_NAMES)) == list(COLUMN_NAMES)
    assert names(match_headers([name.upper().replace(" ", "_") for name in COLUMN_NAMES])) == list(COLUMN_NAMES)


def test_name_and_linkedin_url_mean_the_lead_in_a_file_about_people_and_the_company_otherwise():
    assert names(match_headers(["Company", "Name", "LinkedIn URL", "Email"])) == [
        "Company Name", "Lead Name", "Lead LinkedIn", "Email"]
    assert names(match_headers(["Name", "Website", "LinkedIn URL", "Employees"])) == [
        "Company Name", "Website", "Company LinkedIn", "Employees"]


def test_map_overrides_matching_and_can_leave_a_column_out():
    headers = ["Firma Nazwa", "Notatki", "Company"]
    assert names(match_headers(headers, ["Firma Nazwa=company name", "Notatki=", "Company="])) == [
        "Company Name", None, None]
    assert names(match_headers(["Firma Nazwa", "Notatki"], {"firma nazwa": "Company Name"}, ignore_unknown=True)) == [
        "Company Name", None]


def test_an_unknown_header_is_refused_with_the_nearest_template_column():
    with pytest.raises(BadInput) as raised:
        match_headers(["Company Name", "Emial Adress", "Notes"])
    assert raised.value.message == (
        "unknown header 'Emial Adress' in column B; nearest template column: Email (and 1 more unknown); "
        "use --map \"Emial Adress=Email\", or --ignore-unknown")
    assert names(match_headers(["Company Name", "Emial Adress"], ignore_unknown=True)) == ["Company Name", None]


def test_two_headers_for_one_column_are_refused_unless_the_column_holds_several_values():
    with pytest.raises(BadInput, match=r"^headers 'Company' \(column A\) and 'Firma' \(column C\) both fill Company Name"):
        match_headers(["Company", "Website", "Firma"])
    assert names(match_headers(["Email", "Work Email", "Mobile", "Phone"])) == ["Email", "Email", "Phone", "Phone"]


def test_bad_map_entries_are_refused():
    with pytest.raises(BadInput, match="is not HEADER=TEMPLATE COLUMN"):
        match_headers(["Company"], ["Company"])
    with pytest.raises(BadInput, match="^unknown template column 'Compnay'; nearest: Company Name"):
        match_headers(["Company"], ["Company=Compnay"])
    with pytest.raises(BadInput, match="^--map names a header the file does not have"):
        match_headers(["Company"], ["Firma=Company Name"])


# --------------------------------------------------------------------------
# Export: inert cells, formats, sheets
# --------------------------------------------------------------------------


DANGEROUS = ["=HYPERLINK(\"http://x\")", "+48 601 234 567", "-2+3", "@SUM(A1)", "\tTab", "\rReturn", "'s-Hertogenbosch",
             "plain"]


def test_inert_and_uninert_are_exact_inverses():
    assert [inert(text) for text in DANGEROUS] == [
        "'=HYPERLINK(\"http://x\")", "'+48 601 234 567", "'-2+3", "'@SUM(A1)", "'\tTab", "'\rReturn",
        "'s-Hertogenbosch", "plain"]
    assert [uninert(inert(text)) for text in DANGEROUS] == DANGEROUS
    assert uninert("'s-Hertogenbosch") == "'s-Hertogenbosch"


@pytest.mark.parametrize("extension", ["csv", "xls", "xlsx"])
def test_an_export_is_inert_and_imports_back_unchanged(tmp_path, extension):
    path = tmp_path / f"export.{extension}"
    rows = [[text, 250, datetime.date(2026, 3, 5), ["a@acme.pl", "b@acme.pl"]] for text in DANGEROUS]
    assert write_rows(path, ["Source", "Employees", "Follow Up On", "Email"], iter(rows)) == len(rows)
    header, read = read_all(path)
    assert [values[0] for _, values in read][:2] == ["'=HYPERLINK(\"http://x\")", "'+48 601 234 567"]
    columns = match_headers(header)
    cleaned = [[clean_cell(column, value) for column, value in zip(columns, values)] for _, values in read]
    assert cleaned == [[" ".join(text.split()), 250, datetime.date(2026, 3, 5), ["a@acme.pl", "b@acme.pl"]]
                       for text in DANGEROUS]


def test_a_csv_export_starts_with_a_utf8_bom(tmp_path):
    path = tmp_path / "export.csv"
    write_rows(path, ["City"], iter([["Łódź"]]))
    assert path.read_bytes() == "\ufeffCity\r\nŁódź\r\n".encode("utf-8")


def test_more_than_65535_rows_continue_on_further_xls_sheets(tmp_path):
    path = tmp_path / "big.xls"
    assert write_rows(path, ["Lead Name", "Connections"], ([f"Lead {n}", n] for n in range(65_540))) == 65_540
    book = xlrd.open_workbook(str(path), on_demand=True)
    assert book.sheet_names() == ["Leads", "Leads 2"]
    assert book.sheet_by_name("Leads").nrows == 65_536
    second = read_all(path, sheet="Leads 2")
    assert second == (["Lead Name", "Connections"], [(n - 65_533, [f"Lead {n}", n]) for n in range(65_535, 65_540)])


def test_an_export_that_fails_leaves_no_file(tmp_path):
    def rows():
        yield ["Acme"]
        raise RuntimeError("the database went away")

    folder = tmp_path / "exports"
    folder.mkdir()
    for extension in ("csv", "xls", "xlsx"):
        path = folder / f"export.{extension}"
        with pytest.raises(RuntimeError):
            write_rows(path, ["Company Name"], rows())
        assert os.listdir(folder) == []
    with pytest.raises(BadInput, match="name it FILE.xls, FILE.xlsx or FILE.csv"):
        write_rows(tmp_path / "export.ods", ["Company Name"], iter([]))


# --------------------------------------------------------------------------
# The template and the example workbook
# --------------------------------------------------------------------------


def test_the_template_workbook_has_the_leads_sheet_and_explains_each_column(tmp_path):
    path = tmp_path / "template.xls"
    write_template(path)
    book = xlrd.open_workbook(str(path))
    assert book.sheet_names() == ["Leads", "Columns", "Countries"]
    header, rows = read_all(path)
    assert header == list(COLUMN_NAMES)
    assert len(rows) == 2 and rows[1][1][COLUMN_NAMES.index("Follow Up On")] == datetime.date(2026, 12, 14)
    explained = {row[0]: row for _, row in read_all(path, sheet="Columns")[1]}
    assert list(explained) == list(COLUMN_NAMES)
    assert "Sent Request, Connected, Interested, Not Interested, Ignoring, Follow Up, Event, Call" in explained["Status"][3]
    assert "100 or more" in explained["Connections"][3]
    assert "ISO 3166 alpha-2" in explained["Country"][3]
    assert ["yes" if explained[name][1] == "yes" else "no" for name in ("Company Name", "Subindustry")] == ["yes", "no"]
    assert ["PL", "Poland"] in [values for _, values in read_all(path, sheet="Countries")[1]]
    with pytest.raises(BadInput, match="the template is an .xls workbook"):
        write_template(tmp_path / "template.xlsx")


def test_the_shipped_example_workbook_shows_folding_and_passes_every_rule():
    with open_table(EXAMPLE_WORKBOOK) as table:
        columns = match_headers(table.header)
        rows = [{column.name: clean_cell(column, value, table.datemode) for column, value in zip(columns, values)}
                for _, values in table.rows]
    assert names(columns) == list(COLUMN_NAMES)
    assert 28 <= len(rows) <= 32 and len({row["Country"] for row in rows}) >= 6
    emails = [row["Email"][0] for row in rows]
    assert len(emails) - len(set(emails)) == 2  # two people come twice, from a later campaign
    assert len({row["Website"] for row in rows}) > len({row["Company LinkedIn"].split("/company/")[1].strip("/")
                                                        for row in rows})  # a company's website in several forms
    assert all(row["Connections"] >= 100 for row in rows)  # no rejected row: the README's first command exits 0
    assert (rows[0]["Company Name"], rows[0]["Lead Name"], rows[1]["Company Name"]) == (
        "Acme Robotics Sp. z o.o.", "Anna Nowak", "Nordic Freight AB")  # the README tour's C1, L1 and C2
    assert all(row["Follow Up On"] for row in rows if row["Status"] in ("Follow Up", "Event"))


def test_a_row_is_cleaned_by_column_with_every_problem_named():
    columns = match_headers(["Lead Name", None, "Employees", "Email", "Phone", None, "Follow Up On"])
    values = ["Anna", "Nowak", 250.0, "anna@acme.pl; a.nowak@acme.pl", 48601234567.0, "22 123 45 67", "31.02.2026",
              None, "stray"]
    cleaned, problems = cells.clean_row(columns, values)
    assert cleaned == {"Lead Name": "Anna Nowak", "Employees": 250, "Email": ["anna@acme.pl", "a.nowak@acme.pl"],
                       "Phone": ["48601234567", "22 123 45 67"]}
    assert problems == [("Follow Up On", "Follow Up On '31.02.2026' is not a date on the calendar"),
                        (None, "column I holds 'stray' but has no header")]


def test_an_unlabelled_column_beside_city_is_not_glued_onto_it_but_reported():
    header = ["Company Name", "City", None, "Source", None]
    columns = match_headers(header)
    assert names(columns) == ["Company Name", "City", None, "Source", None]
    cleaned, problems = cells.clean_row(columns, ["Acme", "Gdańsk", "call after 5", "Fair", None], header=header)
    assert cleaned == {"Company Name": "Acme", "City": "Gdańsk", "Source": "Fair"}
    assert problems == [(None, "column C holds 'call after 5' but has no header")]
