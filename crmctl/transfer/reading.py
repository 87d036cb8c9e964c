"""Spreadsheets read as a header row and a stream of rows: .xls (xlrd), .xlsx (openpyxl, read-only) and CSV text.

A file is read by what its bytes are, whatever its name says: an .xlsx saved as
.xls imports, and a PDF or an HTML page called .xls is refused saying what it
is. Rows stream, so memory does not grow with the row count (an .xls sheet is
the exception: xlrd holds one sheet at a time). Every way a file can be
unreadable is `BadInput` with one line; nothing here touches the database.
"""
import codecs
import itertools
import os
import stat
import warnings
import zipfile
from dataclasses import dataclass, field

from crmctl.errors import BadInput, quoted
from crmctl.transfer.cells import is_blank, is_blank_row, text_of
from crmctl.transfer.csv_text import CHUNK_BYTES, MAX_LINE_CHARS, csv_rows

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
TEXT_EXTENSIONS = ("", ".csv", ".tsv", ".txt", ".xls", ".xlsx", ".xlsm")
OTHER_FORMATS = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"SQLite format 3\x00", "a SQLite database"),
    (b"{\\rtf", "an RTF document"),
)


@dataclass
class Table:
    """One sheet (or CSV file) opened for reading: `rows` yields (row number as the spreadsheet shows it, values).

    `header` keeps the header row's cells as text (None for an empty cell) up
    to its last non-empty one; each row's values are padded to that width, and
    a row keeps any non-empty value beyond it so the caller can refuse it.
    `datemode` is what `crmctl.transfer.cells.date_of` needs for a date stored as a plain number.
    """

    path: str
    kind: str
    sheet: str | None
    header: list
    header_row: int
    rows: object
    datemode: int = 0
    encoding: str | None = None
    delimiter: str | None = None
    closers: list = field(default_factory=list)

    def close(self):
        for closer in reversed(self.closers):
            closer()
        self.closers.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def open_table(path, sheet=None):
    """The header row and the data rows of `path` (`sheet`: a sheet's name; by default the first visible sheet)."""
    path = os.fspath(path)
    kind = file_kind(path)
    if kind == "csv":
        if sheet is not None:
            raise BadInput(f"{path} is CSV text, which has no sheets: leave out --sheet")
        raw_rows, details, closers = csv_rows(path)
    elif kind == "xls":
        raw_rows, details, closers = _xls_rows(path, sheet)
    else:
        raw_rows, details, closers = _xlsx_rows(path, sheet)
    table = Table(path=path, kind=kind, header=[], header_row=0, rows=iter(()), closers=closers, **details)
    try:
        _attach_rows(table, _guarded(raw_rows, path, kind))
    except BaseException:
        table.close()
        raise
    return table


def file_kind(path):
    """"xls", "xlsx" or "csv" by the file's first bytes; BadInput saying what the file is when it is none of them."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise BadInput(f"no such file: {path}") from None
    except OSError as error:
        raise BadInput(f"cannot read {path}: {error.strerror or error}") from None
    if stat.S_ISDIR(info.st_mode):
        raise BadInput(f"{path} is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise BadInput(f"{path} is not a regular file")
    if info.st_size == 0:
        raise BadInput(f"{path} is empty (0 bytes)")
    try:
        with open(path, "rb") as handle:
            head = handle.read(CHUNK_BYTES)
    except OSError as error:
        raise BadInput(f"cannot read {path}: {error.strerror or error}") from None
    if head.startswith(OLE2_MAGIC):
        return "xls"
    if head.startswith(ZIP_MAGICS):
        return _zip_kind(path)
    for magic, what in OTHER_FORMATS:
        if head.startswith(magic):
            raise BadInput(f"{path} is {what}, not a spreadsheet (crmctl imports .xls, .xlsx and .csv)")
    _check_text(path, head, info.st_size)
    return "csv"


def _zip_kind(path):
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise BadInput(f"{path} is a damaged zip file (a truncated or broken .xlsx?): it cannot be opened") from None
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        raise BadInput(f"{path} is an Excel binary workbook (.xlsb): save it as .xlsx, .xls or .csv")
    if b"opendocument.spreadsheet" in mimetype:
        raise BadInput(f"{path} is an OpenDocument spreadsheet (.ods): save it as .xlsx, .xls or .csv")
    if any(name.startswith("word/") for name in names):
        raise BadInput(f"{path} is a Word document (.docx), not a spreadsheet")
    raise BadInput(f"{path} is a zip archive without a workbook in it, not a spreadsheet")


def _check_text(path, head, size):
    """Refuse binary data, HTML and XML pages, text under a name that is not a table's, and text without line breaks."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return
    control = sum(head.count(bytes([byte])) for byte in range(32) if byte not in (9, 10, 12, 13))
    if b"\x00" in head or control > len(head) // 100:
        raise BadInput(f"{path} is binary data, not a spreadsheet or CSV text")
    start = head.lstrip(codecs.BOM_UTF8).lstrip()[:200].lower()
    if start.startswith((b"<html", b"<!doctype html", b"<table", b"<meta")):
        raise BadInput(f"{path} is an HTML page, not a spreadsheet (some programs save HTML as .xls: "
                       f"open it in a spreadsheet and save it as .xlsx or .csv)")
    if start.startswith(b"<?xml"):
        raise BadInput(f"{path} is an XML file (an Excel 2003 XML spreadsheet?): save it as .xlsx, .xls or .csv")
    extension = os.path.splitext(path)[1].lower()
    if extension not in TEXT_EXTENSIONS:
        raise BadInput(f"{path}: unsupported file type {extension!r} (crmctl imports .xls, .xlsx and .csv)")
    if size > MAX_LINE_CHARS and b"\n" not in head and b"\r" not in head:
        raise BadInput(f"{path} has no line break in its first {CHUNK_BYTES // (1 << 20)} MB: not a CSV table of rows")


# --------------------------------------------------------------------------
# Rows: the header found, blank rows skipped, widths evened
# --------------------------------------------------------------------------


def _attach_rows(table, raw_rows):
    where = f"{table.path}" + (f" (sheet {quoted(table.sheet)})" if table.sheet else "")
    for number, values in raw_rows:
        if not is_blank_row(values):
            header_row, header_values = number, values
            break
    else:
        raise BadInput(f"{where} has no header row: it holds no data at all")
    header = [None if is_blank(value) else text_of(value, "a header") for value in header_values]
    while header and header[-1] is None:
        header.pop()
    width = len(header)
    first = next(((number, values) for number, values in raw_rows if not is_blank_row(values)), None)
    if first is None:
        raise BadInput(f"{where} has a header row (row {header_row}) but no data rows")
    table.header, table.header_row = header, header_row
    table.rows = _even_rows(itertools.chain([first], raw_rows), width)


def _even_rows(raw_rows, width):
    for number, values in raw_rows:
        if is_blank_row(values):
            continue
        values = list(values)
        while len(values) > width and is_blank(values[-1]):
            values.pop()
        if len(values) < width:
            values.extend([None] * (width - len(values)))
        yield number, values


def _guarded(raw_rows, path, kind):
    """The rows, with any parser's failure half-way (a truncated sheet, a bad zip member) as one line of BadInput."""
    number = 0
    try:
        for number, values in raw_rows:
            yield number, values
    except BadInput:
        raise
    except Exception as error:
        raise BadInput(f"{path} is a damaged {'.' + kind} file: reading stopped after row {number} "
                       f"({_reason(error)})") from None


def _reason(error):
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 120 else text[:117] + "..."


def _cell(value):
    """A cell as the other formats give it: an integral float as an int, a midnight datetime as a date, "" as None."""
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if hasattr(value, "hour") and hasattr(value, "date") and not (value.hour or value.minute or value.second
                                                                  or value.microsecond):
        return value.date()
    return value


# --------------------------------------------------------------------------
# Sheets: the first visible one, or the one asked for
# --------------------------------------------------------------------------


def _pick_sheet(path, names, visible, wanted):
    """The index of the sheet to read: `wanted` by name (exact, else loosely), else the first visible sheet."""
    if wanted is not None:
        if wanted in names:
            return names.index(wanted)
        loose = [index for index, name in enumerate(names) if name.strip().lower() == str(wanted).strip().lower()]
        if len(loose) == 1:
            return loose[0]
        raise BadInput(f"{path} has no sheet {quoted(wanted)} (its sheets: {', '.join(names)})")
    for index, is_visible in enumerate(visible):
        if is_visible:
            return index
    if names:
        raise BadInput(f"{path} has no visible sheet; name a hidden one with --sheet (its sheets: {', '.join(names)})")
    raise BadInput(f"{path} has no sheets")


def _xls_rows(path, wanted):
    import xlrd

    devnull = open(os.devnull, "w")
    try:
        book = xlrd.open_workbook(path, on_demand=True, ragged_rows=True, logfile=devnull, verbosity=0)
    except Exception as error:
        devnull.close()
        raise BadInput(_xls_failure(path, error)) from None
    closers = [devnull.close, book.release_resources]
    try:
        names = book.sheet_names()
        index = _pick_sheet(path, names, [v == 0 for v in book._sheet_visibility], wanted)
        sheet = book.sheet_by_index(index)
    except BadInput:
        for closer in reversed(closers):
            closer()
        raise
    except Exception as error:
        for closer in reversed(closers):
            closer()
        raise BadInput(_xls_failure(path, error)) from None
    details = {"sheet": names[index], "datemode": book.datemode}
    return _xls_sheet_rows(sheet, book.datemode), details, closers


def _xls_failure(path, error):
    reason = _reason(error)
    if "Can't find workbook" in reason or "encrypted" in reason.lower():
        return (f"{path} is an Office file with no readable Excel workbook in it (password-protected, "
                f"or a Word or PowerPoint file?): save it without a password as .xlsx, .xls or .csv")
    if "xlsx" in reason.lower():
        return f"{path} is not an .xls workbook ({reason})"
    return f"{path} is a damaged or truncated .xls workbook ({reason})"


def _xls_sheet_rows(sheet, datemode):
    import xlrd

    date_type, number_type, boolean_type, error_type = (
        xlrd.XL_CELL_DATE, xlrd.XL_CELL_NUMBER, xlrd.XL_CELL_BOOLEAN, xlrd.XL_CELL_ERROR)
    for row_index in range(sheet.nrows):
        types = sheet.row_types(row_index)
        values = sheet.row_values(row_index)
        cells = []
        for cell_type, value in zip(types, values):
            if cell_type == date_type:
                try:
                    value = xlrd.xldate.xldate_as_datetime(value, datemode)
                except (xlrd.xldate.XLDateError, ValueError, OverflowError):
                    pass
            elif cell_type == boolean_type:
                value = bool(value)
            elif cell_type == error_type:
                value = xlrd.error_text_from_code.get(value, "#N/A")
            elif cell_type != number_type and value == "":
                value = None
            cells.append(_cell(value))
        yield row_index + 1, cells


def _xlsx_rows(path, wanted):
    import openpyxl
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    handle = open(path, "rb")  # a file object: openpyxl then reads by content, not by the name's extension
    # openpyxl measures each sheet on loading by parsing it to its end when the file has no <dimension>
    # (its own write-only files, among others): a whole extra read of every sheet. The size is reset below
    # anyway, so the measuring is skipped while the workbook loads.
    measure = ReadOnlyWorksheet._get_size
    ReadOnlyWorksheet._get_size = lambda sheet: None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except Exception as error:
        handle.close()
        raise BadInput(f"{path} is a damaged .xlsx workbook ({_reason(error)})") from None
    finally:
        ReadOnlyWorksheet._get_size = measure
    closers = [handle.close, book.close]
    sheets = [sheet for sheet in book.worksheets if hasattr(sheet, "iter_rows")]
    try:
        index = _pick_sheet(path, [sheet.title for sheet in sheets],
                            [sheet.sheet_state == "visible" for sheet in sheets], wanted)
    except BadInput:
        book.close()
        handle.close()
        raise
    sheet = sheets[index]
    sheet.reset_dimensions()  # some programs write a wrong size; read what is there instead
    details = {"sheet": sheet.title, "datemode": 1 if book.epoch == CALENDAR_MAC_1904 else 0}
    return _xlsx_sheet_rows(sheet), details, closers


def _xlsx_sheet_rows(sheet):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
            yield number, [_cell(value) for value in values]
