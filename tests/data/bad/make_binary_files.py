"""Regenerate the binary files of the bad-file corpus: python tests/data/bad/make_binary_files.py

The text files next to this script are written by hand; these three are easier to describe as
code than to inspect as bytes.
"""

import io
import zipfile
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent


def workbook_bytes(rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def replace_entry(data: bytes, name: str, content: bytes, *, level=9) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as target:
        for entry in source.infolist():
            body = content if entry.filename == name else source.read(entry.filename)
            target.writestr(entry.filename, body)
    return out.getvalue()


def main():
    # A price computed by a formula: imports take values, not formulas.
    (HERE / "formulas.xlsx").write_bytes(
        workbook_bytes([["id", "price"], [1, 1199.99], [2, "=B2*2"]])
    )
    plain = workbook_bytes([["id", "name"], [1, "Electronics"]])
    # A zip bomb: the sheet unpacks to 50 MB of spaces from about 50 KB.
    sheet = b'<?xml version="1.0"?><worksheet>' + b" " * 50_000_000 + b"</worksheet>"
    (HERE / "zip_bomb.xlsx").write_bytes(replace_entry(plain, "xl/worksheets/sheet1.xml", sheet))
    # An XML bomb ("billion laughs"): entities that expand to gigabytes if resolved.
    entities = "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i else "lol"}">' for i in range(10)
    )
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
        "</sheetData></worksheet>"
    ).encode()
    (HERE / "xml_bomb.xlsx").write_bytes(replace_entry(plain, "xl/worksheets/sheet1.xml", bomb))


if __name__ == "__main__":
    main()
