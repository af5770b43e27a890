"""The class results table as CSV and XLSX (openpyxl)."""
import io

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from ..formats import csv_text, spreadsheet_safe
from ..results.status import test_label


def _score(attempt):
    return attempt.score if attempt is not None else None


def table(rows: list[dict], quiz) -> tuple[list[str], list[list]]:
    header = [_("NIS"), _("Nama"), _("Username"), _("Percobaan"), _("Nilai terbaik"), _("Nilai terakhir"),
              _("Nilai dihitung"), _("KKTP"), _("Status")]
    body = [[row["user"].nis or "", row["user"].full_name, row["user"].username, row["attempts"],
             _score(row["best"]), _score(row["last"]), _score(row["counted"]), quiz.pass_mark,
             test_label(row["status"])] for row in rows]
    return header, body


def results_csv(rows: list[dict], quiz) -> str:
    """For Excel set to Indonesian: BOM, `;` and decimal commas (courseware.formats.csv_text)."""
    header, body = table(rows, quiz)
    return csv_text(header, body)


def results_xlsx(rows: list[dict], quiz, title: str) -> bytes:
    header, body = table(rows, quiz)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Hasil tes")[:31]
    sheet.append([title])
    sheet["A1"].font = Font(bold=True)
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for line in body:
        sheet.append([spreadsheet_safe(v) for v in line])
    for column, width in zip("ABCDEFGHI", (14, 30, 18, 11, 13, 14, 15, 7, 18)):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
