#!/usr/bin/env python3
"""Reads every generated download back with libraries independent of the generator (python-docx,
openpyxl) and compares it with the markdown it came from.

usage: downloads_roundtrip.py CONTENT_DIR OUTPUT_DIR
Prints one line per file checked; exits 1 with the list of problems when any check fails.
"""
import csv
import datetime
import glob
import io
import os
import re
import sys
import unicodedata

import docx
import openpyxl
import yaml

BLANK = re.compile(r"\[[A-ZÁÉÍÓÚÜÑ][A-ZÁÉÍÓÚÜÑ0-9 ,./%$()-]*\]")
problems = []


def fail(where, message):
    problems.append(f"{where}: {message}")


def norm(text):
    """Undo smart punctuation and collapse spaces, so source and output compare as text."""
    for a, b in (("“", '"'), ("”", '"'), ("‘", "'"), ("’", "'"), ("–", "--"), ("—", "---"), ("…", "...")):
        text = text.replace(a, b)
    return " ".join(text.split())


def inline(md):
    """Markdown inline → the text it shows."""
    md = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", md)
    md = re.sub(r"`([^`]*)`", r"\1", md)
    md = re.sub(r"(\*\*|__|\*|_|~~)", "", md)
    md = md.replace("\\|", "|")
    return norm(md)


def heading_id(text):
    out, hyphen = [], False
    for c in unicodedata.normalize("NFD", text).lower():
        if unicodedata.combining(c):
            continue
        if c.isalnum():
            if hyphen and out:
                out.append("-")
            hyphen = False
            out.append(c)
        else:
            hyphen = True
    return "".join(out) or "section"


def parse(path):
    text = open(path, encoding="utf-8").read().lstrip("\ufeff").replace("\r\n", "\n")
    _, front, body = text.split("---\n", 2)
    # BaseLoader keeps every value a string: YAML 1.1 would turn `No` into false, the
    # generator (YAML 1.2) does not.
    return yaml.load(front, Loader=yaml.BaseLoader), body


def headings(body):
    found, fence = [], False
    for line in body.split("\n"):
        if line.startswith("```"):
            fence = not fence
        m = None if fence else re.match(r"^(#{1,6})\s+(.*?)\s*$", line)
        if m:
            title = m.group(2)
            explicit = re.search(r"\s*\{#([^}]+)\}$", title)
            title = title[: explicit.start()] if explicit else title
            shown = inline(title)
            found.append((explicit.group(1) if explicit else heading_id(shown), shown))
    return found


def table(body, table_id):
    lines = body.split("\n")
    for i, line in enumerate(lines):
        m = re.match(r"^(#{1,6})\s+(.*?)\s*$", line)
        if not m:
            continue
        explicit = re.search(r"\{#([^}]+)\}$", m.group(2))
        text = re.sub(r"\s*\{#[^}]+\}$", "", m.group(2))
        if (explicit.group(1) if explicit else heading_id(inline(text))) != table_id:
            continue
        rows = []
        for row in lines[i + 1 :]:
            if row.startswith("#"):
                break
            if row.startswith("|"):
                rows.append([inline(c) for c in re.split(r"(?<!\\)\|", row.strip().strip("|"))])
            elif rows:
                break
        return inline(text), rows[0], rows[2:]
    return None


def check_docx(path, title, body, registers):
    document = docx.Document(path)
    # Each register's table ends with empty rows to fill in by hand.
    for name in registers:
        found = table(body, name)
        header = found[1] if found else None
        tables = [t for t in document.tables if [norm(c.text) for c in t.rows[0].cells] == header]
        if len(tables) != 1:
            fail(path, f"expected one table with the columns of {name!r}, found {len(tables)}")
            continue
        blank = [r for r in tables[0].rows[1:] if not any(c.text.strip() for c in r.cells)]
        if len(blank) < 10 or len(tables[0].rows) != 1 + len(found[2]) + len(blank):
            fail(path, f"table {name!r} has {len(blank)} blank rows after its example rows, expected 10")
    paragraphs = list(document.paragraphs)
    for t in document.tables:
        for row in t.rows:
            for cell in row.cells:
                paragraphs.extend(cell.paragraphs)
    if norm(document.paragraphs[0].text) != norm(title) or document.paragraphs[0].style is None or document.paragraphs[0].style.name != "Title":
        fail(path, f"first paragraph is not the title {title!r}")
    shown = {norm(p.text) for p in document.paragraphs if p.style is not None and p.style.name.startswith("Heading")}
    for _, heading in headings(body):
        if heading not in shown:
            fail(path, f"heading {heading!r} missing")
    highlighted = {norm(r.text) for p in paragraphs for r in p.runs if r.font.highlight_color is not None}
    text = "\n".join(p.text for p in paragraphs)
    for blank in sorted(set(BLANK.findall(body))):
        if blank not in highlighted:
            fail(path, f"blank {blank} missing or not highlighted")
    for c in "ñáéíóú¿¡":
        if c in body and c not in text:
            fail(path, f"character {c} lost")
    return len(headings(body)), len(set(BLANK.findall(body)))


def check_register(xlsx_path, csv_path, download, body):
    found = table(body, download["table"])
    if not found:
        fail(xlsx_path, f"no table {download['table']} in the source")
        return
    _, header, rows = found
    book = openpyxl.load_workbook(xlsx_path)
    sheet = book.worksheets[0]
    def shown(v):
        if v is None:
            return ""
        if isinstance(v, datetime.datetime):
            return v.strftime("%Y-%m-%d")
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    values = [[shown(v) for v in r] for r in sheet.iter_rows(values_only=True)]
    # Amounts are numbers and dates are dates, so totals and sorting work.
    for cell, text in zip(next(sheet.iter_rows(min_row=2, max_row=2)), rows[0] if rows else []):
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) and not cell.is_date:
            fail(xlsx_path, f"{cell.coordinate} {text!r} is not a date cell")
        if re.fullmatch(r"-?(0|[1-9]\d*)(\.\d+)?", text) and cell.data_type != "n":
            fail(xlsx_path, f"{cell.coordinate} {text!r} is not a number cell")
    if [norm(v) for v in values[0]] != header:
        fail(xlsx_path, f"header {values[0]} != {header}")
    if not rows or [norm(v) for v in values[1]] != rows[0]:
        fail(xlsx_path, f"example row {values[1:2]} != {rows[:1]}")
    if sheet.freeze_panes != "A2":
        fail(xlsx_path, f"header row not frozen ({sheet.freeze_panes})")
    for i in range(len(header)):
        letter = openpyxl.utils.get_column_letter(i + 1)
        width = sheet.column_dimensions[letter].width
        if not width or width < 10:
            fail(xlsx_path, f"column {letter} has no sensible width ({width})")
    lists = {}
    for validation in sheet.data_validations.dataValidation:
        if validation.type == "list":
            for cells in str(validation.sqref).split():
                lists[re.sub(r"\d", "", cells.split(":")[0])] = validation.formula1
    for column, allowed in (download.get("choices") or {}).items():
        letter = openpyxl.utils.get_column_letter(header.index(norm(column)) + 1)
        expected = '"' + ",".join(allowed) + '"'
        if lists.get(letter) != expected:
            fail(xlsx_path, f"column {column!r}: drop-down {lists.get(letter)} != {expected}")
    if len(lists) != len(download.get("choices") or {}):
        fail(xlsx_path, f"{len(lists)} drop-down lists, expected {len(download.get('choices') or {})}")
    raw = open(csv_path, "rb").read()
    if not raw.startswith(b"\xef\xbb\xbf"):
        fail(csv_path, "no UTF-8 byte-order mark")
    parsed = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    if [[norm(c) for c in r] for r in parsed] != [header] + rows:
        fail(csv_path, f"rows {parsed} != {[header] + rows}")
    for c in "ñáéíóú¿¡":
        if c in "".join(header + sum(rows, [])) and c not in raw.decode("utf-8-sig"):
            fail(csv_path, f"character {c} lost")


def main(content, output):
    generated = {p for ext in ("docx", "xlsx", "csv") for p in glob.glob(f"{output}/**/*.{ext}", recursive=True)}
    checked = set()
    docx_titles = {}
    for path in generated:
        if path.endswith(".docx"):
            docx_titles.setdefault(norm(docx.Document(path).paragraphs[0].text), []).append(path)
    for source in sorted(glob.glob(f"{content}/**/*.md", recursive=True)):
        front, body = parse(source)
        for download in front.get("downloads") or []:
            if download["format"] == "docx":
                paths = docx_titles.get(norm(front["title"]), [])
                if len(paths) != 1:
                    fail(source, f"expected one Word document titled {front['title']!r}, found {paths}")
                    continue
                registers = [d["table"] for d in front["downloads"] if d["format"] == "xlsx"]
                counts = check_docx(paths[0], front["title"], body, registers)
                checked.add(paths[0])
                print(f"ok {os.path.relpath(paths[0], output)}: title, {counts[0]} headings, {counts[1]} blanks")
            else:
                name = download["table"]
                found = table(body, name)
                candidates = [p for p in glob.glob(f"{output}/**/{name}.xlsx", recursive=True)
                              if found and [norm("" if v is None else str(v)) for v in next(openpyxl.load_workbook(p).worksheets[0].iter_rows(values_only=True))] == found[1]]
                if len(candidates) != 1:
                    fail(source, f"expected one spreadsheet {name}.xlsx with the table's columns, found {candidates}")
                    continue
                xlsx_path = candidates[0]
                csv_path = xlsx_path[: -len(".xlsx")] + ".csv"
                check_register(xlsx_path, csv_path, download, body)
                checked.update([xlsx_path, csv_path])
                print(f"ok {os.path.relpath(xlsx_path, output)} and .csv: {len(found[1])} columns, "
                      f"{len(download.get('choices') or {})} drop-downs, example row")
    for path in sorted(generated - checked):
        fail(path, "generated but not declared by any page")
    if not checked:
        fail(output, "no downloads found")
    if problems:
        print("\n".join(problems), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
