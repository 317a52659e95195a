"""Tables out as CSV and Excel (.xlsx), safe to open in a spreadsheet.

Figures arrive already protected (amnesty_portal.privacy): a hidden cell is written as "<5",
never as its value. Text that a spreadsheet would read as a formula gets a leading apostrophe.
"""

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from amnesty_portal.privacy import HIDDEN, Table

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text(value) -> str:
    """A cell Excel will not read as a formula."""
    value = "" if value is None else str(value)
    return f"'{value}" if value[:1] in FORMULA_STARTS else value


def _row_values(table: Table):
    for label, cells in table.body:
        yield text(label), [HIDDEN if cell.hidden else cell.value for cell in cells]


def write_csv(table: Table, out) -> None:
    """Semicolon-separated UTF-8 with a BOM, as Norwegian Excel expects; shares as '12,5'."""
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([text(heading) for heading in _headings(table)])
    for label, values in _row_values(table):
        writer.writerow([label, *(_csv_number(value) for value in values)])


def _headings(table: Table):
    headings = list(table.header)
    if table.unit:
        headings = [headings[0], *(f"{heading} ({table.unit})" for heading in headings[1:])]
    return headings


def _csv_number(value) -> str:
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


def csv_bytes(table: Table) -> bytes:
    out = io.StringIO()
    write_csv(table, out)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(table: Table) -> bytes:
    """One sheet: the title, a blank row, the headings in bold, then the rows."""
    book = Workbook()
    sheet = book.active
    sheet.title = (table.name or "figures")[:31]
    sheet.append([text(table.title)])
    sheet.append([])
    sheet.append([text(heading) for heading in _headings(table)])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for label, values in _row_values(table):
        sheet.append([label, *values])
        if table.unit:
            for cell in sheet[sheet.max_row][1:]:
                if isinstance(cell.value, float):
                    cell.number_format = "0.0"
    sheet.column_dimensions["A"].width = max([12, *(len(str(label)) + 2 for label in table.labels)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
