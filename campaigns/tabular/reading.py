"""Reading the tables creditors send (CSV in any common encoding and delimiter, or XLSX).

Every cell comes back as a stripped string, whatever the file type, so one set of value parsers
serves CSV and XLSX alike. Row numbers are the ones a spreadsheet shows: the header is row 1.

Files are read defensively: rows stream from the file (a million-row file is never held as one
list), and a line too long, a NUL character, too many rows or columns, or an XLSX that inflates
too far (see `campaigns.tabular.xlsx`) is refused with a message that says what to fix.
"""

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import TextIO

from campaigns.i18n import _
from campaigns.settings import get_settings
from campaigns.tabular.errors import UnreadableFile
from campaigns.tabular.xlsx import xlsx_records

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
DELIMITERS = (",", ";", "\t", "|")
_CHECK_CHUNK = 1 << 20

Records = Iterator[tuple[int, list[str]]]


@dataclass(frozen=True)
class FileLimits:
    """What a file may hold before it is refused (from the `import_max_*` settings)."""

    max_rows: int
    max_columns: int
    max_line_chars: int
    max_uncompressed_bytes: int
    max_compression_ratio: int

    @classmethod
    def from_settings(cls) -> "FileLimits":
        """The limits configured for this deployment."""
        settings = get_settings()
        return cls(
            max_rows=settings.import_max_rows,
            max_columns=settings.import_max_columns,
            max_line_chars=settings.import_max_line_chars,
            max_uncompressed_bytes=settings.import_max_uncompressed_mb * 1024 * 1024,
            max_compression_ratio=settings.import_max_compression_ratio,
        )


@dataclass(frozen=True)
class Table:
    """A header row and the data rows under it, each with its spreadsheet row number."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]
    encoding: str
    delimiter: str | None


class TableStream:
    """A header row and an iterator over the data rows; close it (or use `with`) when done."""

    def __init__(
        self,
        records: Records,
        encoding: str,
        delimiter: str | None,
        expected_rows: int | None = None,
    ) -> None:
        self._records = records
        self.encoding = encoding
        self.delimiter = delimiter
        self.expected_rows = expected_rows
        self.headers: list[str] = []
        self.rows_read = 0
        for _number, cells in self._records:
            if any(cells):
                self.headers = cells
                break
        else:
            self.close()
            raise UnreadableFile(
                _("The file is empty: it needs a header row and one row per account.")
            )

    @property
    def rows(self) -> Records:
        """The non-blank data rows, read as they are consumed."""
        for number, cells in self._records:
            if any(cells):
                self.rows_read += 1
                yield number, cells

    def close(self) -> None:
        """Release the file (an XLSX archive stays open while its rows are read)."""
        close = getattr(self._records, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> "TableStream":
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def open_table(
    content: bytes, *, filename: str = "", limits: FileLimits | None = None
) -> TableStream:
    """Stream a CSV (UTF-8 with or without BOM, UTF-16, Windows-1252 or Latin-1) or an XLSX."""
    limits = limits or FileLimits.from_settings()
    if content.startswith(XLS_MAGIC):
        raise UnreadableFile(
            _("The file is an old Excel .xls; save it as .xlsx or CSV and send it again.")
        )
    if content.startswith(XLSX_MAGIC) or filename.lower().endswith((".xlsx", ".xlsm")):
        records = _checked(xlsx_records(content, limits), limits)
        return TableStream(records, "xlsx", None)
    encoding = detect_encoding(content)
    delimiter = detect_delimiter(_first_record_text(content, encoding, limits))
    # A first pass applies every limit before anything is written, and counts the rows.
    counted = sum(1 for _n, cells in _csv_table(content, encoding, delimiter, limits) if cells)
    records = _csv_table(content, encoding, delimiter, limits)
    return TableStream(records, encoding, delimiter, expected_rows=max(counted - 1, 0))


def _csv_table(content: bytes, encoding: str, delimiter: str, limits: FileLimits) -> Records:
    stream = io.TextIOWrapper(io.BytesIO(content), encoding=encoding, errors="replace", newline="")
    lines = _bounded_lines(stream, limits.max_line_chars)
    return _checked(_csv_records(lines, delimiter), limits)


def read_table(content: bytes, *, filename: str = "", limits: FileLimits | None = None) -> Table:
    """The header and every row of a file, in memory (for small files such as payments)."""
    with open_table(content, filename=filename, limits=limits) as stream:
        rows = list(stream.rows)
        return Table(stream.headers, rows, stream.encoding, stream.delimiter)


def detect_encoding(content: bytes) -> str:
    """The encoding to read a CSV with: a BOM says so, else UTF-8 if valid, else Windows-1252."""
    if content.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "cp1252"):
        if _decodes(content, encoding):
            return encoding
    return "latin-1"


def decode_text(content: bytes) -> tuple[str, str]:
    """The whole text of a small file and the encoding it was read with."""
    encoding = detect_encoding(content)
    return content.decode(encoding, errors="replace"), encoding


def _decodes(content: bytes, encoding: str) -> bool:
    """Whether the bytes decode without error, checked in chunks (nothing kept in memory)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    view = memoryview(content)
    try:
        for start in range(0, len(view), _CHECK_CHUNK):
            decoder.decode(view[start : start + _CHECK_CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_delimiter(text: str) -> str:
    """The delimiter used most often, outside quotes, in the header line."""
    header = _first_line(text)
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _first_record_text(content: bytes, encoding: str, limits: FileLimits) -> str:
    """The start of the file, enough to hold its header line."""
    stream = io.TextIOWrapper(io.BytesIO(content), encoding=encoding, errors="replace", newline="")
    return stream.read(limits.max_line_chars * 4)


def _first_line(text: str) -> str:
    line: list[str] = []
    in_quotes = False
    for char in text:
        if char == '"':
            in_quotes = not in_quotes
        elif char in "\r\n" and not in_quotes:
            if line:
                break
            continue
        elif not in_quotes:
            line.append(char)
    return "".join(line)


def _bounded_lines(stream: TextIO, limit: int) -> Iterator[str]:
    """The file's physical lines; refused at the first one too long or holding a NUL."""
    number = 0
    while line := stream.readline(limit + 1):
        number += 1
        if len(line) > limit and not line.endswith(("\n", "\r")):
            raise UnreadableFile(
                _(
                    "Line {line} of the file is longer than {limit} characters; no real row is "
                    "that long. Check that the file is a CSV export and send it again."
                ),
                line=number,
                limit=limit,
            )
        if "\x00" in line:
            raise UnreadableFile(
                _(
                    "Line {line} of the file contains a NUL character, which a CSV never has: "
                    "the file is damaged or not a text file. Export it again as CSV UTF-8."
                ),
                line=number,
            )
        yield line


def _csv_records(lines: Iterator[str], delimiter: str) -> Records:
    reader = csv.reader(lines, delimiter=delimiter)
    number = 0
    while True:
        try:
            raw = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise UnreadableFile(
                _(
                    "Row {row} could not be read as CSV ({error}); check its quotes and "
                    "send the file again."
                ),
                row=number + 1,
                error=str(error),
            ) from error
        number += 1
        yield number, raw


def _checked(records: Records, limits: FileLimits) -> Records:
    """Rows stripped, with the row and column limits applied."""
    try:
        for number, raw in records:
            if number > limits.max_rows + 1:
                raise UnreadableFile(
                    _("The file has more than {limit} rows; split it into smaller files."),
                    limit=limits.max_rows,
                )
            cells = [cell.strip() for cell in raw]
            while cells and not cells[-1]:
                cells.pop()
            if len(cells) > limits.max_columns:
                raise UnreadableFile(
                    _(
                        "Row {row} has {count} columns; a file may have at most {limit}. "
                        "Remove the columns nobody reads and send it again."
                    ),
                    row=number,
                    count=len(cells),
                    limit=limits.max_columns,
                )
            yield number, [_unneutralised(cell) for cell in cells]
    finally:
        close = getattr(records, "close", None)
        if close is not None:
            close()


def _unneutralised(cell: str) -> str:
    """A cell as the creditor meant it: our exports' formula guard (a leading ') removed."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in "=+-@\t\r":
        return cell[1:]
    return cell
