"""Streaming writers for export and for the rejects workbook: .xls (xlwt), .xlsx (openpyxl, write-only) and CSV.

Each takes the header and an iterator of rows and writes them as they come, so
exporting a million leads needs no more memory than exporting ten (an .xls
is the exception: xlwt keeps the workbook's compact BIFF records until it saves).
Every text cell goes through `crmctl.transfer.cells.inert`, so a value such as
`=HYPERLINK(...)` or `+48 601 234 567` is shown, never run; import removes the
guard again. A file is written beside its name and moved over it at the end
(`crmctl.files.replace_when_written`), so a failure never leaves half a file.
"""
import csv
import datetime
import os
import re

from crmctl.errors import BadInput, quoted
from crmctl.files import file_to_replace, replace_when_written, require_file_name
from crmctl.transfer.cells import FORMULA_PREFIXES, INERT_GUARD, inert, number_text

# Data rows a sheet holds below its header row; more continue on "Leads 2", "Leads 3" ...
XLS_ROWS_PER_SHEET = 65_535
XLSX_ROWS_PER_SHEET = 1_048_575
XLS_CELL_CHARACTERS = 32_767
XLS_FLUSH_EVERY = 1_000
LIST_SEPARATOR = "; "  # how several emails or phones share a cell; `cells.emails_of`/`phones_of` split on it
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def write_rows(path, header, rows, sheet_name="Leads"):
    """Write `header` and `rows` to `path` in the format its extension names; returns the number of data rows."""
    return writer_for(path)(path, header, rows, sheet_name)


def writer_for(path, what=None):
    """The writer of `path`'s extension, its target checked before a row is read (a device, fifo or folder is
    refused); `what` names the file in the refusal ("the rejects to FILE")."""
    writers = {".xls": write_xls, ".xlsx": write_xlsx, ".csv": write_csv}
    writer = writers.get(os.path.splitext(require_file_name(path))[1].lower())
    if writer is None:
        raise BadInput(f"cannot write {what or path}: name it FILE.xls, FILE.xlsx or FILE.csv")
    file_to_replace(str(path))
    return writer


def check_rejects_target(rejects, source):
    """Refuse, before anything is read or written, an `import run --rejects` file that could not be written later.

    The rejects are written once the batch is committed, so a folder that is
    not there must stop the import first, not after it landed; and the file
    being imported (`source`) is never overwritten by its own rejected rows.
    """
    writer_for(rejects, f"the rejects to {rejects}")
    folder = os.path.dirname(os.path.abspath(str(rejects)))
    if not os.path.isdir(folder):
        raise BadInput(f"cannot write the rejects to {rejects}: the folder {folder} does not exist")
    try:
        same = os.path.exists(str(rejects)) and os.path.samefile(str(rejects), str(source))
    except OSError:
        same = False
    if same:
        raise BadInput(f"--rejects {rejects} is the file being imported: name another file")


def sheet_names(first, count):
    """The names of `count` sheets of one table: Leads, Leads 2, Leads 3 ..."""
    return [first if number == 1 else f"{first} {number}" for number in range(1, count + 1)]


def text_cell(value):
    """A value as export writes it into a text cell: lists joined, text made inert."""
    if isinstance(value, (list, tuple)):
        value = LIST_SEPARATOR.join("" if item is None else str(item) for item in value)
    if isinstance(value, str):
        return inert(value)
    return value


def write_xls(path, header, rows, sheet_name="Leads"):
    """An .xls workbook; past 65,535 data rows the table continues on further sheets, each with the header."""
    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    bold = xlwt.easyxf("font: bold on")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    datetime_style = xlwt.easyxf(num_format_str="YYYY-MM-DD HH:MM:SS")
    sheet = None
    sheet_row = XLS_ROWS_PER_SHEET
    sheets = 0
    count = 0
    for count, row in enumerate(rows, start=1):
        if sheet_row == XLS_ROWS_PER_SHEET:
            sheets += 1
            if sheet is not None:
                sheet.flush_row_data()
            sheet = workbook.add_sheet(sheet_names(sheet_name, sheets)[-1])
            for column, name in enumerate(header):
                sheet.write(0, column, name, bold)
            sheet_row = 0
        sheet_row += 1
        for column, value in enumerate(row):
            value = text_cell(value)
            if value is None:
                continue
            if isinstance(value, datetime.datetime):
                sheet.write(sheet_row, column, value, datetime_style)
            elif isinstance(value, datetime.date):
                sheet.write(sheet_row, column, value, date_style)
            else:
                if isinstance(value, str) and len(value) > XLS_CELL_CHARACTERS:
                    raise BadInput(f"row {count}, column {quoted(header[column])} holds more than "
                                   f"{XLS_CELL_CHARACTERS:,} characters, more than an .xls cell can: "
                                   f"export to .xlsx or .csv")
                sheet.write(sheet_row, column, value)
        if sheet_row % XLS_FLUSH_EVERY == 0:
            sheet.flush_row_data()
    if sheet is None:
        sheet = workbook.add_sheet(sheet_name)
        for column, name in enumerate(header):
            sheet.write(0, column, name, bold)
    replace_when_written(path, ".xls", workbook.save)
    return count


def write_xlsx(path, header, rows, sheet_name="Leads"):
    """An .xlsx workbook written row by row (openpyxl write-only, strings inline); past 1,048,575 rows, more sheets."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = None
    sheet_row = XLSX_ROWS_PER_SHEET
    sheets = []
    count = 0
    try:
        for count, row in enumerate(rows, start=1):
            if sheet_row == XLSX_ROWS_PER_SHEET:
                sheet = workbook.create_sheet(sheet_names(sheet_name, len(sheets) + 1)[-1])
                sheets.append(sheet)
                sheet.append(list(header))
                sheet_row = 0
            sheet_row += 1
            sheet.append([_xlsx_value(value) for value in row])
    except BaseException:
        _discard_xlsx_sheets(sheets)
        raise
    if sheet is None:
        workbook.create_sheet(sheet_name).append(list(header))
    replace_when_written(path, ".xlsx", workbook.save)
    return count


def _discard_xlsx_sheets(sheets):
    """Close and remove the temporary files of a write-only workbook that will not be saved."""
    for sheet in sheets:
        try:
            sheet.close()
            sheet._writer.cleanup()
        except Exception:  # already gone: nothing left to tidy
            pass


def _xlsx_value(value):
    value = text_cell(value)
    if isinstance(value, str):
        return _ILLEGAL_XML.sub("", value)  # control characters cannot be stored in the file's XML
    return value


def write_csv(path, header, rows, sheet_name=None):
    """CSV in UTF-8 with a byte-order mark, comma-separated, CRLF line ends: what Excel opens with accents intact.

    Without the BOM Excel reads UTF-8 as the local code page (Łódź becomes ÅÃ³dÅº);
    a `sep=` hint line would make it ignore the BOM, so there is none.
    """
    count = 0

    def write(temporary):
        nonlocal count
        with open(temporary, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            for count, row in enumerate(rows, start=1):
                writer.writerow([csv_text(value) for value in row])

    replace_when_written(path, ".csv", write)
    return count


def csv_text(value):
    """A value as CSV text: dates in ISO 8601, numbers as their digits, text inert."""
    if value.__class__ is str:  # most cells: the short way
        return INERT_GUARD + value if value.startswith(FORMULA_PREFIXES) else value
    value = text_cell(value)
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (bool, int, float)):
        return number_text(value)
    return value
