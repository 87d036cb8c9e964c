"""CSV text as people's programs save it: UTF-8 with or without a BOM, UTF-16, Windows-1250 or -1252; ; , or tab.

The encoding is judged from every byte of the file (read in chunks, so memory
stays flat) and the delimiter from the header line. Lines are read with a cap,
so a 200 MB file of one line is refused before it is in memory.
"""
import codecs
import csv
import itertools

from crmctl.errors import BadInput

DELIMITERS = ("\t", ";", ",")
MAX_LINE_CHARS = 1_000_000  # a CSV line longer than this is not a row of a lead table
CHUNK_BYTES = 1 << 20  # how much of the file is read at a time to judge its encoding
# Characters both Windows code pages share that are not letters yet common in names and addresses.
_USUAL_PUNCTUATION = set("€…‚„“”‘’–—•°«»·×÷§©®™\u00a0")
# How common a letter is where the two code pages differ (any other letter: 1), from rough letter frequencies.
_LETTER_WEIGHTS = {
    # Windows-1252's readings
    "à": 5, "è": 4, "ê": 3, "ñ": 3, "å": 4, "ø": 4, "æ": 2, "ã": 2, "õ": 1, "ò": 1, "ì": 0.5, "ù": 1, "û": 1,
    "ï": 1, "ð": 0.5, "þ": 0.5, "œ": 1, "À": 1, "È": 1, "Ê": 0.5, "Ñ": 1, "Å": 2, "Ø": 1, "Æ": 1, "Ã": 0.5,
    "Õ": 0.5, "Ò": 0.3, "Ì": 0.3, "Ù": 0.3, "Û": 0.3, "Ï": 0.3, "Ð": 0.3, "Þ": 0.3, "Œ": 0.3, "Ÿ": 0.1, "ª": 0.1,
    "º": 0.5,
    # Windows-1250's readings
    "ą": 4, "ę": 4, "ł": 4, "ż": 3, "ś": 3, "ć": 3, "ń": 3, "ź": 1, "č": 4, "ř": 4, "ě": 5, "ů": 3, "ň": 2,
    "ť": 1, "ď": 1, "ő": 2, "ű": 1, "ă": 2, "ţ": 1, "ş": 2, "ŕ": 0.3, "ĺ": 0.3, "ľ": 1, "Ą": 1, "Ę": 1, "Ł": 2,
    "Ż": 2, "Ś": 2, "Ć": 1, "Ń": 0.5, "Ź": 0.5, "Č": 2, "Ř": 1, "Ě": 0.5, "Ů": 0.3, "Ň": 0.3, "Ť": 0.3, "Ď": 0.3,
    "Ő": 0.5, "Ű": 0.3, "Ă": 0.5, "Ţ": 0.3, "Ş": 1, "Ŕ": 0.1, "Ĺ": 0.1, "Ľ": 0.3,
}




def csv_rows(path):
    """The file's records as (row number as a spreadsheet shows it, values), with its encoding and delimiter."""
    encoding = text_encoding(path)
    handle = open(path, encoding=encoding, errors="replace", newline="")
    lines = _capped_lines(handle, path)
    first_lines = []
    delimiter = None
    for line in lines:
        first_lines.append(line)
        stripped = line.strip().lstrip("\ufeff")
        if len(first_lines) == 1 and stripped.lower().startswith("sep=") and len(stripped) == 5:
            delimiter = stripped[4]  # Excel's own hint line: not a row of the table
            first_lines.pop()
            continue
        if stripped:
            break
    if delimiter is None:
        delimiter = detect_delimiter(first_lines[-1] if first_lines else "")
    csv.field_size_limit(max(csv.field_size_limit(), MAX_LINE_CHARS))
    reader = csv.reader(itertools.chain(first_lines, lines), delimiter=delimiter)

    def rows():
        for number, values in enumerate(reader, start=1):
            yield number, [None if value == "" else value for value in values]

    return rows(), {"sheet": None, "encoding": encoding, "delimiter": delimiter}, [handle.close]


def _capped_lines(handle, path):
    """The file's lines, refusing one longer than MAX_LINE_CHARS before it is all in memory."""
    number = 0
    while True:
        line = handle.readline(MAX_LINE_CHARS + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE_CHARS:
            raise BadInput(f"{path}: line {number} is longer than {MAX_LINE_CHARS:,} characters: not a CSV table of rows")
        yield line


def detect_delimiter(line):
    """The one of tab, ; and , that the header line has most of outside quotes (a comma when it has none)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted_text = False
    for character in line:
        if character == '"':
            quoted_text = not quoted_text
        elif not quoted_text and character in counts:
            counts[character] += 1
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def text_encoding(path):
    """UTF-8 (a BOM or none) when every byte of the file reads as UTF-8; UTF-16 with its BOM; else a Windows code page.

    Between Windows-1250 (Polish, Czech ...) and Windows-1252 (Western Europe)
    the file's bytes decide: each code page's reading of them is scored by how
    common those letters are in European names (ą ł ż are ¹ ³ ¿ in 1252; ě ř ň are
    ì ø ò; à å ñ are ŕ ĺ ń in 1250), and a tie goes to 1252.
    """
    with open(path, "rb") as handle:
        head = handle.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            for chunk in iter(lambda: handle.read(CHUNK_BYTES), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            pass
        handle.seek(0)
        counts = dict.fromkeys(range(128, 256), 0)
        for chunk in iter(lambda: handle.read(CHUNK_BYTES), b""):
            for byte in counts:
                counts[byte] += chunk.count(bytes([byte]))
    return "cp1250" if _plausibility(counts, "cp1250") > _plausibility(counts, "cp1252") else "cp1252"


def _plausibility(counts, encoding):
    """How much the file's high bytes read as the letters European text is made of, in this code page."""
    score = 0.0
    for byte, count in counts.items():
        if not count:
            continue
        try:
            character = bytes([byte]).decode(encoding)
        except UnicodeDecodeError:
            score -= 10 * count
            continue
        if character.isalpha():
            score += count * _LETTER_WEIGHTS.get(character, 1)
        elif character not in _USUAL_PUNCTUATION:
            score -= 2 * count
    return score
