#!/usr/bin/env python3
"""Write the corpus of hostile inputs in tests/fixtures/bad/ (issue 7, "Hostile input").

Every file is small and made here, deterministically, so the corpus can be rebuilt and reviewed
(binary files included). The message each file must produce lives in
tests/fixtures/bad/expected.json, next to them; tests/bad_input.rs checks it. Inputs that would
be megabytes (a 1 MB cell, thousands of columns, 5,000 labels) are built by the test at run time.

Run from the repository root:  python3 scripts/make_bad_fixtures.py
"""

import io
import pathlib
import struct
import zipfile
import zlib

OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "bad"

# A small valid table used as the body of several files.
GOOD = "x,y,label\n1.5,2,a\n2.5,1,b\n3,0.5,a\n4,4,b\n"


def write(name: str, data) -> None:
    path = OUT / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)


def png(width: int, height: int, rgba_rows=None, idat=True) -> bytes:
    """A PNG: signature, IHDR (8-bit RGBA) and, when `idat`, the pixels (zlib) and IEND."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    out = b"\x89PNG\r\n\x1a\n" + chunk(
        b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    )
    if idat:
        raw = b"".join(b"\x00" + bytes(row) for row in rgba_rows)
        out += chunk(b"IDAT", zlib.compress(raw, 9))
        out += chunk(b"IEND", b"")
    return out


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)

    # --- nothing to read -----------------------------------------------------------------------
    write("empty.csv", b"")
    write("whitespace_only.csv", "  \n\t\n\r\n   \n")
    write("blank_cells_only.csv", ",,\n, ,\n,,\n")
    write("header_only.csv", "x,y,label\n")
    write("utf8_bom_header_only.csv", "\ufeffx,y,label\r\n")
    write("single_column.csv", "label\na\nb\na\n")
    write("one_row.csv", "x,y,label\n1,2,a\n")
    # Imports, but a session needs two classes.
    write("one_class.csv", "x,y,label\n1,2,a\n2,3,a\n3,1,a\n4,4,a\n5,2,a\n")
    write("no_labels_at_all.csv", "x,y,label\n1,2,\n2,3,\n3,1,NA\n4,4,?\n")

    # --- shape ----------------------------------------------------------------------------------
    write("ragged_short_row.csv", "x,y,label\n1,2,a\n3,b\n5,6,a\n")
    write("ragged_long_row.csv", "x,y,label\n1,2,a\n3,4,5,b\n")
    write("ragged_no_header.csv", "1,2,a\n3,4,b\n5,6\n")
    write("ragged_tsv.tsv", "x\ty\tlabel\n1\t2\ta\n3\t4\tb\tc\n")
    write("header_wider_than_rows.csv", "x,y,z,label\n1,2,a\n3,4,b\n")
    write("duplicate_columns.csv", "x,y,x,label\n1,2,3,a\n4,5,6,b\n")
    write("duplicate_after_trim.csv", "x, x ,label\n1,2,a\n3,4,b\n")
    write("duplicate_generated_name.csv", "column_2,,label\n1,2,a\n3,4,b\n")

    # --- encodings and not-text -----------------------------------------------------------------
    write("latin1.csv", "x,y,label\n1,2,café\n3,4,thé\n".encode("latin-1"))
    write(
        "windows1252_quotes.csv",
        "x,y,label\n1,2,\u201cyes\u201d\n3,4,no\n".encode("cp1252"),
    )
    write("utf16le_bom.csv", "\ufeff" .encode("utf-16-le") + GOOD.encode("utf-16-le"))
    write("utf16be_bom.csv", "\ufeff".encode("utf-16-be") + GOOD.encode("utf-16-be"))
    write("utf16le_no_bom.csv", GOOD.encode("utf-16-le"))
    tiny_png = png(2, 2, [[255, 0, 0, 255, 0, 255, 0, 255], [0, 0, 255, 255, 255, 255, 255, 0]])
    write("png_renamed.csv", tiny_png)
    garbage = bytes((i * 73 + 41) % 256 for i in range(512))
    write("binary_garbage.csv", garbage)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        info = zipfile.ZipInfo("data.csv", date_time=(2024, 1, 1, 0, 0, 0))
        z.writestr(info, GOOD)
    write("zipped.csv", buf.getvalue())
    write("excel_workbook.xlsx", buf.getvalue())
    write(
        "gzipped.csv",
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + zlib.compress(GOOD.encode())[2:-4],
    )
    write("nul_in_middle.csv", b"x,y,label\n1,2,a\n3,\x004,b\n")
    write(
        "html_page.csv",
        "<!DOCTYPE html>\n<html><head><title>Not Found</title></head>\n"
        "<body><p>Sorry, the page does not exist.</p></body></html>\n",
    )

    # --- quoting --------------------------------------------------------------------------------
    write("unclosed_quote_last_row.csv", 'x,y,label\n1,2,a\n3,4,"b\n5,6,a\n')
    write("unclosed_quote_middle.csv", 'x,note,label\n1,"ok",a\n2,"never closed,b\n3,fine,a\n')
    # Valid: a quoted value spanning lines; 3 rows.
    write(
        "embedded_newlines.csv",
        'x,note,label\n1,"first line\nsecond line",a\n2,"one, two",b\n3,"say ""hi""\r\nbye",a\n',
    )

    # --- numbers --------------------------------------------------------------------------------
    # Valid: `;` delimiter with decimal commas.
    write("decimal_comma_semicolon.csv", "x;y;label\n1,5;2,25;a\n2,5;-0,75;b\n3;1,0;a\n")
    write("nan_cells.csv", "x,y,label\n1,NaN,a\n2,3,b\nnan,4,a\n3,5,b\n")
    write("inf_cell.csv", "x,y,label\n1,2,a\n2,inf,b\n3,4,a\n")
    write("minus_infinity_cell.csv", "x,y,label\n1,2,a\n2,-Infinity,b\n3,4,a\n")
    write("overflow_1e400.csv", "x,y,label\n1,2,a\n1e400,3,b\n3,4,a\n")
    # Finite, but too large to standardize: (x - mean) / sd overflows.
    write(
        "huge_finite_values.csv",
        "x,y,label\n1e308,1,a\n-1e308,2,b\n1.7e308,3,a\n-1.7e308,4,b\n"
        "1e308,5,a\n-1e308,6,b\n1e-308,7,a\n5e-324,8,b\n",
    )
    write("not_a_number.csv", "x,y,label\n1,2,a\n2,N/A,b\n3,4,a\n5,6,b\n")
    write("thousands_separator.csv", 'x,y,label\n"1,200",2,a\n"3,400",4,b\n"2,100",1,a\n')
    # `;` file: decimal commas are numbers, but not with '.' thousands separators as well.
    write("thousands_separator_semicolon.csv", "x;y;label\n1.234,5;2;a\n2.345,5;1;b\n3.456,0;4;a\n")

    # --- columns --------------------------------------------------------------------------------
    # Valid: the empty column is dropped and reported.
    write("all_missing_column.csv", "x,notes,y,label\n1,,2,a\n2,NA,3,b\n3,,1,a\n4,?,5,b\n")
    write("constant_only.csv", "x,y,label\n1,7,a\n1,7,b\n1,7,a\n")
    cities = "".join(f"{i},city{i},{'ab'[i % 2]}\n" for i in range(60))
    write("too_many_categories.csv", "x,city,label\n" + cities)
    write("crlf_and_bom.csv", "\ufeff" + GOOD.replace("\n", "\r\n"))
    write("cr_only_line_ends.csv", GOOD.replace("\n", "\r"))

    # --- text import ----------------------------------------------------------------------------
    write("text_all_empty.csv", 'review,label\n"",pos\n,neg\n"  ",pos\nNA,neg\n')
    write("text_one_letter_words.csv", "review,label\na b c,pos\nx y,neg\n")

    # --- JSON Lines -----------------------------------------------------------------------------
    write(
        "jsonl_broken_line.jsonl",
        '{"x": 1, "label": "a"}\n{"x": 2, "label": "b"}\n{"x": 3, "label": "a"\n{"x": 4, "label": "b"}\n',
    )
    write("jsonl_whole_array.jsonl", '[{"x": 1, "label": "a"}, {"x": 2, "label": "b"}]\n')
    write("jsonl_nested.jsonl", '{"x": 1, "label": "a"}\n{"x": {"v": 2}, "label": "b"}\n')
    write("jsonl_duplicate_key.jsonl", '{"x": 1, "label": "a"}\n{"x": 2, "x": 3, "label": "b"}\n')
    write("jsonl_1e400.jsonl", '{"x": 1, "label": "a"}\n{"x": 1e400, "label": "b"}\n')
    write("jsonl_csv_inside.jsonl", "x,y,label\n1,2,a\n")

    # --- images (decoded to RGBA by the browser; the engine gets pixels + size) -------------------
    write("not_an_image.png", "x,y,label\n1,2,a\n")
    write("zero_byte.png", b"")
    # A valid PNG header that claims 20000 × 20000 pixels (no pixel data): 41 bytes.
    write("huge_20000x20000.png", png(20000, 20000, idat=False))
    write("truncated.png", tiny_png[:40])

    # --- a folder of mixed files (what a folder import would meet) -------------------------------
    write("mixed_folder/cat.png", tiny_png)
    write("mixed_folder/empty.png", b"")
    write("mixed_folder/notes.txt", "These are my photos.\n")
    write("mixed_folder/labels.csv", "file,label\ncat.png,cat\n")
    write("mixed_folder/.DS_Store", b"\x00\x00\x00\x01Bud1" + bytes(28))


if __name__ == "__main__":
    main()
