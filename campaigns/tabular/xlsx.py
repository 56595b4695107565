"""Reading an XLSX defensively: the archive is checked before any XML is parsed.

An XLSX is a zip of XML files. Before openpyxl sees it, every member's declared size, its
compression ratio and then its actual inflated size are checked against the limits (a 1 MB zip
bomb inflates to gigabytes), and no member may declare a DTD or an entity (the "billion laughs"
entity bomb); openpyxl also parses through defusedxml when it is installed, which refuses them
again. Rows are then streamed from openpyxl's read-only reader.
"""

import io
import zipfile
from collections.abc import Iterator
from typing import TYPE_CHECKING
from xml.etree.ElementTree import ParseError

from campaigns.i18n import _
from campaigns.tabular.cells import cell_text
from campaigns.tabular.errors import UnreadableFile

if TYPE_CHECKING:
    from campaigns.tabular.reading import FileLimits

MAX_MEMBERS = 1000
# Members smaller than this are never refused for their ratio: they cannot hurt.
RATIO_FLOOR = 1 << 20
_CHUNK = 1 << 20
_FORBIDDEN_XML = (b"<!DOCTYPE", b"<!ENTITY")
_READ_ERRORS = (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError, ParseError)


def _unreadable() -> UnreadableFile:
    return UnreadableFile(
        _("The file could not be read as XLSX; save it again from Excel or export it as CSV.")
    )


def _too_large(limits: "FileLimits") -> UnreadableFile:
    return UnreadableFile(
        _(
            "The XLSX file expands to more than {limit} MB, or to more than {ratio} times its "
            "compressed size, which no real spreadsheet does; export it as CSV or split it."
        ),
        limit=limits.max_uncompressed_bytes // (1024 * 1024),
        ratio=limits.max_compression_ratio,
    )


def check_archive(content: bytes, limits: "FileLimits") -> None:
    """Refuse an XLSX whose members inflate too far or declare XML entities."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except _READ_ERRORS as error:
        raise _unreadable() from error
    with archive:
        if len(members) > MAX_MEMBERS:
            raise _unreadable()
        if sum(m.file_size for m in members) > limits.max_uncompressed_bytes:
            raise _too_large(limits)
        for member in members:
            ratio_limit = limits.max_compression_ratio * max(member.compress_size, 1)
            if member.file_size > RATIO_FLOOR and member.file_size > ratio_limit:
                raise _too_large(limits)
        total = 0
        for member in members:
            total = _inflate(archive, member, total, limits)


def _inflate(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, total: int, limits: "FileLimits"
) -> int:
    """Inflate one member in chunks (nothing kept), counting its real size and looking for DTDs."""
    size, tail = 0, b""
    try:
        with archive.open(member) as source:
            while chunk := source.read(_CHUNK):
                size += len(chunk)
                total += len(chunk)
                if size > max(member.file_size, 0) or total > limits.max_uncompressed_bytes:
                    raise _too_large(limits)
                window = tail + chunk
                if any(marker in window for marker in _FORBIDDEN_XML):
                    raise UnreadableFile(
                        _(
                            "The XLSX file declares XML entities, which spreadsheets never do "
                            "and which can expand without end; export it as CSV instead."
                        )
                    )
                tail = chunk[-16:]
    except UnreadableFile:
        raise
    except (*_READ_ERRORS, RuntimeError) as error:
        raise _unreadable() from error
    return total


def xlsx_records(content: bytes, limits: "FileLimits") -> Iterator[tuple[int, list[str]]]:
    """The first sheet's rows as text cells, streamed, after the archive passed its checks."""
    from openpyxl import load_workbook

    check_archive(content, limits)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except _READ_ERRORS as error:
        raise _unreadable() from error
    try:
        sheet = workbook.worksheets[0]
        # The declared dimension is not trusted: a one-cell sheet may claim A1:XFD1048576.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        number = 0
        while True:
            try:
                values = next(rows)
            except StopIteration:
                return
            except _READ_ERRORS as error:
                raise _unreadable() from error
            number += 1
            cells = [cell_text(value) for value in values]
            if any("\x00" in cell for cell in cells):
                raise UnreadableFile(
                    _(
                        "Row {row} of the file contains a NUL character, which a spreadsheet "
                        "never has: the file is damaged. Save it again from Excel."
                    ),
                    row=number,
                )
            yield number, cells
    finally:
        workbook.close()
